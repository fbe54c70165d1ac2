//! The DNS resolver of the feed fetcher: the SSRF guard applied to the addresses actually
//! connected to, so a host that resolves (or re-resolves, DNS rebinding) to a private
//! address is never reached.

use super::address::AddressPolicy;
use super::dns::Resolver;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;

/// Resolves host names and drops every address the policy refuses, so the HTTP client can
/// only ever connect to permitted addresses (DNS rebinding included).
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    /// The policy to apply.
    pub(crate) policy: Arc<AddressPolicy>,
    /// The bounded look-ups.
    pub(crate) resolver: Resolver,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let resolver = self.resolver.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            if !policy.may_resolve(&host) {
                return Err(
                    Box::new(RefusedAddress(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            let resolved: Vec<SocketAddr> = resolver
                .resolve(&host, 0)
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            let permitted: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| policy.permits(&host, addr.ip()))
                .collect();
            if permitted.is_empty() {
                return Err(
                    Box::new(RefusedAddress(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

/// The resolver's refusal, recognised when mapping errors.
#[derive(Debug)]
struct RefusedAddress(String);

impl std::fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves only to private or local addresses", self.0)
    }
}

impl std::error::Error for RefusedAddress {}

/// The host the resolver refused, if that is what made `err` fail.
pub(crate) fn refused_host<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a str> {
    find_source::<RefusedAddress>(err).map(|refusal| refusal.0.as_str())
}

fn find_source<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}
