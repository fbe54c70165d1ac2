//! No single client can stall or distort the service: each limit is reached, answers 429
//! with `Retry-After` and a message, and everything else keeps working.

use crate::helpers::{new_client, spawn_app_with, TestApp};
use reqwest::Response;
use serde_json::{json, Value};

/// An app for limit tests: loopback feeds allowed, client addresses taken from
/// `X-Forwarded-For` so one test can speak as several addresses, and `extra` flags.
async fn app_with(extra: &[&str]) -> TestApp {
    let mut args = vec![
        "--allow-private-feeds",
        "--allow-http-feeds",
        "--trust-forwarded-for",
    ];
    args.extend_from_slice(extra);
    spawn_app_with(&args).await
}

/// POSTs `body` to `path` as a client at address `from`.
async fn post_from(
    app: &TestApp,
    client: &reqwest::Client,
    from: &str,
    path: &str,
    body: Value,
) -> Response {
    client
        .post(app.url(path))
        .header("x-forwarded-for", from)
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// Asserts a 429 with a `Retry-After` and a message saying `words`.
async fn assert_limited(response: Response, words: &str) {
    assert_eq!(response.status(), 429);
    let retry: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!(retry >= 1);
    let body: Value = response.json().await.expect("json");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "{message:?} should say {words:?}");
}

/// Signs `name` up as `email` with `client`, from address `from`.
async fn sign_up_from(
    app: &TestApp,
    client: &reqwest::Client,
    from: &str,
    email: &str,
    name: &str,
) -> Response {
    let body = json!({"email": email, "name": name, "password": "long enough"});
    post_from(app, client, from, "/v1/auth/signup", body).await
}

