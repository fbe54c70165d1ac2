//! The account page and the room's deletion: thin shells over
//! `roomcal::services::account_settings`.

use crate::dto::{AppError, SessionDto};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// The caller's sessions, newest first.
#[server]
pub async fn my_sessions() -> Result<Vec<SessionDto>, AppError> {
    ssr::run(async move {
        use roomcal::services::account_settings;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let token = ssr::session_token().await.unwrap_or_default();
        let sessions = account_settings::sessions(&core, &user, &token).await?;
        Ok(sessions.into_iter().map(SessionDto::from).collect())
    })
    .await
}

/// Changes the password; the caller's other sessions end.
#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    ssr::run(async move {
        use roomcal::services::account_settings;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let token = ssr::session_token().await.unwrap_or_default();
        let client = ssr::client_addr().await;
        account_settings::change_password(
            &core,
            &user,
            &token,
            &current_password,
            &new_password,
            client,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Signs out everywhere and goes home.
#[server]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    ssr::run(async move {
        use roomcal::services::account_settings;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        account_settings::sign_out_everywhere(&core, &user).await?;
        ssr::signed_out(&core);
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// What becomes of one of the caller's rooms if the account is deleted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoomFateDto {
    /// The room's name.
    pub room: String,
    /// The email of the co-owner it goes to when handed over; `None`: deleted.
    pub handed_to: Option<String>,
}

/// What becomes of each of the caller's rooms when it leaves handing rooms over (a room
/// without a co-owner is deleted either way).
#[server]
pub async fn rooms_on_leaving() -> Result<Vec<RoomFateDto>, AppError> {
    ssr::run(async move {
        use roomcal::services::account_settings::{self, LeavingRooms};
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let fates = account_settings::fates_of_rooms(&core, &user, LeavingRooms::HandOver).await?;
        Ok(fates
            .into_iter()
            .map(|f| RoomFateDto {
                room: f.room,
                handed_to: f.handed_to.map(|c| c.email),
            })
            .collect())
    })
    .await
}

/// Deletes the caller's account (`confirm`: its email) and goes home; `rooms` is
/// `hand_over` (each room with a co-owner goes to its longest-standing one) or anything
/// else (the rooms are deleted).
#[server]
pub async fn delete_account(confirm: String, rooms: Option<String>) -> Result<(), AppError> {
    ssr::run(async move {
        use roomcal::services::account_settings::{self, LeavingRooms};
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let choice = match rooms.as_deref() {
            Some("hand_over") => LeavingRooms::HandOver,
            _ => LeavingRooms::Delete,
        };
        account_settings::delete_account(&core, &user, &confirm, choice).await?;
        ssr::signed_out(&core);
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// Deletes the caller's room `room` (`confirm`: its name) and goes to "my rooms".
#[server]
pub async fn delete_room(room: String, confirm: String) -> Result<(), AppError> {
    ssr::run(async move {
        use roomcal::services::account_settings;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        account_settings::delete_room(&core, &user, &room, &confirm).await?;
        leptos_axum::redirect("/rooms");
        Ok(())
    })
    .await
}
