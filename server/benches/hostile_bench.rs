//! Hostile-feed benchmark (not a test).
//!
//! `hostile_bench cost` reads the worst hostile feeds in this process — parse, then expand
//! under the default budget — and prints wall and CPU time of each.
//!
//! `hostile_bench latency SERVER_URL` plays the abuse report against a running roomcal
//! (started with `--allow-private-feeds --allow-http-feeds`): it serves a feed of 2,000
//! never-matching `FREQ=HOURLY;COUNT=1000000` series from a loopback server, signs up,
//! creates a room, fires four "test connection" calls at once, and probes `/healthz` every
//! 20 ms until they finish; it prints the probes' p50 / p99 / max and each call's status
//! and duration. Any roomcal version with `/v1/rooms/{room}/ics/test` can be measured, so
//! before and after run the same client.
//!
//! ```text
//! cargo build --release -p server --bin roomcal
//! cargo bench -p server --bench hostile_bench -- cost
//! cargo bench -p server --bench hostile_bench -- latency http://127.0.0.1:3000 [DTSTART, default 20200101T090000Z]
//! ```

mod common;

use axum::routing::get;
use axum::Router;
use chrono::{Duration, Utc};
use roomcal::calendar::{parse_feed, ExpandBudget};
use std::time::Instant;

/// The abuse report's rule: no 30 February, and its COUNT walks it from DTSTART.
const NEVER: &str = "RRULE:FREQ=HOURLY;COUNT=1000000;BYMONTH=2;BYMONTHDAY=30";

/// `events` series with `rule`, starting `dtstart`, in room `room_url`.
fn feed(events: usize, dtstart: &str, rule: &str, room_url: &str) -> String {
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    for i in 0..events {
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:hostile-{i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{dtstart}\r\n\
             DURATION:PT30M\r\nSUMMARY:Hostile {i}\r\nLOCATION:{room_url}\r\n{rule}\r\nEND:VEVENT\r\n"
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// Parses and expands each worst case under the default budget; prints the cost.
fn cost() {
    let now = Utc::now();
    let list = |n: u32| (0..n).map(|v| v.to_string()).collect::<Vec<_>>().join(",");
    let dense = format!(
        "RRULE:FREQ=DAILY;COUNT=4000000000;BYHOUR={};BYMINUTE={};BYSECOND={}",
        list(24),
        list(60),
        list(60)
    );
    let cases = [
        (
            "2,000 × HOURLY;COUNT=1e6 from 2020 (the report)",
            feed(2000, "20200101T090000Z", NEVER, "x"),
        ),
        (
            "2,000 × HOURLY;COUNT=1e6 from 1970",
            feed(2000, "19700101T090000Z", NEVER, "x"),
        ),
        (
            "2,000 × SECONDLY;COUNT=1e6 from 2020",
            feed(
                2000,
                "20200101T090000Z",
                "RRULE:FREQ=SECONDLY;COUNT=1000000;BYMONTH=2;BYMONTHDAY=30",
                "x",
            ),
        ),
        (
            "2,000 × YEARLY;COUNT=1e6;BYMONTHDAY=30;BYMONTH=2 from 1900",
            feed(
                2000,
                "19000101T090000Z",
                "RRULE:FREQ=YEARLY;COUNT=1000000;BYMONTH=2;BYMONTHDAY=30",
                "x",
            ),
        ),
        (
            "2,000 × DAILY;COUNT=4e9 with every hour, minute and second from 2020",
            feed(2000, "20200101T090000Z", &dense, "x"),
        ),
        (
            "1 × HOURLY;COUNT=1e6 from 1970 (one series)",
            feed(1, "19700101T090000Z", NEVER, "x"),
        ),
    ];
    println!("| feed | bytes | parse | expand | CPU | result |");
    println!("|---|---|---|---|---|---|");
    for (name, body) in cases {
        let cpu = common::cpu_seconds("self");
        let started = Instant::now();
        let parsed = parse_feed(body.as_bytes(), None).expect("a calendar");
        let parse = started.elapsed();
        let result = parsed.expand_within(
            now - Duration::hours(1),
            now + Duration::hours(24),
            chrono_tz::UTC,
            ExpandBudget::default(),
        );
        let total = started.elapsed();
        let outcome = match result {
            Ok(e) => format!("{} series skipped, {} steps", e.over_budget.len(), e.steps),
            Err(e) => format!("refused: over {} steps", e.budget),
        };
        println!(
            "| {name} | {} | {:.0} ms | {:.0} ms | {:.2} s | {outcome} |",
            body.len(),
            parse.as_secs_f64() * 1000.0,
            (total - parse).as_secs_f64() * 1000.0,
            common::cpu_seconds("self") - cpu
        );
    }
}

/// Serves `body` at `/feed.ics` on a loopback port; returns the address.
async fn serve_feed(body: String) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().route("/feed.ics", get(move || async move { body }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// The `name=value` of a `Set-Cookie` header.
fn cookie_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(0.0)
}

/// Four hostile address tests at once against `server` (series starting at `dtstart`),
/// with `/healthz` probed meanwhile.
async fn latency(server: &str, dtstart: &str) {
    let client = reqwest::Client::new();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let room = format!("bench-{}", &tag[..8]);
    let signup = client
        .post(format!("{server}/v1/auth/signup"))
        .json(&serde_json::json!({"email": format!("{tag}@example.com"), "name": "Bench", "password": "bench password"}))
        .send()
        .await
        .expect("signup");
    assert!(signup.status().is_success(), "signup: {}", signup.status());
    let cookie = cookie_of(&signup);
    let made = client
        .post(format!("{server}/v1/rooms"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"name": room}))
        .send()
        .await
        .expect("room");
    assert!(made.status().is_success(), "room: {}", made.status());
    let feed_addr = serve_feed(feed(2000, dtstart, NEVER, &format!("{server}/room/{room}"))).await;
    let feed_url = format!("http://{feed_addr}/feed.ics");
    let started = Instant::now();
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let (client, cookie) = (client.clone(), cookie.clone());
            let url = format!("{server}/v1/rooms/{room}/ics/test");
            let body = serde_json::json!({"url": feed_url});
            tokio::spawn(async move {
                let sent = Instant::now();
                let response = client
                    .post(url)
                    .header("cookie", cookie)
                    .json(&body)
                    .send()
                    .await;
                (response.map(|r| r.status().as_u16()), sent.elapsed())
            })
        })
        .collect();
    let mut probes: Vec<f64> = Vec::new();
    while !calls.iter().all(|c| c.is_finished()) && started.elapsed().as_secs() < 300 {
        let asked = Instant::now();
        let ok = client
            .get(format!("{server}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        assert!(ok, "/healthz failed");
        probes.push(asked.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for call in calls {
        let (status, took) = call.await.expect("task");
        println!(
            "test connection: {status:?} after {:.2} s",
            took.as_secs_f64()
        );
    }
    probes.sort_by(f64::total_cmp);
    println!(
        "/healthz while they ran: {} probes, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        probes.len(),
        percentile(&probes, 0.5),
        percentile(&probes, 0.99),
        probes.last().copied().unwrap_or(0.0)
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench` adds `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    match args.get(1).map(String::as_str) {
        Some("cost") => cost(),
        Some("latency") => {
            let server = args.get(2).map_or("http://127.0.0.1:3000", String::as_str);
            let dtstart = args.get(3).map_or("20200101T090000Z", String::as_str);
            latency(server, dtstart).await
        }
        _ => eprintln!("usage: hostile_bench cost | hostile_bench latency SERVER_URL [DTSTART]"),
    }
}
