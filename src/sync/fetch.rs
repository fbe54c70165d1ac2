//! Fetching a calendar feed safely: timeouts, a size cap that also holds after
//! decompression, conditional GET, redirects checked hop by hop, and an SSRF guard applied
//! to the addresses actually connected to.

use super::address::AddressPolicy;
use super::dns::Resolver;
use super::guarded_resolver::{refused_host, GuardedResolver};
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::io::Read;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Time allowed for a whole fetch by default (`--feed-timeout`).
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest feed accepted by default, after decompression (`--max-feed-bytes`).
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Fetch limits and policy.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole fetch, redirects and body included.
    pub total_timeout: Duration,
    /// Redirect hops followed at most.
    pub max_redirects: usize,
    /// Largest body accepted, after decompression.
    pub max_bytes: usize,
    /// Whether `http://` feeds (and redirects to them) are allowed.
    pub allow_http: bool,
    /// Which addresses may be connected to.
    pub addresses: AddressPolicy,
    /// Host name look-ups (bounded, with a timeout), for fetches and address checks.
    pub resolver: Resolver,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_redirects: 5,
            max_bytes: DEFAULT_MAX_BYTES,
            allow_http: false,
            addresses: AddressPolicy::default(),
            resolver: Resolver::system(),
        }
    }
}

/// HTTP validators from an earlier fetch, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag` the server sent.
    pub etag: Option<String>,
    /// `Last-Modified` the server sent.
    pub last_modified: Option<String>,
}

/// A successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// New content.
    Body {
        /// The (decompressed) body.
        bytes: Vec<u8>,
        /// The final HTTP status (200).
        status: u16,
        /// Validators for the next conditional GET.
        validators: Validators,
        /// `charset` of the `Content-Type`, if given.
        charset: Option<String>,
    },
    /// 304: the content did not change since the validators were given.
    NotModified,
}

/// A failed fetch, with a message for the room owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    /// What went wrong and what to do about it.
    pub message: String,
    /// The HTTP status, when the server answered.
    pub http_status: Option<u16>,
}

impl FetchError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            http_status: None,
        }
    }
}

/// Fetches calendar feeds. Cheap to clone (shares its connection pool).
#[derive(Debug, Clone)]
pub struct Fetcher {
    /// HTTP client with the guarded resolver and no automatic redirects.
    client: reqwest::Client,
    /// Limits and policy.
    settings: Arc<FetchSettings>,
}

/// User-Agent for hosts that refuse non-browser clients (Office 365 does since 2025).
const BROWSER_USER_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
/// User-Agent everywhere else: honest about who fetches.
const PRODUCT_USER_AGENT: &str = concat!("roomcal/", env!("CARGO_PKG_VERSION"), " (calendar sync)");

impl Fetcher {
    /// A fetcher with these settings.
    pub fn new(settings: FetchSettings) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                policy: Arc::new(settings.addresses.clone()),
                resolver: settings.resolver.clone(),
            }))
            // Proxies would connect on our behalf, bypassing the address checks.
            .no_proxy()
            .build()
            .map_err(|e| FetchError::new(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            settings: Arc::new(settings),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &FetchSettings {
        &self.settings
    }

    /// Fetches `url`, conditionally when validators are given.
    pub async fn fetch(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        match tokio::time::timeout(
            self.settings.total_timeout,
            self.fetch_inner(url, validators),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(self.timed_out()),
        }
    }

    async fn fetch_inner(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        for _hop in 0..=self.settings.max_redirects {
            self.check_hop(&current)?;
            let response = self
                .client
                .get(current.clone())
                .headers(request_headers(&current, validators))
                .send()
                .await
                .map_err(|e| {
                    if e.is_timeout() {
                        self.timed_out()
                    } else {
                        describe_send_error(&current, &e)
                    }
                })?;
            let status = response.status();
            if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| FetchError {
                        message: format!("the server redirected ({status}) without saying where"),
                        http_status: Some(status.as_u16()),
                    })?;
                current = current.join(location).map_err(|_| FetchError {
                    message: "the server redirected to an invalid address".into(),
                    http_status: Some(status.as_u16()),
                })?;
                continue;
            }
            if status == reqwest::StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            if !status.is_success() {
                return Err(FetchError {
                    message: describe_status(status),
                    http_status: Some(status.as_u16()),
                });
            }
            return self.read_body(response).await;
        }
        Err(FetchError::new(format!(
            "the calendar server redirected more than {} times; check the address",
            self.settings.max_redirects
        )))
    }

    fn timed_out(&self) -> FetchError {
        FetchError::new(format!(
            "the calendar server did not answer completely within {} s; roomcal will retry at the next interval",
            self.settings.total_timeout.as_secs()
        ))
    }

    /// Checks one hop's URL before connecting: scheme, and IP-literal hosts (the resolver
    /// never sees those).
    fn check_hop(&self, url: &Url) -> Result<(), FetchError> {
        match url.scheme() {
            "https" => {}
            "http" if self.settings.allow_http => {}
            other => {
                return Err(FetchError::new(format!(
                    "refused to follow the calendar to a {other}:// address"
                )))
            }
        }
        let host = url.host_str().unwrap_or("");
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            if !self.settings.addresses.permits(host, ip) {
                return Err(refused(host));
            }
        }
        Ok(())
    }

    async fn read_body(&self, mut response: reqwest::Response) -> Result<Fetched, FetchError> {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let max = self.settings.max_bytes;
        if response
            .content_length()
            .is_some_and(|len| len as usize > max)
            && !is_compressed(&headers)
        {
            return Err(too_large(max));
        }
        let mut body = Vec::new();
        loop {
            let chunk = response.chunk().await.map_err(|e| {
                if e.is_timeout() {
                    self.timed_out()
                } else {
                    FetchError {
                        message: format!("the download broke off: {}", root_cause(&e)),
                        http_status: Some(status),
                    }
                }
            })?;
            let Some(chunk) = chunk else { break };
            if body.len() + chunk.len() > max {
                return Err(too_large(max));
            }
            body.extend_from_slice(&chunk);
        }
        // Some servers gzip the body without saying so: read it anyway, with the same cap.
        if body.starts_with(&[0x1f, 0x8b]) {
            body = gunzip_capped(&body, max)?;
        }
        Ok(Fetched::Body {
            bytes: body,
            status,
            validators: Validators {
                etag: header_text(&headers, header::ETAG),
                last_modified: header_text(&headers, header::LAST_MODIFIED),
            },
            charset: header_text(&headers, header::CONTENT_TYPE).and_then(|ct| charset_of(&ct)),
        })
    }
}

