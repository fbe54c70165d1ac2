//! The application's state, built from its configuration: the database, the core
//! services (store, sync, platform, limits) and Leptos' options.

use crate::config::{LimitArgs, ServeArgs};
use crate::config::{SignupMode, VideoPlatformKind};
use axum::extract::FromRef;
use leptos::prelude::*;
use roomcal::calendar::ExpandBudget;
use roomcal::clock::Clock;
use roomcal::events::RoomEvents;
use roomcal::lifecycle::LifecycleSettings;
use roomcal::platform::{JitsiPlatform, VideoPlatform, WherebyPlatform};
use roomcal::secret::{KeySource, Secret, SecretBox, SecretKey};
use roomcal::services::limits::{LimitSettings, Limiters};
use roomcal::services::listing_cache::ListingCache;
use roomcal::store::{self, mask_database_url, Store};
use roomcal::sync::address::{AddressPolicy, Cidr};
use roomcal::sync::dns::{
    HostLookup, Resolver, SystemLookup, DEFAULT_LOOKUPS_AT_ONCE, DEFAULT_LOOKUP_TIMEOUT,
};
use roomcal::sync::fetch::{FetchSettings, Fetcher};
use roomcal::sync::webhook_sender::WebhookSender;
use roomcal::sync::{SyncSettings, Syncer};
use roomcal::{Core, CoreSettings};
use std::sync::Arc;

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
        // Create the directory of a SQLite file so a fresh checkout works without setup;
        // a directory made here is the owner's alone (0700), like the file (0600). A
        // failure shows when the file is opened next.
        let file = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(file).parent() {
            if !dir.as_os_str().is_empty() {
                let _ = roomcal::secret::create_private_dir(dir);
            }
        }
    }
    let store = store::open(url).await.map_err(wrap)?;
    store.migrate().await.map_err(wrap)?;
    Ok(store)
}

/// Builds the core services from the configuration, with the given clock.
pub async fn build_core(args: &ServeArgs, clock: Arc<dyn Clock>) -> Result<Core, StartupError> {
    build_core_with(args, clock, Arc::new(SystemLookup)).await
}

/// [`build_core`] with the given host name look-up (tests give one that never answers).
pub async fn build_core_with(
    args: &ServeArgs,
    clock: Arc<dyn Clock>,
    lookup: Arc<dyn HostLookup>,
) -> Result<Core, StartupError> {
    check_settings(args)?;
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
    if args.signup == SignupMode::Open && !is_loopback_url(&args.public_url()) {
        tracing::warn!(
            public_url = %args.public_url(),
            "sign-up is open on a public address: anyone can create accounts (at most \
             --signups-per-hour per address); use --signup closed and `roomcal user add` \
             to create accounts yourself"
        );
    }
    let oidc = match args.oidc.settings().map_err(StartupError::Config)? {
        Some(settings) => Some(Arc::new(
            roomcal::services::oidc::Oidc::new(settings).map_err(StartupError::Config)?,
        )),
        None => None,
    };
    let store = open_database(&args.database.database_url()).await?;
    let events = room_events(&args.database.database_url()).await?;
    events.set_streams_per_address(args.limits.max_event_streams_per_address);
    // A page that hears of a change asks at once: it must not get the list from before it.
    let listings = Arc::new(ListingCache::new(args.list_cache));
    let forget = listings.clone();
    events.on_deliver(move |event| forget.forget_room(event.room_id));
    let webhooks = webhook_sender(args, lookup.clone())?;
    let syncer =
        build_syncer(args, store.clone(), secrets.clone(), lookup)?.with_events(events.clone());
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
                max_extend_minutes: args.lifecycle.max_extend_minutes,
            },
            whereby_webhook_secret: args.whereby_webhook_secret.clone(),
            guest_horizon: args.guest_horizon,
            signup_open: args.signup == SignupMode::Open,
            local_accounts: args.oidc.local_accounts == crate::config::LocalAccounts::On,
            retention: args.retention,
            ..CoreSettings::default()
        },
        secrets,
        sync: Arc::new(syncer),
        limits: Arc::new(Limiters::new(limit_settings(&args.limits))),
        webhooks: Arc::new(webhooks),
        listings,
        events,
        oidc,
    })
}

