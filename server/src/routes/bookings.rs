//! Slots and bookings.
//!
//! Invariant: a slot never holds more bookings than its capacity — a place is taken by one
//! conditional update of the slot's count (`take_place`), never by counting and then inserting,
//! so that servers booking at once cannot overfill it, and given back exactly once, by the
//! change that cancels the booking — and a booking is cancelled only before its cut-off and
//! never while a payment of its fee is unfinished. A booking waiting for its fee holds its
//! place for `HOLD_MINUTES`; expired holds are released before places are counted.

use std::collections::HashMap;

use crate::sql::{Sql, params};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use chrono::{DateTime, NaiveDate, Utc};
use doorstep_protocol::{
    Booking, BookingList, BookingRules, BookingStatus, ErrorBody, FieldProblem, NewBooking,
    ServiceDefinition, Slot, SlotList,
    rules::{self, LocalSlot, calendar::localise},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::Resident,
    error::{ApiError, ApiResult},
    extract::{Json, Query},
    idempotency::{self, Key, fingerprint},
    profile::Profile,
    push, rate,
    routes::reports::{resolve_location, unknown_service},
    store::{self, Owned},
};

/// How many alternatives a full slot's refusal offers.
const ALTERNATIVES: usize = 3;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// First local date to list (default: today).
    from: Option<NaiveDate>,
    /// Last local date to list (default: as far ahead as the service books).
    to: Option<NaiveDate>,
    /// Only this site.
    site: Option<String>,
}

/// The slots of a bookable service, with the places left in each (full ones included).
#[utoipa::path(get, path = "/v1/services/{code}/slots", tag = "bookings",
    params(("code" = String, Path), SlotQuery),
    responses((status = 200, body = SlotList), (status = 404, body = ErrorBody)))]
pub async fn slots(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<SlotQuery>,
) -> ApiResult<axum::Json<SlotList>> {
    if bookable(&app.profile, &code).is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_service",
            format!("There is no bookable service '{code}'"),
        ));
    }
    let (now, local_now) = (app.now(), app.local_now());
    let state = app.clone();
    let service_code = code.clone();
    // A write, not a read: places held past `HOLD_MINUTES` for an unpaid fee go back first.
    let slots = app
        .db
        .write(move |tx| {
            release_expired_holds(tx, now)?;
            let (_, booking_rules) = bookable(&state.profile, &code)
                .ok_or_else(|| ApiError::internal("service vanished"))?;
            let taken = taken_by_slot(tx, &code)?;
            Ok(rules::offered_slots(booking_rules, local_now)
                .iter()
                .filter(|s| query.from.is_none_or(|from| s.start.date() >= from))
                .filter(|s| query.to.is_none_or(|to| s.start.date() <= to))
                .filter(|s| query.site.as_ref().is_none_or(|site| &s.site == site))
                .map(|s| to_slot(&state.profile, booking_rules, s, &taken))
                .collect())
        })
        .await?;
    Ok(axum::Json(SlotList {
        service_code,
        slots,
    }))
}

