//! Which address a request came from when roomcal runs behind proxies: the rule, pure.
//!
//! The operator names the proxies it trusts (`--trusted-proxies 10.0.0.0/8,::1`). A request
//! from any other peer is taken at its TCP address, whatever headers it carries: a client
//! can write anything into `Forwarded` or `X-Forwarded-For`. A request from a trusted proxy
//! is walked back hop by hop, from the one that proxy appended (the rightmost) towards the
//! client, skipping trusted proxies; the first hop that is not one is the client. Every hop
//! left of it was written by that client and is ignored. When a trusted proxy's hop is no
//! address (`unknown`, an obfuscated `_name`, garbage), the walk stops at the last address
//! it could trust: the proxy that wrote it.
//!
//! `Forwarded` (RFC 7239) is read when present, else `X-Forwarded-For`; several header
//! lines of one name are one list, in order.

use axum::http::HeaderMap;
use roomcal::sync::address::Cidr;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// No proxy: every request is taken at its TCP peer.
    pub fn none() -> Self {
        Self::default()
    }

    /// Loopback only (`127.0.0.0/8`, `::1`): a proxy on the same machine, what the old
    /// `--trust-forwarded-for` meant.
    pub fn loopback() -> Self {
        Self(
            ["127.0.0.0/8", "::1"]
                .into_iter()
                .filter_map(|block| Cidr::parse(block).ok())
                .collect(),
        )
    }

    /// These proxies and `more`'s.
    pub fn with(&self, more: &TrustedProxies) -> Self {
        let mut blocks = self.0.clone();
        blocks.extend(more.0.iter().cloned());
        Self(blocks)
    }

    /// Whether `addr` is a trusted proxy (an IPv4-mapped IPv6 address counts as its IPv4).
    pub fn trusts(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.0.iter().any(|c| c.contains(addr))
    }

    /// The client of a request from `peer` with `headers`, by the rule in the module docs.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops = if headers.contains_key("forwarded") {
            forwarded_hops(headers)
        } else {
            x_forwarded_for_hops(headers)
        };
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(addr) if self.trusts(*addr) => client = *addr,
                Some(addr) => return *addr,
                None => return client,
            }
        }
        client
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of addresses and blocks; empty means none.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|block| Cidr::parse(block.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack socket reports) as
/// its IPv4 address; anything else unchanged.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// Every header line of `name` as text, in order (lines that are not text are skipped).
fn lines<'h>(headers: &'h HeaderMap, name: &str) -> impl Iterator<Item = &'h str> {
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok())
}

/// The hops of `X-Forwarded-For`, client first; `None` for one that is no address.
fn x_forwarded_for_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    lines(headers, "x-forwarded-for")
        .flat_map(|line| line.split(','))
        .map(|hop| parse_hop(hop.trim()))
        .collect()
}

/// The `for=` of each element of `Forwarded` (RFC 7239), client first; `None` for one
/// that has no `for=` or names no address (`unknown`, `_hidden`).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    lines(headers, "forwarded")
        .flat_map(|line| line.split(','))
        .map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim().trim_matches('"').to_string())
            })
        })
        .map(|value| value.and_then(|v| parse_hop(&v)))
        .collect()
}

