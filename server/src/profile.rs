//! The council profile on disk: `council.json`, `services.json` and `gazetteer.json` in one
//! folder (see `assets/councils/README.md` for the format).
//!
//! Invariant: a profile that loads is whole and consistent — every service's group exists,
//! every booking rule can make slots, every pattern compiles, every address is inside the
//! boundary and on a round — so nothing later has to second-guess it.

use std::{collections::HashSet, fs, path::Path};

use anyhow::{Context, Result, bail, ensure};
use chrono::{Datelike, Duration, NaiveDate};
use doorstep_protocol::{
    Address, Bin, Collection, Council, Fee, ServiceDefinition, ServiceGroup, ServiceKind,
    ServiceList, Weekday,
    rules::{self, parse_time},
};
use serde::Deserialize;

/// A loaded, checked council profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub council: Council,
    pub timezone: chrono_tz::Tz,
    pub groups: Vec<ServiceGroup>,
    pub services: Vec<ServiceDefinition>,
    pub gazetteer: Gazetteer,
}

#[derive(Debug, Clone, Deserialize)]
struct ServicesFile {
    groups: Vec<ServiceGroup>,
    services: Vec<ServiceDefinition>,
}

/// Addresses and the bin rounds that serve them.
#[derive(Debug, Clone, Deserialize)]
pub struct Gazetteer {
    /// Says that the addresses are sample data, when they are.
    pub note: String,
    /// When to put bins out, in plain English.
    pub advice: String,
    pub bins: Vec<Bin>,
    pub rounds: Vec<Round>,
    pub addresses: Vec<Address>,
    /// The round of each address, by UPRN.
    pub address_rounds: std::collections::BTreeMap<String, String>,
}

/// A collection round: a weekday and the bins it empties in which weeks.
#[derive(Debug, Clone, Deserialize)]
pub struct Round {
    pub code: String,
    pub weekday: Weekday,
    /// A date in week 0 of the round's cycle (any day of that week).
    pub anchor: NaiveDate,
    pub collections: Vec<RoundCollection>,
}

/// One bin on a round: every `every_weeks` weeks, starting `offset_weeks` after the anchor week,
/// in the listed months only (all months when empty).
#[derive(Debug, Clone, Deserialize)]
pub struct RoundCollection {
    pub bin: String,
    pub every_weeks: u32,
    #[serde(default)]
    pub offset_weeks: u32,
    #[serde(default)]
    pub months: Vec<u32>,
}

impl Profile {
    /// Load and check the profile in `dir`.
    pub fn load(dir: &Path) -> Result<Profile> {
        let read = |name: &str| {
            let path = dir.join(name);
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
        };
        Profile::from_json(
            &read("council.json")?,
            &read("services.json")?,
            &read("gazetteer.json")?,
        )
        .with_context(|| format!("council profile in {}", dir.display()))
    }

    /// Parse and check a profile from the texts of its three files.
    pub fn from_json(council: &str, services: &str, gazetteer: &str) -> Result<Profile> {
        let council: Council = parse_json("council.json", council)?;
        let services: ServicesFile = parse_json("services.json", services)?;
        let gazetteer = read_gazetteer(gazetteer)?;
        let timezone: chrono_tz::Tz = council.timezone.parse().map_err(|_| {
            anyhow::anyhow!("council.json: unknown timezone '{}'", council.timezone)
        })?;
        let profile = Profile {
            council,
            timezone,
            groups: services.groups,
            services: services.services,
            gazetteer,
        };
        profile.check()?;
        Ok(profile)
    }

    /// The catalogue as `GET /v1/services` lists it.
    pub fn service_list(&self) -> ServiceList {
        ServiceList {
            groups: self.groups.clone(),
            services: self
                .services
                .iter()
                .map(ServiceDefinition::summary)
                .collect(),
        }
    }

    pub fn service(&self, code: &str) -> Option<&ServiceDefinition> {
        self.services.iter().find(|s| s.code == code)
    }

