//! What one successful fetch changes in a room's stored occurrences — a pure function of
//! what is stored, what the feed says now, and `now`.

use crate::calendar::{Occurrence, Person};
use crate::domain::CalendarEvent;
use crate::lifecycle::PrivacyClass;
use crate::store::SyncPlan;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Identity of an occurrence: (UID, recurrence id).
type Key = (String, Option<DateTime<Utc>>);

/// Plans the writes for `room_id`.
///
/// - `incoming`: the room's occurrences in the sync window (cancelled ones included).
/// - `stored`: the room's stored rows that may overlap the window.
/// - Future stored occurrences inside the window that are no longer in the feed (or became
///   cancelled) are soft-deleted; occurrences that already started are never touched, and
///   rows beyond the window's end are left alone (absent there only because of the window).
pub fn plan_sync(
    room_id: Uuid,
    stored: &[CalendarEvent],
    incoming: &[Occurrence],
    now: DateTime<Utc>,
    window_end: DateTime<Utc>,
) -> SyncPlan {
    let by_key: HashMap<Key, &CalendarEvent> = stored
        .iter()
        .map(|row| ((row.ics_uid.clone(), row.recurrence_id), row))
        .collect();
    let mut plan = SyncPlan::default();
    let mut seen: HashMap<Key, ()> = HashMap::new();
    for occ in incoming {
        let key = (occ.uid.clone(), occ.recurrence_id);
        if is_cancelled(occ) || seen.insert(key.clone(), ()).is_some() {
            continue;
        }
        let fresh = to_row(room_id, occ, now);
        match by_key.get(&key) {
            None => plan.inserts.push(CalendarEvent {
                id: Uuid::new_v4(),
                ..fresh
            }),
            Some(row) if row.start_time <= now && !row.is_deleted => {
                // Started already: history is not rewritten.
            }
            Some(row) if row.is_deleted => {
                plan.restored += 1;
                plan.updates.push(CalendarEvent {
                    id: row.id,
                    ..fresh
                });
            }
            Some(row) if !same_content(row, &fresh) => {
                plan.updates.push(CalendarEvent {
                    id: row.id,
                    ..fresh
                });
            }
            Some(_) => {}
        }
    }
    for row in stored {
        let key = (row.ics_uid.clone(), row.recurrence_id);
        let still_there = seen.contains_key(&key);
        if !still_there && !row.is_deleted && row.start_time > now && row.start_time < window_end {
            plan.soft_deletes.push(row.id);
        }
    }
    plan
}

fn is_cancelled(occ: &Occurrence) -> bool {
    occ.status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
}

fn person_json(p: &Person) -> serde_json::Value {
    serde_json::json!({
        "email": p.email,
        "name": p.name,
        "partstat": p.partstat,
        "role": p.role,
    })
}

/// The row an occurrence becomes (id to be filled in by the caller).
pub fn to_row(room_id: Uuid, occ: &Occurrence, now: DateTime<Utc>) -> CalendarEvent {
    CalendarEvent {
        id: Uuid::nil(),
        room_id,
        ics_uid: occ.uid.clone(),
        recurrence_id: occ.recurrence_id,
        title: occ.summary.clone(),
        description: occ.description.clone(),
        start_time: occ.start,
        end_time: occ.end,
        all_day: occ.all_day,
        attendees: sqlx::types::Json(serde_json::Value::Array(
            occ.attendees.iter().map(person_json).collect(),
        )),
        organizer: occ
            .organizer
            .as_ref()
            .map(|p| sqlx::types::Json(person_json(p))),
        location: occ.location.clone(),
        status: occ.status.clone(),
        sequence: occ.sequence,
        last_modified: occ.last_modified,
        privacy_class: occ
            .class
            .as_deref()
            .map(|class| PrivacyClass::parse(Some(class))),
        last_synced: now,
        is_deleted: false,
        ics_raw_data: occ.raw.clone(),
        conference_links: sqlx::types::Json(serde_json::json!(occ.conference_links)),
    }
}

/// Whether two rows say the same thing (ids and sync times aside).
fn same_content(a: &CalendarEvent, b: &CalendarEvent) -> bool {
    a.title == b.title
        && a.description == b.description
        && a.start_time == b.start_time
        && a.end_time == b.end_time
        && a.all_day == b.all_day
        && a.attendees == b.attendees
        && a.organizer == b.organizer
        && a.location == b.location
        && a.status == b.status
        && a.sequence == b.sequence
        && a.last_modified == b.last_modified
        && a.privacy_class == b.privacy_class
        && a.ics_raw_data == b.ics_raw_data
        && a.conference_links == b.conference_links
}

#[cfg(test)]
mod tests;
