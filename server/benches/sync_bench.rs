//! Sync benchmark (not a test): serves N rooms' feeds (~50 KB each) from a local HTTP server
//! on loopback, then syncs every room through the real fetcher, engine and store, and reports
//! rooms per minute and CPU use.
//!
//! ```text
//! cargo bench -p server --bench sync_bench -- [ROOMS] [CONCURRENCY] [DATABASE_URL]
//! ```
//! Defaults: 2000 rooms, concurrency 16, a fresh SQLite file in a temp directory.

mod common;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use chrono::{Duration, Utc};
use roomcal::domain::{DisplayName, Email, RoomCalendar, RoomName};
use roomcal::secret::{SecretBox, SecretKey};
use roomcal::store::{self, NewRoom, NewUser, Store};
use roomcal::sync::address::AddressPolicy;
use roomcal::sync::fetch::{FetchSettings, Fetcher};
use roomcal::sync::{SyncSettings, Syncer};
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

const PUBLIC_URL: &str = "https://rooms.example.com";

/// A ~50 KB calendar for room `name`: 60 events over the next day, 5 of them in the room.
fn feed(i: usize, name: &str) -> String {
    let now = Utc::now();
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    for e in 0..60 {
        let start = now + Duration::minutes(20 * e as i64);
        let location = if e % 12 == 0 {
            format!("{PUBLIC_URL}/room/{name}")
        } else {
            "https://meet.example.com/elsewhere".to_string()
        };
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:bench-{i}-{e}@example.com\r\nDTSTAMP:20260101T000000Z\r\n\
             DTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Meeting {e} of room {i}\r\nLOCATION:{location}\r\n\
             DESCRIPTION:{}\r\nORGANIZER;CN=Ada:mailto:ada@example.com\r\n\
             ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\n\
             ATTENDEE;CN=Eve;PARTSTAT=TENTATIVE:mailto:eve@example.com\r\nEND:VEVENT\r\n",
            start.format("%Y%m%dT%H%M%SZ"),
            (start + Duration::minutes(30)).format("%Y%m%dT%H%M%SZ"),
            "Agenda and notes for this meeting. ".repeat(15),
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` adds `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let rooms: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let concurrency: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(16);
    let dir = tempfile::tempdir()?;
    let url = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));

    // Room names are unique per run, so a PostgreSQL database can be reused.
    let run = Uuid::new_v4().simple().to_string();
    let names: Vec<String> = (0..rooms).map(|i| format!("b{}-{i}", &run[..8])).collect();
    let bodies: Arc<Vec<String>> =
        Arc::new(names.iter().enumerate().map(|(i, n)| feed(i, n)).collect());
    let size = bodies.first().map_or(0, String::len);
    let app = Router::new()
        .route(
            "/feed/{i}",
            get(
                |State(bodies): State<Arc<Vec<String>>>, Path(i): Path<usize>| async move {
                    bodies.get(i).cloned().unwrap_or_default()
                },
            ),
        )
        .with_state(bodies.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let feed_addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    let store: Arc<dyn Store> = store::open(&url).await?;
    store.migrate().await?;
    let secrets = SecretBox::new(&SecretKey::generate())?;
    let owner = store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse(&format!("bench-{}@example.com", Uuid::new_v4()))?,
            display_name: DisplayName::parse("Bench")?,
            password_hash: "x".into(),
            created_at: Utc::now(),
        })
        .await?;
    let mut room_ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let room = store
            .insert_room(&NewRoom {
                id: Uuid::new_v4(),
                name: RoomName::parse(name)?,
                owner_id: owner.id,
                created_at: Utc::now(),
            })
            .await?;
        room_ids.push(room.id);
        let mut calendar: RoomCalendar = store.room_calendar(room.id).await?.ok_or("room")?;
        calendar.ics_url = Some(secrets.seal(&format!("http://{feed_addr}/feed/{i}")));
        calendar.ics_enabled = true;
        calendar.ics_fetch_interval_minutes = 1;
        store.save_room_calendar(&calendar).await?;
    }
    let fetcher = Fetcher::new(FetchSettings {
        allow_http: true,
        addresses: AddressPolicy {
            allow_private: true,
            ..AddressPolicy::default()
        },
        ..FetchSettings::default()
    })
    .map_err(|e| e.message)?;
    let syncer = Arc::new(Syncer::new(
        store.clone(),
        fetcher,
        secrets,
        SyncSettings {
            base_urls: vec![PUBLIC_URL.into()],
            concurrency,
            per_host_interval: std::time::Duration::ZERO,
            ..SyncSettings::default()
        },
    ));

    println!(
        "rooms: {rooms}, feed size: {} KB, concurrency: {concurrency}, database: {}",
        size / 1024,
        store::mask_database_url(&url)
    );
    for pass in ["first sync (all new)", "second sync (content unchanged)"] {
        let cpu_before = common::cpu_seconds("self");
        let started = Instant::now();
        let mut now =
            Utc::now() + Duration::minutes(if pass.starts_with("second") { 2 } else { 0 });
        let mut synced = 0;
        while synced < rooms {
            let n = syncer.run_due(now, 500).await?;
            if n == 0 {
                now += Duration::seconds(1);
                continue;
            }
            synced += n;
        }
        let wall = started.elapsed().as_secs_f64();
        let cpu = common::cpu_seconds("self") - cpu_before;
        // Check the work was real: every room stored its 5 occurrences, every attempt is ok.
        let mut stored = 0;
        let mut failed = 0;
        for id in &room_ids {
            stored += store
                .upcoming_calendar_events(*id, Utc::now(), 100)
                .await?
                .len();
            let last = store.sync_log(*id, 1).await?;
            if last.first().and_then(|o| o["status"].as_str()) == Some("failed") {
                failed += 1;
            }
        }
        println!(
            "{pass}: {synced} rooms synced ({failed} failed), {stored} occurrences stored; \
             {synced} rooms in {wall:.2} s = {:.0} rooms/min; CPU {cpu:.2} s ({:.0} % of one core, {:.0} % of two)",
            synced as f64 / wall * 60.0,
            cpu / wall * 100.0,
            cpu / wall * 50.0
        );
    }
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        })
        .unwrap_or_default();
    println!("peak memory ({peak}) includes the in-process feed server's {rooms} bodies");
    Ok(())
}
