//! Bin collection calendars as iCalendar (RFC 5545) files, for any calendar app.
//!
//! Invariant: one all-day event per collection day, with a stable UID per property and date, so
//! importing the file twice updates events instead of doubling them.

use chrono::{DateTime, Duration, Utc};

use crate::CollectionCalendar;

/// An iCalendar (RFC 5545) file: one all-day event per collection day.
pub fn to_ics(
    calendar: &CollectionCalendar,
    council_id: &str,
    council_name: &str,
    now: DateTime<Utc>,
) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        format!("PRODID:-//Doorstep//{}//EN", ics_text(council_name)),
        "CALSCALE:GREGORIAN".to_owned(),
        format!(
            "X-WR-CALNAME:{}",
            ics_text(&format!("Bin collections: {}", calendar.address))
        ),
    ];
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for collection in &calendar.collections {
        let names: Vec<&str> = collection.bins.iter().map(|b| b.name.as_str()).collect();
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!(
                "UID:{}-{}@{council_id}.doorstep",
                calendar.uprn,
                collection.date.format("%Y%m%d")
            ),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", collection.date.format("%Y%m%d")),
            format!(
                "DTEND;VALUE=DATE:{}",
                (collection.date + Duration::days(1)).format("%Y%m%d")
            ),
            format!(
                "SUMMARY:{}",
                ics_text(&format!("Bin day: {}", names.join(", ")))
            ),
            format!("DESCRIPTION:{}", ics_text(&calendar.advice)),
            "TRANSP:TRANSPARENT".to_owned(),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    lines
        .iter()
        .map(|line| fold(line))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

fn ics_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Lines longer than 75 octets are folded, as RFC 5545 requires.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bin, Collection};
    use chrono::NaiveDate;

    #[test]
    fn the_ics_has_one_all_day_event_per_collection_with_escaped_text() {
        let calendar = CollectionCalendar {
            uprn: "100110000001".into(),
            address: "1 Front Street, Durham".into(),
            advice: "Bins out by 7am; thank you".into(),
            collections: vec![
                Collection {
                    date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                    bins: vec![Bin {
                        code: "rubbish".into(),
                        name: "Rubbish".into(),
                        colour: "black".into(),
                    }],
                },
                Collection {
                    date: NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
                    bins: vec![Bin {
                        code: "recycling".into(),
                        name: "Recycling".into(),
                        colour: "blue".into(),
                    }],
                },
            ],
        };
        let ics = to_ics(&calendar, "durham", "Durham County Council", Utc::now());
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert!(ics.contains("DTSTART;VALUE=DATE:20261201\r\n"));
        assert!(ics.contains("DTEND;VALUE=DATE:20261202\r\n"));
        assert!(ics.contains("Bins out by 7am\\; thank you"));
        assert!(ics.contains("X-WR-CALNAME:Bin collections: 1 Front Street\\, Durham"));
        assert!(ics.lines().all(|l| l.len() <= 76));
    }
}
