//! Outbound webhooks end to end, against a real receiver that verifies every signature
//! with the Standard Webhooks reference library: events arrive signed, in order per
//! meeting, with stable ids; a receiver that was down gets everything once it is back; one
//! that never answers holds up no one; a killed roomcal delivers after its restart; two
//! instances on PostgreSQL send each event and never two attempts of one at once.

use crate::crash::postgres_database_url;
use crate::helpers::{new_client, spawn_app_with, spawn_app_with_clock, TestApp};
use crate::receiver::{at, types, Receiver};
use chrono::{Duration, Utc};
use roomcal::services::lifecycle_step::run_lifecycle_step;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration as StdDuration;

const ALL: [&str; 8] = [
    "meeting.created",
    "meeting.started",
    "meeting.ended",
    "meeting.extended",
    "calendar.sync_failed",
    "calendar.sync_recovered",
    "participant.joined",
    "participant.left",
];

async fn hooks_app(extra: &[&str]) -> TestApp {
    let mut args = vec!["--allow-private-webhooks"];
    args.extend_from_slice(extra);
    with_worker(spawn_app_with(&args).await)
}

/// Runs the server's webhook worker for `app` (the test apps run no background workers
/// of their own: the other tests drive the steps by hand).
fn with_worker(app: TestApp) -> TestApp {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let core = app.core.clone();
    tokio::spawn(async move {
        let _keep_running = stop;
        roomcal_server::workers::run_webhook_loop(core, stopped).await;
    });
    app
}

/// Adds an endpoint to `room`; returns (id, secret).
async fn add_endpoint(app: &TestApp, room: &str, body: Value) -> (String, String) {
    let answer = app.post(&format!("/v1/rooms/{room}/webhooks"), body).await;
    assert_eq!(answer.status(), 201);
    let made: Value = answer.json().await.expect("json");
    let secret = made["secret"]
        .as_str()
        .expect("the secret, this once")
        .to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (made["id"].as_str().expect("id").to_string(), secret)
}

async fn deliveries(app: &TestApp, room: &str, endpoint: &str) -> Vec<Value> {
    app.get(&format!("/v1/rooms/{room}/webhooks/{endpoint}/deliveries"))
        .await
        .json()
        .await
        .expect("json")
}

async fn start_meeting(app: &TestApp, room: &str) -> String {
    let started: Value = app
        .post(&format!("/v1/rooms/{room}/meeting"), json!({}))
        .await
        .json()
        .await
        .expect("json");
    started["meeting"]["id"].as_str().expect("id").to_string()
}

async fn presence(app: &TestApp, meeting: &str, event: &str) {
    let answer = app
        .post(
            &format!("/v1/meetings/{meeting}/presence"),
            json!({"participant_id": "page-0001", "event": event}),
        )
        .await;
    assert_eq!(answer.status(), 204);
}

#[tokio::test]
async fn events_reach_a_real_receiver_signed_in_order_per_meeting_with_stable_ids() {
    let receiver = Receiver::start();
    // A short grace period: the close's event is due when the step says it happened.
    let app = hooks_app(&["--grace-period", "1s"]).await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "hooks"})).await;
    let (public, secret) = add_endpoint(
        &app,
        "hooks",
        json!({"url": receiver.url("/hook"), "events": ALL}),
    )
    .await;
    let (_, own_secret) = add_endpoint(
        &app,
        "hooks",
        json!({"url": receiver.url("/own"), "events": ALL, "owners_system": true}),
    )
    .await;

    let meeting = start_meeting(&app, "hooks").await;
    presence(&app, &meeting, "join").await;
    run_lifecycle_step(&app.core, Utc::now(), 100)
        .await
        .expect("step");
    presence(&app, &meeting, "leave").await;
    let grace = app.core.settings.lifecycle.grace_period;
    let closed = run_lifecycle_step(&app.core, Utc::now() + grace + Duration::seconds(1), 100)
        .await
        .expect("step");
    assert_eq!(closed.closed, 1);

    let got = receiver
        .wait_for(&[&secret, &own_secret], StdDuration::from_secs(10), |got| {
            got.len() >= 10
        })
        .await;
    let public_events = at(&got, "/hook");
    assert_eq!(
        types(&public_events),
        [
            "meeting.created",
            "participant.joined",
            "meeting.started",
            "participant.left",
            "meeting.ended"
        ],
        "in the order they happened"
    );
    for event in &got {
        assert_eq!(event["verified"], true, "{event}");
        assert_eq!(event["fresh"], true, "{event}");
        assert_eq!(event["body"]["data"]["room"]["name"], "hooks");
        assert_eq!(event["body"]["data"]["meeting"]["id"], meeting.as_str());
    }
    let joined = public_events[1];
    assert_eq!(joined["body"]["data"]["participants"], 1);
    assert!(
        !joined["body"].to_string().contains("Ada"),
        "names only for the owner's own system: {joined}"
    );
    let own_joined = at(&got, "/own")[1];
    assert_eq!(
        own_joined["body"]["data"]["participant"]["name"],
        "Ada Lovelace"
    );
    assert_eq!(
        public_events[4]["body"]["data"]["meeting"]["close_reason"],
        "grace_period_over"
    );

    let ids: HashSet<&str> = got.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids.len(), 10, "one id per event and endpoint");
    let log = deliveries(&app, "hooks", &public).await;
    assert_eq!(log.len(), 5);
    for entry in &log {
        assert_eq!(entry["state"], "delivered", "{entry}");
        assert_eq!(entry["response_status"], 200);
        assert!(
            ids.contains(entry["id"].as_str().expect("id")),
            "the logged id is the sent one"
        );
    }
    let listed = app
        .get("/v1/rooms/hooks/webhooks")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        !listed.contains(&secret) && !listed.contains("whsec_"),
        "{listed}"
    );
}

