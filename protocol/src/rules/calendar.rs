//! Dates and times of council services: working days, slots, cut-offs and fallbacks.
//!
//! Invariant: times here are the council's local wall-clock times (`NaiveDateTime`); they meet
//! a time zone only in `localise`, so the rules read exactly as the council's leaflets do.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};

use crate::{BookingRules, Cutoff, Fallback};

/// A slot in local time: which site, from when to when.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalSlot {
    pub site: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl LocalSlot {
    pub fn id(&self) -> String {
        slot_id(&self.site, self.start)
    }
}

fn is_working_day(date: NaiveDate) -> bool {
    date.weekday().number_from_monday() <= 5
}

/// The date `days` working days (Monday to Friday) after `date`.
pub fn add_working_days(date: NaiveDate, days: u32) -> NaiveDate {
    let mut current = date;
    let mut left = days;
    while left > 0 {
        current += Duration::days(1);
        if is_working_day(current) {
            left -= 1;
        }
    }
    current
}

/// "HH:MM" → a time of day.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

/// The last local moment something may be done for a slot starting at `start`.
pub fn cutoff_for(cutoff: &Cutoff, start: NaiveDateTime) -> NaiveDateTime {
    match cutoff {
        Cutoff::HoursBefore { hours } => start - Duration::hours(i64::from(*hours)),
        Cutoff::WorkingDayBefore { time } => {
            let mut day = start.date() - Duration::days(1);
            while !is_working_day(day) {
                day -= Duration::days(1);
            }
            day.and_time(parse_time(time).unwrap_or(NaiveTime::MIN))
        }
    }
}

/// `{site}/{YYYY-MM-DDTHH:MM}`.
pub fn slot_id(site: &str, start: NaiveDateTime) -> String {
    format!("{site}/{}", start.format("%Y-%m-%dT%H:%M"))
}

/// The site and local start a slot id names, if it is well-formed.
pub fn parse_slot_id(id: &str) -> Option<(String, NaiveDateTime)> {
    let (site, start) = id.rsplit_once('/')?;
    if site.is_empty() {
        return None;
    }
    let start = NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M").ok()?;
    Some((site.to_owned(), start))
}

/// The (start, end) times the rules define on `date`, whether or not they can still be booked.
fn times_on(rules: &BookingRules, date: NaiveDate) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let (Some(opens), Some(closes)) = (parse_time(&rules.opens), parse_time(&rules.closes)) else {
        return Vec::new();
    };
    let on_day = rules
        .weekdays
        .iter()
        .any(|d| chrono::Weekday::from(*d) == date.weekday());
    if closes <= opens || !on_day {
        return Vec::new();
    }
    let step = rules
        .slot_minutes
        .filter(|m| *m > 0)
        .map(|m| Duration::minutes(i64::from(m)))
        .unwrap_or(closes - opens);
    let mut times = Vec::new();
    let mut start = date.and_time(opens);
    let close = date.and_time(closes);
    while start + step <= close {
        times.push((start, start + step));
        start += step;
    }
    times
}

/// The slot the rules define at `site` from `start`, whether or not it can still be booked.
pub fn slot_at(rules: &BookingRules, site: &str, start: NaiveDateTime) -> Option<LocalSlot> {
    if !rules.sites.iter().any(|s| s.code == site) {
        return None;
    }
    times_on(rules, start.date())
        .into_iter()
        .find(|(at, _)| *at == start)
        .map(|(start, end)| LocalSlot {
            site: site.to_owned(),
            start,
            end,
        })
}

/// Every slot the rules offer that can still be booked at local time `now`, in time order.
pub fn offered_slots(rules: &BookingRules, now: NaiveDateTime) -> Vec<LocalSlot> {
    let mut slots = Vec::new();
    for offset in 0..=i64::from(rules.days_ahead) {
        let date = now.date() + Duration::days(offset);
        for (start, end) in times_on(rules, date) {
            if cutoff_for(&rules.book_cutoff, start) > now {
                for site in &rules.sites {
                    slots.push(LocalSlot {
                        site: site.code.clone(),
                        start,
                        end,
                    });
                }
            }
        }
    }
    slots.sort_by(|a, b| (a.start, &a.site).cmp(&(b.start, &b.site)));
    slots
}

