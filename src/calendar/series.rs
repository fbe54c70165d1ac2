//! One series (master + overrides) → its occurrences in a window.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::expand::{occurrence, Out, Series};
use super::frames::{add, span, until_bound, Ctx};
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
        details: Vec::new(),
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
        // An override outranked by another one for the same recurrence id is obsolete.
        let Some(rid) = m.recurrence_id else { continue };
        if ctx
            .keys(rid)
            .iter()
            .any(|k| by_key.get(k).is_some_and(|&i| i != index))
        {
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
    let (core_start, core_end) = span(ctx, core, dtstart);
    let duration = ctx.diff(core_start, core_end);
    // Widen the wall-clock window by zone offsets, the event length and any
    // THISANDFUTURE move so no overlapping instance is missed.
    let mut margin = Duration::days(2) + duration.abs();
    for &(_, index) in this_and_future {
        if let Some(m) = series.mods.get(index) {
            if let (Some(s), Some(r)) = (m.dtstart, m.recurrence_id) {
                let (ms, me) = span(ctx, m, s);
                margin = margin + ctx.diff(r, ms).abs() + ctx.diff(ms, me).abs();
            }
        }
    }
    let lo = from - margin;
    let hi = to + margin;
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
    for (rule, until) in core.rrules.iter().zip(&untils) {
        expand_rule(rule, core_start.naive(), lo, hi, *until, &mut |t| {
            instances.push((core_start.with_naive(t), None))
        });
    }
    for rdate in &core.rdates {
        let (value, length) = match *rdate {
            RDateValue::At(v) => (v, None),
            RDateValue::Period(v, d) => (v, Some(d)),
        };
        let value = match (core_start, value) {
            (TimeValue::Date(_), v) => TimeValue::Date(v.naive().date()),
            (start, TimeValue::Date(d)) => start.with_naive(d.and_time(NaiveTime::MIN)),
            (start @ (TimeValue::Utc(_) | TimeValue::Zoned(..)), TimeValue::Floating(t)) => {
                start.with_naive(t)
            }
            (_, v) => v,
        };
        let utc = ctx.utc(value);
        if utc >= lo - Duration::days(1) && utc <= hi + Duration::days(1) {
            instances.push((value, length));
        }
    }
    // PERIOD lengths apply to whichever instance has that recurrence id,
    // even one that comes from DTSTART (upstream's replace_ends).
    let mut period_lengths: HashMap<NaiveDateTime, Duration> = HashMap::new();
    for (value, length) in &instances {
        if let Some(length) = length {
            for key in ctx.keys(*value) {
                period_lengths.insert(key, *length);
            }
        }
    }
    let mut excluded: HashSet<NaiveDateTime> = HashSet::new();
    for rule in &core.exrules {
        let until = rule.until.map(|u| until_bound(ctx, u, core_start));
        expand_rule(rule, core_start.naive(), lo, hi, until, &mut |t| {
            excluded.insert(t);
        });
    }
    let mut seen: HashSet<NaiveDateTime> = HashSet::new();
    for (instance, _) in instances {
        let keys = ctx.keys(instance);
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
        let shaping = this_and_future
            .iter()
            .rfind(|(key, _)| *key < keys[0])
            .and_then(|&(_, index)| series.mods.get(index).copied());
        let (component, shift, length_of) = match shaping {
            Some(m) => match (m.dtstart, m.recurrence_id) {
                (Some(s), Some(r)) => {
                    let (ms, me) = span(ctx, m, s);
                    (m, ctx.diff(r, ms), ctx.diff(ms, me))
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
