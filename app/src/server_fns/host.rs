//! Host controls: a running meeting's controls for the room's owners ("End meeting
//! now", "Keep open 30 minutes longer"), and the page of an ended meeting (reopen, or
//! "This meeting has ended" with the room's next meeting). Thin shells over
//! `roomcal::services::host_controls`.

use crate::dto::{AppError, EndedMeetingDto, HostControlsDto, ReopenedDto};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
#[cfg(feature = "ssr")]
use crate::dto::convert;

/// The parsed meeting id of a page.
#[cfg(feature = "ssr")]
fn meeting_id(text: &str) -> Result<uuid::Uuid, roomcal::CoreError> {
    roomcal::CoreError::parse_id(text, "there is no such meeting in this room")
}

/// The controls of a running meeting: `Some` for the room's owner and co-owners only
/// (decided here, on the server), `None` for everyone else and once it ended.
#[server]
pub async fn get_host_controls(
    room_name: String,
    meeting_id: String,
) -> Result<Option<HostControlsDto>, AppError> {
    ssr::run(async move {
        use roomcal::services::host_controls::controls_for;
        use roomcal::services::joining::{named, Named};
        let core = ssr::core()?;
        let Some(user) = ssr::viewer(&core).await? else {
            return Ok(None);
        };
        let room = roomcal::services::room_lookup::find_room(&core, &room_name).await?;
        let Named::Meeting(meeting) = named(&core, &room, self::meeting_id(&meeting_id)?).await?
        else {
            return Ok(None);
        };
        Ok(controls_for(&core, Some(&user), &room, &meeting).map(|c| convert::host_controls(&c)))
    })
    .await
}

/// "End meeting now" (the room's owner and co-owners).
#[server]
pub async fn end_meeting_now(room_name: String, meeting_id: String) -> Result<(), AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let id = self::meeting_id(&meeting_id)?;
        roomcal::services::host_controls::end_meeting_now(&core, &user, &room_name, id).await?;
        Ok(())
    })
    .await
}

/// "Keep open `minutes` longer" (the room's owner and co-owners); the controls after it.
#[server]
pub async fn extend_meeting(
    room_name: String,
    meeting_id: String,
    minutes: u32,
) -> Result<HostControlsDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let id = self::meeting_id(&meeting_id)?;
        let controls = roomcal::services::host_controls::extend_meeting(
            &core,
            &user,
            &room_name,
            id,
            i64::from(minutes),
        )
        .await?;
        Ok(convert::host_controls(&controls))
    })
    .await
}

/// Whether a meeting is still open (the meeting page asks on each change of the room, so
/// it turns into "ended" without a reload). Says nothing but yes or no.
#[server]
pub async fn meeting_is_open(room_name: String, meeting_id: String) -> Result<bool, AppError> {
    ssr::run(async move {
        use roomcal::services::joining::{named, Named};
        let core = ssr::core()?;
        let room = roomcal::services::room_lookup::find_room(&core, &room_name).await?;
        Ok(matches!(
            named(&core, &room, self::meeting_id(&meeting_id)?).await?,
            Named::Meeting(m) if m.is_active
        ))
    })
    .await
}

/// What the page of an ended meeting shows the viewer.
#[server]
pub async fn get_ended_meeting(
    room_name: String,
    meeting_id: String,
) -> Result<EndedMeetingDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let id = self::meeting_id(&meeting_id)?;
        let viewer = ssr::viewer(&core).await?;
        let token = ssr::knock_token(&core, id).await;
        let ended = roomcal::services::host_controls::reopen::ended_meeting(
            &core,
            viewer.as_ref(),
            token.as_deref(),
            &room_name,
            id,
        )
        .await?;
        Ok(convert::ended_meeting(&room_name, ended))
    })
    .await
}

/// "Reopen": a new meeting for the ended one's occurrence (or the one reopened already).
#[server]
pub async fn reopen_meeting(
    room_name: String,
    meeting_id: String,
) -> Result<ReopenedDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let id = self::meeting_id(&meeting_id)?;
        let viewer = ssr::viewer(&core).await?;
        let token = ssr::knock_token(&core, id).await;
        let client = ssr::client_addr().await;
        let reopened = roomcal::services::host_controls::reopen::reopen(
            &core,
            viewer.as_ref(),
            token.as_deref(),
            &room_name,
            id,
            client,
        )
        .await?;
        Ok(convert::reopened(&room_name, &reopened))
    })
    .await
}
