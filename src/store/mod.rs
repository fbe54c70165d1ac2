//! Persistence: one [`Store`] trait, one implementation per database. The backend is
//! picked from the URL scheme by [`open`]; both run the same contract tests.

mod postgres;
mod sqlite;

use crate::domain::{
    CalendarEvent, ClosedBecause, Meeting, PresenceRecord, Room, RoomCalendar, RoomName,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use uuid::Uuid;

mod account_store;
pub mod backup;
mod co_owner_store;
mod knock_store;
mod plan;
mod shared_limits;
mod webhook_store;
pub use account_store::{AccountStore, NewUser, SessionRow};
pub use co_owner_store::{CoOwnerRow, CoOwnerStore};
pub use knock_store::KnockStore;
pub use plan::SyncPlan;
pub use postgres::PostgresStore;
pub use shared_limits::{advisory_key, LimitStore, ScopeLock};
pub use sqlite::SqliteStore;
pub use webhook_store::{Outbox, WebhookStore};

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the string names what was taken.
    #[error("{0} is already taken")]
    Conflict(&'static str),
    /// The URL names no backend roomcal supports.
    #[error("unsupported database URL {0}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// Any other database error.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The database file could not be created or made private.
    #[error("cannot create or protect {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A migration could not be applied.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A room to insert.
#[derive(Debug, Clone)]
pub struct NewRoom {
    /// New identifier.
    pub id: Uuid,
    /// Validated slug.
    pub name: RoomName,
    /// The creating user.
    pub owner_id: Uuid,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

/// Everything roomcal keeps, behind one interface so SQLite and PostgreSQL are
/// interchangeable. Split by aggregate; on `dyn Store` every aggregate's methods are
/// callable without importing its trait.
#[async_trait]
pub trait Store:
    AccountStore
    + RoomStore
    + CoOwnerStore
    + CalendarStore
    + MeetingStore
    + PresenceStore
    + KnockStore
    + LimitStore
    + WebhookStore
    + Send
    + Sync
{
    /// Checks the database answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Applies pending migrations of this backend.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Waits for the connections in use to come back, then closes them all (shutdown).
    async fn close(&self);
}

/// Rooms and their calendar settings.
#[async_trait]
pub trait RoomStore: Send + Sync {
    /// Inserts a room; `Conflict("room name")` when the name is taken.
    async fn insert_room(&self, room: &NewRoom) -> Result<Room, StoreError>;

    /// The room with this name.
    async fn room_by_name(&self, name: &str) -> Result<Option<Room>, StoreError>;

    /// The room with this id.
    async fn room_by_id(&self, id: Uuid) -> Result<Option<Room>, StoreError>;

    /// Deletes a room with everything it holds (occurrences, meetings, presence, log).
    async fn delete_room(&self, room_id: Uuid) -> Result<(), StoreError>;

    /// The rooms a user owns (not those it co-owns), by name.
    async fn rooms_owned_by(&self, owner_id: Uuid) -> Result<Vec<Room>, StoreError>;

    /// How many rooms a user owns (the cap check: counting, not loading them).
    async fn count_rooms_owned_by(&self, owner_id: Uuid) -> Result<u64, StoreError>;

    /// A room's calendar settings and sync state.
    async fn room_calendar(&self, room_id: Uuid) -> Result<Option<RoomCalendar>, StoreError>;

    /// Saves a room's calendar settings and sync state (all `ics_*` columns).
    async fn save_room_calendar(&self, calendar: &RoomCalendar) -> Result<(), StoreError>;

    /// The sealed key of the room's private feed, if one was made.
    async fn room_feed_key(&self, room_id: Uuid) -> Result<Option<String>, StoreError>;

    /// Stores (or, with `None`, removes) the sealed key of the room's private feed.
    async fn set_room_feed_key(
        &self,
        room_id: Uuid,
        sealed: Option<&str>,
    ) -> Result<(), StoreError>;
}

/// Stored calendar occurrences and the sync that keeps them.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Inserts one stored occurrence; `Conflict` when (room, uid, recurrence id) exists.
    async fn insert_calendar_event(&self, event: &CalendarEvent) -> Result<(), StoreError>;

    /// The stored occurrence with this id.
    async fn calendar_event_by_id(&self, id: Uuid) -> Result<Option<CalendarEvent>, StoreError>;

    /// The room's stored occurrences (deleted ones too) that end at or after `from`.
    async fn calendar_events_ending_after(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>, StoreError>;

    /// The room's live occurrences that have not ended at `now`, soonest first.
    async fn upcoming_calendar_events(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CalendarEvent>, StoreError>;

    /// Applies one sync in a single transaction: the plan's writes, the room's new sync
    /// state (not its settings: an owner's concurrent change survives), and a sync-log
    /// entry (the log keeps the last 50 per room).
    async fn apply_sync(
        &self,
        plan: &SyncPlan,
        calendar: &RoomCalendar,
        started_at: DateTime<Utc>,
        outcome: &serde_json::Value,
        outbox: Outbox<'_>,
    ) -> Result<(), StoreError>;

    /// Deletes up to `limit` occurrences that ended before `before` and that no meeting
    /// names (a meeting's occurrence goes after the meeting); returns how many went.
    async fn purge_occurrences_ended_before(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<u64, StoreError>;

    /// The room's last sync outcomes, newest first.
    async fn sync_log(
        &self,
        room_id: Uuid,
        limit: i64,
    ) -> Result<Vec<serde_json::Value>, StoreError>;

    /// Claims up to `limit` rooms due for a sync (enabled, due, lease free) for `owner`
    /// until `lease_until`; several instances never claim the same room.
    async fn claim_due_rooms(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Uuid>, StoreError>;

    /// Claims one room whatever its schedule (manual sync); false when another holds it.
    async fn claim_room(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Releases `owner`'s lease on a room.
    async fn release_room(&self, room_id: Uuid, owner: &str) -> Result<(), StoreError>;
}

/// Meetings and the lifecycle that opens and closes them.
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Inserts a meeting as given, with the webhook deliveries of `outbox`.
    async fn insert_meeting(&self, meeting: &Meeting, outbox: Outbox<'_>)
        -> Result<(), StoreError>;

    /// The meeting with this id.
    async fn meeting_by_id(&self, id: Uuid) -> Result<Option<Meeting>, StoreError>;

    /// A room's active meetings, earliest start first.
    async fn active_meetings_in_room(&self, room_id: Uuid) -> Result<Vec<Meeting>, StoreError>;

    /// The meeting of a calendar occurrence: its active one if any (at most one: the
    /// unique index `meetings_calendar_event_active`), else the latest one that closed (an
    /// occurrence reopened after its meeting ended has several).
    async fn meeting_for_event(&self, event_id: Uuid) -> Result<Option<Meeting>, StoreError>;

    /// Keeps an active meeting open `minutes` longer (its `extended_minutes` grows from
    /// `from` to `from + minutes`) as long as the total stays within `max_total`, and
    /// writes `outbox` (its `meeting.extended`) with it; answers the new total, or `None`
    /// when the meeting is closed (or missing), its extension is no longer `from`
    /// (another host pressed first: read it again), or the total would pass `max_total`.
    /// One statement, so two hosts pressing at once cannot pass the limit together.
    async fn extend_meeting(
        &self,
        id: Uuid,
        from: i32,
        minutes: i32,
        max_total: i32,
        outbox: Outbox<'_>,
    ) -> Result<Option<i32>, StoreError>;

    /// How many unscheduled meetings `user_id` started that are still open at `now` in
    /// rooms it neither owns nor co-owns.
    async fn count_guest_unscheduled(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// The meeting with this video-platform id (for platform webhooks).
    async fn meeting_by_platform_id(
        &self,
        platform_meeting_id: &str,
    ) -> Result<Option<Meeting>, StoreError>;

    /// Occurrences the lifecycle looks at: timed ones starting by `horizon` and not ended
    /// at `now`, plus those with an active meeting (deleted ones included). Those with an
    /// active meeting come first, so `limit` never cuts one off; then by start.
    async fn lifecycle_events(
        &self,
        horizon: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CalendarEvent>, StoreError>;

    /// Active meetings, and any meeting of an occurrence in the same range as
    /// [`MeetingStore::lifecycle_events`] (a closed one still blocks a second meeting).
    async fn lifecycle_meetings(
        &self,
        horizon: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Meeting>, StoreError>;

    /// Saves a meeting's times, metadata and presence summary, with the webhook
    /// deliveries of `outbox`.
    async fn save_meeting_state(
        &self,
        meeting: &Meeting,
        outbox: Outbox<'_>,
    ) -> Result<(), StoreError>;

    /// Closes an active meeting, writing the webhook deliveries of `outbox` with it;
    /// false (and nothing written) when it was closed already (by another instance).
    async fn close_meeting(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        reason: ClosedBecause,
        outbox: Outbox<'_>,
    ) -> Result<bool, StoreError>;

    /// Deletes up to `limit` meetings closed before `before` whose occurrence, if any,
    /// ended before `before` too (a closed meeting of a coming occurrence still keeps it
    /// from getting a second one); their presence rows go with them. Returns how many went.
    async fn purge_meetings_closed_before(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<u64, StoreError>;

    /// Records (or clears) the platform error of an occurrence's pre-creation.
    async fn set_meeting_error(
        &self,
        event_id: Uuid,
        error: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Pre-creation errors of the room's live occurrences: (title, start, error).
    async fn meeting_errors(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Option<String>, DateTime<Utc>, String)>, StoreError>;

    /// Gives up the named lease if `owner` holds it (shutdown: another instance takes
    /// over at once instead of after the lease expires).
    async fn release_worker_lease(&self, name: &str, owner: &str) -> Result<(), StoreError>;

    /// Takes or renews the named lease until `until`; false while another owner holds it.
    async fn claim_worker_lease(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

/// Who announced themselves on meeting pages.
#[async_trait]
pub trait PresenceStore: Send + Sync {
    /// Presence records of the active meetings, of one room or (`None`) of all rooms.
    async fn presence_of_active_meetings(
        &self,
        room_id: Option<Uuid>,
    ) -> Result<Vec<PresenceRecord>, StoreError>;

    /// Presence records of one meeting (every page that ever announced itself), by name.
    async fn presence_of_meeting(
        &self,
        meeting_id: Uuid,
    ) -> Result<Vec<PresenceRecord>, StoreError>;

    /// Records a join, heartbeat (`left_at` none) or leave of one meeting page.
    async fn record_presence(
        &self,
        record: &PresenceRecord,
        at: DateTime<Utc>,
        outbox: Outbox<'_>,
    ) -> Result<(), StoreError>;

    /// Deletes the records of pages last seen or gone before `before`, and all records of
    /// closed meetings; returns how many went. The lifecycle has counted them already.
    async fn prune_presence(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`), creating a SQLite
/// file when missing. Does not migrate.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(mask_database_url(url)))
    }
}

/// The URL with any password replaced by `***`, safe for logs and error messages.
pub fn mask_database_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // set_password only fails for URLs that cannot have one, which this one has.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Maps a unique-constraint violation to `Conflict(what)`, other errors unchanged.
pub(crate) fn on_unique_violation(err: sqlx::Error, what: &'static str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_masked_in_messages() {
        let masked = mask_database_url("postgres://app:s3cret@db.example:5432/roomcal");
        assert!(!masked.contains("s3cret"));
        assert!(masked.contains("***"));
    }
}