/// Book a slot; with a fee the booking waits for its payment.
#[utoipa::path(post, path = "/v1/bookings", tag = "bookings", request_body = NewBooking,
    params(("Idempotency-Key" = String, Header, description = "A key made once for this booking")),
    security(("bearer" = [])),
    responses((status = 201, body = Booking), (status = 409, body = ErrorBody, description = "slot_unavailable, with alternatives"),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Json(body): Json<NewBooking>,
) -> ApiResult<Response> {
    let now = app.now();
    let local_now = app.local_now();
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("POST", "/v1/bookings", &body)?,
        key,
    };
    let state = app.clone();
    let bookings_per_hour = app.limits.bookings_per_hour;
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        let profile = &state.profile;
        let service = profile
            .service(&body.service_code)
            .ok_or_else(|| unknown_service(&body.service_code))?;
        let Some((_, booking_rules)) = bookable(profile, &service.code) else {
            return Err(ApiError::validation(vec![FieldProblem::new(
                "service_code",
                format!(
                    "'{}' cannot be booked: choose a booking service",
                    service.code
                ),
            )]));
        };
        let mut problems = Vec::new();
        let requested = rules::parse_slot_id(&body.slot_id)
            .and_then(|(site, start)| rules::slot_at(booking_rules, &site, start));
        if requested.is_none() {
            problems.push(FieldProblem::new(
                "slot_id",
                "That is not one of this service's slots: choose a slot from the list",
            ));
        }
        problems.extend(rules::validate_answers(&service.questions, &body.answers));
        let location = match (&body.location, booking_rules.needs_location) {
            (Some(location), _) => {
                let mut found =
                    rules::validate_location(location, &profile.council.boundary.polygon);
                let resolved = resolve_location(profile, location, "location", &mut found);
                problems.extend(found);
                Some(resolved)
            }
            (None, true) => {
                problems.push(FieldProblem::new(
                    "location",
                    "Give the address for the collection",
                ));
                None
            }
            (None, false) => None,
        };
        let fee = match rules::fee_pence(service.fee.as_ref(), &body.answers) {
            Ok(fee) => fee.filter(|pence| *pence > 0),
            Err(problem) => {
                if !problems.iter().any(|p| p.field == problem.field) {
                    problems.push(problem);
                }
                None
            }
        };
        let Some(requested) = requested.filter(|_| problems.is_empty()) else {
            return Err(ApiError::validation(problems));
        };
        release_expired_holds(conn, now)?;
        rate::take(
            conn,
            &format!("booking:{}", caller.device_id),
            bookings_per_hour,
            3600,
            now,
            "bookings from this device",
        )?;
        let taken = taken_by_slot(conn, &service.code)?;
        let mut with_room: Vec<LocalSlot> = rules::offered_slots(booking_rules, local_now)
            .into_iter()
            .filter(|s| remaining(booking_rules, s, &taken) > 0)
            .collect();
        let chosen = loop {
            let chosen = if with_room.contains(&requested) {
                requested.clone()
            } else if let Some(fallback) =
                rules::pick_fallback(&requested, &with_room, body.fallback)
            {
                fallback.clone()
            } else {
                let alternatives =
                    rules::nearest_alternatives(&requested, &with_room, ALTERNATIVES)
                        .iter()
                        .map(|s| to_slot(profile, booking_rules, s, &taken))
                        .collect();
                return Err(ApiError::conflict(
                    "slot_unavailable",
                    "That slot is full or can no longer be booked: choose another",
                )
                .with_field("slot_id")
                .with_alternatives(alternatives));
            };
            if take_place(conn, &service.code, &chosen.id(), booking_rules.capacity)? {
                break chosen;
            }
            // Filled since it was counted, by a booking another server made: full now.
            with_room.retain(|s| s != &chosen);
        };
        let slot = to_slot(profile, booking_rules, &chosen, &taken);
        let number = store::next_number(conn, "booking")?;
        let booking = Booking {
            id: store::new_id(),
            reference: format!("{}-BK-{number:06}", profile.council.reference_prefix),
            service_code: service.code.clone(),
            service_name: service.name.clone(),
            slot_id: slot.id.clone(),
            site_name: slot.site_name,
            start: slot.start,
            end: slot.end,
            requested_slot_id: (chosen != requested).then(|| body.slot_id.clone()),
            answers: body.answers,
            location,
            status: if fee.is_some() {
                BookingStatus::AwaitingPayment
            } else {
                BookingStatus::Confirmed
            },
            fee_pence: fee,
            cancel_until: localise(
                profile.timezone,
                rules::cutoff_for(&booking_rules.cancel_cutoff, chosen.start),
            ),
            created_at: now,
            updated_at: now,
        };
        let owned = Owned {
            item: booking,
            device_id: caller.device_id.clone(),
            account_id: caller.account_id.clone(),
        };
        save_booking(conn, &owned, now)?;
        Ok((StatusCode::CREATED, serde_json::to_value(&owned.item)?))
    })
    .await)
}