    pub fn purpose(&self, code: &str) -> Option<&doorstep_protocol::PaymentPurpose> {
        self.council
            .payment_purposes
            .iter()
            .find(|p| p.code == code)
    }

    pub fn address(&self, uprn: &str) -> Option<&Address> {
        self.gazetteer.addresses.iter().find(|a| a.uprn == uprn)
    }

    /// Addresses whose postcode matches, ignoring case and spaces.
    pub fn addresses_in(&self, postcode: &str) -> Vec<Address> {
        let wanted = squash(postcode);
        self.gazetteer
            .addresses
            .iter()
            .filter(|a| squash(&a.postcode) == wanted)
            .cloned()
            .collect()
    }

    /// Collections for `uprn` on the dates from `from` for `days` days.
    pub fn collections(&self, uprn: &str, from: NaiveDate, days: u32) -> Option<Vec<Collection>> {
        let round_code = self.gazetteer.address_rounds.get(uprn)?;
        let round = self
            .gazetteer
            .rounds
            .iter()
            .find(|r| &r.code == round_code)?;
        Some(collections_on_round(
            round,
            &self.gazetteer.bins,
            from,
            days,
        ))
    }

    fn check(&self) -> Result<()> {
        let council = &self.council;
        ensure!(
            council.boundary.polygon.len() >= 3,
            "council.json: the boundary needs at least 3 points"
        );
        ensure!(
            council
                .reference_prefix
                .chars()
                .all(|c| c.is_ascii_uppercase())
                && !council.reference_prefix.is_empty(),
            "council.json: reference_prefix must be capital letters, like DUR"
        );
        for purpose in &council.payment_purposes {
            ensure!(
                rules::references::pattern_compiles(&purpose.reference_pattern),
                "council.json: payment purpose '{}': reference_pattern is not a valid regular expression",
                purpose.code
            );
            ensure!(
                purpose.min_pence <= purpose.max_pence,
                "payment purpose '{}': min_pence exceeds max_pence",
                purpose.code
            );
        }
        ensure!(
            self.purpose("booking_fee").is_some(),
            "council.json: a 'booking_fee' payment purpose is needed for bookings with a fee"
        );
        let groups: HashSet<&str> = self.groups.iter().map(|g| g.code.as_str()).collect();
        let mut codes = HashSet::new();
        for service in &self.services {
            let here = format!("services.json: service '{}'", service.code);
            ensure!(
                codes.insert(service.code.as_str()),
                "{here} is listed twice"
            );
            ensure!(
                groups.contains(service.group.as_str()),
                "{here} names group '{}', which is not in groups",
                service.group
            );
            check_service(self, service).context(here)?;
        }
        let bins: HashSet<&str> = self
            .gazetteer
            .bins
            .iter()
            .map(|b| b.code.as_str())
            .collect();
        for round in &self.gazetteer.rounds {
            for c in &round.collections {
                ensure!(
                    bins.contains(c.bin.as_str()),
                    "gazetteer.json: round '{}' collects unknown bin '{}'",
                    round.code,
                    c.bin
                );
                ensure!(
                    c.every_weeks >= 1,
                    "gazetteer.json: round '{}': every_weeks must be at least 1",
                    round.code
                );
                ensure!(
                    c.months.iter().all(|m| (1..=12).contains(m)),
                    "gazetteer.json: round '{}': months are 1 to 12",
                    round.code
                );
            }
        }
        for address in &self.gazetteer.addresses {
            let point = doorstep_protocol::GeoPoint {
                lat: address.lat,
                lon: address.lon,
            };
            ensure!(
                rules::contains(&council.boundary.polygon, point),
                "gazetteer.json: address {} is outside the boundary",
                address.uprn
            );
            let round = self.gazetteer.address_rounds.get(&address.uprn);
            ensure!(
                round.is_some_and(|r| self.gazetteer.rounds.iter().any(|x| &x.code == r)),
                "gazetteer.json: address {} has no known round",
                address.uprn
            );
        }
        Ok(())
    }
}

