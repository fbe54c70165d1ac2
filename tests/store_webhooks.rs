//! The webhook outbox on both databases: a change writes its deliveries with it (only to
//! the room's enabled endpoints that subscribed), a lost race writes none, deliveries are
//! claimed once and in order per meeting, failures come back later and mark the endpoint,
//! and endpoints go with their room.

use crate::common::{room, t0};
use chrono::Duration;
use roomcal::domain::{
    AttemptRecord, CallRoom, ClosedBecause, DeliveryState, Meeting, WebhookEndpoint,
};
use roomcal::lifecycle::CloseReason;
use roomcal::store::Store;
use roomcal::sync::webhook_sender::Attempt;
use roomcal::webhooks::{EventSelection, WebhookEvent, WebhookEventType};
use std::sync::Arc;
use uuid::Uuid;

on_both_backends!(
    a_change_writes_one_delivery_per_subscribed_enabled_endpoint_of_its_room,
    a_close_that_lost_the_race_writes_no_delivery,
    an_extension_writes_its_meeting_extended_and_a_lost_one_writes_none,
    a_meetings_events_are_claimed_once_and_in_order,
    a_failed_attempt_comes_back_later_and_marks_the_endpoint_failing,
    endpoints_and_their_deliveries_go_with_their_room,
);

async fn endpoint(
    store: &Arc<dyn Store>,
    room_id: Uuid,
    events: &[&str],
    enabled: bool,
    owners_system: bool,
) -> WebhookEndpoint {
    let names: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    let endpoint = WebhookEndpoint {
        id: Uuid::new_v4(),
        room_id,
        url: "sealed-url".into(),
        events: EventSelection::parse(&names).unwrap().to_stored(),
        enabled,
        owners_system,
        secret: "sealed-secret".into(),
        previous_secret: None,
        previous_secret_until: None,
        created_at: t0(),
        failing_since: None,
        disabled_reason: None,
    };
    store.insert_webhook_endpoint(&endpoint).await.unwrap();
    endpoint
}

fn meeting(room_id: Uuid) -> Meeting {
    let call = CallRoom {
        participant_url: "https://call.example/x".into(),
        host_url: None,
        platform_meeting_id: None,
    };
    Meeting::open(
        room_id,
        None,
        (t0(), t0() + Duration::hours(1)),
        "jitsi",
        call,
        t0(),
    )
}

fn event(m: &Meeting, kind: WebhookEventType, at_minutes: i64) -> WebhookEvent {
    WebhookEvent {
        room_id: m.room_id,
        meeting_id: Some(m.id),
        kind,
        at: t0() + Duration::minutes(at_minutes),
        body: format!("{{\"type\":\"{}\",\"who\":\"someone\"}}", kind.as_str()),
        owner_body: Some(format!(
            "{{\"type\":\"{}\",\"who\":\"Ada\"}}",
            kind.as_str()
        )),
    }
}

async fn log(
    store: &Arc<dyn Store>,
    endpoint: &WebhookEndpoint,
) -> Vec<roomcal::domain::WebhookDelivery> {
    store.webhook_deliveries(endpoint.id, 100).await.unwrap()
}

async fn a_change_writes_one_delivery_per_subscribed_enabled_endpoint_of_its_room(
    store: Arc<dyn Store>,
) {
    let (here, elsewhere) = (room(&store).await, room(&store).await);
    let created = endpoint(&store, here, &["meeting.created"], true, false).await;
    let owners = endpoint(&store, here, &["meeting.created"], true, true).await;
    let ended_only = endpoint(&store, here, &["meeting.ended"], true, false).await;
    let off = endpoint(&store, here, &[], false, false).await;
    let other_room = endpoint(&store, elsewhere, &[], true, false).await;
    let m = meeting(here);
    store
        .insert_meeting(&m, &[event(&m, WebhookEventType::MeetingCreated, 0)])
        .await
        .unwrap();
    let sent = log(&store, &created).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].event_type, "meeting.created");
    assert_eq!(sent[0].meeting_id, Some(m.id));
    assert_eq!(sent[0].state, DeliveryState::Pending);
    assert!(sent[0].id.starts_with("msg_"), "{}", sent[0].id);
    assert!(sent[0].payload.contains("someone"), "the public body");
    assert!(
        log(&store, &owners).await[0].payload.contains("Ada"),
        "the owner's body"
    );
    assert_ne!(
        log(&store, &owners).await[0].id,
        sent[0].id,
        "one id per endpoint"
    );
    for none in [&ended_only, &off, &other_room] {
        assert!(log(&store, none).await.is_empty());
    }
    assert!(
        store.meeting_by_id(m.id).await.unwrap().is_some(),
        "the change itself"
    );
}

