//! Reports: checked on the device, queued with their photos, followed through the council's
//! timeline.
//!
//! Invariant: a report that the council's rules would refuse is refused here, before anything
//! is queued; an accepted one is written with its photos and its operations in one transaction.

use doorstep_protocol::{
    Answers, ContactDetails, FieldProblem, Location, NewReport, NewReportUpdate, rules,
};
use serde::{Deserialize, Serialize};

use crate::{
    Doorstep,
    catalogue::{cached_council, cached_definition, catalogue_cached},
    error::{Error, Result},
    items::{self, MyReport},
    outbox::{self, NewOperation, Operation, sync::now},
    photos,
};

/// What the resident fills in to report a problem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub service_code: String,
    pub description: String,
    pub location: Location,
    pub answers: Answers,
    /// Photos as chosen (any size, any metadata): they are resized and stripped here.
    #[serde(skip)]
    pub photos: Vec<Vec<u8>>,
    pub contact: Option<ContactDetails>,
}

impl Doorstep {
    /// Check a report with the council's rules and queue it; it is sent at once when possible.
    pub async fn submit_report(&self, input: ReportInput) -> Result<MyReport> {
        if !input.photos.is_empty() {
            self.require(crate::Offer::Photos)?;
        }
        let mut problems = Vec::new();
        let mut prepared = Vec::new();
        for (i, original) in input.photos.iter().enumerate() {
            match photos::prepare(original) {
                Ok(photo) => prepared.push(photo),
                Err(message) => problems.push(FieldProblem::new(format!("photos.{i}"), message)),
            }
        }
        let report = NewReport {
            service_code: input.service_code.trim().to_owned(),
            description: input.description.trim().to_owned(),
            location: input.location,
            answers: input.answers,
            attachments: prepared.iter().map(|p| p.sha256.clone()).collect(),
            contact: input.contact,
            media_url: None,
        };
        let id = items::new_local_id();
        let at = now();
        self.queue(move |tx| {
                problems.extend(check(tx, &report)?);
                if !problems.is_empty() {
                    return Err(Error::Invalid { problems });
                }
                items::insert(tx, &id, "report", &report, at)?;
                for photo in &prepared {
                    tx.execute(
                        "INSERT INTO photos (sha256, content_type, bytes) VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING",
                        rusqlite::params![photo.sha256, photo.content_type, photo.bytes],
                    )?;
                    let upload = NewOperation {
                        chain: id.clone(),
                        item: id.clone(),
                        operation: Operation::UploadPhoto,
                        method: "PUT",
                        path: format!("/v1/attachments/{}", photo.sha256),
                        body: None,
                        photo: Some(photo.sha256.clone()),
                    };
                    outbox::enqueue(tx, &upload, at)?;
                }
                let send = NewOperation {
                    chain: id.clone(),
                    item: id.clone(),
                    operation: Operation::SendReport,
                    method: "POST",
                    path: "/v1/reports".to_owned(),
                    body: Some(serde_json::to_value(&report)?),
                    photo: None,
                };
                outbox::enqueue(tx, &send, at)?;
                Ok(<MyReport as items::Item>::from_row(items::get(tx, &id, "report")?))
            })
            .await
    }

    /// The resident's reports, newest first.
    pub async fn reports(&self) -> Result<Vec<MyReport>> {
        self.all().await
    }

    pub async fn report(&self, local_id: &str) -> Result<MyReport> {
        self.one(local_id).await
    }

    /// Add a note to a report, or say it is still not fixed; queued like everything else.
    pub async fn add_update(&self, local_id: &str, text: &str, reopen: bool) -> Result<MyReport> {
        self.require(crate::Offer::ReportUpdates)?;
        let text = rules::validate_update_text(text)
            .map_err(|message| Error::invalid("text", message))?
            .to_owned();
        self.report(local_id).await?;
        let id = local_id.to_owned();
        let at = now();
        self.queue(move |tx| {
            let op = NewOperation {
                chain: id.clone(),
                item: id.clone(),
                operation: Operation::AddUpdate,
                method: "POST",
                path: "/v1/reports/{id}/updates".to_owned(),
                body: Some(serde_json::to_value(NewReportUpdate { text, reopen })?),
                photo: None,
            };
            outbox::enqueue(tx, &op, at)?;
            Ok(())
        })
        .await?;
        self.report(local_id).await
    }
}

/// The council's rules, as far as this device knows them: the service's questions and the
/// council's boundary when the catalogue is cached; the shape of the report in any case.
pub(crate) fn check(conn: &rusqlite::Connection, report: &NewReport) -> Result<Vec<FieldProblem>> {
    let boundary = cached_council(conn)?.map(|c| c.boundary.polygon);
    match cached_definition(conn, &report.service_code)? {
        Some(service) => {
            let problems =
                rules::validate_report(&service, report, boundary.as_deref().unwrap_or_default());
            // A council that gives no boundary (an Open311 one) judges the place itself.
            Ok(match boundary {
                Some(_) => problems,
                None => problems
                    .into_iter()
                    .filter(|p| !p.message.contains("outside"))
                    .collect(),
            })
        }
        None if catalogue_cached(conn)? => Ok(vec![FieldProblem::new(
            "service_code",
            format!(
                "There is no service '{}': choose one from the list of services",
                report.service_code
            ),
        )]),
        None => {
            // Never synced: check what needs no catalogue; the council checks the rest.
            let mut problems = match &boundary {
                Some(boundary) => rules::validate_location(&report.location, boundary),
                None => rules::validate_location(&report.location, &[])
                    .into_iter()
                    .filter(|p| !p.message.contains("outside"))
                    .collect(),
            };
            if report.service_code.is_empty() {
                problems.push(FieldProblem::new("service_code", "Choose a service"));
            }
            Ok(problems)
        }
    }
}
