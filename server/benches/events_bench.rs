//! Live-update streams benchmark (not a test): 10,000 open `GET /v1/rooms/{room}/events`
//! streams on one instance — the memory they cost and how long a change takes to reach
//! all of them.
//!
//! ```text
//! cargo leptos build --release
//! cargo bench -p server --bench events_bench -- fanout [STREAMS] [DATABASE_URL]
//! cargo bench -p server --bench events_bench -- cross [STREAMS] DATABASE_URL
//! ```
//!
//! `cross`: two instances on one PostgreSQL; the streams are open on the second, 1,000
//! changes are made through the first at 100 a second, and each is timed from its request
//! to its event on every stream of the other instance (`LISTEN/NOTIFY` in between).
//!
//! The release binary runs as its own process (SQLite, or `DATABASE_URL`); this process
//! opens the streams as plain HTTP/1.1 connections on loopback (one socket each, no TLS),
//! so the server's resident memory before and after is what the streams cost it. Then
//! 20 changes (a new person in the room's meeting, one every 2 s) are made through `/v1`;
//! the latency of one stream is from sending the change to reading its `participants`
//! event. Both processes need a file descriptor per stream: the bench raises its soft
//! `RLIMIT_NOFILE` to the hard limit, and the server inherits it.

#[path = "common/live.rs"]
mod live;
#[path = "api_bench/setup.rs"]
#[allow(dead_code)]
mod setup;

use live::{join, raise_fd_limit, room_with_meeting};

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// Changes made while the streams are open.
const ROUNDS: usize = 20;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    match args.get(1).map(String::as_str) {
        Some("fanout") => {
            let streams = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
            fanout(streams, args.get(3).map(String::as_str)).await;
        }
        Some("cross") => {
            let streams = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1_000);
            cross(streams, args.get(3).expect("cross needs a DATABASE_URL")).await;
        }
        _ => eprintln!("usage: events_bench fanout|cross [STREAMS] [DATABASE_URL]"),
    }
}

/// Opens one stream of `room` on `port`, reports when it is open, then reports the head
/// count and arrival time of each `participants` event with a new count on `arrivals`.
async fn stream(
    port: u16,
    room: Arc<str>,
    opened: mpsc::UnboundedSender<()>,
    arrivals: mpsc::UnboundedSender<(usize, Instant)>,
) {
    let Ok(mut socket) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        eprintln!("connect failed");
        return;
    };
    let request = format!(
        "GET /v1/rooms/{room}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
    );
    if socket.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    let mut buffer = vec![0u8; 4096];
    let mut head = Vec::new();
    // The response head first.
    loop {
        let Ok(n) = socket.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        head.extend_from_slice(&buffer[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            assert!(
                head.starts_with(b"HTTP/1.1 200"),
                "stream refused: {}",
                String::from_utf8_lossy(&head[..end])
            );
            break;
        }
    }
    let _ = opened.send(());
    // The head count each `participants` event carries: a join makes it one higher. The
    // lifecycle tick announces the same count again later; only the first is timed.
    let mut last = 0;
    loop {
        let Ok(n) = socket.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        let at = Instant::now();
        let text = String::from_utf8_lossy(&buffer[..n]);
        for part in text.split("\"participants\":").skip(1) {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(count) = digits.parse::<usize>() {
                if count > last {
                    last = count;
                    let _ = arrivals.send((count, at));
                }
            }
        }
    }
}

/// The `q` quantile of sorted `values`.
fn quantile(values: &[Duration], q: f64) -> Duration {
    let at = ((values.len() as f64 - 1.0) * q).round() as usize;
    values.get(at).copied().unwrap_or_default()
}

