//! Room access for the pages: a room's access setting (its owners), a guest's knock on a
//! meeting, and the owners' list of knocks with admit / decline. Thin shells over
//! `roomcal::services::{room_access, knocking}`.

use crate::dto::{AppError, KnockDto, KnockStatusDto, RoomAccessDto};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
#[cfg(feature = "ssr")]
use crate::dto::convert;

/// A room's access setting, for its owners.
#[server]
pub async fn get_room_access(room_name: String) -> Result<RoomAccessDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let room = roomcal::services::room_lookup::owned_room(&core, &user, &room_name).await?;
        Ok(convert::room_access(&room))
    })
    .await
}

/// Saves the access form: the mode and (for `members`) the email domains.
#[server]
pub async fn save_room_access(
    room_name: String,
    access: String,
    access_email_domains: Option<String>,
) -> Result<RoomAccessDto, AppError> {
    ssr::run(async move {
        use roomcal::services::room_access::{update_access, AccessInput};
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let room = roomcal::services::room_lookup::find_room(&core, &room_name).await?;
        let input = AccessInput {
            access: Some(access),
            access_email_domains: Some(access_email_domains.unwrap_or_default()),
        };
        let room = update_access(&core, &user, &room, &input).await?;
        Ok(convert::room_access(&room))
    })
    .await
}

/// A guest asks, as `name`, to join a meeting of a knock room. The token goes into a
/// cookie for this meeting (never into the page), which the meeting page then sends.
#[server]
pub async fn knock(
    room_name: String,
    meeting_id: String,
    name: String,
) -> Result<KnockStatusDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let id =
            roomcal::CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
        let client = ssr::client_addr().await;
        let made = roomcal::services::knocking::knock(&core, &room_name, id, &name, client).await?;
        ssr::set_cookie(
            &roomcal::services::session_cookie::SessionCookie::of(&core).set_knock(
                id,
                &made.token,
                core.settings.lifecycle.unscheduled_lifetime,
            ),
        );
        Ok(convert::knock_status(&made.knock))
    })
    .await
}

/// The knocks on a meeting, for the room's owners; `None` for everyone else (asked by
/// every meeting page, so it is no error that would set the page's status).
#[server]
pub async fn list_knocks(
    room_name: String,
    meeting_id: String,
) -> Result<Option<Vec<KnockDto>>, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let Some(user) = ssr::viewer(&core).await? else {
            return Ok(None);
        };
        let id =
            roomcal::CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
        match roomcal::services::knocking::knocks_for_owner(&core, &user, &room_name, id).await {
            Ok(knocks) => Ok(Some(knocks.iter().map(convert::knock).collect())),
            Err(roomcal::CoreError::Forbidden(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// One of the room's owners admits (`admit`: true) or declines a knock.
#[server]
pub async fn answer_knock(
    room_name: String,
    meeting_id: String,
    knock_id: String,
    admit: bool,
) -> Result<KnockDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let not_found = "there is no such request to join this meeting";
        let id = roomcal::CoreError::parse_id(&meeting_id, not_found)?;
        let knock_id = roomcal::CoreError::parse_id(&knock_id, not_found)?;
        let knock =
            roomcal::services::knocking::decide(&core, &user, &room_name, id, knock_id, admit)
                .await?;
        Ok(convert::knock(&knock))
    })
    .await
}