/// The slot a fallback chooses in place of a full one, from slots with room.
pub fn pick_fallback<'a>(
    requested: &LocalSlot,
    with_room: &'a [LocalSlot],
    fallback: Fallback,
) -> Option<&'a LocalSlot> {
    let same_site = with_room
        .iter()
        .filter(|s| s.site == requested.site && s != &requested);
    match fallback {
        Fallback::None => None,
        Fallback::SameDay => same_site
            .filter(|s| s.start.date() == requested.start.date())
            .min_by_key(|s| ((s.start - requested.start).num_minutes().abs(), s.start)),
        Fallback::NextAvailable => same_site
            .filter(|s| s.start > requested.start)
            .min_by_key(|s| s.start),
    }
}

/// Up to `count` slots with room, nearest in time to the one asked for, at the same site first.
pub fn nearest_alternatives(
    requested: &LocalSlot,
    with_room: &[LocalSlot],
    count: usize,
) -> Vec<LocalSlot> {
    let mut candidates: Vec<&LocalSlot> = with_room.iter().filter(|s| *s != requested).collect();
    candidates.sort_by_key(|s| {
        (
            s.site != requested.site,
            (s.start - requested.start).num_minutes().abs(),
            s.start,
        )
    });
    candidates.into_iter().take(count).cloned().collect()
}