#[tokio::test]
async fn a_receiver_that_was_down_gets_every_event_once_it_is_back_with_the_same_ids() {
    let mut receiver = Receiver::start();
    receiver.stop();
    let clock = std::sync::Arc::new(roomcal::clock::ManualClock::new(Utc::now()));
    let app = with_worker(spawn_app_with_clock(&["--allow-private-webhooks"], clock.clone()).await);
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "down"})).await;
    let (endpoint, secret) =
        add_endpoint(&app, "down", json!({"url": receiver.url("/hook")})).await;
    start_meeting(&app, "down").await;
    for _ in 0..3 {
        let test = app
            .post(
                &format!("/v1/rooms/down/webhooks/{endpoint}/test"),
                json!({}),
            )
            .await;
        assert_eq!(test.status(), 202);
    }
    // Every delivery fails once while the receiver is down, and is kept for later.
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    let failed = loop {
        let log = deliveries(&app, "down", &endpoint).await;
        if log.len() == 4 && log.iter().all(|d| d["attempts"].as_i64() >= Some(1)) {
            break log;
        }
        assert!(std::time::Instant::now() < deadline, "{log:#?}");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    };
    for entry in &failed {
        assert_eq!(entry["state"], "pending");
        assert!(
            entry["error"]
                .as_str()
                .unwrap_or("")
                .contains("could not reach"),
            "{entry}"
        );
    }
    let endpoints: Value = app
        .get("/v1/rooms/down/webhooks")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(endpoints[0]["status"], "failing");

    receiver.restart();
    clock.advance(Duration::seconds(30));
    let got = receiver
        .wait_for(&[&secret], StdDuration::from_secs(10), |got| {
            got.iter()
                .filter_map(|e| e["id"].as_str())
                .collect::<HashSet<_>>()
                .len()
                == 4
        })
        .await;
    let sent: HashSet<&str> = failed.iter().filter_map(|d| d["id"].as_str()).collect();
    for event in &got {
        assert!(
            sent.contains(event["id"].as_str().unwrap_or("")),
            "a retry keeps its id: {event}"
        );
        assert_eq!(event["verified"], true);
    }
    let endpoints: Value = app
        .get("/v1/rooms/down/webhooks")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        endpoints[0]["status"], "ok",
        "a success ends the failing streak"
    );
}

#[tokio::test]
async fn a_receiver_that_never_answers_times_out_and_holds_up_no_one() {
    let (stuck, fine) = (Receiver::start(), Receiver::start());
    stuck.set_mode(json!({"hang": true})).await;
    let app = hooks_app(&[]).await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "stuck"})).await;
    let (stuck_id, _) = add_endpoint(&app, "stuck", json!({"url": stuck.url("/hook")})).await;
    let (_, secret) = add_endpoint(&app, "stuck", json!({"url": fine.url("/hook")})).await;
    start_meeting(&app, "stuck").await;
    fine.wait_for(&[&secret], StdDuration::from_secs(3), |got| got.len() == 1)
        .await;
    let log = deliveries(&app, "stuck", &stuck_id).await;
    assert_eq!(
        log[0]["attempts"], 0,
        "still waiting for the stuck receiver: {log:#?}"
    );
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    let timed_out = loop {
        let log = deliveries(&app, "stuck", &stuck_id).await;
        if log[0]["attempts"] == 1 {
            break log;
        }
        assert!(std::time::Instant::now() < deadline, "{log:#?}");
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    };
    assert_eq!(timed_out[0]["state"], "pending", "tried again later");
    assert!(
        timed_out[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("did not answer within 10 s"),
        "{timed_out:#?}"
    );
}

