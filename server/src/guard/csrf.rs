//! Cross-site request forgery guard. Session cookies are `SameSite=Lax`, so browsers do not
//! send them on cross-site POSTs; this middleware adds a second wall for browsers that
//! ignore SameSite: a state-changing request whose `Origin` (or `Sec-Fetch-Site`) says it
//! came from another site is refused. Non-browser clients send neither and pass.

use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses cross-site state-changing requests with 403.
pub async fn reject_cross_site_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && is_cross_site(&request) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({"error": {
                "code": "cross_site",
                "message": "cross-site requests cannot change anything here; use the site itself",
            }})),
        )
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        return origin_host(origin) != Some(host);
    }
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
}

/// `https://example.com:8443` → `example.com:8443`; `null` → `None`.
fn origin_host(origin: &str) -> Option<&str> {
    origin
        .split_once("://")
        .map(|(_, host)| host.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn post(origin: Option<&str>, host: &str) -> Request {
        let mut builder = Request::builder()
            .method("POST")
            .uri("/v1/rooms")
            .header(HOST, host);
        if let Some(origin) = origin {
            builder = builder.header(ORIGIN, origin);
        }
        builder.body(Body::empty()).expect("request")
    }

    #[test]
    fn a_post_from_another_origin_is_cross_site() {
        assert!(is_cross_site(&post(
            Some("https://evil.example"),
            "rooms.example.com"
        )));
        assert!(is_cross_site(&post(Some("null"), "rooms.example.com")));
    }

    #[test]
    fn a_post_from_the_same_origin_or_without_origin_passes() {
        assert!(!is_cross_site(&post(
            Some("http://127.0.0.1:3000"),
            "127.0.0.1:3000"
        )));
        assert!(!is_cross_site(&post(None, "127.0.0.1:3000")));
    }
}
