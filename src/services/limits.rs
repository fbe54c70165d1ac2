//! Limits that keep one client from stalling or distorting the service: failed sign-ins,
//! password hashing at once, new presence ids, address tests. Each is a counter per key
//! over a window, kept in this process's memory (a limit per instance is what an operator
//! running several instances expects from a flag), and answers with
//! [`CoreError::TooManyRequests`]: a 429 with `Retry-After` and what to do.
//!
//! Rules take `now`; only the use cases read the clock.

use crate::CoreError;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// The address a request came from (the peer, or the proxy's `X-Forwarded-For` entry
/// when the operator trusts it). `None` when unknown (in-process callers, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The key limits file this client under: IPv6 clients by their /64, since one host
    /// usually holds a whole /64 and could otherwise pick a fresh address per request.
    pub fn key(&self) -> String {
        match self.0 {
            // An IPv4 client of a server listening on `[::]` arrives as `::ffff:a.b.c.d`.
            Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some() => v6
                .to_ipv4_mapped()
                .map_or_else(String::new, |v4| v4.to_string()),
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            Some(IpAddr::V4(v4)) => v4.to_string(),
            None => "unknown".into(),
        }
    }
}

/// The abuse limits, each a flag of `roomcal serve`.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Failed sign-ins (or sign-ups) per account and per client address in `login_window`.
    pub login_failures: u32,
    /// The window failed sign-ins are counted in.
    pub login_window: Duration,
    /// Password hashes (sign-up, sign-in) computed at once; each takes 19 MiB.
    pub password_hash_concurrency: usize,
    /// How long a request waits for a hashing slot before it is told to retry.
    pub password_hash_wait: std::time::Duration,
    /// New participant ids one client address may announce in one meeting per minute.
    pub presence_ids_per_minute: u32,
    /// People (pages) present in one meeting at most.
    pub max_participants_per_meeting: u32,
    /// Unscheduled meetings running at once in one room.
    pub max_unscheduled_per_room: u32,
    /// Rooms one account may own.
    pub max_rooms_per_user: u32,
    /// Unscheduled meetings one account may run at once in rooms it does not own.
    pub max_guest_unscheduled_per_user: u32,
    /// New accounts one client address may create per hour.
    pub signups_per_hour: u32,
    /// Address tests ("test connection") one user may run per minute.
    pub feed_tests_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            login_failures: 10,
            login_window: Duration::minutes(15),
            password_hash_concurrency: 2,
            password_hash_wait: std::time::Duration::from_secs(10),
            presence_ids_per_minute: 20,
            max_participants_per_meeting: 500,
            max_unscheduled_per_room: 5,
            max_rooms_per_user: 100,
            max_guest_unscheduled_per_user: 2,
            signups_per_hour: 10,
            feed_tests_per_minute: 5,
        }
    }
}

/// The counters behind [`LimitSettings`], shared by every request of this process.
pub struct Limiters {
    /// The limits.
    pub settings: LimitSettings,
    /// Failed sign-ins by account (lower-cased email).
    pub login_by_account: RateLimiter,
    /// Failed sign-ins and sign-ups by client address.
    pub login_by_client: RateLimiter,
    /// New presence ids by meeting and client address.
    pub presence_ids: RateLimiter,
    /// Address tests by user.
    pub feed_tests: RateLimiter,
    /// New calendar addresses saved (each looked up in DNS) by user.
    pub feed_saves: RateLimiter,
    /// Accounts created by client address.
    pub signups: RateLimiter,
    /// Password hashes computed at once.
    pub hashing: tokio::sync::Semaphore,
    /// Serialises joins of one meeting, starts in one room, rooms of one owner.
    pub serial: KeyedLocks,
}

impl Limiters {
    /// Counters for `settings`, all empty.
    pub fn new(settings: LimitSettings) -> Self {
        Limiters {
            login_by_account: RateLimiter::new(settings.login_failures, settings.login_window),
            login_by_client: RateLimiter::new(settings.login_failures, settings.login_window),
            presence_ids: RateLimiter::new(settings.presence_ids_per_minute, Duration::minutes(1)),
            feed_tests: RateLimiter::new(settings.feed_tests_per_minute, Duration::minutes(1)),
            feed_saves: RateLimiter::new(settings.feed_tests_per_minute, Duration::minutes(1)),
            signups: RateLimiter::new(settings.signups_per_hour, Duration::hours(1)),
            hashing: tokio::sync::Semaphore::new(settings.password_hash_concurrency.max(1)),
            serial: KeyedLocks::default(),
            settings,
        }
    }
}

impl Default for Limiters {
    fn default() -> Self {
        Limiters::new(LimitSettings::default())
    }
}

impl std::fmt::Debug for Limiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiters")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// One async lock per key (a meeting, a room, an owner): what is checked and then
/// written — "is the meeting full?", "does this user have a meeting running?" — is done
/// by one request of this process at a time. Entries nobody holds are dropped as the map
/// grows.
#[derive(Default)]
pub struct KeyedLocks {
    /// The lock of each key.
    locks: Mutex<HashMap<uuid::Uuid, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl KeyedLocks {
    /// Waits up to `wait` for `key`'s lock; past that, a 429 that says what is busy (a
    /// slow video platform must not queue requests without end).
    pub async fn lock_within(
        &self,
        key: uuid::Uuid,
        wait: std::time::Duration,
        busy: &str,
    ) -> Result<tokio::sync::OwnedMutexGuard<()>, CoreError> {
        tokio::time::timeout(wait, self.lock(key))
            .await
            .map_err(|_| {
                too_many(
                    wait.as_secs().max(1),
                    format!("{busy}; try again in a few seconds"),
                )
            })
    }

    /// Waits for `key`'s lock.
    pub async fn lock(&self, key: uuid::Uuid) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = match self.locks.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            if locks.len() >= SWEEP_AT {
                locks.retain(|_, l| std::sync::Arc::strong_count(l) > 1);
            }
            locks.entry(key).or_default().clone()
        };
        lock.lock_owned().await
    }
}

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
const SWEEP_AT: usize = 10_000;

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

/// The 429 for a limit: wait `retry_after_secs`, and `message` says what happened.
pub fn too_many(retry_after_secs: u64, message: impl Into<String>) -> CoreError {
    CoreError::TooManyRequests {
        retry_after_secs,
        message: message.into(),
    }
}

/// "3 min" or "40 s", for messages.
pub fn wait_text(secs: u64) -> String {
    if secs >= 120 {
        format!("{} min", secs.div_ceil(60))
    } else {
        format!("{secs} s")
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

    #[test]
    fn ipv6_clients_share_a_key_per_64_and_ipv4_clients_have_their_own() {
        let a = ClientAddr(Some("2001:db8:1:2::1".parse().expect("ip")));
        let b = ClientAddr(Some("2001:db8:1:2:ffff::9".parse().expect("ip")));
        let c = ClientAddr(Some("2001:db8:1:3::1".parse().expect("ip")));
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
        let v4 = ClientAddr(Some("192.0.2.7".parse().expect("ip")));
        assert_eq!(v4.key(), "192.0.2.7");
        let mapped = ClientAddr(Some("::ffff:192.0.2.7".parse().expect("ip")));
        assert_eq!(
            mapped.key(),
            "192.0.2.7",
            "IPv4 through a dual-stack socket"
        );
    }
}
