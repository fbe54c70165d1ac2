//! ICS out over HTTP: the room feed people subscribe to (titles and times only), the
//! owner's feed at a secret address (details), conditional GET, and "add to calendar".

use crate::feed_server;
use crate::helpers::{new_client, spawn_app, TestApp};
use chrono::{Duration, Utc};
use roomcal::calendar::parse_feed;
use serde_json::json;

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
         SUMMARY:{summary}\r\nLOCATION:{room_url}\r\nDESCRIPTION:Dial-in passcode 4711-SECRET\r\n\
         ATTENDEE;CN=Arthur Attendee;PARTSTAT=ACCEPTED:mailto:arthur@corp.example\r\n{extra}END:VEVENT\r\n",
        fmt(start),
        fmt(start + Duration::minutes(45)),
    )
}

/// Room `feedroom` with a public and a private event synced, and an unscheduled meeting.
async fn seeded() -> (TestApp, feed_server::Feeds, uuid::Uuid) {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let url = app.room_url("feedroom");
    let now = Utc::now();
    feeds.set(
        "main",
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}{}END:VCALENDAR\r\n",
            vevent("board", "Board sync", now + Duration::hours(2), "", &url),
            vevent(
                "merger",
                "Secret merger talk",
                now + Duration::hours(3),
                "CLASS:PRIVATE\r\n",
                &url
            ),
        ),
    );
    let room = app
        .room_with_feed("feedroom", &feeds.url("/feed/main"))
        .await;
    app.core.sync.sync_room(room, now).await.expect("sync");
    let started = app.post("/v1/rooms/feedroom/meeting", json!({})).await;
    assert_eq!(started.status(), 201);
    (app, feeds, room)
}

async fn get(client: &reqwest::Client, url: &str) -> reqwest::Response {
    client.get(url).send().await.expect("request")
}

#[tokio::test]
async fn the_room_feed_has_titles_and_times_only_and_reads_back_as_the_rooms_meetings() {
    let (app, _feeds, room) = seeded().await;
    let response = get(&new_client(), &app.url("/room/feedroom/calendar.ics")).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/calendar"));
    let body = response.text().await.expect("body");
    assert!(body.contains("SUMMARY:Board sync"));
    assert!(body.contains("SUMMARY:Private meeting"));
    for secret in [
        "Secret merger",
        "4711-SECRET",
        "arthur@corp.example",
        "Arthur Attendee",
    ] {
        assert!(!body.contains(secret), "the public feed leaks {secret:?}");
    }
    // roomcal's own engine reads back exactly the stored occurrences and the running
    // unscheduled meeting, each pointing at its page.
    let feed = parse_feed(body.as_bytes(), None).expect("a calendar");
    let now = Utc::now();
    let mut read: Vec<_> = feed
        .expand(
            now - Duration::days(1),
            now + Duration::days(2),
            chrono_tz::UTC,
        )
        .into_iter()
        .map(|o| (o.start, o.end, o.url.unwrap_or_default()))
        .collect();
    read.sort();
    let mut expected: Vec<_> = app
        .live_events(room, now)
        .await
        .into_iter()
        .map(|e| {
            (
                e.start_time,
                e.end_time,
                app.url(&format!("/room/feedroom/event/{}", e.id)),
            )
        })
        .collect();
    let meetings = app
        .core
        .store
        .active_meetings_in_room(room)
        .await
        .expect("meetings");
    expected.extend(meetings.iter().map(|m| {
        (
            m.start_time,
            m.end_time,
            app.url(&format!("/room/feedroom/{}", m.id)),
        )
    }));
    expected.sort();
    let trunc = |v: Vec<(chrono::DateTime<Utc>, chrono::DateTime<Utc>, String)>| -> Vec<(i64, i64, String)> {
        v.into_iter().map(|(s, e, u)| (s.timestamp(), e.timestamp(), u)).collect()
    };
    assert_eq!(trunc(read), trunc(expected));
}

#[tokio::test]
async fn the_public_feed_is_built_once_until_a_sync_or_a_meeting_changes_the_room() {
    let (app, feeds, room) = seeded().await;
    let client = new_client();
    let url = app.url("/room/feedroom/calendar.ics");
    let memo = app.core.sync.feed_memo();
    let first = get(&client, &url).await.text().await.expect("body");
    let built = memo.builds();
    let second = get(&client, &url).await.text().await.expect("body");
    assert_eq!(first, second);
    assert_eq!(memo.builds(), built, "the second request re-read the store");

    // A sync that renames an event shows on the very next request.
    let room_url = app.room_url("feedroom");
    feeds.set(
        "main",
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}END:VCALENDAR\r\n",
            vevent(
                "board",
                "Board sync renamed",
                Utc::now() + Duration::hours(2),
                "",
                &room_url
            ),
        ),
    );
    app.core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    let synced = get(&client, &url).await.text().await.expect("body");
    assert!(synced.contains("Board sync renamed"), "{synced}");
    assert_eq!(memo.builds(), built + 1);

    // So does a meeting the lifecycle closes: the unscheduled one, past its lifetime.
    assert!(synced.contains("Unscheduled meeting"), "{synced}");
    roomcal::services::lifecycle_step::run_lifecycle_step(
        &app.core,
        Utc::now() + Duration::days(1),
        100,
    )
    .await
    .expect("tick");
    let closed = get(&client, &url).await.text().await.expect("body");
    assert!(!closed.contains("Unscheduled meeting"), "{closed}");
    assert_eq!(memo.builds(), built + 2);
}