/// The room event bus: across instances through `LISTEN/NOTIFY` on PostgreSQL, in this
/// process on SQLite (one instance per database file).
async fn room_events(url: &str) -> Result<Arc<RoomEvents>, StartupError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        RoomEvents::postgres(url)
            .await
            .map_err(|source| StartupError::Database {
                url: mask_database_url(url),
                source: store::StoreError::Database(source),
            })
    } else {
        Ok(Arc::default())
    }
}

/// Settings that cannot work together, refused before anything is written to disk.
fn check_settings(args: &ServeArgs) -> Result<(), StartupError> {
    let sync = &args.sync;
    // Occurrences announced as upcoming must have been read from the calendar.
    if sync.sync_window_after < args.lifecycle.upcoming_window {
        return Err(StartupError::Config(format!(
            "--sync-window-after ({} min) is shorter than --upcoming-window ({} min): \
             raise --sync-window-after so upcoming meetings are read from the calendar",
            sync.sync_window_after.num_minutes(),
            args.lifecycle.upcoming_window.num_minutes()
        )));
    }
    Ok(())
}

/// Whether `url` is served to this machine only (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback_url(url: &str) -> bool {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
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
        max_guest_unscheduled_per_user: args.max_guest_unscheduled_per_user.max(1),
        signups_per_hour: args.signups_per_hour.max(1),
        knocks_per_hour: args.knocks_per_hour.max(1),
        max_pending_knocks_per_address: args.max_pending_knocks_per_address.max(1),
        reopens_per_hour: args.reopens_per_hour.max(1),
        feed_tests_per_minute: args.feed_tests_per_minute.max(1),
        webhook_sends_per_minute: args.webhook_sends_per_minute.max(1),
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

/// What the webhook sender may connect to: public addresses, private ones with
/// `--allow-private-webhooks`, and the feed allowlist's rules (`--feed-allowlist-only`
/// holds webhooks to the list too, so a closed network sends nothing out).
fn outbound_policy(args: &ServeArgs, allow_private: bool) -> AddressPolicy {
    let sync = &args.sync;
    let mut addresses = AddressPolicy {
        allow_private,
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
    addresses
}

fn webhook_sender(
    args: &ServeArgs,
    lookup: Arc<dyn HostLookup>,
) -> Result<WebhookSender, StartupError> {
    WebhookSender::new(
        outbound_policy(args, args.sync.allow_private_webhooks),
        Resolver::new(lookup, DEFAULT_LOOKUPS_AT_ONCE, DEFAULT_LOOKUP_TIMEOUT),
    )
    .map_err(StartupError::Config)
}

fn build_syncer(
    args: &ServeArgs,
    store: Arc<dyn Store>,
    secrets: SecretBox,
    lookup: Arc<dyn HostLookup>,
) -> Result<Syncer, StartupError> {
    let sync = &args.sync;
    let addresses = outbound_policy(args, sync.allow_private_feeds);
    let fetcher = Fetcher::new(FetchSettings {
        total_timeout: sync
            .feed_timeout
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(30)),
        max_bytes: sync.max_feed_bytes,
        allow_http: sync.allow_http_feeds,
        addresses,
        resolver: Resolver::new(lookup, DEFAULT_LOOKUPS_AT_ONCE, DEFAULT_LOOKUP_TIMEOUT),
        ..FetchSettings::default()
    })
    .map_err(|e| StartupError::Config(e.message))?;
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
            lease: sync.sync_lease.max(chrono::Duration::seconds(1)),
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

/// Leptos' options for serving the site built under `site_root`.
pub fn leptos_options(args: &ServeArgs) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("roomcal")
        .site_root(args.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build()
}

#[cfg(test)]
mod tests {
    use super::is_loopback_url;

    #[test]
    fn only_addresses_of_this_machine_count_as_local() {
        for local in [
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://[::1]:80",
        ] {
            assert!(is_loopback_url(local), "{local}");
        }
        for public in [
            "https://rooms.example.com",
            "http://10.0.0.5:3000",
            "not a url",
        ] {
            assert!(!is_loopback_url(public), "{public}");
        }
    }
}
