//! Open311 GeoReport v2 as a council back end: what a council that speaks only Open311 offers a
//! resident (reports: the catalogue, questions, sending, status and updates), read tolerantly.
//!
//! Invariant: `read` turns whatever a server sends into values or a clear `Unreadable`, and
//! `convert` turns those values into Doorstep's own types with pure functions. This module
//! fetches (JSON first, XML when the server has no JSON) and the catalogue is written only once
//! all of it has been read, so a bad answer half-way leaves the cached catalogue as it was.

pub mod convert;
pub mod read;

use std::sync::atomic::Ordering;

use doorstep_protocol::{ServiceDefinition, ServiceGroup, ServiceList};
use serde_json::Value;

use crate::{
    Backend,
    client::Raw,
    error::{Error, Result},
    outbox::sync::Engine,
};

/// The most services read from one list.
const MAX_SERVICES: usize = 2000;

/// How a fetch from an Open311 server went.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// A readable document.
    Document(Value),
    /// No answer came (no network, a timeout) or the server failed (5xx, 408, 429): try later.
    NoAnswer(String),
    /// The server refused, with its status and its words.
    Refused(u16, String),
    /// An answer came that cannot be read: what is wrong with it.
    Unreadable(String),
}

impl Fetched {
    pub(crate) fn of(raw: Raw) -> Fetched {
        if let Some(why) = raw.failure {
            return if raw.status == 0 {
                Fetched::NoAnswer(why)
            } else {
                Fetched::Unreadable(why)
            };
        }
        let document = read::document(raw.content_type.as_deref(), &raw.body);
        if raw.is_success() {
            return match document {
                Ok(value) => Fetched::Document(value),
                Err(why) => Fetched::Unreadable(why.0),
            };
        }
        let words = document
            .ok()
            .and_then(|d| read::error_description(&d))
            .unwrap_or_else(|| format!("the council's system answered {}", raw.status));
        match raw.status {
            408 | 429 | 500..=599 => Fetched::NoAnswer(words),
            status => Fetched::Refused(status, words),
        }
    }

    /// The document, or the core's error for a shell.
    pub fn document(self) -> Result<Value> {
        match self {
            Fetched::Document(value) => Ok(value),
            Fetched::NoAnswer(why) => Err(Error::Offline(why)),
            Fetched::Refused(404, why) => Err(Error::NotFound(why)),
            Fetched::Refused(status, why) => Err(Error::Refused {
                code: if status == 403 {
                    "forbidden"
                } else {
                    "refused"
                }
                .to_owned(),
                message: format!("The council's Open311 system refused: {why}"),
                field: None,
                alternatives: Vec::new(),
            }),
            Fetched::Unreadable(why) => Err(unreadable(&why)),
        }
    }
}

/// The error for an answer that cannot be read.
fn unreadable(why: &str) -> Error {
    Error::Refused {
        code: "unreadable_answer".to_owned(),
        message: format!("The council's Open311 system sent an answer this app cannot read: {why}"),
        field: None,
        alternatives: Vec::new(),
    }
}

impl Engine {
    /// The api_key and jurisdiction this council was set up with.
    pub(crate) fn open311_settings(&self) -> (Option<&str>, Option<&str>) {
        match &self.backend {
            Backend::Open311 {
                api_key,
                jurisdiction,
            } => (api_key.as_deref(), jurisdiction.as_deref()),
            Backend::Doorstep => (None, None),
        }
    }

    /// The extension of the format this server is spoken to in.
    pub(crate) fn open311_format(&self) -> &'static str {
        if self.open311_xml.load(Ordering::SeqCst) {
            "xml"
        } else {
            "json"
        }
    }

    /// GET `{path}.{format}` with `query` (and the jurisdiction). A server that has no JSON
    /// (it need not) is asked in XML, and spoken to in XML from then on.
    pub(crate) async fn open311_get(&self, path: &str, query: &[(&str, String)]) -> Fetched {
        let mut pairs: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        if let (_, Some(jurisdiction)) = self.open311_settings() {
            pairs.push(("jurisdiction_id".to_owned(), jurisdiction.to_owned()));
        }
        let format = self.open311_format();
        let raw = self
            .council
            .get_raw(&format!("/{path}.{format}"), &pairs)
            .await;
        if format == "json" && matches!(raw.status, 400 | 404 | 406 | 415 | 501) {
            let xml = self.council.get_raw(&format!("/{path}.xml"), &pairs).await;
            if xml.is_success() {
                self.open311_xml.store(true, Ordering::SeqCst);
                return Fetched::of(xml);
            }
        }
        Fetched::of(raw)
    }

    /// The council's services and each one's questions, read whole before anything is kept.
    pub(crate) async fn open311_catalogue(&self) -> Result<(ServiceList, Vec<ServiceDefinition>)> {
        let document = self.open311_get("services", &[]).await.document()?;
        let rows = read::items(&document, &["services", "service"]);
        let mut services = Vec::new();
        for row in rows.iter().take(MAX_SERVICES) {
            if let Some(summary) = convert::service(row)
                && !services
                    .iter()
                    .any(|(s, _): &(doorstep_protocol::ServiceSummary, bool)| {
                        s.code == summary.code
                    })
            {
                services.push((summary, convert::has_definition(row)));
            }
        }
        if services.is_empty() && !rows.is_empty() {
            return Err(unreadable("its list of services names no service_code"));
        }
        let mut definitions = Vec::with_capacity(services.len());
        for (summary, has_definition) in &services {
            let definition = if *has_definition {
                Some(self.open311_definition_document(&summary.code).await?)
            } else {
                None
            };
            definitions.push(convert::definition(summary, definition.as_ref()));
        }
        let mut groups: Vec<ServiceGroup> = Vec::new();
        for (summary, _) in &services {
            if !groups.iter().any(|g| g.code == summary.group) {
                groups.push(ServiceGroup {
                    code: summary.group.clone(),
                    name: summary.group.clone(),
                });
            }
        }
        Ok((
            ServiceList {
                groups,
                services: services.into_iter().map(|(s, _)| s).collect(),
            },
            definitions,
        ))
    }

    async fn open311_definition_document(&self, code: &str) -> Result<Value> {
        self.open311_get(&format!("services/{}", path_segment(code)), &[])
            .await
            .document()
    }

    /// One service's definition, asked of the council (when it is not cached).
    pub(crate) async fn open311_definition(&self, code: &str) -> Result<ServiceDefinition> {
        let (list, definitions) = self.open311_catalogue().await?;
        list.services
            .iter()
            .position(|s| s.code == code)
            .map(|i| definitions[i].clone())
            .ok_or_else(|| {
                Error::invalid(
                    "service_code",
                    format!("There is no service '{code}': choose one from the list of services"),
                )
            })
    }
}

/// A code or id as one segment of a path.
pub(crate) fn path_segment(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