fn login(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

#[tokio::test]
async fn password_guessing_is_refused_per_account_from_any_address_even_with_the_right_password() {
    let app = app_with(&["--login-failures", "3"]).await;
    app.sign_up("ada@example.com").await;
    let guesser = new_client();
    for i in 0..3 {
        let from = format!("198.51.100.{i}");
        let wrong = post_from(
            &app,
            &guesser,
            &from,
            "/v1/auth/login",
            login("ada@example.com", "nope"),
        )
        .await;
        assert_eq!(wrong.status(), 401, "guess {i}");
    }
    let fourth = post_from(
        &app,
        &guesser,
        "198.51.100.9",
        "/v1/auth/login",
        login("ada@example.com", "nope"),
    )
    .await;
    assert_limited(fourth, "too many failed attempts for this account").await;
    let right = post_from(
        &app,
        &guesser,
        "198.51.100.10",
        "/v1/auth/login",
        login("ada@example.com", "correct horse"),
    )
    .await;
    assert_eq!(
        right.status(),
        429,
        "the right password does not unlock a guessed-at account early"
    );

    // Another account is not affected, and /healthz keeps answering.
    let bob = new_client();
    let signup = sign_up_from(&app, &bob, "192.0.2.1", "bob@example.com", "Bob").await;
    assert_eq!(signup.status(), 201);
    let bob_in = post_from(
        &app,
        &bob,
        "192.0.2.1",
        "/v1/auth/login",
        login("bob@example.com", "long enough"),
    )
    .await;
    assert_eq!(bob_in.status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_refused_while_others_sign_in() {
    let app = app_with(&["--login-failures", "3"]).await;
    app.sign_up("ada@example.com").await;
    let sprayer = new_client();
    for i in 0..3 {
        let email = format!("user{i}@example.com");
        let wrong = post_from(
            &app,
            &sprayer,
            "203.0.113.7",
            "/v1/auth/login",
            login(&email, "password1"),
        )
        .await;
        assert_eq!(wrong.status(), 401);
    }
    let next = post_from(
        &app,
        &sprayer,
        "203.0.113.7",
        "/v1/auth/login",
        login("ada@example.com", "password1"),
    )
    .await;
    assert_limited(next, "from your address").await;
    let signup = sign_up_from(&app, &sprayer, "203.0.113.7", "x@example.com", "X").await;
    assert_limited(signup, "from your address").await;
    // Ada, from her own address, still gets in: her account saw no failures.
    let ada = post_from(
        &app,
        &new_client(),
        "192.0.2.50",
        "/v1/auth/login",
        login("ada@example.com", "correct horse"),
    )
    .await;
    assert_eq!(ada.status(), 200);
}

/// Ada's room `room` with an unscheduled meeting; returns the meeting id.
async fn meeting_in(app: &TestApp, room: &str) -> String {
    app.owner_with_meeting(room).await
}

fn presence(id: &str) -> Value {
    json!({"participant_id": id, "event": "join"})
}

#[tokio::test]
async fn a_flood_of_made_up_participants_is_refused_and_does_not_inflate_the_head_count() {
    let app = app_with(&["--presence-ids-per-minute", "5"]).await;
    let meeting = meeting_in(&app, "floodroom").await;
    let path = format!("/v1/meetings/{meeting}/presence");
    let script = new_client();
    for i in 0..5 {
        let joined = post_from(
            &app,
            &script,
            "203.0.113.66",
            &path,
            presence(&format!("fake-guest-{i:04}")),
        )
        .await;
        assert_eq!(joined.status(), 204, "id {i}");
    }
    for i in 5..30 {
        let refused = post_from(
            &app,
            &script,
            "203.0.113.66",
            &path,
            presence(&format!("fake-guest-{i:04}")),
        )
        .await;
        assert_eq!(refused.status(), 429, "id {i}");
    }
    let last = post_from(
        &app,
        &script,
        "203.0.113.66",
        &path,
        presence("fake-guest-9999"),
    )
    .await;
    assert_limited(last, "too many new participants").await;
    // Ids already in keep beating; a real guest elsewhere still gets in.
    let beat = post_from(
        &app,
        &script,
        "203.0.113.66",
        &path,
        json!({"participant_id": "fake-guest-0000", "event": "heartbeat"}),
    )
    .await;
    assert_eq!(beat.status(), 204);
    let guest = post_from(
        &app,
        &new_client(),
        "192.0.2.80",
        &path,
        presence("real-guest-0001"),
    )
    .await;
    assert_eq!(guest.status(), 204);
    let room: Value = app
        .get("/v1/rooms/floodroom")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        crate::helpers::active_meetings(&room)[0]["participants_now"],
        6
    );
}

#[tokio::test]
async fn a_full_meeting_refuses_newcomers_until_someone_leaves() {
    let app = app_with(&["--max-participants-per-meeting", "3"]).await;
    let meeting = meeting_in(&app, "smallroom").await;
    let path = format!("/v1/meetings/{meeting}/presence");
    for (i, from) in ["192.0.2.1", "192.0.2.2", "192.0.2.3"].iter().enumerate() {
        let joined = post_from(
            &app,
            &new_client(),
            from,
            &path,
            presence(&format!("person-{i:04}")),
        )
        .await;
        assert_eq!(joined.status(), 204);
    }
    let fourth = post_from(
        &app,
        &new_client(),
        "192.0.2.4",
        &path,
        presence("person-0004"),
    )
    .await;
    assert_limited(fourth, "this meeting is full").await;
    let leave = post_from(
        &app,
        &new_client(),
        "192.0.2.1",
        &path,
        json!({"participant_id": "person-0000", "event": "leave"}),
    )
    .await;
    assert_eq!(leave.status(), 204);
    let again = post_from(
        &app,
        &new_client(),
        "192.0.2.4",
        &path,
        presence("person-0004"),
    )
    .await;
    assert_eq!(again.status(), 204);
}

#[tokio::test]
async fn asking_again_for_an_unscheduled_meeting_gives_back_the_running_one_and_the_room_has_a_cap()
{
    let app = app_with(&["--max-unscheduled-per-room", "2"]).await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "busyroom"})).await;
    let mallory = new_client();
    let signup = sign_up_from(
        &app,
        &mallory,
        "192.0.2.9",
        "mallory@example.com",
        "Mallory",
    )
    .await;
    assert_eq!(signup.status(), 201);
    let first = post_from(
        &app,
        &mallory,
        "192.0.2.9",
        "/v1/rooms/busyroom/meeting",
        json!({}),
    )
    .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    for _ in 0..30 {
        let again = post_from(
            &app,
            &mallory,
            "192.0.2.9",
            "/v1/rooms/busyroom/meeting",
            json!({}),
        )
        .await;
        assert_eq!(again.status(), 200);
        let again: Value = again.json().await.expect("json");
        assert_eq!(again["meeting"]["id"], first["meeting"]["id"]);
    }
    let room: Value = app
        .get("/v1/rooms/busyroom")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(crate::helpers::active_meetings(&room).len(), 1);

    // Ada starts the second; a third person finds the room at its cap.
    assert_eq!(
        app.post("/v1/rooms/busyroom/meeting", json!({}))
            .await
            .status(),
        201
    );
    let cy = new_client();
    sign_up_from(&app, &cy, "192.0.2.10", "cy@example.com", "Cy").await;
    let third = post_from(
        &app,
        &cy,
        "192.0.2.10",
        "/v1/rooms/busyroom/meeting",
        json!({}),
    )
    .await;
    assert_limited(third, "unscheduled meetings are running in this room").await;
}

