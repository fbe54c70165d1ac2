//! Live-update streams benchmark (not a test): 10,000 open `GET /v1/rooms/{room}/events`
//! streams on one instance — the memory they cost and how long a change takes to reach
//! all of them.
//!
//! ```text
//! cargo leptos build --release
//! cargo bench -p server --bench events_bench -- fanout [STREAMS] [DATABASE_URL]
//! ```
//!
//! The release binary runs as its own process (SQLite, or `DATABASE_URL`); this process
//! opens the streams as plain HTTP/1.1 connections on loopback (one socket each, no TLS),
//! so the server's resident memory before and after is what the streams cost it. Then
//! 20 changes (a new person in the room's meeting, one every 2 s) are made through `/v1`;
//! the latency of one stream is from sending the change to reading its `participants`
//! event. Both processes need a file descriptor per stream: the bench raises its soft
//! `RLIMIT_NOFILE` to the hard limit, and the server inherits it.

#[path = "api_bench/setup.rs"]
#[allow(dead_code)]
mod setup;

use serde_json::json;
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
        _ => eprintln!("usage: events_bench fanout [STREAMS] [DATABASE_URL]"),
    }
}

/// Raises this process's soft open-file limit to its hard limit; returns the new limit.
#[allow(unsafe_code)]
fn raise_fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain libc calls on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
    limit.rlim_cur
}

/// Opens one stream of `room` on `port`, reports when it is open, then reports the
/// arrival time of every `participants` event on `arrivals`.
async fn stream(
    port: u16,
    room: Arc<str>,
    opened: mpsc::UnboundedSender<()>,
    arrivals: mpsc::UnboundedSender<Instant>,
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
    loop {
        let Ok(n) = socket.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        let at = Instant::now();
        let text = String::from_utf8_lossy(&buffer[..n]);
        for _ in text.matches("event: participants") {
            let _ = arrivals.send(at);
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
    let server = setup::start(
        database,
        &[
            "--no-background-sync",
            "--max-event-streams-per-address",
            &cap,
            "--presence-ids-per-minute",
            "1000",
        ],
    )
    .await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let room = format!("bench-{}", &tag[..8]);
    let cookie = setup::sign_up(&server.url, &tag).await;
    let client = reqwest::Client::new();
    let made = client
        .post(format!("{}/v1/rooms", server.url))
        .header("cookie", &cookie)
        .json(&json!({"name": room}))
        .send()
        .await
        .expect("room");
    assert!(made.status().is_success());
    let started: serde_json::Value = client
        .post(format!("{}/v1/rooms/{room}/meeting", server.url))
        .header("cookie", &cookie)
        .json(&json!({}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    let meeting = started["meeting"]["id"].as_str().expect("id").to_string();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (rss_before, _) = setup::memory_mb(server.pid);

    let port: u16 = server
        .url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let room: Arc<str> = room.into();
    let (opened_tx, mut opened) = mpsc::unbounded_channel();
    let (arrivals_tx, mut arrivals) = mpsc::unbounded_channel();
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
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (rss_after, _) = setup::memory_mb(server.pid);

    let mut latencies = Vec::with_capacity(streams * ROUNDS);
    let mut last_arrival = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let sent = Instant::now();
        let response = client
            .post(format!("{}/v1/meetings/{meeting}/presence", server.url))
            .json(&json!({"participant_id": format!("bench-person-{round:04}"), "event": "join"}))
            .send()
            .await
            .expect("presence");
        assert!(response.status().is_success(), "{}", response.status());
        let mut got = 0;
        let mut slowest = Duration::ZERO;
        while got < streams {
            match tokio::time::timeout(Duration::from_secs(10), arrivals.recv()).await {
                Ok(Some(at)) => {
                    let latency = at.saturating_duration_since(sent);
                    slowest = slowest.max(latency);
                    latencies.push(latency);
                    got += 1;
                }
                _ => panic!("round {round}: only {got} of {streams} streams heard the change"),
            }
        }
        last_arrival.push(slowest);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    latencies.sort();
    let (rss_end, _) = setup::memory_mb(server.pid);
    println!("server RSS: {rss_before:.1} MB idle, {rss_after:.1} MB with {streams} streams (+{:.1} MB, {:.1} KB per stream), {rss_end:.1} MB after {ROUNDS} changes",
        rss_after - rss_before, (rss_after - rss_before) * 1024.0 / streams as f64);
    println!(
        "fan-out latency over {} deliveries: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; slowest stream per change: median {:.0} ms",
        latencies.len(),
        quantile(&latencies, 0.5).as_secs_f64() * 1000.0,
        quantile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        {
            last_arrival.sort();
            quantile(&last_arrival, 0.5).as_secs_f64() * 1000.0
        }
    );
}
