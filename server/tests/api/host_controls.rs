//! Host controls through `/v1`: the room's owner and co-owners end a meeting now (it
//! closes for everyone, with its call) or keep it open longer (its force-close moves, up
//! to `--max-extend-minutes`); nobody else can do either.

use crate::helpers::{new_client, spawn_app, spawn_app_with, TestApp};
use chrono::{Duration, Utc};
use roomcal::domain::ClosedBecause;
use roomcal::services::lifecycle_step::run_lifecycle_step;
use serde_json::{json, Value};

/// Signs `email` up with a client of its own.
pub async fn person(app: &TestApp, email: &str) -> reqwest::Client {
    let client = new_client();
    let signup = client
        .post(app.url("/v1/auth/signup"))
        .json(&json!({"email": email, "name": "Someone", "password": "correct horse"}))
        .send()
        .await
        .expect("signup");
    assert_eq!(signup.status(), 201);
    client
}

/// `POST {path}` with `body` as `client`: the status and the JSON answer.
pub async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Whether joining `meeting` of `room` answers "join".
async fn joinable(client: &reqwest::Client, app: &TestApp, room: &str, meeting: &str) -> u16 {
    post(
        client,
        app,
        &format!("/v1/rooms/{room}/meetings/{meeting}/join"),
        json!({}),
    )
    .await
    .0
}

