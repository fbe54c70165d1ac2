//! The queries of both stores, written once with `$N` placeholders (sqlx's SQLite driver
//! reads them too), whole rows through `insert_row!` / `update_row!`, and compiled twice:
//! `sqlite.rs` and `postgres.rs` each include this module with their own `Db` (the sqlx
//! database) and `DbStore` (the store type), and write only what truly differs: opening
//! the database, the `CLAIM_DUE_ROOMS` statement and `lock_scope`.

use super::{lock_scope, Db, DbStore, CLAIM_DUE_ROOMS, CLAIM_WEBHOOK_DELIVERIES};
use crate::domain::{
    CalendarEvent, ClosedBecause, EmailDomains, Knock, KnockState, Meeting, PresenceRecord, Room,
    RoomAccess, RoomCalendar, User, UserCredentials,
};
use crate::store::{
    on_unique_violation, AccountStore, CalendarStore, CoOwnerRow, CoOwnerStore, KnockStore,
    MeetingStore, NewRoom, NewUser, PresenceStore, RoomStore, SessionRow, StoreError, SyncPlan,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Columns of `rooms` that make a [`Room`] (its co-owners come from [`ROOM_SELECT`]).
macro_rules! room_columns {
    () => {
        "id, name, owner_id, created_at, ics_enabled, ics_fetch_interval_minutes, \
         ics_last_sync, access, access_email_domains"
    };
}
/// Columns of `rooms` that make a [`Room`] without its co-owners.
const ROOM_COLUMNS: &str = room_columns!();
/// Rooms with their co-owners, one row per co-owner (or one with `co_owner` NULL): add a
/// `WHERE` on `rooms` and [`ROOM_ORDER`], and fold the rows with [`with_co_owners`].
const ROOM_SELECT: &str = concat!(
    "SELECT ",
    room_columns!(),
    ", room_co_owners.user_id AS co_owner FROM rooms \
     LEFT JOIN room_co_owners ON room_co_owners.room_id = rooms.id"
);
/// The order [`with_co_owners`] folds: by room name, each room's co-owners oldest first.
const ROOM_ORDER: &str = "ORDER BY name, room_co_owners.added_at";

/// A row of [`ROOM_SELECT`].
#[derive(sqlx::FromRow)]
struct RoomRow {
    #[sqlx(flatten)]
    room: Room,
    co_owner: Option<Uuid>,
}

/// The rooms of [`ROOM_SELECT`]'s rows (in [`ROOM_ORDER`]), each with its co-owners.
fn with_co_owners(rows: Vec<RoomRow>) -> Vec<Room> {
    let mut rooms: Vec<Room> = Vec::new();
    for row in rows {
        match rooms.last_mut() {
            Some(last) if last.id == row.room.id => last.co_owners.extend(row.co_owner),
            _ => {
                let mut room = row.room;
                room.co_owners.extend(row.co_owner);
                rooms.push(room);
            }
        }
    }
    rooms
}
/// Columns of `calendar_events` that make a [`CalendarEvent`].
const EVENT_COLUMNS: &str = "id, room_id, ics_uid, recurrence_id, title, description, \
    start_time, end_time, all_day, attendees, organizer, location, status, sequence, \
    last_modified, privacy_class, last_synced, is_deleted, ics_raw_data, conference_links";
/// Columns of `meetings` that make a [`Meeting`].
const MEETING_COLUMNS: &str = "id, room_id, calendar_event_id, calendar_metadata, start_time, \
    end_time, is_active, platform, participant_url, host_url, platform_meeting_id, \
    last_participant_left_at, created_at, ever_had_participants, participants_now, closed_at, \
    close_reason, started_by, extended_minutes";

/// Columns of `rooms` that make a [`RoomCalendar`].
const CALENDAR_COLUMNS: &str = "id, ics_url, ics_enabled, ics_fetch_interval_minutes, \
    ics_last_sync, ics_last_attempt, ics_next_sync_at, ics_etag, ics_last_modified, \
    ics_content_hash, ics_last_outcome, ics_jitter_seconds";

/// `INSERT INTO table (a, b, …) VALUES (row.a, row.b, …)`: each column named once, as the
/// field of `row` it binds (the records' fields are named as their columns), so no
/// placeholder is numbered by hand and a column cannot drift from its value.
macro_rules! insert_row {
    ($table:literal, $row:expr, [$($field:ident),+ $(,)?]) => {{
        let row = $row;
        let mut q = sqlx::QueryBuilder::<Db>::new(concat!("INSERT INTO ", $table, " ("));
        q.push([$(stringify!($field)),+].join(", "));
        q.push(") VALUES (");
        let mut values = q.separated(", ");
        $(values.push_bind(&row.$field);)+
        q.push(")");
        q
    }};
}

/// `UPDATE table SET a = row.a, b = row.b, … WHERE key = row.key`, named as
/// `insert_row!` names them.
macro_rules! update_row {
    ($table:literal, $row:expr, $key:ident, [$($field:ident),+ $(,)?]) => {{
        let row = $row;
        let mut q = sqlx::QueryBuilder::<Db>::new(concat!("UPDATE ", $table, " SET "));
        let mut set = q.separated(", ");
        $(
            set.push(concat!(stringify!($field), " = "));
            set.push_bind_unseparated(&row.$field);
        )+
        q.push(concat!(" WHERE ", stringify!($key), " = "));
        q.push_bind(&row.$key);
        q
    }};
}

// After the macros above: modules see only the macros defined before them.
mod accounts;
mod calendar;
mod co_owners;
mod knocks;
mod limits;
mod meetings;
mod presence;
mod rooms;
mod webhooks;

/// Inserts a stored occurrence.
fn insert_event(e: &CalendarEvent) -> sqlx::QueryBuilder<'_, Db> {
    insert_row!(
        "calendar_events",
        e,
        [
            id,
            room_id,
            ics_uid,
            recurrence_id,
            title,
            description,
            start_time,
            end_time,
            all_day,
            attendees,
            organizer,
            location,
            status,
            sequence,
            last_modified,
            privacy_class,
            last_synced,
            is_deleted,
            ics_raw_data,
            conference_links,
        ]
    )
}

/// Rewrites a stored occurrence by id.
fn update_event(e: &CalendarEvent) -> sqlx::QueryBuilder<'_, Db> {
    update_row!(
        "calendar_events",
        e,
        id,
        [
            room_id,
            ics_uid,
            recurrence_id,
            title,
            description,
            start_time,
            end_time,
            all_day,
            attendees,
            organizer,
            location,
            status,
            sequence,
            last_modified,
            privacy_class,
            last_synced,
            is_deleted,
            ics_raw_data,
            conference_links,
        ]
    )
}

/// Writes all calendar columns of a room.
fn save_calendar(c: &RoomCalendar) -> sqlx::QueryBuilder<'_, Db> {
    update_row!(
        "rooms",
        c,
        id,
        [
            ics_url,
            ics_enabled,
            ics_fetch_interval_minutes,
            ics_last_sync,
            ics_last_attempt,
            ics_next_sync_at,
            ics_etag,
            ics_last_modified,
            ics_content_hash,
            ics_last_outcome,
            ics_jitter_seconds,
        ]
    )
}