async fn a_close_that_lost_the_race_writes_no_delivery(store: Arc<dyn Store>) {
    let r = room(&store).await;
    let ended = endpoint(&store, r, &["meeting.ended"], true, false).await;
    let m = meeting(r);
    store.insert_meeting(&m, &[]).await.unwrap();
    let reason = ClosedBecause::Rule(CloseReason::GracePeriodOver);
    let outbox = [event(&m, WebhookEventType::MeetingEnded, 5)];
    assert!(store
        .close_meeting(m.id, t0(), reason, &outbox)
        .await
        .unwrap());
    assert!(!store
        .close_meeting(m.id, t0(), reason, &outbox)
        .await
        .unwrap());
    assert_eq!(
        log(&store, &ended).await.len(),
        1,
        "one meeting.ended, not two"
    );
}

async fn an_extension_writes_its_meeting_extended_and_a_lost_one_writes_none(
    store: Arc<dyn Store>,
) {
    let r = room(&store).await;
    let extended = endpoint(&store, r, &["meeting.extended"], true, false).await;
    let m = meeting(r);
    store.insert_meeting(&m, &[]).await.unwrap();
    let outbox = [event(&m, WebhookEventType::MeetingExtended, 5)];
    assert_eq!(
        store
            .extend_meeting(m.id, 0, 30, 240, &outbox)
            .await
            .unwrap(),
        Some(30)
    );
    assert_eq!(
        store
            .extend_meeting(m.id, 0, 30, 240, &outbox)
            .await
            .unwrap(),
        None,
        "a second press from the same starting point lost"
    );
    let sent = log(&store, &extended).await;
    assert_eq!(
        sent.iter()
            .map(|d| d.event_type.as_str())
            .collect::<Vec<_>>(),
        vec!["meeting.extended"],
        "one meeting.extended, for the extension that happened"
    );
}

fn delivered(at: chrono::DateTime<chrono::Utc>) -> AttemptRecord {
    AttemptRecord {
        at,
        attempt: Attempt {
            status: Some(204),
            latency_ms: 3,
            response: Some(String::new()),
            error: None,
        },
        state: DeliveryState::Delivered,
        next_attempt_at: at,
    }
}

async fn a_meetings_events_are_claimed_once_and_in_order(store: Arc<dyn Store>) {
    let r = room(&store).await;
    let all = endpoint(&store, r, &[], true, false).await;
    let (m, n) = (meeting(r), meeting(r));
    store
        .insert_meeting(&m, &[event(&m, WebhookEventType::MeetingCreated, 0)])
        .await
        .unwrap();
    store
        .insert_meeting(&n, &[event(&n, WebhookEventType::MeetingCreated, 0)])
        .await
        .unwrap();
    let reason = ClosedBecause::Rule(CloseReason::GracePeriodOver);
    store
        .close_meeting(
            m.id,
            t0(),
            reason,
            &[event(&m, WebhookEventType::MeetingEnded, 1)],
        )
        .await
        .unwrap();
    let now = t0() + Duration::minutes(2);
    let lease = now + Duration::seconds(60);
    let first = store
        .claim_webhook_deliveries(now, "a", lease, 10)
        .await
        .unwrap();
    let kinds: Vec<(Option<Uuid>, &str)> = first
        .iter()
        .map(|d| (d.meeting_id, d.event_type.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Some(m.id), "meeting.created"),
            (Some(n.id), "meeting.created")
        ],
        "m's meeting.ended waits until its meeting.created is delivered"
    );
    assert!(
        store
            .claim_webhook_deliveries(now, "b", lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "a claimed delivery is not claimed again by another instance"
    );
    let created_m = &first[0];
    store
        .finish_webhook_attempt(created_m.seq, all.id, "a", &delivered(now))
        .await
        .unwrap();
    let next = store
        .claim_webhook_deliveries(now, "b", lease, 10)
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].event_type, "meeting.ended");
    let after_lease = lease + Duration::seconds(1);
    let again = store
        .claim_webhook_deliveries(after_lease, "c", after_lease + Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(
        again.len(),
        2,
        "claims of a crashed instance free up after the lease"
    );
    assert!(log(&store, &all)
        .await
        .iter()
        .any(|d| d.state == DeliveryState::Delivered));
}

