//! Room access on `/v1`: `members` rooms let in signed-in accounts (of their domains),
//! `knock` rooms only their owners and guests an owner admitted; knocks are validated and
//! limited. The calls are made on a local server speaking Whereby's API, so each URL is a
//! known string (`knock_leaks` looks for it in every answer a guest gets).

use crate::helpers::{new_client, spawn_app_with, TestApp};
use crate::shared_limits::fake_whereby;
use serde_json::{json, Value};

/// What every call URL of the fake Whereby contains.
pub(crate) const CALL_HOST: &str = "example.whereby.com";

/// An app whose calls are made on the fake Whereby.
pub(crate) async fn app_on_whereby() -> TestApp {
    let (whereby, _) = fake_whereby().await;
    spawn_app_with(&[
        "--video-platform",
        "whereby",
        "--whereby-api-key",
        "test-key",
        "--whereby-api-url",
        &whereby,
    ])
    .await
}

/// Ada owns room `name` with `access` (and `domains`) and runs a meeting in it; its id.
pub(crate) async fn room_with_access(
    app: &TestApp,
    name: &str,
    access: &str,
    domains: &str,
) -> String {
    let meeting = app.owner_with_meeting(name).await;
    let patched = app
        .client
        .patch(app.url(&format!("/v1/rooms/{name}")))
        .json(&json!({"access": access, "access_email_domains": domains}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let settings: Value = patched.json().await.expect("json");
    assert_eq!(settings["access"], access);
    meeting
}

/// A new client signed up as `email`.
async fn account(app: &TestApp, email: &str) -> reqwest::Client {
    let client = new_client();
    let response = client
        .post(app.url("/v1/auth/signup"))
        .json(&json!({"email": email, "name": "Someone", "password": "long enough"}))
        .send()
        .await
        .expect("signup");
    assert_eq!(response.status(), 201, "sign up {email}");
    client
}

/// `POST …/join` as `client`, with a knock token if given: (status, body).
pub(crate) async fn join(
    app: &TestApp,
    client: &reqwest::Client,
    room: &str,
    meeting: &str,
    token: Option<&str>,
) -> (u16, Value) {
    let mut request = client
        .post(app.url(&format!("/v1/rooms/{room}/meetings/{meeting}/join")))
        .json(&json!({}));
    if let Some(token) = token {
        request = request.header("x-knock-token", token);
    }
    let response = request.send().await.expect("join");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A guest knocks as `name`: (knock id, token).
pub(crate) async fn knock(
    app: &TestApp,
    guest: &reqwest::Client,
    room: &str,
    meeting: &str,
) -> (String, String) {
    let response = guest
        .post(app.url(&format!("/v1/rooms/{room}/meetings/{meeting}/knock")))
        .json(&json!({"name": "Grace"}))
        .send()
        .await
        .expect("knock");
    assert_eq!(response.status(), 201);
    let made: Value = response.json().await.expect("json");
    assert_eq!(made["state"], "pending");
    (
        made["knock_id"].as_str().expect("id").to_string(),
        made["token"].as_str().expect("token").to_string(),
    )
}

/// The owner's answer to a knock.
pub(crate) async fn answer(
    app: &TestApp,
    room: &str,
    meeting: &str,
    knock: &str,
    verb: &str,
) -> Value {
    let response = app
        .post(
            &format!("/v1/rooms/{room}/meetings/{meeting}/knocks/{knock}/{verb}"),
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

/// The state of a knock as its guest sees it.
async fn state_of(
    app: &TestApp,
    guest: &reqwest::Client,
    room: &str,
    meeting: &str,
    knock: &str,
    token: &str,
) -> String {
    let response = guest
        .get(app.url(&format!(
            "/v1/rooms/{room}/meetings/{meeting}/knocks/{knock}"
        )))
        .header("x-knock-token", token)
        .send()
        .await
        .expect("state");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    body["state"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_members_room_refuses_anonymous_people_and_accounts_of_other_domains() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "staff", "members", "example.org").await;
    let (status, body) = join(&app, &new_client(), "staff", &meeting, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "sign_in_required");
    assert!(!body.to_string().contains(CALL_HOST));
    let eve = account(&app, "eve@evil.example").await;
    let (status, body) = join(&app, &eve, "staff", &meeting, None).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "domain_not_allowed");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("example.org"));
    assert!(!body.to_string().contains(CALL_HOST));
    let bob = account(&app, "bob@example.org").await;
    let (status, body) = join(&app, &bob, "staff", &meeting, None).await;
    assert_eq!(status, 200);
    assert!(body["url"].as_str().unwrap_or_default().contains(CALL_HOST));
    // The owner's own address is not at the domain, and she is let in all the same.
    let (status, _) = join(&app, &app.client, "staff", &meeting, None).await;
    assert_eq!(status, 200);
    // Starting a meeting there is for accounts at the domain too.
    let started = eve
        .post(app.url("/v1/rooms/staff/meeting"))
        .json(&json!({}))
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), 403);
    assert!(!started.text().await.unwrap_or_default().contains(CALL_HOST));
}

#[tokio::test]
async fn a_knock_the_owner_admits_joins_with_the_call_url() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "door", "knock", "").await;
    let guest = new_client();
    let (status, body) = join(&app, &guest, "door", &meeting, None).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("knock_required"))
    );
    let (knock_id, token) = knock(&app, &guest, "door", &meeting).await;
    assert_eq!(
        state_of(&app, &guest, "door", &meeting, &knock_id, &token).await,
        "pending"
    );
    let (status, body) = join(&app, &guest, "door", &meeting, Some(&token)).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("knock_pending"))
    );
    let listed: Value = app
        .get(&format!("/v1/rooms/door/meetings/{meeting}/knocks"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed[0]["name"], "Grace");
    assert_eq!(listed[0]["state"], "pending");
    let admitted = answer(&app, "door", &meeting, &knock_id, "admit").await;
    assert_eq!(admitted["state"], "admitted");
    assert_eq!(
        state_of(&app, &guest, "door", &meeting, &knock_id, &token).await,
        "admitted"
    );
    let (status, body) = join(&app, &guest, "door", &meeting, Some(&token)).await;
    assert_eq!(status, 200);
    let url = body["url"].as_str().unwrap_or_default();
    assert!(
        url.contains(CALL_HOST) && !url.contains("roomKey"),
        "the participant URL: {url}"
    );
    // The token is the proof: without it, or with a made-up one, nobody else gets in.
    let (status, _) = join(&app, &new_client(), "door", &meeting, None).await;
    assert_eq!(status, 403);
    let (status, _) = join(&app, &new_client(), "door", &meeting, Some("made-up")).await;
    assert_eq!(status, 403);
    // A later answer does not change the first one.
    let again = answer(&app, "door", &meeting, &knock_id, "decline").await;
    assert_eq!(again["state"], "admitted");
}

