//! Typed values: DATE, DATE-TIME (floating, UTC, zoned), DURATION, PERIOD.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use super::contentline::PropRef;
use super::tz::ZoneRef;

/// A DATE or DATE-TIME value with its time-zone frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeValue {
    /// An all-day DATE.
    Date(NaiveDate),
    /// A DATE-TIME without zone (or with a TZID nobody can resolve): placed in the viewer's zone.
    Floating(NaiveDateTime),
    /// A DATE-TIME in UTC (`Z` suffix).
    Utc(NaiveDateTime),
    /// A DATE-TIME local to a known zone (wall-clock time).
    Zoned(NaiveDateTime, ZoneRef),
}

impl TimeValue {
    /// The wall-clock value (midnight for a DATE).
    pub fn naive(&self) -> NaiveDateTime {
        match *self {
            TimeValue::Date(d) => d.and_time(NaiveTime::MIN),
            TimeValue::Floating(t) | TimeValue::Utc(t) | TimeValue::Zoned(t, _) => t,
        }
    }

    /// Whether this is a DATE.
    pub fn is_date(&self) -> bool {
        matches!(self, TimeValue::Date(_))
    }

    /// The same kind of value with another wall-clock time.
    pub fn with_naive(&self, naive: NaiveDateTime) -> TimeValue {
        match *self {
            TimeValue::Date(_) => TimeValue::Date(naive.date()),
            TimeValue::Floating(_) => TimeValue::Floating(naive),
            TimeValue::Utc(_) => TimeValue::Utc(naive),
            TimeValue::Zoned(_, z) => TimeValue::Zoned(naive, z),
        }
    }
}

/// One RDATE entry: an instant, or a PERIOD with its own end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RDateValue {
    /// A DATE or DATE-TIME.
    At(TimeValue),
    /// A PERIOD: start plus an explicit length.
    Period(TimeValue, Duration),
}

/// Parses `YYYYMMDD` (dashes tolerated).
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let digits: String = text.chars().filter(|c| *c != '-').collect();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = digits.get(0..4)?.parse().ok()?;
    let month = digits.get(4..6)?.parse().ok()?;
    let day = digits.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Parses `YYYYMMDDTHHMMSS[Z]` (separators and fractional seconds tolerated).
/// Returns the wall-clock time and whether it was UTC.
pub(crate) fn parse_datetime(text: &str) -> Option<(NaiveDateTime, bool)> {
    let text = text.trim();
    let (body, utc) = match text.strip_suffix(['Z', 'z']) {
        Some(body) => (body, true),
        None => (text, false),
    };
    let (date, time) = body.split_once(['T', 't'])?;
    let date = parse_date(date)?;
    let time: String = time
        .split('.')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != ':')
        .collect();
    if !time.bytes().all(|b| b.is_ascii_digit()) || !(time.len() == 4 || time.len() == 6) {
        return None;
    }
    let hour: u32 = time.get(0..2)?.parse().ok()?;
    let minute: u32 = time.get(2..4)?.parse().ok()?;
    let second: u32 = time.get(4..6).map_or(Some(0), |s| s.parse().ok())?;
    // A leap second (60) is clamped rather than rejected.
    let time = NaiveTime::from_hms_opt(hour, minute, second.min(59))?;
    Some((date.and_time(time), utc))
}

/// Parses one DATE / DATE-TIME text in the frame given by the TZID parameter.
pub(crate) fn parse_time_value(
    text: &str,
    tzid: Option<&str>,
    resolve: &dyn Fn(&str) -> Option<ZoneRef>,
) -> Option<TimeValue> {
    let text = text.trim();
    if !text.contains(['T', 't']) {
        return parse_date(text).map(TimeValue::Date);
    }
    let (naive, utc) = parse_datetime(text)?;
    if utc {
        return Some(TimeValue::Utc(naive));
    }
    match tzid.and_then(resolve) {
        Some(zone) => Some(TimeValue::Zoned(naive, zone)),
        None => Some(TimeValue::Floating(naive)),
    }
}

/// Parses a DATE / DATE-TIME property (DTSTART, DTEND, RECURRENCE-ID, ...).
pub(crate) fn parse_time_prop(
    prop: &PropRef<'_>,
    resolve: &dyn Fn(&str) -> Option<ZoneRef>,
) -> Result<TimeValue, String> {
    parse_time_value(prop.value, prop.param("TZID"), resolve)
        .ok_or_else(|| format!("{} has an invalid date or time {:?}", prop.name, prop.value))
}

/// Parses an RFC 5545 DURATION such as `P1DT2H`, `-PT15M`, `P2W`.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    let mut seconds: i64 = 0;
    let mut number: Option<i64> = None;
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(i64::from(d))?,
            );
            continue;
        }
        let unit = match c.to_ascii_uppercase() {
            'T' => {
                in_time = true;
                continue;
            }
            'W' => 7 * 86_400,
            'D' => 86_400,
            'H' if in_time => 3_600,
            'M' if in_time => 60,
            'S' if in_time => 1,
            _ => return None,
        };
        seconds = seconds.checked_add(number.take()?.checked_mul(unit)?)?;
        any = true;
    }
    if !any || number.is_some() {
        return None;
    }
    // Bound to ±100 years so later arithmetic cannot overflow.
    if seconds > 3_155_760_000 {
        return None;
    }
    Some(Duration::seconds(if negative { -seconds } else { seconds }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_of_every_shape_parse() {
        assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("-P1D"), Some(Duration::days(-1)));
        assert_eq!(parse_duration("P2W"), Some(Duration::days(14)));
        assert_eq!(parse_duration("P1DT1S"), Some(Duration::seconds(86_401)));
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P1H"), None);
        assert_eq!(parse_duration("garbage"), None);
    }

    #[test]
    fn date_times_parse_with_tolerated_separators() {
        let (t, utc) = parse_datetime("20240301T100000Z").unwrap();
        assert!(utc);
        assert_eq!(t.to_string(), "2024-03-01 10:00:00");
        assert!(parse_datetime("2024-03-01T10:00:00").is_some());
        assert!(parse_datetime("20241301T100000").is_none());
        assert!(parse_date("20240230").is_none());
    }
}
