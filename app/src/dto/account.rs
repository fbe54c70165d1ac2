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

/// How people sign in here, for the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptionsDto {
    /// The organization's sign-in button's label, when an OpenID provider is configured.
    pub provider_label: Option<String>,
    /// Whether email-and-password accounts sign in.
    pub local_accounts: bool,
}
