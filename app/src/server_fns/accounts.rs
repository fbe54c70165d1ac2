//! Accounts: who is signed in, signing up, in and out.

use crate::dto::{AppError, SignInOptionsDto, UserDto};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// The signed-in user, or `None`.
#[server]
pub async fn get_me() -> Result<Option<UserDto>, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        Ok(ssr::viewer(&core).await?.as_ref().map(UserDto::from))
    })
    .await
}

/// How people sign in here: the organization's provider (its button's label) and
/// whether email-and-password accounts do.
#[server]
pub async fn sign_in_options() -> Result<SignInOptionsDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        Ok(crate::dto::convert::sign_in_options(&core))
    })
    .await
}

/// Creates an account, signs it in and goes to `return_to` (a page of this site) or "my rooms".
#[server]
pub async fn sign_up(
    email: String,
    name: String,
    password: String,
    return_to: Option<String>,
) -> Result<UserDto, AppError> {
    ssr::run(async move {
        use roomcal::services::accounts;
        let core = ssr::core()?;
        let signed_in = accounts::sign_up(
            &core,
            &accounts::SignUp {
                email,
                name,
                password: password.into(),
            },
            ssr::client_addr().await,
        )
        .await?;
        ssr::signed_in(&core, &signed_in, return_to.as_deref()).await;
        Ok(UserDto::from(&signed_in.user))
    })
    .await
}

/// Signs in and goes to `return_to` (a page of this site) or "my rooms".
#[server]
pub async fn sign_in(
    email: String,
    password: String,
    return_to: Option<String>,
) -> Result<UserDto, AppError> {
    ssr::run(async move {
        use roomcal::services::accounts;
        let core = ssr::core()?;
        let client = ssr::client_addr().await;
        let signed_in = accounts::sign_in(&core, &email, &password, client).await?;
        ssr::signed_in(&core, &signed_in, return_to.as_deref()).await;
        Ok(UserDto::from(&signed_in.user))
    })
    .await
}

/// Signs out and goes home; someone who signed in with the organization's provider goes
/// by its sign-out page first, so the provider's session ends too.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    ssr::run(async move {
        use roomcal::services::{accounts, oidc};
        let core = ssr::core()?;
        let mut next = None;
        if let Some(token) = ssr::session_token().await {
            if let Some(user) = accounts::current_user(&core, Some(&token)).await? {
                next = oidc::logout_url(&core, &user).await;
            }
            accounts::sign_out(&core, &token).await?;
        }
        ssr::signed_out(&core);
        leptos_axum::redirect(next.as_deref().unwrap_or("/"));
        Ok(())
    })
    .await
}
