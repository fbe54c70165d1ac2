//! The call URL of a knock room reaches no guest an owner did not admit, in any answer:
//! the room and meeting pages (their HTML and hydration data), the pages' server
//! functions and `/v1` — before knocking, while waiting and after being declined. The
//! check is shown to see the URL where it is given (the owner, an admitted guest).

use crate::helpers::{new_client, TestApp};
use crate::knock::{answer, app_on_whereby, knock, room_with_access, CALL_HOST};
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};

/// Every answer a guest can get about room `door` and its meeting, by path.
async fn everything_a_guest_sees(
    app: &TestApp,
    guest: &reqwest::Client,
    meeting: &str,
    knock: Option<(&str, &str)>,
) -> Vec<(String, String)> {
    let mut gets = vec![
        "/v1/rooms/door".to_string(),
        "/v1/rooms/door/meetings?later=true".into(),
        "/v1/rooms/door/meetings/upcoming".into(),
        format!("/v1/rooms/door/meetings/{meeting}/knocks"),
        "/room/door".into(),
        format!("/room/door/{meeting}"),
        format!("/room/door/{meeting}/event.ics"),
        "/room/door/calendar.ics".into(),
    ];
    if let Some((id, _)) = knock {
        gets.push(format!("/v1/rooms/door/meetings/{meeting}/knocks/{id}"));
    }
    let token = knock.map(|(_, t)| t).unwrap_or_default();
    let mut seen = Vec::new();
    for path in gets {
        let response = guest
            .get(app.url(&path))
            .header("x-knock-token", token)
            .send()
            .await
            .expect("get");
        assert!(response.status().as_u16() < 500, "{path}");
        seen.push((path, response.text().await.unwrap_or_default()));
    }
    let join = guest
        .post(app.url(&format!("/v1/rooms/door/meetings/{meeting}/join")))
        .header("x-knock-token", token)
        .json(&json!({}))
        .send()
        .await
        .expect("join");
    seen.push(("join".into(), join.text().await.unwrap_or_default()));
    let server_fns = [
        (app::server_fns::GetRoom::PATH, vec![("name", "door")]),
        (
            app::server_fns::GetMeeting::PATH,
            vec![("room_name", "door"), ("meeting_id", meeting)],
        ),
        (
            app::server_fns::JoinEvent::PATH,
            vec![("room_name", "door"), ("event_id", meeting)],
        ),
        (
            app::server_fns::GetMeetingHostView::PATH,
            vec![("room_name", "door"), ("meeting_id", meeting)],
        ),
        (
            app::server_fns::ListKnocks::PATH,
            vec![("room_name", "door"), ("meeting_id", meeting)],
        ),
        (app::server_fns::GetRoomBoard::PATH, vec![("name", "door")]),
    ];
    for (path, form) in server_fns {
        let response = guest
            .post(app.url(path))
            .form(&form)
            .send()
            .await
            .expect("server fn");
        assert!(response.status().as_u16() < 500, "{path}");
        seen.push((path.to_string(), response.text().await.unwrap_or_default()));
    }
    seen
}

/// The paths whose answer names the call.
fn leaks(seen: &[(String, String)]) -> Vec<&str> {
    seen.iter()
        .filter(|(_, body)| body.contains(CALL_HOST))
        .map(|(path, _)| path.as_str())
        .collect()
}

