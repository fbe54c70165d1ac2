//! Command line and environment (`ROOMCAL_*`) configuration.

use clap::{Args, Parser, Subcommand, ValueEnum};
use roomcal::secret::Secret;
use std::net::SocketAddr;
use std::path::PathBuf;

/// roomcal: meeting rooms that follow their calendars.
#[derive(Debug, Parser)]
#[command(name = "roomcal", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, accepted without the subcommand name too.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server and background tasks (the default).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Copy the SQLite database to a new file while roomcal runs (PostgreSQL: use pg_dump).
    Backup(BackupArgs),
    /// Calendar tools for debugging a feed.
    #[command(subcommand)]
    Ics(IcsCommand),
    /// Accounts, for instances whose sign-up is closed.
    #[command(subcommand)]
    User(UserCommand),
}

/// `roomcal user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input (prompted for on a
    /// terminal).
    Add(UserAddArgs),
}

/// `roomcal user add EMAIL [--name NAME]`
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The account's email address (it signs in with it).
    pub email: String,
    /// The name shown to others; the part of the email before `@` when not given.
    #[arg(long)]
    pub name: Option<String>,
    /// Which database.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `roomcal backup PATH`
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write the copy to (it must not exist).
    pub path: PathBuf,
    /// Which database.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `roomcal ics …`
#[derive(Debug, Subcommand)]
pub enum IcsCommand {
    /// Print the occurrences of an .ics file overlapping a window, as JSON.
    Expand(ExpandArgs),
}

/// `roomcal ics expand FILE --from … --to …`
#[derive(Debug, Args)]
pub struct ExpandArgs {
    /// The .ics file, or `-` for standard input.
    pub file: String,
    /// Window start: `2024-03-01T10:00:00Z`, with an offset, or a bare date (midnight in --tz).
    #[arg(long)]
    pub from: String,
    /// Window end (exclusive), same forms as --from.
    #[arg(long)]
    pub to: String,
    /// IANA zone for floating times, all-day dates and bare dates.
    #[arg(long, default_value = "UTC")]
    pub tz: chrono_tz::Tz,
    /// Only the occurrences of this room (`https://host/room/<name>`).
    #[arg(long)]
    pub room_url: Option<String>,
}

/// The video platforms roomcal can create calls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VideoPlatformKind {
    /// Jitsi Meet by URL (no account needed).
    Jitsi,
    /// Whereby through its REST API (needs an API key).
    Whereby,
}

/// Who may create accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignupMode {
    /// Anyone may sign up (at most --signups-per-hour per client address).
    Open,
    /// Only the operator creates accounts (`roomcal user add`).
    Closed,
}

/// How to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Readable lines for a terminal.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Where the database and local files are.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://PATH` (default: `<data-dir>/roomcal.db`) or `postgres://…`.
    #[arg(long, env = "ROOMCAL_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Directory for the SQLite database and the generated secret key.
    #[arg(long, env = "ROOMCAL_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Log format.
    #[arg(long, env = "ROOMCAL_LOG_FORMAT", value_enum, default_value = "human")]
    pub log_format: LogFormat,
}

impl DatabaseArgs {
    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("roomcal.db").display()))
    }
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
    #[arg(long, env = "ROOMCAL_UNSCHEDULED_LIFETIME", default_value = "8h", value_parser = parse_duration)]
    pub unscheduled_lifetime: chrono::Duration,
    /// How far ahead people other than a room's owner see its meetings (titles, times),
    /// on every page and API route; the owner sees the whole sync window.
    #[arg(long, env = "ROOMCAL_GUEST_HORIZON", default_value = "30m", value_parser = parse_duration)]
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
    #[arg(long, env = "ROOMCAL_RETENTION", default_value = "90d", value_parser = parse_retention)]
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
}