async fn fanout(streams: usize, database: Option<&str>) {
    let fds = raise_fd_limit();
    println!("open-file limit: {fds}");
    assert!(
        fds as usize > streams + 100,
        "raise the hard open-file limit (ulimit -Hn) above {streams}"
    );
    let cap = (streams + 10).to_string();
    let server = setup::start(database, &flags(&cap)).await;
    let (room, meeting, _) = room_with_meeting(&server.url).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (rss_before, _) = setup::memory_mb(server.pid);
    let mut arrivals = open_streams(&server.url, &room, streams).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (rss_after, _) = setup::memory_mb(server.pid);
    let mut latencies = Vec::with_capacity(streams * ROUNDS);
    let client = reqwest::Client::new();
    for round in 0..ROUNDS {
        let sent = Instant::now();
        join(&client, &server.url, &meeting, round).await;
        for got in 0..streams {
            match tokio::time::timeout(Duration::from_secs(10), arrivals.recv()).await {
                Ok(Some((count, at))) => {
                    assert_eq!(count, round + 1, "the count after join {round}");
                    latencies.push(at.saturating_duration_since(sent));
                }
                _ => panic!("round {round}: only {got} of {streams} streams heard the change"),
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let (rss_end, _) = setup::memory_mb(server.pid);
    println!(
        "server RSS: {rss_before:.1} MB idle, {rss_after:.1} MB with {streams} streams (+{:.1} MB, {:.1} KB per stream), {rss_end:.1} MB after {ROUNDS} changes",
        rss_after - rss_before,
        (rss_after - rss_before) * 1024.0 / streams as f64
    );
    report("fan-out", latencies);
}

/// The server flags of both modes: one address may open every stream, and the changes
/// (new people in one meeting) are not capped.
fn flags(cap: &str) -> Vec<&str> {
    vec![
        "--no-background-sync",
        "--max-event-streams-per-address",
        cap,
        "--presence-ids-per-minute",
        "100000",
        "--max-participants-per-meeting",
        "100000",
        "--presence-timeout",
        "30m",
    ]
}

/// Opens `streams` streams of `room` on `server`; every new head count any of them reads
/// arrives on the returned channel as (the count, when).
async fn open_streams(
    server: &str,
    room: &str,
    streams: usize,
) -> mpsc::UnboundedReceiver<(usize, Instant)> {
    let port: u16 = server
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let room: Arc<str> = room.into();
    let (opened_tx, mut opened) = mpsc::unbounded_channel();
    let (arrivals_tx, arrivals) = mpsc::unbounded_channel();
    let opening = Instant::now();
    let mut open = 0;
    for i in 0..streams {
        tokio::spawn(stream(
            port,
            room.clone(),
            opened_tx.clone(),
            arrivals_tx.clone(),
        ));
        // At most 200 connections being set up at once (the listen backlog).
        if i >= open + 200 {
            opened.recv().await.expect("opened");
            open += 1;
        }
    }
    while open < streams {
        opened.recv().await.expect("opened");
        open += 1;
    }
    println!(
        "{streams} streams open in {:.1} s",
        opening.elapsed().as_secs_f64()
    );
    arrivals
}

/// Prints the quantiles of `latencies`.
fn report(what: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what} latency over {} deliveries: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        ms(quantile(&latencies, 0.5)),
        ms(quantile(&latencies, 0.9)),
        ms(quantile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
}

/// Changes made in `cross` (at [`CROSS_RATE`] a second).
const CROSS_CHANGES: usize = 1_000;

/// Changes per second in `cross`.
const CROSS_RATE: u64 = 100;

async fn cross(streams: usize, database: &str) {
    let fds = raise_fd_limit();
    assert!(
        fds as usize > streams + 100,
        "raise ulimit -Hn above {streams}"
    );
    let cap = (streams + 10).to_string();
    let a = setup::start(Some(database), &flags(&cap)).await;
    let b = setup::start(Some(database), &flags(&cap)).await;
    let (room, meeting, _) = room_with_meeting(&a.url).await;
    let mut arrivals = open_streams(&b.url, &room, streams).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sent = Arc::new(std::sync::Mutex::new(vec![None; CROSS_CHANGES]));
    let sender = {
        let (sent, url, meeting) = (sent.clone(), a.url.clone(), meeting.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / CROSS_RATE));
            for n in 0..CROSS_CHANGES {
                tick.tick().await;
                if let Ok(mut sent) = sent.lock() {
                    sent[n] = Some(Instant::now());
                }
                join(&client, &url, &meeting, n).await;
            }
        })
    };
    let mut arrived = Vec::with_capacity(streams * CROSS_CHANGES);
    for got in 0..streams * CROSS_CHANGES {
        match tokio::time::timeout(Duration::from_secs(10), arrivals.recv()).await {
            Ok(Some(arrival)) => arrived.push(arrival),
            _ => panic!(
                "only {got} of {} deliveries arrived",
                streams * CROSS_CHANGES
            ),
        }
    }
    sender.await.expect("sender");
    let sent = sent.lock().expect("sent").clone();
    let latencies = arrived
        .into_iter()
        .filter_map(|(count, at)| {
            let sent = sent.get(count.checked_sub(1)?).copied().flatten()?;
            Some(at.saturating_duration_since(sent))
        })
        .collect();
    report(
        &format!(
            "cross-instance ({CROSS_RATE} changes/s, {streams} streams on the other instance)"
        ),
        latencies,
    );
}
