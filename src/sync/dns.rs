//! Host name look-ups for calendar feeds, bounded: at most a few at once, each given up
//! after a timeout, so a resolver that never answers cannot fill the blocking thread pool
//! that password checks and feed parsing run on.
//!
//! The system resolver (`getaddrinfo`) blocks its thread for as long as the OS likes and
//! cannot be cancelled. A look-up therefore holds its slot until its thread really
//! returns, even after the caller gave up: however slow the resolver, at most
//! [`DEFAULT_LOOKUPS_AT_ONCE`] threads wait on it.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Look-ups running at once by default.
pub const DEFAULT_LOOKUPS_AT_ONCE: usize = 4;

/// How long a look-up may take by default, waiting for a slot included.
pub const DEFAULT_LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Turns a host name into addresses; blocking, like `getaddrinfo`.
pub trait HostLookup: Send + Sync + std::fmt::Debug {
    /// The addresses of `host` (with `port` set on each).
    fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemLookup;

impl HostLookup for SystemLookup {
    fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }
}

/// Why a look-up gave no addresses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No answer in time (or every slot stayed busy).
    #[error("the name server did not answer for \"{0}\" in time; try again in a minute")]
    TimedOut(String),
    /// The resolver answered that the name does not exist, or failed.
    #[error("the host name \"{0}\" could not be found; check the address")]
    NotFound(String),
}

/// A [`HostLookup`] behind a bound of look-ups at once and a timeout. Cheap to clone
/// (clones share the bound).
#[derive(Debug, Clone)]
pub struct Resolver {
    /// What answers.
    lookup: Arc<dyn HostLookup>,
    /// One permit per look-up thread allowed at once.
    slots: Arc<Semaphore>,
    /// The most a caller waits, for a slot and the answer together.
    timeout: Duration,
}

impl Resolver {
    /// `lookup` with at most `at_once` look-ups at a time, each waited for `timeout`.
    pub fn new(lookup: Arc<dyn HostLookup>, at_once: usize, timeout: Duration) -> Self {
        Self {
            lookup,
            slots: Arc::new(Semaphore::new(at_once.max(1))),
            timeout,
        }
    }

    /// The system resolver with the default bound and timeout.
    pub fn system() -> Self {
        Self::new(
            Arc::new(SystemLookup),
            DEFAULT_LOOKUPS_AT_ONCE,
            DEFAULT_LOOKUP_TIMEOUT,
        )
    }

    /// The addresses of `host`, or why there are none.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, LookupError> {
        let work = async {
            let permit = self.slots.clone().acquire_owned().await.ok()?;
            let lookup = self.lookup.clone();
            let name = host.to_string();
            tokio::task::spawn_blocking(move || {
                // Released when the thread is free again, not when the caller gives up.
                let _permit = permit;
                lookup.lookup(&name, port)
            })
            .await
            .ok()
        };
        match tokio::time::timeout(self.timeout, work).await {
            Err(_) => Err(LookupError::TimedOut(host.to_string())),
            Ok(Some(Ok(addrs))) if !addrs.is_empty() => Ok(addrs),
            Ok(_) => Err(LookupError::NotFound(host.to_string())),
        }
    }
}

impl Default for Resolver {
    fn default() -> Self {
        Self::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Never answers; counts the threads stuck in it.
    #[derive(Debug, Default)]
    struct Silent {
        stuck: AtomicUsize,
        most: AtomicUsize,
    }

    impl HostLookup for Silent {
        fn lookup(&self, _: &str, _: u16) -> std::io::Result<Vec<SocketAddr>> {
            let now = self.stuck.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(300));
            self.stuck.fetch_sub(1, Ordering::SeqCst);
            Err(std::io::Error::other("no answer"))
        }
    }

    #[tokio::test]
    async fn a_silent_resolver_times_out_and_holds_no_more_threads_than_the_bound() {
        let silent = Arc::new(Silent::default());
        let resolver = Resolver::new(silent.clone(), 2, Duration::from_millis(50));
        let mut tasks = Vec::new();
        for i in 0..10 {
            let resolver = resolver.clone();
            tasks.push(tokio::spawn(async move {
                resolver.resolve(&format!("host{i}.example"), 443).await
            }));
        }
        for task in tasks {
            let answer = task.await.expect("task");
            assert!(
                matches!(answer, Err(LookupError::TimedOut(_))),
                "{answer:?}"
            );
        }
        assert!(silent.most.load(Ordering::SeqCst) <= 2);
    }

    #[tokio::test]
    async fn the_system_resolver_finds_loopback_names() {
        let addrs = Resolver::system()
            .resolve("localhost", 80)
            .await
            .expect("localhost resolves");
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
