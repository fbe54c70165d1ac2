//! The `roomcal ics expand` output format (the ics-oracle's JSON) and instant parsing.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use super::tz::iana_to_utc;
use super::Occurrence;

fn instant(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The oracle JSON: an array of objects with exactly the keys `uid,
/// recurrence_id, start, end, all_day, floating, summary, status, sequence`
/// (plus `start_date`, `end_date` for all-day occurrences).
pub fn occurrences_to_oracle_json(occs: &[Occurrence]) -> Value {
    Value::Array(
        occs.iter()
            .map(|o| {
                let mut object = Map::new();
                object.insert("uid".into(), json!(o.uid));
                object.insert("recurrence_id".into(), json!(o.recurrence_id.map(instant)));
                object.insert("start".into(), json!(instant(o.start)));
                object.insert("end".into(), json!(instant(o.end)));
                object.insert("all_day".into(), json!(o.all_day));
                object.insert("floating".into(), json!(o.floating));
                object.insert("summary".into(), json!(o.summary));
                object.insert("status".into(), json!(o.status));
                object.insert("sequence".into(), json!(o.sequence));
                if o.all_day {
                    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
                    object.insert("start_date".into(), json!(date(o.start_date)));
                    object.insert("end_date".into(), json!(date(o.end_date)));
                }
                Value::Object(object)
            })
            .collect(),
    )
}

/// Parses `2024-03-01T10:00:00Z`, `2024-03-01T10:00:00+01:00`, a naive
/// `2024-03-01T10:00:00` (read in `tz`) or a bare `2024-03-01` (midnight in `tz`).
pub fn parse_instant(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).ok_or("invalid date")?;
        return Ok(DateTime::from_naive_utc_and_offset(
            iana_to_utc(tz, midnight),
            Utc,
        ));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(DateTime::from_naive_utc_and_offset(
                iana_to_utc(tz, naive),
                Utc,
            ));
        }
    }
    Err(format!(
        "{text:?} is not an instant: use 2024-03-01T10:00:00Z, an offset like +01:00, or a date 2024-03-01"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_parse_in_every_accepted_form() {
        let berlin = Tz::Europe__Berlin;
        assert_eq!(
            parse_instant("2024-03-01T10:00:00Z", berlin)
                .unwrap()
                .to_rfc3339(),
            "2024-03-01T10:00:00+00:00"
        );
        assert_eq!(
            parse_instant("2024-03-01T10:00:00+01:00", berlin)
                .unwrap()
                .to_rfc3339(),
            "2024-03-01T09:00:00+00:00"
        );
        assert_eq!(
            parse_instant("2024-03-01", berlin).unwrap().to_rfc3339(),
            "2024-02-29T23:00:00+00:00"
        );
        assert_eq!(
            parse_instant("2024-03-01T10:00:00", berlin)
                .unwrap()
                .to_rfc3339(),
            "2024-03-01T09:00:00+00:00"
        );
        assert!(parse_instant("yesterday", berlin).is_err());
    }
}
