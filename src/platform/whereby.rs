//! Whereby: call rooms made through its REST API (`POST /meetings`, `DELETE /meetings/{id}`),
//! with an API key. The API's base URL is configurable so tests point it at a local server
//! that speaks the same API.

use super::{CallRequest, CallRoom, PlatformError, VideoPlatform};
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

/// A Whereby account.
#[derive(Clone)]
pub struct WherebyPlatform {
    /// HTTP client with timeouts.
    client: reqwest::Client,
    /// API base, e.g. `https://api.whereby.dev/v1`.
    api_url: String,
    /// The account's API key (a bearer token).
    api_key: String,
}

impl std::fmt::Debug for WherebyPlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WherebyPlatform")
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

/// The fields of Whereby's create-meeting answer roomcal uses.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatedMeeting {
    /// Whereby's id, for deleting the meeting later.
    meeting_id: String,
    /// The URL participants open.
    room_url: String,
    /// The URL the host opens.
    host_room_url: Option<String>,
}

impl WherebyPlatform {
    /// A client for the API at `api_url` with `api_key`.
    pub fn new(api_url: &str, api_key: &str) -> Result<Self, PlatformError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| PlatformError(format!("cannot build the Whereby client: {e}")))?;
        Ok(Self {
            client,
            api_url: api_url.trim_end_matches('/').to_string(),
            api_key: api_key.to_string(),
        })
    }
}

/// Whereby room-name prefixes are lowercase letters and digits.
fn prefix_of(room_name: &str) -> String {
    let prefix: String = room_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(30)
        .collect();
    if prefix.is_empty() {
        "roomcal".into()
    } else {
        prefix
    }
}

#[async_trait]
impl VideoPlatform for WherebyPlatform {
    fn name(&self) -> &'static str {
        "whereby"
    }

    async fn create_call(&self, request: &CallRequest) -> Result<CallRoom, PlatformError> {
        let body = serde_json::json!({
            "endDate": request.end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "roomNamePrefix": prefix_of(&request.room_name),
            "roomMode": "normal",
            "fields": ["hostRoomUrl"],
        });
        let response = self
            .client
            .post(format!("{}/meetings", self.api_url))
            .bearer_auth(&self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| PlatformError(format!("Whereby could not be reached: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            let hint = match status.as_u16() {
                401 | 403 => " — check the Whereby API key",
                429 => " — Whereby rate-limits this account; retrying next tick",
                _ => "",
            };
            return Err(PlatformError(format!(
                "Whereby refused to create the meeting ({status}){hint}"
            )));
        }
        let created: CreatedMeeting = response
            .json()
            .await
            .map_err(|e| PlatformError(format!("Whereby answered something unexpected: {e}")))?;
        Ok(CallRoom {
            participant_url: created.room_url,
            host_url: created.host_room_url,
            platform_meeting_id: Some(created.meeting_id),
        })
    }

    async fn end_call(&self, call: &CallRoom) -> Result<(), PlatformError> {
        let Some(id) = &call.platform_meeting_id else {
            return Ok(());
        };
        let response = self
            .client
            .delete(format!("{}/meetings/{id}", self.api_url))
            .bearer_auth(&self.api_key)
            .send()
            .await
            .map_err(|e| PlatformError(format!("Whereby could not be reached: {e}")))?;
        // 404: already gone (deleted by hand or expired) — the goal is reached.
        if response.status().is_success() || response.status().as_u16() == 404 {
            Ok(())
        } else {
            Err(PlatformError(format!(
                "Whereby refused to delete the meeting ({})",
                response.status()
            )))
        }
    }
}
