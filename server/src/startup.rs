//! Builds the application from its configuration: database, core services, router.

use crate::config::VideoPlatformKind;
use crate::config::{LimitArgs, ServeArgs};
use crate::{csrf, health};
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use roomcal::calendar::ExpandBudget;
use roomcal::clock::{Clock, SystemClock};
use roomcal::lifecycle::LifecycleSettings;
use roomcal::platform::{JitsiPlatform, VideoPlatform, WherebyPlatform};
use roomcal::secret::{KeySource, Secret, SecretBox, SecretKey};
use roomcal::services::limits::{LimitSettings, Limiters};
use roomcal::store::{self, mask_database_url, Store};
use roomcal::sync::address::{AddressPolicy, Cidr};
use roomcal::sync::fetch::{FetchSettings, Fetcher};
use roomcal::sync::{SyncSettings, Syncer};
use roomcal::{Core, CoreSettings};
use std::future::IntoFuture;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

/// State shared by every handler: the core services and Leptos' options.
#[derive(Clone)]
pub struct ServerState {
    /// Use cases' services.
    pub core: Core,
    /// Where the built site is and what it is called.
    pub leptos_options: LeptosOptions,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos_options.clone()
    }
}

/// Why the server could not start; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error("cannot open database {url}: {source}")]
    Database {
        /// The URL, password masked.
        url: String,
        /// What the driver said.
        source: store::StoreError,
    },
    /// The secret key is unusable.
    #[error("secret key: {0}")]
    SecretKey(String),
    /// A setting is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// Opens and migrates the database named by `url`.
pub async fn open_database(url: &str) -> Result<Arc<dyn Store>, StartupError> {
    let wrap = |source| StartupError::Database {
        url: mask_database_url(url),
        source,
    };
    if let Some(path) = url.strip_prefix("sqlite://") {
        // Create the directory of a SQLite file so a fresh checkout works without setup.
        let file = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(file).parent() {
            if !dir.as_os_str().is_empty() {
                let _ = std::fs::create_dir_all(dir);
            }
        }
    }
    let store = store::open(url).await.map_err(wrap)?;
    store.migrate().await.map_err(wrap)?;
    Ok(store)
}

/// Builds the core services from the configuration, with the given clock.
pub async fn build_core(args: &ServeArgs, clock: Arc<dyn Clock>) -> Result<Core, StartupError> {
    let data_dir = &args.database.data_dir;
    let (key, source) =
        SecretKey::load_or_generate(args.secret_key.as_ref().map(Secret::expose), data_dir)
            .map_err(StartupError::SecretKey)?;
    let secrets = SecretBox::new(&key).map_err(StartupError::SecretKey)?;
    if source == KeySource::Generated {
        tracing::warn!(
            path = %data_dir.join(roomcal::secret::KEY_FILE_NAME).display(),
            "no --secret-key given: generated one into the data directory; back it up, \
             encrypted calendar URLs cannot be read without it"
        );
    }
    let store = open_database(&args.database.database_url()).await?;
    let syncer = build_syncer(args, store.clone(), secrets.clone())?;
    Ok(Core {
        store,
        platform: video_platform(args)?,
        clock,
        settings: CoreSettings {
            public_url: args.public_url(),
            lifecycle: LifecycleSettings {
                precreate_lead: args.lifecycle.precreate_lead,
                upcoming_window: args.lifecycle.upcoming_window,
                grace_period: args.lifecycle.grace_period,
                calendar_overrun: args.lifecycle.calendar_overrun,
                unscheduled_lifetime: args.unscheduled_lifetime,
                presence_timeout: args.lifecycle.presence_timeout,
            },
            whereby_webhook_secret: args.whereby_webhook_secret.clone(),
            ..CoreSettings::default()
        },
        secrets,
        sync: Arc::new(syncer),
        limits: Arc::new(Limiters::new(limit_settings(&args.limits))),
    })
}

fn limit_settings(args: &LimitArgs) -> LimitSettings {
    LimitSettings {
        login_failures: args.login_failures.max(1),
        login_window: args.login_window,
        password_hash_concurrency: args.password_hash_concurrency.max(1),
        presence_ids_per_minute: args.presence_ids_per_minute.max(1),
        max_participants_per_meeting: args.max_participants_per_meeting.max(1),
        max_unscheduled_per_room: args.max_unscheduled_per_room.max(1),
        max_rooms_per_user: args.max_rooms_per_user.max(1),
        feed_tests_per_minute: args.feed_tests_per_minute.max(1),
        ..LimitSettings::default()
    }
}

fn video_platform(args: &ServeArgs) -> Result<Arc<dyn VideoPlatform>, StartupError> {
    match args.video_platform {
        VideoPlatformKind::Jitsi => Ok(Arc::new(JitsiPlatform::new(&args.jitsi_base_url))),
        VideoPlatformKind::Whereby => {
            let key = args
                .whereby_api_key
                .as_ref()
                .map(Secret::expose)
                .ok_or_else(|| {
                    StartupError::Config(
                    "--video-platform whereby needs --whereby-api-key (or ROOMCAL_WHEREBY_API_KEY)"
                        .into(),
                )
                })?;
            let platform = WherebyPlatform::new(&args.whereby_api_url, key)
                .map_err(|e| StartupError::Config(e.to_string()))?;
            Ok(Arc::new(platform))
        }
    }
}