/// The caller's bookings, newest first.
#[utoipa::path(get, path = "/v1/bookings", tag = "bookings", security(("bearer" = [])), responses((status = 200, body = BookingList)))]
pub async fn list(
    State(app): State<AppState>,
    caller: Resident,
) -> ApiResult<axum::Json<BookingList>> {
    let bookings = app
        .db
        .read(move |conn| store::list_for::<Booking>(conn, &caller))
        .await?;
    Ok(axum::Json(BookingList { bookings }))
}

/// One of the caller's bookings.
#[utoipa::path(get, path = "/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Booking), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    caller: Resident,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Booking>> {
    let owned = app
        .db
        .read(move |conn| store::view_for::<Booking>(conn, &caller, &id, "booking"))
        .await?;
    Ok(axum::Json(owned.item))
}

/// Cancel a booking before its cut-off; its place goes back to the slot.
#[utoipa::path(post, path = "/v1/bookings/{id}/cancel", tag = "bookings",
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "A key made once for this cancellation")),
    security(("bearer" = [])),
    responses((status = 200, body = Booking), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "too_late_to_cancel, or payment_in_progress while a payment of its fee is unfinished")))]
pub async fn cancel(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let now = app.now();
    let path = format!("/v1/bookings/{id}/cancel");
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("POST", &path, &())?,
        key,
    };
    let phone = app.profile.council.contact.phone.clone();
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        let mut owned = store::load_for::<Booking>(conn, &caller, &id, "booking")?;
        if owned.item.status != BookingStatus::Cancelled {
            if fee_payments(conn, &owned.item.reference, now)?.unfinished {
                return Err(ApiError::conflict(
                    "payment_in_progress",
                    "A payment for this booking is open: finish it or wait for it to expire, then cancel",
                ));
            }
            if now > owned.item.cancel_until {
                return Err(ApiError::conflict(
                    "too_late_to_cancel",
                    format!("It is too late to cancel this booking online: call {phone}"),
                ));
            }
            cancel_booking(conn, &mut owned, now)?;
        }
        Ok((StatusCode::OK, serde_json::to_value(&owned.item)?))
    })
    .await)
}

/// How long a booking waits for its fee before its place goes back to the slot.
pub const HOLD_MINUTES: i64 = 90;

/// What has become of the fee payments for the booking `reference`.
pub struct FeePayments {
    /// One is unfinished and not yet expired: its payer may be on the card page right now.
    pub unfinished: bool,
    /// One succeeded.
    pub paid: bool,
}

/// Look at the fee payments for the booking `reference`.
pub fn fee_payments(conn: &dyn Sql, reference: &str, now: DateTime<Utc>) -> ApiResult<FeePayments> {
    let started_since =
        (now - chrono::Duration::minutes(crate::provider::EXPIRY_MINUTES)).to_rfc3339();
    Ok(conn.query_row(
        "SELECT
           EXISTS (SELECT 1 FROM payments WHERE purpose = 'booking_fee' AND reference = ?1
                   AND status IN ('created', 'started', 'submitted', 'capturable') AND created_at > ?2),
           EXISTS (SELECT 1 FROM payments WHERE purpose = 'booking_fee' AND reference = ?1
                   AND status = 'success')",
        params![reference, started_since],
        |r| {
            Ok(FeePayments {
                unfinished: r.get(0)?,
                paid: r.get(1)?,
            })
        },
    )?)
}

/// Bookings whose fee was not paid within `HOLD_MINUTES` (and has no payment unfinished) are
/// cancelled, so their places go back to their slots; each resident hears of it in their feed.
pub fn release_expired_holds(conn: &dyn Sql, now: DateTime<Utc>) -> ApiResult<()> {
    let held_since = (now - chrono::Duration::minutes(HOLD_MINUTES)).to_rfc3339();
    let expired: Vec<String> = {
        conn.query_map(
            "SELECT id FROM bookings WHERE status = 'awaiting_payment' AND created_at <= ?1",
            params![held_since],
            |r| r.get(0),
        )?
    };
    for id in expired {
        let Some(mut owned) = store::load::<Booking>(conn, &id)? else {
            continue;
        };
        // Paid or cancelled since it was listed, by a request on another connection.
        if owned.item.status != BookingStatus::AwaitingPayment
            || fee_payments(conn, &owned.item.reference, now)?.unfinished
        {
            continue;
        }
        cancel_booking(conn, &mut owned, now)?;
        push::something_changed(conn, &owned.device_id, owned.account_id.as_deref(), now)?;
    }
    Ok(())
}

