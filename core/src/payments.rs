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
        let payment = NewPayment {
            purpose: purpose.trim().to_owned(),
            reference: rules::normalise_reference(reference),
            amount_pence,
            return_url: return_url.to_owned(),
            email: email
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
        };
        let local_id = items::new_local_id();
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
        let payment = NewPayment {
            purpose: "booking_fee".to_owned(),
            reference: booking
                .booking
                .as_ref()
                .map_or_else(|| "{reference}".to_owned(), |b| b.reference.clone()),
            amount_pence: fee,
            return_url: return_url.to_owned(),
            email: None,
        };
        let local_id = items::new_local_id();
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
