//! The lifecycle step: one tick of pre-creation, calendar-change propagation, presence
//! bookkeeping and closing, for all rooms, with bounded work. The rules themselves are the
//! pure functions of [`crate::lifecycle`]; this module loads their inputs, runs them at
//! `now`, and carries out the actions. The server's loop calls it every tick; tests call it
//! with a fixed clock.

use crate::domain::{CalendarEvent, Meeting, PresenceRecord};
use crate::error::CoreError;
use crate::lifecycle::{
    self, calendar_metadata, presence_update, CalendarDetails, LifecycleAction, MeetingState,
    Occurrence, ParticipantId, PresenceSignal, PrivacyClass, RecurrenceInfo, SignalKind,
};
use crate::platform::{CallRequest, CallRoom};
use crate::store::StoreError;
use crate::Core;
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
    let report = run_lifecycle_work(core, now, max_actions).await?;
    // Pages gone for a while were counted as gone by earlier ticks (the meeting keeps when
    // its last participant left), so their rows only cost space: made-up ids and closed
    // meetings must not pile up.
    let stale = now - core.settings.lifecycle.presence_timeout - Duration::minutes(2);
    let pruned = core.store.prune_presence(stale).await?;
    if pruned > 0 {
        tracing::debug!(pruned, "presence rows pruned");
    }
    Ok(report)
}

