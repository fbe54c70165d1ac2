//! Room events across instances on PostgreSQL: a publish is `pg_notify` on
//! [`CHANNEL`]; each instance keeps one `LISTEN` connection ([`PgListener`]) whose
//! notifications feed its local broadcast — its own publishes come back the same way, so
//! every instance numbers and delivers every event once.
//!
//! sqlx's listener reconnects by itself when its connection dies (`try_recv` answers
//! `Ok(None)` after reconnecting and re-issuing `LISTEN`); notifications sent in between are
//! lost, so the streams are told to refetch. The listener's session carries the
//! application name [`LISTENER_APPLICATION_NAME`], so operators (and the tests) can find it
//! in `pg_stat_activity`.

use super::{RoomEvent, RoomEvents};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::sync::{Arc, Weak};

/// The `NOTIFY` channel of room events.
pub const CHANNEL: &str = "roomcal_room_events";

/// `application_name` of each instance's listening session.
pub const LISTENER_APPLICATION_NAME: &str = "roomcal-events-listen";

/// `application_name` of the sessions that send notifications.
pub const NOTIFIER_APPLICATION_NAME: &str = "roomcal-events-notify";

/// How long to wait before trying again when the database cannot be reached.
const RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// Sends room events as notifications.
pub(super) struct Notifier {
    pool: PgPool,
}

impl Notifier {
    /// `SELECT pg_notify(CHANNEL, json)`.
    pub(super) async fn notify(&self, event: &RoomEvent) -> Result<(), sqlx::Error> {
        let payload = serde_json::to_string(event).map_err(|e| sqlx::Error::Encode(e.into()))?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A small pool of sessions named `application_name` on the database of `url`.
async fn pool(url: &str, application_name: &str, size: u32) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.application_name(application_name);
    PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_with(options)
        .await
}

impl RoomEvents {
    /// The bus of an instance on the PostgreSQL database at `url`: listens before it
    /// returns (so no event published after start-up is missed), then keeps listening in a
    /// background task until the bus is dropped or closed.
    pub async fn postgres(url: &str) -> Result<Arc<Self>, sqlx::Error> {
        let notifier = Notifier {
            pool: pool(url, NOTIFIER_APPLICATION_NAME, 4).await?,
        };
        let mut listener =
            PgListener::connect_with(&pool(url, LISTENER_APPLICATION_NAME, 1).await?).await?;
        listener.listen(CHANNEL).await?;
        let bus = Arc::new(Self::with_notifier(Some(notifier)));
        tokio::spawn(listen(listener, Arc::downgrade(&bus), bus.closed()));
        Ok(bus)
    }
}

/// Feeds notifications into `bus` until it is dropped or `closed` resolves.
async fn listen(
    mut listener: PgListener,
    bus: Weak<RoomEvents>,
    closed: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(closed);
    loop {
        let received = tokio::select! {
            () = &mut closed => return,
            received = listener.try_recv() => received,
        };
        let Some(bus) = bus.upgrade() else {
            return;
        };
        match received {
            Ok(Some(notification)) => match serde_json::from_str(notification.payload()) {
                Ok(event) => bus.deliver(event),
                Err(err) => tracing::warn!(error = %err, "ignored an unreadable room event"),
            },
            Ok(None) => {
                tracing::warn!("the room event listener lost its database connection and reconnected; pages refetch");
                bus.deliver_lost();
            }
            Err(err) => {
                tracing::warn!(error = %err, "the room event listener cannot reach the database; retrying");
                bus.deliver_lost();
                drop(bus);
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}
