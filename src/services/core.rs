//! The handle every use case takes: the store, the video platform, the clock and settings.

use crate::clock::Clock;
use crate::platform::VideoPlatform;
use crate::store::Store;
use std::sync::Arc;

/// How long closed meetings and ended occurrences are kept by default (`--retention`).
pub const DEFAULT_RETENTION: chrono::Duration = chrono::Duration::days(90);

/// Settings the use cases need (the server builds them from flags and environment).
#[derive(Debug, Clone)]
pub struct CoreSettings {
    /// The base URL people use, without a trailing slash (room URLs are built from it).
    pub public_url: String,
    /// How long a sign-in lasts.
    pub session_lifetime: chrono::Duration,
    /// Meeting lifecycle durations (lead, window, grace, overrun, lifetime, presence).
    pub lifecycle: crate::lifecycle::LifecycleSettings,
    /// Secret that signs Whereby webhooks; webhooks are refused without it.
    pub whereby_webhook_secret: Option<crate::secret::Secret>,
    /// How far ahead non-owners see a room's occurrences ([`crate::services::privacy`]).
    pub guest_horizon: chrono::Duration,
    /// Whether anyone may create an account (`--signup open`), or only the operator
    /// (`roomcal user add`).
    pub signup_open: bool,
    /// Whether email-and-password accounts sign in (`--local-accounts`); off, only the
    /// organization's provider does.
    pub local_accounts: bool,
    /// How long closed meetings and ended occurrences are kept before the lifecycle tick
    /// deletes them (see [`crate::services::retention`]).
    pub retention: chrono::Duration,
}

impl Default for CoreSettings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:3000".into(),
            session_lifetime: chrono::Duration::days(30),
            lifecycle: crate::lifecycle::LifecycleSettings::default(),
            whereby_webhook_secret: None,
            guest_horizon: crate::services::privacy::DEFAULT_GUEST_HORIZON,
            signup_open: true,
            local_accounts: true,
            retention: DEFAULT_RETENTION,
        }
    }
}

/// Shared services; cheap to clone.
#[derive(Clone)]
pub struct Core {
    /// Where everything is kept.
    pub store: Arc<dyn Store>,
    /// Creates the call room of each meeting.
    pub platform: Arc<dyn VideoPlatform>,
    /// The only source of "now" for the use cases.
    pub clock: Arc<dyn Clock>,
    /// Tunables.
    pub settings: CoreSettings,
    /// Encrypts secrets at rest (feed URLs).
    pub secrets: crate::secret::SecretBox,
    /// Syncs calendar feeds.
    pub sync: Arc<crate::sync::Syncer>,
    /// Abuse limits and their counters (shared by every request of this process).
    pub limits: Arc<crate::services::limits::Limiters>,
    /// Rooms' meeting lists as non-owners see them, kept for a moment (off by default).
    pub listings: Arc<crate::services::listing_cache::ListingCache>,
    /// The organization's OpenID provider, when sign-in with it is configured.
    pub oidc: Option<Arc<crate::services::oidc::Oidc>>,
    /// Live pages' "something changed" signals (the same bus as [`Self::sync`]'s).
    pub events: Arc<crate::events::RoomEvents>,
    /// Sends webhook attempts, and wakes the delivery worker when changes wrote some.
    pub webhooks: Arc<crate::sync::webhook_sender::WebhookSender>,
}

impl Core {
    /// The public URL of a room's page.
    pub fn room_url(&self, room_name: &str) -> String {
        format!(
            "{}/room/{}",
            self.settings.public_url.trim_end_matches('/'),
            room_name
        )
    }
}