async fn a_failed_attempt_comes_back_later_and_marks_the_endpoint_failing(store: Arc<dyn Store>) {
    let r = room(&store).await;
    let all = endpoint(&store, r, &[], true, false).await;
    let m = meeting(r);
    store
        .insert_meeting(&m, &[event(&m, WebhookEventType::MeetingCreated, 0)])
        .await
        .unwrap();
    let now = t0();
    let claimed = store
        .claim_webhook_deliveries(now, "a", now + Duration::seconds(60), 10)
        .await
        .unwrap();
    let failed = AttemptRecord {
        at: now,
        attempt: Attempt {
            status: Some(503),
            latency_ms: 12,
            response: Some("down for maintenance".into()),
            error: Some("the receiver answered 503".into()),
        },
        state: DeliveryState::Pending,
        next_attempt_at: now + Duration::seconds(5),
    };
    let since = store
        .finish_webhook_attempt(claimed[0].seq, all.id, "a", &failed)
        .await
        .unwrap();
    assert_eq!(since, Some(now));
    let logged = &log(&store, &all).await[0];
    assert_eq!(logged.attempts, 1);
    assert_eq!(logged.last_status, Some(503));
    assert_eq!(
        logged.last_response.as_deref(),
        Some("down for maintenance")
    );
    let soon = now + Duration::seconds(4);
    assert!(store
        .claim_webhook_deliveries(soon, "a", soon + Duration::seconds(60), 10)
        .await
        .unwrap()
        .is_empty());
    let due = now + Duration::seconds(5);
    let retry = store
        .claim_webhook_deliveries(due, "a", due + Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(
        retry[0].id, claimed[0].id,
        "the same webhook-id on the retry"
    );
    let since = store
        .finish_webhook_attempt(retry[0].seq, all.id, "a", &delivered(due))
        .await
        .unwrap();
    assert_eq!(since, None, "a success ends the failing streak");
    store.redeliver_webhook(&retry[0].id, due).await.unwrap();
    assert_eq!(log(&store, &all).await[0].state, DeliveryState::Pending);
    store
        .disable_webhook_endpoint(all.id, "turned off")
        .await
        .unwrap();
    assert!(
        store
            .claim_webhook_deliveries(due, "a", due + Duration::seconds(60), 10)
            .await
            .unwrap()
            .is_empty(),
        "a disabled endpoint's deliveries wait"
    );
    let off = store.webhook_endpoint(all.id).await.unwrap().unwrap();
    assert!(!off.enabled);
    assert_eq!(off.disabled_reason.as_deref(), Some("turned off"));
}

async fn endpoints_and_their_deliveries_go_with_their_room(store: Arc<dyn Store>) {
    let r = room(&store).await;
    let all = endpoint(&store, r, &[], true, false).await;
    let m = meeting(r);
    store
        .insert_meeting(&m, &[event(&m, WebhookEventType::MeetingCreated, 0)])
        .await
        .unwrap();
    let id = log(&store, &all).await[0].id.clone();
    store.delete_room(r).await.unwrap();
    assert!(store.webhook_endpoint(all.id).await.unwrap().is_none());
    assert!(store.webhook_delivery(&id).await.unwrap().is_none());
}
