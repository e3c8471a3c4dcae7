//! Bin day: addresses by postcode and collection calendars, cached so they work offline, and an
//! `.ics` file made on the device from the same calendar.
//!
//! Invariant: an answer from the cache says so (`stale`), so a shell never shows an old calendar
//! as if it were fresh.

use doorstep_protocol::{AddressList, CollectionCalendar, rules};
use serde::Serialize;

use crate::{
    Doorstep,
    error::{Error, Result},
    outbox::sync::now,
    store,
};

/// A cached answer and whether it is from an earlier visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fresh<T> {
    pub value: T,
    pub stale: bool,
    pub fetched_at: i64,
}

impl Doorstep {
    /// The addresses at a postcode.
    pub async fn addresses(&self, postcode: &str) -> Result<Fresh<AddressList>> {
        self.require(crate::Offer::Bins)?;
        let squashed = rules::normalise_reference(postcode);
        self.cached_get(
            &format!("addresses:{squashed}"),
            &format!("/v1/addresses?postcode={squashed}"),
        )
        .await
    }

    /// A property's bin collections for the coming weeks.
    pub async fn collections(&self, uprn: &str) -> Result<Fresh<CollectionCalendar>> {
        self.require(crate::Offer::Bins)?;
        if uprn.is_empty() || !uprn.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                "uprn",
                "A UPRN is made of digits only: look the address up by postcode",
            ));
        }
        self.cached_get(
            &format!("collections:{uprn}"),
            &format!("/v1/collections?uprn={uprn}&weeks=8"),
        )
        .await
    }

    /// The same calendar as an iCalendar file.
    pub async fn collections_ics(&self, uprn: &str) -> Result<String> {
        self.require(crate::Offer::Bins)?;
        let calendar = self.collections(uprn).await?.value;
        let council = self.council().await?;
        let (id, name) = council.map_or_else(
            || ("council".to_owned(), "Council".to_owned()),
            |c| (c.id, c.name),
        );
        Ok(rules::to_ics(&calendar, &id, &name, chrono::Utc::now()))
    }

    /// GET `path`, keeping the answer under `name`; offline, the kept answer marked stale.
    async fn cached_get<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        path: &str,
    ) -> Result<Fresh<T>> {
        if self.is_online() {
            let answer = self.engine().council.get(path, None, None).await;
            if answer.is_success() {
                let value: T = serde_json::from_value(answer.body.clone())?;
                let (name, body, at) = (name.to_owned(), answer.body.to_string(), now());
                self.engine()
                    .store
                    .write(move |tx| store::set_cached(tx, &name, &body, at))
                    .await?;
                return Ok(Fresh {
                    value,
                    stale: false,
                    fetched_at: at,
                });
            }
            if answer.status != 0 && answer.status < 500 {
                return Err(answer.into_error());
            }
        }
        let name = name.to_owned();
        match self
            .engine()
            .store
            .read(move |c| store::cached(c, &name))
            .await?
        {
            Some((body, fetched_at)) => Ok(Fresh {
                value: serde_json::from_str(&body)?,
                stale: true,
                fetched_at,
            }),
            None => Err(Error::Offline(
                "this has not been looked up on this device before: connect and try again"
                    .to_owned(),
            )),
        }
    }
}
