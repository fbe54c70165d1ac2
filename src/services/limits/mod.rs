//! Limits that keep one client from stalling or distorting the service: failed sign-ins,
//! sign-ups, new presence ids, address tests, and the caps on rooms, meetings and people.
//! Every instance on one database shares them: rate limits count in the database's
//! windowed counters ([`rate`]), and each cap's check and the write it guards run under
//! one lock per room, owner or meeting that the database holds ([`keyed_locks`]). A flag's
//! number is the number for the whole deployment, however many instances serve it.
//! Only password hashing at once is per instance (it is this machine's memory). Each
//! limit answers with [`CoreError::TooManyRequests`]: a 429 with `Retry-After` and what
//! to do.
//!
//! Rules take `now`; only the use cases read the clock. Here: the client's address (the
//! key of per-client limits), the settings and the set of limits the core holds, and
//! the 429 itself.

use crate::CoreError;
use chrono::Duration;
pub mod keyed_locks;
pub mod rate;

pub use keyed_locks::{KeyGuard, KeyedLocks};
pub use rate::{Place, RateLimiter, Refused};

use std::net::IpAddr;

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
    /// Knocks (requests to join a meeting of a knock room) one client address may make
    /// per hour.
    pub knocks_per_hour: u32,
    /// Knocks from one client address that may wait for an answer at once.
    pub max_pending_knocks_per_address: u32,
    /// Ended meetings one client address may reopen per hour (each makes a new call).
    pub reopens_per_hour: u32,
    /// Test events and redeliveries the owners of one room may ask for per minute (each
    /// is an outbound request to their endpoint).
    pub webhook_sends_per_minute: u32,
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
            knocks_per_hour: 20,
            max_pending_knocks_per_address: 3,
            reopens_per_hour: 10,
            webhook_sends_per_minute: 10,
        }
    }
}

/// The limits of [`LimitSettings`], each shared by every instance of the database.
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
    /// Knocks made by client address.
    pub knocks: RateLimiter,
    /// Ended meetings reopened by client address.
    pub reopens: RateLimiter,
    /// Webhook test events and redeliveries by room.
    pub webhook_sends: RateLimiter,
    /// Password hashes computed at once (on this machine).
    pub hashing: tokio::sync::Semaphore,
    /// Serializes joins of one meeting, starts in one room, rooms of one owner.
    pub serial: KeyedLocks,
}

impl Limiters {
    /// Counters for `settings`, all empty.
    pub fn new(settings: LimitSettings) -> Self {
        Limiters {
            login_by_account: RateLimiter::new(
                "login-account",
                settings.login_failures,
                settings.login_window,
            ),
            login_by_client: RateLimiter::new(
                "login-client",
                settings.login_failures,
                settings.login_window,
            ),
            presence_ids: RateLimiter::new(
                "presence-id",
                settings.presence_ids_per_minute,
                Duration::minutes(1),
            ),
            feed_tests: RateLimiter::new(
                "feed-test",
                settings.feed_tests_per_minute,
                Duration::minutes(1),
            ),
            feed_saves: RateLimiter::new(
                "feed-save",
                settings.feed_tests_per_minute,
                Duration::minutes(1),
            ),
            signups: RateLimiter::new("signup", settings.signups_per_hour, Duration::hours(1)),
            knocks: RateLimiter::new("knock", settings.knocks_per_hour, Duration::hours(1)),
            reopens: RateLimiter::new("reopen", settings.reopens_per_hour, Duration::hours(1)),
            webhook_sends: RateLimiter::new(
                "webhook-send",
                settings.webhook_sends_per_minute,
                Duration::minutes(1),
            ),
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