/// The service and its booking rules, if it is bookable.
pub fn bookable<'a>(
    profile: &'a Profile,
    code: &str,
) -> Option<(&'a ServiceDefinition, &'a BookingRules)> {
    let service = profile.service(code)?;
    Some((service, service.booking.as_ref()?))
}

/// Places taken in each slot of a service (cancelled bookings free theirs).
fn taken_by_slot(conn: &dyn Sql, service_code: &str) -> ApiResult<HashMap<String, u32>> {
    let rows = conn.query_map(
        "SELECT slot_id, taken FROM slot_places WHERE service_code = ?1",
        params![service_code],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows.into_iter().collect())
}

/// Take a place in a slot of `capacity`, if one is left: `false` when it is full. One statement,
/// so that two servers taking the last place at once cannot both have it — the second waits
/// for the first's transaction and then finds the slot full.
fn take_place(conn: &dyn Sql, service_code: &str, slot_id: &str, capacity: u32) -> ApiResult<bool> {
    if capacity == 0 {
        return Ok(false);
    }
    let taken = conn.execute(
        "INSERT INTO slot_places (service_code, slot_id, taken) VALUES (?1, ?2, 1)
         ON CONFLICT (service_code, slot_id) DO UPDATE SET taken = slot_places.taken + 1
         WHERE slot_places.taken < ?3",
        params![service_code, slot_id, capacity],
    )?;
    Ok(taken == 1)
}

/// Cancel a booking loaded to change (`store::load`) that is not cancelled yet, giving its
/// place back to its slot: only this change does, and the booking's row is this transaction's
/// while it runs, so a place is given back once.
fn cancel_booking(conn: &dyn Sql, owned: &mut Owned<Booking>, now: DateTime<Utc>) -> ApiResult<()> {
    // The slot's row before the feed's lock (which `save_booking` takes), the order a new
    // booking takes them in, so that the two never wait on each other.
    conn.execute(
        "UPDATE slot_places SET taken = taken - 1
         WHERE service_code = ?1 AND slot_id = ?2 AND taken > 0",
        params![owned.item.service_code, owned.item.slot_id],
    )?;
    owned.item.status = BookingStatus::Cancelled;
    owned.item.updated_at = now;
    save_booking(conn, owned, now)?;
    Ok(())
}

fn remaining(booking_rules: &BookingRules, slot: &LocalSlot, taken: &HashMap<String, u32>) -> u32 {
    booking_rules
        .capacity
        .saturating_sub(taken.get(&slot.id()).copied().unwrap_or(0))
}

fn to_slot(
    profile: &Profile,
    booking_rules: &BookingRules,
    slot: &LocalSlot,
    taken: &HashMap<String, u32>,
) -> Slot {
    let site_name = booking_rules
        .sites
        .iter()
        .find(|s| s.code == slot.site)
        .map_or_else(|| slot.site.clone(), |s| s.name.clone());
    Slot {
        id: slot.id(),
        site: slot.site.clone(),
        site_name,
        start: localise(profile.timezone, slot.start),
        end: localise(profile.timezone, slot.end),
        remaining: remaining(booking_rules, slot, taken),
    }
}

/// Write a booking (new or changed) with its indexed columns.
pub fn save_booking(conn: &dyn Sql, owned: &Owned<Booking>, now: DateTime<Utc>) -> ApiResult<()> {
    let booking = &owned.item;
    store::save(
        conn,
        owned,
        &[
            ("reference", &booking.reference),
            ("service_code", &booking.service_code),
            ("slot_id", &booking.slot_id),
            ("status", &booking.status.as_str()),
        ],
        now,
    )?;
    Ok(())
}
