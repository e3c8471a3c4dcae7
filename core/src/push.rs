//! The phone's push token: the shell gives it whenever its push service issues one (and on
//! every start), the device keeps it, and the next sync round gives it to the council, which
//! then wakes the phone when it changes one of the resident's things. A push only makes the
//! shell run a round (`sync_now`): what changed comes, as always, from the change feed.
//!
//! Invariant: the council is told a token once for each device identity it is this device's
//! under (again after the token changes or the device registers afresh), never by a council
//! that is a plain Open311 one; a round the council cannot be told in goes on, and the next
//! round tells it.

use doorstep_protocol::{PushService, PushToken, rules};

use crate::{
    Backend, Doorstep, Error, Result,
    outbox::sync::Engine,
    store::{self, meta, set_meta},
};

/// Where the council keeps a phone's push token.
const PATH: &str = "/v1/devices/me/push-token";

impl Doorstep {
    /// The token the phone's push service gave it; the council hears of it in the next round,
    /// which this starts. A token that is not one its service could have given is refused.
    pub async fn register_push(&self, service: PushService, token: &str) -> Result<()> {
        let given = PushToken {
            service,
            token: token.to_owned(),
        };
        let problems = rules::validate_push_token(&given);
        if !problems.is_empty() {
            return Err(Error::Invalid { problems });
        }
        let kept = format!("{} {}", service.name(), given.token);
        self.engine()
            .store
            .write(move |tx| {
                if meta(tx, "push_token")?.as_deref() != Some(kept.as_str()) {
                    set_meta(tx, "push_token", &kept)?;
                    set_meta(tx, "push_token_key", &uuid::Uuid::now_v7().to_string())?;
                }
                Ok(())
            })
            .await?;
        self.0.wake.notify_one();
        Ok(())
    }
}

impl Engine {
    /// Tell the council this device's push token, if it has one the council has not been told
    /// under the device's present identity. `token` is the bearer token the round acts with.
    pub(crate) async fn tell_push_token(&self, token: &str) {
        if let Backend::Open311 { .. } = self.backend {
            return;
        }
        let kept = self
            .store
            .read(|c| {
                Ok((
                    meta(c, "push_token")?,
                    meta(c, "push_token_key")?,
                    meta(c, "push_token_told")?,
                    meta(c, "device_id")?,
                ))
            })
            .await;
        let Ok((Some(given), Some(key), told, Some(device_id))) = kept else {
            return;
        };
        let told_now = format!("{device_id} {given}");
        if told.as_deref() == Some(told_now.as_str()) {
            return;
        }
        let Some((service, push_token)) = given.split_once(' ') else {
            return;
        };
        let body = serde_json::json!({"service": service, "token": push_token});
        // The key is the token's and the device's: a new identity needs a new key.
        let key = format!("{key}-{device_id}");
        let answer = self
            .council
            .send("PUT", PATH, Some(token), Some(&key), Some(&body))
            .await;
        if answer.is_success() {
            let _ = self
                .store
                .write(move |tx| store::set_meta(tx, "push_token_told", &told_now))
                .await;
        }
    }
}
