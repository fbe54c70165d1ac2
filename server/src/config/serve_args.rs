//! The options of `roomcal serve`: the server, the sync, the lifecycle and the limits.

use super::{human_duration, human_std_duration};
use super::{parse_duration, parse_lifecycle_tick, parse_retention};
use super::{DatabaseArgs, SignupMode, VideoPlatformKind};
use crate::guard::forwarded::TrustedProxies;
use clap::Args;
use roomcal::calendar::ExpandBudget;
use roomcal::lifecycle::{self as l, DEFAULT_UNSCHEDULED_LIFETIME};
use roomcal::secret::Secret;
use roomcal::services::limits::LimitSettings;
use roomcal::services::privacy::DEFAULT_GUEST_HORIZON;
use roomcal::services::DEFAULT_RETENTION;
use roomcal::sync::{self, fetch};
use std::net::SocketAddr;

/// The core's limits, whose defaults the limit flags show.
fn limits() -> LimitSettings {
    LimitSettings::default()
}

/// `interval` in whole milliseconds, for `--feed-host-interval-ms`.
fn millis(interval: std::time::Duration) -> u64 {
    u64::try_from(interval.as_millis()).unwrap_or(u64::MAX)
}

/// Options of the web server.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Database and data directory.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, env = "ROOMCAL_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Serve `GET /metrics` (Prometheus) on this address (keep it off the public network:
    /// it names routes and counts); on `--addr` only with `--metrics-public`.
    #[arg(long, env = "ROOMCAL_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Also serve `GET /metrics` on `--addr` (off by default: it is 404 there, so only
    /// `--metrics-addr` shows it).
    #[arg(long, env = "ROOMCAL_METRICS_PUBLIC")]
    pub metrics_public: bool,
    /// The base URL people use (room URLs are built from it); default `http://<addr>`.
    #[arg(long, env = "ROOMCAL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Key for encrypting secrets at rest (32 bytes, URL-safe base64); generated into the
    /// data directory when not given.
    #[arg(long, env = "ROOMCAL_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,
    /// Directory of the built site (pages' JS, WASM, CSS and public assets).
    #[arg(long, env = "ROOMCAL_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Which video platform hosts calls.
    #[arg(
        long,
        env = "ROOMCAL_VIDEO_PLATFORM",
        value_enum,
        default_value = "jitsi"
    )]
    pub video_platform: VideoPlatformKind,
    /// Whereby API key (with `--video-platform whereby`).
    #[arg(long, env = "ROOMCAL_WHEREBY_API_KEY", hide_env_values = true)]
    pub whereby_api_key: Option<Secret>,
    /// Secret Whereby signs its webhooks with (`POST /v1/webhooks/whereby`).
    #[arg(long, env = "ROOMCAL_WHEREBY_WEBHOOK_SECRET", hide_env_values = true)]
    pub whereby_webhook_secret: Option<Secret>,
    /// Whereby API base URL.
    #[arg(
        long,
        env = "ROOMCAL_WHEREBY_API_URL",
        default_value = "https://api.whereby.dev/v1"
    )]
    pub whereby_api_url: String,
    /// Base URL of the Jitsi Meet deployment that hosts calls.
    #[arg(
        long,
        env = "ROOMCAL_JITSI_BASE_URL",
        default_value = "https://meet.jit.si"
    )]
    pub jitsi_base_url: String,
    /// How long an unscheduled meeting stays open at most (e.g. `8h`, `90m`).
    #[arg(long, env = "ROOMCAL_UNSCHEDULED_LIFETIME", default_value = human_duration(DEFAULT_UNSCHEDULED_LIFETIME), value_parser = parse_duration)]
    pub unscheduled_lifetime: chrono::Duration,
    /// How far ahead people other than a room's owner see its meetings (titles, times),
    /// on every page and API route; the owner sees the whole sync window.
    #[arg(long, env = "ROOMCAL_GUEST_HORIZON", default_value = human_duration(DEFAULT_GUEST_HORIZON), value_parser = parse_duration)]
    pub guest_horizon: chrono::Duration,
    /// Who may create accounts: `open` (anyone, on the sign-up page and API) or `closed`
    /// (only the operator, with `roomcal user add`).
    #[arg(long, env = "ROOMCAL_SIGNUP", value_enum, default_value = "open")]
    pub signup: SignupMode,
    /// How long a room's meeting list, as non-owners see it, is served from memory
    /// (`0s`: never). Everyone polling one room then costs one read per this interval.
    #[arg(long, env = "ROOMCAL_LIST_CACHE", default_value = "1s", value_parser = parse_duration)]
    pub list_cache: chrono::Duration,
    /// How long closed meetings and ended calendar occurrences are kept before the
    /// lifecycle deletes them (at least `1d`).
    #[arg(long, env = "ROOMCAL_RETENTION", default_value = human_duration(DEFAULT_RETENTION), value_parser = parse_retention)]
    pub retention: chrono::Duration,
    /// Calendar sync options.
    #[command(flatten)]
    pub sync: SyncArgs,
    /// Meeting lifecycle options.
    #[command(flatten)]
    pub lifecycle: LifecycleArgs,
    /// Limits that keep one client from stalling or distorting the service.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Sign-in with the organization's OpenID provider.
    #[command(flatten)]
    pub oidc: super::OidcArgs,
}

