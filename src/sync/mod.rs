//! ICS sync: fetch each room's feed on its interval, keep its `calendar_events` in step,
//! and record what happened. [`Syncer::sync_room`] is the one testable step; the
//! scheduler loop in the server is a thin shell around [`Syncer::run_due`].

pub mod address;
pub mod dns;
mod feed_cache;
pub mod feed_memo;
pub mod feed_url;
mod feed_work;
pub mod fetch;
pub(crate) mod guarded_resolver;
mod host_limiter;
mod outcome;
mod plan;
mod probe;
mod settings;
pub mod webhook_sender;

pub use crate::store::SyncPlan;
pub use outcome::{SyncOutcome, SyncStatus};
pub use plan::{plan_sync, to_row};
pub use probe::{FeedTestReport, OccurrencePreview, TestFeedError};
pub use settings::*;

use crate::domain::RoomCalendar;
use crate::events::RoomEvent;
use crate::secret::SecretBox;
use crate::store::Store;
use crate::store::StoreError;
use chrono::{DateTime, Duration, Utc};
use feed_cache::FeedCache;
use feed_work::{read_feed, FeedInput, FeedQuery};
use fetch::{Fetched, Fetcher, Validators};
use host_limiter::HostLimiter;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Why a sync could not even be attempted (a failed fetch is an outcome, not an error).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The room was deleted meanwhile.
    #[error("there is no room {0}")]
    NoSuchRoom(Uuid),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Syncs rooms' calendar feeds.
pub struct Syncer {
    /// Where rooms and occurrences live.
    store: Arc<dyn Store>,
    /// The guarded HTTP fetcher.
    fetcher: Fetcher,
    /// Decrypts stored feed URLs.
    secrets: SecretBox,
    /// Tunables.
    settings: SyncSettings,
    /// This instance's name in lease rows.
    instance: String,
    /// One lock per room: never two syncs of a room at once in this process.
    room_locks: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
    /// Last parsed feed per room.
    parsed: FeedCache,
    /// Spaces out requests to one calendar host.
    hosts: HostLimiter,
    /// Bounds the syncs running at once in this process, whoever started them.
    sync_slots: tokio::sync::Semaphore,
    /// Bounds the address tests running at once in this process.
    test_slots: tokio::sync::Semaphore,
    /// Rooms' public feeds, built from the occurrences this syncer writes (so it forgets
    /// a room's feed when it writes the room).
    feeds: feed_memo::FeedMemo,
    /// Where a synced room is announced to live pages.
    events: Arc<crate::events::RoomEvents>,
}

impl Syncer {
    /// A syncer over `store`.
    pub fn new(
        store: Arc<dyn Store>,
        fetcher: Fetcher,
        secrets: SecretBox,
        settings: SyncSettings,
    ) -> Self {
        let hosts = HostLimiter::new(settings.per_host_interval);
        let sync_slots = tokio::sync::Semaphore::new(settings.concurrency.max(1));
        let test_slots = tokio::sync::Semaphore::new(settings.test_concurrency.max(1));
        let parsed = FeedCache::new(settings.cache_bytes);
        Self {
            store,
            fetcher,
            secrets,
            settings,
            instance: format!("roomcal-{}", Uuid::new_v4().simple()),
            room_locks: Mutex::new(HashMap::new()),
            parsed,
            hosts,
            sync_slots,
            test_slots,
            feeds: feed_memo::FeedMemo::default(),
            events: Arc::default(),
        }
    }

    /// This syncer announcing synced rooms on `events` (the core's bus).
    pub fn with_events(mut self, events: Arc<crate::events::RoomEvents>) -> Self {
        self.events = events;
        self
    }

    /// The bus synced rooms are announced on.
    pub fn events(&self) -> &Arc<crate::events::RoomEvents> {
        &self.events
    }

    /// The memo of rooms' public `calendar.ics` feeds.
    pub fn feed_memo(&self) -> &feed_memo::FeedMemo {
        &self.feeds
    }

    /// The tunables.
    pub fn settings(&self) -> &SyncSettings {
        &self.settings
    }

    /// The fetcher (for URL checks).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// This instance's lease name.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The earliest end of the stored occurrences a sync at `now` compares with the feed
    /// (a week before its window); retention never purges one ending later.
    pub fn reads_stored_from(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.settings.window_before - Duration::days(7)
    }

    /// What a read of `room_name`'s feed at `now` looks for.
    fn feed_query(&self, room_name: &str, now: DateTime<Utc>) -> FeedQuery {
        FeedQuery {
            from: now - self.settings.window_before,
            to: now + self.settings.window_after,
            tz: self.settings.default_tz,
            budget: self.settings.budget,
            base_urls: self.settings.base_urls.clone(),
            room_name: room_name.to_string(),
        }
    }

