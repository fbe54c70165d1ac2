use super::*;

fn synced(room_id: Uuid) -> RoomEvent {
    RoomEvent::calendar_synced(room_id)
}

#[tokio::test]
async fn a_subscriber_hears_its_own_room_only() {
    let bus = RoomEvents::default();
    let (mine, other) = (Uuid::new_v4(), Uuid::new_v4());
    let mut subscription = bus.subscribe(mine, None);
    bus.publish(synced(other)).await;
    bus.publish(synced(mine)).await;
    let Some(Next::Event(event)) = subscription.next().await else {
        panic!("an event");
    };
    assert_eq!(event.event.room_id, mine);
    assert_eq!(event.id.seq, 2, "numbered across rooms");
}

#[tokio::test]
async fn a_resumed_stream_replays_what_came_after_its_last_id() {
    let bus = RoomEvents::default();
    let room = Uuid::new_v4();
    let mut first = bus.subscribe(room, None);
    for _ in 0..3 {
        bus.publish(synced(room)).await;
    }
    let Some(Next::Event(seen)) = first.next().await else {
        panic!("an event");
    };
    let resumed = bus.subscribe(room, Some(&seen.id.to_string()));
    let Resume::Replay(missed) = resumed.resume else {
        panic!("a replay, got {:?}", resumed.resume);
    };
    assert_eq!(
        missed.iter().map(|e| e.id.seq).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let up_to_date = bus.subscribe(room, Some(&missed[1].id.to_string()));
    assert_eq!(up_to_date.resume, Resume::Replay(Vec::new()));
}

#[tokio::test]
async fn an_unknown_or_too_old_last_id_asks_for_a_refetch() {
    let bus = RoomEvents::default();
    let room = Uuid::new_v4();
    for _ in 0..(ring::PER_ROOM + 2) {
        bus.publish(synced(room)).await;
    }
    let ours = bus
        .ring
        .lock()
        .map(|mut r| r.push(synced(room)).id)
        .expect("ring");
    let too_old = EventId { seq: 1, ..ours };
    let other_instance = EventId {
        epoch: ours.epoch.wrapping_add(1),
        ..ours
    };
    for id in [
        too_old.to_string(),
        other_instance.to_string(),
        "garbage".into(),
    ] {
        assert_eq!(
            bus.subscribe(room, Some(&id)).resume,
            Resume::Refetch,
            "{id}"
        );
    }
}

#[tokio::test]
async fn a_lost_listener_makes_every_stream_refetch() {
    let bus = RoomEvents::default();
    let room = Uuid::new_v4();
    bus.publish(synced(room)).await;
    let before = bus.ring.lock().map(|r| r.seq).expect("ring");
    let mut subscription = bus.subscribe(room, None);
    bus.deliver_lost();
    assert_eq!(subscription.next().await, Some(Next::Refetch));
    let id = EventId {
        epoch: bus.ring.lock().map(|r| r.epoch).expect("ring"),
        seq: before - 1,
    };
    assert_eq!(
        bus.subscribe(room, Some(&id.to_string())).resume,
        Resume::Refetch
    );
}

#[test]
fn event_ids_read_back_as_written() {
    let id = EventId {
        epoch: 0xdead_beef,
        seq: 42,
    };
    assert_eq!(id.to_string(), "deadbeef-42");
    assert_eq!(EventId::parse("deadbeef-42"), Some(id));
    assert_eq!(EventId::parse("42"), None);
}

#[test]
fn one_client_gets_at_most_its_share_of_streams_and_gets_them_back() {
    let bus = RoomEvents::default();
    bus.set_streams_per_address(2);
    let first = bus.open_stream("10.0.0.1");
    let second = bus.open_stream("10.0.0.1");
    assert!(first.is_some() && second.is_some());
    assert!(bus.open_stream("10.0.0.1").is_none());
    assert!(bus.open_stream("10.0.0.2").is_some(), "another address");
    drop(first);
    assert!(bus.open_stream("10.0.0.1").is_some());
}

#[test]
fn an_event_on_the_wire_has_ids_and_counts_only() {
    let event = RoomEvent {
        room_id: Uuid::nil(),
        kind: RoomEventKind::Participants,
        meeting_id: Some(Uuid::nil()),
        participants: Some(3),
    };
    let json = serde_json::to_value(&event).expect("json");
    let keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["room_id", "kind", "meeting_id", "participants"]);
}

#[tokio::test]
async fn closing_the_bus_resolves_its_closed_future() {
    let bus = RoomEvents::default();
    let closed = bus.closed();
    bus.close();
    closed.await;
}

#[tokio::test]
async fn the_delivery_hook_runs_before_any_stream_hears_the_event() {
    let bus = Arc::new(RoomEvents::default());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    bus.on_deliver(move |e| log.lock().expect("log").push(e.room_id));
    let room = Uuid::new_v4();
    let mut subscription = bus.subscribe(room, None);
    bus.publish(synced(room)).await;
    assert!(matches!(subscription.next().await, Some(Next::Event(_))));
    assert_eq!(*seen.lock().expect("log"), vec![room]);
}