/// A local wall-clock time in the council's zone; a time skipped by the clocks going forward
/// moves forward with them.
pub fn localise(tz: chrono_tz::Tz, local: NaiveDateTime) -> DateTime<FixedOffset> {
    let resolved = tz
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .unwrap_or_else(|| tz.from_utc_datetime(&local));
    resolved.fixed_offset()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Site, Weekday};

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn library_rules() -> BookingRules {
        BookingRules {
            sites: vec![
                Site {
                    code: "clayport".into(),
                    name: "Clayport Library".into(),
                    address: None,
                },
                Site {
                    code: "stanley".into(),
                    name: "Stanley Library".into(),
                    address: None,
                },
            ],
            weekdays: vec![Weekday::Mon, Weekday::Tue],
            opens: "09:00".into(),
            closes: "12:00".into(),
            slot_minutes: Some(60),
            capacity: 2,
            days_ahead: 7,
            book_cutoff: Cutoff::HoursBefore { hours: 0 },
            cancel_cutoff: Cutoff::HoursBefore { hours: 1 },
            needs_location: false,
        }
    }

    #[test]
    fn working_days_skip_weekends() {
        let friday = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            add_working_days(friday, 1),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            add_working_days(friday, 5),
            NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
        );
        assert_eq!(add_working_days(friday, 0), friday);
    }

    #[test]
    fn the_working_day_before_a_monday_is_the_friday() {
        let cutoff = Cutoff::WorkingDayBefore {
            time: "14:00".into(),
        };
        assert_eq!(
            cutoff_for(&cutoff, at("2026-11-30 07:00")),
            at("2026-11-27 14:00")
        );
        assert_eq!(
            cutoff_for(&cutoff, at("2026-12-02 07:00")),
            at("2026-12-01 14:00")
        );
        let hours = Cutoff::HoursBefore { hours: 24 };
        assert_eq!(
            cutoff_for(&hours, at("2026-12-02 10:00")),
            at("2026-12-01 10:00")
        );
    }

    #[test]
    fn slots_are_offered_on_the_rules_days_after_now_only() {
        // Saturday 28 November 2026, 10:30.
        let slots = offered_slots(&library_rules(), at("2026-11-28 10:30"));
        // Mon 30 Nov and Tue 1 Dec, 3 hours each, 2 sites; nothing on the Saturday itself.
        assert_eq!(slots.len(), 12);
        assert_eq!(slots[0].start, at("2026-11-30 09:00"));
        let monday = offered_slots(&library_rules(), at("2026-11-30 10:30"));
        // 11:00 on Monday is still ahead; 09:00 and 10:00 have gone.
        assert_eq!(monday[0].start, at("2026-11-30 11:00"));
    }

    #[test]
    fn a_whole_day_slot_spans_opening_hours() {
        let mut rules = library_rules();
        rules.slot_minutes = None;
        let slots = offered_slots(&rules, at("2026-11-28 10:30"));
        assert_eq!(slots.len(), 4);
        assert_eq!(slots[0].end - slots[0].start, Duration::hours(3));
    }

    #[test]
    fn a_slot_is_found_on_the_grid_even_after_its_cut_off() {
        let rules = library_rules();
        let slot = slot_at(&rules, "stanley", at("2026-11-30 10:00")).unwrap();
        assert_eq!(slot.end, at("2026-11-30 11:00"));
        assert!(
            slot_at(&rules, "stanley", at("2026-11-30 10:30")).is_none(),
            "off the grid"
        );
        assert!(
            slot_at(&rules, "stanley", at("2026-12-02 10:00")).is_none(),
            "a Wednesday"
        );
        assert!(
            slot_at(&rules, "durham", at("2026-11-30 10:00")).is_none(),
            "no such site"
        );
        assert!(
            slot_at(&rules, "stanley", at("2026-11-30 12:00")).is_none(),
            "after closing"
        );
    }

    #[test]
    fn slot_ids_round_trip_and_reject_nonsense() {
        let id = slot_id("clayport", at("2026-11-30 09:00"));
        assert_eq!(id, "clayport/2026-11-30T09:00");
        assert_eq!(
            parse_slot_id(&id),
            Some(("clayport".to_owned(), at("2026-11-30 09:00")))
        );
        assert_eq!(parse_slot_id("clayport"), None);
        assert_eq!(parse_slot_id("/2026-11-30T09:00"), None);
        assert_eq!(parse_slot_id("x/tomorrow"), None);
    }

    #[test]
    fn fallbacks_choose_same_day_or_next_at_the_same_site() {
        let slots = offered_slots(&library_rules(), at("2026-11-28 10:30"));
        let requested = slots
            .iter()
            .find(|s| s.site == "clayport" && s.start == at("2026-11-30 10:00"))
            .unwrap()
            .clone();
        let with_room: Vec<LocalSlot> = slots
            .iter()
            .filter(|s| {
                *s != &requested && !(s.site == "clayport" && s.start == at("2026-11-30 09:00"))
            })
            .cloned()
            .collect();
        let same_day = pick_fallback(&requested, &with_room, Fallback::SameDay).unwrap();
        assert_eq!(
            (same_day.site.as_str(), same_day.start),
            ("clayport", at("2026-11-30 11:00"))
        );
        let next = pick_fallback(&requested, &with_room, Fallback::NextAvailable).unwrap();
        assert_eq!(next.start, at("2026-11-30 11:00"));
        assert!(pick_fallback(&requested, &with_room, Fallback::None).is_none());
        let only_tuesday: Vec<LocalSlot> = with_room
            .iter()
            .filter(|s| s.start.date() != requested.start.date())
            .cloned()
            .collect();
        assert!(pick_fallback(&requested, &only_tuesday, Fallback::SameDay).is_none());
    }

    #[test]
    fn alternatives_prefer_the_same_site_and_nearby_times() {
        let slots = offered_slots(&library_rules(), at("2026-11-28 10:30"));
        let requested = slots[0].clone();
        let alternatives = nearest_alternatives(&requested, &slots, 3);
        assert_eq!(alternatives.len(), 3);
        assert!(alternatives.iter().all(|s| s.site == requested.site));
        assert_eq!(alternatives[0].start, requested.start + Duration::hours(1));
    }

    #[test]
    fn london_times_carry_summer_and_winter_offsets() {
        let winter = localise(chrono_tz::Europe::London, at("2026-12-01 09:00"));
        assert_eq!(winter.to_rfc3339(), "2026-12-01T09:00:00+00:00");
        let summer = localise(chrono_tz::Europe::London, at("2026-07-01 09:00"));
        assert_eq!(summer.to_rfc3339(), "2026-07-01T09:00:00+01:00");
        // 01:30 on 29 March 2026 does not exist in London: it moves forward with the clocks.
        let gap = localise(chrono_tz::Europe::London, at("2026-03-29 01:30"));
        assert_eq!(gap.to_rfc3339(), "2026-03-29T02:30:00+01:00");
    }
}