#[tokio::test]
async fn an_unchanged_feed_answers_304_and_a_changed_meeting_moves_sequence_and_last_modified() {
    let (app, feeds, room) = seeded().await;
    let client = new_client();
    let url = app.url("/room/feedroom/calendar.ics");
    let first = get(&client, &url).await;
    let etag = first.headers()["etag"].to_str().expect("etag").to_string();
    assert!(first.headers()["cache-control"]
        .to_str()
        .unwrap_or_default()
        .contains("max-age"));
    let body = first.text().await.expect("body");
    let again = client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), 304);

    // The organizer moves the board meeting; the next sync changes the feed.
    let later = Utc::now() + Duration::minutes(2);
    let room_url = app.room_url("feedroom");
    feeds.set(
        "main",
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}END:VCALENDAR\r\n",
            vevent(
                "board",
                "Board sync (moved)",
                later + Duration::hours(4),
                "",
                &room_url
            ),
        ),
    );
    app.core.sync.sync_room(room, later).await.expect("sync");
    let changed = client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("changed");
    assert_eq!(changed.status(), 200);
    let new_body = changed.text().await.expect("body");
    let field = |text: &str, name: &str| -> Vec<String> {
        let feed = parse_feed(text.as_bytes(), None).expect("calendar");
        feed.events
            .iter()
            .filter(|e| {
                e.summary
                    .as_deref()
                    .is_some_and(|s| s.starts_with("Board sync"))
            })
            .flat_map(|e| {
                e.raw
                    .lines()
                    .filter(|l| l.starts_with(name))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_ne!(field(&body, "SEQUENCE:"), field(&new_body, "SEQUENCE:"));
    assert_ne!(
        field(&body, "LAST-MODIFIED:"),
        field(&new_body, "LAST-MODIFIED:")
    );
    assert!(
        !new_body.contains("Private meeting"),
        "the cancelled private event left the feed"
    );
}

#[tokio::test]
async fn the_owners_secret_feed_has_the_details_and_a_reset_address_stops_working() {
    let (app, _feeds, _room) = seeded().await;
    let owner = app
        .core
        .store
        .room_by_name("feedroom")
        .await
        .expect("q")
        .expect("room");
    let owner_user = app
        .core
        .store
        .user_by_id(owner.owner_id)
        .await
        .expect("q")
        .expect("user");
    let secret = roomcal::services::room_feed::private_feed_url(&app.core, &owner_user, "feedroom")
        .await
        .expect("url");
    let path = secret.trim_start_matches(&app.address);
    let response = get(&new_client(), &app.url(path)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "private, max-age=300");
    let body = response.text().await.expect("body");
    for detail in [
        "Secret merger talk",
        "4711-SECRET",
        "Arthur Attendee",
        "arthur@corp.example",
    ] {
        assert!(
            body.contains(detail),
            "the owner's feed should carry {detail:?}"
        );
    }
    let wrong = get(
        &new_client(),
        &app.url("/room/feedroom/calendar.ics?key=guess"),
    )
    .await;
    assert_eq!(wrong.status(), 404);
    let fresh =
        roomcal::services::room_feed::reset_private_feed(&app.core, &owner_user, "feedroom")
            .await
            .expect("reset");
    assert_ne!(fresh, secret);
    assert_eq!(
        get(&new_client(), &app.url(path)).await.status(),
        404,
        "the old address is dead"
    );
    let fresh_path = fresh.trim_start_matches(&app.address);
    assert_eq!(get(&new_client(), &app.url(fresh_path)).await.status(), 200);
}

#[tokio::test]
async fn add_to_calendar_downloads_one_event_for_meetings_and_occurrences_alike() {
    let (app, _feeds, room) = seeded().await;
    let meeting = app
        .core
        .store
        .active_meetings_in_room(room)
        .await
        .expect("meetings")
        .remove(0);
    let occurrence = app
        .live_events(room, Utc::now())
        .await
        .into_iter()
        .find(|e| e.ics_uid == "merger")
        .expect("private occurrence");
    for (id, title) in [
        (meeting.id, "Unscheduled meeting"),
        (occurrence.id, "Private meeting"),
    ] {
        let response = get(
            &new_client(),
            &app.url(&format!("/room/feedroom/{id}/event.ics")),
        )
        .await;
        assert_eq!(response.status(), 200);
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .expect("header")
            .to_string();
        assert!(
            disposition.starts_with("attachment; filename=\"feedroom-"),
            "{disposition}"
        );
        let body = response.text().await.expect("body");
        let feed = parse_feed(body.as_bytes(), None).expect("calendar");
        assert_eq!(feed.events.len(), 1);
        assert_eq!(feed.events[0].summary.as_deref(), Some(title));
    }
    // The owner's download has the real title.
    let own = app
        .get(&format!("/room/feedroom/{}/event.ics", occurrence.id))
        .await;
    assert!(own
        .text()
        .await
        .expect("body")
        .contains("Secret merger talk"));
    let unknown = get(
        &new_client(),
        &app.url(&format!(
            "/room/feedroom/{}/event.ics",
            uuid::Uuid::new_v4()
        )),
    )
    .await;
    assert_eq!(unknown.status(), 404);
}