#[tokio::test]
async fn the_call_url_never_reaches_a_guest_who_was_not_admitted() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "door", "knock", "").await;
    // Before knocking, while waiting, and after being declined.
    let guest = new_client();
    assert_eq!(
        leaks(&everything_a_guest_sees(&app, &guest, &meeting, None).await),
        Vec::<&str>::new()
    );
    // Through the page's own knock (the server function sets the knock cookie).
    let knocked = guest
        .post(app.url(app::server_fns::Knock::PATH))
        .form(&[
            ("room_name", "door"),
            ("meeting_id", &meeting),
            ("name", "Grace"),
        ])
        .send()
        .await
        .expect("knock");
    assert_eq!(knocked.status(), 200);
    let knocked: Value = knocked.json().await.expect("json");
    let knock_id = knocked["knock_id"].as_str().expect("id").to_string();
    let page = guest
        .get(app.url(&format!("/room/door/{meeting}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        page.contains("Waiting for the host"),
        "the waiting state is rendered"
    );
    assert_eq!(
        leaks(&everything_a_guest_sees(&app, &guest, &meeting, None).await),
        Vec::<&str>::new()
    );
    answer(&app, "door", &meeting, &knock_id, "decline").await;
    let seen = everything_a_guest_sees(&app, &guest, &meeting, None).await;
    assert_eq!(leaks(&seen), Vec::<&str>::new());
    let page = &seen
        .iter()
        .find(|(p, _)| *p == format!("/room/door/{meeting}"))
        .expect("page")
        .1;
    assert!(page.contains("declined"), "the declined state is rendered");
    // A knock made on /v1 and declined: its token opens nothing either.
    let other = new_client();
    let (id, token) = knock(&app, &other, "door", &meeting).await;
    answer(&app, "door", &meeting, &id, "decline").await;
    let seen = everything_a_guest_sees(&app, &other, &meeting, Some((&id, &token))).await;
    assert_eq!(leaks(&seen), Vec::<&str>::new());
    // And the check itself sees the URL where it is given: the owner's page, an admitted guest.
    let owner_page = app
        .get(&format!("/room/door/{meeting}"))
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(owner_page.contains(CALL_HOST));
    let admitted = new_client();
    let (id, token) = knock(&app, &admitted, "door", &meeting).await;
    answer(&app, "door", &meeting, &id, "admit").await;
    let seen = everything_a_guest_sees(&app, &admitted, &meeting, Some((&id, &token))).await;
    assert_eq!(leaks(&seen), vec!["join"]);
}

#[tokio::test]
async fn a_guest_admitted_through_the_page_sees_the_call_on_the_meeting_page() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "door", "knock", "").await;
    let guest = new_client();
    let knocked: Value = guest
        .post(app.url(app::server_fns::Knock::PATH))
        .form(&[
            ("room_name", "door"),
            ("meeting_id", &meeting),
            ("name", "Grace"),
        ])
        .send()
        .await
        .expect("knock")
        .json()
        .await
        .expect("json");
    let knock_id = knocked["knock_id"].as_str().expect("id").to_string();
    let listed: Value = app
        .client
        .post(app.url(app::server_fns::ListKnocks::PATH))
        .form(&[("room_name", "door"), ("meeting_id", &meeting)])
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(listed[0]["name"], "Grace", "{listed}");
    answer(&app, "door", &meeting, &knock_id, "admit").await;
    // The knock cookie the server function set is the proof the page sends.
    let page = guest
        .get(app.url(&format!("/room/door/{meeting}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        page.contains(CALL_HOST),
        "the admitted guest's page shows the call"
    );
    let other = new_client()
        .get(app.url(&format!("/room/door/{meeting}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .unwrap_or_default();
    assert!(!other.contains(CALL_HOST), "nobody else's");
}

#[tokio::test]
async fn a_guest_still_knocking_is_not_counted_as_present_until_admitted() {
    let app = app_on_whereby().await;
    let meeting = room_with_access(&app, "door", "knock", "").await;
    let guest = new_client();
    let (knock_id, token) = knock(&app, &guest, "door", &meeting).await;
    let presence = |token: Option<String>| {
        let mut request = guest
            .post(app.url(&format!("/v1/meetings/{meeting}/presence")))
            .json(&json!({"participant_id": "guest-page-0001", "event": "join"}));
        if let Some(token) = token {
            request = request.header("x-knock-token", token);
        }
        request.send()
    };
    let refused = presence(Some(token.clone())).await.expect("presence");
    assert_eq!(refused.status(), 403);
    answer(&app, "door", &meeting, &knock_id, "admit").await;
    let counted = presence(Some(token)).await.expect("presence");
    assert_eq!(counted.status(), 204);
    let stranger = new_client()
        .post(app.url(&format!("/v1/meetings/{meeting}/presence")))
        .json(&json!({"participant_id": "stranger-page-01", "event": "join"}))
        .send()
        .await
        .expect("presence");
    assert_eq!(stranger.status(), 403);
}
