//! Spaces out requests to one calendar host, so a thousand rooms on one provider do not
//! hammer it (and get roomcal blocked).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Per-host request spacing.
#[derive(Debug)]
pub struct HostLimiter {
    /// Minimum time between two requests to one host.
    interval: Duration,
    /// The next free slot per host.
    next_free: Mutex<HashMap<String, Instant>>,
}

impl HostLimiter {
    /// A limiter allowing one request per `interval` per host.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            next_free: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `host` may be contacted again, and books the slot.
    pub async fn wait_turn(&self, host: &str) {
        if self.interval.is_zero() {
            return;
        }
        let now = Instant::now();
        let slot = match self.next_free.lock() {
            Ok(mut map) => {
                let entry = map.entry(host.to_ascii_lowercase()).or_insert(now);
                let slot = (*entry).max(now);
                *entry = slot + self.interval;
                slot
            }
            Err(_) => now,
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced_and_other_hosts_are_not_delayed() {
        let limiter = HostLimiter::new(Duration::from_millis(500));
        let start = Instant::now();
        limiter.wait_turn("calendar.google.com").await;
        limiter.wait_turn("CALENDAR.google.com").await;
        limiter.wait_turn("calendar.google.com").await;
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
        let before_other = Instant::now();
        limiter.wait_turn("outlook.office365.com").await;
        assert_eq!(before_other.elapsed(), Duration::ZERO);
    }
}
