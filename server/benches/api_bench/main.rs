//! API, page and memory benchmark (not a test) of the release binary, run as its own
//! process on loopback with a throwaway data directory (or `DATABASE_URL`).
//!
//! ```text
//! cargo leptos build --release
//! cargo bench -p server --bench api_bench -- meetings [DATABASE_URL]
//! cargo bench -p server --bench api_bench -- render   [DATABASE_URL]
//! cargo bench -p server --bench api_bench -- presence [DATABASE_URL]
//! cargo bench -p server --bench api_bench -- memory   [DATABASE_URL]
//! ```
//!
//! - `meetings`: `GET /v1/rooms/{room}/meetings` of a room with 10 active meetings and 100
//!   people present, 64 keep-alive connections for 10 s, next to a bare axum handler (this
//!   binary, re-started as `bare`) answering the same bytes, measured by the same client in
//!   the same run.
//! - `render`: server render of `/room/{room}` for the same room, one request at a time.
//! - `presence`: 5,000 people heartbeating every 15 s (333 requests/s, open loop).
//! - `memory`: resident memory idle, with 10,000 rooms syncing every minute, and after the
//!   hostile inputs of the abuse issue.

#[path = "../common/mod.rs"]
mod common;
mod load;
mod setup;

use load::{closed_loop, open_loop, Planned, Stats};
use setup::{memory_mb, Roomcal};
use std::io::BufRead;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Flags every measured server gets: meetings open at once, people stay present for the
/// whole run, and nothing syncs in the background unless asked.
const QUIET: [&str; 5] = [
    "--lifecycle-tick",
    "1s",
    "--presence-timeout",
    "30m",
    "--no-background-sync",
];

#[tokio::main]
async fn main() {
    // `cargo bench` adds `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let database = args.get(2).map(String::as_str);
    match args.get(1).map(String::as_str) {
        Some("bare") => bare(database.expect("bare BODY_FILE")).await,
        Some("meetings") => meetings(database).await,
        Some("render") => render(database).await,
        Some("presence") => presence(database).await,
        Some("memory") => memory(database).await,
        _ => eprintln!("usage: api_bench meetings|render|presence|memory [DATABASE_URL]"),
    }
}

