//! The `roomcal` binary.

use clap::Parser;
use roomcal_server::config::{Cli, Command, IcsCommand, LogFormat, UserCommand};
use roomcal_server::{serve, state};
use std::process::ExitCode;

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Large allocations (1 MiB and up) come from the OS and go back to it when freed.
///
/// Why: glibc raises its mmap threshold to the size of each large block freed, so after a
/// few password checks (Argon2 takes 19 MiB each) such blocks come from the heap and stay
/// resident. Measured: ten failed sign-ins took the server from 21 MB to 230 MB for good;
/// with the threshold fixed it stays at 21 MB (BENCHMARKS.md, memory).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn return_large_blocks_to_the_os() {
    // SAFETY: mallopt only sets an allocator parameter; M_MMAP_THRESHOLD with a value in
    // glibc's accepted range (up to 32 MiB) is valid at any time, from any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_os() {}

#[tokio::main]
async fn main() -> ExitCode {
    return_large_blocks_to_the_os();
    let cli = Cli::parse();
    let result = match cli.command {
        None => {
            init_logging(cli.serve.database.log_format);
            serve::serve(cli.serve, shutdown_signal()).await
        }
        Some(Command::Serve(args)) => {
            let args = *args;
            init_logging(args.database.log_format);
            serve::serve(args, shutdown_signal()).await
        }
        Some(Command::Ics(IcsCommand::Expand(args))) => {
            return match roomcal_server::ics_cli::expand(&args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(Command::User(UserCommand::Add(args))) => {
            return match roomcal_server::user_cli::add(&args).await {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(Command::Backup(args)) => {
            let url = args.database.database_url();
            return match roomcal::store::backup::backup(&url, &args.path).await {
                Ok(()) => {
                    println!("backed up to {}", args.path.display());
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(Command::Migrate(db)) => {
            init_logging(db.log_format);
            let url = db.database_url();
            state::open_database(&url).await.map(|_| {
                tracing::info!(
                    "migrations applied to {}",
                    roomcal::store::mask_database_url(&url)
                );
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
