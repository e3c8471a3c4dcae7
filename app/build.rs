//! Build the Tauri context. The page is `ui/dist`, built by `npm run build` in `ui/`
//! (`cargo xtask run` and `cargo xtask test` do it first).

fn main() {
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/index.html");
    if !page.exists() {
        println!(
            "cargo::error=the desktop page is not built: run `npm ci && npm run build` in ui/ \
             (or `cargo xtask run`, which does it)"
        );
    }
    println!("cargo::rerun-if-changed=../ui/dist");
    tauri_build::build();
}
