//! What the live-update benches share (`events_bench`, `pages_bench`): the open-file limit
//! for thousands of streams, and a room with a running meeting that people join.

use crate::setup;
use serde_json::json;

/// Raises this process's soft open-file limit to its hard limit; returns the new limit.
#[allow(unsafe_code)]
pub fn raise_fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain libc calls on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
    limit.rlim_cur
}

/// Signs up on `server`, makes a room and starts a meeting in it: (room, meeting, cookie).
pub async fn room_with_meeting(server: &str) -> (String, String, String) {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let room = format!("bench-{}", &tag[..8]);
    let cookie = setup::sign_up(server, &tag).await;
    let client = reqwest::Client::new();
    let made = client
        .post(format!("{server}/v1/rooms"))
        .header("cookie", &cookie)
        .json(&json!({"name": room}))
        .send()
        .await
        .expect("room");
    assert!(made.status().is_success());
    let started: serde_json::Value = client
        .post(format!("{server}/v1/rooms/{room}/meeting"))
        .header("cookie", &cookie)
        .json(&json!({}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    let meeting = started["meeting"]["id"].as_str().expect("id").to_string();
    (room, meeting, cookie)
}

/// A new person `n` joins `meeting` through `server` (one `participants` event).
pub async fn join(client: &reqwest::Client, server: &str, meeting: &str, n: usize) {
    let response = client
        .post(format!("{server}/v1/meetings/{meeting}/presence"))
        .json(&json!({"participant_id": format!("bench-person-{n:06}"), "event": "join"}))
        .send()
        .await
        .expect("presence");
    assert!(response.status().is_success(), "{}", response.status());
}
