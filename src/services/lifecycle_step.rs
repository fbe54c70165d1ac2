//! The lifecycle step: one tick of pre-creation, calendar-change propagation, presence
//! bookkeeping, closing and retention purges, for all rooms, with bounded work. The rules themselves are the
//! pure functions of [`crate::lifecycle`]; this module loads their inputs, runs them at
//! `now`, and carries out the actions. The server's loop calls it every tick; tests call it
//! with a fixed clock.

use crate::domain::CallRoom;
use crate::domain::{CalendarEvent, ClosedBecause, Meeting};
use crate::lifecycle::{
    self, pages_presence_update, LifecycleAction, MeetingState, Occurrence, PageState,
};
use crate::platform::CallRequest;
use crate::services::retention::{purge_expired, Purged, PURGE_BATCH};
use crate::services::{room_events, webhook_events};
use crate::store::StoreError;
use crate::webhooks::payload::MeetingExtras;
use crate::webhooks::{WebhookEvent, WebhookEventType};
use crate::Core;
use crate::CoreError;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Name of the lease that makes one instance at a time run the step.
const LEASE: &str = "lifecycle";

/// What one step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepReport {
    /// Another instance holds the lifecycle lease; nothing was done.
    pub skipped: bool,
    /// Meetings created for occurrences.
    pub created: usize,
    /// Meetings whose times or details followed their calendar.
    pub updated: usize,
    /// Meetings closed or deactivated.
    pub closed: usize,
    /// Pre-creations that failed on the platform (retried next tick).
    pub platform_errors: usize,
}

/// Gives up this instance's lifecycle lease (on shutdown), so another instance ticks at
/// once instead of after the lease runs out.
pub async fn release_lifecycle_lease(core: &Core) -> Result<(), CoreError> {
    core.store
        .release_worker_lease(LEASE, core.sync.instance())
        .await?;
    Ok(())
}

/// Runs one lifecycle tick at `now`, doing at most `max_actions` actions, if this
/// instance holds the lifecycle lease (else the report says `skipped`).
pub async fn run_lifecycle_step(
    core: &Core,
    now: DateTime<Utc>,
    max_actions: usize,
) -> Result<StepReport, CoreError> {
    // One instance at a time: the step is cheap, so sharing it buys nothing, and it keeps
    // instances from creating calls they would then have to end.
    let lease_until = now + Duration::seconds(30);
    if !core
        .store
        .claim_worker_lease(LEASE, core.sync.instance(), now, lease_until)
        .await?
    {
        return Ok(StepReport {
            skipped: true,
            ..StepReport::default()
        });
    }
    let started = std::time::Instant::now();
    let report = run_lifecycle_work(core, now, max_actions).await?;
    metrics::histogram!("roomcal_lifecycle_tick_seconds").record(started.elapsed().as_secs_f64());
    metrics::counter!("roomcal_meetings_created_total").increment(report.created as u64);
    // Pages gone for a while were counted as gone by earlier ticks (the meeting keeps when
    // its last participant left), so their rows only cost space: made-up ids and closed
    // meetings must not pile up.
    let stale = now - core.settings.lifecycle.presence_timeout - Duration::minutes(2);
    let pruned = core.store.prune_presence(stale).await?;
    if pruned > 0 {
        tracing::debug!(pruned, "presence rows pruned");
    }
    let purged = purge_expired(core, now, PURGE_BATCH).await?;
    if purged != Purged::default() {
        tracing::debug!(?purged, "rows past their retention deleted");
    }
    Ok(report)
}