/// Abuse limits: each refuses with 429, `Retry-After` and a message once reached.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Failed sign-ins (and sign-ups) allowed per account and per client address in
    /// --login-window.
    #[arg(long, env = "ROOMCAL_LOGIN_FAILURES", default_value_t = 10)]
    pub login_failures: u32,
    /// The window failed sign-ins are counted in.
    #[arg(long, env = "ROOMCAL_LOGIN_WINDOW", default_value = "15m", value_parser = parse_duration)]
    pub login_window: chrono::Duration,
    /// Password hashes computed at once (19 MiB each); more wait, then get a 429.
    #[arg(long, env = "ROOMCAL_PASSWORD_HASH_CONCURRENCY", default_value_t = 2)]
    pub password_hash_concurrency: usize,
    /// New participant ids one client (account, else address) may announce per meeting
    /// per minute.
    #[arg(long, env = "ROOMCAL_PRESENCE_IDS_PER_MINUTE", default_value_t = 20)]
    pub presence_ids_per_minute: u32,
    /// People present in one meeting at most.
    #[arg(
        long,
        env = "ROOMCAL_MAX_PARTICIPANTS_PER_MEETING",
        default_value_t = 500
    )]
    pub max_participants_per_meeting: u32,
    /// Unscheduled meetings running at once in one room.
    #[arg(long, env = "ROOMCAL_MAX_UNSCHEDULED_PER_ROOM", default_value_t = 5)]
    pub max_unscheduled_per_room: u32,
    /// Unscheduled meetings one account may run at once in rooms it does not own (all
    /// such rooms together).
    #[arg(
        long,
        env = "ROOMCAL_MAX_GUEST_UNSCHEDULED_PER_USER",
        default_value_t = 2
    )]
    pub max_guest_unscheduled_per_user: u32,
    /// New accounts one client address may create per hour (with --signup open).
    #[arg(long, env = "ROOMCAL_SIGNUPS_PER_HOUR", default_value_t = 10)]
    pub signups_per_hour: u32,
    /// Rooms one account may own.
    #[arg(long, env = "ROOMCAL_MAX_ROOMS_PER_USER", default_value_t = 100)]
    pub max_rooms_per_user: u32,
    /// Calendar address tests ("test connection") one user may run per minute.
    #[arg(long, env = "ROOMCAL_FEED_TESTS_PER_MINUTE", default_value_t = 5)]
    pub feed_tests_per_minute: u32,
    /// Address tests running at once per instance (a pool apart from --sync-concurrency).
    #[arg(long, env = "ROOMCAL_FEED_TEST_CONCURRENCY", default_value_t = 2)]
    pub feed_test_concurrency: usize,
    /// How long an address test waits for a free slot before the answer is a 429.
    #[arg(long, env = "ROOMCAL_FEED_TEST_WAIT", default_value = "10s", value_parser = parse_duration)]
    pub feed_test_wait: chrono::Duration,
    /// Recurrence steps one series of a feed may take; a series over it is skipped with a
    /// warning in the sync log.
    #[arg(long, env = "ROOMCAL_FEED_SERIES_STEPS", default_value_t = 200_000)]
    pub feed_series_steps: u64,
    /// Recurrence steps a whole feed may take (about a second of CPU); a feed over it
    /// fails to sync and changes nothing stored.
    #[arg(long, env = "ROOMCAL_FEED_STEPS", default_value_t = 20_000_000)]
    pub feed_steps: u64,
    /// Bytes of parsed feeds kept in memory to skip re-parsing unchanged feeds.
    #[arg(long, env = "ROOMCAL_FEED_CACHE_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub feed_cache_bytes: usize,
    /// Take the client address from the last X-Forwarded-For entry (only behind a proxy
    /// that sets it; otherwise clients could pick their own address).
    #[arg(long, env = "ROOMCAL_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
}