#[tokio::test]
async fn endpoints_are_refused_on_private_addresses_unknown_events_and_past_the_cap() {
    let guarded = spawn_app_with(&[]).await;
    guarded.sign_up("ada@example.com").await;
    guarded.post("/v1/rooms", json!({"name": "guarded"})).await;
    for (body, field, says) in [
        (
            json!({"url": "http://127.0.0.1:9/hook"}),
            "url",
            "--allow-private-webhooks",
        ),
        (
            json!({"url": "http://[::1]:9/hook"}),
            "url",
            "--allow-private-webhooks",
        ),
        (json!({"url": "not a url"}), "url", "https://"),
        (
            json!({"url": "https://hooks.example.com/x", "events": ["meeting.exploded"]}),
            "events",
            "participant.joined",
        ),
    ] {
        let answer = guarded
            .post("/v1/rooms/guarded/webhooks", body.clone())
            .await;
        assert_eq!(answer.status(), 422, "{body}");
        let error: Value = answer.json().await.expect("json");
        let message = error["error"]["fields"][field].as_str().unwrap_or("");
        assert!(message.contains(says), "{body}: {error}");
    }
    let stranger = new_client();
    stranger
        .post(guarded.url("/v1/auth/signup"))
        .json(&json!({"email": "eve@example.com", "name": "Eve", "password": "correct horse"}))
        .send()
        .await
        .expect("signup");
    let peek = stranger
        .get(guarded.url("/v1/rooms/guarded/webhooks"))
        .send()
        .await
        .expect("list");
    assert_eq!(peek.status(), 403);

    let app = hooks_app(&[]).await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "capped"})).await;
    for i in 0..5 {
        add_endpoint(
            &app,
            "capped",
            json!({"url": format!("http://127.0.0.1:9/hook{i}")}),
        )
        .await;
    }
    let sixth = app
        .post(
            "/v1/rooms/capped/webhooks",
            json!({"url": "http://127.0.0.1:9/six"}),
        )
        .await;
    assert_eq!(sixth.status(), 429);
    let listed: Value = app
        .get("/v1/rooms/capped/webhooks")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn a_rotated_secret_signs_alongside_the_old_one_and_redelivery_keeps_the_id() {
    let receiver = Receiver::start();
    let app = hooks_app(&[]).await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "rotate"})).await;
    let (endpoint, old) = add_endpoint(&app, "rotate", json!({"url": receiver.url("/hook")})).await;
    let rotated: Value = app
        .post(
            &format!("/v1/rooms/rotate/webhooks/{endpoint}/rotate-secret"),
            json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    let new = rotated["secret"]
        .as_str()
        .expect("the new secret")
        .to_string();
    assert_ne!(new, old);
    let test: Value = app
        .post(
            &format!("/v1/rooms/rotate/webhooks/{endpoint}/test"),
            json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    let id = test["id"].as_str().expect("id").to_string();
    for secret in [&old, &new] {
        let got = receiver
            .wait_for(&[secret], StdDuration::from_secs(5), |got| got.len() == 1)
            .await;
        assert_eq!(got[0]["verified"], true, "verifies with {secret}");
        assert_eq!(got[0]["signatures"], 2);
        assert_eq!(got[0]["body"]["type"], "webhook.test");
    }
    let again = app
        .post(
            &format!("/v1/rooms/rotate/webhooks/deliveries/{id}/redeliver"),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), 202);
    let got = receiver
        .wait_for(&[&new], StdDuration::from_secs(5), |got| got.len() == 2)
        .await;
    assert_eq!(
        got[1]["id"],
        id.as_str(),
        "a redelivery is the same message"
    );
}

