//! The owner's side of a room's calendar: settings, status, manual sync, log, test fetch.
//! Only owners reach any of this; the feed URL leaves the server masked or not at all.

use crate::domain::{Room, User};
use crate::secret::Secret;
use crate::services::limits::{too_many, wait_text};
use crate::services::room_lookup::{ensure_owner, owned_room};
use crate::sync::feed_url::{mask_feed_url, normalize_feed_url};
use crate::sync::{FeedTestReport, SyncOutcome, TestFeedError};
use crate::Core;
use crate::CoreError;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// Fetch intervals an owner may choose, in minutes.
pub const ALLOWED_INTERVALS: &[i64] = &[1, 5, 10, 30, 60];

/// Changes to a room's calendar settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct CalendarSettingsInput {
    /// New feed URL; an empty string removes the calendar.
    pub ics_url: Option<Secret>,
    /// Turn syncing on or off.
    pub ics_enabled: Option<bool>,
    /// Minutes between fetches (one of [`ALLOWED_INTERVALS`]).
    pub ics_fetch_interval_minutes: Option<i64>,
}

/// What the owner sees about a room's calendar.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarStatus {
    /// Whether syncing is on.
    pub enabled: bool,
    /// The feed URL with its secret parts hidden, if one is set.
    pub masked_url: Option<String>,
    /// Minutes between fetches.
    pub interval_minutes: i32,
    /// When a sync last succeeded.
    pub last_sync: Option<DateTime<Utc>>,
    /// When the scheduler syncs next (`None`: not scheduled, or as soon as possible).
    pub next_sync: Option<DateTime<Utc>>,
    /// The last attempt's outcome.
    pub last_outcome: Option<serde_json::Value>,
    /// The last attempt's error, if it failed.
    pub last_error: Option<String>,
    /// Stored occurrences that have not ended yet.
    pub upcoming_occurrences: usize,
    /// Occurrences whose meeting the video platform failed to create (retried every tick).
    pub meeting_errors: Vec<String>,
}

/// Applies `input` to the room's calendar settings after validating every field.
pub async fn update_settings(
    core: &Core,
    user: &User,
    room: &Room,
    input: &CalendarSettingsInput,
) -> Result<CalendarStatus, CoreError> {
    ensure_owner(room, user)?;
    let mut calendar = core
        .store
        .room_calendar(room.id)
        .await?
        .ok_or_else(|| CoreError::NotFound("there is no such room".into()))?;
    let mut fields = BTreeMap::new();
    let mut new_url: Option<Option<String>> = None;
    if let Some(text) = input.ics_url.as_ref().map(Secret::expose) {
        if text.trim().is_empty() {
            new_url = Some(None);
        } else {
            match normalize_feed_url(text, core.sync.fetcher().settings().allow_http) {
                Ok(url) => match check_saved_host(core, user, &url).await? {
                    Ok(()) => new_url = Some(Some(url.to_string())),
                    Err(m) => {
                        fields.insert("ics_url".to_string(), m);
                    }
                },
                Err(m) => {
                    fields.insert("ics_url".to_string(), m);
                }
            }
        }
    }
    if let Some(minutes) = input.ics_fetch_interval_minutes {
        if !ALLOWED_INTERVALS.contains(&minutes) {
            fields.insert(
                "ics_fetch_interval_minutes".into(),
                "choose 1, 5, 10, 30 or 60 minutes".into(),
            );
        }
    }
    let enabling = input.ics_enabled == Some(true);
    let url_after = match &new_url {
        Some(url) => url.is_some(),
        None => calendar.ics_url.is_some(),
    };
    if enabling && !url_after && !fields.contains_key("ics_url") {
        fields.insert(
            "ics_enabled".into(),
            "add the calendar's ICS address before turning sync on".into(),
        );
    }
    if !fields.is_empty() {
        return Err(CoreError::Validation { fields });
    }
    if let Some(url) = new_url {
        calendar.ics_url = url.as_deref().map(|u| core.secrets.seal(u));
        // A new address is a new calendar: forget the old one's validators and outcome.
        calendar.reset_sync_state();
    }
    if let Some(minutes) = input.ics_fetch_interval_minutes {
        calendar.ics_fetch_interval_minutes = minutes as i32;
        calendar.ics_next_sync_at = None;
    }
    if let Some(enabled) = input.ics_enabled {
        if enabled && !calendar.ics_enabled {
            calendar.ics_next_sync_at = None;
        }
        calendar.ics_enabled = enabled;
    }
    if calendar.ics_url.is_none() {
        calendar.ics_enabled = false;
    }
    // Spread rooms over up to a tenth of their interval (at most 30 s).
    let max_jitter = (calendar.ics_fetch_interval_minutes * 6).min(30);
    calendar.ics_jitter_seconds = rand::thread_rng().gen_range(0..=max_jitter.max(0));
    core.store.save_room_calendar(&calendar).await?;
    tracing::info!(room = %room.name, enabled = calendar.ics_enabled, "calendar settings changed");
    status_of(core, room).await
}