#[tokio::test]
async fn a_declined_knock_never_gets_the_call_url() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "door", "knock", "").await;
    let guest = new_client();
    let (knock_id, token) = knock(&app, &guest, "door", &meeting).await;
    let declined = answer(&app, "door", &meeting, &knock_id, "decline").await;
    assert_eq!(declined["state"], "declined");
    assert_eq!(
        state_of(&app, &guest, "door", &meeting, &knock_id, &token).await,
        "declined"
    );
    let (status, body) = join(&app, &guest, "door", &meeting, Some(&token)).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("knock_declined"))
    );
    assert!(!body.to_string().contains(CALL_HOST));
}

#[tokio::test]
async fn only_the_rooms_owners_see_and_answer_knocks() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "door", "knock", "").await;
    let guest = new_client();
    let (knock_id, token) = knock(&app, &guest, "door", &meeting).await;
    let mallory = account(&app, "mallory@example.com").await;
    let list = mallory
        .get(app.url(&format!("/v1/rooms/door/meetings/{meeting}/knocks")))
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), 403);
    let admit = mallory
        .post(app.url(&format!(
            "/v1/rooms/door/meetings/{meeting}/knocks/{knock_id}/admit"
        )))
        .json(&json!({}))
        .send()
        .await
        .expect("admit");
    assert_eq!(admit.status(), 403);
    assert_eq!(
        state_of(&app, &guest, "door", &meeting, &knock_id, &token).await,
        "pending"
    );
    // Another guest cannot read this knock without its token.
    let peek = new_client()
        .get(app.url(&format!(
            "/v1/rooms/door/meetings/{meeting}/knocks/{knock_id}"
        )))
        .send()
        .await
        .expect("peek");
    assert_eq!(peek.status(), 404);
}

