//! `GET /v1/rooms/{room_name}/events`: a room's live updates as Server-Sent Events.
//!
//! Each event says that something changed (`meeting_created`, `meeting_started`,
//! `meeting_changed`, `meeting_ended`, `participants`, `calendar_synced`,
//! `knock_changed`) with ids and a head count only; the page refetches what it shows
//! through the routes that apply the privacy rules. So the stream is anyone's who may
//! open the room page, and it carries no title or name whoever listens ([`roomcal::events`]). A `refetch` event means some changes may have
//! been missed (an unknown or too old `Last-Event-ID`, a slow reader, a lost database
//! listener): read everything again. A comment every [`HEARTBEAT`] keeps proxies from
//! closing an idle stream; every stream ends when the server shuts down.

use super::error::{ApiError, ErrorBody};
use crate::state::ServerState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Extension;
use futures_util::stream::{self, Stream, StreamExt};
use roomcal::events::{Next, Numbered, Resume, StreamSlot, Subscription};
use roomcal::services::limits::{too_many, ClientAddr};
use roomcal::services::room_lookup::find_room;
use std::convert::Infallible;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How often an idle stream gets a heartbeat comment.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// How long a client refused for holding too many streams is asked to wait.
const RETRY_AFTER_SECS: u64 = 30;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// The room's live updates (Server-Sent Events). Event names: `meeting_created`,
/// `meeting_started`, `meeting_changed`, `meeting_ended`, `participants`,
/// `calendar_synced`, `knock_changed`, each with JSON data
/// `{room_id, kind, meeting_id?, participants?}` — no titles, no names: refetch the room's meetings to see what changed — and `refetch`
/// when changes may have been missed.
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/events",
    tag = "rooms",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received: the events after it are sent first, or `refetch` when they are no longer known"),
    ),
    responses(
        (status = 200, description = "An event stream that stays open (a `:` comment every 15 s)", content_type = "text/event-stream", body = String),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 429, description = "This address holds too many open streams", body = ErrorBody),
    )
)]
async fn events(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    Path(room_name): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let events = &state.core.events;
    let room = find_room(&state.core, &room_name).await?;
    let slot = events.open_stream(&client.key()).ok_or_else(|| {
        too_many(
            RETRY_AFTER_SECS,
            format!(
                "your address has {} live-update streams open, the most allowed; close other tabs of this site (pages still update every few seconds without one)",
                events.streams_per_address()
            ),
        )
    })?;
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok());
    let subscription = events.subscribe(room.id, last_event_id);
    Ok(sse(subscription, slot, events.closed(), HEARTBEAT))
}

/// The SSE response of `subscription`: its replay, then its live events, a comment every
/// `heartbeat`, until `closed` resolves (shutdown). `slot` is held as long as it runs.
pub fn sse(
    subscription: Subscription,
    slot: StreamSlot,
    closed: impl std::future::Future<Output = ()> + Send + 'static,
    heartbeat: Duration,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(room_stream(subscription, slot, closed))
        .keep_alive(KeepAlive::new().interval(heartbeat))
}

/// The events of one stream (see [`sse`]).
fn room_stream(
    mut subscription: Subscription,
    slot: StreamSlot,
    closed: impl std::future::Future<Output = ()> + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> + Send {
    let replay: Vec<Event> = match std::mem::replace(&mut subscription.resume, Resume::Fresh) {
        Resume::Fresh => Vec::new(),
        Resume::Replay(missed) => missed.iter().map(|e| room_event(e)).collect(),
        Resume::Refetch => vec![refetch()],
    };
    let live = stream::unfold(
        (subscription, slot),
        |(mut subscription, slot)| async move {
            let event = match subscription.next().await? {
                Next::Event(event) => room_event(&event),
                Next::Refetch => refetch(),
            };
            Some((event, (subscription, slot)))
        },
    );
    stream::iter(replay)
        .chain(live)
        .map(Ok)
        .take_until(Box::pin(closed))
}

/// `event: <kind>`, `id: <id>`, `data: {room_id, kind, meeting_id?, participants?}`.
fn room_event(numbered: &Numbered) -> Event {
    Event::default()
        .id(numbered.id.to_string())
        .event(numbered.event.kind.as_str())
        .json_data(&numbered.event)
        .unwrap_or_else(|_| refetch())
}

/// `event: refetch`: changes may have been missed; read everything again.
fn refetch() -> Event {
    Event::default().event("refetch").data("{}")
}

#[cfg(test)]
mod tests {
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
}