/// An address as proxies write it: bare, `ip:port`, `[ipv6]` or `[ipv6]:port`.
pub fn parse_hop(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(canonical(ip));
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(canonical(addr.ip()));
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn blocks_are_read_with_or_without_a_prefix_and_bad_ones_say_what_to_write() {
        let trusted: TrustedProxies = "10.0.0.0/8, 192.168.1.7, 2001:db8::/32, ::1"
            .parse()
            .expect("list");
        for (addr, expected) in [
            ("10.200.3.4", true),
            ("11.0.0.1", false),
            ("192.168.1.7", true),
            ("192.168.1.8", false),
            ("2001:db8:ffff::1", true),
            ("2001:db9::1", false),
            ("::1", true),
            ("::ffff:10.1.2.3", true),
            ("127.0.0.1", false),
        ] {
            assert_eq!(trusted.trusts(ip(addr)), expected, "{addr}");
        }
        assert_eq!("".parse::<TrustedProxies>(), Ok(TrustedProxies::none()));
        assert!("0.0.0.0/0"
            .parse::<TrustedProxies>()
            .is_ok_and(|t| t.trusts(ip("203.0.113.1"))));
        for bad in ["10.0.0.0/33", "::/129", "proxy.example", "10.0.0.0/x"] {
            let err = bad.parse::<TrustedProxies>().expect_err(bad);
            assert!(err.contains(bad.split('/').next().unwrap_or(bad)), "{err}");
        }
    }

    #[test]
    fn the_client_is_the_nearest_hop_that_is_not_a_trusted_proxy() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().expect("list");
        // (peer, headers, client)
        let cases: Vec<(&str, HeaderMap, &str)> = vec![
            // No proxy in between: the peer, whatever it claims.
            (
                "203.0.113.9",
                headers(&[("x-forwarded-for", "1.2.3.4")]),
                "203.0.113.9",
            ),
            (
                "203.0.113.9",
                headers(&[("forwarded", "for=1.2.3.4")]),
                "203.0.113.9",
            ),
            // One trusted proxy: the hop it appended.
            (
                "10.0.0.2",
                headers(&[("x-forwarded-for", "198.51.100.4")]),
                "198.51.100.4",
            ),
            // A client's forged hop left of the real one is ignored.
            (
                "10.0.0.2",
                headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.4")]),
                "198.51.100.4",
            ),
            // Two trusted proxies: walk past the inner one.
            (
                "10.0.0.2",
                headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.4, 10.0.0.9")]),
                "198.51.100.4",
            ),
            // Several header lines are one list.
            (
                "10.0.0.2",
                headers(&[
                    ("x-forwarded-for", "6.6.6.6"),
                    ("x-forwarded-for", "198.51.100.4:4711"),
                ]),
                "198.51.100.4",
            ),
            // A trusted proxy with no header: the proxy itself.
            ("10.0.0.2", HeaderMap::new(), "10.0.0.2"),
            // Every hop trusted: the leftmost.
            (
                "10.0.0.2",
                headers(&[("x-forwarded-for", "10.1.1.1, 10.0.0.9")]),
                "10.1.1.1",
            ),
            // A hop that is no address stops the walk at the proxy that wrote it.
            (
                "10.0.0.2",
                headers(&[("x-forwarded-for", "198.51.100.4, garbage")]),
                "10.0.0.2",
            ),
            (
                "10.0.0.2",
                headers(&[("x-forwarded-for", "garbage, 198.51.100.4")]),
                "198.51.100.4",
            ),
            // RFC 7239, IPv6 quoted with a port, and preferred over X-Forwarded-For.
            (
                "10.0.0.2",
                headers(&[
                    (
                        "forwarded",
                        "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https",
                    ),
                    ("x-forwarded-for", "1.2.3.4"),
                ]),
                "2001:db8:cafe::17",
            ),
            (
                "10.0.0.2",
                headers(&[("forwarded", "for=\"[::1]:80\"")]),
                "::1",
            ),
            (
                "10.0.0.2",
                headers(&[("forwarded", "proto=https;For=192.0.2.60;by=10.0.0.2")]),
                "192.0.2.60",
            ),
            (
                "10.0.0.2",
                headers(&[("forwarded", "for=unknown")]),
                "10.0.0.2",
            ),
            (
                "10.0.0.2",
                headers(&[("forwarded", "for=_hidden, for=10.0.0.7")]),
                "10.0.0.7",
            ),
            // A dual-stack socket reports IPv4 peers as mapped IPv6 addresses.
            (
                "::ffff:10.0.0.2",
                headers(&[("x-forwarded-for", "198.51.100.4")]),
                "198.51.100.4",
            ),
        ];
        for (peer, headers, client) in cases {
            assert_eq!(
                trusted.client_of(ip(peer), &headers),
                ip(client),
                "peer {peer}, {headers:?}"
            );
        }
    }

    #[test]
    fn the_old_flag_means_a_proxy_on_this_machine() {
        let loopback = TrustedProxies::loopback();
        let via = headers(&[("x-forwarded-for", "198.51.100.4")]);
        assert_eq!(
            loopback.client_of(ip("127.0.0.1"), &via),
            ip("198.51.100.4")
        );
        assert_eq!(loopback.client_of(ip("::1"), &via), ip("198.51.100.4"));
        assert_eq!(loopback.client_of(ip("192.0.2.1"), &via), ip("192.0.2.1"));
        assert_eq!(
            TrustedProxies::none().client_of(ip("127.0.0.1"), &via),
            ip("127.0.0.1")
        );
    }
}
