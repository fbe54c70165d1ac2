//! The Whereby client against a local HTTP server that speaks Whereby's documented API
//! (`POST /v1/meetings`, `DELETE /v1/meetings/{id}`, bearer API key).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, post};
use axum::{Json, Router};
use chrono::{TimeZone, Utc};
use roomcal::platform::{CallRequest, VideoPlatform, WherebyPlatform};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Api {
    created: Arc<Mutex<Vec<serde_json::Value>>>,
    deleted: Arc<Mutex<Vec<String>>>,
}

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer test-key")
}

async fn create(
    State(api): State<Api>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> (StatusCode, Json<serde_json::Value>) {
    if !authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "Unauthorized"})),
        );
    }
    api.created.lock().expect("lock").push(body.clone());
    let prefix = body["roomNamePrefix"].as_str().unwrap_or("");
    (
        StatusCode::CREATED,
        Json(serde_json::json!({
            "meetingId": "1234567",
            "startDate": "2026-03-02T09:00:00.000Z",
            "endDate": body["endDate"],
            "roomUrl": format!("https://example.whereby.com/{prefix}abc"),
            "hostRoomUrl": format!("https://example.whereby.com/{prefix}abc?roomKey=secret"),
        })),
    )
}

async fn remove(State(api): State<Api>, headers: HeaderMap, Path(id): Path<String>) -> StatusCode {
    if !authorized(&headers) {
        return StatusCode::UNAUTHORIZED;
    }
    api.deleted.lock().expect("lock").push(id);
    StatusCode::NO_CONTENT
}

async fn start_api() -> (String, Api) {
    let api = Api::default();
    let app = Router::new()
        .route("/v1/meetings", post(create))
        .route("/v1/meetings/{id}", delete(remove))
        .with_state(api.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), api)
}

fn request() -> CallRequest {
    CallRequest {
        room_name: "team-standup".into(),
        start: Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("t"),
        end: Utc
            .with_ymd_and_hms(2026, 3, 2, 10, 30, 0)
            .single()
            .expect("t"),
    }
}

#[tokio::test]
async fn a_whereby_meeting_is_created_with_its_end_date_and_room_prefix_then_deleted() {
    let (url, api) = start_api().await;
    let platform = WherebyPlatform::new(&url, "test-key").expect("client");
    let call = platform.create_call(&request()).await.expect("created");
    assert_eq!(
        call.participant_url,
        "https://example.whereby.com/teamstandupabc"
    );
    assert!(call
        .host_url
        .as_deref()
        .is_some_and(|u| u.contains("roomKey")));
    assert_eq!(call.platform_meeting_id.as_deref(), Some("1234567"));
    let sent = api.created.lock().expect("lock")[0].clone();
    assert_eq!(sent["endDate"], "2026-03-02T10:30:00Z");
    assert_eq!(sent["roomNamePrefix"], "teamstandup");
    assert_eq!(sent["fields"], serde_json::json!(["hostRoomUrl"]));

    platform.end_call(&call).await.expect("deleted");
    assert_eq!(
        *api.deleted.lock().expect("lock"),
        vec!["1234567".to_string()]
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_reported_with_advice() {
    let (url, _api) = start_api().await;
    let platform = WherebyPlatform::new(&url, "wrong").expect("client");
    let err = platform.create_call(&request()).await.expect_err("refused");
    assert!(err.to_string().contains("API key"), "{err}");
}

#[tokio::test]
async fn an_unreachable_whereby_is_an_error_not_a_panic() {
    // Loopback port 9 (discard): nothing listens, the connection is refused at once.
    let platform = WherebyPlatform::new("http://127.0.0.1:9/v1", "test-key").expect("client");
    let err = platform
        .create_call(&request())
        .await
        .expect_err("unreachable");
    assert!(err.to_string().contains("could not be reached"), "{err}");
}
