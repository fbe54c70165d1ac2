use super::*;
use axum::response::IntoResponse;
use roomcal::events::{RoomEvent, RoomEvents};
use uuid::Uuid;

/// The next chunk of a response body as text.
async fn next_text(
    body: &mut (impl Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin),
) -> Option<String> {
    let chunk = body.next().await?.expect("chunk");
    Some(String::from_utf8_lossy(&chunk).into_owned())
}

fn body_of(
    bus: &RoomEvents,
    room: Uuid,
    last: Option<&str>,
) -> impl Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin {
    let slot = bus.open_stream("127.0.0.1").expect("slot");
    sse(bus.subscribe(room, last), slot, bus.closed(), HEARTBEAT)
        .into_response()
        .into_body()
        .into_data_stream()
}

#[tokio::test(start_paused = true)]
async fn an_idle_stream_gets_a_heartbeat_comment_every_fifteen_seconds() {
    let bus = RoomEvents::default();
    let mut body = body_of(&bus, Uuid::new_v4(), None);
    let started = tokio::time::Instant::now();
    let first = next_text(&mut body).await.expect("a heartbeat");
    assert!(first.starts_with(':'), "a comment: {first:?}");
    assert_eq!(started.elapsed(), HEARTBEAT);
    next_text(&mut body).await.expect("another heartbeat");
    assert_eq!(started.elapsed(), HEARTBEAT * 2);
}

#[tokio::test]
async fn a_published_change_arrives_as_a_named_event_with_an_id() {
    let bus = RoomEvents::default();
    let room = Uuid::new_v4();
    let mut body = body_of(&bus, room, None);
    bus.publish(RoomEvent::calendar_synced(room)).await;
    let text = next_text(&mut body).await.expect("an event");
    assert!(text.contains("event: calendar_synced\n"), "{text}");
    assert!(text.contains("id: "), "{text}");
    assert!(text.contains(&format!("\"room_id\":\"{room}\"")), "{text}");
}

#[tokio::test]
async fn an_unknown_last_event_id_starts_the_stream_with_refetch() {
    let bus = RoomEvents::default();
    let mut body = body_of(&bus, Uuid::new_v4(), Some("0-99"));
    let text = next_text(&mut body).await.expect("an event");
    assert!(text.contains("event: refetch\n"), "{text}");
}

#[tokio::test]
async fn streams_end_and_give_their_slot_back_when_the_server_shuts_down() {
    let bus = RoomEvents::default();
    bus.set_streams_per_address(1);
    let mut body = body_of(&bus, Uuid::new_v4(), None);
    assert!(bus.open_stream("127.0.0.1").is_none(), "the slot is taken");
    bus.close();
    assert!(next_text(&mut body).await.is_none(), "the stream ended");
    drop(body);
    assert!(bus.open_stream("127.0.0.1").is_some(), "the slot is back");
}
