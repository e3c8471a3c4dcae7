//! The desktop app end to end: the real app in a real window under Xvfb, driven by WebDriver,
//! against a real council server process; axe-core on every screen, a screenshot of each
//! written to the target directory (`desktop-screens/`).

use std::path::PathBuf;

use doorstep_e2e::{Council, desktop::Desktop};

fn screens() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("desktop-screens")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_opens_on_its_first_screen() {
    let council = Council::start();
    let desktop = Desktop::start(&council.url(), &screens()).await;
    assert!(!desktop.text("#page-title").await.is_empty());
    desktop.check_screen("home").await;
}
