//! `GET /v1/rooms/{room}/events`: live updates on one instance (SQLite, in-process) and
//! across instances (PostgreSQL `LISTEN/NOTIFY`), privacy by construction, the per-address
//! cap and `Last-Event-ID` resumes.

use crate::crash::postgres_database_url;
use crate::feed_server;
use crate::helpers::{new_client, spawn_app, spawn_app_with, TestApp};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use std::time::Duration as StdDuration;

/// One Server-Sent Event as read off the wire.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// `event:` (`message` when absent).
    pub name: String,
    /// `id:`, if any.
    pub id: Option<String>,
    /// `data:`.
    pub data: String,
}

/// Reads events from an open stream.
pub struct EventReader {
    response: reqwest::Response,
    buffer: String,
    /// Everything read so far, comments included.
    pub raw: String,
}

impl EventReader {
    /// Opens room `room`'s stream on `base` (`http://127.0.0.1:PORT`) with `client`.
    pub async fn open(
        client: &reqwest::Client,
        base: &str,
        room: &str,
        last_event_id: Option<&str>,
    ) -> reqwest::Response {
        let mut request = client.get(format!("{base}/v1/rooms/{room}/events"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        request.send().await.expect("stream request")
    }

    /// A reader of an accepted stream.
    pub fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        assert!(response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream")));
        Self {
            response,
            buffer: String::new(),
            raw: String::new(),
        }
    }

    /// The next event (comments skipped), or `None` if none came within `wait`.
    pub async fn next_within(&mut self, wait: StdDuration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    name: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.name = v.trim().into();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().into());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        event.data.push_str(v.trim());
                        any = true;
                    }
                }
                if any {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .expect("stream read")?;
            let text = String::from_utf8_lossy(&chunk);
            self.raw.push_str(&text);
            self.buffer.push_str(&text);
        }
    }

    /// The next event named `name` within `wait` (others skipped), or a panic saying so.
    pub async fn expect(&mut self, name: &str, wait: StdDuration) -> SseEvent {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(event) if event.name == name => return event,
                Some(_) => {}
                None => panic!("no `{name}` event within {wait:?}; read: {}", self.raw),
            }
        }
    }
}

/// Signs up the owner with the app's client and creates room `name`.
async fn owner_room(app: &TestApp, name: &str) {
    app.sign_up(&format!("owner-{name}@example.com")).await;
    let created = app.post("/v1/rooms", json!({"name": name})).await;
    assert_eq!(created.status(), 201);
}

