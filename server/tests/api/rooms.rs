use crate::helpers::{new_client, spawn_app, TestApp, JITSI_STUB};
use serde_json::{json, Value};

#[tokio::test]
async fn a_signed_in_user_creates_a_room_and_owns_it() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    let response = app.post("/v1/rooms", json!({"name": "standup"})).await;
    assert_eq!(response.status(), 201);
    let room: Value = response.json().await.expect("json");
    assert_eq!(room["name"], "standup");
    assert_eq!(room["url"], format!("{}/room/standup", app.address));

    let mine: Value = app.get("/v1/rooms").await.json().await.expect("json");
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    let page: Value = app
        .get("/v1/rooms/standup")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["is_owner"], true);
    assert_eq!(crate::helpers::active_meetings(&page), Vec::<Value>::new());
}

#[tokio::test]
async fn other_people_see_the_room_but_do_not_own_it() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "standup"})).await;
    let page: Value = new_client()
        .get(app.url("/v1/rooms/standup"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(page["is_owner"], false);
    assert_eq!(page["viewer_signed_in"], false);
}

#[tokio::test]
async fn a_taken_room_name_is_a_409_with_a_message() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "standup"})).await;
    let response = app.post("/v1/rooms", json!({"name": "standup"})).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("taken")));
}

#[tokio::test]
async fn malformed_or_reserved_room_names_are_422_with_a_field_message() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    for bad in ["ab", "Team Standup", "admin", "-x-"] {
        let response = app.post("/v1/rooms", json!({"name": bad})).await;
        assert_eq!(response.status(), 422, "{bad}");
        let body: Value = response.json().await.expect("json");
        assert!(body["error"]["fields"]["name"].is_string(), "{bad}: {body}");
    }
}

#[tokio::test]
async fn creating_a_room_needs_a_signed_in_user() {
    let app = spawn_app().await;
    let response = app.post("/v1/rooms", json!({"name": "standup"})).await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn an_unknown_room_is_404() {
    let app = spawn_app().await;
    assert_eq!(app.get("/v1/rooms/nowhere").await.status(), 404);
    assert_eq!(
        app.post("/v1/rooms/nowhere/meeting", json!({}))
            .await
            .status(),
        401
    );
    app.sign_up("ada@example.com").await;
    assert_eq!(
        app.post("/v1/rooms/nowhere/meeting", json!({}))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn starting_a_meeting_opens_a_jitsi_call_listed_in_the_room() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "standup"})).await;

    let response = app.post("/v1/rooms/standup/meeting", json!({})).await;
    assert_eq!(response.status(), 201);
    let meeting: Value = response.json().await.expect("json");
    let url = meeting["participant_url"].as_str().expect("url");
    assert!(
        url.starts_with(&format!("{JITSI_STUB}/roomcal-standup-")),
        "{url}"
    );
    let item = &meeting["meeting"];
    assert_eq!(item["kind"], "active");
    assert_eq!(item["status"], "running");
    assert_eq!(item["title"], "Unscheduled meeting");
    assert!(item.get("calendar_event_id").is_none(), "{item}");
    let start = chrono::DateTime::parse_from_rfc3339(item["start"].as_str().expect("start"))
        .expect("rfc3339");
    let end =
        chrono::DateTime::parse_from_rfc3339(item["end"].as_str().expect("end")).expect("rfc3339");
    assert_eq!(
        end - start,
        chrono::Duration::hours(8),
        "default unscheduled lifetime"
    );

    // Asking again gives back the meeting this user started, not a second call.
    let again = app.post("/v1/rooms/standup/meeting", json!({})).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["meeting"]["id"], meeting["meeting"]["id"]);

    // Someone else's meeting runs beside the first: rooms hold several at once.
    let bob = crate::helpers::new_client();
    bob.post(app.url("/v1/auth/signup"))
        .json(&json!({"email": "bob@example.com", "name": "Bob", "password": "long enough"}))
        .send()
        .await
        .expect("signup");
    let second = bob
        .post(app.url("/v1/rooms/standup/meeting"))
        .json(&json!({}))
        .send()
        .await
        .expect("meeting");
    assert_eq!(second.status(), 201);
    let page: Value = app
        .get("/v1/rooms/standup")
        .await
        .json()
        .await
        .expect("json");
    let active = crate::helpers::active_meetings(&page);
    assert_eq!(active.len(), 2);
    assert_eq!(active[0]["id"], meeting["meeting"]["id"]);
}

