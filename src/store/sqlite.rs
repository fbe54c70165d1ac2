//! SQLite implementation of [`Store`]: the single-machine default (WAL mode).

use super::{on_unique_violation, NewRoom, NewUser, Store, StoreError};
use crate::domain::{CalendarEvent, Meeting, Room, User, UserCredentials};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
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
    last_modified, privacy_class, last_synced, is_deleted, ics_raw_data";
/// Columns of `meetings` that make a [`Meeting`].
const MEETING_COLUMNS: &str = "id, room_id, calendar_event_id, calendar_metadata, start_time, \
    end_time, is_active, platform, participant_url, host_url, platform_meeting_id, \
    last_participant_left_at, created_at";

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
            .busy_timeout(Duration::from_secs(10));
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
            "INSERT INTO meetings ({MEETING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
        sqlx::query(&format!(
            "INSERT INTO calendar_events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
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
}
