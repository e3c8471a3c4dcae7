//! The OpenAPI document of the API, generated from the handlers and the protocol's types.
//!
//! Invariant: `protocol/openapi.json` is exactly `document()`; the test
//! `openapi_document_is_current` fails when a change to a handler or a type is not reflected
//! there (`cargo xtask openapi` rewrites it).

use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, ObjectBuilder, Ref, ResponseBuilder, Type,
        path::{Operation, Parameter, ParameterIn},
        security::{Http, HttpAuthScheme, SecurityScheme},
    },
};

use crate::routes::{
    batch, bins, bookings, catalogue, changes, devices, me, payments, reports, staff,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Doorstep council API", description = "What a resident's device and a council's back office say to a Doorstep council server. Every state-changing request carries an Idempotency-Key."),
    paths(
        catalogue::health, catalogue::council, catalogue::services, catalogue::service,
        devices::register, devices::send_code, devices::verify, devices::sign_out, devices::set_push_token, devices::stop_push, me::export, me::erase,
        reports::create, reports::list, reports::get, reports::add_update, reports::upload_photo,
        bookings::slots, bookings::create, bookings::list, bookings::get, bookings::cancel,
        payments::create, payments::list, payments::get,
        bins::addresses, bins::collections, bins::calendar_file,
        changes::feed, batch::run,
        staff::reports, staff::bookings, staff::set_status, staff::refund,
    ),
    components(schemas(doorstep_protocol::ChangedItem, doorstep_protocol::Answer)),
    modifiers(&BearerTokens, &IdempotencyKeys, &CommonAnswers),
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

/// Every operation of the document.
fn operations(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
    })
}

fn is_key(parameter: &Parameter) -> bool {
    parameter.name == doorstep_protocol::IDEMPOTENCY_KEY
        && parameter.parameter_in == ParameterIn::Header
}

/// Every `Idempotency-Key` header described as the server checks it (`idempotency::Key`):
/// visible ASCII, at most `KEY_MAX_LEN` long, with something other than the quotes that are
/// taken away from around a key.
struct IdempotencyKeys;

impl Modify for IdempotencyKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let key = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(crate::idempotency::KEY_MAX_LEN))
            .pattern(Some("^[!-~]*[!#-~][!-~]*$"))
            .build();
        for operation in operations(openapi) {
            let parameters = operation.parameters.iter_mut().flatten();
            for parameter in parameters.filter(|p| is_key(p)) {
                parameter.schema = Some(key.clone().into());
            }
        }
    }
}

/// The answers any operation may give whatever it does, written once here rather than on
/// every handler: 400 when what was sent cannot be read, 401 without a live token, and the
/// idempotency answers (409 while the same key is being answered, 422 for a key reused on a
/// different request).
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for operation in operations(openapi) {
            let mut common = Vec::new();
            if operation.request_body.is_some() || operation.parameters.is_some() {
                common.push((
                    "400",
                    "What was sent cannot be read: a missing or malformed header, query or body",
                ));
            }
            if operation.security.is_some() {
                common.push(("401", "No token, or one that has expired or been revoked"));
            }
            if operation.parameters.iter().flatten().any(is_key) {
                common.push(("409", "A request with this Idempotency-Key is still being answered: try again shortly"));
                common.push(("422", "This Idempotency-Key was used for a different request, or the request breaks a rule"));
            }
            for (status, description) in common {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(description).into());
            }
        }
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
