//! Co-owners: the owner names another account by email; it then sees what the owner
//! sees and changes the settings, but only the owner deletes the room or changes who
//! co-owns it. Leaving the service can hand one's rooms to their co-owners.

use crate::helpers::{new_client, spawn_app, TestApp};
use serde_json::{json, Value};

/// Signs `email` up with a client of its own.
async fn person(app: &TestApp, email: &str, name: &str) -> reqwest::Client {
    let client = new_client();
    let signup = client
        .post(app.url("/v1/auth/signup"))
        .json(&json!({"email": email, "name": name, "password": "correct horse"}))
        .send()
        .await
        .expect("signup");
    assert_eq!(signup.status(), 201);
    client
}

async fn get_json(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let response = client.get(app.url(path)).send().await.expect("get");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Value,
) -> (u16, Value) {
    let response = client
        .request(method, url)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Whether `room` (`GET /v1/rooms/{room}`) shows its meetings to the caller as to an owner.
fn sees_as_owner(room: &Value) -> bool {
    room["is_owner"] == true
        && room["board"]["meetings"]
            .as_array()
            .is_some_and(|m| !m.is_empty() && m.iter().all(|m| m.get("owner").is_some()))
}

#[tokio::test]
async fn a_co_owner_sees_what_the_owner_sees_and_changes_settings_but_cannot_delete_the_room_or_name_co_owners(
) {
    let app = spawn_app().await;
    app.owner_with_meeting("standup").await;
    let bob = person(&app, "bob@example.com", "Bob").await;
    person(&app, "carol@example.com", "Carol").await;
    let (_, room) = get_json(&bob, &app, "/v1/rooms/standup").await;
    assert!(!sees_as_owner(&room), "a stranger first: {room}");
    let room_id = room["id"].as_str().expect("id").to_string();
    let url = app.url(&format!("/v1/rooms/{room_id}"));
    let patch = |client: reqwest::Client| {
        let url = url.clone();
        async move {
            send(
                &client,
                reqwest::Method::PATCH,
                url,
                json!({"ics_fetch_interval_minutes": 30}),
            )
            .await
        }
    };
    assert_eq!(patch(bob.clone()).await.0, 403);
    assert_eq!(
        get_json(&bob, &app, "/v1/rooms/standup/co-owners").await.0,
        403
    );

    let (status, added) = send(
        &app.client,
        reqwest::Method::POST,
        app.url("/v1/rooms/standup/co-owners"),
        json!({"email": "Bob@Example.com"}),
    )
    .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["email"], "bob@example.com");
    assert_eq!(added["name"], "Bob");

    let (_, room) = get_json(&bob, &app, "/v1/rooms/standup").await;
    assert!(sees_as_owner(&room), "a co-owner now: {room}");
    let (status, settings) = patch(bob.clone()).await;
    assert_eq!(status, 200, "{settings}");
    let (_, mine) = get_json(&bob, &app, "/v1/rooms").await;
    assert_eq!(mine[0]["name"], "standup");
    assert_eq!(mine[0]["role"], "co_owner");
    let (_, adas) = get_json(&app.client, &app, "/v1/rooms").await;
    assert_eq!(adas[0]["role"], "owner");
    let (_, listed) = get_json(&bob, &app, "/v1/rooms/standup/co-owners").await;
    assert_eq!(listed[0]["email"], "bob@example.com");

    // What only the owner does.
    let (status, refused) = send(
        &bob,
        reqwest::Method::DELETE,
        app.url("/v1/rooms/standup"),
        json!({"confirm": "standup"}),
    )
    .await;
    assert_eq!(status, 403);
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("only the room's owner"));
    let (status, _) = send(
        &bob,
        reqwest::Method::POST,
        app.url("/v1/rooms/standup/co-owners"),
        json!({"email": "carol@example.com"}),
    )
    .await;
    assert_eq!(status, 403);

    // Removed again: a stranger once more.
    let bob_id = added["user_id"].as_str().expect("id");
    let (status, _) = send(
        &app.client,
        reqwest::Method::DELETE,
        app.url(&format!("/v1/rooms/standup/co-owners/{bob_id}")),
        json!({}),
    )
    .await;
    assert_eq!(status, 204);
    let (_, room) = get_json(&bob, &app, "/v1/rooms/standup").await;
    assert!(!sees_as_owner(&room));
    assert_eq!(patch(bob.clone()).await.0, 403);
}

