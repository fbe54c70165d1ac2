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

/// The title of an occurrence five hours ahead: beyond the guest horizon (30 min), so no
/// page, server function or /v1 route shows it to anyone but the owner. (The published
/// calendar files are subscriptions and keep the sync window.)
const BEYOND_HORIZON: &str = "Offsite planning";

/// The room's seeded ids.
struct Seeded {
    /// The running public meeting (Pat is in it).
    meeting: String,
    /// The private occurrence ten minutes ahead.
    private: String,
    /// The occurrence five hours ahead.
    offsite: String,
}

/// Ada's room `privroom` with a running public meeting (Pat in it), a private event
/// starting in ten minutes and a public one in five hours.
async fn seeded() -> (TestApp, Seeded) {
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
            // Hours ahead: beyond the guest horizon, "later" in the owner's list only.
            vevent(
                "offsite",
                BEYOND_HORIZON,
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
    let events = app.live_events(room, now).await;
    let id_of = |uid: &str| {
        events
            .iter()
            .find(|e| e.ics_uid == uid)
            .map(|e| e.id.to_string())
            .expect("occurrence")
    };
    let (private, offsite) = (id_of("merger"), id_of("offsite"));
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
    (
        app,
        Seeded {
            meeting: meeting_id,
            private,
            offsite,
        },
    )
}

/// Every answer a viewer with `client` can get about the room, by path: pages, /v1, the
/// calendar files and the pages' server functions — presence `join`, `heartbeat` and
/// `leave` included, through the server function and the /v1 route (`page` names this
/// viewer's meeting page).
async fn everything_seen_by(
    app: &TestApp,
    client: &reqwest::Client,
    ids: &Seeded,
    page: &str,
) -> Vec<(String, String)> {
    let Seeded {
        meeting,
        private,
        offsite,
    } = ids;
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
        format!("/room/privroom/event/{offsite}"),
        "/rooms/privroom/settings".into(),
        "/room/privroom/calendar.ics".into(),
        format!("/room/privroom/{meeting}/event.ics"),
        format!("/room/privroom/{private}/event.ics"),
        format!("/room/privroom/{offsite}/event.ics"),
    ];
    let mut seen = Vec::new();
    for path in gets {
        let response = client.get(app.url(&path)).send().await.expect("get");
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
        seen.push((path, response.text().await.unwrap_or_default()));
    }
    let mut posts: Vec<(String, Value)> = [meeting, private, offsite]
        .iter()
        .map(|id| (format!("/v1/rooms/privroom/meetings/{id}/join"), json!({})))
        .collect();
    for event in ["join", "heartbeat", "leave"] {
        posts.push((
            format!("/v1/meetings/{meeting}/presence"),
            json!({"participant_id": format!("{page}-api"), "event": event}),
        ));
    }
    for (path, body) in posts {
        let response = client
            .post(app.url(&path))
            .json(&body)
            .send()
            .await
            .expect("post");
        assert!(
            response.status().as_u16() < 500,
            "{path}: {}",
            response.status()
        );
        seen.push((path, response.text().await.unwrap_or_default()));
    }
    // The pages' server functions, as the browser calls them.
    let fn_page = format!("{page}-fn");
    let mut server_fns = vec![
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
            app::server_fns::JoinEvent::PATH,
            vec![("room_name", "privroom"), ("event_id", offsite)],
        ),
        (
            app::server_fns::TestCalendarConnection::PATH,
            vec![("room_name", "privroom"), ("ics_url", "")],
        ),
    ];
    for event in ["join", "heartbeat", "leave"] {
        server_fns.push((
            app::server_fns::AnnouncePresence::PATH,
            vec![
                ("meeting_id", meeting),
                ("participant_id", &fn_page),
                ("event", event),
            ],
        ));
    }
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
        seen.push((path.to_string(), response.text().await.unwrap_or_default()));
    }
    seen
}

/// All the answers in one text.
fn joined(seen: &[(String, String)]) -> String {
    seen.iter().map(|(_, body)| body.as_str()).collect()
}

/// A signed-in account that does not own the room.
async fn mallory(app: &TestApp) -> reqwest::Client {
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
    mallory
}

