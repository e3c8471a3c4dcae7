//! The resident's things as the shells show them: what was asked, whether it has reached the
//! council, and the council's copy.
//!
//! Invariant: an item's delivery is derived from the outbox, never stored beside it — work that
//! needs attention means "needs your attention", waiting work means "waiting to send", none
//! means "sent". What an item is about (its service, description, place, time, amount) is the
//! council's copy's once the council has it, and what was asked until then.

use doorstep_protocol::{Booking, Location, NewBooking, NewPayment, NewReport, Payment, Report};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::{
    Doorstep,
    catalogue::cached_council,
    error::{Error, Result},
    outbox::Problem,
    shown::{self, Names, Shown},
};

/// Whether an item has reached the council.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Delivery {
    /// Saved on this device; it will be sent when the council can be reached.
    Waiting,
    /// The council refused something about it: fix it (the outbox key says which) or discard it.
    NeedsAttention { key: String, problem: Problem },
    /// The council has it.
    Sent,
}

/// A report: what the resident asked, and the council's copy once sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MyReport {
    pub local_id: String,
    pub delivery: Delivery,
    pub service_code: String,
    pub description: String,
    /// Where the problem is (`None` only for a row with neither copy).
    pub location: Option<Location>,
    pub request: Option<NewReport>,
    pub report: Option<Report>,
    /// What the screens show of it, in the resident's words.
    pub shown: Shown,
}

/// A booking: what the resident asked for, and the council's copy once made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MyBooking {
    pub local_id: String,
    pub delivery: Delivery,
    pub service_code: String,
    /// The time booked: the one the council gave, which may not be the one asked for.
    pub slot_id: String,
    /// The address of a collection, for the services that need one.
    pub location: Option<Location>,
    pub request: Option<NewBooking>,
    pub booking: Option<Booking>,
    /// What the screens show of it, in the resident's words.
    pub shown: Shown,
}

/// A payment: what the resident asked to pay, and the council's copy once it has it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MyPayment {
    pub local_id: String,
    pub delivery: Delivery,
    pub purpose: String,
    pub reference: String,
    pub amount_pence: u64,
    pub request: Option<NewPayment>,
    pub payment: Option<Payment>,
    /// What the screens show of it, in the resident's words.
    pub shown: Shown,
}

/// A kind of item as the shells see it, made from its row.
pub(crate) trait Item: Sized + Send + 'static {
    const KIND: &'static str;
    type Request: DeserializeOwned + Send + 'static;
    type Server: DeserializeOwned + Send + 'static;
    fn from_row(row: Row<Self::Request, Self::Server>) -> Self;
}

impl Item for MyReport {
    const KIND: &'static str = "report";
    type Request = NewReport;
    type Server = Report;
    fn from_row(row: Row<NewReport, Report>) -> Self {
        let shown = shown::report(
            row.request.as_ref(),
            row.server.as_ref(),
            &row.delivery,
            &row.names,
        );
        let (service_code, description, location) = row.either(
            |sent| {
                (
                    sent.service_code.clone(),
                    sent.description.clone(),
                    Some(sent.location.clone()),
                )
            },
            |asked| {
                (
                    asked.service_code.clone(),
                    asked.description.clone(),
                    Some(asked.location.clone()),
                )
            },
        );
        MyReport {
            local_id: row.local_id,
            delivery: row.delivery,
            service_code,
            description,
            location,
            request: row.request,
            report: row.server,
            shown,
        }
    }
}

impl Item for MyBooking {
    const KIND: &'static str = "booking";
    type Request = NewBooking;
    type Server = Booking;
    fn from_row(row: Row<NewBooking, Booking>) -> Self {
        let shown = shown::booking(
            row.request.as_ref(),
            row.server.as_ref(),
            &row.delivery,
            &row.names,
        );
        let (service_code, slot_id, location) = row.either(
            |made| {
                (
                    made.service_code.clone(),
                    made.slot_id.clone(),
                    made.location.clone(),
                )
            },
            |asked| {
                (
                    asked.service_code.clone(),
                    asked.slot_id.clone(),
                    asked.location.clone(),
                )
            },
        );
        MyBooking {
            local_id: row.local_id,
            delivery: row.delivery,
            service_code,
            slot_id,
            location,
            request: row.request,
            booking: row.server,
            shown,
        }
    }
}