fn check_service(profile: &Profile, service: &ServiceDefinition) -> Result<()> {
    let mut question_codes = HashSet::new();
    for q in &service.questions {
        ensure!(
            question_codes.insert(q.code.as_str()),
            "question '{}' is listed twice",
            q.code
        );
        let is_list = matches!(
            q.datatype,
            doorstep_protocol::Datatype::Singlevaluelist
                | doorstep_protocol::Datatype::Multivaluelist
        );
        ensure!(
            is_list != q.values.is_empty(),
            "question '{}': list questions need values, other questions none",
            q.code
        );
    }
    match service.kind {
        ServiceKind::Report => ensure!(
            service.target_days.is_some(),
            "a report service needs target_days"
        ),
        ServiceKind::Booking => {
            let Some(booking) = &service.booking else {
                bail!("a booking service needs booking rules")
            };
            ensure!(
                !booking.sites.is_empty(),
                "booking rules need at least one site"
            );
            ensure!(
                booking.sites.iter().all(|s| !s.code.contains('/')),
                "a site code may not contain '/'"
            );
            ensure!(booking.capacity > 0, "booking capacity must be at least 1");
            let (Some(opens), Some(closes)) =
                (parse_time(&booking.opens), parse_time(&booking.closes))
            else {
                bail!("opens and closes must be HH:MM")
            };
            ensure!(opens < closes, "opens must be before closes");
            if let doorstep_protocol::Cutoff::WorkingDayBefore { time } = &booking.cancel_cutoff {
                ensure!(
                    parse_time(time).is_some(),
                    "cancel_cutoff time must be HH:MM"
                );
            }
            if let doorstep_protocol::Cutoff::WorkingDayBefore { time } = &booking.book_cutoff {
                ensure!(parse_time(time).is_some(), "book_cutoff time must be HH:MM");
            }
        }
        ServiceKind::Payment => {
            let purpose = service.payment_purpose.as_deref().unwrap_or_default();
            ensure!(
                profile.purpose(purpose).is_some(),
                "payment_purpose '{purpose}' is not in council.json"
            );
        }
        ServiceKind::Info => ensure!(
            service.more_info_url.is_some(),
            "an info service needs more_info_url"
        ),
    }
    match &service.fee {
        Some(Fee::PerItem { question, .. }) | Some(Fee::Bands { question, .. }) => {
            ensure!(
                question_codes.contains(question.as_str()),
                "the fee counts question '{question}', which the service does not ask"
            );
        }
        _ => {}
    }
    if let Some(Fee::Bands { bands, .. }) = &service.fee {
        ensure!(!bands.is_empty(), "a banded fee needs bands");
    }
    Ok(())
}

#[derive(Deserialize)]
struct GazetteerFile {
    note: String,
    advice: String,
    bins: Vec<Bin>,
    rounds: Vec<Round>,
    addresses: Vec<GazetteerAddress>,
}

#[derive(Deserialize)]
struct GazetteerAddress {
    uprn: String,
    address: String,
    postcode: String,
    lat: f64,
    lon: f64,
    round: String,
}

