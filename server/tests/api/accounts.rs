use crate::helpers::{new_client, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn signing_up_returns_the_user_and_signs_them_in() {
    let app = spawn_app().await;
    let user = app.sign_up("Ada@Example.com").await;
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace");

    let me = app.get("/v1/me").await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.expect("json");
    assert_eq!(me["id"], user["id"]);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/v1/auth/signup",
            json!({"email": "ada@example.com", "name": "Ada", "password": "correct horse"}),
        )
        .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("set-cookie")
        .to_string();
    assert!(cookie.starts_with("roomcal_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn invalid_sign_up_fields_are_each_explained_with_422() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/v1/auth/signup",
            json!({"email": "not-an-email", "name": " ", "password": "short"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("json");
    let fields = &body["error"]["fields"];
    assert!(fields["email"]
        .as_str()
        .is_some_and(|m| m.contains("valid email")));
    assert!(fields["name"].as_str().is_some());
    assert!(fields["password"]
        .as_str()
        .is_some_and(|m| m.contains("8 characters")));
}

#[tokio::test]
async fn an_email_can_have_only_one_account_whatever_its_case() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    let response = new_client()
        .post(app.url("/v1/auth/signup"))
        .json(&json!({"email": "ADA@example.com", "name": "Imposter", "password": "whatever123"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["fields"]["email"]
        .as_str()
        .is_some_and(|m| m.contains("sign in")));
}

#[tokio::test]
async fn signing_in_with_the_right_password_works_and_a_wrong_one_is_401() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;

    let other = new_client();
    let wrong = other
        .post(app.url("/v1/auth/login"))
        .json(&json!({"email": "ada@example.com", "password": "wrong password"}))
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status(), 401);
    let unknown = other
        .post(app.url("/v1/auth/login"))
        .json(&json!({"email": "nobody@example.com", "password": "correct horse"}))
        .send()
        .await
        .expect("request");
    assert_eq!(unknown.status(), 401);

    let right = other
        .post(app.url("/v1/auth/login"))
        .json(&json!({"email": "ADA@example.com", "password": "correct horse"}))
        .send()
        .await
        .expect("request");
    assert_eq!(right.status(), 200);
    let me = other.get(app.url("/v1/me")).send().await.expect("request");
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    let response = app.post("/v1/auth/logout", json!({})).await;
    assert_eq!(response.status(), 204);
    assert_eq!(app.get("/v1/me").await.status(), 401);
}

#[tokio::test]
async fn nobody_is_signed_in_without_a_cookie() {
    let app = spawn_app().await;
    let response = app.get("/v1/me").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn a_malformed_json_body_gets_a_json_error_not_a_panic() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/auth/signup"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("JSON")));
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    let response = app
        .client
        .post(app.url("/v1/rooms"))
        .header("origin", "https://evil.example")
        .json(&json!({"name": "stolen"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 403);
    let rooms: Value = app.get("/v1/rooms").await.json().await.expect("json");
    assert_eq!(rooms, json!([]));
}

#[tokio::test]
async fn an_account_keeps_its_newest_fifty_sessions_and_the_oldest_are_signed_out() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    let cap = roomcal::services::accounts::MAX_SESSIONS_PER_ACCOUNT;
    // The sign-up's session and `cap` sign-ins: one more than the cap, so the sign-up's
    // (the oldest) is signed out and every sign-in stays.
    let mut clients = Vec::new();
    for _ in 0..cap {
        let client = new_client();
        let response = client
            .post(app.url("/v1/auth/login"))
            .json(&json!({"email": "ada@example.com", "password": "correct horse"}))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
        clients.push(client);
    }
    let me = |client: &reqwest::Client| client.get(app.url("/v1/me")).send();
    assert_eq!(me(&app.client).await.expect("request").status(), 401);
    let first_sign_in = clients.first().expect("first");
    let newest = clients.last().expect("newest");
    assert_eq!(me(first_sign_in).await.expect("request").status(), 200);
    assert_eq!(me(newest).await.expect("request").status(), 200);
}