#[tokio::test]
async fn the_meeting_page_embeds_the_call_and_an_unknown_meeting_is_404() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "standup"})).await;
    let meeting: Value = app
        .post("/v1/rooms/standup/meeting", json!({}))
        .await
        .json()
        .await
        .expect("json");
    let page = app
        .get(
            meeting["meeting"]["join"]["page_path"]
                .as_str()
                .expect("path"),
        )
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    let call_url = meeting["participant_url"].as_str().expect("url");
    assert!(
        html.contains(&format!("src=\"{call_url}\"")),
        "the call is embedded"
    );

    let missing = app
        .get("/room/standup/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(app.get("/room/standup/not-a-uuid").await.status(), 404);
}

#[tokio::test]
async fn room_pages_are_rendered_on_the_server_with_404_for_unknown_rooms() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "standup"})).await;
    let page = new_client()
        .get(app.url("/room/standup"))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains("standup"));
    let missing = new_client()
        .get(app.url("/room/nowhere"))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.expect("html").contains("Not found"));
}

/// A meeting page of `client` announcing `event`; returns the status.
async fn announce(
    app: &TestApp,
    client: &reqwest::Client,
    meeting: &str,
    page: &str,
    event: &str,
) -> u16 {
    client
        .post(app.url(&format!("/v1/meetings/{meeting}/presence")))
        .json(&json!({"participant_id": page, "event": event}))
        .send()
        .await
        .expect("presence")
        .status()
        .as_u16()
}

/// The owner's list of who is in the meeting.
async fn participants(app: &TestApp, meeting: &str) -> Value {
    app.get(&format!("/v1/rooms/huddle/meetings/{meeting}/participants"))
        .await
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn the_owner_sees_who_is_in_a_meeting_and_everyone_sees_how_many() {
    let app = spawn_app().await;
    let id = app.owner_with_meeting("huddle").await;
    let guest = new_client();
    // Ada in two tabs, and a guest.
    assert_eq!(
        announce(&app, &app.client, &id, "ada-tab-01", "join").await,
        204
    );
    assert_eq!(
        announce(&app, &app.client, &id, "ada-tab-02", "join").await,
        204
    );
    assert_eq!(
        announce(&app, &guest, &id, "guest-page-1", "join").await,
        204
    );

    assert_eq!(
        participants(&app, &id).await,
        json!([
            {"display_name": "Ada Lovelace", "signed_in": true},
            {"display_name": "Guest", "signed_in": false},
        ])
    );
    let room: Value = guest
        .get(app.url("/v1/rooms/huddle"))
        .send()
        .await
        .expect("room")
        .json()
        .await
        .expect("json");
    assert_eq!(
        crate::helpers::active_meetings(&room)[0]["participants_now"],
        2
    );
    let refused = guest
        .get(app.url(&format!("/v1/rooms/huddle/meetings/{id}/participants")))
        .send()
        .await
        .expect("participants");
    assert_eq!(refused.status(), 401);

    assert_eq!(
        announce(&app, &guest, &id, "guest-page-1", "leave").await,
        204
    );
    assert_eq!(
        participants(&app, &id).await.as_array().map(Vec::len),
        Some(1)
    );
    let elsewhere = app
        .get(&format!(
            "/v1/rooms/huddle/meetings/{}/participants",
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(elsewhere.status(), 404);
}

#[tokio::test]
async fn only_the_room_owner_may_list_a_meetings_participants() {
    let app = spawn_app().await;
    let id = app.owner_with_meeting("huddle").await;
    let other = TestApp {
        client: new_client(),
        ..app
    };
    other.sign_up("bob@example.com").await;
    let refused = other
        .get(&format!("/v1/rooms/huddle/meetings/{id}/participants"))
        .await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("owner"),
        "{body}"
    );
}