/// A bare axum handler answering the bytes in `path` as JSON: the ceiling for this machine.
async fn bare(path: &str) {
    let body = axum::body::Bytes::from(std::fs::read(path).expect("body file"));
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { ([("content-type", "application/json")], body) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!("{}", listener.local_addr().expect("addr").port());
    axum::serve(listener, app).await.expect("serve");
}

/// A server with one room of 10 running calendar meetings and 100 people in them.
struct Busy {
    server: Roomcal,
    room: String,
    owner: String,
}

async fn busy_room(database: Option<&str>) -> Busy {
    let feeds = setup::feed_server(10, -chrono::Duration::minutes(5)).await;
    let server = setup::start(database, &QUIET).await;
    let tag = Uuid::new_v4().simple().to_string();
    let room = format!("bench-{}", &tag[..8]);
    let owner = setup::sign_up(&server.url, &tag).await;
    setup::calendar_room(&server.url, &owner, &room, &feeds).await;
    let meetings = setup::active_meetings(&server.url, &owner, &room, 10).await;
    setup::join_people(&server.url, &meetings, 10).await;
    // The head counts are the lifecycle tick's: wait until it has counted everyone.
    let client = reqwest::Client::new();
    for _ in 0..100 {
        let list: serde_json::Value = client
            .get(format!("{}/v1/rooms/{room}/meetings", server.url))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let present: u64 = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["participants_now"].as_u64())
            .sum();
        if present == 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Busy {
        server,
        room,
        owner,
    }
}

async fn meetings(database: Option<&str>) {
    let busy = busy_room(database).await;
    let url = format!("{}/v1/rooms/{}/meetings", busy.server.url, busy.room);
    let body = reqwest::get(&url)
        .await
        .expect("list")
        .bytes()
        .await
        .expect("body");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("body.json");
    std::fs::write(&file, &body).expect("write body");
    let mut child = std::process::Command::new(std::env::current_exe().expect("exe"))
        .arg("bare")
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start bare server");
    let mut port = String::new();
    if let Some(out) = child.stdout.take() {
        std::io::BufReader::new(out)
            .read_line(&mut port)
            .expect("port");
    }
    let bare_url = format!("http://127.0.0.1:{}/", port.trim());

    println!(
        "GET /v1/rooms/{{room}}/meetings: 10 active meetings, 100 present, {} bytes (anonymous), database {}",
        body.len(),
        if database.is_some() { "PostgreSQL" } else { "SQLite" }
    );
    println!("| server | requests | req/s | p50 | p99 | max | errors | server CPU |\n|---|---|---|---|---|---|---|---|");
    let measure = |url: String, cookie: Option<String>, pid: u32| async move {
        let cpu = common::cpu_seconds(&pid.to_string());
        let stats = closed_loop(
            &url,
            cookie.as_deref(),
            64,
            Duration::from_secs(2),
            Duration::from_secs(10),
        )
        .await;
        let cpu = (common::cpu_seconds(&pid.to_string()) - cpu) / 12.0 * 100.0;
        (stats, cpu)
    };
    let (ours, ours_cpu) = measure(url.clone(), None, busy.server.pid).await;
    println!("| roomcal, anonymous | {} | {ours_cpu:.0} % |", ours.row());
    let (owner, owner_cpu) = measure(url, Some(busy.owner.clone()), busy.server.pid).await;
    println!("| roomcal, owner | {} | {owner_cpu:.0} % |", owner.row());
    let (bare, bare_cpu) = measure(bare_url, None, child.id()).await;
    println!(
        "| bare axum, same bytes | {} | {bare_cpu:.0} % |",
        bare.row()
    );
    println!(
        "roomcal (anonymous) / bare: {:.0} % of the throughput",
        ours.throughput() / bare.throughput() * 100.0
    );
    let _ = child.kill();
    let _ = child.wait();
}

async fn render(database: Option<&str>) {
    let busy = busy_room(database).await;
    let url = format!("{}/room/{}", busy.server.url, busy.room);
    println!("| /room/{{room}}, 10 active meetings, one request at a time | requests | req/s | p50 | p99 | max | errors |\n|---|---|---|---|---|---|---|");
    let run = |cookie: Option<String>| {
        let url = url.clone();
        async move {
            closed_loop(
                &url,
                cookie.as_deref(),
                1,
                Duration::from_secs(1),
                Duration::from_secs(5),
            )
            .await
        }
    };
    println!(
        "| anonymous (participant view) | {} |",
        run(None).await.row()
    );
    println!(
        "| owner (host view) | {} |",
        run(Some(busy.owner.clone())).await.row()
    );
}

async fn presence(database: Option<&str>) {
    const PEOPLE: usize = 5_000;
    const MEETINGS: usize = 20;
    // 5,000 people each every 15 s: one request every 3 ms.
    let spacing = Duration::from_millis(3);
    let feeds = setup::feed_server(MEETINGS, -chrono::Duration::minutes(5)).await;
    // In production these 5,000 come from 5,000 addresses; here all from 127.0.0.1, so the
    // per-address limit on new ids is lifted for the run.
    let server = setup::start(
        database,
        &[
            "--presence-ids-per-minute",
            "100000",
            "--presence-timeout",
            "1m",
            "--no-background-sync",
        ],
    )
    .await;
    let tag = Uuid::new_v4().simple().to_string();
    let room = format!("bench-{}", &tag[..8]);
    let owner = setup::sign_up(&server.url, &tag).await;
    setup::calendar_room(&server.url, &owner, &room, &feeds).await;
    let meetings = setup::active_meetings(&server.url, &owner, &room, MEETINGS).await;
    let plan = |event: &str, rounds: usize| -> Vec<Planned> {
        (0..PEOPLE * rounds)
            .map(|k| {
                let person = k % PEOPLE;
                let meeting = &meetings[person % MEETINGS];
                Planned {
                    at: spacing * k as u32,
                    url: format!("{}/v1/meetings/{meeting}/presence", server.url),
                    body: format!(
                        "{{\"participant_id\":\"bench-person-{person:05}\",\"event\":\"{event}\"}}"
                    ),
                }
            })
            .collect()
    };
    println!("| 5,000 people, 333 requests/s | requests | req/s | p50 | p99 | max | errors | roomcal CPU (of one core) | machine busy (2 cores, client and database included) |\n|---|---|---|---|---|---|---|---|---|");
    let phase = |label: &'static str, plan: Vec<Planned>, pid: u32| async move {
        let cpu = common::cpu_seconds(&pid.to_string());
        let (busy, total) = setup::machine_ticks();
        let started = Instant::now();
        let stats: Stats = open_loop(plan, 204).await;
        let cpu =
            (common::cpu_seconds(&pid.to_string()) - cpu) / started.elapsed().as_secs_f64() * 100.0;
        let (busy_after, total_after) = setup::machine_ticks();
        let machine = (busy_after - busy) / (total_after - total).max(1.0) * 100.0;
        println!(
            "| {label} | {} | {cpu:.0} % | {machine:.0} % |",
            stats.row()
        );
    };
    phase("join (first 15 s)", plan("join", 1), server.pid).await;
    phase("heartbeat (next 30 s)", plan("heartbeat", 2), server.pid).await;
}

