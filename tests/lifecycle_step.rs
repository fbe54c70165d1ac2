//! The lifecycle step against real databases with a fixed clock: pre-creation exactly at
//! lead time and exactly once, calendar changes, presence, closing — on SQLite and
//! PostgreSQL (instances racing each other: `lifecycle_race.rs`).

use crate::common::{event, room, t0};
use chrono::{DateTime, Duration, Utc};
use roomcal::domain::{CalendarEvent, ClosedBecause, PresenceRecord};
use roomcal::services::lifecycle_step::run_lifecycle_step;
use roomcal::store::Store;
use roomcal::Core;
use std::sync::Arc;
use uuid::Uuid;

on_both_backends!(
    a_meeting_is_created_exactly_at_lead_time_and_only_once,
    back_to_back_occurrences_get_separate_meetings,
    a_cancelled_occurrence_closes_its_meeting_before_anyone_joined,
    a_meeting_closes_a_grace_period_after_the_last_participant_left,
    a_returning_participant_keeps_the_meeting_open,
    one_person_with_two_pages_counts_once_in_the_stored_head_count_as_on_the_page,
    a_calendar_meeting_is_force_closed_after_its_overrun_even_with_people_in_it,
    rows_of_people_who_left_or_went_stale_are_pruned_and_the_meeting_still_closes_on_time,
);

async fn meetings_of(core: &Core, room_id: Uuid) -> Vec<roomcal::domain::Meeting> {
    core.store
        .active_meetings_in_room(room_id)
        .await
        .expect("meetings")
}

async fn a_meeting_is_created_exactly_at_lead_time_and_only_once(store: Arc<dyn Store>) {
    let core = crate::common::test_core(store.clone());
    let room_id = room(&store).await;
    let e = event(room_id, "standup", t0() + Duration::minutes(10), 15);
    store.insert_calendar_event(&e).await.expect("event");
    let lead = core.settings.lifecycle.precreate_lead;
    let just_before = e.start_time - lead - Duration::seconds(1);
    assert_eq!(
        run_lifecycle_step(&core, just_before, 100)
            .await
            .expect("step")
            .created,
        0
    );
    assert_eq!(
        run_lifecycle_step(&core, e.start_time - lead, 100)
            .await
            .expect("step")
            .created,
        1
    );
    assert_eq!(
        run_lifecycle_step(&core, e.start_time, 100)
            .await
            .expect("step")
            .created,
        0
    );
    let meetings = meetings_of(&core, room_id).await;
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0].calendar_event_id, Some(e.id));
    assert_eq!(
        meetings[0]
            .calendar_metadata
            .as_ref()
            .map(|m| m.0["title"].clone()),
        Some(serde_json::json!("Meeting standup"))
    );
}

async fn back_to_back_occurrences_get_separate_meetings(store: Arc<dyn Store>) {
    let core = crate::common::test_core(store.clone());
    let room_id = room(&store).await;
    let first = event(room_id, "a", t0(), 30);
    let second = event(room_id, "b", t0() + Duration::minutes(30), 30);
    store.insert_calendar_event(&first).await.expect("a");
    store.insert_calendar_event(&second).await.expect("b");
    run_lifecycle_step(&core, t0(), 100).await.expect("step");
    run_lifecycle_step(&core, t0() + Duration::minutes(29), 100)
        .await
        .expect("step");
    let linked: Vec<_> = meetings_of(&core, room_id)
        .await
        .into_iter()
        .filter_map(|m| m.calendar_event_id)
        .collect();
    assert_eq!(linked.len(), 2);
    assert!(linked.contains(&first.id) && linked.contains(&second.id));
}

async fn a_cancelled_occurrence_closes_its_meeting_before_anyone_joined(store: Arc<dyn Store>) {
    let core = crate::common::test_core(store.clone());
    let room_id = room(&store).await;
    let mut e = event(room_id, "x", t0() + Duration::minutes(1), 30);
    store.insert_calendar_event(&e).await.expect("event");
    run_lifecycle_step(&core, t0(), 100).await.expect("step");
    assert_eq!(meetings_of(&core, room_id).await.len(), 1);
    // The sync soft-deletes the occurrence (it was cancelled in the feed).
    e.is_deleted = true;
    let plan = roomcal::sync::SyncPlan {
        updates: vec![e.clone()],
        ..Default::default()
    };
    let calendar = store
        .room_calendar(room_id)
        .await
        .expect("q")
        .expect("room");
    store
        .apply_sync(&plan, &calendar, t0(), &serde_json::json!({}), &[])
        .await
        .expect("apply");
    let report = run_lifecycle_step(&core, t0() + Duration::seconds(10), 100)
        .await
        .expect("step");
    assert_eq!(report.closed, 1);
    assert!(meetings_of(&core, room_id).await.is_empty());
}

