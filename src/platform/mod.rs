//! Video platforms: each creates the call room a meeting's participants open.

mod whereby;

pub use whereby::{verify_webhook_signature, WebhookEvent, WherebyPlatform};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rand::RngCore;

pub use crate::domain::CallRoom;

/// What a platform needs to create a call.
#[derive(Debug, Clone)]
pub struct CallRequest {
    /// The roomcal room the call belongs to (used as a readable prefix).
    pub room_name: String,
    /// When the call is expected to start.
    pub start: DateTime<Utc>,
    /// When the call should end at the latest.
    pub end: DateTime<Utc>,
}

/// A platform failure, with a message for the room owner.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PlatformError(pub String);

/// A video platform that hosts calls.
#[async_trait]
pub trait VideoPlatform: Send + Sync {
    /// Short name stored with each meeting (e.g. `jitsi`).
    fn name(&self) -> &'static str;
    /// Creates the call room for a meeting.
    async fn create_call(&self, request: &CallRequest) -> Result<CallRoom, PlatformError>;
    /// Ends the call room when the meeting closes, where the platform supports it.
    async fn end_call(&self, _call: &CallRoom) -> Result<(), PlatformError> {
        Ok(())
    }
    /// Where meeting pages embed its calls from: a URL whose origin is used, or a
    /// Content-Security-Policy source (`https://*.whereby.com`). Any https site by default.
    fn frame_source(&self) -> String {
        "https:".into()
    }
}

/// Jitsi Meet: a call room is just a URL with a name nobody can guess; no API call.
#[derive(Debug, Clone)]
pub struct JitsiPlatform {
    /// Base URL of the Jitsi deployment, without a trailing slash.
    base_url: String,
}

impl JitsiPlatform {
    /// A Jitsi platform at `base_url` (e.g. `https://meet.jit.si`).
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl VideoPlatform for JitsiPlatform {
    fn name(&self) -> &'static str {
        "jitsi"
    }

    fn frame_source(&self) -> String {
        self.base_url.clone()
    }

    async fn create_call(&self, request: &CallRequest) -> Result<CallRoom, PlatformError> {
        // 128 random bits: the call's only protection on a public Jitsi is that nobody can
        // guess its name.
        let mut secret = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut secret);
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("roomcal-{}-{hex}", request.room_name);
        Ok(CallRoom {
            participant_url: format!("{}/{name}", self.base_url),
            host_url: None,
            platform_meeting_id: Some(name),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CallRequest {
        CallRequest {
            room_name: "standup".into(),
            start: Utc::now(),
            end: Utc::now(),
        }
    }

    #[tokio::test]
    async fn jitsi_calls_live_under_the_configured_base_url() {
        let call = JitsiPlatform::new("http://127.0.0.1:9/stub/")
            .create_call(&request())
            .await
            .expect("jitsi never fails");
        assert!(call
            .participant_url
            .starts_with("http://127.0.0.1:9/stub/roomcal-standup-"));
    }

    #[tokio::test]
    async fn two_jitsi_calls_of_one_room_get_different_unguessable_names() {
        let platform = JitsiPlatform::new("https://meet.jit.si");
        let a = platform.create_call(&request()).await.expect("a");
        let b = platform.create_call(&request()).await.expect("b");
        assert_ne!(a.participant_url, b.participant_url);
        let suffix = a.participant_url.rsplit('-').next().unwrap_or_default();
        assert_eq!(suffix.len(), 32, "128 bits of randomness in hex");
    }
}