#[tokio::test]
async fn an_account_cannot_own_more_rooms_than_the_cap() {
    let app = app_with(&["--max-rooms-per-user", "2"]).await;
    app.sign_up("ada@example.com").await;
    assert_eq!(
        app.post("/v1/rooms", json!({"name": "room-one"}))
            .await
            .status(),
        201
    );
    assert_eq!(
        app.post("/v1/rooms", json!({"name": "room-two"}))
            .await
            .status(),
        201
    );
    let third = app.post("/v1/rooms", json!({"name": "room-three"})).await;
    assert_limited(third, "the most one account may have").await;
    assert_eq!(app.get("/v1/rooms/room-three").await.status(), 404);
}

#[tokio::test]
async fn testing_calendar_addresses_has_a_per_user_limit() {
    let app = app_with(&["--feed-tests-per-minute", "2"]).await;
    let feeds = crate::feed_server::start_on("127.0.0.1").await;
    feeds.set("main", crate::helpers::ics(&[]));
    app.room_with_feed("testroom", &feeds.url("/feed/main"))
        .await;
    let body = json!({"url": feeds.url("/feed/main")});
    for _ in 0..2 {
        assert_eq!(
            app.post("/v1/rooms/testroom/ics/test", body.clone())
                .await
                .status(),
            200
        );
    }
    let third = app.post("/v1/rooms/testroom/ics/test", body).await;
    assert_limited(third, "tested calendar addresses several times").await;
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_is_cut_off_at_the_limit_too() {
    let app = app_with(&["--login-failures", "3"]).await;
    app.sign_up("ada@example.com").await;
    let guesses: Vec<_> = (0..20)
        .map(|i| {
            let client = new_client();
            let url = app.url("/v1/auth/login");
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("x-forwarded-for", format!("198.51.100.{i}"))
                    .json(&login("ada@example.com", &format!("guess {i}")))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.expect("task").expect("response"));
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        checked, 3,
        "only three passwords were checked: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 17);
}

#[tokio::test]
async fn parallel_requests_for_an_unscheduled_meeting_make_one_call() {
    let app = app_with(&[]).await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "rushroom"})).await;
    let starts: Vec<_> = (0..12)
        .map(|_| {
            let client = app.client.clone();
            let url = app.url("/v1/rooms/rushroom/meeting");
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .json(&json!({}))
                    .send()
                    .await
                    .expect("start");
                let status = response.status().as_u16();
                let body: Value = response.json().await.expect("json");
                let id = body["meeting"]["id"].as_str().unwrap_or_default();
                (status, id.to_string())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for start in starts {
        answers.push(start.await.expect("task"));
    }
    assert_eq!(
        answers.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{answers:?}"
    );
    assert!(
        answers.iter().all(|(_, id)| *id == answers[0].1),
        "one meeting for all: {answers:?}"
    );
}

#[tokio::test]
async fn an_address_test_on_a_slow_server_holds_no_sync_slot_and_a_full_test_pool_says_429() {
    let app = app_with(&[
        "--sync-concurrency",
        "1",
        "--feed-test-concurrency",
        "1",
        "--feed-test-wait",
        "1s",
    ])
    .await;
    let feeds = crate::feed_server::start_on("127.0.0.1").await;
    let url = app.room_url("slowroom");
    feeds.set(
        "main",
        crate::helpers::ics(&[crate::helpers::Ev {
            uid: "standup",
            start: chrono::Utc::now() + chrono::Duration::hours(2),
            minutes: 15,
            summary: "Standup",
            location: &url,
        }]),
    );
    app.room_with_feed("slowroom", &feeds.url("/feed/main"))
        .await;
    // A test of a server that never answers in time holds the only test slot (the test
    // apps give up on a feed after 2 s).
    let held = tokio::spawn({
        let client = app.client.clone();
        let url = app.url("/v1/rooms/slowroom/ics/test");
        let body = json!({"url": feeds.url("/slow")});
        async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }
    });
    // Wait until the test is at the slow server, holding the only test slot.
    for _ in 0..200 {
        if feeds.hits("/slow") > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        feeds.hits("/slow") > 0,
        "the slow test reached the slow server"
    );
    // The calendar sync still has its slot: the room syncs while the test hangs.
    let sync = app.post("/v1/rooms/slowroom/ics/sync", json!({})).await;
    assert_eq!(sync.status(), 200);
    let outcome: Value = sync.json().await.expect("json");
    assert_eq!(outcome["created"], 1);
    assert!(
        !held.is_finished(),
        "the slow test was still running during the sync"
    );
    // A second test finds the pool full and is told to retry.
    let busy = app
        .post(
            "/v1/rooms/slowroom/ics/test",
            json!({"url": feeds.url("/feed/main")}),
        )
        .await;
    assert_limited(busy, "being tested right now").await;
    assert_eq!(
        held.await.expect("task").expect("response"),
        422,
        "the slow server timed out"
    );
}
