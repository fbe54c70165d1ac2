//! Privacy exactly as the plan states it, on every surface: the room's owner sees
//! everything; everyone else — signed in or not — sees title, times, status, head count
//! and the join hint, never description, location, organizer, attendees or conference
//! links, and "Private meeting" for private events. Checked by walking every endpoint and
//! page as the owner, as another user and anonymously, and searching each body.

use crate::feed_server;
use crate::helpers::{new_client, spawn_app, TestApp};
use chrono::{Duration, Utc};
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};

/// What the seeded calendar carries that only the owner may read.
const OWNER_ONLY: &[&str] = &[
    "4711-SECRET",             // a passcode in a public event's description
    "Building 7",              // its location
    "Olga Organizer",          // its organizer's name …
    "olga@corp.example",       // … and address
    "Arthur Attendee",         // an attendee's name …
    "arthur@corp.example",     // … and address
    "meet.google.com/abc-def", // its conference link
    "Secret merger talk",      // a private event's title
    "Pat Present",             // the name of someone in the call
];

/// The secret part of the feed address: nobody ever reads it back, owners see it masked.
const FEED_TOKEN: &str = "feedtoken123";

fn vevent(
    uid: &str,
    summary: &str,
    start: chrono::DateTime<Utc>,
    extra: &str,
    room_url: &str,
) -> String {
    let fmt = |t: chrono::DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n\
         SUMMARY:{summary}\r\nLOCATION:Building 7\\, room 3 {room_url}\r\n\
         DESCRIPTION:Dial-in passcode 4711-SECRET\r\n\
         ORGANIZER;CN=Olga Organizer:mailto:olga@corp.example\r\n\
         ATTENDEE;CN=Arthur Attendee;PARTSTAT=ACCEPTED:mailto:arthur@corp.example\r\n\
         X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij\r\n{extra}END:VEVENT\r\n",
        fmt(start),
        fmt(start + Duration::hours(1)),
    )
}

/// Ada's room `privroom` with a running public meeting (Pat in it) and a private event
/// starting in ten minutes. Returns (app, meeting id, private occurrence id).
async fn seeded() -> (TestApp, String, String) {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room_url = app.room_url("privroom");
    let now = Utc::now();
    feeds.set(
        "main",
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}{}{}END:VCALENDAR\r\n",
            vevent(
                "board",
                "Board sync",
                now - Duration::minutes(5),
                "",
                &room_url
            ),
            vevent(
                "merger",
                "Secret merger talk",
                now + Duration::minutes(10),
                "CLASS:PRIVATE\r\n",
                &room_url
            ),
            // Hours ahead: "later", which only the owner's list has.
            vevent(
                "offsite",
                "Offsite planning",
                now + Duration::hours(5),
                "",
                &room_url
            ),
        ),
    );
    let room = app
        .room_with_feed(
            "privroom",
            &feeds.url(&format!("/feed/main?token={FEED_TOKEN}")),
        )
        .await;
    app.core.sync.sync_room(room, now).await.expect("sync");
    roomcal::services::lifecycle_step::run_lifecycle_step(&app.core, Utc::now(), 100)
        .await
        .expect("lifecycle");
    let meetings = app
        .core
        .store
        .active_meetings_in_room(room)
        .await
        .expect("meetings");
    assert_eq!(meetings.len(), 1, "the board meeting is running");
    let meeting_id = meetings[0].id.to_string();
    let private = app
        .live_events(room, now)
        .await
        .into_iter()
        .find(|e| e.ics_uid == "merger")
        .expect("private occurrence");
    // Pat, signed in, is in the call.
    let pat = new_client();
    let signup = pat
        .post(app.url("/v1/auth/signup"))
        .json(
            &json!({"email": "pat@example.com", "name": "Pat Present", "password": "long enough"}),
        )
        .send()
        .await
        .expect("signup");
    assert_eq!(signup.status(), 201);
    let joined = pat
        .post(app.url(&format!("/v1/meetings/{meeting_id}/presence")))
        .json(&json!({"participant_id": "pat-laptop-1", "event": "join"}))
        .send()
        .await
        .expect("presence");
    assert_eq!(joined.status(), 204);
    (app, meeting_id, private.id.to_string())
}

