//! Build the Tauri context. The page is `ui/dist`, built by `npm run build` in `ui/`
//! (`cargo xtask run` and `cargo xtask test` do it first).
//!
//! The page is looked for from the folder cargo names when it runs this script, not the one
//! this script was compiled in: a target directory shared by two clones may run a script
//! compiled in the other.

fn main() {
    let app = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| ".".into());
    let page = std::path::Path::new(&app).join("../ui/dist/index.html");
    if !page.exists() {
        println!(
            "cargo::error=the desktop page is not built: run `npm ci && npm run build` in ui/ \
             (or `cargo xtask run`, which does it)"
        );
    }
    println!("cargo::rerun-if-changed=../ui/dist");
    tauri_build::build();
}
