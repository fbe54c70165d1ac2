//! A room's calendar, for its owner: status, settings, "Test connection", sync now, the
//! sync log and the private feed.

use crate::dto::{AppError, CalendarStatusDto, FeedTestDto};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
#[cfg(feature = "ssr")]
use crate::dto::convert;

/// The calendar settings and sync state of a room the user owns.
#[server]
pub async fn get_calendar_status(room_name: String) -> Result<CalendarStatusDto, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let status = room_calendar::status(&core, &user, &room_name).await?;
        let feed = roomcal::services::room_feed::private_feed_url(&core, &user, &room_name).await?;
        Ok(convert::calendar_status(
            &core,
            &room_name,
            &status,
            Some(feed),
        ))
    })
    .await
}

/// Gives the owner's private room feed a new address; the old one stops working.
#[server]
pub async fn reset_private_feed(room_name: String) -> Result<String, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        Ok(roomcal::services::room_feed::reset_private_feed(&core, &user, &room_name).await?)
    })
    .await
}

/// Saves the settings form. An empty address keeps the current one.
#[server]
pub async fn save_calendar_settings(
    room_name: String,
    ics_url: String,
    ics_enabled: Option<String>,
    ics_fetch_interval_minutes: i64,
) -> Result<CalendarStatusDto, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let room = roomcal::services::room_lookup::owned_room(&core, &user, &room_name).await?;
        let input = room_calendar::CalendarSettingsInput {
            ics_url: Some(ics_url)
                .filter(|u| !u.trim().is_empty())
                .map(Into::into),
            ics_enabled: Some(ics_enabled.is_some()),
            ics_fetch_interval_minutes: Some(ics_fetch_interval_minutes),
        };
        let status = room_calendar::update_settings(&core, &user, &room, &input).await?;
        Ok(convert::calendar_status(&core, &room_name, &status, None))
    })
    .await
}

/// "Test connection": fetches and reads the calendar at `ics_url` (or, when empty, the
/// saved one) for this room without saving anything.
#[server]
pub async fn test_calendar_connection(
    room_name: String,
    ics_url: String,
) -> Result<FeedTestDto, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let report = if ics_url.trim().is_empty() {
            room_calendar::test_saved_url(&core, &user, &room_name).await?
        } else {
            room_calendar::test_url(&core, &user, &room_name, ics_url.trim()).await?
        };
        Ok(convert::feed_test(report))
    })
    .await
}

/// Syncs the room's calendar now; the outcome as JSON.
#[server]
pub async fn sync_calendar_now(room_name: String) -> Result<serde_json::Value, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        Ok(room_calendar::sync_now(&core, &user, &room_name)
            .await?
            .to_json())
    })
    .await
}

/// The room's last sync outcomes, newest first.
#[server]
pub async fn get_sync_log(room_name: String) -> Result<Vec<serde_json::Value>, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        Ok(room_calendar::log(&core, &user, &room_name).await?)
    })
    .await
}