/// Options of the meeting lifecycle (durations like `90s`, `15m`, `8h`).
#[derive(Debug, Clone, Args)]
pub struct LifecycleArgs {
    /// How long before its start a calendar occurrence gets its meeting.
    #[arg(long, env = "ROOMCAL_PRECREATE_LEAD", default_value = "1m", value_parser = parse_duration)]
    pub precreate_lead: chrono::Duration,
    /// How far ahead an occurrence can be joined early (the page waits for the start).
    #[arg(long, env = "ROOMCAL_UPCOMING_WINDOW", default_value = "30m", value_parser = parse_duration)]
    pub upcoming_window: chrono::Duration,
    /// How long a meeting stays open after the last participant left.
    #[arg(long, env = "ROOMCAL_GRACE_PERIOD", default_value = "15m", value_parser = parse_duration)]
    pub grace_period: chrono::Duration,
    /// How long after its scheduled end a calendar meeting is force-closed.
    #[arg(long, env = "ROOMCAL_CALENDAR_OVERRUN", default_value = "30m", value_parser = parse_duration)]
    pub calendar_overrun: chrono::Duration,
    /// How long without a heartbeat before a participant counts as gone.
    #[arg(long, env = "ROOMCAL_PRESENCE_TIMEOUT", default_value = "45s", value_parser = parse_duration)]
    pub presence_timeout: chrono::Duration,
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
    /// Hosts and networks (CIDR) always allowed as feed sources, comma separated.
    #[arg(long, env = "ROOMCAL_FEED_ALLOWLIST", value_delimiter = ',')]
    pub feed_allowlist: Vec<String>,
    /// Fetch calendars only from --feed-allowlist (closed networks; API fuzzing).
    #[arg(long, env = "ROOMCAL_FEED_ALLOWLIST_ONLY")]
    pub feed_allowlist_only: bool,
    /// Largest feed accepted, in bytes after decompression.
    #[arg(long, env = "ROOMCAL_MAX_FEED_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_feed_bytes: usize,
    /// Time allowed for a whole feed download.
    #[arg(long, env = "ROOMCAL_FEED_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub feed_timeout: chrono::Duration,
    /// Feed syncs running at once in this instance (scheduled, manual and address tests).
    #[arg(long, env = "ROOMCAL_SYNC_CONCURRENCY", default_value_t = 8)]
    pub sync_concurrency: usize,
    /// How far back each sync reads the calendar (occurrences that started recently).
    #[arg(long, env = "ROOMCAL_SYNC_WINDOW_BEFORE", default_value = "1h", value_parser = parse_duration)]
    pub sync_window_before: chrono::Duration,
    /// How far ahead each sync reads the calendar; at least the upcoming window.
    #[arg(long, env = "ROOMCAL_SYNC_WINDOW_AFTER", default_value = "24h", value_parser = parse_duration)]
    pub sync_window_after: chrono::Duration,
    /// Minimum time between two requests to one calendar host (e.g. `100ms` as `0s` to disable).
    #[arg(long, env = "ROOMCAL_FEED_HOST_INTERVAL_MS", default_value_t = 100)]
    pub feed_host_interval_ms: u64,
    /// How often the scheduler looks for rooms due for a sync.
    #[arg(long, env = "ROOMCAL_SYNC_TICK", default_value = "5s", value_parser = parse_duration)]
    pub sync_tick: chrono::Duration,
    /// How long a room claimed for a sync stays this instance's at most: if the instance
    /// dies mid-sync, another one takes the room over after this.
    #[arg(long, env = "ROOMCAL_SYNC_LEASE", default_value = "2m", value_parser = parse_duration)]
    pub sync_lease: chrono::Duration,
    /// Turn off the background sync (manual syncs still work).
    #[arg(long, env = "ROOMCAL_NO_BACKGROUND_SYNC")]
    pub no_background_sync: bool,
    /// Other base URLs under which rooms are known (old domains), comma separated.
    #[arg(long, env = "ROOMCAL_ROOM_URL_ALIASES", value_delimiter = ',')]
    pub room_url_alias: Vec<String>,
    /// IANA zone for floating calendar times and all-day dates.
    #[arg(long, env = "ROOMCAL_TIMEZONE", default_value = "UTC")]
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

/// Parses durations written like `90s`, `15m`, `8h`, `1d`.
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: i64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not a duration; write e.g. 90s, 15m or 8h"))?;
    match unit {
        "s" => Ok(chrono::Duration::seconds(value)),
        "m" => Ok(chrono::Duration::minutes(value)),
        "h" => Ok(chrono::Duration::hours(value)),
        "d" => Ok(chrono::Duration::days(value)),
        _ => Err(format!(
            "\"{text}\" has no known unit; write e.g. 90s, 15m or 8h"
        )),
    }
}

