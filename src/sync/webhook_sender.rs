//! Sending one webhook attempt: a signed POST through the SSRF guard (every attempt is
//! resolved and checked again, so DNS rebinding reaches nothing private), redirects not
//! followed, a 10 s limit, and the first 1 KB of the answer kept for the delivery log.

use crate::sync::address::AddressPolicy;
use crate::sync::dns::Resolver;
use crate::sync::guarded_resolver::{refused_host, GuardedResolver};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use url::Url;

/// How long one attempt may take, connection and answer included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a receiver's answer the delivery log keeps.
pub const RESPONSE_KEPT: usize = 1024;
/// What refused targets are told to do.
const PRIVATE_HINT: &str = "webhooks are sent only to public addresses (operators can allow intranet receivers with --allow-private-webhooks)";

pub use crate::domain::webhooks::Attempt;

impl Attempt {
    /// Whether the receiver took it (any 2xx).
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// One signed message, ready to send.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// The endpoint's URL.
    pub url: &'a str,
    /// `webhook-id`.
    pub id: &'a str,
    /// `webhook-timestamp` (Unix seconds).
    pub timestamp: i64,
    /// `webhook-signature`.
    pub signature: &'a str,
    /// The JSON body.
    pub body: &'a str,
}

/// Sends webhook attempts; also the doorbell that wakes the delivery worker when a
/// change wrote new deliveries. Cheap to share.
#[derive(Debug)]
pub struct WebhookSender {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    wake: Notify,
}

impl WebhookSender {
    /// A sender connecting only where `policy` permits.
    pub fn new(policy: AddressPolicy, resolver: Resolver) -> Result<Self, String> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .connect_timeout(ATTEMPT_TIMEOUT)
            .timeout(ATTEMPT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
                resolver,
            }))
            .no_proxy()
            .user_agent(concat!(
                "roomcal/",
                env!("CARGO_PKG_VERSION"),
                " (webhooks)"
            ))
            .build()
            .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?;
        Ok(Self {
            client,
            policy,
            wake: Notify::new(),
        })
    }

    /// The address policy in use.
    pub fn policy(&self) -> &AddressPolicy {
        &self.policy
    }

    /// Tells the worker new deliveries are waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits until [`Self::wake`] is called (or was called since the last wait).
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Sends one attempt; never fails, the outcome says what happened.
    pub async fn send(&self, message: &Message<'_>) -> Attempt {
        let started = Instant::now();
        let mut attempt = match tokio::time::timeout(ATTEMPT_TIMEOUT, self.post(message)).await {
            Ok(attempt) => attempt,
            Err(_) => Attempt {
                error: Some(format!(
                    "the receiver did not answer within {} s",
                    ATTEMPT_TIMEOUT.as_secs()
                )),
                ..Attempt::default()
            },
        };
        attempt.latency_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        attempt
    }

    async fn post(&self, message: &Message<'_>) -> Attempt {
        let url = match check_target(message.url, &self.policy) {
            Ok(url) => url,
            Err(error) => return failed(error),
        };
        let response = self
            .client
            .post(url.clone())
            .header("content-type", "application/json")
            .header("webhook-id", message.id)
            .header("webhook-timestamp", message.timestamp.to_string())
            .header("webhook-signature", message.signature)
            .body(message.body.to_string())
            .send()
            .await;
        let mut response = match response {
            Ok(response) => response,
            Err(err) => return failed(describe_send_error(&url, &err)),
        };
        let status = response.status();
        let mut kept = Vec::new();
        while kept.len() < RESPONSE_KEPT {
            match response.chunk().await {
                Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
                _ => break,
            }
        }
        kept.truncate(RESPONSE_KEPT);
        let error = if status.is_redirection() {
            Some(format!(
                "the receiver redirected ({}); roomcal does not follow redirects — give the final address",
                status.as_u16()
            ))
        } else if !status.is_success() {
            Some(format!("the receiver answered {}", status.as_u16()))
        } else {
            None
        };
        Attempt {
            status: Some(status.as_u16()),
            latency_ms: 0,
            response: Some(String::from_utf8_lossy(&kept).into_owned()),
            error,
        }
    }
}

fn failed(error: String) -> Attempt {
    Attempt {
        error: Some(error),
        ..Attempt::default()
    }
}

/// The URL of an endpoint if it may be sent to: `http` or `https`, a host, and — for an IP
/// literal, which the guarded resolver never sees — an address `policy` permits. Host
/// names are checked on every connection by the resolver.
pub fn check_target(url: &str, policy: &AddressPolicy) -> Result<Url, String> {
    let parsed = Url::parse(url.trim())
        .map_err(|_| "give a full address such as https://hooks.example.com/roomcal".to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("the address must start with https:// (or http://)".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "put credentials in the path or query, not before the host (user:pass@)".into(),
        );
    }
    let host = parsed.host_str().unwrap_or("");
    if host.is_empty() {
        return Err("the address has no host".into());
    }
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        if !policy.permits(host, ip) {
            return Err(format!(
                "{host} is a private or local address: {PRIVATE_HINT}"
            ));
        }
    }
    if !policy.may_resolve(host) {
        return Err(format!("{host} is not on this roomcal's allowlist"));
    }
    Ok(parsed)
}

fn describe_send_error(url: &Url, err: &reqwest::Error) -> String {
    let host = url.host_str().unwrap_or("the receiver");
    if let Some(host) = refused_host(err) {
        return format!("{host} resolves only to private or local addresses: {PRIVATE_HINT}");
    }
    if err.is_timeout() {
        return format!(
            "the receiver did not answer within {} s",
            ATTEMPT_TIMEOUT.as_secs()
        );
    }
    let mut cause: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    format!("could not reach {host}: {cause}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_targets_are_refused_unless_the_operator_allows_them() {
        let guarded = AddressPolicy::default();
        for url in [
            "http://127.0.0.1:9000/hook",
            "http://[::1]/hook",
            "https://10.1.2.3/hook",
            "https://169.254.169.254/latest/meta-data",
            "http://[::ffff:192.168.0.1]/x",
        ] {
            let err = check_target(url, &guarded).unwrap_err();
            assert!(err.contains("--allow-private-webhooks"), "{url}: {err}");
        }
        let open = AddressPolicy {
            allow_private: true,
            ..AddressPolicy::default()
        };
        assert!(check_target("http://127.0.0.1:9000/hook", &open).is_ok());
        assert!(check_target("https://hooks.example.com/x", &guarded).is_ok());
    }

    #[test]
    fn only_http_addresses_without_credentials_are_taken() {
        let policy = AddressPolicy::default();
        assert!(check_target("ftp://example.com/x", &policy).is_err());
        assert!(check_target("https://user:pw@example.com/x", &policy).is_err());
        assert!(check_target("example.com/hook", &policy).is_err());
    }

    #[test]
    fn only_a_2xx_answer_counts_as_delivered() {
        let with = |status| Attempt {
            status: Some(status),
            ..Attempt::default()
        };
        assert!(with(200).succeeded() && with(204).succeeded());
        assert!(!with(301).succeeded() && !with(500).succeeded());
        assert!(!Attempt::default().succeeded());
    }
}