/// Starts an unscheduled meeting in `room` through `base` with `client`; its id.
async fn start_meeting(client: &reqwest::Client, base: &str, room: &str) -> String {
    let started: Value = client
        .post(format!("{base}/v1/rooms/{room}/meeting"))
        .json(&json!({}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    started["meeting"]["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn a_page_on_one_instance_hears_a_meeting_start_at_once() {
    let app = spawn_app().await;
    owner_room(&app, "live").await;
    let guest = new_client();
    let mut stream = EventReader::new(EventReader::open(&guest, &app.address, "live", None).await);
    let meeting = start_meeting(&app.client, &app.address, "live").await;
    let event = stream
        .expect("meeting_started", StdDuration::from_secs(1))
        .await;
    let data: Value = serde_json::from_str(&event.data).expect("json data");
    assert_eq!(data["meeting_id"], meeting);
    assert_eq!(data["kind"], "meeting_started");
    assert!(event.id.is_some(), "resumable: {event:?}");
}

#[tokio::test]
async fn a_stream_of_a_room_that_does_not_exist_is_a_404() {
    let app = spawn_app().await;
    let response = EventReader::open(&app.client, &app.address, "nowhere", None).await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn one_address_cannot_hold_more_streams_than_allowed() {
    let app = spawn_app_with(&["--max-event-streams-per-address", "2"]).await;
    owner_room(&app, "capped").await;
    let first = EventReader::open(&app.client, &app.address, "capped", None).await;
    let second = EventReader::open(&app.client, &app.address, "capped", None).await;
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = EventReader::open(&app.client, &app.address, "capped", None).await;
    assert_eq!(third.status(), 429);
    assert!(third.headers().contains_key("retry-after"));
    let body: Value = third.json().await.expect("json");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("close other tabs"), "{message}");
    drop(first);
    // The server notices the closed connection on its next write; a change writes.
    start_meeting(&app.client, &app.address, "capped").await;
    let mut again = None;
    for _ in 0..50 {
        let response = EventReader::open(&app.client, &app.address, "capped", None).await;
        if response.status() == 200 {
            again = Some(response);
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert!(again.is_some(), "a closed stream gives its place back");
}

#[tokio::test]
async fn a_reconnecting_page_gets_what_it_missed_or_is_told_to_refetch() {
    let app = spawn_app().await;
    owner_room(&app, "resume").await;
    let mut stream =
        EventReader::new(EventReader::open(&app.client, &app.address, "resume", None).await);
    let meeting = start_meeting(&app.client, &app.address, "resume").await;
    let seen = stream
        .expect("meeting_started", StdDuration::from_secs(1))
        .await;
    drop(stream);
    // Missed while away: someone joined.
    let joined = app
        .post(
            &format!("/v1/meetings/{meeting}/presence"),
            json!({"participant_id": "page-0000001", "event": "join"}),
        )
        .await;
    assert_eq!(joined.status(), 204);
    let last = seen.id.expect("id");
    let mut resumed =
        EventReader::new(EventReader::open(&app.client, &app.address, "resume", Some(&last)).await);
    let missed = resumed
        .next_within(StdDuration::from_secs(1))
        .await
        .expect("the missed event");
    assert_eq!(missed.name, "participants");
    let data: Value = serde_json::from_str(&missed.data).expect("json");
    assert_eq!(data["participants"], 1);
    let mut stale =
        EventReader::new(EventReader::open(&app.client, &app.address, "resume", Some("0-1")).await);
    stale.expect("refetch", StdDuration::from_secs(1)).await;
}

/// Parts of a calendar event and of the people in its call that only the owner may read.
const SECRETS: &[&str] = &[
    "Board sync",
    "Secret merger talk",
    "Olga",
    "olga@corp.example",
    "Arthur",
    "Pat Present",
    "pat@example.com",
    "Ada Lovelace",
];

#[tokio::test]
async fn a_non_owners_stream_never_carries_a_title_or_a_name() {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room_url = app.room_url("hush");
    let now = Utc::now();
    let fmt = |t: chrono::DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let vevent = |uid: &str, summary: &str, start: chrono::DateTime<Utc>, extra: &str| {
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n\
             SUMMARY:{summary}\r\nLOCATION:{room_url}\r\n\
             ORGANIZER;CN=Olga Organizer:mailto:olga@corp.example\r\n\
             ATTENDEE;CN=Arthur Attendee;PARTSTAT=ACCEPTED:mailto:arthur@corp.example\r\n\
             {extra}END:VEVENT\r\n",
            fmt(start),
            fmt(start + Duration::hours(1)),
        )
    };
    feeds.set(
        "main",
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}{}END:VCALENDAR\r\n",
            vevent("board", "Board sync", now - Duration::minutes(5), ""),
            vevent(
                "merger",
                "Secret merger talk",
                now + Duration::minutes(10),
                "CLASS:PRIVATE\r\n"
            ),
        ),
    );
    let room = app.room_with_feed("hush", &feeds.url("/feed/main")).await;
    let stranger = new_client();
    let mut stream =
        EventReader::new(EventReader::open(&stranger, &app.address, "hush", None).await);
    app.core.sync.sync_room(room, now).await.expect("sync");
    roomcal::services::lifecycle_step::run_lifecycle_step(&app.core, Utc::now(), 100)
        .await
        .expect("lifecycle");
    let meeting = app
        .core
        .store
        .active_meetings_in_room(room)
        .await
        .expect("meetings")[0]
        .id;
    let pat = new_client();
    let signup = pat
        .post(app.url("/v1/auth/signup"))
        .json(
            &json!({"email": "pat@example.com", "name": "Pat Present", "password": "long enough"}),
        )
        .send()
        .await
        .expect("signup");
    assert_eq!(signup.status(), 201);
    let joined = pat
        .post(app.url(&format!("/v1/meetings/{meeting}/presence")))
        .json(&json!({"participant_id": "pat-laptop-1", "event": "join"}))
        .send()
        .await
        .expect("presence");
    assert_eq!(joined.status(), 204);
    let wait = StdDuration::from_secs(1);
    stream.expect("calendar_synced", wait).await;
    stream.expect("meeting_created", wait).await;
    let count = stream.expect("participants", wait).await;
    assert!(count.data.contains("\"participants\":1"), "{count:?}");
    for secret in SECRETS {
        assert!(!stream.raw.contains(secret), "{secret} in {}", stream.raw);
    }
}

/// `count` instances on one new PostgreSQL database (`None`: PostgreSQL skipped).
async fn instances_on_postgres(count: usize) -> Option<Vec<TestApp>> {
    let url = postgres_database_url().await?;
    let mut apps = Vec::new();
    for _ in 0..count {
        apps.push(spawn_app_with(&["--database-url", &url]).await);
    }
    Some(apps)
}

#[tokio::test]
async fn a_meeting_started_on_one_instance_reaches_a_page_on_another_within_a_second() {
    let Some(apps) = instances_on_postgres(3).await else {
        return;
    };
    let (a, c) = (&apps[0], &apps[2]);
    owner_room(a, "shared").await;
    let mut stream =
        EventReader::new(EventReader::open(&new_client(), &c.address, "shared", None).await);
    let meeting = start_meeting(&a.client, &a.address, "shared").await;
    let event = stream
        .expect("meeting_started", StdDuration::from_secs(1))
        .await;
    assert!(event.data.contains(&meeting), "{event:?}");
}

#[tokio::test]
async fn an_instance_whose_listener_session_is_killed_listens_again() {
    use sqlx::Connection;
    let Some(url) = postgres_database_url().await else {
        return;
    };
    let a = spawn_app_with(&["--database-url", &url]).await;
    let c = spawn_app_with(&["--database-url", &url]).await;
    owner_room(&a, "sturdy").await;
    let mut stream =
        EventReader::new(EventReader::open(&new_client(), &c.address, "sturdy", None).await);
    let mut admin = sqlx::PgConnection::connect(&url).await.expect("connect");
    let killed: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = $1 AND datname = current_database()",
    )
    .bind(roomcal::events::postgres::LISTENER_APPLICATION_NAME)
    .fetch_all(&mut admin)
    .await
    .expect("terminate");
    assert_eq!(killed.len(), 2, "one listener per instance");
    // The instance notices, reconnects, and tells its pages they may have missed something.
    stream.expect("refetch", StdDuration::from_secs(10)).await;
    let meeting = start_meeting(&a.client, &a.address, "sturdy").await;
    let event = stream
        .expect("meeting_started", StdDuration::from_secs(2))
        .await;
    assert!(event.data.contains(&meeting), "{event:?}");
}
