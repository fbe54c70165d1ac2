//! The background workers: calendar sync and the meeting lifecycle. Each is a thin loop
//! around one testable step of the core, and stops when the shutdown signal fires.

use crate::config::ServeArgs;
use roomcal::Core;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Starts the workers `args` asks for; each stops when `stop` turns true.
pub fn spawn_workers(
    core: &Core,
    args: &ServeArgs,
    stop: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let mut workers = Vec::new();
    if !args.sync.no_background_sync {
        let tick = args
            .sync
            .sync_tick
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(5));
        workers.push(tokio::spawn(run_sync_loop(
            core.clone(),
            tick,
            stop.clone(),
        )));
    }
    let lifecycle_tick = args
        .lifecycle
        .lifecycle_tick
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(5));
    workers.push(tokio::spawn(run_lifecycle_loop(
        core.clone(),
        lifecycle_tick,
        stop.clone(),
    )));
    workers
}

/// The background calendar sync: every tick, sync the rooms that are due. A thin loop
/// around [`roomcal::sync::Syncer::run_due`]; stops when `shutdown` fires.
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
        // Histogram samples wait in buffers until folded in; without a scraper they would
        // pile up, so the tick folds them too.
        if let Some(handle) = crate::metrics::handle() {
            handle.run_upkeep();
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => return,
        }
    }
}