/// Abuse limits: each refuses with 429, `Retry-After` and a message once reached.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Failed sign-ins (and sign-ups) allowed per account and per client address in
    /// --login-window.
    #[arg(long, env = "ROOMCAL_LOGIN_FAILURES", default_value_t = limits().login_failures)]
    pub login_failures: u32,
    /// The window failed sign-ins are counted in.
    #[arg(long, env = "ROOMCAL_LOGIN_WINDOW", default_value = human_duration(limits().login_window), value_parser = parse_duration)]
    pub login_window: chrono::Duration,
    /// Password hashes computed at once (19 MiB each); more wait, then get a 429.
    #[arg(long, env = "ROOMCAL_PASSWORD_HASH_CONCURRENCY", default_value_t = limits().password_hash_concurrency)]
    pub password_hash_concurrency: usize,
    /// New participant ids one client (account, else address) may announce per meeting
    /// per minute.
    #[arg(long, env = "ROOMCAL_PRESENCE_IDS_PER_MINUTE", default_value_t = limits().presence_ids_per_minute)]
    pub presence_ids_per_minute: u32,
    /// People present in one meeting at most.
    #[arg(
        long,
        env = "ROOMCAL_MAX_PARTICIPANTS_PER_MEETING",
        default_value_t = limits().max_participants_per_meeting
    )]
    pub max_participants_per_meeting: u32,
    /// Unscheduled meetings running at once in one room.
    #[arg(long, env = "ROOMCAL_MAX_UNSCHEDULED_PER_ROOM", default_value_t = limits().max_unscheduled_per_room)]
    pub max_unscheduled_per_room: u32,
    /// Unscheduled meetings one account may run at once in rooms it does not own (all
    /// such rooms together).
    #[arg(
        long,
        env = "ROOMCAL_MAX_GUEST_UNSCHEDULED_PER_USER",
        default_value_t = limits().max_guest_unscheduled_per_user
    )]
    pub max_guest_unscheduled_per_user: u32,
    /// New accounts one client address may create per hour (with --signup open).
    #[arg(long, env = "ROOMCAL_SIGNUPS_PER_HOUR", default_value_t = limits().signups_per_hour)]
    pub signups_per_hour: u32,
    /// Rooms one account may own.
    #[arg(long, env = "ROOMCAL_MAX_ROOMS_PER_USER", default_value_t = limits().max_rooms_per_user)]
    pub max_rooms_per_user: u32,
    /// Requests to join (knocks) one client address may make per hour, in knock rooms.
    #[arg(long, env = "ROOMCAL_KNOCKS_PER_HOUR", default_value_t = limits().knocks_per_hour)]
    pub knocks_per_hour: u32,
    /// Requests to join from one client address that may wait for an answer at once.
    #[arg(
        long,
        env = "ROOMCAL_MAX_PENDING_KNOCKS_PER_ADDRESS",
        default_value_t = limits().max_pending_knocks_per_address
    )]
    pub max_pending_knocks_per_address: u32,
    /// Ended meetings one client address may reopen per hour (each reopening makes a new
    /// call on the video platform).
    #[arg(long, env = "ROOMCAL_REOPENS_PER_HOUR", default_value_t = limits().reopens_per_hour)]
    pub reopens_per_hour: u32,
    /// Webhook test events and redeliveries the owners of one room may ask for per minute.
    #[arg(long, env = "ROOMCAL_WEBHOOK_SENDS_PER_MINUTE", default_value_t = limits().webhook_sends_per_minute)]
    pub webhook_sends_per_minute: u32,
    /// Calendar address tests ("test connection") one user may run per minute.
    #[arg(long, env = "ROOMCAL_FEED_TESTS_PER_MINUTE", default_value_t = limits().feed_tests_per_minute)]
    pub feed_tests_per_minute: u32,
    /// Address tests running at once per instance (a pool apart from --sync-concurrency).
    #[arg(long, env = "ROOMCAL_FEED_TEST_CONCURRENCY", default_value_t = sync::DEFAULT_TEST_CONCURRENCY)]
    pub feed_test_concurrency: usize,
    /// How long an address test waits for a free slot before the answer is a 429.
    #[arg(long, env = "ROOMCAL_FEED_TEST_WAIT", default_value = human_std_duration(sync::DEFAULT_TEST_SLOT_WAIT), value_parser = parse_duration)]
    pub feed_test_wait: chrono::Duration,
    /// Recurrence steps one series of a feed may take; a series over it is skipped with a
    /// warning in the sync log.
    #[arg(long, env = "ROOMCAL_FEED_SERIES_STEPS", default_value_t = ExpandBudget::DEFAULT.steps_per_series)]
    pub feed_series_steps: u64,
    /// Recurrence steps a whole feed may take (about a second of CPU); a feed over it
    /// fails to sync and changes nothing stored.
    #[arg(long, env = "ROOMCAL_FEED_STEPS", default_value_t = ExpandBudget::DEFAULT.steps_per_feed)]
    pub feed_steps: u64,
    /// Bytes of parsed feeds kept in memory to skip re-parsing unchanged feeds.
    #[arg(long, env = "ROOMCAL_FEED_CACHE_BYTES", default_value_t = sync::DEFAULT_CACHE_BYTES)]
    pub feed_cache_bytes: usize,
    /// The reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are believed
    /// (comma-separated addresses and CIDR blocks, e.g. `10.0.0.0/8,::1`): a request from
    /// one of them is taken at the nearest forwarded hop that is not a trusted proxy.
    /// Requests from any other peer are taken at their TCP address, whatever they claim.
    #[arg(long, env = "ROOMCAL_TRUSTED_PROXIES", value_parser = parse_proxies)]
    pub trusted_proxies: Option<TrustedProxies>,
    /// The old spelling of `--trusted-proxies 127.0.0.0/8,::1`: a proxy on this machine.
    #[arg(long, env = "ROOMCAL_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Live-update streams (`GET /v1/rooms/{room}/events`) one client address may hold open.
    #[arg(long, env = "ROOMCAL_MAX_EVENT_STREAMS_PER_ADDRESS", default_value_t = roomcal::events::DEFAULT_STREAMS_PER_ADDRESS)]
    pub max_event_streams_per_address: u32,
}

