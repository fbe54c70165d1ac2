//! When a failed delivery is tried again, and when roomcal gives up on it or its endpoint.
//! Pure functions of the attempt count, the instants and a jitter drawn by the caller.

use chrono::{DateTime, Duration, Utc};

/// How long a delivery is retried before it is marked failed.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);
/// How long an endpoint may fail without a single success before it is disabled.
pub const DISABLE_AFTER: Duration = Duration::hours(24);
/// The first retry's delay; each next one doubles it.
const FIRST_DELAY: Duration = Duration::seconds(5);
/// The longest wait between two attempts.
const MAX_DELAY: Duration = Duration::hours(2);

/// When to try a delivery written at `created_at` again after its `attempts`-th attempt
/// failed at `now`; `None`: give up (its day is over). `jitter` in `[0, 1)` spreads the
/// retries of many deliveries that failed together over the back half of the delay
/// (`delay × (0.5 + jitter / 2)`), so a receiver that comes back is not hit all at once.
pub fn next_attempt(
    attempts: u32,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    jitter: f64,
) -> Option<DateTime<Utc>> {
    let doublings = attempts.saturating_sub(1).min(20);
    let full = FIRST_DELAY
        .checked_mul(1i32 << doublings)
        .unwrap_or(MAX_DELAY)
        .min(MAX_DELAY);
    let factor = 0.5 + jitter.clamp(0.0, 1.0) / 2.0;
    let delay = Duration::milliseconds((full.num_milliseconds() as f64 * factor) as i64);
    let at = now + delay;
    let deadline = created_at + GIVE_UP_AFTER;
    if now >= deadline {
        None
    } else {
        Some(at.min(deadline))
    }
}

/// Whether an endpoint failing since `failing_since` is to be disabled at `now`.
pub fn should_disable(failing_since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - failing_since >= DISABLE_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_two_hours() {
        let delays: Vec<i64> = (1..=14)
            .map(|n| (next_attempt(n, t0(), t0(), 1.0).unwrap() - t0()).num_seconds())
            .collect();
        assert_eq!(&delays[..4], &[5, 10, 20, 40]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        assert_eq!(*delays.last().unwrap(), 2 * 3600);
    }

    #[test]
    fn jitter_spreads_a_retry_over_the_back_half_of_its_delay() {
        let early = next_attempt(3, t0(), t0(), 0.0).unwrap() - t0();
        let late = next_attempt(3, t0(), t0(), 0.999).unwrap() - t0();
        assert_eq!(early, Duration::seconds(10));
        assert!(late > Duration::seconds(19) && late <= Duration::seconds(20));
    }

    #[test]
    fn a_delivery_is_given_up_a_day_after_it_was_written() {
        let almost = t0() + GIVE_UP_AFTER - Duration::minutes(1);
        let last = next_attempt(30, t0(), almost, 0.5).unwrap();
        assert_eq!(
            last,
            t0() + GIVE_UP_AFTER,
            "the last retry is at the deadline"
        );
        assert_eq!(next_attempt(31, t0(), t0() + GIVE_UP_AFTER, 0.5), None);
    }

    #[test]
    fn an_endpoint_is_disabled_after_failing_for_a_whole_day() {
        assert!(!should_disable(
            t0(),
            t0() + DISABLE_AFTER - Duration::seconds(1)
        ));
        assert!(should_disable(t0(), t0() + DISABLE_AFTER));
    }
}