#[tokio::test]
async fn two_instances_on_postgres_send_every_event_and_never_two_attempts_at_once() {
    let Some(url) = postgres_database_url().await else {
        return;
    };
    let key = roomcal::secret::SecretKey::generate();
    let flags = [
        "--database-url",
        &url,
        "--secret-key",
        key.expose(),
        "--allow-private-webhooks",
        "--webhook-sends-per-minute",
        "100",
    ];
    let a = with_worker(spawn_app_with(&flags).await);
    let b = with_worker(spawn_app_with(&flags).await);
    let receiver = Receiver::start();
    // Slow answers keep attempts in flight long enough for a second one to overlap.
    receiver.set_mode(json!({"delay_ms": 300})).await;
    a.sign_up("ada@example.com").await;
    a.post("/v1/rooms", json!({"name": "pair"})).await;
    let (endpoint, secret) = add_endpoint(&a, "pair", json!({"url": receiver.url("/hook")})).await;
    for _ in 0..20 {
        a.post(
            &format!("/v1/rooms/pair/webhooks/{endpoint}/test"),
            json!({}),
        )
        .await;
    }
    let got = receiver
        .wait_for(&[&secret], StdDuration::from_secs(30), |got| {
            got.iter()
                .filter_map(|e| e["id"].as_str())
                .collect::<HashSet<_>>()
                .len()
                == 20
        })
        .await;
    assert!(got.iter().all(|e| e["verified"] == true));
    let stats = receiver.stats().await;
    assert_eq!(stats["max_in_flight_per_id"], 1, "{stats}");
    assert!(
        stats["max_in_flight"].as_i64() > Some(1),
        "attempts overlapped: {stats}"
    );
    drop(b);
}

/// The `roomcal serve` binary on `database`, with `key`, on a free port.
fn roomcal_process(database: &str, key: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            database,
            "--secret-key",
            key,
            "--site-root",
            "/nonexistent-site-root",
            "--allow-private-webhooks",
            "--lifecycle-tick",
            "1s",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start roomcal")
}

#[tokio::test]
async fn roomcal_killed_between_a_change_and_its_delivery_delivers_it_after_restart() {
    use roomcal::domain::{CallRoom, Meeting, RoomName};
    use roomcal::store::NewRoom;
    use roomcal::webhooks::{payload, EventSelection, WebhookEventType};
    let dir = tempfile::tempdir().expect("dir");
    let database = format!("sqlite://{}", dir.path().join("roomcal.db").display());
    let store = roomcal::store::open(&database).await.expect("open");
    store.migrate().await.expect("migrate");
    let key = roomcal::secret::SecretKey::generate();
    let secrets = roomcal::secret::SecretBox::new(&key).expect("box");
    let mut receiver = Receiver::start();
    receiver.stop();
    let owner = store
        .insert_user(&roomcal::store::NewUser {
            id: uuid::Uuid::new_v4(),
            email: roomcal::domain::Email::parse("ada@example.com").expect("email"),
            display_name: roomcal::domain::DisplayName::parse("Ada").expect("name"),
            password_hash: "x".into(),
            created_at: Utc::now(),
        })
        .await
        .expect("user");
    let room = store
        .insert_room(&NewRoom {
            id: uuid::Uuid::new_v4(),
            name: RoomName::parse("crashy").expect("name"),
            owner_id: owner.id,
            created_at: Utc::now(),
        })
        .await
        .expect("room");
    let secret = roomcal::webhooks::sign::generate_secret();
    let endpoint = roomcal::domain::WebhookEndpoint {
        id: uuid::Uuid::new_v4(),
        room_id: room.id,
        url: secrets.seal(&receiver.url("/hook")),
        events: EventSelection::parse(&[]).expect("events").to_stored(),
        enabled: true,
        owners_system: false,
        secret: secrets.seal(&secret),
        previous_secret: None,
        previous_secret_until: None,
        created_at: Utc::now(),
        failing_since: None,
        disabled_reason: None,
    };
    store
        .insert_webhook_endpoint(&endpoint)
        .await
        .expect("endpoint");

    let mut server = roomcal_process(&database, key.expose());
    // The change, written by another instance while this one runs: a meeting and its event.
    let call = CallRoom {
        participant_url: "https://call.example/x".into(),
        host_url: None,
        platform_meeting_id: None,
    };
    let now = Utc::now();
    let meeting = Meeting::open(
        room.id,
        None,
        (now, now + Duration::hours(1)),
        "jitsi",
        call,
        now,
    );
    let room_ref = payload::RoomRef {
        id: room.id,
        name: "crashy",
        url: "http://127.0.0.1:3000/room/crashy",
    };
    let event = payload::meeting_event(
        WebhookEventType::MeetingCreated,
        now,
        &room_ref,
        &meeting,
        None,
        None,
        &payload::MeetingExtras::default(),
    );
    store
        .insert_meeting(&meeting, &[event])
        .await
        .expect("meeting");
    let deadline = std::time::Instant::now() + StdDuration::from_secs(15);
    let tried = loop {
        let log = store
            .webhook_deliveries(endpoint.id, 10)
            .await
            .expect("log");
        if log.first().is_some_and(|d| d.attempts >= 1) {
            break log;
        }
        assert!(std::time::Instant::now() < deadline, "no attempt: {log:?}");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    };
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &server.id().to_string()])
        .status();
    let _ = server.wait();

    receiver.restart();
    let mut server = roomcal_process(&database, key.expose());
    let got = receiver
        .wait_for(&[&secret], StdDuration::from_secs(30), |got| {
            !got.is_empty()
        })
        .await;
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        got[0]["id"],
        tried[0].id.as_str(),
        "the same message, after the restart"
    );
    assert_eq!(got[0]["verified"], true);
    assert_eq!(got[0]["body"]["type"], "meeting.created");
}

