//! Shared limits benchmark (not a test): what the database-backed limits add to a
//! request. A sign-in takes two rate-limit places (address and account) and gives them
//! back on a right password; a heartbeat of someone already in a meeting takes none; a
//! newcomer to a meeting takes one place (new ids per address) and the meeting's lock.
//!
//! ```text
//! cargo bench -p server --bench limits_bench -- [ITERATIONS] [DATABASE_URL]
//! ```
//! Defaults: 2,000 iterations per measurement, a fresh SQLite file in a temp directory.
//! Each measurement runs sequentially (latency of one request alone) and with 16 at once
//! (what each costs when requests overlap).

use chrono::{Duration, Utc};
use roomcal::services::limits::{KeyedLocks, RateLimiter};
use roomcal::store::{self, Store};
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

/// p50 and p99 of `samples` (µs), sorted in place.
fn percentiles(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

/// Runs `op(i)` for `n` iterations, `parallel` at once, and prints p50/p99 per call.
async fn measure<F, Fut>(label: &str, n: usize, parallel: usize, op: F)
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..parallel {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut i = worker;
            while i < n {
                let t = Instant::now();
                op(i).await;
                samples.push(t.elapsed().as_secs_f64() * 1e6);
                i += parallel;
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await.expect("worker"));
    }
    let wall = started.elapsed().as_secs_f64();
    let (p50, p99) = percentiles(&mut samples);
    println!(
        "| {label} | {parallel} | {p50:.0} µs | {p99:.0} µs | {:.0}/s |",
        n as f64 / wall
    );
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store: Arc<dyn Store> = store::open(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    println!("database: {}", store::mask_database_url(&url));
    println!("| operation | at once | p50 | p99 | throughput |");
    println!("|---|---|---|---|---|");
    let limiter = Arc::new(RateLimiter::new("bench", u32::MAX, Duration::minutes(15)));
    for parallel in [1, 16] {
        // A sign-in's cost: two places taken, both given back (a right password).
        let (s, l) = (store.clone(), limiter.clone());
        measure(
            "sign-in: 2 places taken + 2 given back",
            n,
            parallel,
            move |i| {
                let (s, l) = (s.clone(), l.clone());
                async move {
                    let now = Utc::now();
                    let a = l.take(s.as_ref(), &format!("client-{}", i % 50), now).await;
                    let b = l.take(s.as_ref(), &format!("account-{i}"), now).await;
                    for place in [a, b] {
                        l.give_back(s.as_ref(), place.expect("room in the window"))
                            .await;
                    }
                }
            },
        )
        .await;
        // One place alone: what each limiter adds (a newcomer's id, an address test).
        let (s, l) = (store.clone(), limiter.clone());
        measure("one place taken (one limiter)", n, parallel, move |i| {
            let (s, l) = (s.clone(), l.clone());
            async move {
                let _kept = l
                    .take(s.as_ref(), &format!("newcomer-{}", i % 200), Utc::now())
                    .await
                    .expect("room in the window");
            }
        })
        .await;
        // A newcomer's cap check: the meeting's lock, here and in the database.
        let locks = Arc::new(KeyedLocks::default());
        let meetings: Arc<Vec<Uuid>> = Arc::new((0..64).map(|_| Uuid::new_v4()).collect());
        let s = store.clone();
        measure("meeting lock taken + released", n, parallel, move |i| {
            let (s, locks, meetings) = (s.clone(), locks.clone(), meetings.clone());
            async move {
                let _guard = locks
                    .lock_within(
                        s.as_ref(),
                        meetings[i % meetings.len()],
                        std::time::Duration::from_secs(5),
                        "busy",
                    )
                    .await
                    .expect("lock");
            }
        })
        .await;
    }
}
