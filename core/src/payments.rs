//! Payments: one payment per intent, whatever happens; the provider's page is the shell's to
//! open, and the state is asked of the council after the resident returns or on the next start.
//!
//! Invariant: starting a payment is an outbox operation like any other, so a lost answer or a
//! restart replays the same key and can never start a second payment for the same intent.

use doorstep_protocol::{ChangedItem, FieldProblem, NewPayment, Payment, rules};

use crate::{
    Doorstep,
    catalogue::cached_council,
    error::{Error, Result},
    items::{self, MyPayment},
    outbox::{self, NewOperation, Operation, sync::now},
};

/// Where the payment page sends a phone's resident back to: the Android app's intent filter
/// and the iOS app's web sheet listen for this scheme and host. A payment started with it as
/// its return address comes back with its local id added (`?payment=<local id>`), so the app,
/// even one the phone stopped meanwhile, knows which payment to refresh
/// (`Doorstep::refresh_payment`); `returned_payment` reads it back.
pub const PHONE_RETURN_URL: &str = "uk.doorstep.app://payment-done";

/// The local id of the payment an address the phone was opened with returns from, or `None`
/// when the address is not the phone's return (`PHONE_RETURN_URL`) or names no payment.
pub fn returned_payment(opened_with: &str) -> Option<String> {
    let start = opened_with.get(..PHONE_RETURN_URL.len())?;
    if !start.eq_ignore_ascii_case(PHONE_RETURN_URL) {
        return None;
    }
    let rest = &opened_with[PHONE_RETURN_URL.len()..];
    let query = rest.strip_prefix('/').unwrap_or(rest).strip_prefix('?')?;
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("payment="))
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_owned)
}

/// The return address sent to the council for the payment `local_id`: the phone's own gets the
/// payment's local id added, any other is kept as the resident's shell gave it.
fn return_address(return_url: &str, local_id: &str) -> String {
    if return_url == PHONE_RETURN_URL {
        format!("{PHONE_RETURN_URL}?payment={local_id}")
    } else {
        return_url.to_owned()
    }
}

/// An amount as the resident typed it ("£12.50", "12") in pence, or the error naming the field.
pub fn amount_in_pence(typed: &str) -> Result<u64> {
    rules::parse_pounds(typed)
        .ok_or_else(|| Error::invalid("amount", "Enter an amount in pounds, like 120.50"))
}

impl Doorstep {
    /// Check and queue a payment (council tax, a parking penalty, a permit); `email`, when
    /// given, is where the payment provider sends the receipt.
    pub async fn start_payment(
        &self,
        purpose: &str,
        reference: &str,
        amount_pence: u64,
        return_url: &str,
        email: Option<&str>,
    ) -> Result<MyPayment> {
        self.require(crate::Offer::Payments)?;
        let local_id = items::new_local_id();
        let payment = NewPayment {
            purpose: purpose.trim().to_owned(),
            reference: rules::normalise_reference(reference),
            amount_pence,
            return_url: return_address(return_url, &local_id),
            email: email
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
        };
        let (id, at) = (local_id.clone(), now());
        self.queue(move |tx| {
            let problems = check(tx, &payment)?;
            if !problems.is_empty() {
                return Err(Error::Invalid { problems });
            }
            items::insert(tx, &id, "payment", &payment, at)?;
            queue_payment(tx, &id, &id, &payment, at)
        })
        .await?;
        self.payment(&local_id).await
    }

    /// Pay a booking's fee: queued after the booking, against its reference once it has one.
    pub async fn pay_booking_fee(
        &self,
        booking_local_id: &str,
        return_url: &str,
    ) -> Result<MyPayment> {
        self.require(crate::Offer::Payments)?;
        let booking = self.booking(booking_local_id).await?;
        let request = booking.request.clone().ok_or_else(|| {
            Error::NotFound(
                "That booking was made on another device: pay it there or from its reference"
                    .into(),
            )
        })?;
        let fee = match &booking.booking {
            Some(made) => made.fee_pence.map(u64::from),
            None => {
                let service = self.service(&request.service_code).await?;
                rules::fee_pence(service.fee.as_ref(), &request.answers)
                    .map_err(|p| Error::Invalid { problems: vec![p] })?
                    .map(u64::from)
            }
        };
        let fee = fee
            .filter(|f| *f > 0)
            .ok_or_else(|| Error::invalid("booking", "This booking has no fee to pay"))?;
        let local_id = items::new_local_id();
        let payment = NewPayment {
            purpose: "booking_fee".to_owned(),
            reference: booking
                .booking
                .as_ref()
                .map_or_else(|| "{reference}".to_owned(), |b| b.reference.clone()),
            amount_pence: fee,
            return_url: return_address(return_url, &local_id),
            email: None,
        };
        let (id, chain, at) = (local_id.clone(), booking_local_id.to_owned(), now());
        self.queue(move |tx| {
            items::insert(tx, &id, "payment", &payment, at)?;
            queue_payment(tx, &chain, &id, &payment, at)
        })
        .await?;
        self.payment(&local_id).await
    }

