//! Accounts on the wire.

use serde::{Deserialize, Serialize};

/// A signed-in user as shown to themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserDto {
    /// Stable identifier.
    pub id: String,
    /// Email (lower-cased).
    pub email: String,
    /// Display name.
    pub name: String,
}

/// How people sign in here: the sign-in page and `GET /v1/auth/options`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignInOptionsDto {
    /// The organization's sign-in button's label, when an OpenID provider is configured.
    pub provider_label: Option<String>,
    /// Where that sign-in starts (`/auth/oidc/login`; add `?return_to=/local/path`), when
    /// a provider is configured.
    pub provider_login_path: Option<String>,
    /// Whether email-and-password accounts sign in and sign up.
    pub local_accounts: bool,
}

/// One of the caller's sessions, as the account page and `GET /v1/me/sessions` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionDto {
    /// A stable name for the session (never its token).
    pub id: String,
    /// The browser or client it signed in with (`User-Agent`), if known.
    pub device: Option<String>,
    /// When it signed in (RFC 3339, UTC).
    pub created_at: String,
    /// When it was last used, to the nearest five minutes.
    pub last_used_at: String,
    /// When it ends by itself.
    pub expires_at: String,
    /// Whether it is the session asking.
    pub current: bool,
}
