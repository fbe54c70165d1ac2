//! Component tree → [`Feed`]: time zones, X-WR-TIMEZONE and typed VEVENTs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::budget::Meter;
use super::component::{Component, EventSink, TreeBuilder};
use super::contentline::{unescape_text, PropRef};
use super::decode::{for_each_logical_line, to_utf8_bytes};
use super::rrule::{RRule, Until};
use super::tz::{iana, tzid_key, Resolver, ZoneRef, Zones};
use super::values::{
    parse_datetime, parse_duration, parse_time_prop, parse_time_value, RDateValue, TimeValue,
};
use super::vtimezone::{CustomZone, ZONE_BUDGET};
use super::{push_warning, EventComponent, Feed, FeedError, ParseWarning};

/// Explains what a body that is not a calendar looks like.
fn not_calendar(text: &[u8]) -> FeedError {
    let head: String =
        String::from_utf8_lossy(text.get(..text.len().min(2048)).unwrap_or_default())
            .trim_start()
            .to_ascii_lowercase();
    if head.is_empty() {
        return FeedError::Empty;
    }
    let message = if head.starts_with('<') || head.contains("<html") {
        "the server returned an HTML page, not a calendar — is the address a published ICS link?"
    } else if head.starts_with('{') || head.starts_with('[') {
        "the server returned JSON, not a calendar — is the address a published ICS link?"
    } else {
        "the response is not an iCalendar file (it has no BEGIN:VCALENDAR)"
    };
    FeedError::NotCalendar(message.to_owned())
}

/// TZIDs seen in events, numbered in order of appearance. Events are built
/// before their calendar's VTIMEZONEs are known (those may come last), so a
/// TZID is first stored as `ZoneRef::Custom(interned index)` and resolved
/// when the calendar is complete.
#[derive(Default)]
struct TzidInterner {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl TzidInterner {
    fn intern(&mut self, tzid: &str) -> ZoneRef {
        // Feeds use a handful of TZIDs: a scan beats hashing for those.
        let scanned = (self.names.len() <= 8)
            .then(|| self.names.iter().position(|n| n == tzid))
            .flatten();
        if let Some(i) = scanned {
            return ZoneRef::Custom(i);
        }
        if let Some(&i) = self.index.get(tzid) {
            return ZoneRef::Custom(i);
        }
        let i = self.names.len();
        self.names.push(tzid.to_owned());
        self.index.insert(tzid.to_owned(), i);
        ZoneRef::Custom(i)
    }
}

pub(crate) fn parse_feed(bytes: &[u8], charset: Option<&str>) -> Result<Feed, FeedError> {
    let utf8 = to_utf8_bytes(bytes, charset);
    if utf8.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FeedError::Empty);
    }
    let mut feed = Feed::default();
    let mut events = EventBuilder::default();
    let mut tree_warnings = Vec::new();
    let tree = {
        let mut builder = TreeBuilder::new(&mut tree_warnings, &mut events);
        for_each_logical_line(&utf8, |line| builder.push(line));
        builder.finish()
    };
    let EventBuilder {
        interner,
        warnings: event_warnings,
        events: mut pending,
        ordinals,
        ..
    } = events;
    if !tree.saw_calendar {
        return Err(not_calendar(&utf8));
    }
    // Per calendar: how each interned TZID resolves, and its X-WR-TIMEZONE.
    let mut contexts: HashMap<usize, (Vec<Option<ZoneRef>>, Option<ZoneRef>)> = HashMap::new();
    // One budget for the time-zone rules of the whole body, however many calendars it holds.
    let meter = Meter::new(ZONE_BUDGET);
    for (ordinal, calendar) in &tree.calendars {
        let context = calendar_context(&mut feed, calendar, &interner.names, &meter);
        contexts.insert(*ordinal, context);
    }
    let loose = Component::default();
    let loose_context = calendar_context(&mut feed, &loose, &interner.names, &meter);
    let zones = feed.timezones.clone();
    // Resolved in place: a second vector of events would double the peak memory.
    for (event, ordinal) in pending.iter_mut().zip(&ordinals) {
        event.calendar = *ordinal;
        let (mapping, x_wr) = contexts.get(ordinal).unwrap_or(&loose_context);
        resolve_zones(event, mapping);
        if let Some(zone) = x_wr {
            apply_x_wr_timezone(event, *zone, Zones { custom: &zones });
        }
    }
    feed.events = pending;
    let zone_warnings = std::mem::take(&mut feed.warnings);
    feed.warnings = tree_warnings;
    feed.warnings.extend(event_warnings);
    feed.warnings.extend(zone_warnings);
    feed.warnings.sort_by_key(|w| w.line);
    Ok(feed)
}

