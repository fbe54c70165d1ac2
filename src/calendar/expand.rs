//! Series → occurrences in a window, following recurring-ical-events 3.8.
//!
//! Components sharing a UID form a series: the master (highest SEQUENCE
//! among those without RECURRENCE-ID) and its overrides. Instances are the
//! master's DTSTART, RRULE and RDATE instants minus EXDATE/EXRULE; an override
//! replaces the instance whose recurrence id it matches (compared both as UTC
//! and as wall-clock time, as upstream does), and is reported on its own when
//! it moved elsewhere. `RANGE=THISANDFUTURE` overrides shift and re-shape all
//! later instances.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::budget::{ExpandBudget, Expansion, Meter, OverBudget};
use super::frames::{shift, Ctx, FxBuild};
use super::series::expand_series;
use super::tz::Zones;
use super::values::TimeValue;
use super::{EventComponent, EventDetails, Feed, Occurrence};

/// Collects occurrences; details (people, links) are parsed once per component.
pub(super) struct Out<'a, 'o> {
    pub occurrences: &'o mut Vec<Occurrence>,
    /// Keyed by the component's address: components live as long as the feed.
    pub details: HashMap<*const EventComponent, EventDetails>,
    /// Ties the cache to the feed's lifetime.
    pub feed: std::marker::PhantomData<&'a EventComponent>,
}

impl<'a> Out<'a, '_> {
    fn details(&mut self, event: &'a EventComponent) -> EventDetails {
        self.details
            .entry(event as *const EventComponent)
            .or_insert_with(|| event.details())
            .clone()
    }
}

/// A series being expanded.
pub(super) struct Series<'a> {
    pub core: Option<&'a EventComponent>,
    pub mods: Vec<&'a EventComponent>,
    pub recurring: bool,
    /// Highest SEQUENCE in the series: upstream stamps it on every occurrence.
    pub sequence: Option<i64>,
}

pub(crate) fn expand(
    feed: &Feed,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    default_tz: Tz,
    budget: ExpandBudget,
) -> Result<Expansion, OverBudget> {
    let meter = Meter::new(budget);
    let ctx = Ctx {
        zones: Zones {
            custom: &feed.timezones,
        },
        default_tz,
        meter: &meter,
    };
    let mut order: Vec<(usize, &str)> = Vec::new();
    let mut groups: HashMap<(usize, &str), Series<'_>, FxBuild> = HashMap::default();
    let mut out: Vec<Occurrence> = Vec::new();
    let mut over_budget: Vec<String> = Vec::new();
    // Expands one series under its own budget: a series over it is left out entirely
    // (half a series would look like removed occurrences) and named for the owner.
    let mut run = |series: &Series<'_>, out: &mut Vec<Occurrence>| {
        let mark = out.len();
        meter.start_series();
        expand_series(ctx, series, from, to, out);
        if meter.feed_over() {
            return Err(OverBudget {
                budget: meter.feed_budget(),
            });
        }
        if meter.series_over() {
            out.truncate(mark);
            over_budget.push(series_name(series));
        }
        Ok(())
    };
    for event in &feed.events {
        if event.dtstart.is_none() {
            continue;
        }
        let recurring =
            !event.rrules.is_empty() || !event.rdates.is_empty() || event.recurrence_id.is_some();
        if event.uid.is_empty() {
            // Without a UID nothing can be merged: a series of its own.
            let series = Series {
                core: event.recurrence_id.is_none().then_some(event),
                mods: if event.recurrence_id.is_some() {
                    vec![event]
                } else {
                    Vec::new()
                },
                recurring,
                sequence: event.sequence,
            };
            run(&series, &mut out)?;
            continue;
        }
        let key = (event.calendar, event.uid.as_str());
        let series = groups.entry(key).or_insert_with(|| {
            order.push(key);
            Series {
                core: None,
                mods: Vec::new(),
                recurring: false,
                sequence: None,
            }
        });
        series.recurring |= recurring;
        series.sequence = series.sequence.max(event.sequence);
        if event.recurrence_id.is_some() {
            series.mods.push(event);
        } else if series
            .core
            .is_none_or(|c| c.sequence.unwrap_or(-1) < event.sequence.unwrap_or(-1))
        {
            series.core = Some(event);
        }
    }
    for key in order {
        if let Some(series) = groups.get(&key) {
            run(series, &mut out)?;
        }
    }
    out.sort_by(|a, b| (a.start, &a.uid, a.recurrence_id).cmp(&(b.start, &b.uid, b.recurrence_id)));
    out.dedup_by(|a, b| a.uid == b.uid && a.recurrence_id == b.recurrence_id && a.start == b.start);
    Ok(Expansion {
        occurrences: out,
        over_budget,
        steps: meter.spent(),
    })
}

