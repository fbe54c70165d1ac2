//! Time arithmetic shared by the expansion: frames, spans, UNTIL bounds.
//!
//! Mirrors how Python compares and adds the values upstream works with:
//! wall-clock arithmetic within one frame, instants across frames.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use super::rrule::Until;
use super::tz::{iana_to_utc, ZoneRef, Zones};
use super::values::TimeValue;
use super::EventComponent;

/// A fast non-cryptographic hasher (FxHash) for the per-read UID grouping:
/// SipHash over 40,000 UIDs was a tenth of a window read. Keys come from the
/// feed, so a hostile feed could force collisions; the damage is bounded to
/// slower grouping of that one feed.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// `t + d`, saturating at the ends of the calendar instead of panicking
/// (window bounds come from callers, margins from hostile feeds).
pub(super) fn shift(t: NaiveDateTime, d: Duration) -> NaiveDateTime {
    t.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
        NaiveDateTime::MIN
    } else {
        NaiveDateTime::MAX
    })
}

/// Everything a conversion needs: custom zones and the viewer's zone.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub zones: Zones<'a>,
    pub default_tz: Tz,
    /// Counts recurrence steps against the expansion's budget.
    pub meter: &'a super::budget::Meter,
}

impl Ctx<'_> {
    /// The UTC instant of a value; floating times and dates use the viewer's zone.
    pub fn utc(&self, value: TimeValue) -> NaiveDateTime {
        match value {
            TimeValue::Date(_) | TimeValue::Floating(_) => {
                iana_to_utc(self.default_tz, value.naive())
            }
            TimeValue::Utc(t) => t,
            TimeValue::Zoned(t, zone) => self.zones.local_to_utc(t, zone),
        }
    }

    /// Upstream's recurrence ids: UTC and wall-clock for aware times, the
    /// wall-clock value for floating times and dates.
    pub fn keys(&self, value: TimeValue) -> [NaiveDateTime; 2] {
        match value {
            TimeValue::Zoned(t, zone) => [self.zones.local_to_utc(t, zone), t],
            other => [other.naive(), other.naive()],
        }
    }

    /// `b - a` the way upstream subtracts: both values made comparable first
    /// (a DATE becomes midnight and a floating time is attached to the other
    /// value's zone, as `make_comparable` does), then wall-clock time within
    /// one frame and instants across frames.
    pub fn diff(&self, a: TimeValue, b: TimeValue) -> Duration {
        let (a, b) = comparable(a, b);
        let same_frame = match (a, b) {
            (TimeValue::Date(_), TimeValue::Date(_))
            | (TimeValue::Floating(_), TimeValue::Floating(_))
            | (TimeValue::Utc(_), TimeValue::Utc(_)) => true,
            (TimeValue::Zoned(_, x), TimeValue::Zoned(_, y)) => x == y,
            _ => false,
        };
        if same_frame {
            b.naive() - a.naive()
        } else {
            self.utc(b) - self.utc(a)
        }
    }
}

/// Python's `make_comparable` for two values: DATE next to DATE-TIME becomes
/// midnight in the other's frame; floating next to zoned takes that zone.
fn comparable(a: TimeValue, b: TimeValue) -> (TimeValue, TimeValue) {
    let lift = |value: TimeValue, other: TimeValue| match (value, other) {
        (TimeValue::Date(d), o) if !o.is_date() => o.with_naive(d.and_time(NaiveTime::MIN)),
        (TimeValue::Floating(t), o) if is_aware(o) => o.with_naive(t),
        (v, _) => v,
    };
    let (a2, b2) = (lift(a, b), lift(b, a));
    // A DATE lifted next to a floating time may now need the other's zone.
    (lift(a2, b2), lift(b2, a2))
}

/// `value + duration` on the wall clock; a date moved by part of a day becomes floating.
pub(super) fn add(value: TimeValue, duration: Duration) -> TimeValue {
    let naive = value
        .naive()
        .checked_add_signed(duration)
        .unwrap_or(value.naive());
    match value {
        TimeValue::Date(_) if duration.num_seconds() % 86_400 != 0 => TimeValue::Floating(naive),
        other => other.with_naive(naive),
    }
}

