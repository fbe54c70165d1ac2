//! The whole HTTP application: health checks, `/v1`, `.ics` files, pages, server
//! functions and assets, behind the request guard ([`crate::guard`]).

use crate::guard::forwarded::TrustedProxies;
use crate::guard::{self, headers};
use crate::health;
use crate::state::ServerState;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use roomcal::Core;
use tower_http::trace::TraceLayer;

/// The page routes of the Leptos app, worked out once per process.
///
/// Why once: while Leptos walks the app to list its routes it sets a *process-wide* flag
/// that parks every resource first polled meanwhile forever (leptos-rs/leptos#4773). A
/// second router built in a process that is already rendering pages (several app
/// instances in one test binary, or an embedding that rebuilds its router) would leave
/// some page request hanging with nothing logged. Computing the list once, before any
/// router exists, keeps the flag from ever being set while a page renders.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The whole HTTP application: health checks, `/v1`, pages, server functions, assets.
/// Serve it with connect info (`into_make_service_with_connect_info::<SocketAddr>`) so
/// per-client limits see the peer address.
pub fn router(core: Core, leptos_options: LeptosOptions, proxies: TrustedProxies) -> Router {
    // Installed before the first request, so nothing recorded is lost.
    let _ = crate::metrics::handle();
    let state = ServerState {
        core: core.clone(),
        leptos_options: leptos_options.clone(),
    };
    let frame_src = headers::frame_source(&core.platform.frame_source());
    let context = move || {
        provide_context(core.clone());
        // Pages: a CSP naming the nonce Leptos puts on this response's inline scripts.
        if let (Some(nonce), Some(response)) = (
            leptos::nonce::use_nonce(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            let policy = headers::page_policy(&nonce, &frame_src);
            if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
                response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
            }
        }
    };
    let pages = page_routes();
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(crate::api::router().0)
        .merge(crate::ics_routes::router())
        .merge(crate::oidc_routes::router())
        .leptos_routes_with_context(&state, pages, context.clone(), {
            let options = leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, app::shell));
    guard::guarded(routes, proxies)
        // Spans name the path only: a query may carry a secret (the private feed's key).
        .layer(TraceLayer::new_for_http().make_span_with(
            |request: &axum::http::Request<axum::body::Body>| {
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path()
                )
            },
        ))
        .with_state(state)
}
