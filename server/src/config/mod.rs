//! Command line and environment (`ROOMCAL_*`) configuration: the subcommands and their
//! arguments here, `serve`'s options in `serve_args.rs`, how durations are written (read
//! from flags, shown as defaults) in `duration.rs`. A default a core setting also has is
//! the core's constant, which the flag names, so flag and `Default` cannot drift apart; the
//! README's flag tables are tested against `roomcal serve --help`.

mod duration;
mod oidc_args;
mod serve_args;

pub use duration::{
    human_duration, human_std_duration, parse_duration, parse_lifecycle_tick, parse_retention,
};
pub use oidc_args::{LocalAccounts, OidcArgs};
pub use serve_args::{LifecycleArgs, LimitArgs, ServeArgs, SyncArgs};

use clap::{Args, Parser, Subcommand, ValueEnum};
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
    fn the_flags_default_to_the_cores_defaults() {
        let cli = Cli::try_parse_from(["roomcal"]).expect("parse");
        let serve = &cli.serve;
        let lifecycle = roomcal::lifecycle::LifecycleSettings::default();
        let args = &serve.lifecycle;
        assert_eq!(args.precreate_lead, lifecycle.precreate_lead);
        assert_eq!(args.upcoming_window, lifecycle.upcoming_window);
        assert_eq!(args.grace_period, lifecycle.grace_period);
        assert_eq!(args.calendar_overrun, lifecycle.calendar_overrun);
        assert_eq!(args.max_extend_minutes, lifecycle.max_extend_minutes);
        assert_eq!(args.presence_timeout, lifecycle.presence_timeout);
        assert_eq!(serve.unscheduled_lifetime, lifecycle.unscheduled_lifetime);
        let core = roomcal::CoreSettings::default();
        assert_eq!(serve.guest_horizon, core.guest_horizon);
        assert_eq!(serve.retention, core.retention);
        let sync = roomcal::sync::SyncSettings::default();
        let args = &serve.sync;
        assert_eq!(args.sync_window_before, sync.window_before);
        assert_eq!(args.sync_window_after, sync.window_after);
        assert_eq!(args.sync_lease, sync.lease);
        assert_eq!(args.sync_concurrency, sync.concurrency);
        assert_eq!(args.timezone, sync.default_tz);
        assert_eq!(
            std::time::Duration::from_millis(args.feed_host_interval_ms),
            sync.per_host_interval
        );
        assert_eq!(serve.limits.feed_test_concurrency, sync.test_concurrency);
        assert_eq!(
            serve.limits.feed_test_wait.to_std().ok(),
            Some(sync.test_slot_wait)
        );
        assert_eq!(serve.limits.feed_series_steps, sync.budget.steps_per_series);
        assert_eq!(serve.limits.feed_steps, sync.budget.steps_per_feed);
        assert_eq!(serve.limits.feed_cache_bytes, sync.cache_bytes);
        let fetch = roomcal::sync::fetch::FetchSettings::default();
        assert_eq!(args.max_feed_bytes, fetch.max_bytes);
        assert_eq!(args.feed_timeout.to_std().ok(), Some(fetch.total_timeout));
        let limits = roomcal::services::limits::LimitSettings::default();
        let args = &serve.limits;
        assert_eq!(args.login_failures, limits.login_failures);
        assert_eq!(args.login_window, limits.login_window);
        assert_eq!(
            args.password_hash_concurrency,
            limits.password_hash_concurrency
        );
        assert_eq!(args.presence_ids_per_minute, limits.presence_ids_per_minute);
        assert_eq!(
            args.max_participants_per_meeting,
            limits.max_participants_per_meeting
        );
        assert_eq!(
            args.max_unscheduled_per_room,
            limits.max_unscheduled_per_room
        );
        assert_eq!(args.max_rooms_per_user, limits.max_rooms_per_user);
        assert_eq!(
            args.max_guest_unscheduled_per_user,
            limits.max_guest_unscheduled_per_user
        );
        assert_eq!(args.signups_per_hour, limits.signups_per_hour);
        assert_eq!(args.knocks_per_hour, limits.knocks_per_hour);
        assert_eq!(
            args.max_pending_knocks_per_address,
            limits.max_pending_knocks_per_address
        );
        assert_eq!(args.feed_tests_per_minute, limits.feed_tests_per_minute);
        assert_eq!(args.reopens_per_hour, limits.reopens_per_hour);
        assert_eq!(
            args.webhook_sends_per_minute,
            limits.webhook_sends_per_minute
        );
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
