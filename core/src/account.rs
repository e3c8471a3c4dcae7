//! The resident's account: sign in by emailed code, sign out, and their data — exported or
//! erased.
//!
//! Invariant: signing in or out never touches the outbox: operations keep their keys, and the
//! council scopes keys to the device, so nothing is sent twice across a sign-in.

use doorstep_protocol::{AccountToken, CodeSent};
use serde_json::{Value, json};

use crate::{
    Doorstep,
    error::{Error, Result},
    secrets::{ACCOUNT_TOKEN, DEVICE_SECRET, DEVICE_TOKEN},
    store,
};

/// The name the resident's data is saved under on `day` (the device's own date):
/// `doorstep-my-data-2026-12-04.json`.
pub fn export_file_name(day: chrono::NaiveDate) -> String {
    format!("doorstep-my-data-{}.json", day.format("%Y-%m-%d"))
}

impl Doorstep {
    /// Ask the council to email a sign-in code.
    pub async fn sign_in(&self, email: &str) -> Result<CodeSent> {
        self.require(crate::Offer::Account)?;
        if !doorstep_protocol::rules::valid_email(email) {
            return Err(Error::invalid(
                "email",
                "Enter an email address in the correct format, like name@example.com",
            ));
        }
        let token = self.engine().device_token().await?;
        let key = uuid::Uuid::now_v7().to_string();
        let sent: CodeSent = self
            .engine()
            .council
            .send(
                "POST",
                "/v1/auth/email",
                Some(&token),
                Some(&key),
                Some(&json!({"email": email.trim()})),
            )
            .await
            .into()?;
        let email = email.trim().to_owned();
        self.engine()
            .store
            .write(move |tx| store::set_meta(tx, "pending_email", &email))
            .await?;
        Ok(sent)
    }

    /// The address a sign-in code was last asked for.
    pub async fn pending_email(&self) -> Result<Option<String>> {
        self.engine()
            .store
            .read(|c| store::meta(c, "pending_email"))
            .await
    }

    /// Enter the emailed code: the device joins the account, and a paused queue goes on.
    pub async fn verify(&self, email: &str, code: &str) -> Result<AccountToken> {
        self.require(crate::Offer::Account)?;
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                "code",
                "Enter the 6-digit code from the email",
            ));
        }
        let device_token = self.engine().device_token().await?;
        let key = uuid::Uuid::now_v7().to_string();
        let account: AccountToken = self
            .engine()
            .council
            .send(
                "POST",
                "/v1/auth/verify",
                Some(&device_token),
                Some(&key),
                Some(&json!({"email": email.trim(), "code": code})),
            )
            .await
            .into()?;
        self.engine()
            .secrets
            .set(ACCOUNT_TOKEN, &account.token)
            .map_err(Error::Storage)?;
        let email = account.email.clone();
        self.queue(move |tx| {
            store::delete_meta(tx, "auth_required")?;
            // The account's things from its other devices lie behind this device's cursor:
            // read the feed again from the start (applying a change twice changes nothing).
            store::delete_meta(tx, "cursor")?;
            store::set_meta(tx, "account_email", &email)
        })
        .await?;
        Ok(account)
    }

    /// Sign out: the account token is revoked and forgotten; the device goes on as itself.
    pub async fn sign_out(&self) -> Result<()> {
        if let Some(token) = self
            .engine()
            .secrets
            .get(ACCOUNT_TOKEN)
            .map_err(Error::Storage)?
        {
            let key = uuid::Uuid::now_v7().to_string();
            let answer = self
                .engine()
                .council
                .send("POST", "/v1/auth/signout", Some(&token), Some(&key), None)
                .await;
            if !(answer.is_success() || answer.status == 401) {
                return Err(answer.into_error());
            }
        }
        self.engine()
            .secrets
            .delete(ACCOUNT_TOKEN)
            .map_err(Error::Storage)?;
        self.engine()
            .store
            .write(|tx| {
                store::delete_meta(tx, "account_email")?;
                store::delete_meta(tx, "auth_required")
            })
            .await
    }

    /// The email of the signed-in account, if any.
    pub async fn signed_in_as(&self) -> Result<Option<String>> {
        self.engine()
            .store
            .read(|c| store::meta(c, "account_email"))
            .await
    }

    /// Everything this device holds about the resident, as JSON (no tokens).
    pub async fn export(&self) -> Result<Value> {
        let reports = self.reports().await?;
        let bookings: Vec<crate::MyBooking> = self.all().await?;
        let payments: Vec<crate::MyPayment> = self.all().await?;
        let outbox: Vec<Value> = self
            .outbox()
            .await?
            .into_iter()
            .map(|e| json!({"key": e.key, "what": e.operation.describe(), "item": e.item, "queued_at": e.created_at}))
            .collect();
        let account = self.signed_in_as().await?;
        Ok(json!({
            "exported_at": chrono::Utc::now(),
            "account": account,
            "reports": reports,
            "bookings": bookings,
            "payments": payments,
            "waiting_to_send": outbox,
        }))
    }

    /// Erase the resident: first what the council holds (their device, account and the links
    /// from their reports, bookings and payments), then everything on this device — their things,
    /// the outbox, photos, drafts, cached answers and tokens. The council's catalogue stays. If
    /// the council cannot be reached nothing is erased, so that the resident can try again.
    pub async fn erase(&self) -> Result<()> {
        let engine = self.engine();
        let device = engine.secrets.get(DEVICE_TOKEN).map_err(Error::Storage)?;
        let account = engine.secrets.get(ACCOUNT_TOKEN).map_err(Error::Storage)?;
        if let Some(token) = account.or(device) {
            if !self.is_online() {
                return Err(Error::Offline(
                    "erasing needs the council: connect and try again; nothing was erased"
                        .to_owned(),
                ));
            }
            let key = uuid::Uuid::now_v7().to_string();
            let answer = engine
                .council
                .send("POST", "/v1/me/erase", Some(&token), Some(&key), None)
                .await;
            // 401: the council no longer knows this device — there is nothing left there.
            if !(answer.is_success() || answer.status == 401) {
                return Err(match answer.into_error() {
                    Error::Offline(_) => Error::Offline("the council could not be reached, so nothing was erased: try again when online".to_owned()),
                    other => other,
                });
            }
        }
        self.engine()
            .store
            .write(|tx| {
                tx.execute_batch(
                    "DELETE FROM outbox; DELETE FROM items; DELETE FROM photos; DELETE FROM drafts; DELETE FROM cache;
                     DELETE FROM meta WHERE name NOT IN ('catalogue_etag', 'council', 'groups');",
                )?;
                Ok(())
            })
            .await?;
        for name in [ACCOUNT_TOKEN, DEVICE_TOKEN, DEVICE_SECRET] {
            self.engine().secrets.delete(name).map_err(Error::Storage)?;
        }
        self.engine().emit_counts().await;
        Ok(())
    }
}
