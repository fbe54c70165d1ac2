//! A counter per key over a fixed window: the rate limiter every limit of
//! [`super::Limiters`] is made of.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// One key's window: when it started, how many events it counted, and how many attempts
/// are in flight (begun, not yet known to have failed).
#[derive(Debug, Clone, Copy)]
struct Window {
    /// Start of the window.
    start: DateTime<Utc>,
    /// Events counted in it.
    count: u32,
    /// Attempts begun and not finished (see [`RateLimiter::begin`]).
    pending: u32,
}

/// Why an attempt may not begin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The window's events are used up: come back when it ends (seconds).
    Exhausted(u64),
    /// Only attempts still in flight fill the window: come back in a moment (seconds).
    Busy(u64),
}

/// At most `max` events per key in each window of `window` (a fixed window that starts
/// with a key's first event). Keys whose window is over and that have nothing in flight
/// are dropped as the map grows, so memory stays proportional to the keys active in one
/// window.
pub struct RateLimiter {
    /// Events allowed per window.
    max: u32,
    /// Window length.
    window: Duration,
    /// Windows by key.
    windows: Mutex<HashMap<String, Window>>,
}

/// Above this many keys, finished windows are swept out on the next event.
pub(super) const SWEEP_AT: usize = 10_000;

impl RateLimiter {
    /// A limiter allowing `max` events per `window` per key.
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimiter {
            max,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` while `key` has room for one more event at `now`, or how many seconds until
    /// it has. Counts nothing.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let windows = self.lock();
        match windows.get(key) {
            Some(w) if w.start + self.window > now && w.count >= self.max => {
                Err(((w.start + self.window - now).num_seconds().max(1)) as u64)
            }
            _ => Ok(()),
        }
    }

    /// The key's current window at `now` (a new one when the last has ended).
    fn current<'m>(
        &self,
        windows: &'m mut HashMap<String, Window>,
        key: &str,
        now: DateTime<Utc>,
    ) -> &'m mut Window {
        if windows.len() >= SWEEP_AT {
            let window = self.window;
            windows.retain(|_, w| w.start + window > now || w.pending > 0);
        }
        let entry = windows.entry(key.to_string()).or_insert(Window {
            start: now,
            count: 0,
            pending: 0,
        });
        if entry.start + self.window <= now {
            entry.start = now;
            entry.count = 0;
        }
        entry
    }

    /// Counts one event of `key` at `now`.
    pub fn record(&self, key: &str, now: DateTime<Utc>) {
        let mut windows = self.lock();
        let entry = self.current(&mut windows, key, now);
        entry.count = entry.count.saturating_add(1);
    }

    /// Counts one event of `key` at `now` if there is room for it, as one step under the
    /// lock (parallel requests cannot all pass a check made before any of them counted);
    /// otherwise how many seconds until there is room.
    pub fn take(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let mut windows = self.lock();
        let window = self.window;
        let entry = self.current(&mut windows, key, now);
        if entry.count >= self.max {
            return Err(((entry.start + window - now).num_seconds().max(1)) as u64);
        }
        entry.count += 1;
        Ok(())
    }

    /// Begins an attempt that may turn out to be a failure (a sign-in): it holds a place
    /// in the window until [`finish`](Self::finish) says how it went, so a burst of
    /// parallel attempts cannot all pass before any of them failed. Refused as
    /// `Exhausted` when the failures fill the window, as `Busy` when attempts still in
    /// flight do.
    pub fn begin(&self, key: &str, now: DateTime<Utc>) -> Result<(), Refusal> {
        let mut windows = self.lock();
        let window = self.window;
        let entry = self.current(&mut windows, key, now);
        if entry.count >= self.max {
            let wait = (entry.start + window - now).num_seconds().max(1) as u64;
            return Err(Refusal::Exhausted(wait));
        }
        if entry.count + entry.pending >= self.max {
            return Err(Refusal::Busy(2));
        }
        entry.pending += 1;
        Ok(())
    }

    /// Ends an attempt [`begin`](Self::begin) let through: a failure is counted in the
    /// window current at `now`; anything else leaves no trace. A key with nothing
    /// counted and nothing in flight is dropped.
    pub fn finish(&self, key: &str, now: DateTime<Utc>, failed: bool) {
        let mut windows = self.lock();
        let entry = self.current(&mut windows, key, now);
        entry.pending = entry.pending.saturating_sub(1);
        if failed {
            entry.count = entry.count.saturating_add(1);
        }
        if entry.count == 0 && entry.pending == 0 {
            windows.remove(key);
        }
    }

    /// Forgets `key`'s counted failures (a successful sign-in clears its account's);
    /// attempts still in flight keep their places.
    pub fn forget(&self, key: &str) {
        let mut windows = self.lock();
        match windows.get_mut(key) {
            Some(w) if w.pending > 0 => w.count = 0,
            _ => {
                windows.remove(key);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Window>> {
        // A panic elsewhere while holding the lock leaves counters that are still valid.
        match self.windows.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid instant")
            + Duration::seconds(secs)
    }

    #[test]
    fn the_eleventh_event_in_a_window_is_refused_until_the_window_ends() {
        let limiter = RateLimiter::new(10, Duration::minutes(15));
        for i in 0..10 {
            assert_eq!(limiter.take("ada", t(i)), Ok(()), "event {i}");
        }
        assert_eq!(limiter.take("ada", t(60)), Err(15 * 60 - 60));
        assert_eq!(
            limiter.take("bob", t(60)),
            Ok(()),
            "other keys are not affected"
        );
        assert_eq!(limiter.take("ada", t(15 * 60)), Ok(()), "a new window");
    }

    #[test]
    fn checking_counts_nothing_and_forgetting_starts_afresh() {
        let limiter = RateLimiter::new(1, Duration::minutes(1));
        assert_eq!(limiter.check("k", t(0)), Ok(()));
        assert_eq!(limiter.check("k", t(0)), Ok(()));
        limiter.record("k", t(0));
        assert_eq!(limiter.check("k", t(1)), Err(59));
        limiter.forget("k");
        assert_eq!(limiter.check("k", t(1)), Ok(()));
    }

    #[test]
    fn attempts_in_flight_hold_their_place_and_only_failures_are_counted() {
        let limiter = RateLimiter::new(2, Duration::minutes(15));
        assert_eq!(limiter.begin("k", t(0)), Ok(()));
        assert_eq!(limiter.begin("k", t(0)), Ok(()));
        assert_eq!(
            limiter.begin("k", t(0)),
            Err(Refusal::Busy(2)),
            "two in flight"
        );
        limiter.finish("k", t(1), false);
        assert_eq!(
            limiter.begin("k", t(1)),
            Ok(()),
            "a success leaves no trace"
        );
        limiter.finish("k", t(2), true);
        limiter.finish("k", t(2), true);
        assert_eq!(
            limiter.begin("k", t(3)),
            Err(Refusal::Exhausted(15 * 60 - 3))
        );
        limiter.forget("k");
        assert_eq!(limiter.begin("k", t(4)), Ok(()));
        limiter.finish("k", t(4), false);
        assert!(limiter.lock().is_empty(), "nothing counted, nothing kept");
    }

    #[test]
    fn finished_windows_are_swept_when_many_keys_pile_up() {
        let limiter = RateLimiter::new(1, Duration::minutes(1));
        for i in 0..SWEEP_AT {
            limiter.record(&format!("k{i}"), t(0));
        }
        limiter.record("late", t(120));
        assert_eq!(limiter.lock().len(), 1);
    }
}