    /// Ask the council for a payment's state now (after the resident returns from its page).
    pub async fn refresh_payment(&self, local_id: &str) -> Result<MyPayment> {
        self.require(crate::Offer::Payments)?;
        let current = self.payment(local_id).await?;
        let Some(payment) = current.payment else {
            return Ok(current);
        };
        if payment.state.finished {
            return self.payment(local_id).await;
        }
        let token = self.engine().ensure_device().await?;
        let fresh: Payment = self
            .engine()
            .council
            .get(&format!("/v1/payments/{}", payment.id), Some(&token), None)
            .await
            .into()?;
        let finished = fresh.state.finished;
        // Through the same door as the change feed: a copy the feed brought in meanwhile, newer
        // than the one just read, is kept.
        let changed = self
            .engine()
            .store
            .write(move |tx| {
                crate::outbox::feed::apply_items(tx, &[&ChangedItem::Payment(fresh)], now())
            })
            .await?;
        self.engine().tell_changed(changed);
        if finished {
            // A finished payment changes what it paid for (a booking's fee): read the feed now
            // rather than at the next round.
            self.0.wake.notify_one();
        }
        self.payment(local_id).await
    }

    /// The resident's payments, newest first.
    pub async fn payments(&self) -> Result<Vec<MyPayment>> {
        self.require(crate::Offer::Payments)?;
        self.all().await
    }

    pub async fn payment(&self, local_id: &str) -> Result<MyPayment> {
        self.one(local_id).await
    }
}

/// The council's rules for a payment, as far as this device knows them: the purpose, its
/// reference and amount when the profile is cached; the return address in any case.
pub(crate) fn check(
    conn: &rusqlite::Connection,
    payment: &NewPayment,
) -> Result<Vec<FieldProblem>> {
    let mut problems = match cached_council(conn)? {
        Some(council) => match council
            .payment_purposes
            .iter()
            .find(|p| p.code == payment.purpose)
        {
            Some(purpose) => {
                rules::validate_payment(purpose, &payment.reference, payment.amount_pence)
            }
            None => vec![FieldProblem::new(
                "purpose",
                format!(
                    "'{}' is not something you can pay for here",
                    payment.purpose
                ),
            )],
        },
        None if payment.amount_pence == 0 => {
            vec![FieldProblem::new("amount_pence", "Enter an amount to pay")]
        }
        None => Vec::new(),
    };
    if !rules::valid_return_url(&payment.return_url) {
        problems.push(FieldProblem::new("return_url", "The page to come back to must be https://, http:// on this device, or the app's own address"));
    }
    if payment
        .email
        .as_deref()
        .is_some_and(|e| !rules::valid_email(e))
    {
        problems.push(FieldProblem::new(
            "email",
            "Enter an email address in the correct format, like name@example.com",
        ));
    }
    Ok(problems)
}

fn queue_payment(
    tx: &rusqlite::Connection,
    chain: &str,
    item: &str,
    payment: &NewPayment,
    at: i64,
) -> Result<()> {
    let op = NewOperation {
        chain: chain.to_owned(),
        item: item.to_owned(),
        operation: Operation::StartPayment,
        method: "POST",
        path: "/v1/payments".to_owned(),
        body: Some(serde_json::to_value(payment)?),
        photo: None,
    };
    outbox::enqueue(tx, &op, at)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phone_return_is_a_return_address_the_council_takes() {
        assert!(rules::valid_return_url(PHONE_RETURN_URL));
        assert!(rules::valid_return_url(&return_address(
            PHONE_RETURN_URL,
            &items::new_local_id()
        )));
    }

    #[test]
    fn the_phone_return_names_the_payment_it_was_made_for() {
        let id = items::new_local_id();
        let back = return_address(PHONE_RETURN_URL, &id);
        assert_eq!(returned_payment(&back), Some(id.clone()));
        assert_eq!(
            returned_payment(&format!(
                "UK.Doorstep.App://Payment-Done/?x=1&payment={id}#top"
            )),
            Some(id)
        );
    }

    #[test]
    fn another_return_address_is_kept_as_given() {
        let desktop = "http://127.0.0.1/doorstep/payment-finished";
        assert_eq!(return_address(desktop, "p1"), desktop);
        assert_eq!(
            return_address("uk.doorstep.app://payment-done?payment=mine", "p1"),
            "uk.doorstep.app://payment-done?payment=mine"
        );
    }

    #[test]
    fn only_the_phone_return_with_a_payment_is_read_as_one() {
        for not_one in [
            "",
            "uk.doorstep.app",
            PHONE_RETURN_URL,
            "uk.doorstep.app://payment-done?payment=",
            "uk.doorstep.app://payment-done?other=p1",
            "uk.doorstep.app://payment-done.example?payment=p1",
            "uk.doorstep.app://payment-done/more?payment=p1",
            "uk.doorstep.app://other?payment=p1",
            "doorstep://payment-done?payment=p1",
            "https://payment-done?payment=p1",
            "uk.doorstep.app://payment-done?payment=p1%2F..",
            "uk.doorstep.app://payment-done?payment=<script>",
            "uk.doorstep.app://payment-dÖne?payment=p1",
        ] {
            assert_eq!(returned_payment(not_one), None, "{not_one}");
        }
        let long = "a".repeat(65);
        assert_eq!(
            returned_payment(&format!("{PHONE_RETURN_URL}?payment={long}")),
            None
        );
    }
}
