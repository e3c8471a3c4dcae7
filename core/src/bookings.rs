//! Bookings: live slots when online and last-known ones (marked stale) offline; a booking is
//! checked here, queued, and cancelled only before its cut-off; what fee is due on one and
//! whether it may be cancelled are decided here for every shell.
//!
//! Invariant: a booking the device can see is wrong (unknown service, wrong answers, a fee that
//! cannot be priced) is refused before anything is queued; whether the slot still has room is
//! the council's to say, and a refusal comes back with its alternatives.

use chrono::{DateTime, Utc};
use doorstep_protocol::{
    Answers, Booking, BookingStatus, Fallback, FieldProblem, Location, NewBooking, SlotList, rules,
};
use serde::Serialize;

use crate::{
    Doorstep,
    catalogue::{cached_council, cached_definition, catalogue_cached},
    error::{Error, Result},
    form,
    items::{self, MyBooking},
    outbox::{self, NewOperation, Operation, sync::now},
    store,
};

/// Slots as the device knows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SlotView {
    pub list: SlotList,
    /// True when these are last-known slots from an earlier visit (the device is offline).
    pub stale: bool,
    /// When they were fetched (unix seconds).
    pub fetched_at: i64,
}

impl Doorstep {
    /// What a booking with these answers would cost, in pence, by the council's fee rule:
    /// `None` when the service has no fee or the answers do not yet say enough to work it out.
    pub async fn booking_fee(&self, service_code: &str, answers: &Answers) -> Result<Option<u32>> {
        let service = self.service(service_code).await?;
        Ok(rules::fee_pence(service.fee.as_ref(), answers)
            .ok()
            .flatten())
    }

    /// The fee the resident is asked to pay for one of their bookings now, in pence ([`fee_due`]).
    pub async fn fee_due(&self, local_id: &str) -> Result<Option<u32>> {
        let current = self.booking(local_id).await?;
        let priced = match (&current.booking, &current.request) {
            (None, Some(asked)) => {
                self.booking_fee(&asked.service_code, &asked.answers)
                    .await?
            }
            _ => None,
        };
        Ok(fee_due(&current.delivery, current.booking.as_ref(), priced))
    }

    /// Whether one of the resident's bookings may be cancelled now ([`may_cancel`]).
    pub async fn may_cancel(&self, local_id: &str) -> Result<bool> {
        let current = self.booking(local_id).await?;
        Ok(may_cancel(
            &current.delivery,
            current.booking.as_ref(),
            Utc::now(),
        ))
    }

    /// "Check your answers" for a booking before it is made, every row in the core's words: the
    /// service's questions, where, the time at its site (from the slots last seen) and what to
    /// do if it is taken.
    pub async fn check_booking(
        &self,
        booking: &form::BookingToCheck,
    ) -> Result<Vec<form::CheckedAnswer>> {
        let answers = self
            .check_answers(&booking.service_code, &booking.answers)
            .await?;
        let name = format!("slots:{}", booking.service_code.trim());
        let seen = self
            .engine()
            .store
            .read(move |c| store::cached(c, &name))
            .await?;
        let slot_id = booking.slot_id.trim();
        let site = seen
            .and_then(|(body, _)| serde_json::from_str::<SlotList>(&body).ok())
            .and_then(|list| list.slots.into_iter().find(|slot| slot.id == slot_id))
            .map(|slot| slot.site_name);
        Ok(form::booking_check(booking, answers, site.as_deref()))
    }

    /// A service's slots: live when the council answers, else the last-known ones marked stale.
    pub async fn slots(&self, service_code: &str) -> Result<SlotView> {
        self.require(crate::Offer::Bookings)?;
        let name = format!("slots:{service_code}");
        if self.is_online() {
            let answer = self
                .engine()
                .council
                .get(&format!("/v1/services/{service_code}/slots"), None, None)
                .await;
            if answer.is_success() {
                let list: SlotList = serde_json::from_value(answer.body.clone())?;
                let (body, at) = (answer.body.to_string(), now());
                let cache_name = name.clone();
                self.engine()
                    .store
                    .write(move |tx| store::set_cached(tx, &cache_name, &body, at))
                    .await?;
                return Ok(SlotView {
                    list,
                    stale: false,
                    fetched_at: at,
                });
            }
            if answer.status != 0 && answer.status < 500 {
                return Err(answer.into_error());
            }
        }
        match self
            .engine()
            .store
            .read(move |c| store::cached(c, &name))
            .await?
        {
            Some((body, fetched_at)) => Ok(SlotView {
                list: serde_json::from_str(&body)?,
                stale: true,
                fetched_at,
            }),
            None => Err(Error::Offline(
                "no slots have been seen for this service yet: connect to see them".to_owned(),
            )),
        }
    }

