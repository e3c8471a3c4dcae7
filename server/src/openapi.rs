//! The OpenAPI document of the API, generated from the handlers and the protocol's types.
//!
//! Invariant: `protocol/openapi.json` is exactly `document()`; the test
//! `openapi_document_is_current` fails when a change to a handler or a type is not reflected
//! there (`cargo xtask openapi` rewrites it).

use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

use crate::routes::{
    batch, bins, bookings, catalogue, changes, devices, me, payments, reports, staff,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Doorstep council API", description = "What a resident's device and a council's back office say to a Doorstep council server. Every state-changing request carries an Idempotency-Key."),
    paths(
        catalogue::health, catalogue::council, catalogue::services, catalogue::service,
        devices::register, devices::send_code, devices::verify, devices::sign_out, me::export, me::erase,
        reports::create, reports::list, reports::get, reports::add_update, reports::upload_photo,
        bookings::slots, bookings::create, bookings::list, bookings::get, bookings::cancel,
        payments::create, payments::list, payments::get,
        bins::addresses, bins::collections, bins::calendar_file,
        changes::feed, batch::run,
        staff::reports, staff::bookings, staff::set_status, staff::refund,
    ),
    components(schemas(doorstep_protocol::ChangedItem, doorstep_protocol::Answer)),
    modifiers(&BearerTokens),
)]
struct ApiDoc;

struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "staff",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document, as pretty JSON with a final newline.
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut json = doc.to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_document_is_current() {
        let path = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../protocol/openapi.json");
        let current = document();
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == current,
            "protocol/openapi.json is stale: run `cargo xtask openapi` and commit the result"
        );
    }
}
