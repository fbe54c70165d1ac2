//! Lifecycle benchmark (not a test): one lifecycle tick over many rooms and active meetings,
//! on a real database, with a fixed clock. It reports each tick's duration and how many SQL
//! statements it ran (counted from sqlx's own statement log, so nothing is estimated).
//!
//! ```text
//! cargo bench -p server --bench lifecycle_bench -- [ROOMS] [MEETINGS] [DATABASE_URL]
//! ```
//! Defaults: 10,000 rooms, 2,000 of them with an occurrence starting now, a fresh SQLite
//! file in a temp directory.

mod common;

use chrono::{DateTime, Duration, Utc};
use roomcal::domain::{CalendarEvent, DisplayName, Email, PresenceRecord, RoomName};
use roomcal::services::lifecycle_step::{run_lifecycle_step, StepReport};
use roomcal::store::{self, NewRoom, NewUser, Store};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer;
use uuid::Uuid;

/// How many statements sqlx has run in this process.
static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

/// Counts sqlx's per-statement log events (target `sqlx::query`).
struct CountStatements;

impl<S: tracing::Subscriber> Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The server's per-tick action budget (`server/src/workers.rs`).
const MAX_ACTIONS: usize = 500;

/// An occurrence of `room_id` from `start`, one hour long.
fn occurrence(room_id: Uuid, i: usize, start: DateTime<Utc>) -> CalendarEvent {
    CalendarEvent {
        id: Uuid::new_v4(),
        room_id,
        ics_uid: format!("bench-{i}"),
        recurrence_id: None,
        title: Some(format!("Meeting {i}")),
        description: Some("Agenda: the numbers.".into()),
        start_time: start,
        end_time: start + Duration::hours(1),
        all_day: false,
        attendees: sqlx::types::Json(serde_json::json!([])),
        organizer: None,
        location: Some(format!("https://rooms.example.com/room/r{i}")),
        status: Some("CONFIRMED".into()),
        sequence: None,
        last_modified: None,
        privacy_class: None,
        last_synced: start,
        is_deleted: false,
        ics_raw_data: String::new(),
        conference_links: sqlx::types::Json(serde_json::json!([])),
    }
}