fn build_syncer(
    args: &ServeArgs,
    store: Arc<dyn Store>,
    secrets: SecretBox,
) -> Result<Syncer, StartupError> {
    let sync = &args.sync;
    let mut addresses = AddressPolicy {
        allow_private: sync.allow_private_feeds,
        only_allowlisted: sync.feed_allowlist_only,
        ..AddressPolicy::default()
    };
    for entry in sync
        .feed_allowlist
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
    {
        match Cidr::parse(entry) {
            Ok(cidr) => addresses.allowed_networks.push(cidr),
            Err(_) => addresses.allowed_hosts.push(entry.to_string()),
        }
    }
    let fetcher = Fetcher::new(FetchSettings {
        total_timeout: sync
            .feed_timeout
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(30)),
        max_bytes: sync.max_feed_bytes,
        allow_http: sync.allow_http_feeds,
        addresses,
        ..FetchSettings::default()
    })
    .map_err(|e| StartupError::Config(e.message))?;
    // Occurrences announced as upcoming must have been read from the calendar.
    if sync.sync_window_after < args.lifecycle.upcoming_window {
        return Err(StartupError::Config(format!(
            "--sync-window-after ({} min) is shorter than --upcoming-window ({} min): \
             raise --sync-window-after so upcoming meetings are read from the calendar",
            sync.sync_window_after.num_minutes(),
            args.lifecycle.upcoming_window.num_minutes()
        )));
    }
    let mut base_urls = vec![args.public_url()];
    base_urls.extend(
        sync.room_url_alias
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty()),
    );
    Ok(Syncer::new(
        store,
        fetcher,
        secrets,
        SyncSettings {
            base_urls,
            default_tz: sync.timezone,
            concurrency: sync.sync_concurrency.max(1),
            window_before: sync.sync_window_before,
            window_after: sync.sync_window_after,
            per_host_interval: std::time::Duration::from_millis(sync.feed_host_interval_ms),
            test_concurrency: args.limits.feed_test_concurrency.max(1),
            test_slot_wait: args
                .limits
                .feed_test_wait
                .to_std()
                .unwrap_or(std::time::Duration::from_secs(10)),
            budget: ExpandBudget {
                steps_per_series: args.limits.feed_series_steps.max(1),
                steps_per_feed: args.limits.feed_steps.max(1),
            },
            cache_bytes: args.limits.feed_cache_bytes,
            ..SyncSettings::default()
        },
    ))
}

/// The background calendar sync: every tick, sync the rooms that are due. A thin loop
/// around [`Syncer::run_due`]; stops when `shutdown` fires.
pub async fn run_sync_loop(
    core: Core,
    tick: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let now = core.clock.now();
        match core.sync.run_due(now, 200).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(rooms = n, "calendar sync tick"),
            Err(err) => tracing::warn!(error = %err, "calendar sync tick failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Leptos' options for serving the site built under `site_root`.
pub fn leptos_options(args: &ServeArgs) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("roomcal")
        .site_root(args.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build()
}

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
pub fn router(core: Core, leptos_options: LeptosOptions, trust_forwarded_for: bool) -> Router {
    let state = ServerState {
        core: core.clone(),
        leptos_options: leptos_options.clone(),
    };
    let frame_src = crate::security::frame_source(&core.platform.frame_source());
    let context = move || {
        provide_context(core.clone());
        // Pages: a CSP naming the nonce Leptos puts on this response's inline scripts.
        if let (Some(nonce), Some(response)) = (
            leptos::nonce::use_nonce(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            let policy = crate::security::page_policy(&nonce, &frame_src);
            if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
                response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
            }
        }
    };
    let routes = page_routes();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(crate::api::router().0)
        .merge(crate::ics_routes::router())
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, app::shell))
        .layer(axum::middleware::from_fn(csrf::reject_cross_site_writes))
        .layer(axum::middleware::from_fn(crate::security::security_headers))
        .layer(axum::middleware::from_fn(move |request, next| {
            crate::client_addr::record_client_addr(trust_forwarded_for, request, next)
        }))
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
    let mut background = Vec::new();
    if !args.sync.no_background_sync {
        let tick = args
            .sync
            .sync_tick
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(5));
        background.push(tokio::spawn(run_sync_loop(
            core.clone(),
            tick,
            stop_rx.clone(),
        )));
    }
    let lifecycle_tick = args
        .lifecycle
        .lifecycle_tick
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(5));
    background.push(tokio::spawn(run_lifecycle_loop(
        core.clone(),
        lifecycle_tick,
        stop_rx,
    )));
    let app = router(
        core.clone(),
        leptos_options(&args),
        args.limits.trust_forwarded_for,
    );
    tracing::info!("roomcal is serving on {}", args.public_url());
    let mut stopping = stop_rx_for_deadline;
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    })
    .into_future();
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

/// The meeting lifecycle: every tick, pre-create, follow calendars and close meetings.
/// A thin loop around [`roomcal::services::lifecycle_step::run_lifecycle_step`].
pub async fn run_lifecycle_loop(
    core: Core,
    tick: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let now = core.clock.now();
        match roomcal::services::lifecycle_step::run_lifecycle_step(&core, now, 500).await {
            Ok(report) if report.created + report.closed + report.updated > 0 => {
                tracing::info!(?report, "lifecycle tick");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "lifecycle tick failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Serves on an already-bound listener (tests bind port 0 first).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    core: Core,
    leptos_options: LeptosOptions,
    trust_forwarded_for: bool,
) -> std::io::Result<()> {
    let app = router(core, leptos_options, trust_forwarded_for);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
}
