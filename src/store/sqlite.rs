//! SQLite implementation of [`Store`]: the single-machine default (WAL mode).

use super::{on_unique_violation, NewRoom, NewUser, Store, StoreError};
use crate::domain::{
    CalendarEvent, Meeting, PresenceRecord, Room, RoomCalendar, User, UserCredentials,
};
use crate::sync::SyncPlan;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

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
    close_reason";

/// Columns of `rooms` that make a [`RoomCalendar`].
const CALENDAR_COLUMNS: &str = "id, ics_url, ics_enabled, ics_fetch_interval_minutes, \
    ics_last_sync, ics_last_attempt, ics_next_sync_at, ics_etag, ics_last_modified, \
    ics_content_hash, ics_last_outcome, ics_jitter_seconds";

/// Inserts a stored occurrence (binds in [`event_query`] order).
const INSERT_EVENT: &str = "INSERT INTO calendar_events (id, room_id, ics_uid, recurrence_id, \
    title, description, start_time, end_time, all_day, attendees, organizer, location, status, \
    sequence, last_modified, privacy_class, last_synced, is_deleted, ics_raw_data, \
    conference_links) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/// Rewrites a stored occurrence by id (binds in [`event_query`] order).
const UPDATE_EVENT: &str = "UPDATE calendar_events SET room_id = ?2, ics_uid = ?3, \
    recurrence_id = ?4, title = ?5, description = ?6, start_time = ?7, end_time = ?8, \
    all_day = ?9, attendees = ?10, organizer = ?11, location = ?12, status = ?13, \
    sequence = ?14, last_modified = ?15, privacy_class = ?16, last_synced = ?17, \
    is_deleted = ?18, ics_raw_data = ?19, conference_links = ?20 WHERE id = ?1";

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

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
        .bind(&e.privacy_class)
        .bind(e.last_synced)
        .bind(e.is_deleted)
        .bind(&e.ics_raw_data)
        .bind(&e.conference_links)
}

