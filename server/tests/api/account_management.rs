//! Managing one's account and rooms: changing the password (which signs out every other
//! session), seeing one's sessions with their device, signing out everywhere, and deleting
//! a room or the whole account behind a typed confirmation, with nothing of it left.

use crate::helpers::{new_client, spawn_app, TestApp};
use serde_json::{json, Value};

/// A second browser signed in as the account `app.client` signed up.
async fn second_browser(
    app: &TestApp,
    email: &str,
    password: &str,
    agent: &str,
) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(agent)
        .build()
        .expect("client");
    let login = client
        .post(app.url("/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    client
}

async fn status_of(client: &reqwest::Client, app: &TestApp, path: &str) -> u16 {
    client
        .get(app.url(path))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_every_other_session() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    let phone = second_browser(&app, "ada@example.com", "correct horse", "Phone").await;

    let wrong = app
        .post(
            "/v1/me/password",
            json!({"current_password": "a guess", "new_password": "battery staple"}),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.expect("json");
    assert!(body["error"]["fields"]["current_password"].is_string());
    let short = app
        .post(
            "/v1/me/password",
            json!({"current_password": "correct horse", "new_password": "short"}),
        )
        .await;
    assert_eq!(short.status(), 422);
    assert_eq!(
        status_of(&phone, &app, "/v1/me").await,
        200,
        "nothing changed yet"
    );

    let changed = app
        .post(
            "/v1/me/password",
            json!({"current_password": "correct horse", "new_password": "battery staple"}),
        )
        .await;
    assert_eq!(changed.status(), 204);
    assert_eq!(
        status_of(&app.client, &app, "/v1/me").await,
        200,
        "this session stays"
    );
    assert_eq!(
        status_of(&phone, &app, "/v1/me").await,
        401,
        "the others end"
    );
    let old = new_client()
        .post(app.url("/v1/auth/login"))
        .json(&json!({"email": "ada@example.com", "password": "correct horse"}))
        .send()
        .await
        .expect("login");
    assert_eq!(old.status(), 401);
    second_browser(&app, "ada@example.com", "battery staple", "Laptop").await;
}

#[tokio::test]
async fn the_sessions_list_names_each_device_and_signing_out_everywhere_ends_them_all() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    let phone = second_browser(&app, "ada@example.com", "correct horse", "Phone/1.0").await;
    let list: Value = app.get("/v1/me/sessions").await.json().await.expect("json");
    let sessions = list.as_array().expect("list");
    assert_eq!(sessions.len(), 2);
    assert!(sessions
        .iter()
        .any(|s| s["device"] == "Phone/1.0" && s["current"] == false));
    assert_eq!(
        sessions.iter().filter(|s| s["current"] == true).count(),
        1,
        "this one is marked"
    );
    assert!(sessions.iter().all(|s| s["last_used_at"].is_string()));
    assert!(
        !list.to_string().contains("token"),
        "no token or its hash is ever listed"
    );

    let ended = app
        .client
        .delete(app.url("/v1/me/sessions"))
        .send()
        .await
        .expect("end all");
    assert_eq!(ended.status(), 204);
    assert_eq!(status_of(&phone, &app, "/v1/me").await, 401);
    assert_eq!(status_of(&app.client, &app, "/v1/me").await, 401);
}

#[tokio::test]
async fn a_room_is_deleted_only_by_its_owner_with_its_name_typed_and_leaves_nothing_behind() {
    let app = spawn_app().await;
    let meeting = app.owner_with_meeting("doomed").await;
    let typo = app
        .client
        .delete(app.url("/v1/rooms/doomed"))
        .json(&json!({"confirm": "doome"}))
        .send()
        .await
        .expect("delete");
    assert_eq!(typo.status(), 422);
    let body: Value = typo.json().await.expect("json");
    assert!(body["error"]["fields"]["confirm"]
        .as_str()
        .unwrap_or_default()
        .contains("doomed"));

    let stranger = new_client();
    stranger
        .post(app.url("/v1/auth/signup"))
        .json(&json!({"email": "eve@example.com", "name": "Eve", "password": "correct horse"}))
        .send()
        .await
        .expect("signup");
    let not_hers = stranger
        .delete(app.url("/v1/rooms/doomed"))
        .json(&json!({"confirm": "doomed"}))
        .send()
        .await
        .expect("delete");
    assert_eq!(not_hers.status(), 403);

    let deleted = app
        .client
        .delete(app.url("/v1/rooms/doomed"))
        .json(&json!({"confirm": "doomed"}))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    assert_eq!(status_of(&app.client, &app, "/v1/rooms/doomed").await, 404);
    let id = meeting.parse().expect("uuid");
    assert!(app
        .core
        .store
        .meeting_by_id(id)
        .await
        .expect("query")
        .is_none());
    // The name is free again.
    let again = app.post("/v1/rooms", json!({"name": "doomed"})).await;
    assert_eq!(again.status(), 201);
}

#[tokio::test]
async fn deleting_the_account_needs_its_email_typed_and_takes_its_rooms_and_sessions() {
    let app = spawn_app().await;
    app.owner_with_meeting("mine").await;
    let typo = app
        .client
        .delete(app.url("/v1/me"))
        .json(&json!({"confirm": "ada@example.org"}))
        .send()
        .await
        .expect("delete");
    assert_eq!(typo.status(), 422);
    let gone = app
        .client
        .delete(app.url("/v1/me"))
        .json(&json!({"confirm": "ada@example.com"}))
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status(), 204);
    assert_eq!(status_of(&app.client, &app, "/v1/me").await, 401);
    assert_eq!(status_of(&new_client(), &app, "/v1/rooms/mine").await, 404);
    let login = new_client()
        .post(app.url("/v1/auth/login"))
        .json(&json!({"email": "ada@example.com", "password": "correct horse"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 401, "the account is gone");
}
