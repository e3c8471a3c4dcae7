//! Bin day: addresses by postcode and collection calendars, cached so they work offline, an
//! `.ics` file made on the device from the same calendar, the address the resident chose
//! (remembered in the store), and the reminders a phone schedules from a calendar.
//!
//! Invariant: an answer from the cache says so (`stale`), so a shell never shows an old calendar
//! as if it were fresh; reminders are a pure function of the calendar and the local time, each
//! at `REMINDER_HOUR` the evening before a collection, in the words of the bins collected.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use doorstep_protocol::{AddressList, CollectionCalendar, rules};
use serde::Serialize;

use crate::{
    Doorstep,
    error::{Error, Result},
    outbox::sync::now,
    store,
};

/// The hour (local time, 24-hour clock) of the evening before a collection when its reminder
/// comes: 7pm, when most residents are home and the bins can still go out that night.
pub const REMINDER_HOUR: u32 = 19;

/// Where the store keeps the address the resident chose (its UPRN).
const BIN_ADDRESS: &str = "bin_address";

/// A reminder for one collection, for the phone to schedule as a local notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    /// The same for the same address and day, so scheduling again replaces it.
    pub id: String,
    /// The day the bins are collected.
    pub collection: NaiveDate,
    /// When to remind, in the phone's local time: `REMINDER_HOUR` the evening before.
    pub at: NaiveDateTime,
    pub title: String,
    pub body: String,
}

/// The reminders to schedule for a calendar: one for each collection whose evening before is
/// still to come at `now` (local time), oldest first.
pub fn reminders(calendar: &CollectionCalendar, now: NaiveDateTime) -> Vec<Reminder> {
    let evening = NaiveTime::from_hms_opt(REMINDER_HOUR, 0, 0).unwrap_or_default();
    let mut due: Vec<Reminder> = calendar
        .collections
        .iter()
        .filter(|collection| !collection.bins.is_empty())
        .map(|collection| Reminder {
            id: format!(
                "bins-{}-{}",
                calendar.uprn,
                collection.date.format("%Y%m%d")
            ),
            collection: collection.date,
            at: (collection.date - Duration::days(1)).and_time(evening),
            title: format!("Bin day tomorrow, {}", collection.date.format("%A %-d %B")),
            body: format!(
                "Put out your {}",
                in_a_list(collection.bins.iter().map(|bin| lower_first(&bin.name)))
            ),
        })
        .filter(|reminder| reminder.at > now)
        .collect();
    due.sort_by_key(|reminder| reminder.at);
    due
}

/// "a", "a and b", "a, b and c".
fn in_a_list(words: impl Iterator<Item = String>) -> String {
    let words: Vec<String> = words.collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// A bin's name as it reads inside a sentence: "Rubbish (black bin)" becomes "rubbish (black bin)".
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// A UPRN, or what to fix.
fn valid_uprn(uprn: &str) -> Result<&str> {
    if uprn.is_empty() {
        return Err(Error::invalid("uprn", "Choose your address"));
    }
    if !uprn.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            "uprn",
            "A UPRN is made of digits only: look the address up by postcode",
        ));
    }
    Ok(uprn)
}

/// The name a property's calendar file is saved under: `bin-collections-100110000001.ics`.
pub fn calendar_file_name(uprn: &str) -> String {
    let kept: String = uprn.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("bin-collections-{kept}.ics")
}

