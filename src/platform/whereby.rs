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

    fn frame_source(&self) -> String {
        // Whereby rooms live on the customer's subdomain.
        "https://*.whereby.com".into()
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

/// How old a signed webhook may be (replays of older ones are refused).
const WEBHOOK_TOLERANCE_SECS: i64 = 300;

/// Checks a `Whereby-Signature` header (`t=<unix time>,v1=<hex HMAC-SHA256>`) over
/// `"<t>.<raw body>"` with the webhook secret, and that it is recent.
pub fn verify_webhook_signature(
    secret: &str,
    header: &str,
    body: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    use hmac::{Hmac, Mac};
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.push(sig.to_string()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("the signature has no timestamp")?;
    if (now.timestamp() - timestamp).abs() > WEBHOOK_TOLERANCE_SECS {
        return Err("the signature is too old (or from the future)".into());
    }
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| "the webhook secret is unusable")?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    let matches = signatures.iter().any(|sig| {
        decode_hex(sig).is_some_and(|bytes| {
            // Constant-time comparison: no timing hints about the right signature.
            bytes.len() == expected.len()
                && bytes
                    .iter()
                    .zip(expected.iter())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
    });
    if matches {
        Ok(())
    } else {
        Err("the signature does not match".into())
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A Whereby webhook event, the fields roomcal uses.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookEvent {
    /// `room.client.joined`, `room.client.left`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The event's details.
    pub data: WebhookData,
}

/// Details of a webhook event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookData {
    /// The Whereby meeting id (the platform meeting id roomcal stored).
    pub meeting_id: Option<String>,
    /// The participant, when the event is about one.
    pub participant_id: Option<String>,
    /// The participant's display name.
    pub display_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use hmac::{Hmac, Mac};

    fn sign(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("t={t},v1={hex}")
    }

    #[test]
    fn a_correctly_signed_recent_webhook_is_accepted_and_anything_else_refused() {
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("t");
        let body = br#"{"type":"room.client.joined","data":{}}"#;
        let t = now.timestamp();
        assert!(verify_webhook_signature("s3cret", &sign("s3cret", t, body), body, now).is_ok());
        assert!(verify_webhook_signature("other", &sign("s3cret", t, body), body, now).is_err());
        assert!(verify_webhook_signature("s3cret", &sign("s3cret", t, body), b"{}", now).is_err());
        assert!(
            verify_webhook_signature("s3cret", &sign("s3cret", t - 301, body), body, now).is_err()
        );
        assert!(verify_webhook_signature("s3cret", "v1=abcd", body, now).is_err());
        assert!(verify_webhook_signature("s3cret", "", body, now).is_err());
    }

    #[test]
    fn room_name_prefixes_keep_only_letters_and_digits() {
        assert_eq!(prefix_of("team-standup"), "teamstandup");
        assert_eq!(prefix_of("---"), "roomcal");
    }
}
