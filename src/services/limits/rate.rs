//! A counter per key over a fixed window, shared by every instance of one database: the
//! rate limit every limit of [`super::Limiters`] is made of.
//!
//! The database decides: each attempt is one upsert of its key's row for the current
//! window (`rate_counters`), which returns the count with it, so thirty guesses spread
//! over three instances are thirty counts of one row. Windows are aligned to the epoch
//! (`floor(now / window)`), the same on every instance; ended ones are pruned by the
//! lifecycle tick. In front, each process remembers a refusal for a moment
//! ([`REFUSAL_MEMO`]): a client hammering a full window gets its 429 without a database
//! round trip, and the memo can only repeat what the database said.

use crate::store::{Store, StoreError};
use crate::CoreError;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long this process repeats the database's refusal of a key without asking again.
pub const REFUSAL_MEMO: Duration = Duration::seconds(2);

/// Above this many remembered refusals, ended ones are swept out on the next refusal.
pub(super) const SWEEP_AT: usize = 10_000;

/// The window of length `window` that holds `now`: `(start, end)`, aligned to the epoch so
/// every instance computes the same one.
pub fn window_of(now: DateTime<Utc>, window: Duration) -> (DateTime<Utc>, DateTime<Utc>) {
    let length = window.num_seconds().max(1);
    let start_secs = now.timestamp().div_euclid(length) * length;
    let start = DateTime::<Utc>::from_timestamp(start_secs, 0).unwrap_or(now);
    (start, start + Duration::seconds(length))
}

/// Why an attempt may not go ahead.
#[derive(Debug)]
pub enum Refused {
    /// The window is full: come back in this many seconds (when it ends).
    Full(u64),
    /// The database could not be asked.
    Store(StoreError),
}

impl Refused {
    /// The error for the caller: a full window is a 429 whose message `says` what
    /// happened and when to come back (given the wait in seconds).
    pub fn into_error(self, says: impl FnOnce(u64) -> String) -> CoreError {
        match self {
            Refused::Full(wait) => super::too_many(wait, says(wait)),
            Refused::Store(e) => e.into(),
        }
    }
}

/// A place an attempt took in its window: it counts unless it is given back.
#[derive(Debug, Clone)]
#[must_use = "a place is kept (counted) or given back"]
pub struct Place {
    /// The counter's key (the limit's name and whom it counts).
    key: String,
    /// The window the place is in.
    window_start: DateTime<Utc>,
}

/// At most `max` events per key in each window of `window`, counted in the database.
pub struct RateLimiter {
    /// Names this limit's keys in the shared table (`login-account`, `signup`, …).
    name: &'static str,
    /// Events allowed per window.
    max: u32,
    /// Window length.
    window: Duration,
    /// Refusals this process repeats for a moment: when and for how many seconds (see
    /// [`REFUSAL_MEMO`]).
    refused: Mutex<HashMap<String, (DateTime<Utc>, u64)>>,
}

impl RateLimiter {
    /// A limit named `name` allowing `max` events per `window` per key.
    pub fn new(name: &'static str, max: u32, window: Duration) -> Self {
        RateLimiter {
            name,
            max,
            window,
            refused: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a place for one event of `key` at `now`, or says how long until there is
    /// one. A refused attempt takes no place. One round trip; none while this process
    /// remembers the key was refused.
    pub async fn take(
        &self,
        store: &dyn Store,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Place, Refused> {
        let key = format!("{}/{key}", self.name);
        if let Some(wait) = self.remembered(&key, now) {
            return Err(Refused::Full(wait));
        }
        let (start, end) = window_of(now, self.window);
        let count = store
            .count_event(&key, start, end)
            .await
            .map_err(Refused::Store)?;
        if count <= self.max {
            return Ok(Place {
                key,
                window_start: start,
            });
        }
        // Over the limit: this attempt does not count, so places given back later (a
        // right password) free the window for real attempts.
        if let Err(e) = store.uncount_event(&key, start).await {
            tracing::warn!(error = %e, key, "could not take a refused attempt back");
        }
        let wait = u64::try_from((end - now).num_seconds().max(1)).unwrap_or(1);
        self.remember(key, now, wait);
        Err(Refused::Full(wait))
    }

    /// Gives `place` back: the attempt turned out not to count (a right password, a
    /// sign-up that failed). A database error is logged; the place then stays counted.
    pub async fn give_back(&self, store: &dyn Store, place: Place) {
        if let Err(e) = store.uncount_event(&place.key, place.window_start).await {
            tracing::warn!(error = %e, key = place.key, "could not give a rate-limit place back");
        }
    }

    /// Forgets everything counted for `key` (a right password clears its account's
    /// failures), here and in the database.
    pub async fn forget(&self, store: &dyn Store, key: &str) {
        let key = format!("{}/{key}", self.name);
        self.memo().remove(&key);
        if let Err(e) = store.forget_events(&key).await {
            tracing::warn!(error = %e, key, "could not forget a rate-limit key");
        }
    }

    /// The remaining wait of a refusal of `key` this process remembers at `now`.
    fn remembered(&self, key: &str, now: DateTime<Utc>) -> Option<u64> {
        let memo = self.memo();
        let (refused_at, wait) = *memo.get(key)?;
        let passed = u64::try_from((now - refused_at).num_seconds()).unwrap_or(u64::MAX);
        let memo_secs = u64::try_from(REFUSAL_MEMO.num_seconds()).unwrap_or(0);
        (passed < memo_secs.min(wait)).then(|| (wait - passed).max(1))
    }

    /// Remembers that `key` was refused at `now` for `wait` seconds.
    fn remember(&self, key: String, now: DateTime<Utc>, wait: u64) {
        let mut memo = self.memo();
        if memo.len() >= SWEEP_AT {
            memo.retain(|_, (refused_at, _)| now - *refused_at < REFUSAL_MEMO);
        }
        memo.insert(key, (now, wait));
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, HashMap<String, (DateTime<Utc>, u64)>> {
        // A panic elsewhere while holding the lock leaves entries that are still valid.
        match self.refused.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, s)
            .single()
            .expect("valid instant")
    }

    #[test]
    fn every_instance_puts_an_instant_in_the_same_aligned_window() {
        let fifteen = Duration::minutes(15);
        assert_eq!(
            window_of(at(9, 7, 31), fifteen),
            (at(9, 0, 0), at(9, 15, 0))
        );
        assert_eq!(
            window_of(at(9, 15, 0), fifteen),
            (at(9, 15, 0), at(9, 30, 0))
        );
        assert_eq!(
            window_of(at(9, 14, 59), Duration::minutes(1)),
            (at(9, 14, 0), at(9, 15, 0))
        );
        assert_eq!(
            window_of(at(9, 14, 59), Duration::hours(1)),
            (at(9, 0, 0), at(10, 0, 0))
        );
    }

    #[test]
    fn a_remembered_refusal_counts_its_wait_down_and_lapses_after_the_memo() {
        let limiter = RateLimiter::new("t", 1, Duration::minutes(15));
        limiter.remember("t/k".into(), at(9, 0, 0), 600);
        assert_eq!(limiter.remembered("t/k", at(9, 0, 1)), Some(599));
        assert_eq!(limiter.remembered("t/other", at(9, 0, 1)), None);
        assert_eq!(
            limiter.remembered("t/k", at(9, 0, 2)),
            None,
            "asks the database again"
        );
        limiter.remember("t/short".into(), at(9, 0, 0), 1);
        assert_eq!(
            limiter.remembered("t/short", at(9, 0, 1)),
            None,
            "never past the wait"
        );
    }
}