/// A cached answer and whether it is from an earlier visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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
        let found: Fresh<AddressList> = self
            .cached_get(
                &format!("addresses:{squashed}"),
                &format!("/v1/addresses?postcode={squashed}"),
            )
            .await?;
        if found.value.addresses.is_empty() {
            return Err(Error::invalid(
                "postcode",
                format!("No addresses found for {}", found.value.postcode),
            ));
        }
        Ok(found)
    }

    /// A property's bin collections for the coming weeks.
    pub async fn collections(&self, uprn: &str) -> Result<Fresh<CollectionCalendar>> {
        self.require(crate::Offer::Bins)?;
        let uprn = valid_uprn(uprn)?;
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

    /// Remember the address chosen for bin day (its UPRN), to show straight away next time.
    pub async fn remember_bin_address(&self, uprn: &str) -> Result<()> {
        let uprn = valid_uprn(uprn)?.to_owned();
        self.engine()
            .store
            .write(move |tx| store::set_meta(tx, BIN_ADDRESS, &uprn))
            .await
    }

    /// The address remembered for bin day (its UPRN), if one was chosen on this device.
    pub async fn bin_address(&self) -> Result<Option<String>> {
        self.engine()
            .store
            .read(|c| store::meta(c, BIN_ADDRESS))
            .await
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

#[cfg(test)]
mod tests {
    use doorstep_protocol::{Bin, Collection};

    use super::*;

    fn bin(code: &str, name: &str) -> Bin {
        Bin {
            code: code.to_owned(),
            name: name.to_owned(),
            colour: code.to_owned(),
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_calendar_file_is_named_by_its_property_and_nothing_else() {
        assert_eq!(
            calendar_file_name("100110001"),
            "bin-collections-100110001.ics"
        );
        assert_eq!(
            calendar_file_name("../1 2"),
            "bin-collections-12.ics",
            "no path or space from the reference reaches the file name"
        );
    }

    #[test]
    fn an_address_not_chosen_is_asked_for_and_a_malformed_one_explained() {
        let said = |uprn| match valid_uprn(uprn) {
            Err(Error::Invalid { problems }) => {
                (problems[0].field.clone(), problems[0].message.clone())
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            said(""),
            ("uprn".to_owned(), "Choose your address".to_owned())
        );
        assert!(said("12a").1.contains("digits only"));
        assert_eq!(valid_uprn("100110001").unwrap(), "100110001");
    }

    fn calendar() -> CollectionCalendar {
        CollectionCalendar {
            uprn: "100110001".to_owned(),
            address: "1 Front Street, Durham".to_owned(),
            advice: "Put your bins out by 7am".to_owned(),
            collections: vec![
                Collection {
                    date: day("2025-06-10"),
                    bins: vec![
                        bin("rubbish", "Rubbish (black bin)"),
                        bin("recycling", "Recycling (blue box)"),
                    ],
                },
                Collection {
                    date: day("2025-06-03"),
                    bins: vec![bin("garden", "Garden waste (brown bin)")],
                },
                Collection {
                    date: day("2025-06-17"),
                    bins: vec![
                        bin("rubbish", "Rubbish (black bin)"),
                        bin("recycling", "Recycling (blue box)"),
                        bin("garden", "Garden waste (brown bin)"),
                    ],
                },
                Collection {
                    date: day("2025-06-24"),
                    bins: vec![],
                },
            ],
        }
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn each_reminder_is_at_seven_the_evening_before_its_collection_naming_the_bins() {
        let due = reminders(&calendar(), at("2025-06-01 09:00"));
        let when: Vec<NaiveDateTime> = due.iter().map(|r| r.at).collect();
        assert_eq!(
            when,
            [
                at("2025-06-02 19:00"),
                at("2025-06-09 19:00"),
                at("2025-06-16 19:00")
            ],
            "oldest first, the evening before, none for a day with no bins"
        );
        assert_eq!(due[0].title, "Bin day tomorrow, Tuesday 3 June");
        assert_eq!(due[0].body, "Put out your garden waste (brown bin)");
        assert_eq!(
            due[1].body,
            "Put out your rubbish (black bin) and recycling (blue box)"
        );
        assert_eq!(
            due[2].body,
            "Put out your rubbish (black bin), recycling (blue box) and garden waste (brown bin)"
        );
        assert_eq!(due[1].id, "bins-100110001-20250610");
        assert_eq!(due[1].collection, day("2025-06-10"));
    }

    #[test]
    fn a_reminder_whose_evening_has_come_is_not_scheduled() {
        let before = reminders(&calendar(), at("2025-06-09 18:59"));
        assert_eq!(
            before.len(),
            2,
            "the evening before the 10th is still to come"
        );
        let after = reminders(&calendar(), at("2025-06-09 19:00"));
        assert_eq!(
            after.len(),
            1,
            "its moment has come: only the 17th's is left"
        );
        assert_eq!(after[0].collection, day("2025-06-17"));
        assert!(reminders(&calendar(), at("2025-07-01 00:00")).is_empty());
    }
}
