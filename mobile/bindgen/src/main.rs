//! `doorstep-bindgen`: uniffi's own binding generator, built here so that `cargo xtask bindings`
//! needs nothing from outside the workspace.
//!
//! Invariant: this is uniffi's command line unchanged; the bindings it writes come only from the
//! metadata in the library it is given.

fn main() {
    uniffi::uniffi_bindgen_main();
}
