//! The calendar engine: a tolerant iCalendar parser and recurrence expander.
//!
//! Pure code: no I/O, no clock reads. [`parse_feed`] turns the bytes of a
//! published calendar into a [`Feed`] (keeping everything it can and listing
//! what it skipped), [`Feed::expand`] lists the [`Occurrence`]s that overlap a
//! window, and [`RoomMatcher`] decides which of them belong to a room.
//! Reference semantics: python icalendar 7.3 + recurring-ical-events 3.8 +
//! x-wr-timezone 2.0 with the input repairs of the ics-oracle tool; the
//! differential test (`tests/calendar/golden.rs`) compares the two on every fixture.
//!
//! Pipeline: `decode` (charset, BOM, NULs, byte-level unfolding) →
//! `contentline` (borrowed name/params/value) → `component` (stack machine
//! that streams VEVENT properties into `event` and keeps calendars and
//! VTIMEZONEs as a tree) → `tz` / `vtimezone` (TZID resolution) → `expand` /
//! `series` / `frames` (upstream's series semantics) on top of `rrule` /
//! `rrule_iter` (dateutil's algorithm with a fast-forward to the window).
//!
//! Why not the `icalendar` and `rrule` crates: `icalendar` rejects a whole
//! calendar for one bad line (a BOM, a line without a colon, a truncated body)
//! and `rrule` rejects whole series for Windows zone names, DATE or floating
//! UNTILs and DTSTARTs in DST gaps; neither evaluates VTIMEZONE rules or merges
//! RECURRENCE-ID overrides. A tolerant layer around them would have re-parsed
//! every line and re-normalised every rule, so the engine owns both steps, and
//! its own iterator can jump to the window instead of walking a series from 2015.
//! Both crates serve where they fit: `icalendar` writes what roomcal publishes
//! (`crate::ics_out`), and `rrule` is a second, independent recurrence oracle in the
//! tests (`tests/calendar/rrule_crate.rs`, with the cases where it departs from RFC 5545).
//!
//! Import graph: the modules above form one knot (values ↔ zones ↔ rules: a rule's
//! UNTIL is read as a value, a value's zone needs VTIMEZONE rules expanded); everything
//! outside `calendar` depends on it, never the other way round (`tests/architecture.rs`
//! checks the rest of the tree and looks at `calendar` as one node).
//!
//! Deliberate differences from the reference (each is a robustness choice):
//! - an unusable RRULE (unknown FREQ, RSCALE other than GREGORIAN, an unknown
//!   non-`X-` part such as a misspelt `UNTL=`, a value that cannot be read) is
//!   skipped with a warning naming the event, which keeps its DTSTART instance;
//!   upstream drops the whole series. Spaces in list values (`BYDAY=MO, TU`) are
//!   tolerated.
//! - expansion runs under a budget of recurrence steps ([`ExpandBudget`]): a series
//!   over its share is left out by name, a feed over its budget is refused.
//! - an out-of-range DURATION is skipped (zero-length event) instead of
//!   dropping the event; so is an unreadable RDATE entry (the rest of the series stays).
//! - an all-day series' UTC UNTIL counts as the date it falls on in the series' zone
//!   (X-WR-TIMEZONE, else the room's), RFC 5545: Outlook writes local midnight of the
//!   last day (`UNTIL=20250109T230000Z` for 10 January in Berlin); upstream takes the
//!   UTC date and loses that day.
//! - EXRULE is applied (upstream ignores it); `X-` parts of a rule are
//!   ignored (dateutil rejects the rule and upstream drops the series).
//! - `RANGE=THISANDFUTURE` is honoured under X-WR-TIMEZONE too (x-wr-timezone
//!   2.0 loses the parameter when it rewrites a UTC or floating RECURRENCE-ID).
//! - a VTIMEZONE without any TZNAME keeps its own rules under X-WR-TIMEZONE
//!   (x-wr-timezone mistakes such times for floating ones).
//! - a body python icalendar rejects as a whole (lone CRs together with
//!   garbage lines and truncation) still yields its complete events.
//! - instance counts are capped (50,000 instances, 1,000,000 periods per rule
//!   and read) so hostile rules such as FREQ=SECONDLY cannot hang a read.
//!
//! Reference behaviours kept on purpose (they look odd but match the oracle):
//! times in a VTIMEZONE-defined zone follow python-dateutil's `tzical` (a time
//! in a gap takes the new offset; IANA zones use `fold=0`, i.e. the gap moves
//! the time forward); a floating series with a zoned EXDATE/RDATE is read in
//! that zone;
//! a timed DTEND before DTSTART is swapped; an all-day DTEND on or before its
//! DTSTART becomes one day (the reference swaps an earlier all-day DTEND; we keep
//! the stated day, as the issue asks); a DATE-valued UNTIL excludes its own day
//! for timed series; instances reshaped by a `RANGE=THISANDFUTURE` override
//! report that override's RECURRENCE-ID; every occurrence of a series reports
//! the highest SEQUENCE of the series; of several components with one UID and
//! no RECURRENCE-ID only the one with the highest SEQUENCE counts.

