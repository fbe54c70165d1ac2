//! One series (master + overrides) → its occurrences in a window.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::expand::{occurrence, Out, Series};
use super::frames::{add, is_aware, shift, span, until_bound, Ctx};
use super::rrule::expand_rule;
use super::values::{RDateValue, TimeValue};
use super::{EventComponent, Occurrence};

pub(super) fn expand_series<'a>(
    ctx: Ctx<'_>,
    series: &Series<'a>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    occurrences: &mut Vec<Occurrence>,
) {
    let (from, to) = (from.naive_utc(), to.naive_utc());
    let out = &mut Out {
        occurrences,
        details: HashMap::new(),
        feed: std::marker::PhantomData,
    };
    // Overrides: the one with the highest SEQUENCE wins a recurrence id.
    let mut by_key: HashMap<NaiveDateTime, usize> = HashMap::new();
    let mut this_and_future: Vec<(NaiveDateTime, usize)> = Vec::new();
    for (index, m) in series.mods.iter().enumerate() {
        let Some(rid) = m.recurrence_id else { continue };
        for key in ctx.keys(rid) {
            let better = by_key
                .get(&key)
                .and_then(|&i| series.mods.get(i))
                .is_none_or(|old| old.sequence.unwrap_or(-1) < m.sequence.unwrap_or(-1));
            if better {
                by_key.insert(key, index);
            }
        }
        if m.this_and_future {
            this_and_future.push((ctx.keys(rid)[0], index));
        }
    }
    this_and_future.sort();
    let mut returned_mods: HashSet<usize> = HashSet::new();
    let mut ex_keys: HashSet<NaiveDateTime> = HashSet::new();
    let mut ex_days: HashSet<NaiveDate> = HashSet::new();
    if let Some(core) = series.core {
        for ex in &core.exdates {
            ex_keys.extend(ctx.keys(*ex));
            if let TimeValue::Date(d) = ex {
                ex_days.insert(*d);
            }
        }
    }
    if let Some(core) = series.core.filter(|c| c.dtstart.is_some()) {
        expand_core(
            ctx,
            series,
            core,
            from,
            to,
            &by_key,
            &this_and_future,
            &ex_keys,
            &ex_days,
            &mut returned_mods,
            out,
        );
    }
    for (index, m) in series.mods.iter().enumerate() {
        if returned_mods.contains(&index)
            || m.recurrence_id
                .is_some_and(|r| ctx.keys(r).iter().any(|k| ex_keys.contains(k)))
        {
            continue;
        }
        // An override outranked (by SEQUENCE) under every one of its
        // recurrence ids is obsolete; see the check below the next one.
        let Some(rid) = m.recurrence_id else { continue };
        // So is an outdated override with rules of its own whose instance the
        // (newer) master no longer has — upstream's skip_core_modification.
        if let Some(core) = series.core {
            let has_rules = !m.rrules.is_empty() || !m.rdates.is_empty() || !m.exdates.is_empty();
            if has_rules
                && m.sequence.unwrap_or(-1) < core.sequence.unwrap_or(-1)
                && !master_has_instance(ctx, core, rid, &ex_keys, &ex_days)
            {
                continue;
            }
        }
        if !ctx.keys(rid).iter().any(|k| by_key.get(k) == Some(&index)) {
            continue;
        }
        if let Some(start) = m.dtstart {
            let (start, end) = span(ctx, m, start);
            occurrence(ctx, m, start, end, Some(rid), series, from, to, out);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn expand_core<'a>(
    ctx: Ctx<'_>,
    series: &Series<'a>,
    core: &'a EventComponent,
    from: NaiveDateTime,
    to: NaiveDateTime,
    by_key: &HashMap<NaiveDateTime, usize>,
    this_and_future: &[(NaiveDateTime, usize)],
    ex_keys: &HashSet<NaiveDateTime>,
    ex_days: &HashSet<NaiveDate>,
    returned_mods: &mut HashSet<usize>,
    out: &mut Out<'a, '_>,
) {
    let Some(dtstart) = core.dtstart else { return };
    let (core_start, core_end) = promote_floating(span(ctx, core, dtstart), core);
    let duration = ctx.diff(core_start, core_end);
    // Widen the wall-clock window by zone offsets, the event length and any
    // THISANDFUTURE move so no overlapping instance is missed.
    let mut margin = Duration::days(2) + duration.abs();
    let moved = this_and_future
        .iter()
        .filter_map(|&(_, index)| series.mods.get(index))
        .filter_map(|m| Some((m, m.dtstart?, m.recurrence_id?)));
    for (m, s, r) in moved {
        let (ms, me) = span(ctx, m, s);
        margin = margin
            .checked_add(&(ctx.diff(r, ms).abs() + ctx.diff(ms, me).abs()))
            .unwrap_or(margin);
    }
    let lo = shift(from, -margin);
    let hi = shift(to, margin);
    let instances = core_instances(ctx, core, core_start, lo, hi);
    // An all-day series with a zoned EXDATE / RDATE is computed upstream as
    // midnights in that zone (and only reported as dates), so its instances
    // are matched against EXDATEs and overrides with those keys.
    let key_frame = if core_start.is_date() {
        aware_frame(core)
    } else {
        None
    };
    let key_of = |value: TimeValue| match (key_frame, value) {
        (Some(frame), TimeValue::Date(_) | TimeValue::Floating(_)) => {
            ctx.keys(frame.with_naive(value.naive()))
        }
        _ => ctx.keys(value),
    };
    // PERIOD lengths apply to whichever instance has that recurrence id,
    // even one that comes from DTSTART (upstream's replace_ends).
    let mut period_lengths: HashMap<NaiveDateTime, Duration> = HashMap::new();
    for (value, length) in &instances {
        if let Some(length) = length {
            for key in key_of(*value) {
                period_lengths.insert(key, *length);
            }
        }
    }
    let mut excluded: HashSet<NaiveDateTime> = HashSet::new();
    for rule in &core.exrules {
        let until = rule.until.map(|u| until_bound(ctx, u, core_start));
        expand_rule(
            rule,
            core_start.naive(),
            lo,
            hi,
            until,
            ctx.meter,
            &mut |t| {
                excluded.insert(t);
            },
        );
    }
    let mut seen: HashSet<NaiveDateTime> = HashSet::new();
    for (instance, _) in instances {
        let keys = key_of(instance);
        let length = keys
            .iter()
            .filter_map(|k| period_lengths.get(k))
            .next_back()
            .copied();
        if !seen.insert(keys[0])
            || ex_days.contains(&instance.naive().date())
            || keys.iter().any(|k| ex_keys.contains(k))
            || excluded.contains(&instance.naive())
        {
            continue;
        }
        let found = keys
            .iter()
            .filter_map(|k| by_key.get(k))
            .next_back()
            .copied();
        if let Some(index) = found {
            if !returned_mods.insert(index) {
                continue;
            }
            let Some(m) = series.mods.get(index) else {
                continue;
            };
            if let Some(start) = m.dtstart {
                let (start, end) = span(ctx, m, start);
                occurrence(ctx, m, start, end, m.recurrence_id, series, from, to, out);
            }
            continue;
        }
        // The latest THISANDFUTURE override before this instance shapes it.
        // (sorted by key: a binary search keeps many overrides cheap)
        let before = this_and_future.partition_point(|(key, _)| *key < keys[0]);
        let shaping = before
            .checked_sub(1)
            .and_then(|i| this_and_future.get(i))
            // Looked up by key like upstream, so an override that lost its
            // key to another (on SEQUENCE or order) shapes nothing, and the
            // winner moves instances only if it is a THISANDFUTURE one itself.
            .and_then(|(key, _)| by_key.get(key))
            .and_then(|&index| series.mods.get(index).copied());
        let (component, shift, length_of) = match shaping {
            Some(m) => match (m.dtstart, m.recurrence_id) {
                (Some(s), Some(r)) => {
                    let (ms, me) = span(ctx, m, s);
                    let shift = if m.this_and_future {
                        ctx.diff(r, ms)
                    } else {
                        Duration::zero()
                    };
                    (m, shift, ctx.diff(ms, me))
                }
                _ => (core, Duration::zero(), duration),
            },
            None => (core, Duration::zero(), duration),
        };
        let mut start = add(instance, shift);
        let mut end = add(start, length.unwrap_or(length_of));
        if core_start.is_date() && core_end.is_date() {
            start = TimeValue::Date(start.naive().date());
            end = TimeValue::Date(end.naive().date());
        }
        let rid = if std::ptr::eq(component, core) {
            start
        } else {
            component.recurrence_id.unwrap_or(start)
        };
        occurrence(ctx, component, start, end, Some(rid), series, from, to, out);
    }
}

/// The master's instants in `[lo, hi]` (wall-clock bounds, generous): DTSTART
/// (unless past every UNTIL), RRULE instances and RDATEs, each with the
/// explicit length of a PERIOD if it has one. EXDATEs are not applied here.
fn core_instances(
    ctx: Ctx<'_>,
    core: &EventComponent,
    core_start: TimeValue,
    lo: NaiveDateTime,
    hi: NaiveDateTime,
) -> Vec<(TimeValue, Option<Duration>)> {
    let mut instances: Vec<(TimeValue, Option<Duration>)> = Vec::new();
    let untils: Vec<Option<NaiveDateTime>> = core
        .rrules
        .iter()
        .map(|r| r.until.map(|u| until_bound(ctx, u, core_start)))
        .collect();
    let last_until = untils.iter().flatten().max().copied();
    if last_until.is_none_or(|u| core_start.naive() <= u) && (lo..=hi).contains(&core_start.naive())
    {
        instances.push((core_start, None));
    }
    // An all-day series is computed as naive datetimes (BYHOUR may give them
    // a time, which then matters for EXDATE / override matching) and only
    // reported as dates.
    let base = if core_start.is_date() {
        TimeValue::Floating(core_start.naive())
    } else {
        core_start
    };
    for (rule, until) in core.rrules.iter().zip(&untils) {
        expand_rule(
            rule,
            core_start.naive(),
            lo,
            hi,
            *until,
            ctx.meter,
            &mut |t| instances.push((base.with_naive(t), None)),
        );
    }
    for rdate in &core.rdates {
        let (value, length) = match *rdate {
            RDateValue::At(v) => (v, None),
            RDateValue::Period(v, d) => (v, Some(d)),
        };
        let value = match (core_start, value) {
            (TimeValue::Date(_), v) => TimeValue::Floating(v.naive()),
            (start, TimeValue::Date(d)) => start.with_naive(d.and_time(NaiveTime::MIN)),
            (start @ (TimeValue::Utc(_) | TimeValue::Zoned(..)), TimeValue::Floating(t)) => {
                start.with_naive(t)
            }
            (_, v) => v,
        };
        let utc = ctx.utc(value);
        if utc >= shift(lo, -Duration::days(1)) && utc <= shift(hi, Duration::days(1)) {
            instances.push((value, length));
        }
    }
    instances
}

/// Whether the master still has an instance at `rid` (upstream's check for
/// outdated overrides, recurring-ical-events issues 148, 164 and 253).
fn master_has_instance(
    ctx: Ctx<'_>,
    core: &EventComponent,
    rid: TimeValue,
    ex_keys: &HashSet<NaiveDateTime>,
    ex_days: &HashSet<NaiveDate>,
) -> bool {
    let Some(dtstart) = core.dtstart else {
        return false;
    };
    let (core_start, _) = promote_floating(span(ctx, core, dtstart), core);
    let day = rid.naive().date().and_time(NaiveTime::MIN);
    let (lo, hi) = (
        shift(day, -Duration::days(2)),
        shift(day, Duration::days(3)),
    );
    let wanted = ctx.keys(rid);
    core_instances(ctx, core, core_start, lo, hi)
        .into_iter()
        .any(|(instance, _)| {
            let keys = ctx.keys(instance);
            !ex_days.contains(&instance.naive().date())
                && !keys.iter().any(|k| ex_keys.contains(k))
                && keys.iter().any(|k| wanted.contains(k))
        })
}

/// A floating series with a zoned or UTC EXDATE / RDATE is read in that
/// value's zone: upstream gives every date of the series the first tzinfo it
/// finds among DTSTART, DTEND, EXDATEs and RDATEs.
fn promote_floating(
    (start, end): (TimeValue, TimeValue),
    core: &EventComponent,
) -> (TimeValue, TimeValue) {
    if !matches!(start, TimeValue::Floating(_)) {
        return (start, end);
    }
    match aware_frame(core) {
        Some(frame) => (
            frame.with_naive(start.naive()),
            if matches!(end, TimeValue::Floating(_)) {
                frame.with_naive(end.naive())
            } else {
                end
            },
        ),
        None => (start, end),
    }
}

/// The first zoned or UTC value among the master's EXDATEs and RDATEs: the
/// zone upstream gives the whole series when DTSTART has none.
fn aware_frame(core: &EventComponent) -> Option<TimeValue> {
    let rdates = core.rdates.iter().map(|r| match *r {
        RDateValue::At(v) | RDateValue::Period(v, _) => v,
    });
    core.exdates
        .iter()
        .copied()
        .chain(rdates)
        .find(|v| is_aware(*v))
}