async fn join(
    store: &Arc<dyn Store>,
    meeting_id: Uuid,
    who: &str,
    at: DateTime<Utc>,
    left: Option<DateTime<Utc>>,
) {
    store
        .record_presence(
            &PresenceRecord {
                meeting_id,
                participant_id: who.into(),
                display_name: who.into(),
                user_id: None,
                last_seen_at: at,
                left_at: left,
            },
            at,
            &[],
        )
        .await
        .expect("presence");
}

async fn started_meeting(store: &Arc<dyn Store>, core: &Core) -> (Uuid, CalendarEvent) {
    let room_id = room(store).await;
    let e = event(room_id, "m", t0(), 60);
    store.insert_calendar_event(&e).await.expect("event");
    run_lifecycle_step(core, t0(), 100).await.expect("step");
    let meeting = meetings_of(core, room_id).await.remove(0);
    (meeting.id, e)
}

async fn a_meeting_closes_a_grace_period_after_the_last_participant_left(store: Arc<dyn Store>) {
    let core = crate::common::test_core(store.clone());
    let grace = core.settings.lifecycle.grace_period;
    let (meeting_id, _) = started_meeting(&store, &core).await;
    let joined = t0() + Duration::minutes(1);
    join(&store, meeting_id, "ada", joined, None).await;
    run_lifecycle_step(&core, joined, 100).await.expect("step");
    let left = t0() + Duration::minutes(10);
    join(&store, meeting_id, "ada", left, Some(left)).await;
    let report = run_lifecycle_step(&core, left + grace - Duration::seconds(1), 100)
        .await
        .expect("step");
    assert_eq!(report.closed, 0, "still inside the grace period");
    let report = run_lifecycle_step(&core, left + grace, 100)
        .await
        .expect("step");
    assert_eq!(
        report.closed, 1,
        "closed exactly at the end of the grace period"
    );
    let meeting = store
        .meeting_by_id(meeting_id)
        .await
        .expect("q")
        .expect("m");
    assert_eq!(
        meeting.close_reason.map(ClosedBecause::as_str),
        Some("grace_period_over")
    );
}

async fn one_person_with_two_pages_counts_once_in_the_stored_head_count_as_on_the_page(
    store: Arc<dyn Store>,
) {
    let core = crate::common::test_core(store.clone());
    let (meeting_id, _) = started_meeting(&store, &core).await;
    let at = t0() + Duration::minutes(1);
    let ada = Uuid::new_v4();
    for (page, user) in [
        ("ada-laptop", Some(ada)),
        ("ada-phone", Some(ada)),
        ("guest-1", None),
    ] {
        store
            .record_presence(
                &PresenceRecord {
                    meeting_id,
                    participant_id: page.into(),
                    display_name: page.into(),
                    user_id: user,
                    last_seen_at: at,
                    left_at: None,
                },
                at,
                &[],
            )
            .await
            .expect("presence");
    }
    run_lifecycle_step(&core, at, 100).await.expect("step");
    let stored = store
        .meeting_by_id(meeting_id)
        .await
        .expect("q")
        .expect("m");
    let records = store.presence_of_meeting(meeting_id).await.expect("rows");
    let shown = roomcal::services::participants::present_participants(
        &records,
        &core.settings.lifecycle,
        at,
    );
    assert_eq!(stored.participants_now, 2, "Ada once, the guest once");
    assert_eq!(shown.len(), 2, "the page counts the same two");
}

async fn a_returning_participant_keeps_the_meeting_open(store: Arc<dyn Store>) {
    let core = crate::common::test_core(store.clone());
    let grace = core.settings.lifecycle.grace_period;
    let (meeting_id, _) = started_meeting(&store, &core).await;
    let left = t0() + Duration::minutes(10);
    join(&store, meeting_id, "ada", left - Duration::minutes(5), None).await;
    run_lifecycle_step(&core, left - Duration::minutes(5), 100)
        .await
        .expect("step");
    join(&store, meeting_id, "ada", left, Some(left)).await;
    run_lifecycle_step(&core, left, 100).await.expect("step");
    let back = left + grace - Duration::seconds(1);
    join(&store, meeting_id, "ada", back, None).await;
    run_lifecycle_step(&core, back, 100).await.expect("step");
    let report = run_lifecycle_step(&core, left + grace + Duration::seconds(5), 100)
        .await
        .expect("step");
    assert_eq!(report.closed, 0);
    assert!(
        store
            .meeting_by_id(meeting_id)
            .await
            .expect("q")
            .expect("m")
            .is_active
    );
}

