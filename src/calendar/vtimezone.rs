//! VTIMEZONE definitions evaluated from their STANDARD / DAYLIGHT rules.
//!
//! Needed for zones with names no database knows (`Customized Time Zone`,
//! `(UTC-03:00) Brasília`, ...). Each observance's onsets (DTSTART, RDATEs and
//! RRULE instances) become a sorted list of UTC transitions, computed once
//! when the feed is parsed, so later conversions are a binary search.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::budget::{ExpandBudget, Meter};

/// What all the VTIMEZONE rules of one feed may spend together. An Outlook zone starts
/// its yearly rules in 1601, about 220,000 steps each to the year 2200.
pub(crate) const ZONE_BUDGET: ExpandBudget = ExpandBudget {
    steps_per_series: 250_000,
    steps_per_feed: 5_000_000,
};
use super::component::Component;
use super::rrule::{expand_rule, RRule, Until};
use super::values::{parse_date, parse_datetime};

/// Last year for which transitions are generated; later times keep the last offset.
const LAST_YEAR: i32 = 2200;

/// A time zone defined by a VTIMEZONE component.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomZone {
    /// The TZID, TEXT escapes decoded (`\,` → `,`), as TZID parameters are matched to it.
    pub tzid: String,
    /// `(UTC instant of the change, offset in seconds after it)`, sorted.
    pub transitions: Vec<(NaiveDateTime, i32)>,
    /// Wall-clock onset of each transition as written (DTSTART / RDATE /
    /// RRULE instance in the offset being left), parallel to `transitions`.
    pub local_onsets: Vec<NaiveDateTime>,
    /// Offset in force before the first transition.
    pub initial_offset: i32,
}

/// Parses `+HHMM`, `-HHMMSS`, `+HH:MM`.
fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    let (sign, rest) = match text.as_bytes().first()? {
        b'-' => (-1, text.get(1..)?),
        b'+' => (1, text.get(1..)?),
        _ => (1, text),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits.get(0..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..4)?.parse().ok()?;
    let seconds: i32 = digits.get(4..6).map_or(Some(0), |s| s.parse().ok())?;
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60 + seconds))
}

fn parse_local(text: &str) -> Option<NaiveDateTime> {
    match parse_datetime(text) {
        Some((t, _)) => Some(t),
        None => parse_date(text).and_then(|d| d.and_hms_opt(0, 0, 0)),
    }
}

impl CustomZone {
    /// Builds a zone from a VTIMEZONE; `None` when it has no usable observance. Its rules
    /// spend `meter`, which the caller shares among all of a feed's zones so a feed of
    /// hostile VTIMEZONEs is bounded as a whole.
    pub(crate) fn from_component(component: &Component, meter: &Meter) -> Option<CustomZone> {
        let tzid = super::tz::tzid_key(&component.prop("TZID")?.value);
        let mut transitions = Vec::new();
        let mut first: Option<(NaiveDateTime, i32, bool)> = None;
        let limit = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31)?.and_hms_opt(0, 0, 0)?;
        for observance in &component.children {
            let standard = observance.name == "STANDARD";
            if !standard && observance.name != "DAYLIGHT" {
                continue;
            }
            let Some(to) = observance
                .prop("TZOFFSETTO")
                .and_then(|p| parse_offset(&p.value))
            else {
                continue;
            };
            let from = observance
                .prop("TZOFFSETFROM")
                .and_then(|p| parse_offset(&p.value))
                .unwrap_or(to);
            let Some(start) = observance
                .prop("DTSTART")
                .and_then(|p| parse_local(&p.value))
            else {
                continue;
            };
            let mut onsets = vec![start];
            for prop in observance.props_named("RDATE") {
                onsets.extend(prop.value.split(',').filter_map(parse_local));
            }
            for prop in observance.props_named("RRULE") {
                let Ok(rule) = RRule::parse(&prop.value) else {
                    continue;
                };
                // UNTIL of an observance is UTC; compare it in local (old offset) time.
                let until = rule.until.map(|u| match u {
                    Until::Utc(t) => t + Duration::seconds(i64::from(from)),
                    Until::Floating(t) => t,
                    Until::Date(d) => d.and_hms_opt(23, 59, 59).unwrap_or(limit),
                });
                // Onsets before 1970 place no event a calendar holds today, and the
                // iterator jumps straight there (Outlook starts its rules in 1601).
                let from = start.max(NaiveDate::from_ymd_opt(1970, 1, 1)?.and_hms_opt(0, 0, 0)?);
                meter.start_series();
                expand_rule(&rule, start, from, limit, until, meter, &mut |t| {
                    onsets.push(t)
                });
                if meter.series_over() || meter.feed_over() {
                    // A zone with half its transitions would be silently wrong half the
                    // year: drop it (the caller warns; TZID mapping takes over).
                    return None;
                }
            }
            for onset in onsets {
                // The onset is wall-clock time in the offset being left.
                let utc = onset - Duration::seconds(i64::from(from));
                transitions.push((utc, to, onset));
                if first.is_none_or(|(t, _, _)| utc < t) {
                    first = Some((utc, from, standard));
                }
            }
        }
        let (_, initial_offset, _) = first?;
        transitions.sort_by_key(|(t, _, _)| *t);
        transitions.dedup_by_key(|(t, _, _)| *t);
        let local_onsets = transitions.iter().map(|(_, _, onset)| *onset).collect();
        let transitions = transitions.into_iter().map(|(t, o, _)| (t, o)).collect();
        Some(CustomZone {
            tzid,
            transitions,
            local_onsets,
            initial_offset,
        })
    }

    /// Offset (seconds east of UTC) in force at a UTC instant.
    pub fn offset_at_utc(&self, utc: NaiveDateTime) -> i32 {
        let index = self.transitions.partition_point(|(t, _)| *t <= utc);
        match index.checked_sub(1).and_then(|i| self.transitions.get(i)) {
            Some((_, offset)) => *offset,
            None => self.initial_offset,
        }
    }

    /// UTC → wall-clock.
    pub fn utc_to_local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        utc.checked_add_signed(Duration::seconds(i64::from(self.offset_at_utc(utc))))
            .unwrap_or(utc)
    }

    /// Wall-clock → UTC the way python-dateutil's `tzical` zones (which the
    /// reference builds from VTIMEZONEs) do it: the offset is that of the
    /// last onset at or before the wall-clock time, comparing onsets as
    /// written. A time in a gap therefore takes the new offset; a time in an
    /// overlap keeps the old one (the earlier instant).
    pub fn local_to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        let index = self.local_onsets.partition_point(|onset| *onset <= local);
        let offset = match index.checked_sub(1).and_then(|i| self.transitions.get(i)) {
            Some((_, offset)) => *offset,
            None => self.initial_offset,
        };
        local
            .checked_sub_signed(Duration::seconds(i64::from(offset)))
            .unwrap_or(local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_with_and_without_seconds() {
        assert_eq!(parse_offset("+0100"), Some(3600));
        assert_eq!(parse_offset("-0330"), Some(-12600));
        assert_eq!(parse_offset("+013045"), Some(5445));
        assert_eq!(parse_offset("bogus"), None);
    }
}