/// A retention of at least a day: a meeting closed moments ago still answers "ended".
pub fn parse_retention(text: &str) -> Result<chrono::Duration, String> {
    let retention = parse_duration(text)?;
    if retention < chrono::Duration::days(1) {
        return Err(format!(
            "\"{text}\" is shorter than a day; keep closed meetings at least 1d"
        ));
    }
    Ok(retention)
}

/// A lifecycle tick: 1 s to 10 s. Meetings are created a minute before they start and
/// closed on the minute, so a slower tick would open and close them late.
pub fn parse_lifecycle_tick(text: &str) -> Result<chrono::Duration, String> {
    let tick = parse_duration(text)?;
    if tick < chrono::Duration::seconds(1) || tick > chrono::Duration::seconds(10) {
        return Err(format!(
            "\"{text}\" is outside 1s to 10s; meetings open and close on time only if the \
             lifecycle runs at least every 10 seconds"
        ));
    }
    Ok(tick)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_tick_must_stay_within_ten_seconds() {
        let accepted = Cli::try_parse_from(["roomcal", "--lifecycle-tick", "10s"]);
        assert!(accepted.is_ok());
        let refused = Cli::try_parse_from(["roomcal", "--lifecycle-tick", "30s"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(refused.contains("at least every 10 seconds"), "{refused}");
        assert!(Cli::try_parse_from(["roomcal", "--lifecycle-tick", "0s"]).is_err());
    }

    #[test]
    fn the_retention_defaults_to_ninety_days_and_is_at_least_one() {
        let cli = Cli::try_parse_from(["roomcal"]).expect("parse");
        assert_eq!(cli.serve.retention, chrono::Duration::days(90));
        assert!(Cli::try_parse_from(["roomcal", "--retention", "12h"]).is_err());
        let cli = Cli::try_parse_from(["roomcal", "--retention", "7d"]).expect("parse");
        assert_eq!(cli.serve.retention, chrono::Duration::days(7));
    }

    #[test]
    fn durations_are_written_with_a_unit() {
        assert_eq!(parse_duration("90s"), Ok(chrono::Duration::seconds(90)));
        assert_eq!(parse_duration("15m"), Ok(chrono::Duration::minutes(15)));
        assert_eq!(parse_duration("8h"), Ok(chrono::Duration::hours(8)));
        assert!(parse_duration("8").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("5w").is_err());
    }

    #[test]
    fn serve_is_the_default_subcommand() {
        let cli = Cli::try_parse_from(["roomcal", "--addr", "127.0.0.1:4000"]).expect("parse");
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.addr.port(), 4000);
        assert_eq!(cli.serve.public_url(), "http://127.0.0.1:4000");
    }

    #[test]
    fn the_sqlite_database_lives_in_the_data_dir_by_default() {
        let cli =
            Cli::try_parse_from(["roomcal", "migrate", "--data-dir", "/tmp/x"]).expect("parse");
        let Some(Command::Migrate(db)) = cli.command else {
            panic!("expected migrate");
        };
        assert_eq!(db.database_url(), "sqlite:///tmp/x/roomcal.db");
    }
}