    fn room_lock(&self, room_id: Uuid) -> Arc<tokio::sync::Mutex<()>> {
        match self.room_locks.lock() {
            Ok(mut locks) => locks.entry(room_id).or_default().clone(),
            Err(poisoned) => poisoned.into_inner().entry(room_id).or_default().clone(),
        }
    }

    /// One scheduler step: claims the rooms due at `now` and syncs them, at most
    /// `concurrency` at a time (with any manual syncs). Returns how many rooms were synced.
    pub async fn run_due(
        self: &Arc<Self>,
        now: DateTime<Utc>,
        batch: i64,
    ) -> Result<usize, SyncError> {
        let claimed = self
            .store
            .claim_due_rooms(now, &self.instance, now + self.settings.lease, batch)
            .await?;
        let mut tasks = tokio::task::JoinSet::new();
        for room_id in claimed.iter().copied() {
            let this = self.clone();
            tasks.spawn(async move {
                if let Err(err) = this.sync_room(room_id, now).await {
                    tracing::warn!(%room_id, error = %err, "calendar sync failed");
                }
                let _ = this.store.release_room(room_id, &this.instance).await;
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(claimed.len())
    }

    /// Syncs one room now: fetch, parse, expand, match, and store — or record why not.
    /// A failed attempt changes no stored occurrence.
    pub async fn sync_room(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<SyncOutcome, SyncError> {
        let lock = self.room_lock(room_id);
        let _guard = lock.lock().await;
        // Never closed, so acquiring only waits for a free slot.
        let _slot = self.sync_slots.acquire().await;
        let clock = std::time::Instant::now();
        let mut calendar = self
            .store
            .room_calendar(room_id)
            .await?
            .ok_or(SyncError::NoSuchRoom(room_id))?;
        let room = self
            .store
            .room_by_id(room_id)
            .await?
            .ok_or(SyncError::NoSuchRoom(room_id))?;
        let (mut outcome, plan) = match self.fetch_and_plan(&room.name, &mut calendar, now).await {
            Ok((outcome, plan)) => {
                calendar.ics_last_sync = Some(now);
                (outcome, plan)
            }
            // A failed attempt writes nothing but the room's sync state and the log.
            Err(outcome) => (outcome, SyncPlan::default()),
        };
        outcome.duration_ms = clock.elapsed().as_millis() as u64;
        metrics::counter!("roomcal_syncs_total", "outcome" => outcome.status.as_str()).increment(1);
        metrics::histogram!("roomcal_sync_seconds").record(clock.elapsed().as_secs_f64());
        self.finish(&mut calendar, now);
        let was_failing = calendar
            .ics_last_outcome
            .as_ref()
            .and_then(|o| {
                o.0.get("status")
                    .and_then(|s| s.as_str())
                    .map(str::to_string)
            })
            .is_some_and(|status| status == SyncStatus::Failed.as_str());
        let room_url = format!(
            "{}/room/{}",
            self.settings
                .base_urls
                .first()
                .map(|u| u.trim_end_matches('/'))
                .unwrap_or(""),
            room.name
        );
        let outbox = outcome::health_change(&room, &room_url, was_failing, &outcome, now);
        calendar.ics_last_outcome = Some(sqlx::types::Json(outcome.to_json()));
        self.store
            .apply_sync(&plan, &calendar, now, &outcome.to_json(), &outbox)
            .await?;
        self.feeds.forget_room(room_id);
        self.events
            .publish(RoomEvent::calendar_synced(room_id))
            .await;
        Ok(outcome)
    }

    /// Schedules the next attempt: the interval counts from this attempt, plus jitter.
    fn finish(&self, calendar: &mut RoomCalendar, now: DateTime<Utc>) {
        calendar.ics_last_attempt = Some(now);
        calendar.ics_next_sync_at = Some(
            now + Duration::minutes(i64::from(calendar.ics_fetch_interval_minutes.max(1)))
                + Duration::seconds(i64::from(calendar.ics_jitter_seconds.max(0))),
        );
    }

    /// Fetches and plans; `Err` carries the failed outcome (nothing to write but the log).
    async fn fetch_and_plan(
        &self,
        room_name: &str,
        calendar: &mut RoomCalendar,
        now: DateTime<Utc>,
    ) -> Result<(SyncOutcome, SyncPlan), SyncOutcome> {
        let fail = |message: String, status: Option<u16>| SyncOutcome::failed(now, message, status);
        let token = calendar
            .ics_url
            .clone()
            .ok_or_else(|| fail("no calendar address is set for this room".into(), None))?;
        let url_text = self
            .secrets
            .open(token.expose())
            .map_err(|e| fail(e, None))?;
        let url = url::Url::parse(&url_text).map_err(|_| {
            fail(
                "the stored calendar address is invalid; paste it again".into(),
                None,
            )
        })?;
        // The cache only stands for the feed whose hash the room still records: after the
        // URL changes (sync state reset) it must not answer for the new calendar.
        let cached = self
            .parsed
            .get(calendar.id)
            .filter(|(hash, _, _)| calendar.ics_content_hash.as_deref() == Some(hash.as_str()));
        // Validators only when the parsed feed is at hand, so a 304 can always be served.
        let validators = match &cached {
            Some(_) => Validators {
                etag: calendar.ics_etag.clone(),
                last_modified: calendar.ics_last_modified.clone(),
            },
            None => Validators::default(),
        };
        self.hosts.wait_turn(url.host_str().unwrap_or("")).await;
        let fetch_started = std::time::Instant::now();
        let fetched = self.fetcher.fetch(&url, &validators).await;
        metrics::histogram!("roomcal_feed_fetch_seconds")
            .record(fetch_started.elapsed().as_secs_f64());
        let fetched = fetched.map_err(|e| fail(e.message, e.http_status))?;
        // The body (or the copy parsed before), whether it was whole, and what to report.
        let (input, complete, status, http_status, bytes, hash) = match fetched {
            Fetched::NotModified => match cached {
                Some((hash, feed, complete)) => (
                    FeedInput::Parsed(feed),
                    complete,
                    SyncStatus::Unchanged,
                    Some(304),
                    0,
                    hash,
                ),
                None => {
                    calendar.ics_etag = None;
                    calendar.ics_last_modified = None;
                    return Err(fail(
                        "the server answered 304 Not Modified but roomcal has no copy of the calendar; the next attempt fetches it in full".into(),
                        Some(304),
                    ));
                }
            },
            Fetched::Body {
                bytes,
                status,
                validators,
                charset,
            } => {
                let hash = hex_sha256(&bytes);
                let size = bytes.len();
                metrics::histogram!("roomcal_feed_bytes").record(size as f64);
                calendar.ics_etag = validators.etag;
                calendar.ics_last_modified = validators.last_modified;
                match cached.filter(|(h, _, _)| *h == hash) {
                    Some((_, feed, complete)) => (
                        FeedInput::Parsed(feed),
                        complete,
                        SyncStatus::Unchanged,
                        Some(status),
                        size,
                        hash,
                    ),
                    None => {
                        let complete = ends_calendar(&bytes);
                        let input = FeedInput::Body(bytes, charset);
                        (input, complete, SyncStatus::Ok, Some(status), size, hash)
                    }
                }
            }
        };
        let window_end = now + self.settings.window_after;
        let processing = std::time::Instant::now();
        let read = read_feed(input, self.feed_query(room_name, now)).await;
        metrics::histogram!("roomcal_feed_processing_seconds")
            .record(processing.elapsed().as_secs_f64());
        let read = read.map_err(|message| fail(message, http_status))?;
        if read.parsed_now {
            self.parsed
                .remember(calendar.id, hash.clone(), read.feed.clone(), complete);
        }
        calendar.ics_content_hash = Some(hash);
        let stored = self
            .store
            .calendar_events_ending_after(calendar.id, self.reads_stored_from(now))
            .await
            .map_err(|e| fail(format!("the database failed: {e}"), http_status))?;
        let matching = read.matching;
        let mut plan = plan_sync(calendar.id, &stored, &matching, now, window_end);
        let mut warnings: Vec<String> = Vec::new();
        if !complete {
            // A body cut off mid-way would look like deleted events: remove nothing.
            plan.soft_deletes.clear();
            warnings.push(
                "the calendar ended abruptly (no END:VCALENDAR): every complete event was kept and nothing was removed".into(),
            );
        }
        warnings.extend(read.warnings);
        let feed = read.feed;
        let in_window_len = read.in_window;
        let outcome = SyncOutcome {
            started_at: now,
            status,
            error: None,
            http_status,
            bytes,
            duration_ms: 0,
            events_in_feed: feed.events.len(),
            events_in_window: in_window_len,
            events_matching: matching.len(),
            created: plan.inserts.len(),
            updated: plan.updates.len() - plan.restored,
            deleted: plan.soft_deletes.len(),
            restored: plan.restored,
            warnings,
        };
        Ok((outcome, plan))
    }
}

/// Whether the body ends like a whole calendar (`END:VCALENDAR`, then only whitespace).
fn ends_calendar(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace() && *b != 0)
        .map_or(0, |i| i + 1);
    let trimmed = &bytes[..end];
    trimmed.len() >= 13 && trimmed[trimmed.len() - 13..].eq_ignore_ascii_case(b"END:VCALENDAR")
}

/// Lower-case hex SHA-256.
fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