fn read_gazetteer(text: &str) -> Result<Gazetteer> {
    let file: GazetteerFile = parse_json("gazetteer.json", text)?;
    let address_rounds = file
        .addresses
        .iter()
        .map(|a| (a.uprn.clone(), a.round.clone()))
        .collect();
    Ok(Gazetteer {
        note: file.note,
        advice: file.advice,
        bins: file.bins,
        rounds: file.rounds,
        addresses: file
            .addresses
            .into_iter()
            .map(|a| Address {
                uprn: a.uprn,
                address: a.address,
                postcode: a.postcode,
                lat: a.lat,
                lon: a.lon,
            })
            .collect(),
        address_rounds,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de)
        .map_err(|e| anyhow::anyhow!("{name}: at '{}': {}", e.path(), e.inner()))
}

fn squash(postcode: &str) -> String {
    rules::normalise_reference(postcode)
}

/// The bins a round empties on each of its days from `from` for `days` days.
pub fn collections_on_round(
    round: &Round,
    bins: &[Bin],
    from: NaiveDate,
    days: u32,
) -> Vec<Collection> {
    let weekday: chrono::Weekday = round.weekday.into();
    let anchor_monday =
        round.anchor - Duration::days(i64::from(round.anchor.weekday().num_days_from_monday()));
    let mut out = Vec::new();
    for offset in 0..i64::from(days) {
        let date = from + Duration::days(offset);
        if date.weekday() != weekday {
            continue;
        }
        let week = (date - anchor_monday).num_days().div_euclid(7);
        let collected: Vec<Bin> = round
            .collections
            .iter()
            .filter(|c| {
                (week - i64::from(c.offset_weeks)).rem_euclid(i64::from(c.every_weeks)) == 0
            })
            .filter(|c| c.months.is_empty() || c.months.contains(&date.month()))
            .filter_map(|c| bins.iter().find(|b| b.code == c.bin).cloned())
            .collect();
        if !collected.is_empty() {
            out.push(Collection {
                date,
                bins: collected,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(code: &str) -> Bin {
        Bin {
            code: code.into(),
            name: code.into(),
            colour: "grey".into(),
        }
    }

    fn durham() -> Profile {
        Profile::load(
            &std::path::PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR")
                    .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
            )
            .join("../assets/councils/durham"),
        )
        .unwrap()
    }

    #[test]
    fn the_durham_profile_loads_with_a_full_catalogue() {
        let profile = durham();
        assert!(
            profile.services.len() >= 40,
            "{} services",
            profile.services.len()
        );
        for kind in [
            ServiceKind::Report,
            ServiceKind::Booking,
            ServiceKind::Payment,
            ServiceKind::Info,
        ] {
            assert!(
                profile.services.iter().any(|s| s.kind == kind),
                "no {kind:?} service"
            );
        }
        assert!(!profile.gazetteer.addresses.is_empty());
    }

    #[test]
    fn every_durham_address_has_collections_within_a_fortnight() {
        let profile = durham();
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        for address in &profile.gazetteer.addresses {
            let calendar = profile.collections(&address.uprn, today, 14).unwrap();
            assert!(
                calendar.len() >= 2,
                "{} has {} collections",
                address.uprn,
                calendar.len()
            );
        }
    }

    #[test]
    fn alternate_weeks_swap_rubbish_and_recycling() {
        let round = Round {
            code: "TUE-A".into(),
            weekday: Weekday::Tue,
            anchor: NaiveDate::from_ymd_opt(2026, 1, 6).unwrap(),
            collections: vec![
                RoundCollection {
                    bin: "rubbish".into(),
                    every_weeks: 2,
                    offset_weeks: 0,
                    months: vec![],
                },
                RoundCollection {
                    bin: "recycling".into(),
                    every_weeks: 2,
                    offset_weeks: 1,
                    months: vec![],
                },
                RoundCollection {
                    bin: "garden".into(),
                    every_weeks: 2,
                    offset_weeks: 1,
                    months: vec![3, 4, 5, 6, 7, 8, 9, 10, 11],
                },
            ],
        };
        let bins = [bin("rubbish"), bin("recycling"), bin("garden")];
        let from = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let calendar = collections_on_round(&round, &bins, from, 21);
        let days: Vec<(String, Vec<String>)> = calendar
            .iter()
            .map(|c| {
                (
                    c.date.to_string(),
                    c.bins.iter().map(|b| b.code.clone()).collect(),
                )
            })
            .collect();
        // 6 Jan 2026 is week 0 (rubbish); 24 Nov is 46 weeks later (rubbish); 1 Dec recycling,
        // and no garden waste in December.
        assert_eq!(
            days,
            vec![
                ("2026-11-24".to_owned(), vec!["rubbish".to_owned()]),
                ("2026-12-01".to_owned(), vec!["recycling".to_owned()]),
                ("2026-12-08".to_owned(), vec!["rubbish".to_owned()]),
            ]
        );
        let november = collections_on_round(
            &round,
            &bins,
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
            7,
        );
        assert_eq!(
            november[0].bins.len(),
            2,
            "garden waste goes with recycling until November"
        );
    }
}
