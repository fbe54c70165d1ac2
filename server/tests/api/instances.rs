//! Several instances on one PostgreSQL: three `roomcal serve` processes share 500 rooms
//! through the database alone (room leases with `SKIP LOCKED`, the lifecycle lease, unique
//! indexes). One is killed with SIGKILL in the middle of a sync wave. Every room is still
//! synced every interval (no gap beyond one lease expiry), every occurrence gets exactly
//! one meeting, every meeting closes, no event is lost, and presence recorded through one
//! instance shows on another.

use crate::crash::postgres_database_url;
use crate::feed_server;
use crate::helpers::{ics, new_client, Ev};
use chrono::{DateTime, Duration, Utc};
use roomcal::domain::{DisplayName, Email, RoomName};
use roomcal::secret::{SecretBox, SecretKey};
use roomcal::store::{self, NewRoom, NewUser};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use uuid::Uuid;

const ROOMS: usize = 500;
const PUBLIC_URL: &str = "http://127.0.0.1:3000";

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    listener.local_addr().expect("addr").port()
}

fn start(url: &str, key: &SecretKey, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
            "--secret-key",
            key.expose(),
            "--site-root",
            "/nonexistent-site-root",
            "--public-url",
            PUBLIC_URL,
            "--allow-private-feeds",
            "--allow-http-feeds",
            "--feed-host-interval-ms",
            "0",
            "--sync-tick",
            "1s",
            "--sync-lease",
            "10s",
            "--lifecycle-tick",
            "1s",
            "--precreate-lead",
            "5s",
            "--calendar-overrun",
            "5s",
            "--grace-period",
            "3s",
            "--presence-timeout",
            "5s",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start roomcal")
}