/// Runs one tick at `now` and prints its line.
async fn tick(core: &roomcal::Core, label: &str, now: DateTime<Utc>) -> StepReport {
    let before = STATEMENTS.load(Ordering::Relaxed);
    let started = Instant::now();
    let report = match run_lifecycle_step(core, now, MAX_ACTIONS).await {
        Ok(report) => report,
        Err(err) => panic!("lifecycle step: {err}"),
    };
    let took = started.elapsed();
    let statements = STATEMENTS.load(Ordering::Relaxed) - before;
    println!(
        "| {label} | {:.1} ms | {statements} | {} created, {} closed |",
        took.as_secs_f64() * 1000.0,
        report.created,
        report.closed
    );
    report
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target("sqlx::query", tracing::Level::TRACE);
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(CountStatements.with_filter(filter)),
    )?;
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let rooms: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let meetings: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let dir = tempfile::tempdir()?;
    let url = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store: Arc<dyn Store> = store::open(&url).await?;
    store.migrate().await?;

    // Names are unique per run, so a PostgreSQL database can be reused.
    let run = &Uuid::new_v4().simple().to_string()[..8];
    let now = Utc::now();
    let owner = store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse(&format!("bench-{run}@example.com"))?,
            display_name: DisplayName::parse("Bench")?,
            password_hash: "x".into(),
            created_at: now,
        })
        .await?;
    let seeding = Instant::now();
    let start = now + Duration::seconds(30);
    for i in 0..rooms {
        let room = store
            .insert_room(&NewRoom {
                id: Uuid::new_v4(),
                name: RoomName::parse(&format!("l{run}-{i}"))?,
                owner_id: owner.id,
                created_at: now,
            })
            .await?;
        if i < meetings {
            store
                .insert_calendar_event(&occurrence(room.id, i, start))
                .await?;
        }
    }
    println!(
        "rooms: {rooms}, occurrences starting together: {meetings}, database: {}, seeded in {:.1} s",
        store::mask_database_url(&url),
        seeding.elapsed().as_secs_f64()
    );

    let core = bench_core(store.clone());
    println!("| tick | took | SQL statements | did |\n|---|---|---|---|");
    // Pre-creation: at most MAX_ACTIONS meetings a tick, as the server runs it.
    let mut t = now;
    let mut created = 0;
    while created < meetings {
        created += tick(&core, "pre-create", t).await.created;
        t += Duration::seconds(1);
    }
    // Everyone arrives: 5 pages per meeting (10,000 presence rows at the defaults).
    let joined = t + Duration::seconds(5);
    let mut people = 0;
    for meeting_id in all_active(&store).await? {
        for p in 0..5 {
            store
                .record_presence(
                    &PresenceRecord {
                        meeting_id,
                        participant_id: format!("bench-page-{p}-{meeting_id}"),
                        display_name: format!("Person {p}"),
                        user_id: None,
                        last_seen_at: joined,
                        left_at: None,
                    },
                    joined,
                    &[],
                )
                .await?;
            people += 1;
        }
    }
    println!("({people} people present)");
    tick(&core, "everyone arrived", joined + Duration::seconds(1)).await;
    let mut steady = Vec::new();
    for s in 0..10 {
        let at = joined + Duration::seconds(2 + s);
        let before = Instant::now();
        tick(&core, "steady", at).await;
        steady.push(before.elapsed().as_secs_f64() * 1000.0);
    }
    steady.sort_by(f64::total_cmp);
    println!(
        "steady ticks: p50 {:.1} ms, max {:.1} ms; process CPU so far {:.1} s",
        steady[steady.len() / 2],
        steady[steady.len() - 1],
        common::cpu_seconds("self")
    );
    Ok(())
}

/// The ids of every active meeting.
async fn all_active(store: &Arc<dyn Store>) -> Result<Vec<Uuid>, Box<dyn std::error::Error>> {
    let horizon = Utc::now() + Duration::days(1);
    Ok(store
        .lifecycle_meetings(horizon, Utc::now())
        .await?
        .into_iter()
        .filter(|m| m.is_active)
        .map(|m| m.id)
        .collect())
}

/// A core like the server's, with defaults and a Jitsi platform (no network calls).
fn bench_core(store: Arc<dyn Store>) -> roomcal::Core {
    use roomcal::secret::{SecretBox, SecretKey};
    use roomcal::sync::fetch::{FetchSettings, Fetcher};
    use roomcal::sync::{SyncSettings, Syncer};
    let secrets = match SecretBox::new(&SecretKey::generate()) {
        Ok(secrets) => secrets,
        Err(err) => panic!("secret box: {err}"),
    };
    let fetcher = match Fetcher::new(FetchSettings::default()) {
        Ok(fetcher) => fetcher,
        Err(err) => panic!("fetcher: {}", err.message),
    };
    let sync = Syncer::new(
        store.clone(),
        fetcher,
        secrets.clone(),
        SyncSettings::default(),
    );
    let events = sync.events().clone();
    roomcal::Core {
        store,
        platform: Arc::new(roomcal::platform::JitsiPlatform::new(
            "https://meet.example.com",
        )),
        clock: Arc::new(roomcal::clock::SystemClock),
        settings: roomcal::CoreSettings::default(),
        secrets,
        sync: Arc::new(sync),
        limits: Arc::new(roomcal::services::limits::Limiters::default()),
        listings: Arc::default(),
        oidc: None,
        events,
        webhooks: Arc::new(
            roomcal::sync::webhook_sender::WebhookSender::new(
                roomcal::sync::address::AddressPolicy {
                    allow_private: true,
                    ..Default::default()
                },
                roomcal::sync::dns::Resolver::system(),
            )
            .unwrap_or_else(|err| panic!("webhook sender: {err}")),
        ),
    }
}