/// [`check_feed_host`] for an address being saved, after the owner's per-minute limit of
/// saved addresses that need a look-up (one person cannot keep the resolver busy).
async fn check_saved_host(
    core: &Core,
    user: &User,
    url: &url::Url,
) -> Result<Result<(), String>, CoreError> {
    if needs_lookup(core, url) {
        let _counted = core
            .limits
            .feed_saves
            .take(core.store.as_ref(), &format!("user:{}", user.id), core.clock.now())
            .await
            .map_err(|refused| {
                refused.into_error(|wait| {
                    format!(
                        "you saved several new calendar addresses in the last minute; try again in {}",
                        wait_text(wait)
                    )
                })
            })?;
    }
    Ok(check_feed_host(core, url).await)
}

/// Whether checking `url`'s host takes a DNS look-up (not an IP literal, not a host the
/// operator allowed, not with private feeds allowed).
fn needs_lookup(core: &Core, url: &url::Url) -> bool {
    let policy = &core.sync.fetcher().settings().addresses;
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().is_err()
        && policy.may_resolve(host)
        && !policy.allow_private
        && !policy.host_is_allowed(host)
}

/// Refuses hosts that resolve only to private or local addresses (unless allowed).
async fn check_feed_host(core: &Core, url: &url::Url) -> Result<(), String> {
    let policy = &core.sync.fetcher().settings().addresses;
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
        return if policy.permits(host, ip) {
            Ok(())
        } else {
            Err("this address points at a private or local network, which roomcal does not fetch from; use the calendar provider's public ICS link (operators can allow intranet calendars with --allow-private-feeds)".into())
        };
    }
    if !policy.may_resolve(host) {
        return Err("this roomcal fetches calendars only from the hosts its operator allowed (--feed-allowlist); ask them to add this one".into());
    }
    if !needs_lookup(core, url) {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let resolved = core
        .sync
        .fetcher()
        .settings()
        .resolver
        .resolve(host, port)
        .await
        .map_err(|e| e.to_string())?;
    if resolved.iter().any(|a| policy.permits(host, a.ip())) {
        Ok(())
    } else {
        Err(
            "this address points at a private or local network, which roomcal does not fetch from; use the calendar provider's public ICS link (operators can allow intranet calendars with --allow-private-feeds)"
                .into(),
        )
    }
}

/// The calendar status of a room the user owns.
pub async fn status(
    core: &Core,
    user: &User,
    room_name: &str,
) -> Result<CalendarStatus, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    status_of(core, &room).await
}

async fn status_of(core: &Core, room: &Room) -> Result<CalendarStatus, CoreError> {
    let calendar = core
        .store
        .room_calendar(room.id)
        .await?
        .ok_or_else(|| CoreError::NotFound("there is no such room".into()))?;
    let masked_url = calendar.ics_url.as_ref().map(|token| {
        core.secrets
            .open(token.expose())
            .map(|url| mask_feed_url(&url))
            .unwrap_or_else(|e| e)
    });
    let upcoming = core
        .store
        .upcoming_calendar_events(room.id, core.clock.now(), 1000)
        .await?;
    let last_outcome = calendar.ics_last_outcome.map(|j| j.0);
    let last_error = last_outcome
        .as_ref()
        .and_then(|o| o.get("error"))
        .and_then(|e| e.as_str())
        .map(str::to_string);
    Ok(CalendarStatus {
        enabled: calendar.ics_enabled,
        masked_url,
        interval_minutes: calendar.ics_fetch_interval_minutes,
        last_sync: calendar.ics_last_sync,
        next_sync: if calendar.ics_enabled {
            Some(calendar.ics_next_sync_at.unwrap_or(core.clock.now()))
        } else {
            None
        },
        last_outcome,
        last_error,
        upcoming_occurrences: upcoming.len(),
        meeting_errors: core
            .store
            .meeting_errors(room.id, core.clock.now())
            .await?
            .into_iter()
            .map(|(title, start, error)| {
                format!(
                    "{} at {}: {error}",
                    title.unwrap_or_else(|| "meeting".into()),
                    start.format("%Y-%m-%d %H:%M UTC")
                )
            })
            .collect(),
    })
}

