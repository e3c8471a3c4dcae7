//! The desktop app's entry point: everything is in the library, so tests can build the same app.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    doorstep_desktop::run();
}
