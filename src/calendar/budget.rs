//! What one expansion may spend: recurrence steps per series and per feed.
//!
//! A rule such as `FREQ=HOURLY;COUNT=1000000;BYMONTH=2;BYMONTHDAY=30` never yields an
//! instance, and because of its COUNT it must be walked from DTSTART: without a bound, a
//! feed of 2,000 of them is minutes of CPU. A step is one period the iterator looks at,
//! plus one per day or candidate it examines in that period, so the count tracks the work
//! done whatever the frequency.

use std::cell::Cell;

/// Step budgets of one expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpandBudget {
    /// Steps one series (master, overrides and the checks they need) may take; a series
    /// over it is left out and named in [`Expansion::over_budget`].
    pub steps_per_series: u64,
    /// Steps the whole feed may take; over it, the expansion fails with [`OverBudget`].
    pub steps_per_feed: u64,
}

impl ExpandBudget {
    /// The budget of [`ExpandBudget::default`] (`--feed-series-steps`, `--feed-steps`).
    /// Sized on the engine bench: a 34.5 MB feed of 40,000 events, 2,000 of them series
    /// started years ago, takes about 2.5 million steps in a 25-hour window; the hostile
    /// feed of the abuse issue would take billions. About a second of CPU on one core.
    pub const DEFAULT: ExpandBudget = ExpandBudget {
        steps_per_series: 200_000,
        steps_per_feed: 20_000_000,
    };

    /// No limit beyond the iterator's own per-rule bounds (tools and tests).
    pub const UNLIMITED: ExpandBudget = ExpandBudget {
        steps_per_series: u64::MAX,
        steps_per_feed: u64::MAX,
    };
}

impl Default for ExpandBudget {
    /// [`ExpandBudget::DEFAULT`].
    fn default() -> Self {
        ExpandBudget::DEFAULT
    }
}

/// What an expansion within a budget produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    /// The occurrences, as [`super::Feed::expand`] returns them.
    pub occurrences: Vec<super::Occurrence>,
    /// Series left out because they went over their budget, each named for the owner
    /// (`"Weekly sync" (UID abc@example.com)`).
    pub over_budget: Vec<String>,
    /// Steps taken, for logs and benchmarks.
    pub steps: u64,
}

/// The feed went over its step budget: nothing of it should be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the calendar's recurring events need too much work to expand (over {budget} steps); \
     remove or simplify rules with huge COUNT values or filters that never match"
)]
pub struct OverBudget {
    /// The feed budget that was exceeded.
    pub budget: u64,
}

/// Counts the steps of one expansion against its budget.
pub(crate) struct Meter {
    budget: ExpandBudget,
    series: Cell<u64>,
    feed: Cell<u64>,
}

impl Meter {
    /// A meter with nothing spent.
    pub(crate) fn new(budget: ExpandBudget) -> Self {
        Meter {
            budget,
            series: Cell::new(0),
            feed: Cell::new(0),
        }
    }

    /// Spends `steps`; false once the series or the feed is over its budget, so the
    /// iterator stops.
    pub(crate) fn charge(&self, steps: u64) -> bool {
        let series = self.series.get().saturating_add(steps);
        let feed = self.feed.get().saturating_add(steps);
        self.series.set(series);
        self.feed.set(feed);
        series <= self.budget.steps_per_series && feed <= self.budget.steps_per_feed
    }

    /// Starts counting a new series.
    pub(crate) fn start_series(&self) {
        self.series.set(0);
    }

    /// Whether the current series went over its budget.
    pub(crate) fn series_over(&self) -> bool {
        self.series.get() > self.budget.steps_per_series
    }

    /// Whether the feed went over its budget.
    pub(crate) fn feed_over(&self) -> bool {
        self.feed.get() > self.budget.steps_per_feed
    }

    /// Steps spent so far.
    pub(crate) fn spent(&self) -> u64 {
        self.feed.get()
    }

    /// The feed budget.
    pub(crate) fn feed_budget(&self) -> u64 {
        self.budget.steps_per_feed
    }
}