/// Syncs the room now, whatever its interval; at most once per cooldown per room.
pub async fn sync_now(core: &Core, user: &User, room_name: &str) -> Result<SyncOutcome, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let now = core.clock.now();
    let calendar = core
        .store
        .room_calendar(room.id)
        .await?
        .ok_or_else(|| CoreError::NotFound("there is no such room".into()))?;
    if calendar.ics_url.is_none() {
        return Err(CoreError::field(
            "ics_url",
            "add the calendar's ICS address in the room settings first",
        ));
    }
    if let Some(last) = calendar.ics_last_attempt {
        let ready_at = last + core.sync.settings().manual_cooldown;
        if now < ready_at {
            let wait = (ready_at - now).num_seconds().max(1) as u64;
            return Err(CoreError::TooManyRequests {
                retry_after_secs: wait,
                message: format!("the calendar was synced moments ago; try again in {wait} s"),
            });
        }
    }
    // A lease name of its own: if this instance's scheduler holds the room, the manual
    // sync waits its turn instead of sharing, and later releasing, the scheduler's lease.
    let owner = format!("{}-manual", core.sync.instance());
    if !core
        .store
        .claim_room(room.id, now, &owner, now + core.sync.settings().lease)
        .await?
    {
        return Err(CoreError::TooManyRequests {
            retry_after_secs: 5,
            message: "a sync of this calendar is already running; try again in a few seconds"
                .into(),
        });
    }
    let result = core.sync.sync_room(room.id, now).await;
    let _ = core.store.release_room(room.id, &owner).await;
    Ok(result?)
}

/// The room's last 50 sync outcomes, newest first.
pub async fn log(
    core: &Core,
    user: &User,
    room_name: &str,
) -> Result<Vec<serde_json::Value>, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    Ok(core.store.sync_log(room.id, 50).await?)
}

/// Tests the room's saved calendar address, as [`test_url`] does for a typed one (the
/// owner checks the address they attached without pasting the secret again).
pub async fn test_saved_url(
    core: &Core,
    user: &User,
    room_name: &str,
) -> Result<FeedTestReport, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let calendar = core
        .store
        .room_calendar(room.id)
        .await?
        .ok_or_else(|| CoreError::NotFound("there is no such room".into()))?;
    let Some(sealed) = calendar.ics_url else {
        return Err(CoreError::field(
            "url",
            "no calendar address is saved; paste one to test it",
        ));
    };
    let url = core
        .secrets
        .open(sealed.expose())
        .map_err(|m| CoreError::field("url", m))?;
    test_url(core, user, room_name, &url).await
}

/// Fetches and parses `url` as if it were the room's feed, saving nothing.
pub async fn test_url(
    core: &Core,
    user: &User,
    room_name: &str,
    url: &str,
) -> Result<FeedTestReport, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let url = normalize_feed_url(url, core.sync.fetcher().settings().allow_http)
        .map_err(|m| CoreError::field("url", m))?;
    let now = core.clock.now();
    // Each test may hold a fetch for the whole feed timeout and a second of CPU. Counted
    // before the host is looked up: the look-up is work too.
    let _counted = core
        .limits
        .feed_tests
        .take(core.store.as_ref(), &format!("user:{}", user.id), now)
        .await
        .map_err(|refused| {
            refused.into_error(|wait| {
                format!("you tested calendar addresses several times in the last minute; try again in {}", wait_text(wait))
            })
        })?;
    check_feed_host(core, &url)
        .await
        .map_err(|m| CoreError::field("url", m))?;
    core.sync
        .test_feed(&url, &room.name, now)
        .await
        .map_err(|e| match e {
            TestFeedError::Feed(m) => CoreError::field("url", m),
            TestFeedError::Busy => too_many(5, e.to_string()),
        })
}