#[tokio::test]
async fn knock_names_are_validated_and_knocks_are_limited_per_address() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "door", "knock", "").await;
    let path = format!("/v1/rooms/door/meetings/{meeting}/knock");
    for bad in ["", "   ", "bell\u{7}", &"x".repeat(101)] {
        let response = new_client()
            .post(app.url(&path))
            .json(&json!({"name": bad}))
            .send()
            .await
            .expect("knock");
        assert_eq!(response.status(), 422, "{bad:?}");
        let body: Value = response.json().await.expect("json");
        assert!(body["error"]["fields"]["name"].is_string(), "{body}");
    }
    // Three may wait at once from one address; the fourth is told to wait for answers.
    let cap = app.core.limits.settings.max_pending_knocks_per_address;
    for _ in 0..cap {
        knock(&app, &new_client(), "door", &meeting).await;
    }
    let over = new_client()
        .post(app.url(&path))
        .json(&json!({"name": "One more"}))
        .send()
        .await
        .expect("knock");
    assert_eq!(over.status(), 429);
    assert!(over.headers().contains_key("retry-after"));
    let body: Value = over.json().await.expect("json");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("waiting"));
}

#[tokio::test]
async fn an_open_room_takes_no_knocks_and_settings_refuse_an_unknown_mode() {
    let app = app_on_whereby().await;
    let meeting = app.owner_with_meeting("plain").await;
    let response = new_client()
        .post(app.url(&format!("/v1/rooms/plain/meetings/{meeting}/knock")))
        .json(&json!({"name": "Grace"}))
        .send()
        .await
        .expect("knock");
    assert_eq!(response.status(), 403);
    let patched = app
        .client
        .patch(app.url("/v1/rooms/plain"))
        .json(&json!({"access": "secret", "access_email_domains": "not a domain"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 422);
    let body: Value = patched.json().await.expect("json");
    assert!(body["error"]["fields"]["access"].is_string(), "{body}");
    assert!(
        body["error"]["fields"]["access_email_domains"].is_string(),
        "{body}"
    );
    let (status, _) = join(&app, &new_client(), "plain", &meeting, None).await;
    assert_eq!(status, 200, "nothing changed: the room is still open");
}

#[tokio::test]
async fn a_co_owner_enters_a_knock_room_without_knocking_and_answers_knocks() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "door", "knock", "").await;
    let grace = account(&app, "grace@example.com").await;
    let added = app
        .post(
            "/v1/rooms/door/co-owners",
            json!({"email": "grace@example.com"}),
        )
        .await;
    assert_eq!(added.status(), 201);
    let (status, body) = join(&app, &grace, "door", &meeting, None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["url"].as_str().unwrap_or_default().contains(CALL_HOST));
    let guest = new_client();
    let (knock_id, token) = knock(&app, &guest, "door", &meeting).await;
    let listed = grace
        .get(app.url(&format!("/v1/rooms/door/meetings/{meeting}/knocks")))
        .send()
        .await
        .expect("list");
    assert_eq!(listed.status(), 200);
    let admitted = grace
        .post(app.url(&format!(
            "/v1/rooms/door/meetings/{meeting}/knocks/{knock_id}/admit"
        )))
        .json(&json!({}))
        .send()
        .await
        .expect("admit");
    assert_eq!(admitted.status(), 200);
    let (status, _) = join(&app, &guest, "door", &meeting, Some(&token)).await;
    assert_eq!(status, 200, "admitted by a co-owner");
}
