//! SSRF guard: which addresses a calendar fetch may connect to. Checked on the addresses
//! actually connected to (the fetcher's resolver filters them), for every redirect hop.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An IP network such as `10.0.0.0/8` or `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// Network address.
    network: IpAddr,
    /// Prefix length in bits.
    prefix: u8,
}

impl Cidr {
    /// Parses `ADDR/PREFIX` or a bare address (a single host).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("\"{text}\" is not an IP address or CIDR"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("\"{text}\" has an invalid prefix length"))?,
            None => max,
        };
        Ok(Self { network, prefix })
    }

    /// Whether `ip` is inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// What the fetcher may connect to.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    /// Turns the guard off (tests, intranet calendars): `--allow-private-feeds`.
    pub allow_private: bool,
    /// Host names always allowed (exact, case-insensitive), e.g. an intranet calendar.
    pub allowed_hosts: Vec<String>,
    /// Networks always allowed.
    pub allowed_networks: Vec<Cidr>,
    /// Fetch only from the allowlist, public hosts included (`--feed-allowlist-only`): for
    /// closed networks, and for fuzzing without traffic leaving the machine. Host names
    /// not on the list are refused before they are even looked up.
    pub only_allowlisted: bool,
}

impl AddressPolicy {
    /// Whether a fetch may connect to `ip` (reached through host name `host`).
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        let listed =
            self.host_is_allowed(host) || self.allowed_networks.iter().any(|n| n.contains(ip));
        if self.only_allowlisted {
            return listed;
        }
        self.allow_private || listed || !is_non_public(ip)
    }

    /// Whether host name `host` may be looked up at all (always, unless only the
    /// allowlist is fetched from and the name is not on it).
    pub fn may_resolve(&self, host: &str) -> bool {
        !self.only_allowlisted || self.host_is_allowed(host)
    }

    /// Whether `host` is on the allowlist by name.
    pub fn host_is_allowed(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host.trim_end_matches('.')))
    }
}

/// Whether `ip` is not a public internet address: loopback, private (RFC 1918), link-local
/// (incl. cloud metadata 169.254.169.254), CGNAT, multicast, unspecified, broadcast,
/// reserved, IPv6 ULA/link-local, and IPv4 embedded in IPv6 (mapped, compatible, NAT64, 6to4)
/// judged by the embedded address.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_non_public_v4(v4),
        IpAddr::V6(v6) => is_non_public_v6(v6),
    }
}

fn is_non_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn is_non_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_non_public_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (first & 0xffc0) == 0xfec0 // deprecated site-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
}

/// The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new(
        (s[6] >> 8) as u8,
        (s[6] & 0xff) as u8,
        (s[7] >> 8) as u8,
        (s[7] & 0xff) as u8,
    );
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return Some(tail); // IPv4-compatible ::a.b.c.d
    }
    if s[0] == 0x0064 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return Some(tail); // NAT64 64:ff9b::/96
    }
    if s[0] == 0x2002 {
        // 6to4 2002:AABB:CCDD::/48
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            (s[1] & 0xff) as u8,
            (s[2] >> 8) as u8,
            (s[2] & 0xff) as u8,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn non_public_addresses_are_refused() {
        for addr in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "2002:c0a8:0101::1",
            "2001:db8::1",
        ] {
            assert!(is_non_public(ip(addr)), "{addr} must be refused");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for addr in [
            "8.8.8.8",
            "142.250.74.46",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
        ] {
            assert!(!is_non_public(ip(addr)), "{addr} must be allowed");
        }
    }

    #[test]
    fn the_policy_can_allow_private_hosts_networks_or_everything() {
        let default = AddressPolicy::default();
        assert!(!default.permits("cal.intranet", ip("10.1.2.3")));
        let by_host = AddressPolicy {
            allowed_hosts: vec!["Cal.Intranet".into()],
            ..Default::default()
        };
        assert!(by_host.permits("cal.intranet", ip("10.1.2.3")));
        assert!(!by_host.permits("other.intranet", ip("10.1.2.3")));
        let by_net = AddressPolicy {
            allowed_networks: vec![Cidr::parse("10.1.0.0/16").expect("cidr")],
            ..Default::default()
        };
        assert!(by_net.permits("x", ip("10.1.2.3")));
        assert!(!by_net.permits("x", ip("10.2.0.1")));
        let open = AddressPolicy {
            allow_private: true,
            ..Default::default()
        };
        assert!(open.permits("x", ip("127.0.0.1")));
        let only = AddressPolicy {
            only_allowlisted: true,
            allow_private: true,
            allowed_hosts: vec!["cal.intranet".into()],
            allowed_networks: vec![Cidr::parse("127.0.0.0/8").expect("cidr")],
        };
        assert!(only.permits("x", ip("127.0.0.1")));
        assert!(only.permits("cal.intranet", ip("10.1.2.3")));
        assert!(
            !only.permits("x", ip("93.184.216.34")),
            "public, but not listed"
        );
        assert!(
            !only.permits("x", ip("10.1.2.3")),
            "allow_private yields to the list"
        );
        assert!(only.may_resolve("cal.intranet") && !only.may_resolve("example.com"));
    }

    #[test]
    fn cidrs_parse_and_reject_nonsense() {
        assert!(Cidr::parse("fd00::/8").expect("v6").contains(ip("fd12::1")));
        assert!(Cidr::parse("192.168.1.7")
            .expect("host")
            .contains(ip("192.168.1.7")));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("nonsense").is_err());
        assert!(Cidr::parse("0.0.0.0/0")
            .expect("all")
            .contains(ip("8.8.8.8")));
    }
}
