//! The queries of both stores, written once with `$N` placeholders (sqlx's SQLite driver
//! reads them too) and compiled twice: `sqlite.rs` and `postgres.rs` each include this
//! module with their own `Db` (the sqlx database) and `DbStore` (the store type), and
//! write only what truly differs: opening the database and the `CLAIM_DUE_ROOMS` statement.

use super::{Db, DbStore, CLAIM_DUE_ROOMS};
use crate::domain::{
    CalendarEvent, ClosedBecause, Meeting, PresenceRecord, Room, RoomCalendar, User,
    UserCredentials,
};
use crate::store::{
    on_unique_violation, AccountStore, CalendarStore, MeetingStore, NewRoom, NewUser,
    PresenceStore, RoomStore, StoreError, SyncPlan,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

mod accounts;
mod calendar;
mod meetings;
mod presence;
mod rooms;

/// Columns of `rooms` that make a [`Room`].
const ROOM_COLUMNS: &str =
    "id, name, owner_id, created_at, ics_enabled, ics_fetch_interval_minutes, ics_last_sync";
/// Columns of `calendar_events` that make a [`CalendarEvent`].
const EVENT_COLUMNS: &str = "id, room_id, ics_uid, recurrence_id, title, description, \
    start_time, end_time, all_day, attendees, organizer, location, status, sequence, \
    last_modified, privacy_class, last_synced, is_deleted, ics_raw_data, conference_links";
/// Columns of `meetings` that make a [`Meeting`].
const MEETING_COLUMNS: &str = "id, room_id, calendar_event_id, calendar_metadata, start_time, \
    end_time, is_active, platform, participant_url, host_url, platform_meeting_id, \
    last_participant_left_at, created_at, ever_had_participants, participants_now, closed_at, \
    close_reason, started_by";

/// Columns of `rooms` that make a [`RoomCalendar`].
const CALENDAR_COLUMNS: &str = "id, ics_url, ics_enabled, ics_fetch_interval_minutes, \
    ics_last_sync, ics_last_attempt, ics_next_sync_at, ics_etag, ics_last_modified, \
    ics_content_hash, ics_last_outcome, ics_jitter_seconds";

/// Inserts a stored occurrence (binds in [`event_query`] order).
const INSERT_EVENT: &str = "INSERT INTO calendar_events (id, room_id, ics_uid, recurrence_id, \
    title, description, start_time, end_time, all_day, attendees, organizer, location, status, \
    sequence, last_modified, privacy_class, last_synced, is_deleted, ics_raw_data, \
    conference_links) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)";
/// Rewrites a stored occurrence by id (binds in [`event_query`] order).
const UPDATE_EVENT: &str = "UPDATE calendar_events SET room_id = $2, ics_uid = $3, \
    recurrence_id = $4, title = $5, description = $6, start_time = $7, end_time = $8, \
    all_day = $9, attendees = $10, organizer = $11, location = $12, status = $13, \
    sequence = $14, last_modified = $15, privacy_class = $16, last_synced = $17, \
    is_deleted = $18, ics_raw_data = $19, conference_links = $20 WHERE id = $1";

type Query<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>;

/// Binds every column of `e`, id first.
fn event_query<'q>(sql: &'q str, e: &'q CalendarEvent) -> Query<'q> {
    sqlx::query(sql)
        .bind(e.id)
        .bind(e.room_id)
        .bind(&e.ics_uid)
        .bind(e.recurrence_id)
        .bind(&e.title)
        .bind(&e.description)
        .bind(e.start_time)
        .bind(e.end_time)
        .bind(e.all_day)
        .bind(&e.attendees)
        .bind(&e.organizer)
        .bind(&e.location)
        .bind(&e.status)
        .bind(e.sequence)
        .bind(e.last_modified)
        .bind(e.privacy_class)
        .bind(e.last_synced)
        .bind(e.is_deleted)
        .bind(&e.ics_raw_data)
        .bind(&e.conference_links)
}

/// Writes all calendar columns of a room.
fn save_calendar_query(c: &RoomCalendar) -> Query<'_> {
    sqlx::query(
        "UPDATE rooms SET ics_url = $2, ics_enabled = $3, ics_fetch_interval_minutes = $4, \
         ics_last_sync = $5, ics_last_attempt = $6, ics_next_sync_at = $7, ics_etag = $8, \
         ics_last_modified = $9, ics_content_hash = $10, ics_last_outcome = $11, \
         ics_jitter_seconds = $12 WHERE id = $1",
    )
    .bind(c.id)
    .bind(&c.ics_url)
    .bind(c.ics_enabled)
    .bind(c.ics_fetch_interval_minutes)
    .bind(c.ics_last_sync)
    .bind(c.ics_last_attempt)
    .bind(c.ics_next_sync_at)
    .bind(&c.ics_etag)
    .bind(&c.ics_last_modified)
    .bind(&c.ics_content_hash)
    .bind(&c.ics_last_outcome)
    .bind(c.ics_jitter_seconds)
}
