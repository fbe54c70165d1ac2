//! Which address a request came from, for the per-client limits. The TCP peer, unless the
//! operator runs roomcal behind a proxy and says so with `--trust-forwarded-for`: then
//! the last `X-Forwarded-For` entry, the one that proxy appended (earlier entries are
//! whatever the client chose to send).

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use roomcal::services::limits::ClientAddr;
use std::net::{IpAddr, SocketAddr};

/// Puts the request's [`ClientAddr`] into its extensions for handlers and server functions.
pub async fn record_client_addr(
    trust_forwarded_for: bool,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded = trust_forwarded_for
        .then(|| forwarded_for(request.headers()))
        .flatten();
    let addr = ClientAddr(forwarded.or(peer));
    request.extensions_mut().insert(addr);
    next.run(request).await
}

/// The last address of the last `X-Forwarded-For` header, if it parses.
fn forwarded_for(headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .next_back()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn the_proxy_appended_address_is_taken_not_the_one_the_client_wrote() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.4"),
        );
        assert_eq!(forwarded_for(&headers), "198.51.100.4".parse().ok());
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        assert_eq!(forwarded_for(&headers), None);
    }
}