#[tokio::test]
async fn a_host_keeping_a_meeting_open_longer_and_ending_it_now_tells_the_receivers() {
    let receiver = Receiver::start();
    let app = hooks_app(&[]).await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "steer"})).await;
    let (_, secret) = add_endpoint(
        &app,
        "steer",
        json!({"url": receiver.url("/hook"), "events": ["meeting.extended", "meeting.ended"]}),
    )
    .await;
    let meeting = start_meeting(&app, "steer").await;
    presence(&app, &meeting, "join").await;

    let extended = app
        .post(
            &format!("/v1/rooms/steer/meetings/{meeting}/extend"),
            json!({"minutes": 30}),
        )
        .await;
    assert_eq!(extended.status(), 200);
    let controls: Value = extended.json().await.expect("json");
    let ended = app
        .post(
            &format!("/v1/rooms/steer/meetings/{meeting}/end"),
            json!({}),
        )
        .await;
    assert_eq!(ended.status(), 200);

    let got = receiver
        .wait_for(&[&secret], StdDuration::from_secs(10), |got| got.len() >= 2)
        .await;
    let got = at(&got, "/hook");
    assert_eq!(types(&got), ["meeting.extended", "meeting.ended"]);
    let data = &got[0]["body"]["data"];
    assert_eq!(data["extended_by_minutes"], 30);
    let told = chrono::DateTime::parse_from_rfc3339(data["closes_at"].as_str().expect("closes_at"))
        .expect("RFC 3339");
    let shown = chrono::DateTime::parse_from_rfc3339(
        controls["closes_at"]
            .as_str()
            .expect("the controls' closes_at"),
    )
    .expect("RFC 3339");
    assert_eq!(
        told.timestamp(),
        shown.timestamp(),
        "the receiver hears the close time the host sees (to the second)"
    );
    assert_eq!(
        got[1]["body"]["data"]["meeting"]["close_reason"],
        "ended_by_host"
    );
}

#[tokio::test]
async fn test_events_and_redeliveries_past_the_rooms_limit_are_refused_with_a_429() {
    // No worker: nothing is sent; the limit is on what is queued.
    let app = spawn_app_with(&[
        "--allow-private-webhooks",
        "--webhook-sends-per-minute",
        "2",
    ])
    .await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "noisy"})).await;
    let (endpoint, _) =
        add_endpoint(&app, "noisy", json!({"url": "http://127.0.0.1:9/hook"})).await;
    let test = format!("/v1/rooms/noisy/webhooks/{endpoint}/test");
    let first: Value = app.post(&test, json!({})).await.json().await.expect("json");
    let id = first["id"].as_str().expect("id");
    let redeliver = format!("/v1/rooms/noisy/webhooks/deliveries/{id}/redeliver");
    assert_eq!(app.post(&redeliver, json!({})).await.status(), 202);
    for refused in [
        app.post(&test, json!({})).await,
        app.post(&redeliver, json!({})).await,
    ] {
        assert_eq!(refused.status(), 429);
        assert!(refused.headers().contains_key("retry-after"));
        let body: Value = refused.json().await.expect("json");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|e| e.contains("test events or redeliveries")),
            "{body}"
        );
    }
    assert_eq!(
        deliveries(&app, "noisy", &endpoint).await.len(),
        1,
        "nothing more was queued"
    );
}