#[tokio::test]
async fn the_owner_or_a_co_owner_ends_a_meeting_for_everyone_and_nobody_else_can() {
    let app = spawn_app().await;
    let first = app.owner_with_meeting("standup").await;
    let bob = person(&app, "bob@example.com").await;
    let carol = person(&app, "carol@example.com").await;
    let (added, _) = post(
        &app.client,
        &app,
        "/v1/rooms/standup/co-owners",
        json!({"email": "bob@example.com"}),
    )
    .await;
    assert_eq!(added, 201);
    let end = |id: &str| format!("/v1/rooms/standup/meetings/{id}/end");

    // A stranger and an anonymous visitor cannot end it; it stays open for everyone.
    let (status, body) = post(&carol, &app, &end(&first), json!({})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        post(&new_client(), &app, &end(&first), json!({})).await.0,
        401
    );
    assert_eq!(joinable(&carol, &app, "standup", &first).await, 200);

    // The co-owner ends it: closed at once, for the guest too.
    let (status, body) = post(&bob, &app, &end(&first), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["close_reason"], "ended_by_host");
    let (status, body) = post(
        &carol,
        &app,
        &format!("/v1/rooms/standup/meetings/{first}/join"),
        json!({}),
    )
    .await;
    assert_eq!(status, 410, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("has ended")));
    let stored = app
        .core
        .store
        .meeting_by_id(first.parse().expect("uuid"))
        .await
        .expect("query")
        .expect("kept");
    assert_eq!(stored.close_reason, Some(ClosedBecause::Host));
    let room: Value = carol
        .get(app.url("/v1/rooms/standup"))
        .send()
        .await
        .expect("room")
        .json()
        .await
        .expect("json");
    assert!(
        crate::helpers::active_meetings(&room).is_empty(),
        "gone from the board: {room}"
    );
    // Ending it twice says it ended already.
    assert_eq!(
        post(&app.client, &app, &end(&first), json!({})).await.0,
        410
    );

    // The owner ends the next one; an id from nowhere is a 404.
    let (_, second) = post(&app.client, &app, "/v1/rooms/standup/meeting", json!({})).await;
    let second = second["meeting"]["id"].as_str().expect("id").to_string();
    assert_eq!(
        post(&app.client, &app, &end(&second), json!({})).await.0,
        200
    );
    let nowhere = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        post(&app.client, &app, &end(&nowhere), json!({})).await.0,
        404
    );
    assert_eq!(
        post(
            &app.client,
            &app,
            "/v1/rooms/nowhere/meetings/x/end",
            json!({})
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn keeping_a_meeting_open_longer_moves_its_close_and_stops_at_the_limit() {
    let app = spawn_app_with(&["--max-extend-minutes", "60"]).await;
    let id = app.owner_with_meeting("standup").await;
    let meeting = app
        .core
        .store
        .meeting_by_id(id.parse().expect("uuid"))
        .await
        .expect("query")
        .expect("meeting");
    // An unscheduled meeting nobody joined closes at its lifetime's end.
    let closes = meeting.end_time;
    let extend = format!("/v1/rooms/standup/meetings/{id}/extend");

    let stranger = person(&app, "carol@example.com").await;
    assert_eq!(
        post(&stranger, &app, &extend, json!({"minutes": 30}))
            .await
            .0,
        403
    );

    // Field-level answers for what is not a number of minutes.
    for bad in [
        json!({"minutes": "thirty"}),
        json!({"minutes": 0}),
        json!({"minutes": 1.5}),
    ] {
        let (status, body) = post(&app.client, &app, &extend, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["error"]["fields"]["minutes"].is_string(), "{body}");
    }

    let (status, body) = post(&app.client, &app, &extend, json!({"minutes": 30})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["extended_minutes"], 30);
    assert_eq!(body["extend_minutes_left"], 30);
    let closes_at = chrono::DateTime::parse_from_rfc3339(body["closes_at"].as_str().expect("at"))
        .expect("rfc 3339")
        .with_timezone(&Utc);
    assert_eq!(closes_at, closes + Duration::minutes(30));
    // Asking for more than is left says how much is.
    let (status, body) = post(&app.client, &app, &extend, json!({"minutes": 45})).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["fields"]["minutes"]
            .as_str()
            .is_some_and(|m| m.contains("30 more minutes")),
        "{body}"
    );
    // The default step is 30 minutes; then the limit is reached and the answer says so.
    let (status, body) = post(&app.client, &app, &extend, json!({})).await;
    assert_eq!((status, body["extended_minutes"].as_i64()), (200, Some(60)));
    let (status, body) = post(&app.client, &app, &extend, json!({"minutes": 30})).await;
    assert_eq!(status, 422);
    let said = body["error"]["fields"]["minutes"]
        .as_str()
        .unwrap_or_default();
    assert!(
        said.contains("60 minutes longer already") && said.contains("start a new meeting"),
        "{said}"
    );

    // The lifecycle keeps it open past its old close, and closes it at the new one.
    let at_old = run_lifecycle_step(&app.core, closes + Duration::seconds(1), 100)
        .await
        .expect("step");
    assert_eq!(at_old.closed, 0);
    assert_eq!(joinable(&app.client, &app, "standup", &id).await, 200);
    let at_new = run_lifecycle_step(&app.core, closes + Duration::minutes(60), 100)
        .await
        .expect("step");
    assert_eq!(at_new.closed, 1);
    assert_eq!(joinable(&app.client, &app, "standup", &id).await, 410);
    assert_eq!(
        post(&app.client, &app, &extend, json!({"minutes": 30}))
            .await
            .0,
        410
    );
}

#[tokio::test]
async fn extending_and_ending_tell_the_rooms_pages_to_refresh() {
    use crate::events::EventReader;
    let app = spawn_app().await;
    let id = app.owner_with_meeting("standup").await;
    let guest = new_client();
    let mut stream =
        EventReader::new(EventReader::open(&guest, &app.address, "standup", None).await);
    let wait = std::time::Duration::from_secs(10);
    let path = |what: &str| format!("/v1/rooms/standup/meetings/{id}/{what}");
    let (status, _) = post(&app.client, &app, &path("extend"), json!({"minutes": 30})).await;
    assert_eq!(status, 200);
    let changed = stream.expect("meeting_changed", wait).await;
    assert!(changed.data.contains(&id), "{}", changed.data);
    let (status, _) = post(&app.client, &app, &path("end"), json!({})).await;
    assert_eq!(status, 200);
    let ended = stream.expect("meeting_ended", wait).await;
    assert!(ended.data.contains(&id), "{}", ended.data);
}
