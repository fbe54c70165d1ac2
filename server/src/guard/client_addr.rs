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

/// The entry the nearest proxy appended: the last address of the last `X-Forwarded-For`
/// header (earlier ones are whatever the client sent). Proxies may write it with a port
/// (`203.0.113.9:4711`, `[2001:db8::1]:443`); an entry that is no address gives `None`,
/// and the peer's address is used.
fn forwarded_for(headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    let entry = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .next_back()?
        .rsplit(',')
        .next()?
        .trim();
    parse_hop(entry)
}

/// An address as proxies write it: bare, `ip:port`, `[ipv6]` or `[ipv6]:port`.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
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

    #[test]
    fn proxies_entries_are_read_with_or_without_a_port() {
        let cases = [
            ("198.51.100.4", Some("198.51.100.4")),
            ("198.51.100.4:4711", Some("198.51.100.4")),
            ("2001:db8::7", Some("2001:db8::7")),
            ("[2001:db8::7]", Some("2001:db8::7")),
            ("[2001:db8::7]:443", Some("2001:db8::7")),
            ("unknown", None),
            ("", None),
        ];
        for (entry, expected) in cases {
            let expected: Option<IpAddr> = expected.and_then(|e| e.parse().ok());
            assert_eq!(parse_hop(entry), expected, "{entry:?}");
        }
        // Two headers: the one the nearest proxy added is the last.
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", HeaderValue::from_static("10.9.9.9"));
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.4:80"),
        );
        assert_eq!(forwarded_for(&headers), "198.51.100.4".parse().ok());
    }
}