impl LimitArgs {
    /// The proxies to trust: `--trusted-proxies`, plus loopback with the old
    /// `--trust-forwarded-for`.
    pub fn trusted_proxies(&self) -> TrustedProxies {
        let named = self.trusted_proxies.clone().unwrap_or_default();
        if self.trust_forwarded_for {
            named.with(&TrustedProxies::loopback())
        } else {
            named
        }
    }
}

/// Parses `--trusted-proxies`, naming the bad entry and what to write instead.
fn parse_proxies(text: &str) -> Result<TrustedProxies, String> {
    text.parse()
}

/// Options of the meeting lifecycle (durations like `90s`, `15m`, `8h`).
#[derive(Debug, Clone, Args)]
pub struct LifecycleArgs {
    /// How long before its start a calendar occurrence gets its meeting.
    #[arg(long, env = "ROOMCAL_PRECREATE_LEAD", default_value = human_duration(l::DEFAULT_PRECREATE_LEAD), value_parser = parse_duration)]
    pub precreate_lead: chrono::Duration,
    /// How far ahead an occurrence can be joined early (the page waits for the start).
    #[arg(long, env = "ROOMCAL_UPCOMING_WINDOW", default_value = human_duration(l::DEFAULT_UPCOMING_WINDOW), value_parser = parse_duration)]
    pub upcoming_window: chrono::Duration,
    /// How long a meeting stays open after the last participant left.
    #[arg(long, env = "ROOMCAL_GRACE_PERIOD", default_value = human_duration(l::DEFAULT_GRACE_PERIOD), value_parser = parse_duration)]
    pub grace_period: chrono::Duration,
    /// How long after its scheduled end a calendar meeting is force-closed.
    #[arg(long, env = "ROOMCAL_CALENDAR_OVERRUN", default_value = human_duration(l::DEFAULT_CALENDAR_OVERRUN), value_parser = parse_duration)]
    pub calendar_overrun: chrono::Duration,
    /// How long without a heartbeat before a participant counts as gone.
    #[arg(long, env = "ROOMCAL_PRESENCE_TIMEOUT", default_value = human_duration(l::DEFAULT_PRESENCE_TIMEOUT), value_parser = parse_duration)]
    pub presence_timeout: chrono::Duration,
    /// How many minutes in all the hosts may keep one meeting open past its force-close
    /// time ("Keep open 30 minutes longer", repeatable); 0 turns extending off.
    #[arg(long, env = "ROOMCAL_MAX_EXTEND_MINUTES", default_value_t = l::DEFAULT_MAX_EXTEND_MINUTES)]
    pub max_extend_minutes: u32,
    /// How often the lifecycle runs (1 s to 10 s, so meetings open on time).
    #[arg(long, env = "ROOMCAL_LIFECYCLE_TICK", default_value = "5s", value_parser = parse_lifecycle_tick)]
    pub lifecycle_tick: chrono::Duration,
}

