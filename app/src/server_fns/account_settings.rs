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

/// Deletes the caller's account (`confirm`: its email) and goes home.
#[server]
pub async fn delete_account(confirm: String) -> Result<(), AppError> {
    ssr::run(async move {
        use roomcal::services::account_settings;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        account_settings::delete_account(&core, &user, &confirm).await?;
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