#[tokio::test]
async fn only_the_owner_reads_what_the_calendar_says_and_nobody_reads_the_feed_token() {
    let (app, ids) = seeded().await;
    let owner = joined(&everything_seen_by(&app, &app.client, &ids, "owner-page").await);
    for secret in OWNER_ONLY {
        assert!(owner.contains(secret), "the owner should see {secret:?}");
    }
    assert!(
        !owner.contains(FEED_TOKEN),
        "even the owner sees the feed address masked"
    );

    for (who, client, page) in [
        ("another user", mallory(&app).await, "mallory-page"),
        ("an anonymous visitor", new_client(), "anon-page"),
    ] {
        let seen = joined(&everything_seen_by(&app, &client, &ids, page).await);
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
async fn a_meeting_beyond_the_guest_horizon_is_named_to_the_owner_alone() {
    let (app, ids) = seeded().await;
    let owner = everything_seen_by(&app, &app.client, &ids, "owner-page").await;
    let owner_paths: Vec<&str> = owner
        .iter()
        .filter(|(path, body)| !path.ends_with(".ics") && body.contains(BEYOND_HORIZON))
        .map(|(path, _)| path.as_str())
        .collect();
    assert!(
        owner_paths.contains(&"/v1/rooms/privroom/meetings?later=true"),
        "the owner's list has it as later: {owner_paths:?}"
    );
    for (who, client, page) in [
        ("another user", mallory(&app).await, "mallory-page"),
        ("an anonymous visitor", new_client(), "anon-page"),
    ] {
        for (path, body) in everything_seen_by(&app, &client, &ids, page).await {
            // The calendar files are a subscription: they keep the sync window.
            if path.ends_with(".ics") {
                continue;
            }
            assert!(
                !body.contains(BEYOND_HORIZON),
                "{who} must not read the title of a meeting five hours ahead on {path}"
            );
        }
    }
    // Its waiting page still tells a guest when it starts.
    let waiting = new_client()
        .get(app.url(&format!("/room/privroom/event/{}", ids.offsite)))
        .send()
        .await
        .expect("waiting page");
    assert_eq!(waiting.status(), 200);
    assert!(waiting
        .text()
        .await
        .unwrap_or_default()
        .contains("Upcoming meeting"));
}

#[tokio::test]
async fn a_meeting_page_tells_the_owner_who_is_there_and_everyone_else_how_many() {
    let (app, ids) = seeded().await;
    let announce = |client: reqwest::Client, page: &'static str| {
        let url = app.url(app::server_fns::AnnouncePresence::PATH);
        let meeting = ids.meeting.clone();
        async move {
            let response = client
                .post(url)
                .form(&[
                    ("meeting_id", meeting.as_str()),
                    ("participant_id", page),
                    ("event", "join"),
                ])
                .send()
                .await
                .expect("announce");
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.expect("json")
        }
    };
    // Pat is in the call; a made-up page id "joins" as an anonymous caller and as another
    // account: each is told how many are there, never who.
    for (who, client, page) in [
        ("an anonymous visitor", new_client(), "anon-page-1"),
        ("another user", mallory(&app).await, "mallory-page-1"),
    ] {
        let answer = announce(client, page).await;
        assert!(answer["names"].is_null(), "{who} got names: {answer}");
        assert!(
            !answer.to_string().contains("Pat Present"),
            "{who}: {answer}"
        );
        assert!(
            answer["count"].as_u64().is_some_and(|n| n >= 2),
            "{who}: {answer}"
        );
    }
    let answer = announce(app.client.clone(), "owner-page-1").await;
    let names: Vec<&str> = answer["names"]
        .as_array()
        .expect("the owner gets names")
        .iter()
        .filter_map(|p| p["display_name"].as_str())
        .collect();
    assert!(names.contains(&"Pat Present"), "{answer}");
    assert_eq!(answer["count"].as_u64(), Some(names.len() as u64));
}

#[tokio::test]
async fn non_owners_get_title_times_count_and_join_hint_and_nothing_else() {
    let (app, _ids) = seeded().await;
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
    assert!(!list.to_string().contains(BEYOND_HORIZON));
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
    assert_eq!(later, [serde_json::json!(BEYOND_HORIZON)]);
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
