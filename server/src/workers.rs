//! The background workers: calendar sync, the meeting lifecycle and webhook deliveries. Each is a thin loop
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
    workers.push(tokio::spawn(run_webhook_loop(core.clone(), stop.clone())));
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

/// How often the webhook worker looks for due deliveries when nothing woke it (changes
/// on this instance wake it at once; those of other instances and retries wait for this).
const WEBHOOK_POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// Webhook attempts in flight at once per instance.
const WEBHOOK_CONCURRENCY: usize = 32;

/// The webhook deliveries: claim what is due, send each claimed delivery in its own task
/// (so a receiver that never answers holds up only itself, for 10 s), at most
/// [`WEBHOOK_CONCURRENCY`] at once. A thin loop around
/// [`roomcal::services::webhook_delivery`]'s `claim_due` and `deliver`.
pub async fn run_webhook_loop(core: Core, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(WEBHOOK_CONCURRENCY));
    let mut in_flight = tokio::task::JoinSet::new();
    loop {
        while in_flight.try_join_next().is_some() {}
        let free = slots.available_permits();
        if free > 0 {
            let now = core.clock.now();
            match roomcal::services::webhook_delivery::claim_due(&core, now, free).await {
                Ok(claimed) => {
                    for delivery in claimed {
                        let Ok(permit) = slots.clone().try_acquire_owned() else {
                            break;
                        };
                        let core = core.clone();
                        in_flight.spawn(async move {
                            let _permit = permit;
                            let delivered =
                                roomcal::services::webhook_delivery::deliver(&core, &delivery);
                            if let Err(err) = delivered.await {
                                tracing::warn!(error = %err, delivery = %delivery.id, "webhook delivery could not be recorded");
                            }
                        });
                    }
                }
                Err(err) => tracing::warn!(error = %err, "claiming webhook deliveries failed"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(WEBHOOK_POLL) => {}
            _ = core.webhooks.woken() => {}
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            _ = shutdown.changed() => return,
        }
    }
}
