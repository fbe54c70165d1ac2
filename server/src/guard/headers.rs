//! Response headers that make the browser a second line of defence: a Content-Security-
//! Policy (pages get one with the nonce Leptos puts on its inline scripts), no framing of
//! roomcal by other sites, no MIME sniffing, no Referer leaving the site, and no caching
//! of anything that depends on who is asking.

use axum::extract::Request;
use axum::http::header::{
    HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of responses that are not pages (JSON, assets): they load nothing, and
/// nobody may frame them.
const NON_PAGE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The Content-Security-Policy of a page whose inline scripts carry `nonce`. WASM needs
/// `'wasm-unsafe-eval'` to compile; Tailwind's stylesheet is served from the site; the
/// call is embedded from `frame_src` (the video platform's origin).
pub fn page_policy(nonce: &str, frame_src: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-src {frame_src}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; \
         object-src 'none'"
    )
}

/// Where the video platform's calls are embedded from, for `frame-src`: the origin of a
/// URL (`https://meet.jit.si`), or the value itself when it is already a source expression.
pub fn frame_source(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(url) if url.host_str().is_some() => url.origin().ascii_serialization(),
        _ => base_url.to_string(),
    }
}

/// Whether the response to `path` depends on who asks (pages, server functions, `/v1`),
/// as opposed to the built assets under `/pkg` and public files.
fn is_viewer_dependent(path: &str, content_type: Option<&HeaderValue>) -> bool {
    let html_or_json = content_type
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    !path.starts_with("/pkg/")
        && (html_or_json || path.starts_with("/v1/") || path.starts_with("/api/"))
}

/// Adds the headers to every response (a page's own CSP, set while rendering, is kept).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let viewer_dependent = is_viewer_dependent(&path, response.headers().get("content-type"));
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, X_FRAME_OPTIONS, "DENY");
    set(headers, REFERRER_POLICY, "no-referrer");
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        set(headers, CONTENT_SECURITY_POLICY, NON_PAGE_POLICY);
    }
    if viewer_dependent {
        set(headers, CACHE_CONTROL, "private, no-store");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_is_framed_from_the_platforms_origin_only() {
        assert_eq!(
            frame_source("https://meet.jit.si/some/path"),
            "https://meet.jit.si"
        );
        assert_eq!(
            frame_source("http://127.0.0.1:9/call"),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            frame_source("https://*.whereby.com"),
            "https://*.whereby.com"
        );
        let policy = page_policy("abc", "https://meet.jit.si");
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-src https://meet.jit.si;"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn assets_may_be_cached_but_pages_and_api_answers_may_not() {
        let html = HeaderValue::from_static("text/html; charset=utf-8");
        let wasm = HeaderValue::from_static("application/wasm");
        assert!(is_viewer_dependent("/room/standup", Some(&html)));
        assert!(is_viewer_dependent("/v1/rooms", None));
        assert!(!is_viewer_dependent("/pkg/roomcal.wasm", Some(&wasm)));
        assert!(!is_viewer_dependent("/favicon.ico", None));
    }
}