#[tokio::test]
async fn adding_a_co_owner_says_what_to_do_when_nobody_or_the_owner_has_that_email_or_it_is_one_already(
) {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "standup"})).await;
    person(&app, "bob@example.com", "Bob").await;
    let add = |email: &'static str| {
        send(
            &app.client,
            reqwest::Method::POST,
            app.url("/v1/rooms/standup/co-owners"),
            json!({ "email": email }),
        )
    };
    let (status, body) = add("nobody@example.com").await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["email"]
        .as_str()
        .unwrap_or_default()
        .contains("sign up"));
    let (status, body) = add("not an email").await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = add("ada@example.com").await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["email"]
        .as_str()
        .unwrap_or_default()
        .contains("owner"));
    assert_eq!(add("bob@example.com").await.0, 201);
    let (status, body) = add("bob@example.com").await;
    assert_eq!(status, 409, "{body}");
    let (_, listed) = get_json(&app.client, &app, "/v1/rooms/standup/co-owners").await;
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "nothing else was added"
    );
}

#[tokio::test]
async fn a_co_owner_may_leave_a_room_but_not_remove_the_others() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "standup"})).await;
    let bob = person(&app, "bob@example.com", "Bob").await;
    person(&app, "carol@example.com", "Carol").await;
    let mut ids = Vec::new();
    for email in ["bob@example.com", "carol@example.com"] {
        let (_, added) = send(
            &app.client,
            reqwest::Method::POST,
            app.url("/v1/rooms/standup/co-owners"),
            json!({ "email": email }),
        )
        .await;
        ids.push(added["user_id"].as_str().expect("id").to_string());
    }
    let remove = |id: &str| {
        send(
            &bob,
            reqwest::Method::DELETE,
            app.url(&format!("/v1/rooms/standup/co-owners/{id}")),
            json!({}),
        )
    };
    assert_eq!(remove(&ids[1]).await.0, 403, "Bob cannot remove Carol");
    assert_eq!(remove(&ids[0]).await.0, 204, "Bob leaves");
    let (_, listed) = get_json(&app.client, &app, "/v1/rooms/standup/co-owners").await;
    let emails: Vec<_> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["email"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(emails, ["carol@example.com"]);
}

#[tokio::test]
async fn deleting_an_account_can_hand_its_rooms_to_their_co_owners_and_deletes_the_rest() {
    let app = spawn_app().await;
    app.owner_with_meeting("standup").await;
    app.post("/v1/rooms", json!({"name": "retro"})).await;
    let bob = person(&app, "bob@example.com", "Bob").await;
    send(
        &app.client,
        reqwest::Method::POST,
        app.url("/v1/rooms/standup/co-owners"),
        json!({"email": "bob@example.com"}),
    )
    .await;
    let (status, _) = send(
        &app.client,
        reqwest::Method::DELETE,
        app.url("/v1/me"),
        json!({"confirm": "ada@example.com", "rooms": "hand_over"}),
    )
    .await;
    assert_eq!(status, 204);
    let (_, mine) = get_json(&bob, &app, "/v1/rooms").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["name"], "standup");
    assert_eq!(mine[0]["role"], "owner", "Bob owns it now");
    let (_, room) = get_json(&bob, &app, "/v1/rooms/standup").await;
    assert!(sees_as_owner(&room), "with its running meeting: {room}");
    assert_eq!(
        get_json(&new_client(), &app, "/v1/rooms/retro").await.0,
        404,
        "a room without a co-owner goes with the account"
    );
    // As the new owner, Bob may now delete it.
    let (status, _) = send(
        &bob,
        reqwest::Method::DELETE,
        app.url("/v1/rooms/standup"),
        json!({"confirm": "standup"}),
    )
    .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn sign_in_options_are_public_and_say_there_is_no_provider_when_none_is_set() {
    let app = spawn_app().await;
    let (status, options) = get_json(&new_client(), &app, "/v1/auth/options").await;
    assert_eq!(status, 200);
    assert_eq!(options["provider_label"], Value::Null);
    assert_eq!(options["provider_login_path"], Value::Null);
    assert_eq!(options["local_accounts"], true);
}