async fn a_calendar_meeting_is_force_closed_after_its_overrun_even_with_people_in_it(
    store: Arc<dyn Store>,
) {
    let core = crate::common::test_core(store.clone());
    let overrun = core.settings.lifecycle.calendar_overrun;
    let (meeting_id, e) = started_meeting(&store, &core).await;
    let deadline = e.end_time + overrun;
    for at in [
        deadline - Duration::seconds(30),
        deadline - Duration::seconds(1),
    ] {
        join(&store, meeting_id, "ada", at, None).await;
        assert_eq!(
            run_lifecycle_step(&core, at, 100)
                .await
                .expect("step")
                .closed,
            0
        );
    }
    join(&store, meeting_id, "ada", deadline, None).await;
    assert_eq!(
        run_lifecycle_step(&core, deadline, 100)
            .await
            .expect("step")
            .closed,
        1
    );
    let meeting = store
        .meeting_by_id(meeting_id)
        .await
        .expect("q")
        .expect("m");
    assert_eq!(
        meeting.close_reason.map(ClosedBecause::as_str),
        Some("calendar_overrun")
    );
}

/// A platform that fails for one room and works for the others.
struct FlakyPlatform {
    /// Rooms (by name prefix) whose calls cannot be created.
    failing_prefix: &'static str,
}

#[async_trait::async_trait]
impl roomcal::platform::VideoPlatform for FlakyPlatform {
    fn name(&self) -> &'static str {
        "flaky"
    }
    async fn create_call(
        &self,
        request: &roomcal::platform::CallRequest,
    ) -> Result<roomcal::platform::CallRoom, roomcal::platform::PlatformError> {
        if request.room_name.starts_with(self.failing_prefix) {
            return Err(roomcal::platform::PlatformError(
                "the platform is down (503)".into(),
            ));
        }
        Ok(roomcal::platform::CallRoom {
            participant_url: format!("https://call.example/{}", request.room_name),
            host_url: None,
            platform_meeting_id: None,
        })
    }
}

#[tokio::test]
async fn a_platform_error_is_shown_to_the_owner_retried_next_tick_and_blocks_no_other_room() {
    let (store, _dir) = crate::common::sqlite_store().await;
    let mut core = crate::common::test_core(store.clone());
    let broken = room(&store).await;
    let healthy = room(&store).await;
    let broken_name = store
        .room_by_id(broken)
        .await
        .expect("q")
        .expect("room")
        .name;
    // Leak a prefix that matches only the broken room's unique name.
    let prefix: &'static str = Box::leak(String::from(broken_name).into_boxed_str());
    core.platform = Arc::new(FlakyPlatform {
        failing_prefix: prefix,
    });
    store
        .insert_calendar_event(&event(broken, "a", t0(), 30))
        .await
        .expect("a");
    store
        .insert_calendar_event(&event(healthy, "b", t0(), 30))
        .await
        .expect("b");

    let report = run_lifecycle_step(&core, t0(), 100).await.expect("step");
    assert_eq!((report.created, report.platform_errors), (1, 1));
    assert_eq!(
        meetings_of(&core, healthy).await.len(),
        1,
        "the healthy room is not blocked"
    );
    let errors = store.meeting_errors(broken, t0()).await.expect("errors");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].2.contains("503"));

    // The platform recovers: the next tick creates the meeting and clears the error.
    core.platform = Arc::new(FlakyPlatform {
        failing_prefix: "no-room-has-this-prefix",
    });
    let report = run_lifecycle_step(&core, t0() + Duration::seconds(5), 100)
        .await
        .expect("step");
    assert_eq!(report.created, 1);
    assert!(store
        .meeting_errors(broken, t0())
        .await
        .expect("errors")
        .is_empty());
}

async fn rows_of_people_who_left_or_went_stale_are_pruned_and_the_meeting_still_closes_on_time(
    store: Arc<dyn Store>,
) {
    let core = crate::common::test_core(store.clone());
    let settings = core.settings.lifecycle;
    let (meeting_id, _) = started_meeting(&store, &core).await;
    let joined = t0() + Duration::minutes(1);
    // 300 made-up ids that announced themselves once, and Ada who stays and leaves later.
    for i in 0..300 {
        join(&store, meeting_id, &format!("fake-{i:04}"), joined, None).await;
    }
    join(&store, meeting_id, "ada", joined, None).await;
    run_lifecycle_step(&core, joined, 100).await.expect("step");
    let left = joined + Duration::minutes(5);
    join(&store, meeting_id, "ada", left, Some(left)).await;
    let rows = |store: Arc<dyn Store>| async move {
        store
            .presence_of_meeting(meeting_id)
            .await
            .expect("rows")
            .len()
    };
    run_lifecycle_step(&core, left, 100).await.expect("step");
    assert_eq!(
        rows(store.clone()).await,
        1,
        "the stale ids are gone, Ada's leave is kept"
    );
    let later = left + settings.presence_timeout + Duration::minutes(3);
    run_lifecycle_step(&core, later, 100).await.expect("step");
    assert_eq!(
        rows(store.clone()).await,
        0,
        "Ada's row went once the tick had counted it"
    );
    let report = run_lifecycle_step(&core, left + settings.grace_period, 100)
        .await
        .expect("step");
    assert_eq!(
        report.closed, 1,
        "closed a grace period after Ada left, as before"
    );
}
