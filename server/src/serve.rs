//! Serving: binds the address, starts the workers, and shuts everything down in order
//! (stop accepting, end the live-update streams, finish requests, stop the workers, release leases, close the database).

use crate::config::ServeArgs;
use crate::guard::forwarded::TrustedProxies;
use crate::router::router;
use crate::state::{build_core, leptos_options, StartupError};
use crate::workers::spawn_workers;
use leptos::prelude::*;
use roomcal::clock::SystemClock;
use roomcal::Core;
use std::future::IntoFuture;
use std::sync::Arc;

/// Builds everything and serves on `args.addr` until `shutdown` resolves.
pub async fn serve(
    args: ServeArgs,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let core = build_core(&args, Arc::new(SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|source| StartupError::Listen {
            addr: args.addr,
            source,
        })?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop_rx_for_deadline = stop_rx.clone();
    let background = spawn_workers(&core, &args, &stop_rx);
    drop(stop_rx);
    let app = site(
        core.clone(),
        leptos_options(&args),
        args.limits.trusted_proxies(),
        args.metrics_public,
    );
    let mut metrics_server = None;
    match args.metrics_addr {
        None if !args.metrics_public => {
            tracing::info!("metrics are not served (no --metrics-addr, no --metrics-public)");
        }
        None => {}
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| StartupError::Listen { addr, source })?;
            let mut stop = stop_rx_for_deadline.clone();
            tracing::info!("metrics on http://{addr}/metrics");
            metrics_server = Some(tokio::spawn(
                axum::serve(listener, crate::metrics::router())
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|stop| *stop).await;
                    })
                    .into_future(),
            ));
        }
    }
    tracing::info!("roomcal is serving on {}", args.public_url());
    let mut stopping = stop_rx_for_deadline;
    let events = core.events.clone();
    let server = crate::http1::serve(listener, app, async move {
        shutdown.await;
        let _ = stop_tx.send(true);
        // Live-update streams never finish by themselves: end them so the server does.
        events.close();
    });
    // Stop accepting at once; in-flight requests get a few seconds to finish, so the
    // process always exits well within the 10 s an orchestrator waits before SIGKILL.
    let served = tokio::select! {
        served = server => served,
        () = async {
            let _ = stopping.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; closing them");
            Ok(())
        }
    };
    // Let in-flight work finish its transaction, but not past one shared deadline.
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    if let Some(task) = metrics_server {
        let _ = tokio::time::timeout_at(deadline, task).await;
    }
    for task in background {
        if tokio::time::timeout_at(deadline, task).await.is_err() {
            tracing::warn!(
                "a background task was still busy at shutdown; its room leases expire by themselves"
            );
        }
    }
    if let Err(err) = roomcal::services::lifecycle_step::release_lifecycle_lease(&core).await {
        tracing::warn!(error = %err, "could not release the lifecycle lease");
    }
    core.store.close().await;
    tracing::info!("stopped");
    served.map_err(|source| StartupError::Listen {
        addr: args.addr,
        source,
    })
}

/// How long in-flight requests, then background work, may take after a shutdown signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(4);

/// The site on the main address: [`router`], plus `GET /metrics` only when
/// `metrics_public` (`--metrics-public`); otherwise `/metrics` there is a 404 and only
/// `--metrics-addr` serves it.
pub fn site(
    core: Core,
    leptos_options: LeptosOptions,
    proxies: TrustedProxies,
    metrics_public: bool,
) -> axum::Router {
    let app = router(core, leptos_options, proxies);
    if metrics_public {
        app.merge(crate::metrics::router())
    } else {
        app
    }
}

/// Serves [`site`] on an already-bound listener (tests bind port 0 first).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    core: Core,
    leptos_options: LeptosOptions,
    proxies: TrustedProxies,
    metrics_public: bool,
) -> std::io::Result<()> {
    let app = site(core, leptos_options, proxies, metrics_public);
    crate::http1::serve(listener, app, std::future::pending()).await
}