/// Every body a viewer with `client` can fetch about the room, concatenated.
async fn everything_seen_by(
    app: &TestApp,
    client: &reqwest::Client,
    meeting: &str,
    private: &str,
) -> String {
    let gets = [
        "/v1/rooms/privroom".to_string(),
        "/v1/rooms/privroom/meetings?later=true".into(),
        "/v1/rooms/privroom/meetings/upcoming?minutes=120".into(),
        format!("/v1/rooms/privroom/meetings/{meeting}/participants"),
        "/v1/rooms/privroom/ics/status".into(),
        "/v1/rooms/privroom/ics/log".into(),
        "/v1/rooms".into(),
        "/room/privroom".into(),
        format!("/room/privroom/{meeting}"),
        format!("/room/privroom/event/{private}"),
        "/rooms/privroom/settings".into(),
        "/room/privroom/calendar.ics".into(),
        format!("/room/privroom/{meeting}/event.ics"),
        format!("/room/privroom/{private}/event.ics"),
    ];
    let mut seen = String::new();
    for path in gets {
        let response = client.get(app.url(&path)).send().await.expect("get");
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
        seen.push_str(&response.text().await.unwrap_or_default());
    }
    for id in [meeting, private] {
        let path = format!("/v1/rooms/privroom/meetings/{id}/join");
        let response = client
            .post(app.url(&path))
            .json(&json!({}))
            .send()
            .await
            .expect("join");
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
        seen.push_str(&response.text().await.unwrap_or_default());
    }
    // The pages' server functions, as the browser calls them.
    let server_fns = [
        (app::server_fns::GetRoom::PATH, vec![("name", "privroom")]),
        (
            app::server_fns::GetMeeting::PATH,
            vec![("room_name", "privroom"), ("meeting_id", meeting)],
        ),
        (
            app::server_fns::GetCalendarStatus::PATH,
            vec![("room_name", "privroom")],
        ),
        (
            app::server_fns::GetSyncLog::PATH,
            vec![("room_name", "privroom")],
        ),
        (
            app::server_fns::GetRoomBoard::PATH,
            vec![("name", "privroom")],
        ),
        (
            app::server_fns::GetMeetingHostView::PATH,
            vec![("room_name", "privroom"), ("meeting_id", meeting)],
        ),
        (
            app::server_fns::JoinEvent::PATH,
            vec![("room_name", "privroom"), ("event_id", private)],
        ),
        (
            app::server_fns::TestCalendarConnection::PATH,
            vec![("room_name", "privroom"), ("ics_url", "")],
        ),
        (
            app::server_fns::AnnouncePresence::PATH,
            vec![
                ("meeting_id", meeting),
                ("participant_id", "never-joined"),
                ("event", "leave"),
            ],
        ),
    ];
    for (path, form) in server_fns {
        let response = client
            .post(app.url(path))
            .form(&form)
            .send()
            .await
            .expect("server fn");
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
        seen.push_str(&response.text().await.unwrap_or_default());
    }
    seen
}

#[tokio::test]
async fn only_the_owner_reads_what_the_calendar_says_and_nobody_reads_the_feed_token() {
    let (app, meeting, private) = seeded().await;
    let owner = everything_seen_by(&app, &app.client, &meeting, &private).await;
    for secret in OWNER_ONLY {
        assert!(owner.contains(secret), "the owner should see {secret:?}");
    }
    assert!(
        !owner.contains(FEED_TOKEN),
        "even the owner sees the feed address masked"
    );

    let mallory = new_client();
    let signup = mallory
        .post(app.url("/v1/auth/signup"))
        .json(
            &json!({"email": "mallory@example.com", "name": "Mallory", "password": "long enough"}),
        )
        .send()
        .await
        .expect("signup");
    assert_eq!(signup.status(), 201);
    for (who, client) in [
        ("another user", mallory),
        ("an anonymous visitor", new_client()),
    ] {
        let seen = everything_seen_by(&app, &client, &meeting, &private).await;
        for secret in OWNER_ONLY.iter().chain([&FEED_TOKEN]) {
            assert!(!seen.contains(secret), "{who} must not see {secret:?}");
        }
        // What they may see, they do see.
        assert!(
            seen.contains("Board sync"),
            "{who} sees a public event's title"
        );
        assert!(
            seen.contains("Private meeting"),
            "{who} sees a private event as \"Private meeting\""
        );
    }
}

#[tokio::test]
async fn non_owners_get_title_times_count_and_join_hint_and_nothing_else() {
    let (app, _meeting, _private) = seeded().await;
    let list: Value = new_client()
        .get(app.url("/v1/rooms/privroom/meetings?later=true"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let items = list.as_array().expect("array");
    assert_eq!(
        items.len(),
        2,
        "the active meeting and the upcoming private one; never `later`"
    );
    assert!(!list.to_string().contains("Offsite planning"));
    let owner: serde_json::Value = app
        .get("/v1/rooms/privroom/meetings?later=true")
        .await
        .json()
        .await
        .expect("json");
    let later: Vec<_> = owner
        .as_array()
        .expect("array")
        .iter()
        .filter(|i| i["kind"] == "later")
        .map(|i| i["title"].clone())
        .collect();
    assert_eq!(later, [serde_json::json!("Offsite planning")]);
    let mut keys: Vec<&str> = items[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "calendar_event_id",
            "duration_minutes",
            "end",
            "id",
            "join",
            "kind",
            "participants_now",
            "running_for_seconds",
            "start",
            "started_at",
            "status",
            "title"
        ]
    );
    assert_eq!(items[0]["participants_now"], 1);
    assert_eq!(items[1]["title"], "Private meeting");
    assert_eq!(items[1]["join"]["action"], "wait_until");
}