impl Item for MyPayment {
    const KIND: &'static str = "payment";
    type Request = NewPayment;
    type Server = Payment;
    fn from_row(row: Row<NewPayment, Payment>) -> Self {
        let shown = shown::payment(
            row.request.as_ref(),
            row.server.as_ref(),
            &row.delivery,
            &row.names,
        );
        let (purpose, reference, amount_pence) = row.either(
            |made| {
                (
                    made.purpose.clone(),
                    made.reference.clone(),
                    made.amount_pence,
                )
            },
            |asked| {
                (
                    asked.purpose.clone(),
                    asked.reference.clone(),
                    asked.amount_pence,
                )
            },
        );
        MyPayment {
            local_id: row.local_id,
            delivery: row.delivery,
            purpose,
            reference,
            amount_pence,
            request: row.request,
            payment: row.server,
            shown,
        }
    }
}

impl Doorstep {
    /// Every item of a kind, newest first.
    pub(crate) async fn all<T: Item>(&self) -> Result<Vec<T>> {
        let rows = self
            .engine()
            .store
            .read(|c| list::<T::Request, T::Server>(c, T::KIND))
            .await?;
        Ok(rows.into_iter().map(T::from_row).collect())
    }

    /// One item of a kind.
    pub(crate) async fn one<T: Item>(&self, local_id: &str) -> Result<T> {
        let id = local_id.to_owned();
        Ok(T::from_row(
            self.engine()
                .store
                .read(move |c| get::<T::Request, T::Server>(c, &id, T::KIND))
                .await?,
        ))
    }
}

/// An item row: local id, what was asked, the council's copy, its delivery, and what the
/// catalogue and the council's profile call its service or purpose.
pub struct Row<Q, S> {
    pub local_id: String,
    pub request: Option<Q>,
    pub server: Option<S>,
    pub delivery: Delivery,
    pub names: Names,
}

impl<Q, S> Row<Q, S> {
    /// What the item is about, read from the council's copy when there is one and from what was
    /// asked until then: the council's copy wins (a booking may have moved to another time).
    fn either<T: Default>(
        &self,
        of_council: impl FnOnce(&S) -> T,
        of_asked: impl FnOnce(&Q) -> T,
    ) -> T {
        match (&self.server, &self.request) {
            (Some(council), _) => of_council(council),
            (None, Some(asked)) => of_asked(asked),
            (None, None) => T::default(),
        }
    }
}

/// What the screens show of one item of `kind`, if it is a kind the shells show.
pub fn shown_of(conn: &Connection, local_id: &str, kind: &str) -> Result<Option<Shown>> {
    Ok(match kind {
        MyReport::KIND => Some(MyReport::from_row(get(conn, local_id, kind)?).shown),
        MyBooking::KIND => Some(MyBooking::from_row(get(conn, local_id, kind)?).shown),
        MyPayment::KIND => Some(MyPayment::from_row(get(conn, local_id, kind)?).shown),
        _ => None,
    })
}

/// Every item of `kind`, newest first.
pub fn list<Q: DeserializeOwned, S: DeserializeOwned>(
    conn: &Connection,
    kind: &str,
) -> Result<Vec<Row<Q, S>>> {
    let mut statement = conn.prepare_cached(
        "SELECT local_id FROM items WHERE kind = ?1 ORDER BY created_at DESC, local_id DESC",
    )?;
    let ids: Vec<String> = statement
        .query_map(params![kind], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    ids.iter().map(|id| get(conn, id, kind)).collect()
}

/// One item of `kind`.
pub fn get<Q: DeserializeOwned, S: DeserializeOwned>(
    conn: &Connection,
    local_id: &str,
    kind: &str,
) -> Result<Row<Q, S>> {
    let (request, server): (String, Option<String>) = conn
        .query_row(
            "SELECT request, server FROM items WHERE local_id = ?1 AND kind = ?2",
            params![local_id, kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                Error::NotFound(format!("There is no {kind} {local_id} on this device"))
            }
            other => other.into(),
        })?;
    let asked: Value = serde_json::from_str(&request)?;
    Ok(Row {
        local_id: local_id.to_owned(),
        names: names(conn, &asked)?,
        request: serde_json::from_value(asked)?,
        server: server.map(|s| serde_json::from_str(&s)).transpose()?,
        delivery: delivery(conn, local_id)?,
    })
}

