//! Webhook outbox: delivery latency and throughput, on SQLite or PostgreSQL.
//!
//! `cargo bench -p server --bench webhooks_bench -- [EVENTS] [DATABASE_URL]`
//!
//! The server's own core and delivery worker (`run_webhook_loop`) deliver to a loopback
//! receiver (axum, answers 204 at once). Each event is written the way the use cases
//! write them — a meeting and its `meeting.created` in one transaction — then the worker
//! is woken. Latency: events one at a time, 20 ms apart, from the commit to the
//! receiver's arrival. Throughput: `EVENTS` meetings written back to back (one
//! transaction each), until the receiver has every delivery.

use axum::http::HeaderMap;
use axum::routing::post;
use chrono::{Duration, Utc};
use clap::Parser;
use roomcal::domain::{CallRoom, DisplayName, Email, Meeting, RoomName, WebhookEndpoint};
use roomcal::store::{NewRoom, NewUser};
use roomcal::webhooks::{payload, EventSelection, WebhookEventType};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use uuid::Uuid;

type Arrivals = Arc<Mutex<HashMap<Uuid, Instant>>>;

async fn receiver(arrivals: Arrivals) -> String {
    let app = axum::Router::new().route(
        "/hook",
        post(move |_headers: HeaderMap, body: String| {
            let arrivals = arrivals.clone();
            async move {
                let at = Instant::now();
                let parsed: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                if let Some(id) = parsed["data"]["meeting"]["id"]
                    .as_str()
                    .and_then(|id| id.parse().ok())
                {
                    if let Ok(mut map) = arrivals.lock() {
                        map.insert(id, at);
                    }
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/hook")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let events: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let dir = tempfile::tempdir()?;
    let url = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let data_dir = dir.path().display().to_string();
    let cli = roomcal_server::config::Cli::try_parse_from([
        "roomcal",
        "--database-url",
        &url,
        "--data-dir",
        &data_dir,
        "--allow-private-webhooks",
        "--site-root",
        "/nonexistent",
    ])?;
    let core = roomcal_server::state::build_core_with(
        &cli.serve,
        Arc::new(roomcal::clock::SystemClock),
        Arc::new(roomcal::sync::dns::SystemLookup),
    )
    .await?;
    core.store.migrate().await?;
    let arrivals: Arrivals = Arc::default();
    let hook = receiver(arrivals.clone()).await;

    let run = &Uuid::new_v4().simple().to_string()[..8];
    let now = Utc::now();
    let owner = core
        .store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse(&format!("bench-{run}@example.com"))?,
            display_name: DisplayName::parse("Bench")?,
            password_hash: "x".into(),
            created_at: now,
        })
        .await?;
    let room = core
        .store
        .insert_room(&NewRoom {
            id: Uuid::new_v4(),
            name: RoomName::parse(&format!("w{run}"))?,
            owner_id: owner.id,
            created_at: now,
        })
        .await?;
    let secret = roomcal::webhooks::sign::generate_secret();
    core.store
        .insert_webhook_endpoint(&WebhookEndpoint {
            id: Uuid::new_v4(),
            room_id: room.id,
            url: core.secrets.seal(&hook),
            events: EventSelection::parse(&[])?.to_stored(),
            enabled: true,
            owners_system: false,
            secret: core.secrets.seal(&secret),
            previous_secret: None,
            previous_secret_until: None,
            created_at: now,
            failing_since: None,
            disabled_reason: None,
        })
        .await?;
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(roomcal_server::workers::run_webhook_loop(
        core.clone(),
        stopped,
    ));

    let room_url = core.room_url(room.name.as_str());
    let write = |i: usize| {
        let core = core.clone();
        let room_url = room_url.clone();
        let room_id = room.id;
        async move {
            let at = Utc::now();
            let call = CallRoom {
                participant_url: format!("https://call.example/{i}"),
                host_url: None,
                platform_meeting_id: None,
            };
            let meeting = Meeting::open(
                room_id,
                None,
                (at, at + Duration::hours(1)),
                "jitsi",
                call,
                at,
            );
            let room_ref = payload::RoomRef {
                id: room_id,
                name: "bench",
                url: &room_url,
            };
            let event = payload::meeting_event(
                WebhookEventType::MeetingCreated,
                at,
                &room_ref,
                &meeting,
                None,
                None,
                &payload::MeetingExtras::default(),
            );
            let result = core.store.insert_meeting(&meeting, &[event]).await;
            let written = Instant::now();
            core.webhooks.wake();
            result.map(|()| (meeting.id, written))
        }
    };
    let wait_for = |ids: Vec<Uuid>| {
        let arrivals = arrivals.clone();
        async move {
            let deadline = Instant::now() + std::time::Duration::from_secs(600);
            loop {
                let done = arrivals
                    .lock()
                    .map(|m| ids.iter().all(|id| m.contains_key(id)))
                    .unwrap_or(false);
                if done || Instant::now() > deadline {
                    return done;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
    };

    // Latency: one event at a time.
    let mut latencies = Vec::new();
    for i in 0..200 {
        let (id, written) = write(i).await?;
        if !wait_for(vec![id]).await {
            return Err("an event was not delivered within 10 minutes".into());
        }
        let arrived = arrivals.lock().map(|m| m[&id]).unwrap_or(written);
        latencies.push(arrived.duration_since(written).as_secs_f64() * 1000.0);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    latencies.sort_by(f64::total_cmp);

    // Throughput: many at once.
    let started = Instant::now();
    let mut ids = Vec::with_capacity(events);
    for i in 0..events {
        ids.push(write(1_000 + i).await?.0);
    }
    let written = started.elapsed().as_secs_f64();
    if !wait_for(ids).await {
        return Err("the events were not all delivered within 10 minutes".into());
    }
    let total = started.elapsed().as_secs_f64();
    println!(
        "database: {}\n| delivery latency p50 | p99 | {events} events: written in | all delivered after | throughput |\n|---|---|---|---|---|\n| {:.1} ms | {:.1} ms | {:.2} s | {:.2} s | {:.0} deliveries/s |",
        roomcal::store::mask_database_url(&url),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        written,
        total,
        events as f64 / total
    );
    Ok(())
}