async fn ready(client: &reqwest::Client, port: u16) {
    for _ in 0..300 {
        let up = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if up {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("instance on port {port} did not come up");
}

async fn wait_until(t: DateTime<Utc>) {
    if let Ok(left) = (t - Utc::now()).to_std() {
        tokio::time::sleep(left).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_on_one_postgres_share_the_work_and_survive_one_being_killed() {
    let Some(url) = postgres_database_url().await else {
        return;
    };
    let _turn = crate::helpers::PROCESS_TESTS.lock().await;
    let store = store::open(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    let key = SecretKey::generate();
    let secrets = SecretBox::new(&key).expect("box");
    let feeds = feed_server::start_on("127.0.0.1").await;
    let owner = store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse("many@example.com").expect("email"),
            display_name: DisplayName::parse("Many").expect("name"),
            password_hash: "x".into(),
            created_at: Utc::now(),
        })
        .await
        .expect("user");
    // Times are relative to t0, when all three instances run.
    let t0 = Utc::now() + Duration::seconds(8);
    let mut rooms = Vec::new();
    for i in 0..ROOMS {
        let name = format!("many-{i}");
        let room_url = format!("{PUBLIC_URL}/room/{name}");
        feeds.set(
            &name,
            ics(&[
                Ev {
                    uid: "first",
                    start: t0 + Duration::seconds(20),
                    minutes: 1,
                    summary: "First",
                    location: &room_url,
                },
                Ev {
                    uid: "second",
                    start: t0 + Duration::seconds(75),
                    minutes: 1,
                    summary: "Second",
                    location: &room_url,
                },
            ]),
        );
        let room = store
            .insert_room(&NewRoom {
                id: Uuid::new_v4(),
                name: RoomName::parse(&name).expect("room name"),
                owner_id: owner.id,
                created_at: Utc::now(),
            })
            .await
            .expect("room");
        let mut calendar = store
            .room_calendar(room.id)
            .await
            .expect("q")
            .expect("room");
        calendar.ics_url = Some(secrets.seal(&feeds.url(&format!("/feed/{name}"))));
        calendar.ics_enabled = true;
        calendar.ics_fetch_interval_minutes = 1;
        calendar.ics_jitter_seconds = 0;
        store.save_room_calendar(&calendar).await.expect("save");
        rooms.push((room.id, name));
    }

    let ports = [free_port(), free_port(), free_port()];
    let mut instances: Vec<Child> = ports.iter().map(|p| start(&url, &key, *p)).collect();
    let client = new_client();
    for port in ports {
        ready(&client, port).await;
    }

    // Presence through instance 0 shows on instance 1 (state is in the database).
    wait_until(t0 + Duration::seconds(25)).await;
    let (room0, name0) = &rooms[0];
    let first = store
        .upcoming_calendar_events(*room0, t0, 10)
        .await
        .expect("events")
        .into_iter()
        .find(|e| e.ics_uid == "first")
        .expect("the first event was synced");
    let meeting = store
        .meeting_for_event(first.id)
        .await
        .expect("q")
        .expect("the first event has its meeting");
    let joined = client
        .post(format!(
            "http://127.0.0.1:{}/v1/meetings/{}/presence",
            ports[0], meeting.id
        ))
        .json(&json!({"participant_id": "across-instances", "event": "join"}))
        .send()
        .await
        .expect("join");
    assert_eq!(joined.status(), 204);
    let listed: Value = client
        .get(format!(
            "http://127.0.0.1:{}/v1/rooms/{name0}/meetings",
            ports[1]
        ))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let here = listed
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["id"] == json!(meeting.id.to_string()))
        })
        .map(|i| i["participants_now"].clone());
    assert_eq!(here, Some(json!(1)), "{listed}");

    // Kill one instance in the middle of the second sync wave (the first ran at t0).
    wait_until(t0 + Duration::seconds(61)).await;
    let killed = Command::new("kill")
        .args(["-KILL", &instances[1].id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let _ = instances[1].wait();

    // Two more intervals, and every meeting has had time to close.
    wait_until(t0 + Duration::seconds(150)).await;
    let mut problems = Vec::new();
    for (room, name) in &rooms {
        let log = store.sync_log(*room, 50).await.expect("log");
        let mut starts: Vec<DateTime<Utc>> = log
            .iter()
            .filter_map(|o| o["started_at"].as_str()?.parse().ok())
            .collect();
        starts.sort();
        // Synced at t0 (or just after), and then every interval: a gap is at most the
        // interval, one lease expiry (a room its killed instance held) and a few ticks.
        if starts.len() < 3 {
            problems.push(format!("{name}: only {} syncs: {starts:?}", starts.len()));
        }
        for pair in starts.windows(2) {
            if pair[1] - pair[0] > Duration::seconds(60 + 10 + 8) {
                problems.push(format!("{name}: a gap from {} to {}", pair[0], pair[1]));
            }
        }
        if log.iter().any(|o| o["status"] == "failed") {
            problems.push(format!("{name}: a failed sync"));
        }
        let events = store
            .calendar_events_ending_after(*room, t0 - Duration::hours(1))
            .await
            .expect("events");
        let live: Vec<_> = events.iter().filter(|e| !e.is_deleted).collect();
        if live.len() != 2 {
            problems.push(format!("{name}: {} events stored, not 2", live.len()));
        }
        for event in live {
            match store.meeting_for_event(event.id).await.expect("q") {
                None => problems.push(format!("{name}: no meeting for {}", event.ics_uid)),
                Some(m) if m.is_active || m.closed_at.is_none() => {
                    problems.push(format!("{name}: {} still open", event.ics_uid))
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems: {:#?}",
        problems.len(),
        &problems[..problems.len().min(20)]
    );
    // One meeting per occurrence, not one per instance.
    let pg = roomcal::store::PostgresStore::open(&url)
        .await
        .expect("open");
    let (doubled,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT calendar_event_id FROM meetings \
         WHERE calendar_event_id IS NOT NULL GROUP BY calendar_event_id HAVING COUNT(*) > 1) d",
    )
    .fetch_one(pg.pool())
    .await
    .expect("count");
    assert_eq!(doubled, 0);
    let (meetings,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM meetings")
        .fetch_one(pg.pool())
        .await
        .expect("count");
    assert_eq!(meetings, (ROOMS * 2) as i64);

    for (i, child) in instances.iter_mut().enumerate() {
        if i == 1 {
            continue;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let status = child.wait().expect("wait");
        assert!(status.success(), "instance {i} exit: {status:?}");
    }
}