    /// Check and queue a booking.
    pub async fn book(
        &self,
        service_code: &str,
        slot_id: &str,
        answers: Answers,
        location: Option<Location>,
        fallback: Fallback,
    ) -> Result<MyBooking> {
        self.require(crate::Offer::Bookings)?;
        let booking = NewBooking {
            service_code: service_code.trim().to_owned(),
            slot_id: slot_id.trim().to_owned(),
            answers,
            location,
            fallback,
        };
        let local_id = items::new_local_id();
        let id = local_id.clone();
        let at = now();
        self.queue(move |tx| {
            let problems = check(tx, &booking)?;
            if !problems.is_empty() {
                return Err(Error::Invalid { problems });
            }
            items::insert(tx, &id, "booking", &booking, at)?;
            let op = NewOperation {
                chain: id.clone(),
                item: id.clone(),
                operation: Operation::Book,
                method: "POST",
                path: "/v1/bookings".to_owned(),
                body: Some(serde_json::to_value(&booking)?),
                photo: None,
            };
            outbox::enqueue(tx, &op, at)?;
            Ok(())
        })
        .await?;
        self.booking(&local_id).await
    }

    /// Cancel a booking (queued after the booking itself), if its cut-off has not passed.
    pub async fn cancel_booking(&self, local_id: &str) -> Result<MyBooking> {
        self.require(crate::Offer::Bookings)?;
        let current = self.booking(local_id).await?;
        if let Some(booking) = &current.booking
            && !before_cut_off(booking, Utc::now())
        {
            return Err(Error::Refused {
                code: "too_late_to_cancel".into(),
                message: format!(
                    "It is too late to cancel online: the cut-off was {}",
                    booking.cancel_until.format("%H:%M on %A %-d %B")
                ),
                field: None,
                alternatives: Vec::new(),
            });
        }
        let id = local_id.to_owned();
        let at = now();
        self.queue(move |tx| {
            let op = NewOperation {
                chain: id.clone(),
                item: id.clone(),
                operation: Operation::CancelBooking,
                method: "POST",
                path: "/v1/bookings/{id}/cancel".to_owned(),
                body: None,
                photo: None,
            };
            outbox::enqueue(tx, &op, at)?;
            Ok(())
        })
        .await?;
        self.booking(local_id).await
    }

    /// The resident's bookings, newest first.
    pub async fn bookings(&self) -> Result<Vec<MyBooking>> {
        self.require(crate::Offer::Bookings)?;
        self.all().await
    }

    pub async fn booking(&self, local_id: &str) -> Result<MyBooking> {
        self.one(local_id).await
    }
}

/// The fee to pay on a booking now, in pence: the council's fee while the council waits for it
/// to be paid; before the council has the booking, the fee its answers come to (paid after the
/// booking, in the same queue); nothing when the council refused the booking or there is no fee.
pub fn fee_due(
    delivery: &items::Delivery,
    made: Option<&Booking>,
    priced: Option<u32>,
) -> Option<u32> {
    if matches!(delivery, items::Delivery::NeedsAttention { .. }) {
        return None;
    }
    match made {
        Some(made) if made.status == BookingStatus::AwaitingPayment => made.fee_pence,
        Some(_) => None,
        None => priced,
    }
    .filter(|pence| *pence > 0)
}

/// Whether a booking may be cancelled online at `now`: the council has it, it is not cancelled
/// already, the council did not refuse it, and its cut-off has not passed.
pub fn may_cancel(delivery: &items::Delivery, made: Option<&Booking>, now: DateTime<Utc>) -> bool {
    !matches!(delivery, items::Delivery::NeedsAttention { .. })
        && made.is_some_and(|made| {
            made.status != BookingStatus::Cancelled && before_cut_off(made, now)
        })
}

/// The council takes a cancellation until its cut-off, that moment included.
fn before_cut_off(made: &Booking, now: DateTime<Utc>) -> bool {
    now <= made.cancel_until
}

