//! The payment page's way back into the app, as the phones declare it: the Android manifest's
//! VIEW/BROWSABLE intent filter and the iOS web sheet's callback scheme.
//!
//! Invariant: the scheme and host the phones listen on are the core's `PHONE_RETURN_URL`, and
//! no shell source writes them itself; the iOS sheet takes its scheme from the core.

use std::{fs, path::Path};

use quick_xml::{Reader, events::Event};

/// The core's return address, split into its scheme and host.
fn core_scheme_and_host() -> (String, String) {
    let url = doorstep_mobile::phone_return_url();
    let (scheme, host) = url
        .split_once("://")
        .expect("the return address has a scheme");
    (scheme.to_owned(), host.to_owned())
}

/// What one `<intent-filter>` of the manifest says.
#[derive(Default)]
struct Filter {
    actions: Vec<String>,
    categories: Vec<String>,
    data: Vec<(Option<String>, Option<String>)>,
}

/// Every intent filter of an Android manifest, in the order written.
fn intent_filters(manifest: &str) -> Vec<Filter> {
    let mut reader = Reader::from_str(manifest);
    reader.config_mut().check_end_names = true;
    let (mut filters, mut open) = (Vec::new(), None::<Filter>);
    loop {
        match reader
            .read_event()
            .expect("the manifest is well-formed XML")
        {
            Event::Start(e) if e.name().as_ref() == b"intent-filter" => {
                open = Some(Filter::default());
            }
            Event::End(e) if e.name().as_ref() == b"intent-filter" => {
                filters.extend(open.take());
            }
            Event::Empty(e) | Event::Start(e) => {
                let Some(filter) = open.as_mut() else {
                    continue;
                };
                let attribute = |name: &str| {
                    e.try_get_attribute(name)
                        .expect("readable attributes")
                        .map(|a| a.unescape_value().expect("a readable value").into_owned())
                };
                match e.name().as_ref() {
                    b"action" => filter.actions.extend(attribute("android:name")),
                    b"category" => filter.categories.extend(attribute("android:name")),
                    b"data" => filter
                        .data
                        .push((attribute("android:scheme"), attribute("android:host"))),
                    _ => {}
                }
            }
            Event::Eof => return filters,
            _ => {}
        }
    }
}

fn repo_file(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()))
}

fn sources_under(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            sources_under(&path, found);
        } else if path.extension().is_some_and(|e| e == "swift" || e == "kt") {
            let text = fs::read_to_string(&path).expect("a readable source");
            found.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn android_opens_the_app_on_the_cores_return_address() {
    let filters = intent_filters(&repo_file("android/app/src/main/AndroidManifest.xml"));
    let returns: Vec<&Filter> = filters
        .iter()
        .filter(|f| {
            f.actions.iter().any(|a| a == "android.intent.action.VIEW")
                && f.categories
                    .iter()
                    .any(|c| c == "android.intent.category.BROWSABLE")
        })
        .collect();
    assert_eq!(
        returns.len(),
        1,
        "the manifest has one VIEW/BROWSABLE intent filter, the payment's return"
    );
    let (scheme, host) = core_scheme_and_host();
    assert_eq!(
        returns[0].data,
        vec![(Some(scheme), Some(host))],
        "the Android return filter's <data android:scheme android:host> is the core's \
         PHONE_RETURN_URL ({})",
        doorstep_mobile::phone_return_url()
    );
}

#[test]
fn ios_takes_its_callback_scheme_from_the_core() {
    let resident = repo_file("ios/Shared/Resident.swift");
    assert!(
        resident.contains("public static var paymentReturnScheme: String")
            && resident.contains("phoneReturnUrl()"),
        "ios/Shared/Resident.swift gives the callback scheme from the core's phoneReturnUrl()"
    );
    let mut sources = Vec::new();
    sources_under(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("ios"),
        &mut sources,
    );
    const CALLBACK: &str = "callbackURLScheme:";
    let mut sheets = 0;
    for (path, text) in &sources {
        for (at, _) in text.match_indices(CALLBACK) {
            sheets += 1;
            assert!(
                text[at + CALLBACK.len()..]
                    .trim_start()
                    .starts_with("Resident.paymentReturnScheme"),
                "{path}: the web sheet's callbackURLScheme is Resident.paymentReturnScheme"
            );
        }
    }
    assert!(
        sheets > 0,
        "the iOS app opens the payment page in a web sheet"
    );
}

#[test]
fn no_shell_source_writes_the_return_address_itself() {
    let (scheme, host) = core_scheme_and_host();
    let mut sources = Vec::new();
    let mobile = Path::new(env!("CARGO_MANIFEST_DIR"));
    sources_under(&mobile.join("ios"), &mut sources);
    sources_under(&mobile.join("android/app/src"), &mut sources);
    sources_under(&mobile.join("android/shared/src"), &mut sources);
    for (path, text) in &sources {
        for literal in [format!("\"{scheme}:"), format!("\"{host}")] {
            assert!(
                !text.contains(&literal),
                "{path} writes {literal}…: take the return address from the core \
                 (phoneReturnUrl, returnedPayment)"
            );
        }
    }
}
