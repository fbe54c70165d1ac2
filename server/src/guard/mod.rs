//! The request guard: what every request passes before a handler or page sees it, and
//! every answer on its way out. The rule, outermost first:
//!
//! 1. **Client address** ([`client_addr`]): the request carries the address per-client
//!    limits count it under — the TCP peer, or behind the proxies named by
//!    `--trusted-proxies` the nearest forwarded hop that is not one of them
//!    ([`forwarded`]).
//! 2. **Security headers** ([`headers`]): every answer gets `nosniff`, no framing, no
//!    Referer, a Content-Security-Policy (pages their own, with the nonce of their inline
//!    scripts), and `private, no-store` when it depends on who asks.
//! 3. Request metrics ([`crate::metrics::track`]) sit inside those two and outside the
//!    next, so refused requests are counted with their 403.
//! 4. **Cross-site writes** ([`csrf`]): a state-changing request a browser says came from
//!    another site is refused with 403 (a second wall behind `SameSite=Lax` cookies).
//!
//! [`guarded`] applies them; nothing else layers a guard.

pub mod client_addr;
pub mod csrf;
pub mod forwarded;
pub mod headers;

use axum::middleware::from_fn;
use axum::Router;

/// `routes` behind the whole guard (see the module doc for the order and why).
pub fn guarded<S>(routes: Router<S>, proxies: forwarded::TrustedProxies) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let proxies = std::sync::Arc::new(proxies);
    routes
        .layer(from_fn(csrf::reject_cross_site_writes))
        .layer(from_fn(crate::metrics::track))
        .layer(from_fn(headers::security_headers))
        .layer(from_fn(move |request, next| {
            client_addr::record_client_addr(proxies.clone(), request, next)
        }))
}