fn request_headers(url: &Url, validators: &Validators) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let browser_only = [
        "outlook.office365.com",
        "outlook.office.com",
        "outlook.live.com",
    ]
    .iter()
    .any(|h| host == *h || host.ends_with(&format!(".{h}")));
    let agent = if browser_only {
        BROWSER_USER_AGENT
    } else {
        PRODUCT_USER_AGENT
    };
    headers.insert(header::USER_AGENT, HeaderValue::from_static(agent));
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("text/calendar, text/plain;q=0.8, */*;q=0.5"),
    );
    if let Some(value) = validators
        .etag
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::IF_NONE_MATCH, value);
    }
    if let Some(value) = validators
        .last_modified
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::IF_MODIFIED_SINCE, value);
    }
    headers
}

fn is_compressed(headers: &HeaderMap) -> bool {
    headers.contains_key(header::CONTENT_ENCODING)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `text/calendar; charset="ISO-8859-1"` → `ISO-8859-1`.
fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

/// Decompresses gzip, refusing to produce more than `max` bytes (gzip bombs).
fn gunzip_capped(data: &[u8], max: usize) -> Result<Vec<u8>, FetchError> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            FetchError::new(format!(
                "the body looks gzip-compressed but is corrupt: {e}"
            ))
        })?;
    if out.len() > max {
        return Err(too_large(max));
    }
    Ok(out)
}

fn too_large(max: usize) -> FetchError {
    FetchError::new(format!(
        "the calendar is larger than the {} MiB limit; ask the operator to raise --max-feed-bytes or publish a smaller calendar",
        max / (1024 * 1024)
    ))
}

fn refused(host: &str) -> FetchError {
    FetchError::new(format!(
        "refused to connect to {host}: it is a private or local address (operators can allow intranet calendars with --allow-private-feeds or an allowlist)"
    ))
}

fn describe_status(status: reqwest::StatusCode) -> String {
    let code = status.as_u16();
    match code {
        401 | 403 => format!(
            "the calendar server refused access ({code}); the link may have been reset or is not public — copy it again from the calendar's sharing settings"
        ),
        404 | 410 => format!(
            "the calendar server answered {code}: no calendar at this address — is the link still valid? Providers change it when it is reset"
        ),
        429 => "the calendar server asks roomcal to slow down (429); it will retry at the next interval".into(),
        500..=599 => format!(
            "the calendar server failed ({code}); roomcal will retry at the next interval"
        ),
        _ => format!("the calendar server answered {code} instead of the calendar"),
    }
}

fn describe_send_error(url: &Url, err: &reqwest::Error) -> FetchError {
    let host = url.host_str().unwrap_or("the server");
    if let Some(host) = refused_host(err) {
        return refused(host);
    }
    FetchError::new(format!("could not reach {host}: {}", root_cause(err)))
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests;