/// Options of the calendar sync.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// Allow plain `http://` calendar feeds.
    #[arg(long, env = "ROOMCAL_ALLOW_HTTP_FEEDS")]
    pub allow_http_feeds: bool,
    /// Allow feeds on private, loopback and link-local addresses (intranet calendars, tests).
    #[arg(long, env = "ROOMCAL_ALLOW_PRIVATE_FEEDS")]
    pub allow_private_feeds: bool,
    /// Allow webhook endpoints on private, loopback and link-local addresses (intranet
    /// receivers, tests).
    #[arg(long, env = "ROOMCAL_ALLOW_PRIVATE_WEBHOOKS")]
    pub allow_private_webhooks: bool,
    /// Hosts and networks (CIDR) always allowed as feed sources, comma separated.
    #[arg(long, env = "ROOMCAL_FEED_ALLOWLIST", value_delimiter = ',')]
    pub feed_allowlist: Vec<String>,
    /// Fetch calendars only from --feed-allowlist (closed networks; API fuzzing).
    #[arg(long, env = "ROOMCAL_FEED_ALLOWLIST_ONLY")]
    pub feed_allowlist_only: bool,
    /// Largest feed accepted, in bytes after decompression.
    #[arg(long, env = "ROOMCAL_MAX_FEED_BYTES", default_value_t = fetch::DEFAULT_MAX_BYTES)]
    pub max_feed_bytes: usize,
    /// Time allowed for a whole feed download.
    #[arg(long, env = "ROOMCAL_FEED_TIMEOUT", default_value = human_std_duration(fetch::DEFAULT_TOTAL_TIMEOUT), value_parser = parse_duration)]
    pub feed_timeout: chrono::Duration,
    /// Feed syncs running at once in this instance (scheduled, manual and address tests).
    #[arg(long, env = "ROOMCAL_SYNC_CONCURRENCY", default_value_t = sync::DEFAULT_CONCURRENCY)]
    pub sync_concurrency: usize,
    /// How far back each sync reads the calendar (occurrences that started recently).
    #[arg(long, env = "ROOMCAL_SYNC_WINDOW_BEFORE", default_value = human_duration(sync::DEFAULT_WINDOW_BEFORE), value_parser = parse_duration)]
    pub sync_window_before: chrono::Duration,
    /// How far ahead each sync reads the calendar; at least the upcoming window.
    #[arg(long, env = "ROOMCAL_SYNC_WINDOW_AFTER", default_value = human_duration(sync::DEFAULT_WINDOW_AFTER), value_parser = parse_duration)]
    pub sync_window_after: chrono::Duration,
    /// Minimum time between two requests to one calendar host (e.g. `100ms` as `0s` to disable).
    #[arg(long, env = "ROOMCAL_FEED_HOST_INTERVAL_MS", default_value_t = millis(sync::DEFAULT_PER_HOST_INTERVAL))]
    pub feed_host_interval_ms: u64,
    /// How often the scheduler looks for rooms due for a sync.
    #[arg(long, env = "ROOMCAL_SYNC_TICK", default_value = "5s", value_parser = parse_duration)]
    pub sync_tick: chrono::Duration,
    /// How long a room claimed for a sync stays this instance's at most: if the instance
    /// dies mid-sync, another one takes the room over after this.
    #[arg(long, env = "ROOMCAL_SYNC_LEASE", default_value = human_duration(sync::DEFAULT_LEASE), value_parser = parse_duration)]
    pub sync_lease: chrono::Duration,
    /// Turn off the background sync (manual syncs still work).
    #[arg(long, env = "ROOMCAL_NO_BACKGROUND_SYNC")]
    pub no_background_sync: bool,
    /// Other base URLs under which rooms are known (old domains), comma separated.
    #[arg(long, env = "ROOMCAL_ROOM_URL_ALIASES", value_delimiter = ',')]
    pub room_url_alias: Vec<String>,
    /// IANA zone for floating calendar times and all-day dates.
    #[arg(long, env = "ROOMCAL_TIMEZONE", default_value_t = sync::DEFAULT_TIMEZONE)]
    pub timezone: chrono_tz::Tz,
}

impl ServeArgs {
    /// The public URL in effect, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_string()
    }
}