/// Total syncs the server has run, from its `/metrics`.
async fn syncs_done(server: &str) -> f64 {
    let text = reqwest::get(format!("{server}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with("roomcal_syncs_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn memory(database: Option<&str>) {
    // `BENCH_ROOMS` overrides the 10,000 for a quick look.
    let rooms: usize = std::env::var("BENCH_ROOMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    // Events tomorrow: the rooms sync, but no meeting opens (memory of syncing, not of
    // 50,000 meetings).
    let feeds = setup::feed_server(5, chrono::Duration::hours(20)).await;
    let server = setup::start(
        database,
        &["--max-rooms-per-user", "20000", "--lifecycle-tick", "5s"],
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let report = |label: &str| {
        let (rss, peak) = memory_mb(server.pid);
        println!("| {label} | {rss:.0} MB | {peak:.0} MB |");
    };
    println!("| state | resident | peak so far |\n|---|---|---|");
    report("idle, just started");
    let tag = Uuid::new_v4().simple().to_string();
    let owner = setup::sign_up(&server.url, &tag).await;
    let made = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (url, owner, feeds, tag) = (
            server.url.clone(),
            owner.clone(),
            feeds.clone(),
            tag.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in (worker..rooms).step_by(16) {
                setup::calendar_room(&url, &owner, &format!("m{}-{i}", &tag[..6]), &feeds).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("rooms");
    }
    println!(
        "({rooms} rooms with calendars made in {:.0} s)",
        made.elapsed().as_secs_f64()
    );
    for target in [rooms, 2 * rooms] {
        while syncs_done(&server.url).await < target as f64 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        report(&format!(
            "{rooms} rooms syncing every minute, {target} syncs done"
        ));
    }
    hostile_inputs(&server.url, &owner, &tag, &feeds, &report).await;
}

/// Sends `count` requests built by `request`, 16 at a time; returns how many got each
/// status.
async fn flood(
    count: usize,
    request: impl Fn(usize) -> reqwest::RequestBuilder,
) -> std::collections::BTreeMap<u16, usize> {
    let mut statuses = std::collections::BTreeMap::new();
    let mut pending = Vec::new();
    for i in 0..count {
        pending.push(request(i).send());
        if pending.len() == 16 || i + 1 == count {
            for response in futures_util::future::join_all(pending.drain(..)).await {
                let status = response.map(|r| r.status().as_u16()).unwrap_or(0);
                *statuses.entry(status).or_default() += 1;
            }
        }
    }
    statuses
}

/// The abuse issue's inputs against one server: the hostile feed tested over and over,
/// password guessing, made-up people in a meeting.
async fn hostile_inputs(server: &str, owner: &str, tag: &str, feeds: &str, report: &impl Fn(&str)) {
    let client = reqwest::Client::new();
    let room = format!("m{}-0", &tag[..6]);
    let tests = flood(40, |_| {
        client
            .post(format!("{server}/v1/rooms/{room}/ics/test"))
            .header("cookie", owner)
            .json(&serde_json::json!({"url": format!("{feeds}/hostile")}))
    })
    .await;
    report(&format!(
        "after testing the hostile feed 40 times: {tests:?}"
    ));
    let guesses = flood(1000, |i| {
        client
            .post(format!("{server}/v1/auth/login"))
            .json(&serde_json::json!({"email": format!("{tag}@example.com"), "password": format!("guess {i}")}))
    })
    .await;
    report(&format!("after 1,000 password guesses: {guesses:?}"));
    let meeting: serde_json::Value = client
        .post(format!("{server}/v1/rooms/{room}/meeting"))
        .header("cookie", owner)
        .send()
        .await
        .expect("start meeting")
        .json()
        .await
        .expect("meeting");
    let id = meeting["meeting"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let people = flood(5000, |i| {
        client
            .post(format!("{server}/v1/meetings/{id}/presence"))
            .json(
                &serde_json::json!({"participant_id": format!("made-up-{i:06}"), "event": "join"}),
            )
    })
    .await;
    report(&format!(
        "after 5,000 made-up people in one meeting: {people:?}"
    ));
}