mod budget;
mod component;
mod contentline;
mod decode;
mod details;
mod event;
mod expand;
mod frames;
mod links;
mod oracle;
mod room;
mod rrule;
mod rrule_iter;
mod series;
mod tz;
mod values;
mod vtimezone;
mod windows_zones;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use budget::{ExpandBudget, Expansion, OverBudget};
pub use contentline::{unescape_text, Param, Property};
pub use details::EventDetails;
pub use oracle::{occurrences_to_oracle_json, parse_instant};
pub use room::RoomMatcher;
pub use rrule::{Freq, RRule, Until};
pub use tz::ZoneRef;
pub use values::{RDateValue, TimeValue};
pub use vtimezone::CustomZone;

/// At most this many warnings are kept per parse (plus one saying that more
/// were suppressed): a feed of garbage must not turn into a huge warning list.
pub(crate) const MAX_WARNINGS: usize = 1000;

/// Records a warning unless the cap is reached.
pub(crate) fn push_warning(warnings: &mut Vec<ParseWarning>, line: usize, reason: String) {
    if warnings.len() < MAX_WARNINGS {
        warnings.push(ParseWarning { line, reason });
    } else if warnings.len() == MAX_WARNINGS {
        warnings.push(ParseWarning {
            line,
            reason: "too many problems; further warnings are suppressed".to_owned(),
        });
    }
}

/// Why a body could not be read as a calendar at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The body is empty or only white space.
    #[error("the calendar address returned an empty response")]
    Empty,
    /// The body is something else (an HTML page, JSON, ...). The text says what.
    #[error("{0}")]
    NotCalendar(String),
}

/// Something the parser skipped or repaired, with the line it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseWarning {
    /// 1-based physical line number in the (decoded) body; 0 when not tied to a line.
    pub line: usize,
    /// Human-readable reason.
    pub reason: String,
}

/// An attendee or organizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Address without any `mailto:` prefix (any case).
    pub email: String,
    /// Display name from the CN parameter.
    pub name: Option<String>,
    /// PARTSTAT, upper-cased; NEEDS-ACTION when absent (RFC 5545 default).
    pub partstat: String,
    /// ROLE, upper-cased, when given.
    pub role: Option<String>,
}

/// One VEVENT as parsed, before expansion.
#[derive(Debug, Clone, PartialEq)]
pub struct EventComponent {
    /// UID ("" when missing; such events never merge with others).
    pub uid: String,
    /// DTSTART; an event without a usable one produces no occurrence.
    pub dtstart: Option<TimeValue>,
    /// DTEND, when given and parseable.
    pub dtend: Option<TimeValue>,
    /// DURATION, when given and parseable (DTEND wins when both are present).
    pub duration: Option<chrono::Duration>,
    /// RRULEs (several lines form a union).
    pub rrules: Vec<RRule>,
    /// EXRULEs (deprecated but still emitted by some producers).
    pub exrules: Vec<RRule>,
    /// RDATE entries from all RDATE lines.
    pub rdates: Vec<RDateValue>,
    /// EXDATE entries from all EXDATE lines.
    pub exdates: Vec<TimeValue>,
    /// RECURRENCE-ID of an override.
    pub recurrence_id: Option<TimeValue>,
    /// Whether the RECURRENCE-ID has `RANGE=THISANDFUTURE`.
    pub this_and_future: bool,
    /// SEQUENCE.
    pub sequence: Option<i64>,
    /// SUMMARY (unescaped).
    pub summary: Option<String>,
    /// DESCRIPTION (unescaped).
    pub description: Option<String>,
    /// LOCATION (unescaped).
    pub location: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// STATUS, upper-cased.
    pub status: Option<String>,
    /// CLASS, upper-cased.
    pub class: Option<String>,
    /// LAST-MODIFIED as a UTC instant.
    pub last_modified: Option<DateTime<Utc>>,
    /// Raw, unfolded VEVENT text (CRLF line ends). Organizer, attendees and
    /// meeting links are parsed from it on demand: [`EventComponent::details`].
    pub raw: String,
    /// Physical line of `BEGIN:VEVENT`.
    pub line: usize,
    /// Which VCALENDAR of the body the event belongs to (0 for the first;
    /// `usize::MAX` for a VEVENT outside any VCALENDAR). Series are formed
    /// per calendar, as the reference does.
    pub calendar: usize,
}

