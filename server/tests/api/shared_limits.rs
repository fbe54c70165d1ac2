//! Three instances on one PostgreSQL behave as one: a room's cap on unscheduled meetings
//! and the failed sign-in limit hold however requests are spread over the instances.
//! Each instance is a whole application (its own process-local limiters, locks and
//! caches) sharing nothing but the database; the video platform is a local server
//! speaking Whereby's documented API, counting the calls it was asked to create.

use crate::crash::postgres_database_url;
use crate::helpers::{new_client, spawn_app_with, TestApp};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A Whereby API on loopback that takes a moment per call (as the real one does, which is
/// what lets racing requests overlap) and counts the meetings it created.
pub(crate) async fn fake_whereby() -> (String, Arc<AtomicUsize>) {
    let created = Arc::new(AtomicUsize::new(0));
    let counter = created.clone();
    let app = Router::new().route(
        "/v1/meetings",
        post(move |Json(body): Json<Value>| {
            let counter = counter.clone();
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(150)).await;
                let n = counter.fetch_add(1, Ordering::SeqCst);
                (
                    axum::http::StatusCode::CREATED,
                    Json(json!({
                        "meetingId": format!("m{n}"),
                        "startDate": "2026-03-02T09:00:00.000Z",
                        "endDate": body["endDate"],
                        "roomUrl": format!("https://example.whereby.com/r{n}"),
                        "hostRoomUrl": format!("https://example.whereby.com/r{n}?roomKey=k"),
                    })),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), created)
}

/// Three applications on one new PostgreSQL database, started one after the other (the
/// first migrates it), with `extra` flags.
async fn three_instances(url: &str, extra: &[&str]) -> [TestApp; 3] {
    let mut args = vec!["--database-url", url, "--no-background-sync"];
    args.extend_from_slice(extra);
    let a = spawn_app_with(&args).await;
    let b = spawn_app_with(&args).await;
    let c = spawn_app_with(&args).await;
    [a, b, c]
}

/// Signs up `email` with a new client on `app`; the session works on every instance.
async fn account(app: &TestApp, email: &str) -> reqwest::Client {
    let client = new_client();
    let response = client
        .post(app.url("/v1/auth/signup"))
        .json(&json!({"email": email, "name": "Sam", "password": "long enough"}))
        .send()
        .await
        .expect("signup");
    assert_eq!(response.status(), 201, "sign up {email}");
    client
}

#[tokio::test]
async fn twelve_accounts_racing_on_three_instances_start_exactly_the_rooms_cap_of_meetings() {
    let Some(url) = postgres_database_url().await else {
        return;
    };
    let (whereby, created) = fake_whereby().await;
    let apps = three_instances(
        &url,
        &[
            "--video-platform",
            "whereby",
            "--whereby-api-key",
            "test-key",
            "--whereby-api-url",
            &whereby,
            "--max-unscheduled-per-room",
            "5",
            "--signups-per-hour",
            "100",
        ],
    )
    .await;
    let owner = account(&apps[0], "owner@example.com").await;
    let made = owner
        .post(apps[0].url("/v1/rooms"))
        .json(&json!({"name": "crowded"}))
        .send()
        .await
        .expect("room");
    assert_eq!(made.status(), 201);
    let mut people = Vec::new();
    for i in 0..12 {
        people.push(account(&apps[i % 3], &format!("p{i}@example.com")).await);
    }
    // Everyone asks at once, each on another instance than their neighbour.
    let asks = people.iter().enumerate().map(|(i, client)| {
        client
            .post(apps[(i + 1) % 3].url("/v1/rooms/crowded/meeting"))
            .json(&json!({}))
            .send()
    });
    let answers = futures_util::future::join_all(asks).await;
    let statuses: Vec<u16> = answers
        .iter()
        .map(|a| a.as_ref().expect("answer").status().as_u16())
        .collect();
    let started = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(started, 5, "statuses: {statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 429),
        "the rest are told to come back: {statuses:?}"
    );
    assert_eq!(created.load(Ordering::SeqCst), 5, "calls made on Whereby");
    let running = apps[2]
        .core
        .store
        .active_meetings_in_room(
            apps[2]
                .core
                .store
                .room_by_name("crowded")
                .await
                .expect("room")
                .expect("room")
                .id,
        )
        .await
        .expect("meetings");
    assert_eq!(running.len(), 5, "running in the room");
}

#[tokio::test]
async fn thirty_wrong_passwords_spread_over_three_instances_are_refused_from_the_eleventh() {
    let Some(url) = postgres_database_url().await else {
        return;
    };
    let apps = three_instances(&url, &["--login-failures", "10"]).await;
    account(&apps[0], "ada@example.com").await;
    let guesser = new_client();
    let mut statuses = Vec::new();
    for i in 0..30 {
        let response = guesser
            .post(apps[i % 3].url("/v1/auth/login"))
            .json(&json!({"email": "ada@example.com", "password": format!("guess {i}")}))
            .send()
            .await
            .expect("login");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429; 20], "{statuses:?}");
    // The account is locked on every instance, even for the right password.
    for app in &apps {
        let right = new_client()
            .post(app.url("/v1/auth/login"))
            .json(&json!({"email": "ada@example.com", "password": "long enough"}))
            .send()
            .await
            .expect("login");
        assert_eq!(right.status(), 429);
    }
}