/// What the cached catalogue calls the service an item asked for, and what the council's
/// profile calls the purpose of a payment.
fn names(conn: &Connection, asked: &Value) -> Result<Names> {
    let (service, questions) = match asked["service_code"].as_str() {
        Some(code) => conn
            .prepare_cached(
                "SELECT json_extract(summary, '$.name'), json_extract(definition, '$.questions')
                 FROM services WHERE code = ?1",
            )?
            .query_row(params![code], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                ))
            })
            .optional()?
            .unwrap_or_default(),
        None => (None, None),
    };
    let questions = match questions {
        Some(questions) => serde_json::from_str(&questions)?,
        None => Vec::new(),
    };
    let purpose = match asked["purpose"].as_str() {
        Some(code) => cached_council(conn)?.and_then(|council| {
            council
                .payment_purposes
                .into_iter()
                .find(|p| p.code == code)
                .map(|p| p.name)
        }),
        None => None,
    };
    Ok(Names {
        service,
        purpose,
        questions,
    })
}

/// Derive an item's delivery from its outbox operations.
pub fn delivery(conn: &Connection, local_id: &str) -> Result<Delivery> {
    let mut statement =
        conn.prepare_cached("SELECT key, state, problem FROM outbox WHERE item = ?1 ORDER BY seq")?;
    let rows: Vec<(String, String, Option<String>)> = statement
        .query_map(params![local_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if let Some((key, _, problem)) = rows.iter().find(|(_, state, _)| state == "needs_attention") {
        let problem: Problem = serde_json::from_str(problem.as_deref().unwrap_or("{}"))?;
        return Ok(Delivery::NeedsAttention {
            key: key.clone(),
            problem,
        });
    }
    Ok(if rows.is_empty() {
        Delivery::Sent
    } else {
        Delivery::Waiting
    })
}

/// Insert a new item (inside the caller's transaction).
pub fn insert(
    conn: &Connection,
    local_id: &str,
    kind: &str,
    request: &impl Serialize,
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO items (local_id, kind, request, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![local_id, kind, serde_json::to_string(request)?, now])?;
    Ok(())
}

pub fn new_local_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn row(server: Option<Payment>) -> Row<NewPayment, Payment> {
        let asked = json!({
            "purpose": "council_tax", "reference": "1234 5678", "amount_pence": 1250,
            "return_url": "doorstep://payment-return"
        });
        Row {
            local_id: "local".into(),
            request: Some(serde_json::from_value(asked).unwrap()),
            server,
            delivery: Delivery::Sent,
            names: Names::default(),
        }
    }

    #[test]
    fn a_payment_is_what_was_asked_until_the_council_has_it_and_then_the_councils_copy() {
        let asked = MyPayment::from_row(row(None));
        assert_eq!(
            (
                asked.purpose.as_str(),
                asked.reference.as_str(),
                asked.amount_pence
            ),
            ("council_tax", "1234 5678", 1250)
        );

        let copy = json!({
            "id": "pay-1", "purpose": "council_tax", "reference": "12345678",
            "description": "Council tax", "amount_pence": 1250,
            "state": {"status": "success", "finished": true},
            "return_url": "doorstep://payment-return", "refunded_pence": 0,
            "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:05:00Z"
        });
        let made = MyPayment::from_row(row(Some(serde_json::from_value(copy).unwrap())));
        assert_eq!(
            made.reference, "12345678",
            "the council's copy wins: {made:?}"
        );
    }

    #[test]
    fn an_item_with_neither_copy_is_about_nothing_rather_than_a_panic() {
        let mut empty = row(None);
        empty.request = None;
        let nothing = MyPayment::from_row(empty);
        assert_eq!((nothing.purpose.as_str(), nothing.amount_pence), ("", 0));
    }
}
