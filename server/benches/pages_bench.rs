//! Open room pages benchmark (not a test): what 1,000 open room pages cost the server's
//! CPU over ten minutes of ordinary activity when they poll, and when they are pushed.
//!
//! ```text
//! cargo leptos build --release
//! cargo bench -p server --bench pages_bench -- [PAGES] [MINUTES] [poll|push|both]
//! ```
//!
//! Each mode gets a fresh release server (SQLite) with one room and a running meeting, and
//! `PAGES` simulated room pages that ask what the real page asks (the `get_room_board`
//! server function, as the board's refresh does):
//!
//! - `poll`: every page asks every 3 s (the page without a live stream);
//! - `push`: every page holds the room's event stream (`GET /v1/rooms/{room}/events`),
//!   asks once for each event it reads, and every 30 s besides (the slow poll the page
//!   keeps while its stream is healthy).
//!
//! The activity is the same in both: a new person joins the meeting every 30 s. The figure
//! is the server process's CPU time (user + system, from /proc) over the run, after the
//! pages are open; the pages run in this process.

#[path = "common/mod.rs"]
#[allow(dead_code)]
mod common;
#[path = "common/live.rs"]
mod live;
#[path = "api_bench/setup.rs"]
#[allow(dead_code)]
mod setup;

use live::{join, raise_fd_limit, room_with_meeting};

use leptos::server_fn::ServerFn;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How often a page without a stream asks (the board's `POLL`).
const POLL: Duration = Duration::from_secs(3);
/// How often a page with a healthy stream still asks (`POLL` × `SLOW_POLL_FACTOR`).
const SLOW_POLL: Duration = Duration::from_secs(30);
/// How often something happens in the room.
const CHANGE_EVERY: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let pages: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1_000);
    let minutes: u64 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10);
    let modes: &[&str] = match args.get(3).map(String::as_str) {
        Some("poll") => &["poll"],
        Some("push") => &["push"],
        _ => &["poll", "push"],
    };
    raise_fd_limit();
    for mode in modes {
        run(mode, pages, Duration::from_secs(minutes * 60)).await;
    }
}

/// One mode: a fresh server, `pages` pages for `length`, the server's CPU printed.
async fn run(mode: &str, pages: usize, length: Duration) {
    let cap = (pages + 10).to_string();
    let server = setup::start(
        None,
        &[
            "--no-background-sync",
            "--max-event-streams-per-address",
            &cap,
            "--presence-ids-per-minute",
            "100000",
            "--max-participants-per-meeting",
            "100000",
            "--presence-timeout",
            "30m",
        ],
    )
    .await;
    let (room, meeting, _) = room_with_meeting(&server.url).await;
    let asked = Arc::new(AtomicU64::new(0));
    let client = reqwest::Client::new();
    let stop = Instant::now() + length + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for i in 0..pages {
        let page = Page {
            client: client.clone(),
            server: server.url.clone(),
            room: room.clone(),
            asked: asked.clone(),
        };
        // Pages opened over the first poll interval, as people arrive.
        let offset = POLL.mul_f64(i as f64 / pages as f64);
        tasks.push(match mode {
            "poll" => tokio::spawn(page.poll(offset, stop)),
            _ => tokio::spawn(page.pushed(offset, stop)),
        });
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (cpu_before, asked_before) = (
        common::cpu_seconds(&server.pid.to_string()),
        asked.load(Ordering::Relaxed),
    );
    let started = Instant::now();
    let mut changes = 0;
    while started.elapsed() < length {
        let wait = CHANGE_EVERY.min(length.saturating_sub(started.elapsed()));
        tokio::time::sleep(wait).await;
        if started.elapsed() < length {
            join(&client, &server.url, &meeting, changes).await;
            changes += 1;
        }
    }
    let cpu = common::cpu_seconds(&server.pid.to_string()) - cpu_before;
    let asks = asked.load(Ordering::Relaxed) - asked_before;
    let (rss, _) = setup::memory_mb(server.pid);
    for task in tasks {
        task.abort();
    }
    let secs = length.as_secs_f64();
    println!(
        "{mode}: {pages} pages for {:.0} min, {changes} changes: server CPU {cpu:.1} s ({:.1} % of one core), {asks} board requests ({:.0}/s), {:.2} ms CPU per page-minute, RSS {rss:.0} MB",
        secs / 60.0,
        100.0 * cpu / secs,
        asks as f64 / secs,
        1000.0 * cpu / (pages as f64 * secs / 60.0),
    );
}

/// One simulated room page.
struct Page {
    client: reqwest::Client,
    server: String,
    room: String,
    asked: Arc<AtomicU64>,
}

impl Page {
    /// Asks for the board as the page's refresh does (the server function's own route).
    async fn ask(&self) {
        let response = self
            .client
            .post(format!(
                "{}{}",
                self.server,
                <app::server_fns::GetRoomBoard as ServerFn>::PATH
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("name={}", self.room))
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => {
                let _ = r.bytes().await;
                self.asked.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => eprintln!("board: {}", r.status()),
            Err(e) => eprintln!("board: {e}"),
        }
    }

    /// Without a stream: every [`POLL`].
    async fn poll(self, offset: Duration, stop: Instant) {
        tokio::time::sleep(offset).await;
        let mut tick = tokio::time::interval(POLL);
        while Instant::now() < stop {
            tick.tick().await;
            self.ask().await;
        }
    }

    /// With the room's stream: once per event read, and every [`SLOW_POLL`].
    async fn pushed(self, offset: Duration, stop: Instant) {
        tokio::time::sleep(offset).await;
        let port = self.server.rsplit(':').next().unwrap_or_default();
        let Ok(mut socket) = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await
        else {
            eprintln!("connect failed");
            return;
        };
        let request = format!(
            "GET /v1/rooms/{}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n",
            self.room
        );
        if socket.write_all(request.as_bytes()).await.is_err() {
            return;
        }
        let mut buffer = vec![0u8; 4096];
        let mut slow = tokio::time::interval(SLOW_POLL);
        slow.tick().await;
        while Instant::now() < stop {
            tokio::select! {
                read = socket.read(&mut buffer) => match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        // Heartbeats are comments (`:`); an event has an `event:` line.
                        if String::from_utf8_lossy(&buffer[..n]).contains("event:") {
                            self.ask().await;
                        }
                    }
                },
                _ = slow.tick() => self.ask().await,
            }
        }
    }
}