/// Registers a calendar's VTIMEZONEs and returns how every interned TZID
/// resolves in it, plus its X-WR-TIMEZONE.
fn calendar_context(
    feed: &mut Feed,
    calendar: &Component,
    tzids: &[String],
    meter: &Meter,
) -> (Vec<Option<ZoneRef>>, Option<ZoneRef>) {
    let mut resolver = Resolver::default();
    for child in calendar.children.iter().filter(|c| c.name == "VTIMEZONE") {
        if meter.feed_over() {
            push_warning(
                &mut feed.warnings,
                child.line,
                "the calendar's time zone rules need too much work; the rest are ignored".into(),
            );
            break;
        }
        let Some(tzid) = child.prop("TZID").map(|p| tzid_key(&p.value)) else {
            continue;
        };
        let cleaned = tzid.trim_matches('/').to_owned();
        // A VTIMEZONE for a known IANA name is ignored (like python icalendar).
        if iana(&cleaned).is_some()
            || iana(&tzid).is_some()
            || resolver.custom.contains_key(&cleaned)
        {
            continue;
        }
        match CustomZone::from_component(child, meter) {
            Some(zone) => {
                resolver.custom.insert(cleaned, feed.timezones.len());
                feed.timezones.push(zone);
            }
            None => push_warning(
                &mut feed.warnings,
                child.line,
                format!("VTIMEZONE {tzid:?} has no usable STANDARD/DAYLIGHT rule"),
            ),
        }
    }
    let x_wr = calendar
        .prop("X-WR-TIMEZONE")
        .and_then(|p| iana(unescape_text(p.value.trim()).trim()));
    if feed.x_wr_timezone.is_none() {
        feed.x_wr_timezone = x_wr;
    }
    if feed.calendar_name.is_none() {
        feed.calendar_name = calendar
            .prop("X-WR-CALNAME")
            .map(|p| unescape_text(&p.value));
    }
    let mapping = tzids.iter().map(|name| resolver.resolve(name)).collect();
    (mapping, x_wr.map(ZoneRef::Iana))
}

/// Replaces interned TZIDs by their resolution; unknown ones become floating.
fn resolve_zones(event: &mut EventComponent, mapping: &[Option<ZoneRef>]) {
    let fix = |value: TimeValue| match value {
        TimeValue::Zoned(t, ZoneRef::Custom(i)) => match mapping.get(i).copied().flatten() {
            Some(zone) => TimeValue::Zoned(t, zone),
            None => TimeValue::Floating(t),
        },
        other => other,
    };
    event.dtstart = event.dtstart.map(fix);
    event.dtend = event.dtend.map(fix);
    event.recurrence_id = event.recurrence_id.map(fix);
    for exdate in &mut event.exdates {
        *exdate = fix(*exdate);
    }
    for rdate in &mut event.rdates {
        *rdate = match *rdate {
            RDateValue::At(t) => RDateValue::At(fix(t)),
            RDateValue::Period(t, d) => RDateValue::Period(fix(t), d),
        };
    }
}