/// Writes all calendar columns of a room.
fn save_calendar_query(c: &RoomCalendar) -> Query<'_> {
    sqlx::query(
        "UPDATE rooms SET ics_url = ?2, ics_enabled = ?3, ics_fetch_interval_minutes = ?4, \
         ics_last_sync = ?5, ics_last_attempt = ?6, ics_next_sync_at = ?7, ics_etag = ?8, \
         ics_last_modified = ?9, ics_content_hash = ?10, ics_last_outcome = ?11, \
         ics_jitter_seconds = ?12 WHERE id = ?1",
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

/// A pool of SQLite connections.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// The connection pool; cloning shares it.
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (and creates when missing) the database file in WAL mode with foreign keys on.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            // Writers wait for each other instead of failing with SQLITE_BUSY.
            .busy_timeout(Duration::from_secs(10))
            // In WAL mode NORMAL is durable against corruption and skips an fsync per commit.
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// The underlying pool (for tests and the sync engine's transactions).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    async fn insert_user(&self, user: &NewUser) -> Result<User, StoreError> {
        sqlx::query_as::<_, User>(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) \
             VALUES (?, ?, ?, ?, ?) RETURNING id, email, display_name, created_at",
        )
        .bind(user.id)
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(user.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| on_unique_violation(e, "email"))
    }

    async fn user_credentials_by_email(
        &self,
        email: &str,
    ) -> Result<Option<UserCredentials>, StoreError> {
        Ok(sqlx::query_as::<_, UserCredentials>(
            "SELECT id, password_hash FROM users WHERE lower(email) = lower(?)",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT id, email, display_name, created_at FROM users WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(created_at)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn user_by_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT u.id, u.email, u.display_name, u.created_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn insert_room(&self, room: &NewRoom) -> Result<Room, StoreError> {
        sqlx::query_as::<_, Room>(&format!(
            "INSERT INTO rooms (id, name, owner_id, created_at) VALUES (?, ?, ?, ?) \
             RETURNING {ROOM_COLUMNS}"
        ))
        .bind(room.id)
        .bind(&room.name)
        .bind(room.owner_id)
        .bind(room.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| on_unique_violation(e, "room name"))
    }

    async fn room_by_name(&self, name: &str) -> Result<Option<Room>, StoreError> {
        Ok(
            sqlx::query_as::<_, Room>(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE name = ?"))
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn room_by_id(&self, id: Uuid) -> Result<Option<Room>, StoreError> {
        Ok(
            sqlx::query_as::<_, Room>(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn rooms_owned_by(&self, owner_id: Uuid) -> Result<Vec<Room>, StoreError> {
        Ok(sqlx::query_as::<_, Room>(&format!(
            "SELECT {ROOM_COLUMNS} FROM rooms WHERE owner_id = ? ORDER BY name"
        ))
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn insert_meeting(&self, m: &Meeting) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO meetings ({MEETING_COLUMNS}) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(m.id)
        .bind(m.room_id)
        .bind(m.calendar_event_id)
        .bind(&m.calendar_metadata)
        .bind(m.start_time)
        .bind(m.end_time)
        .bind(m.is_active)
        .bind(&m.platform)
        .bind(&m.participant_url)
        .bind(&m.host_url)
        .bind(&m.platform_meeting_id)
        .bind(m.last_participant_left_at)
        .bind(m.created_at)
        .bind(m.ever_had_participants)
        .bind(m.participants_now)
        .bind(m.closed_at)
        .bind(&m.close_reason)
        .execute(&self.pool)
        .await
        .map_err(|e| on_unique_violation(e, "meeting for this occurrence"))?;
        Ok(())
    }

    async fn meeting_by_id(&self, id: Uuid) -> Result<Option<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn active_meetings_in_room(&self, room_id: Uuid) -> Result<Vec<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE room_id = ? AND is_active \
             ORDER BY start_time, created_at"
        ))
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn insert_calendar_event(&self, e: &CalendarEvent) -> Result<(), StoreError> {
        event_query(INSERT_EVENT, e)
            .execute(&self.pool)
            .await
            .map_err(|err| on_unique_violation(err, "calendar occurrence"))?;
        Ok(())
    }

    async fn calendar_event_by_id(&self, id: Uuid) -> Result<Option<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn room_calendar(&self, room_id: Uuid) -> Result<Option<RoomCalendar>, StoreError> {
        Ok(sqlx::query_as::<_, RoomCalendar>(&format!(
            "SELECT {CALENDAR_COLUMNS} FROM rooms WHERE id = ?"
        ))
        .bind(room_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn save_room_calendar(&self, c: &RoomCalendar) -> Result<(), StoreError> {
        save_calendar_query(c).execute(&self.pool).await?;
        Ok(())
    }

    async fn calendar_events_ending_after(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events WHERE room_id = ? AND end_time >= ?"
        ))
        .bind(room_id)
        .bind(from)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn upcoming_calendar_events(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events \
             WHERE room_id = ? AND end_time > ? AND NOT is_deleted \
             ORDER BY start_time, ics_uid LIMIT ?"
        ))
        .bind(room_id)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn apply_sync(
        &self,
        plan: &SyncPlan,
        calendar: &RoomCalendar,
        started_at: DateTime<Utc>,
        outcome: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for e in &plan.inserts {
            event_query(INSERT_EVENT, e).execute(&mut *tx).await?;
        }
        for e in &plan.updates {
            event_query(UPDATE_EVENT, e).execute(&mut *tx).await?;
        }
        for id in &plan.soft_deletes {
            sqlx::query(
                "UPDATE calendar_events SET is_deleted = TRUE, last_synced = ? WHERE id = ?",
            )
            .bind(started_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        // Only the sync state: settings the owner changed meanwhile must not be overwritten.
        sqlx::query(
            "UPDATE rooms SET ics_last_sync = ?, ics_last_attempt = ?, ics_next_sync_at = ?, \
             ics_etag = ?, ics_last_modified = ?, ics_content_hash = ?, ics_last_outcome = ? \
             WHERE id = ?",
        )
        .bind(calendar.ics_last_sync)
        .bind(calendar.ics_last_attempt)
        .bind(calendar.ics_next_sync_at)
        .bind(&calendar.ics_etag)
        .bind(&calendar.ics_last_modified)
        .bind(&calendar.ics_content_hash)
        .bind(&calendar.ics_last_outcome)
        .bind(calendar.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ics_sync_log (id, room_id, started_at, outcome) VALUES (?, ?, ?, ?)",
        )
        .bind(Uuid::new_v4())
        .bind(calendar.id)
        .bind(started_at)
        .bind(sqlx::types::Json(outcome))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM ics_sync_log WHERE room_id = ? AND id NOT IN \
             (SELECT id FROM ics_sync_log WHERE room_id = ? ORDER BY started_at DESC LIMIT 50)",
        )
        .bind(calendar.id)
        .bind(calendar.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sync_log(
        &self,
        room_id: Uuid,
        limit: i64,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let rows: Vec<(sqlx::types::Json<serde_json::Value>,)> = sqlx::query_as(
            "SELECT outcome FROM ics_sync_log WHERE room_id = ? ORDER BY started_at DESC LIMIT ?",
        )
        .bind(room_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(json,)| json.0).collect())
    }

    async fn claim_due_rooms(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Uuid>, StoreError> {
        // SQLite has one writer at a time: the UPDATE … RETURNING is the claim.
        let rows: Vec<(Uuid,)> = sqlx::query_as(
            "UPDATE rooms SET ics_lease_owner = ?, ics_lease_until = ? WHERE id IN ( \
               SELECT id FROM rooms WHERE ics_enabled AND ics_url IS NOT NULL \
               AND (ics_next_sync_at IS NULL OR ics_next_sync_at <= ?) \
               AND (ics_lease_until IS NULL OR ics_lease_until < ?) \
               ORDER BY ics_next_sync_at LIMIT ?) RETURNING id",
        )
        .bind(owner)
        .bind(lease_until)
        .bind(now)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn claim_room(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE rooms SET ics_lease_owner = ?, ics_lease_until = ? WHERE id = ? \
             AND (ics_lease_until IS NULL OR ics_lease_until < ? OR ics_lease_owner = ?)",
        )
        .bind(owner)
        .bind(lease_until)
        .bind(room_id)
        .bind(now)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn release_room(&self, room_id: Uuid, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE rooms SET ics_lease_owner = NULL, ics_lease_until = NULL \
             WHERE id = ? AND ics_lease_owner = ?",
        )
        .bind(room_id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn lifecycle_events(
        &self,
        horizon: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events \
             WHERE (start_time <= ? AND end_time > ? AND NOT all_day) \
             OR id IN (SELECT calendar_event_id FROM meetings \
                       WHERE is_active AND calendar_event_id IS NOT NULL) \
             ORDER BY start_time LIMIT ?"
        ))
        .bind(horizon)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn lifecycle_meetings(
        &self,
        horizon: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE is_active \
             OR calendar_event_id IN (SELECT id FROM calendar_events \
                                      WHERE start_time <= ? AND end_time > ?)"
        ))
        .bind(horizon)
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn presence_of_active_meetings(&self) -> Result<Vec<PresenceRecord>, StoreError> {
        Ok(sqlx::query_as::<_, PresenceRecord>(
            "SELECT meeting_id, participant_id, display_name, user_id, last_seen_at, left_at \
             FROM meeting_participants WHERE meeting_id IN \
             (SELECT id FROM meetings WHERE is_active)",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn presence_of_meeting(
        &self,
        meeting_id: Uuid,
    ) -> Result<Vec<PresenceRecord>, StoreError> {
        Ok(sqlx::query_as::<_, PresenceRecord>(
            "SELECT meeting_id, participant_id, display_name, user_id, last_seen_at, left_at \
             FROM meeting_participants WHERE meeting_id = ? \
             ORDER BY display_name, participant_id",
        )
        .bind(meeting_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn record_presence(
        &self,
        record: &PresenceRecord,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO meeting_participants (meeting_id, participant_id, display_name, user_id, \
             first_seen_at, last_seen_at, left_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (meeting_id, participant_id) DO UPDATE SET \
             display_name = excluded.display_name, last_seen_at = excluded.last_seen_at, \
             left_at = excluded.left_at",
        )
        .bind(record.meeting_id)
        .bind(&record.participant_id)
        .bind(&record.display_name)
        .bind(record.user_id)
        .bind(at)
        .bind(record.last_seen_at)
        .bind(record.left_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn save_meeting_state(&self, m: &Meeting) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE meetings SET start_time = ?, end_time = ?, calendar_metadata = ?, \
             ever_had_participants = ?, participants_now = ?, last_participant_left_at = ? \
             WHERE id = ?",
        )
        .bind(m.start_time)
        .bind(m.end_time)
        .bind(&m.calendar_metadata)
        .bind(m.ever_had_participants)
        .bind(m.participants_now)
        .bind(m.last_participant_left_at)
        .bind(m.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn close_meeting(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE meetings SET is_active = FALSE, closed_at = ?, close_reason = ? \
             WHERE id = ? AND is_active",
        )
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn set_meeting_error(
        &self,
        event_id: Uuid,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE calendar_events SET meeting_error = ? WHERE id = ?")
            .bind(error)
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn claim_worker_lease(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO worker_leases (name, owner, until) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until \
             WHERE worker_leases.until < ? OR worker_leases.owner = ?",
        )
        .bind(name)
        .bind(owner)
        .bind(until)
        .bind(now)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn meeting_for_event(&self, event_id: Uuid) -> Result<Option<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE calendar_event_id = ?"
        ))
        .bind(event_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn meeting_errors(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Option<String>, DateTime<Utc>, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT title, start_time, meeting_error FROM calendar_events \
             WHERE room_id = ? AND meeting_error IS NOT NULL AND end_time > ? AND NOT is_deleted \
             ORDER BY start_time",
        )
        .bind(room_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn meeting_by_platform_id(
        &self,
        platform_meeting_id: &str,
    ) -> Result<Option<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE platform_meeting_id = ? \
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(platform_meeting_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
