//! Sign-in with the organization's OpenID provider (Keycloak, Authentik, Entra ID, Google
//! Workspace): the authorization code flow with PKCE (S256), `state` and `nonce`, the
//! provider found by discovery, its keys fetched again once when a token names a key it
//! did not list (rotation), and the ID token checked for issuer, audience, authorized
//! party, expiry, issue time and signature.
//!
//! A person is known by the provider's issuer and their `sub` ([`crate::store::AccountStore`]
//! identities). Who may sign in: `--oidc-allowed-email-domains` (by the verified email) and
//! `--oidc-required-group` (a value of the groups claim). What the browser carries between
//! leaving for the provider and coming back is sealed with the server's key
//! ([`PendingLogin`]), so any instance can finish a sign-in another one began.

mod flow;
mod pending;
mod return_to;

pub use flow::{begin, finish, link, logout_url, CallbackQuery, Finished, Started};
pub use pending::{PendingLink, PendingLogin, Sealed};
pub use return_to::local_return_to;

use crate::secret::Secret;
use openidconnect::ProviderMetadataWithLogout;
use tokio::sync::RwLock;

/// Where sign-in with the provider starts (`?return_to=/local/path` comes back there).
pub const LOGIN_PATH: &str = "/auth/oidc/login";

/// The scopes asked for unless `--oidc-scopes` says otherwise.
pub const DEFAULT_SCOPES: &str = "openid email profile";
/// The claim groups are read from unless `--oidc-groups-claim` says otherwise.
pub const DEFAULT_GROUPS_CLAIM: &str = "groups";
/// The sign-in button's label unless `--oidc-button-label` says otherwise.
pub const DEFAULT_BUTTON_LABEL: &str = "Sign in with your organization";
/// How long a started sign-in may take at the provider before it must start again.
pub const LOGIN_TIMEOUT: chrono::Duration = chrono::Duration::minutes(10);
/// How long the provider's answers may take.
const PROVIDER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How roomcal is registered at the provider, and who may sign in.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The provider's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`).
    pub issuer: String,
    /// roomcal's client id there.
    pub client_id: String,
    /// roomcal's client secret there (from a file or the environment, never a flag value
    /// on the command line others can read with `ps`).
    pub client_secret: Secret,
    /// Scopes asked for, space-separated (must include `openid`).
    pub scopes: Vec<String>,
    /// Email domains that may sign in (lower-case); empty: any.
    pub allowed_email_domains: Vec<String>,
    /// The group a person must be in, if any.
    pub required_group: Option<String>,
    /// The ID token claim the groups are read from.
    pub groups_claim: String,
    /// The sign-in button's label.
    pub button_label: String,
}

/// The provider roomcal signs people in with, and what it learned of it.
pub struct Oidc {
    /// The settings.
    pub settings: OidcSettings,
    /// The provider's discovered metadata with its keys; fetched on first use (the provider
    /// may be down when roomcal starts) and again when a token names an unknown key.
    metadata: RwLock<Option<ProviderMetadataWithLogout>>,
    /// Talks to the provider: no redirects followed, bounded time.
    http: openidconnect::reqwest::Client,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.settings.issuer)
            .field("client_id", &self.settings.client_id)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    /// A provider client for `settings`; nothing is fetched yet.
    pub fn new(settings: OidcSettings) -> Result<Self, String> {
        openidconnect::IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| format!("--oidc-issuer is not a URL ({e}); write the provider's issuer, e.g. https://sso.example.org/realms/staff"))?;
        if !settings.scopes.iter().any(|s| s == "openid") {
            return Err("--oidc-scopes must include openid".into());
        }
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Oidc {
            settings,
            metadata: RwLock::new(None),
            http,
        })
    }
}

/// Why a sign-in with the provider did not happen; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense.
    #[error("the sign-in provider cannot be reached right now ({0}); try again in a few minutes, or ask your administrator")]
    ProviderDown(String),
    /// The browser came back without the sign-in it started here, or with another one.
    #[error("this sign-in link is not the one this browser started, or it expired; start signing in again")]
    StateMismatch,
    /// The provider said no (the person cancelled, or the provider refused).
    #[error("the sign-in provider did not sign you in: {0}; start signing in again")]
    Refused(String),
    /// The code could not be exchanged (used already, expired).
    #[error("the sign-in could not be completed ({0}); start signing in again")]
    Exchange(String),
    /// The ID token failed a check.
    #[error("the sign-in provider's answer failed a check ({0}); start signing in again, and tell your administrator if it keeps happening")]
    BadToken(String),
    /// The email's domain may not sign in here.
    #[error("accounts of {0} cannot sign in here; use your organization's account")]
    DomainNotAllowed(String),
    /// The person is not in the required group.
    #[error("your account is not in the group allowed to use roomcal; ask your administrator to add you")]
    NotInGroup,
    /// The provider gave no (verified) email where one is needed.
    #[error("the sign-in provider did not give a verified email address; ask your administrator to share a verified email with roomcal")]
    NoVerifiedEmail,
    /// A local account has this email, but the provider does not vouch for it.
    #[error("an account with this email exists here, but the sign-in provider does not say the email is verified, so it cannot be linked; sign in with your password instead")]
    LinkUnverified,
    /// The link offer is missing or lapsed.
    #[error("this link offer has expired; sign in with your organization's account again")]
    LinkExpired,
    /// Anything below (the database).
    #[error(transparent)]
    Core(#[from] crate::CoreError),
}