/// How a series is named to the owner: its title and UID.
fn series_name(series: &Series<'_>) -> String {
    let event = series.core.or_else(|| series.mods.first().copied());
    let title = event
        .and_then(|e| e.summary.as_deref())
        .unwrap_or("(untitled)");
    let uid = event.map(|e| e.uid.as_str()).unwrap_or("");
    format!("{title:?} (UID {uid})")
}

/// Builds the reported occurrence, applying the oracle's repairs.
#[allow(clippy::too_many_arguments)]
pub(super) fn occurrence<'a>(
    ctx: Ctx<'_>,
    event: &'a EventComponent,
    start: TimeValue,
    end: TimeValue,
    recurrence_id: Option<TimeValue>,
    series: &Series<'_>,
    from: NaiveDateTime,
    to: NaiveDateTime,
    out: &mut Out<'a, '_>,
) {
    let start_utc = ctx.utc(start);
    let mut end_utc = ctx.utc(end);
    let aware = |v: TimeValue| matches!(v, TimeValue::Utc(_) | TimeValue::Zoned(..));
    if aware(start) && aware(end) && end_utc < start_utc {
        // A start moved by a DST gap keeps its DTEND-DTSTART length.
        end_utc = shift(start_utc, end.naive() - start.naive());
    }
    let mut end = end;
    match (start, end) {
        (TimeValue::Date(s), TimeValue::Date(e)) if e <= s => {
            // Same-day all-day DTEND (Calendar Labs & co.): one day.
            let next = s.succ_opt().unwrap_or(s);
            end = TimeValue::Date(next);
            end_utc = ctx.utc(end);
        }
        _ => {}
    }
    let visible = if end_utc <= start_utc {
        from <= start_utc && start_utc < to
    } else {
        start_utc < to && end_utc > from
    };
    if !visible {
        return;
    }
    let all_day = start.is_date();
    let details = out.details(event);
    let date_of = |v: TimeValue| match v {
        TimeValue::Date(d) => Some(d),
        _ => None,
    };
    out.occurrences.push(Occurrence {
        uid: event.uid.clone(),
        recurrence_id: if series.recurring {
            recurrence_id.map(|r| DateTime::from_naive_utc_and_offset(ctx.utc(r), Utc))
        } else {
            None
        },
        start: DateTime::from_naive_utc_and_offset(start_utc, Utc),
        end: DateTime::from_naive_utc_and_offset(end_utc, Utc),
        all_day,
        floating: matches!(start, TimeValue::Floating(_)),
        start_date: if all_day { date_of(start) } else { None },
        end_date: if all_day { date_of(end) } else { None },
        summary: event.summary.clone(),
        description: event.description.clone(),
        location: event.location.clone(),
        url: event.url.clone(),
        status: event.status.clone(),
        sequence: match series.sequence {
            Some(max) if max >= 0 => Some(max),
            _ => event.sequence,
        },
        last_modified: event.last_modified,
        class: event.class.clone(),
        organizer: details.organizer,
        attendees: details.attendees,
        conference_links: details.conference_links,
        raw: event.raw.clone(),
    });
}
