//! The system under test: the release `roomcal` binary as its own process, a loopback
//! calendar server, and a room with meetings and people in them, set up through `/v1`.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

/// The public address rooms are configured under (never contacted).
pub const PUBLIC_URL: &str = "https://rooms.example.com";

/// A running `roomcal serve`, killed on drop.
pub struct Roomcal {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its process id, for CPU and memory readings.
    pub pid: u32,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Roomcal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Starts the release binary on a fresh data directory (or `database_url`) with `extra`
/// flags, and waits until it is ready.
pub async fn start(database_url: Option<&str>, extra: &[&str]) -> Roomcal {
    // Where cargo-leptos put it: under $CARGO_TARGET_DIR when set.
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").to_string());
    // ROOMCAL_BENCH_BINARY runs something else in its place: a wrapper that profiles it
    // (`exec heaptrack target/release/roomcal "$@"`), say.
    let binary = std::env::var("ROOMCAL_BENCH_BINARY")
        .unwrap_or_else(|_| format!("{target}/release/roomcal"));
    assert!(
        std::path::Path::new(&binary).exists(),
        "build the server first: cargo leptos build --release"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = format!("127.0.0.1:{}", free_port());
    let mut command = Command::new(&binary);
    command
        .args(["serve", "--addr", &addr, "--data-dir"])
        .arg(dir.path())
        .args([
            "--site-root",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"),
        ])
        .args(["--public-url", PUBLIC_URL])
        .args(["--allow-private-feeds", "--allow-http-feeds"])
        .args(["--feed-host-interval-ms", "0"])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let child = command.spawn().expect("start roomcal");
    let server = Roomcal {
        url: format!("http://{addr}"),
        pid: child.id(),
        child,
        _dir: dir,
    };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{}/readyz", server.url)).send().await {
            if r.status().is_success() {
                return server;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("roomcal did not become ready");
}

/// Serves `/feed/{room}`: `events` meetings in that room, from `starts_in` from now (5
/// minutes ago when negative) for three hours; and `/hostile`: the abuse report's feed of
/// 2,000 series that walk a million never-matching hours.
pub async fn feed_server(events: usize, starts_in: Duration) -> String {
    let app = Router::new()
        .route(
            "/feed/{room}",
            get(
                |State(shape): State<Arc<(usize, Duration)>>, Path(room): Path<String>| async move {
                    feed(&room, shape.0, shape.1)
                },
            ),
        )
        .route("/hostile", get(|| async { hostile_feed() }))
        .with_state(Arc::new((events, starts_in)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// A calendar with `events` running meetings in room `room`, with attendees, descriptions
/// and links: what a real organisation's calendar carries.
fn feed(room: &str, events: usize, starts_in: Duration) -> String {
    let start = Utc::now() + starts_in;
    let end = (start + Duration::hours(3)).format("%Y%m%dT%H%M%SZ");
    let start = start.format("%Y%m%dT%H%M%SZ");
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    for i in 0..events {
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{room}-{i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\n\
             DTEND:{end}\r\nSUMMARY:Planning {i}\r\nLOCATION:{PUBLIC_URL}/room/{room}\r\n\
             DESCRIPTION:Agenda: https://docs.example.com/{i}\\nBring the numbers.\r\n\
             ORGANIZER;CN=Ada:mailto:ada@example.com\r\n\
             ATTENDEE;CN=Bo;PARTSTAT=ACCEPTED:mailto:bo@example.com\r\n\
             ATTENDEE;CN=Cy;PARTSTAT=TENTATIVE:mailto:cy@example.com\r\nEND:VEVENT\r\n"
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// 2,000 × `FREQ=HOURLY;COUNT=1000000;BYMONTH=2;BYMONTHDAY=30` from 2020.
fn hostile_feed() -> String {
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    for i in 0..2000 {
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:hostile-{i}\r\nDTSTAMP:20260101T000000Z\r\n\
             DTSTART:20200101T090000Z\r\nDURATION:PT30M\r\nSUMMARY:Hostile {i}\r\n\
             RRULE:FREQ=HOURLY;COUNT=1000000;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\n"
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// A signed-in owner: the session cookie.
pub async fn sign_up(server: &str, tag: &str) -> String {
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{server}/v1/auth/signup"))
        .json(&json!({"email": format!("{tag}@example.com"), "name": "Bench", "password": "bench password"}))
        .send()
        .await
        .expect("signup");
    assert!(
        response.status().is_success(),
        "signup: {}",
        response.status()
    );
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Creates room `room` with its calendar on `feeds`, synced once.
pub async fn calendar_room(server: &str, cookie: &str, room: &str, feeds: &str) {
    let client = reqwest::Client::new();
    let made = client
        .post(format!("{server}/v1/rooms"))
        .header("cookie", cookie)
        .json(&json!({"name": room}))
        .send()
        .await
        .expect("create room");
    assert!(made.status().is_success(), "create room: {}", made.status());
    let set = client
        .patch(format!("{server}/v1/rooms/{room}"))
        .header("cookie", cookie)
        .json(&json!({"ics_url": format!("{feeds}/feed/{room}"), "ics_enabled": true, "ics_fetch_interval_minutes": 1}))
        .send()
        .await
        .expect("settings");
    assert!(set.status().is_success(), "settings: {}", set.status());
}

/// Syncs `room` now and waits until `count` meetings are active; returns their ids.
pub async fn active_meetings(server: &str, cookie: &str, room: &str, count: usize) -> Vec<String> {
    let client = reqwest::Client::new();
    let synced = client
        .post(format!("{server}/v1/rooms/{room}/ics/sync"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("sync");
    assert!(synced.status().is_success(), "sync: {}", synced.status());
    for _ in 0..200 {
        let list: Value = client
            .get(format!("{server}/v1/rooms/{room}/meetings"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let ids: Vec<String> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["kind"] == "active")
            .filter_map(|m| m["id"].as_str().map(str::to_owned))
            .collect();
        if ids.len() >= count {
            return ids;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("the meetings did not open");
}

/// Announces `per_meeting` people in each meeting.
pub async fn join_people(server: &str, meetings: &[String], per_meeting: usize) {
    let client = reqwest::Client::new();
    for (m, id) in meetings.iter().enumerate() {
        for p in 0..per_meeting {
            let response = client
                .post(format!("{server}/v1/meetings/{id}/presence"))
                .json(&json!({"participant_id": format!("bench-{m}-{p:04}"), "event": "join"}))
                .send()
                .await
                .expect("presence");
            assert!(
                response.status().is_success(),
                "join: {}",
                response.status()
            );
        }
    }
}

/// Resident and peak resident memory of process `pid`, in MB.
pub fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Busy and total CPU ticks of the whole machine (every core), from /proc/stat.
pub fn machine_ticks() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let values: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: f64 = values.iter().sum();
    // idle and iowait are the 4th and 5th.
    let idle = values.get(3).copied().unwrap_or(0.0) + values.get(4).copied().unwrap_or(0.0);
    (total - idle, total)
}
