//! Time-zone resolution and wall-clock ↔ UTC conversion.
//!
//! Lookup order follows python icalendar 7 (the reference): the TZID with
//! surrounding `/` stripped as an IANA name or as a VTIMEZONE of the file that
//! names no known zone, then the CLDR Windows name, then for a globally unique
//! `/vendor/…/Area/City` id its longest IANA suffix, then the raw id. A TZID
//! that resolves to nothing is floating.
//!
//! Both sides are compared unescaped ([`tzid_key`]): Outlook writes a TZID with a comma
//! quoted in the parameter (`TZID="Pacific Time (US & Canada), Tijuana"`) and with the
//! comma TEXT-escaped in the VTIMEZONE (`TZID:Pacific Time (US & Canada)\, Tijuana`).
//!
//! Local times are resolved like Python's `fold=0`: in an overlap the first
//! (earlier) instant, in a gap the offset from before the transition, which
//! moves the time forward by the size of the gap.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

use super::contentline::unescape_text;
use super::vtimezone::CustomZone;
use super::windows_zones::windows_to_iana;

/// A resolved zone: an IANA zone or a VTIMEZONE definition of the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZoneRef {
    /// An IANA zone from the tz database.
    Iana(Tz),
    /// Index into [`super::Feed::timezones`].
    Custom(usize),
}

/// Parses an IANA name exactly (tz database names are case-sensitive).
pub fn iana(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// A TZID as it is matched: TEXT escapes (`\,`, `\;`, `\\`) decoded and surrounding
/// white space trimmed, for the VTIMEZONE's `TZID:` value and the `TZID=` parameter alike.
pub(crate) fn tzid_key(tzid: &str) -> String {
    unescape_text(tzid.trim()).trim().to_owned()
}

/// Resolves TZIDs for one calendar: IANA, VTIMEZONE, Windows, vendor prefixes.
#[derive(Debug, Default)]
pub(crate) struct Resolver {
    /// VTIMEZONE TZIDs (cleaned) of this calendar → index into the feed's zones.
    pub custom: HashMap<String, usize>,
}

impl Resolver {
    /// Resolves a TZID parameter value.
    pub fn resolve(&self, tzid: &str) -> Option<ZoneRef> {
        let key = tzid_key(tzid);
        let raw = key.trim_matches('"');
        let cleaned = raw.trim_matches('/');
        if let Some(tz) = iana(cleaned) {
            return Some(ZoneRef::Iana(tz));
        }
        if let Some(&index) = self.custom.get(cleaned) {
            return Some(ZoneRef::Custom(index));
        }
        if let Some(tz) = windows_to_iana(cleaned).and_then(iana) {
            return Some(ZoneRef::Iana(tz));
        }
        if raw.starts_with('/') {
            let parts: Vec<&str> = cleaned.split('/').collect();
            for start in 1..parts.len() {
                if let Some(tz) = parts.get(start..).and_then(|p| iana(&p.join("/"))) {
                    return Some(ZoneRef::Iana(tz));
                }
            }
        }
        iana(raw).map(ZoneRef::Iana)
    }
}

/// Wall-clock → UTC (naive) in an IANA zone, with `fold=0` semantics.
pub(crate) fn iana_to_utc(tz: Tz, local: NaiveDateTime) -> NaiveDateTime {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.naive_utc(),
        chrono::LocalResult::Ambiguous(a, b) => a.naive_utc().min(b.naive_utc()),
        chrono::LocalResult::None => {
            // In a gap: use the offset in force before the transition.
            let before = local.checked_sub_signed(Duration::days(1)).unwrap_or(local);
            let offset = tz.offset_from_utc_datetime(&before).fix().local_minus_utc();
            local
                .checked_sub_signed(Duration::seconds(i64::from(offset)))
                .unwrap_or(local)
        }
    }
}

/// UTC (naive) → wall-clock in an IANA zone.
pub(crate) fn iana_from_utc(tz: Tz, utc: NaiveDateTime) -> NaiveDateTime {
    let offset = tz.offset_from_utc_datetime(&utc).fix().local_minus_utc();
    utc.checked_add_signed(Duration::seconds(i64::from(offset)))
        .unwrap_or(utc)
}

/// Conversion context: the feed's custom zones.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Zones<'a> {
    /// The feed's VTIMEZONE definitions.
    pub custom: &'a [CustomZone],
}

impl Zones<'_> {
    /// Wall-clock in `zone` → UTC (naive).
    pub fn local_to_utc(&self, local: NaiveDateTime, zone: ZoneRef) -> NaiveDateTime {
        match zone {
            ZoneRef::Iana(tz) => iana_to_utc(tz, local),
            ZoneRef::Custom(index) => match self.custom.get(index) {
                Some(custom) => custom.local_to_utc(local),
                None => local,
            },
        }
    }

    /// UTC (naive) → wall-clock in `zone`.
    pub fn utc_to_local(&self, utc: NaiveDateTime, zone: ZoneRef) -> NaiveDateTime {
        match zone {
            ZoneRef::Iana(tz) => iana_from_utc(tz, utc),
            ZoneRef::Custom(index) => match self.custom.get(index) {
                Some(custom) => custom.utc_to_local(utc),
                None => utc,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn windows_and_vendor_prefixed_names_resolve_to_iana_zones() {
        let r = Resolver::default();
        assert_eq!(
            r.resolve("W. Europe Standard Time"),
            Some(ZoneRef::Iana(Tz::Europe__Berlin))
        );
        assert_eq!(
            r.resolve("/mozilla.org/20050126_1/Europe/Berlin"),
            Some(ZoneRef::Iana(Tz::Europe__Berlin))
        );
        assert_eq!(
            r.resolve("\"America/New_York\""),
            Some(ZoneRef::Iana(Tz::America__New_York))
        );
        assert_eq!(r.resolve("Customized Time Zone"), None);
    }

    #[test]
    fn a_tzid_parameter_with_a_comma_matches_the_vtimezone_that_escapes_it() {
        let mut r = Resolver::default();
        r.custom
            .insert(tzid_key(r"Pacific Time (US & Canada)\, Tijuana"), 0);
        assert_eq!(
            r.resolve("Pacific Time (US & Canada), Tijuana"),
            Some(ZoneRef::Custom(0))
        );
        assert_eq!(
            r.resolve(r"Pacific Time (US & Canada)\, Tijuana"),
            Some(ZoneRef::Custom(0))
        );
    }

    #[test]
    fn a_time_in_a_dst_gap_moves_forward_and_an_overlap_takes_the_first() {
        let berlin = Tz::Europe__Berlin;
        assert_eq!(
            iana_to_utc(berlin, at(2024, 3, 31, 2, 30)),
            at(2024, 3, 31, 1, 30)
        );
        assert_eq!(
            iana_to_utc(berlin, at(2024, 10, 27, 2, 30)),
            at(2024, 10, 27, 0, 30)
        );
    }
}