pub(crate) fn check(
    conn: &rusqlite::Connection,
    booking: &NewBooking,
) -> Result<Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if rules::parse_slot_id(&booking.slot_id).is_none() {
        problems.push(FieldProblem::new(
            "slot_id",
            "Choose a slot from the list (an id like site/2026-12-01T09:00)",
        ));
    }
    let Some(service) = cached_definition(conn, &booking.service_code)? else {
        if catalogue_cached(conn)? {
            problems.push(FieldProblem::new(
                "service_code",
                format!("There is no service '{}'", booking.service_code),
            ));
        }
        return Ok(problems);
    };
    let Some(booking_rules) = &service.booking else {
        problems.push(FieldProblem::new(
            "service_code",
            format!(
                "'{}' cannot be booked: choose a booking service",
                service.code
            ),
        ));
        return Ok(problems);
    };
    problems.extend(rules::validate_answers(
        &service.questions,
        &booking.answers,
    ));
    if let Err(problem) = rules::fee_pence(service.fee.as_ref(), &booking.answers)
        && !problems.iter().any(|p| p.field == problem.field)
    {
        problems.push(problem);
    }
    match (&booking.location, booking_rules.needs_location) {
        (Some(location), _) => {
            let boundary = cached_council(conn)?
                .map(|c| c.boundary.polygon)
                .unwrap_or_default();
            problems.extend(rules::validate_location(location, &boundary));
        }
        (None, true) => problems.push(FieldProblem::new(
            "location",
            "Give the address for the collection",
        )),
        (None, false) => {}
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{items::Delivery, outbox::Problem};

    fn made(status: BookingStatus, fee_pence: Option<u32>) -> Booking {
        let at = "2026-12-01T10:00:00+00:00".parse().unwrap();
        Booking {
            id: "b1".into(),
            reference: "DUR-BK-000001".into(),
            service_code: "bulky_waste".into(),
            service_name: "Bulky waste collection".into(),
            slot_id: "bulky_collections/2026-12-01T10:00".into(),
            site_name: "Bulky waste collection at your home".into(),
            start: at,
            end: at,
            requested_slot_id: None,
            answers: Answers::default(),
            location: None,
            status,
            fee_pence,
            cancel_until: "2026-11-30T14:00:00+00:00".parse().unwrap(),
            created_at: at.into(),
            updated_at: at.into(),
        }
    }

    fn refused() -> Delivery {
        Delivery::NeedsAttention {
            key: "k1".into(),
            problem: Problem {
                status: 409,
                code: "slot_unavailable".into(),
                message: "That slot is full".into(),
                field: Some("slot_id".into()),
                alternatives: Vec::new(),
            },
        }
    }

    #[test]
    fn the_fee_is_due_while_the_council_waits_for_it_or_before_it_has_the_booking() {
        let waiting = made(BookingStatus::AwaitingPayment, Some(2600));
        assert_eq!(fee_due(&Delivery::Sent, Some(&waiting), None), Some(2600));
        let confirmed = made(BookingStatus::Confirmed, Some(2600));
        assert_eq!(fee_due(&Delivery::Sent, Some(&confirmed), Some(2600)), None);
        assert_eq!(fee_due(&Delivery::Waiting, None, Some(3900)), Some(3900));
        assert_eq!(fee_due(&Delivery::Waiting, None, Some(0)), None);
        assert_eq!(fee_due(&Delivery::Waiting, None, None), None);
        assert_eq!(fee_due(&refused(), None, Some(2600)), None);
    }

    #[test]
    fn a_booking_may_be_cancelled_until_its_cut_off_and_only_once() {
        let confirmed = made(BookingStatus::Confirmed, None);
        let before = "2026-11-30T13:59:59Z".parse().unwrap();
        let at_the_cut_off = "2026-11-30T14:00:00Z".parse().unwrap();
        let after = "2026-11-30T14:00:01Z".parse().unwrap();
        assert!(may_cancel(&Delivery::Sent, Some(&confirmed), before));
        assert!(may_cancel(
            &Delivery::Sent,
            Some(&confirmed),
            at_the_cut_off
        ));
        assert!(!may_cancel(&Delivery::Sent, Some(&confirmed), after));
        let cancelled = made(BookingStatus::Cancelled, None);
        assert!(!may_cancel(&Delivery::Sent, Some(&cancelled), before));
        assert!(!may_cancel(&Delivery::Waiting, None, before));
        assert!(!may_cancel(&refused(), Some(&confirmed), before));
    }
}