/// X-WR-TIMEZONE (Google): floating and UTC times are read in that zone, so a
/// weekly series stored in UTC follows the zone's DST (x-wr-timezone 2.0), and an
/// all-day series' UTC UNTIL becomes the date it falls on there.
fn apply_x_wr_timezone(event: &mut EventComponent, zone: ZoneRef, zones: Zones<'_>) {
    let convert = |value: TimeValue| -> TimeValue {
        match value {
            TimeValue::Floating(t) => TimeValue::Zoned(t, zone),
            TimeValue::Utc(t) => TimeValue::Zoned(zones.utc_to_local(t, zone), zone),
            TimeValue::Zoned(t, ZoneRef::Iana(tz))
                if tz == chrono_tz::UTC || tz == chrono_tz::Etc::UTC =>
            {
                TimeValue::Zoned(zones.utc_to_local(t, zone), zone)
            }
            other => other,
        }
    };
    if matches!(event.dtstart, Some(TimeValue::Date(_))) {
        // An all-day series' UTC UNTIL is the date it falls on in this zone (RFC 5545).
        for rule in event.rrules.iter_mut().chain(&mut event.exrules) {
            if let Some(Until::Utc(t)) = rule.until {
                rule.until = Some(Until::Date(zones.utc_to_local(t, zone).date()));
            }
        }
    }
    event.dtstart = event.dtstart.map(convert);
    event.dtend = event.dtend.map(convert);
    event.recurrence_id = event.recurrence_id.map(convert);
    for exdate in &mut event.exdates {
        *exdate = convert(*exdate);
    }
    for rdate in &mut event.rdates {
        *rdate = match *rdate {
            RDateValue::At(t) => RDateValue::At(convert(t)),
            RDateValue::Period(t, d) => RDateValue::Period(convert(t), d),
        };
    }
}

fn text(prop: &PropRef<'_>) -> String {
    unescape_text(prop.value)
}

fn warn(warnings: &mut Vec<ParseWarning>, prop: &PropRef<'_>, reason: String) {
    push_warning(warnings, prop.line, reason);
}

/// Streams VEVENT properties into [`EventComponent`]s.
#[derive(Default)]
struct EventBuilder {
    /// The event being read.
    current: Option<EventComponent>,
    interner: TzidInterner,
    warnings: Vec<ParseWarning>,
    events: Vec<EventComponent>,
    /// Calendar ordinal of each entry of `events`.
    ordinals: Vec<usize>,
    /// Index in `warnings` of the current event's first warning.
    first_warning: usize,
}

fn empty_event(line: usize) -> EventComponent {
    EventComponent {
        uid: String::new(),
        dtstart: None,
        dtend: None,
        duration: None,
        rrules: Vec::new(),
        exrules: Vec::new(),
        rdates: Vec::new(),
        exdates: Vec::new(),
        recurrence_id: None,
        this_and_future: false,
        sequence: None,
        summary: None,
        description: None,
        location: None,
        url: None,
        status: None,
        class: None,
        last_modified: None,
        raw: String::new(),
        line,
        calendar: 0,
    }
}

impl EventSink for &mut EventBuilder {
    fn begin(&mut self, line: usize) {
        self.current = Some(empty_event(line));
        self.first_warning = self.warnings.len();
    }

    fn abandon(&mut self) {
        self.current = None;
    }

    fn end(&mut self, raw: String, calendar: usize) {
        let Some(mut event) = self.current.take() else {
            return;
        };
        if event.dtstart.is_none() {
            push_warning(
                &mut self.warnings,
                event.line,
                "VEVENT has no valid DTSTART; it has no occurrences".to_owned(),
            );
        }
        // A skipped rule changes what the owner's calendar does: name the event, since
        // its UID and SUMMARY may come after the rule.
        let first = self.first_warning.min(self.warnings.len());
        for warning in &mut self.warnings[first..] {
            let consequence = if warning.reason.starts_with("RRULE skipped") {
                "; only its first instance is kept"
            } else if warning.reason.starts_with("EXRULE skipped") {
                "; nothing is excluded by it"
            } else {
                continue;
            };
            let title = event.summary.as_deref().unwrap_or("(untitled)");
            warning.reason = format!(
                "event {title:?} (UID {}): {}{consequence}",
                event.uid, warning.reason
            );
        }
        event.raw = raw;
        self.events.push(event);
        self.ordinals.push(calendar);
    }

