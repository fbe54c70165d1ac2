//! Accounts are not free to make: sign-up can be closed (the operator adds accounts with
//! `roomcal user add`), an address makes at most `--signups-per-hour`, and what a fresh
//! account can start in other people's rooms is capped across all of them.

use crate::helpers::{new_client, spawn_app_with, TestApp};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

/// Signs up `email` with a new client from address `from` (as `X-Forwarded-For`).
async fn sign_up_from(
    app: &TestApp,
    from: &str,
    email: &str,
) -> (reqwest::Client, reqwest::Response) {
    sign_up_via(app, ("x-forwarded-for", from), email).await
}

/// Signs up `email` with a new client whose request carries the forwarding `header`.
async fn sign_up_via(
    app: &TestApp,
    header: (&str, &str),
    email: &str,
) -> (reqwest::Client, reqwest::Response) {
    let client = new_client();
    let response = client
        .post(app.url("/v1/auth/signup"))
        .header(header.0, header.1)
        .json(&json!({"email": email, "name": "Sam", "password": "long enough"}))
        .send()
        .await
        .expect("signup");
    (client, response)
}

#[tokio::test]
async fn a_closed_instance_refuses_sign_ups_and_says_who_makes_accounts() {
    let app = spawn_app_with(&["--signup", "closed"]).await;
    let response = app
        .post(
            "/v1/auth/signup",
            json!({"email": "eve@example.com", "name": "Eve", "password": "long enough"}),
        )
        .await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.expect("json");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("operator"), "{message}");
    let login = app
        .post(
            "/v1/auth/login",
            json!({"email": "eve@example.com", "password": "long enough"}),
        )
        .await;
    assert_eq!(login.status(), 401, "no account was made");
}

#[tokio::test]
async fn one_address_makes_at_most_the_hourly_number_of_accounts_and_others_still_can() {
    let app = spawn_app_with(&["--trust-forwarded-for", "--signups-per-hour", "3"]).await;
    for i in 0..3 {
        let (_, response) = sign_up_from(&app, "203.0.113.7", &format!("bot{i}@example.com")).await;
        assert_eq!(response.status(), 201);
    }
    let (_, refused) = sign_up_from(&app, "203.0.113.7", "bot3@example.com").await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry > 60 && retry <= 3600, "{retry}");
    let body: Value = refused.json().await.expect("json");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("last hour"));
    let (_, elsewhere) = sign_up_from(&app, "198.51.100.2", "person@example.com").await;
    assert_eq!(elsewhere.status(), 201, "another address is not held up");
}

#[tokio::test]
async fn forwarding_headers_from_a_peer_that_is_not_a_trusted_proxy_do_not_change_the_address() {
    // The test client connects from 127.0.0.1, which is not in the trusted block: each
    // made-up X-Forwarded-For is ignored and all three sign-ups count under 127.0.0.1.
    let app = spawn_app_with(&["--trusted-proxies", "10.0.0.0/8", "--signups-per-hour", "2"]).await;
    for (i, forged) in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
        .iter()
        .enumerate()
    {
        let (_, response) = sign_up_from(&app, forged, &format!("forger{i}@example.com")).await;
        let expected = if i < 2 { 201 } else { 429 };
        assert_eq!(response.status(), expected, "sign-up {i} claiming {forged}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_client_named_in_forwarded_is_counted_by_its_address() {
    let app = spawn_app_with(&["--trusted-proxies", "127.0.0.1", "--signups-per-hour", "2"]).await;
    // RFC 7239 with a quoted IPv6 hop and port; a hop the client forged left of it.
    let client = (
        "forwarded",
        "for=198.51.100.9, for=\"[2001:db8:cafe::17]:4711\"",
    );
    for i in 0..2 {
        let (_, response) = sign_up_via(&app, client, &format!("v6-{i}@example.com")).await;
        assert_eq!(response.status(), 201);
    }
    let (_, refused) = sign_up_via(&app, client, "v6-2@example.com").await;
    assert_eq!(refused.status(), 429, "the third from the same client");
    let (_, neighbour) = sign_up_via(
        &app,
        ("forwarded", "for=\"[2001:db8:beef::1]\""),
        "other@example.com",
    )
    .await;
    assert_eq!(
        neighbour.status(),
        201,
        "another client behind the same proxy"
    );
}

#[tokio::test]
async fn a_guest_account_runs_only_a_few_unscheduled_meetings_across_other_peoples_rooms() {
    let app = spawn_app_with(&["--max-guest-unscheduled-per-user", "2"]).await;
    // Three owners, three rooms.
    for room in ["room-a", "room-b", "room-c"] {
        let owner = new_client();
        let signup = owner
            .post(app.url("/v1/auth/signup"))
            .json(&json!({"email": format!("{room}@example.com"), "name": "Owner", "password": "long enough"}))
            .send()
            .await
            .expect("signup");
        assert_eq!(signup.status(), 201);
        let made = owner
            .post(app.url("/v1/rooms"))
            .json(&json!({"name": room}))
            .send()
            .await
            .expect("room");
        assert_eq!(made.status(), 201);
    }
    app.sign_up("mallory@example.com").await;
    for room in ["room-a", "room-b"] {
        let started = app
            .post(&format!("/v1/rooms/{room}/meeting"), json!({}))
            .await;
        assert_eq!(started.status(), 201);
    }
    let third = app.post("/v1/rooms/room-c/meeting", json!({})).await;
    assert_eq!(third.status(), 429);
    assert!(third.headers().contains_key("retry-after"));
    let body: Value = third.json().await.expect("json");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("other people's rooms"));
    // Asking again in a room where theirs runs gives it back; their own room is not capped.
    let again = app.post("/v1/rooms/room-a/meeting", json!({})).await;
    assert_eq!(again.status(), 200);
    app.post("/v1/rooms", json!({"name": "my-room"})).await;
    let own = app.post("/v1/rooms/my-room/meeting", json!({})).await;
    assert_eq!(own.status(), 201);
}

#[tokio::test]
async fn the_operator_adds_an_account_with_the_password_from_standard_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/roomcal.db", dir.path().display());
    let add = |email: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roomcal"))
            .args([
                "user",
                "add",
                email,
                "--name",
                "Grace Hopper",
                "--database-url",
                &url,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let output = add("grace@example.com", "a long passphrase");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("a long passphrase"));
    let again = add("grace@example.com", "a long passphrase");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let short = add("alan@example.com", "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password:"));

    // The account signs in on a closed instance served from that database.
    let app = spawn_app_with(&["--signup", "closed", "--database-url", &url]).await;
    let login = app
        .post(
            "/v1/auth/login",
            json!({"email": "grace@example.com", "password": "a long passphrase"}),
        )
        .await;
    assert_eq!(login.status(), 200);
    let me: Value = app.get("/v1/me").await.json().await.expect("json");
    assert_eq!(me["name"], "Grace Hopper");
}