/// The work of one tick, without the lease. Safe when several instances run it at once
/// (a lease that expired under a slow tick): the unique index on the active meetings of
/// an occurrence (`meetings_calendar_event_active`) lets one in, and an instance that
/// loses the race ends the call it created. Closed meetings block a second one through
/// the rule instead ([`lifecycle::occurrences_to_precreate`] skips any occurrence a
/// meeting names, and [`crate::store::MeetingStore::lifecycle_meetings`] loads closed
/// ones too): only a person reopening makes another.
pub async fn run_lifecycle_work(
    core: &Core,
    now: DateTime<Utc>,
    max_actions: usize,
) -> Result<StepReport, CoreError> {
    let settings = &core.settings.lifecycle;
    let horizon = now + settings.precreate_lead;
    let events = core.store.lifecycle_events(horizon, now, 10_000).await?;
    let mut meetings = core.store.lifecycle_meetings(horizon, now).await?;
    let presence = core.store.presence_of_active_meetings(None).await?;
    let events_by_id: HashMap<Uuid, &CalendarEvent> = events.iter().map(|e| (e.id, e)).collect();

    let mut report = StepReport::default();
    // Presence and metadata first: the close rules read the fresh presence summary.
    let mut pages: HashMap<Uuid, Vec<PageState<'_>>> = HashMap::new();
    for record in &presence {
        pages
            .entry(record.meeting_id)
            .or_default()
            .push(PageState::from(record));
    }
    for meeting in meetings.iter_mut().filter(|m| m.is_active) {
        let mut changed = false;
        let had_started = meeting.ever_had_participants;
        let update = pages_presence_update(
            &MeetingState::from(&*meeting),
            pages.get(&meeting.id).map(Vec::as_slice).unwrap_or(&[]),
            settings,
            now,
        );
        let participants_now = i32::try_from(update.participants_now).unwrap_or(i32::MAX);
        if participants_now != meeting.participants_now
            || update.ever_had_participants != meeting.ever_had_participants
            || update.last_participant_left_at != meeting.last_participant_left_at
        {
            meeting.participants_now = participants_now;
            meeting.ever_had_participants = update.ever_had_participants;
            meeting.last_participant_left_at = update.last_participant_left_at;
            changed = true;
        }
        if let Some(event) = meeting
            .calendar_event_id
            .and_then(|id| events_by_id.get(&id))
        {
            // Details follow the calendar even after people joined.
            let metadata = sqlx::types::Json(event.metadata());
            if meeting.calendar_metadata.as_ref() != Some(&metadata) {
                meeting.calendar_metadata = Some(metadata);
                changed = true;
            }
        }
        if changed {
            // The first person in: `meeting.started`, written with the state that says so.
            let outbox = match (had_started, meeting.ever_had_participants) {
                (false, true) => started_event(core, meeting, now).await?,
                _ => Vec::new(),
            };
            core.store.save_meeting_state(meeting, &outbox).await?;
            if !outbox.is_empty() {
                webhook_events::written(core);
            }
            room_events::participants(core, meeting, participants_now).await;
        }
    }

    let active = meetings.iter().filter(|m| m.is_active);
    metrics::gauge!("roomcal_active_meetings").set(active.clone().count() as f64);
    metrics::gauge!("roomcal_people_present").set(
        active
            .map(|m| f64::from(m.participants_now.max(0)))
            .sum::<f64>(),
    );

    let occurrences: Vec<Occurrence> = events.iter().map(Occurrence::from).collect();
    let states: Vec<MeetingState> = meetings.iter().map(MeetingState::from).collect();
    let actions = lifecycle::plan_tick(&occurrences, &states, settings, now, max_actions);
    let mut meetings_by_id: HashMap<Uuid, Meeting> =
        meetings.into_iter().map(|m| (m.id, m)).collect();
    for due in actions {
        match due.action {
            LifecycleAction::Precreate(plan) => {
                let Some(event) = events_by_id.get(&plan.event_id) else {
                    continue;
                };
                match precreate(core, event, plan.start, plan.end, now).await? {
                    true => report.created += 1,
                    false => report.platform_errors += 1,
                }
            }
            LifecycleAction::Update {
                meeting_id,
                start,
                end,
            } => {
                if let Some(meeting) = meetings_by_id.get_mut(&meeting_id) {
                    meeting.start_time = start;
                    meeting.end_time = end;
                    core.store.save_meeting_state(meeting, &[]).await?;
                    room_events::meeting_changed(core, meeting).await;
                    report.updated += 1;
                }
            }
            LifecycleAction::Deactivate { meeting_id, reason } => {
                let reason = ClosedBecause::Calendar(reason);
                if close(core, meetings_by_id.get(&meeting_id), now, reason).await? {
                    report.closed += 1;
                }
            }
            LifecycleAction::Close { meeting_id, reason } => {
                let reason = ClosedBecause::Rule(reason);
                if close(core, meetings_by_id.get(&meeting_id), now, reason).await? {
                    report.closed += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Creates the meeting of one occurrence. `Ok(false)`: the platform failed (recorded on
/// the occurrence for the owner, retried next tick).
async fn precreate(
    core: &Core,
    event: &CalendarEvent,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, CoreError> {
    match open_event_meeting(core, event, (start, end), now).await? {
        Opened::Created(meeting) => {
            // Clear an error a failed earlier attempt left for the owner.
            core.store.set_meeting_error(event.id, None).await?;
            room_events::meeting_created(core, &meeting).await;
            Ok(true)
        }
        Opened::Lost => Ok(true),
        Opened::RoomGone => Ok(false),
        Opened::PlatformFailed(err) => {
            tracing::warn!(event = %event.id, error = %err, "video platform failed; retrying next tick");
            core.store.set_meeting_error(event.id, Some(&err)).await?;
            Ok(false)
        }
    }
}

/// What [`open_event_meeting`] did.
#[derive(Debug)]
pub(crate) enum Opened {
    /// The meeting, stored, with its new call.
    Created(Box<Meeting>),
    /// Another instance (or person) opened one for the occurrence first; the call made
    /// here was given back.
    Lost,
    /// The video platform failed: what it said.
    PlatformFailed(String),
    /// The event's room was removed meanwhile: nothing was made.
    RoomGone,
}

/// Makes a meeting for `event` from `start` to `end` with a new call on the platform —
/// the lifecycle's pre-creation and a participant's reopening both come here. One active
/// meeting per occurrence (the unique index): a loser of the race ends its call again.
pub(crate) async fn open_event_meeting(
    core: &Core,
    event: &CalendarEvent,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Result<Opened, CoreError> {
    let Some(room) = core.store.room_by_id(event.room_id).await? else {
        return Ok(Opened::RoomGone);
    };
    let request = CallRequest {
        room_name: room.name.to_string(),
        start,
        end: end + core.settings.lifecycle.calendar_overrun,
    };
    let call = match core.platform.create_call(&request).await {
        Ok(call) => call,
        Err(err) => return Ok(Opened::PlatformFailed(err.to_string())),
    };
    let meeting = Meeting {
        calendar_metadata: Some(sqlx::types::Json(event.metadata())),
        ..Meeting::open(
            event.room_id,
            Some(event.id),
            (start, end),
            core.platform.name(),
            call.clone(),
            now,
        )
    };
    let created = webhook_events::meeting_event(
        core,
        &room,
        &meeting,
        WebhookEventType::MeetingCreated,
        now,
        &MeetingExtras::default(),
    );
    match core.store.insert_meeting(&meeting, &[created]).await {
        Ok(()) => {
            webhook_events::written(core);
            core.sync.feed_memo().forget_room(meeting.room_id);
            Ok(Opened::Created(Box::new(meeting)))
        }
        Err(StoreError::Conflict(_)) => {
            // Another instance won the race: give back the call room we made.
            let _ = core.platform.end_call(&call).await;
            Ok(Opened::Lost)
        }
        Err(e) => Err(e.into()),
    }
}

/// The `meeting.started` event of `meeting` (none when its room is gone).
async fn started_event(
    core: &Core,
    meeting: &Meeting,
    now: DateTime<Utc>,
) -> Result<Vec<WebhookEvent>, CoreError> {
    let Some(room) = core.store.room_by_id(meeting.room_id).await? else {
        return Ok(Vec::new());
    };
    let extras = MeetingExtras {
        participants: u32::try_from(meeting.participants_now).ok(),
        ..MeetingExtras::default()
    };
    Ok(vec![webhook_events::meeting_event(
        core,
        &room,
        meeting,
        WebhookEventType::MeetingStarted,
        now,
        &extras,
    )])
}

/// Closes a meeting once (the store decides who wins; `meeting.ended` is written with
/// the close), tells its pages ("ended") and ends its call on the platform: the
/// lifecycle's close rules and a host's "End meeting now" both come here. `false`: it
/// was closed already.
pub(crate) async fn close(
    core: &Core,
    meeting: Option<&Meeting>,
    now: DateTime<Utc>,
    reason: ClosedBecause,
) -> Result<bool, CoreError> {
    let Some(meeting) = meeting else {
        return Ok(false);
    };
    let outbox: Vec<WebhookEvent> = core
        .store
        .room_by_id(meeting.room_id)
        .await?
        .map(|room| webhook_events::meeting_ended(core, &room, meeting, now, reason))
        .into_iter()
        .collect();
    if !core
        .store
        .close_meeting(meeting.id, now, reason, &outbox)
        .await?
    {
        return Ok(false);
    }
    webhook_events::written(core);
    core.sync.feed_memo().forget_room(meeting.room_id);
    room_events::meeting_ended(core, meeting).await;
    tracing::info!(meeting = %meeting.id, reason = reason.as_str(), "meeting closed");
    metrics::counter!("roomcal_meetings_closed_total", "reason" => reason.as_str()).increment(1);
    if let Err(err) = core.platform.end_call(&CallRoom::from(meeting)).await {
        tracing::warn!(meeting = %meeting.id, error = %err, "could not end the call on the platform");
    }
    Ok(true)
}