    fn property(&mut self, prop: &PropRef<'_>) {
        let upper;
        let name = if prop.name.bytes().any(|b| b.is_ascii_lowercase()) {
            upper = prop.name.to_ascii_uppercase();
            upper.as_str()
        } else {
            prop.name
        };
        let Some(event) = self.current.as_mut() else {
            return;
        };
        let warnings = &mut self.warnings;
        let interner = std::cell::RefCell::new(&mut self.interner);
        let resolve = |tzid: &str| Some(interner.borrow_mut().intern(tzid));
        match name {
            "UID" if event.uid.is_empty() => event.uid = prop.value.trim().to_owned(),
            "DTSTART" | "DTEND" | "RECURRENCE-ID" => match parse_time_prop(prop, &resolve) {
                Ok(value) => {
                    let slot = match name {
                        "DTSTART" => &mut event.dtstart,
                        "DTEND" => &mut event.dtend,
                        _ => {
                            event.this_and_future |= prop
                                .param("RANGE")
                                .is_some_and(|r| r.trim().eq_ignore_ascii_case("THISANDFUTURE"));
                            &mut event.recurrence_id
                        }
                    };
                    if slot.is_none() {
                        *slot = Some(value);
                    }
                }
                Err(reason) => warn(warnings, prop, reason),
            },
            "DURATION" => match parse_duration(prop.value) {
                Some(d) => event.duration = event.duration.or(Some(d)),
                None => warn(warnings, prop, format!("invalid DURATION {:?}", prop.value)),
            },
            "RRULE" | "EXRULE" => match RRule::parse(prop.value) {
                Ok(rule) if name == "RRULE" => event.rrules.push(rule),
                Ok(rule) => event.exrules.push(rule),
                Err(reason) => warn(warnings, prop, format!("{} skipped: {reason}", prop.name)),
            },
            "RDATE" => {
                for item in prop
                    .value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    match parse_rdate(item, prop.param("TZID"), &resolve) {
                        Some(value) => event.rdates.push(value),
                        None => warn(warnings, prop, format!("invalid RDATE value {item:?}")),
                    }
                }
            }
            "EXDATE" => {
                for item in prop
                    .value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    match parse_time_value(item, prop.param("TZID"), &resolve) {
                        Some(value) => event.exdates.push(value),
                        None => warn(warnings, prop, format!("invalid EXDATE value {item:?}")),
                    }
                }
            }
            "SEQUENCE" => match prop.value.trim().parse::<i64>() {
                Ok(n) => event.sequence = Some(n),
                Err(_) => warn(warnings, prop, format!("invalid SEQUENCE {:?}", prop.value)),
            },
            "SUMMARY" if event.summary.is_none() => event.summary = Some(text(prop)),
            "DESCRIPTION" if event.description.is_none() => {
                let value = text(prop);
                event.description = Some(value);
            }
            "LOCATION" if event.location.is_none() => {
                let value = text(prop);
                event.location = Some(value);
            }
            "URL" if event.url.is_none() => {
                let value = prop.value.trim().to_owned();
                event.url = Some(value);
            }
            "STATUS" => event.status = Some(prop.value.trim().to_ascii_uppercase()),
            "CLASS" => event.class = Some(prop.value.trim().to_ascii_uppercase()),
            "LAST-MODIFIED" => {
                event.last_modified = parse_datetime(prop.value)
                    .map(|(t, _)| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc))
            }
            _ => {}
        }
    }
}

fn parse_rdate(
    item: &str,
    tzid: Option<&str>,
    resolve: &dyn Fn(&str) -> Option<ZoneRef>,
) -> Option<RDateValue> {
    match item.split_once('/') {
        Some((start, end)) => {
            let start = parse_time_value(start, tzid, resolve)?;
            let length = match parse_duration(end) {
                Some(d) => d,
                None => {
                    let end = parse_time_value(end, tzid, resolve)?;
                    end.naive() - start.naive()
                }
            };
            Some(RDateValue::Period(start, length))
        }
        None => parse_time_value(item, tzid, resolve).map(RDateValue::At),
    }
}
