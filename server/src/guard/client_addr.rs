//! Which address a request came from, for the per-client limits: the TCP peer, or, when
//! the peer is one of the proxies the operator trusts (`--trusted-proxies`), the nearest
//! forwarded hop that is not a trusted proxy ([`super::forwarded`] holds that rule).

use super::forwarded::TrustedProxies;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use roomcal::services::limits::ClientAddr;
use std::net::SocketAddr;
use std::sync::Arc;

/// Puts the request's [`ClientAddr`] into its extensions for handlers and server functions.
pub async fn record_client_addr(
    proxies: Arc<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let addr = ClientAddr(peer.map(|peer| proxies.client_of(peer, request.headers())));
    request.extensions_mut().insert(addr);
    next.run(request).await
}