/// Whether a value is pinned to an instant (UTC or a zone).
pub(super) fn is_aware(value: TimeValue) -> bool {
    matches!(value, TimeValue::Utc(_) | TimeValue::Zoned(..))
}

/// (start, end) of a component as upstream's adapter computes it.
pub(super) fn span(
    ctx: Ctx<'_>,
    event: &EventComponent,
    start: TimeValue,
) -> (TimeValue, TimeValue) {
    let end = match (event.dtend, event.duration) {
        (Some(end), _) => end,
        (None, Some(duration)) => add(start, duration),
        (None, None) if start.is_date() => add(start, Duration::days(1)),
        (None, None) => start,
    };
    // Mixed DATE / DATE-TIME: the date becomes midnight in the other's frame.
    let (start, end) = match (start, end) {
        (TimeValue::Date(d), other) if !other.is_date() => {
            (other.with_naive(d.and_time(NaiveTime::MIN)), other)
        }
        (other, TimeValue::Date(d)) if !other.is_date() => {
            (other, other.with_naive(d.and_time(NaiveTime::MIN)))
        }
        pair => pair,
    };
    // Floating next to zoned: the floating one is read in the other's zone
    // (Python's make_comparable attaches the other value's tzinfo).
    let (start, end) = match (start, end) {
        (TimeValue::Floating(t), other) if is_aware(other) => (other.with_naive(t), other),
        (other, TimeValue::Floating(t)) if is_aware(other) => (other, other.with_naive(t)),
        pair => pair,
    };
    match (start, end) {
        // An all-day DTEND on or before its DTSTART: DTSTART names the day, and the
        // expansion makes it one day long (the rule; the Python reference would
        // swap the dates and start the event before its stated day).
        (TimeValue::Date(_), TimeValue::Date(_)) => (start, end),
        _ if ctx.diff(start, end) < Duration::zero() => (end, start),
        _ => (start, end),
    }
}

/// The inclusive wall-clock UNTIL bound of a rule for a given DTSTART, as
/// upstream ends up comparing it after repairing type mismatches.
pub(super) fn until_bound(ctx: Ctx<'_>, until: Until, dtstart: TimeValue) -> NaiveDateTime {
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN);
    match (dtstart, until) {
        // All-day series: the UNTIL day itself is included (instances are
        // midnights unless BYHOUR gives them a time).
        (TimeValue::Date(_), Until::Date(d)) => midnight(d),
        (TimeValue::Date(_), Until::Floating(t)) => t,
        // RFC 5545: a UTC UNTIL next to a DATE DTSTART counts as the date it falls on in
        // the series' zone, where its dates are placed: Outlook writes midnight of the
        // last day in UTC (`20250109T230000Z` for 10 January in Berlin). X-WR-TIMEZONE
        // has already turned such an UNTIL into a date (`event.rs`); here it is the room's.
        (TimeValue::Date(_), Until::Utc(t)) => midnight(
            ctx.zones
                .utc_to_local(t, ZoneRef::Iana(ctx.default_tz))
                .date(),
        ),
        (TimeValue::Floating(_), Until::Date(d)) => midnight(d),
        (TimeValue::Floating(_), Until::Floating(t) | Until::Utc(t)) => t,
        (TimeValue::Utc(_) | TimeValue::Zoned(..), until) => {
            // An unzoned UNTIL next to a zoned DTSTART is read as UTC
            // (upstream appends the missing `Z`; a DATE becomes midnight UTC).
            let instant = match until {
                Until::Date(d) => midnight(d),
                Until::Floating(t) | Until::Utc(t) => t,
            };
            match dtstart {
                TimeValue::Zoned(_, zone) => ctx.zones.utc_to_local(instant, zone),
                _ => instant,
            }
        }
    }
}
