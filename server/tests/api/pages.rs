//! Server-rendered pages under concurrency.

use crate::helpers::{new_client, spawn_app};
use serde_json::json;
use std::time::Duration;

/// Several app instances in one process (as in this test binary, or an embedding that
/// rebuilds its router) must not stall pages that are rendering meanwhile: Leptos parks
/// resources first polled while it lists routes (leptos-rs/leptos#4773).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_rendering_while_other_app_instances_start() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "standup"})).await;
    let starting = tokio::spawn(async {
        for _ in 0..30 {
            drop(spawn_app().await);
        }
    });
    let client = new_client();
    let mut rendered = 0;
    while !starting.is_finished() {
        let page = tokio::time::timeout(
            Duration::from_secs(10),
            client.get(app.url("/room/standup")).send(),
        )
        .await
        .expect("the room page hung while another app instance started")
        .expect("request");
        assert_eq!(page.status(), 200);
        rendered += 1;
    }
    starting.await.expect("instances started");
    assert!(rendered > 0);
}