/// A parsed calendar feed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Feed {
    /// All VEVENTs of all calendars in the body, in source order.
    pub events: Vec<EventComponent>,
    /// What was skipped or repaired while parsing.
    pub warnings: Vec<ParseWarning>,
    /// VTIMEZONE definitions that name no known zone (referenced by [`ZoneRef::Custom`]).
    pub timezones: Vec<CustomZone>,
    /// X-WR-TIMEZONE of the (first) calendar, when it names a known zone.
    pub x_wr_timezone: Option<chrono_tz::Tz>,
    /// X-WR-CALNAME of the (first) calendar.
    pub calendar_name: Option<String>,
}

/// One occurrence of an event in a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Occurrence {
    /// UID of the series.
    pub uid: String,
    /// Original start of this instance; `None` for a UID with no RRULE/RDATE/RECURRENCE-ID.
    pub recurrence_id: Option<DateTime<Utc>>,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (>= start).
    pub end: DateTime<Utc>,
    /// Whether the event is an all-day (DATE) event.
    pub all_day: bool,
    /// Whether the times were floating (placed in the viewer's zone).
    pub floating: bool,
    /// First day of an all-day occurrence.
    pub start_date: Option<NaiveDate>,
    /// Day after the last day of an all-day occurrence (exclusive end).
    pub end_date: Option<NaiveDate>,
    /// SUMMARY.
    pub summary: Option<String>,
    /// DESCRIPTION.
    pub description: Option<String>,
    /// LOCATION.
    pub location: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// STATUS, upper-cased (CANCELLED instances are kept).
    pub status: Option<String>,
    /// SEQUENCE.
    pub sequence: Option<i64>,
    /// LAST-MODIFIED.
    pub last_modified: Option<DateTime<Utc>>,
    /// CLASS: PUBLIC / PRIVATE / CONFIDENTIAL.
    pub class: Option<String>,
    /// ORGANIZER.
    pub organizer: Option<Person>,
    /// ATTENDEEs.
    pub attendees: Vec<Person>,
    /// Meeting links (CONFERENCE, Google / Teams properties, URL, links in text).
    pub conference_links: Vec<String>,
    /// Raw VEVENT text of the component this occurrence comes from.
    pub raw: String,
}

/// Parses a calendar body.
///
/// `content_type_charset` is the `charset` of the HTTP Content-Type, if any.
/// Never panics; malformed pieces are skipped and listed in `warnings`.
pub fn parse_feed(bytes: &[u8], content_type_charset: Option<&str>) -> Result<Feed, FeedError> {
    event::parse_feed(bytes, content_type_charset)
}

impl Feed {
    /// Occurrences overlapping `[from, to)` (zero-length ones when
    /// `from <= start < to`), sorted by (start, uid, recurrence_id), cancelled
    /// ones kept with status CANCELLED. Floating times and all-day dates are
    /// placed in `default_tz` (the room's zone).
    pub fn expand(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        default_tz: chrono_tz::Tz,
    ) -> Vec<Occurrence> {
        match expand::expand(self, from, to, default_tz, ExpandBudget::UNLIMITED) {
            Ok(expansion) => expansion.occurrences,
            // An unlimited budget is never exceeded.
            Err(_) => Vec::new(),
        }
    }

    /// Like [`Feed::expand`], under `budget`: a series over its share is left out and
    /// named in [`Expansion::over_budget`]; a feed over its budget is an error, and the
    /// caller should use none of it (the sync keeps what it stored).
    pub fn expand_within(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        default_tz: chrono_tz::Tz,
        budget: ExpandBudget,
    ) -> Result<Expansion, OverBudget> {
        expand::expand(self, from, to, default_tz, budget)
    }

    /// A rough count of the bytes this parsed feed holds in memory (its strings, which are
    /// most of it), for caches that are bounded in bytes.
    pub fn approx_bytes(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        self.events
            .iter()
            .map(|e| {
                std::mem::size_of::<EventComponent>()
                    + e.raw.len()
                    + e.uid.len()
                    + text(&e.summary)
                    + text(&e.description)
                    + text(&e.location)
                    + text(&e.url)
            })
            .sum::<usize>()
            + self
                .warnings
                .iter()
                .map(|w| w.reason.len() + 32)
                .sum::<usize>()
    }
}