/// The work of one tick, without the lease. Safe when several instances run it at once
/// (a lease that expired under a slow tick): the unique index on
/// `meetings.calendar_event_id` lets one meeting per occurrence in, and an instance that
/// loses the race ends the call it created.
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
    let mut signals: HashMap<Uuid, Vec<PresenceSignal>> = HashMap::new();
    for record in &presence {
        signals
            .entry(record.meeting_id)
            .or_default()
            .extend(presence_signals(record));
    }
    for meeting in meetings.iter_mut().filter(|m| m.is_active) {
        let mut changed = false;
        let update = presence_update(
            &meeting_state(meeting),
            signals.get(&meeting.id).map(Vec::as_slice).unwrap_or(&[]),
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
            let metadata = sqlx::types::Json(metadata_of(event));
            if meeting.calendar_metadata.as_ref() != Some(&metadata) {
                meeting.calendar_metadata = Some(metadata);
                changed = true;
            }
        }
        if changed {
            core.store.save_meeting_state(meeting).await?;
        }
    }

    let occurrences: Vec<Occurrence> = events.iter().map(occurrence_of).collect();
    let states: Vec<MeetingState> = meetings.iter().map(meeting_state).collect();
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
                    core.store.save_meeting_state(meeting).await?;
                    report.updated += 1;
                }
            }
            LifecycleAction::Deactivate { meeting_id, reason } => {
                let reason = format!("calendar_{}", snake_case(&format!("{reason:?}")));
                if close(core, meetings_by_id.get(&meeting_id), now, &reason).await? {
                    report.closed += 1;
                }
            }
            LifecycleAction::Close { meeting_id, reason } => {
                let reason = snake_case(&format!("{reason:?}"));
                if close(core, meetings_by_id.get(&meeting_id), now, &reason).await? {
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
    let room_name = core
        .store
        .room_by_id(event.room_id)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    let request = CallRequest {
        room_name,
        start,
        end: end + core.settings.lifecycle.calendar_overrun,
    };
    let call = match core.platform.create_call(&request).await {
        Ok(call) => call,
        Err(err) => {
            tracing::warn!(event = %event.id, error = %err, "video platform failed; retrying next tick");
            core.store
                .set_meeting_error(event.id, Some(&err.to_string()))
                .await?;
            return Ok(false);
        }
    };
    let meeting = Meeting {
        calendar_metadata: Some(sqlx::types::Json(metadata_of(event))),
        ..Meeting::open(
            event.room_id,
            Some(event.id),
            (start, end),
            core.platform.name(),
            call.clone(),
            now,
        )
    };
    match core.store.insert_meeting(&meeting).await {
        Ok(()) => {
            // Clear an error a failed earlier attempt left for the owner.
            core.store.set_meeting_error(event.id, None).await?;
            Ok(true)
        }
        Err(StoreError::Conflict(_)) => {
            // Another instance won the race: give back the call room we made.
            let _ = core.platform.end_call(&call).await;
            Ok(true)
        }
        Err(e) => Err(e.into()),
    }
}

/// Closes a meeting once (the store decides who wins) and ends its call.
async fn close(
    core: &Core,
    meeting: Option<&Meeting>,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<bool, CoreError> {
    let Some(meeting) = meeting else {
        return Ok(false);
    };
    if !core.store.close_meeting(meeting.id, now, reason).await? {
        return Ok(false);
    }
    tracing::info!(meeting = %meeting.id, reason, "meeting closed");
    let call = CallRoom {
        participant_url: meeting.participant_url.clone(),
        host_url: meeting.host_url.clone(),
        platform_meeting_id: meeting.platform_meeting_id.clone(),
    };
    if let Err(err) = core.platform.end_call(&call).await {
        tracing::warn!(meeting = %meeting.id, error = %err, "could not end the call on the platform");
    }
    Ok(true)
}

/// `GracePeriodOver` → `grace_period_over`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The first RRULE value of a stored VEVENT text (the series' rule, for an occurrence
/// expanded from it; overrides carry none). Folded lines are unfolded first.
fn rrule_of(raw: &str) -> Option<String> {
    let unfolded = raw
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "");
    unfolded
        .lines()
        .map(str::trim_end)
        .find(|line| {
            let upper = line.get(..6).map(str::to_ascii_uppercase);
            matches!(upper.as_deref(), Some("RRULE:") | Some("RRULE;"))
        })
        .and_then(|line| line.split_once(':'))
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

/// A presence row as signals: its last heartbeat, then its leave if it left since.
pub(crate) fn presence_signals(record: &PresenceRecord) -> Vec<PresenceSignal> {
    let participant = ParticipantId(record.participant_id.clone());
    let mut signals = vec![PresenceSignal {
        participant: participant.clone(),
        at: record.last_seen_at,
        kind: SignalKind::Heartbeat,
    }];
    if let Some(left) = record.left_at {
        signals.push(PresenceSignal {
            participant,
            at: left,
            kind: SignalKind::Left,
        });
    }
    signals
}

/// The lifecycle's view of a stored occurrence.
pub fn occurrence_of(event: &CalendarEvent) -> Occurrence {
    Occurrence {
        event_id: event.id,
        room_id: event.room_id,
        uid: event.ics_uid.clone(),
        recurrence_id: event.recurrence_id,
        title: event.title.clone(),
        start: event.start_time,
        end: event.end_time,
        all_day: event.all_day,
        cancelled: event.is_cancelled(),
        deleted: event.is_deleted,
    }
}

/// The lifecycle's view of a stored meeting.
pub fn meeting_state(m: &Meeting) -> MeetingState {
    MeetingState {
        id: m.id,
        room_id: m.room_id,
        calendar_event_id: m.calendar_event_id,
        start: m.start_time,
        end: m.end_time,
        is_active: m.is_active,
        created_at: m.created_at,
        ever_had_participants: m.ever_had_participants,
        participants_now: u32::try_from(m.participants_now).unwrap_or(0),
        last_participant_left_at: m.last_participant_left_at,
    }
}

/// The `calendar_metadata` of a meeting made from `event`.
pub fn metadata_of(event: &CalendarEvent) -> serde_json::Value {
    let conference_links = event
        .conference_links
        .0
        .as_array()
        .map(|links| {
            links
                .iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    calendar_metadata(&CalendarDetails {
        title: event.title.clone(),
        description: event.description.clone(),
        attendees: event.attendees.0.clone(),
        organizer: event.organizer.as_ref().map(|o| o.0.clone()),
        location: event.location.clone(),
        conference_links,
        recurrence: event.recurrence_id.map(|rid| RecurrenceInfo {
            rrule: rrule_of(&event.ics_raw_data),
            recurrence_id: Some(rid),
        }),
        privacy_class: PrivacyClass::parse(event.privacy_class.as_deref()),
    })
}

#[cfg(test)]
mod tests {
    use super::rrule_of;

    #[test]
    fn the_series_rule_is_read_from_the_stored_event_text_even_when_folded() {
        let master = "BEGIN:VEVENT\r\nUID:standup\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,\r\n TU;COUNT=10\r\nDTSTART:20260302T090000Z\r\nEND:VEVENT";
        assert_eq!(
            rrule_of(master).as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO,TU;COUNT=10")
        );
        let with_param = "BEGIN:VEVENT\nrrule;X-FOO=1:FREQ=DAILY\nEND:VEVENT";
        assert_eq!(rrule_of(with_param).as_deref(), Some("FREQ=DAILY"));
        let override_instance =
            "BEGIN:VEVENT\r\nUID:standup\r\nRECURRENCE-ID:20260309T090000Z\r\nEND:VEVENT";
        assert_eq!(rrule_of(override_instance), None);
        assert_eq!(
            rrule_of("BEGIN:VEVENT\r\nEXRULE:FREQ=DAILY\r\nEND:VEVENT"),
            None
        );
    }
}
