//! Fresh databases for tests: a temporary SQLite file, or a new database on the
//! PostgreSQL server named by `TEST_DATABASE_URL` (`make test` starts a throwaway one).

#![allow(dead_code, unused_macros)]

/// Generates a `sqlite` and a `postgres` test for each listed `async fn name(Arc<dyn Store>)`
/// of the calling file: the same contract, run against both backends.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, _dir) = crate::common::sqlite_store().await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(store) = crate::common::postgres_store().await {
                        super::$name(store).await;
                    }
                }
            )*
        }
    };
}

use chrono::{DateTime, Duration, TimeZone, Utc};
use roomcal::domain::{CalendarEvent, DisplayName, Email, RoomName};
use roomcal::store::{self, NewRoom, NewUser, Store};
use sqlx::Connection;
use std::sync::Arc;
use uuid::Uuid;

/// A migrated store on a new SQLite file; keep the directory alive as long as the store.
pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = store::open(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    (store, dir)
}

/// A migrated store on a new, empty PostgreSQL database.
///
/// Fails when `TEST_DATABASE_URL` is unset, so a missing server can never pass for green;
/// set `ROOMCAL_SKIP_POSTGRES=1` to skip these tests deliberately.
pub async fn postgres_store() -> Option<Arc<dyn Store>> {
    let url = postgres_database_url().await?;
    let store = store::open(&url).await.expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    Some(store)
}

/// Says on stderr that the running test is skipped, as `test NAME ... skipped
/// (ROOMCAL_SKIP_POSTGRES)` — the line `.ci/run` counts. Written to the stream itself,
/// past the test harness's capture (which would hide an `eprintln!` of a passing test);
/// the harness still prints the test as `ok`, so `.ci/run` takes it out of the passed.
pub fn report_skipped() {
    use std::io::Write;
    let thread = std::thread::current();
    let name = thread
        .name()
        .filter(|n| *n != "main")
        .unwrap_or("a PostgreSQL test");
    let _ = std::io::stderr()
        .write_all(format!("test {name} ... skipped (ROOMCAL_SKIP_POSTGRES)\n").as_bytes());
}

/// The URL of a new, empty PostgreSQL database (see [`postgres_store`]).
pub async fn postgres_database_url() -> Option<String> {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        if std::env::var("ROOMCAL_SKIP_POSTGRES").is_ok() {
            report_skipped();
            return None;
        }
        panic!("TEST_DATABASE_URL is not set: run `make test`, or set ROOMCAL_SKIP_POSTGRES=1");
    };
    let name = format!("roomcal_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    Some(url.to_string())
}

/// Core services over `store` with a fixed clock and a Jitsi platform on loopback.
pub fn test_core(store: Arc<dyn Store>) -> roomcal::Core {
    use roomcal::secret::{SecretBox, SecretKey};
    use roomcal::sync::fetch::{FetchSettings, Fetcher};
    use roomcal::sync::{SyncSettings, Syncer};
    let secrets = SecretBox::new(&SecretKey::generate()).expect("secret box");
    let fetcher = Fetcher::new(FetchSettings::default()).expect("fetcher");
    let sync = Syncer::new(
        store.clone(),
        fetcher,
        secrets.clone(),
        SyncSettings::default(),
    );
    let events = sync.events().clone();
    roomcal::Core {
        store,
        platform: Arc::new(roomcal::platform::JitsiPlatform::new(
            "http://127.0.0.1:9/call",
        )),
        clock: Arc::new(roomcal::clock::ManualClock::new(chrono::Utc::now())),
        settings: roomcal::CoreSettings::default(),
        secrets,
        sync: Arc::new(sync),
        limits: Arc::new(roomcal::services::limits::Limiters::default()),
        listings: Arc::default(),
        oidc: None,
        events,
        webhooks: Arc::new(
            roomcal::sync::webhook_sender::WebhookSender::new(
                roomcal::sync::address::AddressPolicy {
                    allow_private: true,
                    ..Default::default()
                },
                roomcal::sync::dns::Resolver::system(),
            )
            .unwrap_or_else(|err| panic!("webhook sender: {err}")),
        ),
    }
}

/// The fixed instant lifecycle tests start at.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("instant")
}

/// A new user with this email, named Ada.
pub async fn user(store: &Arc<dyn Store>, email: &str) -> roomcal::domain::User {
    store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse(email).expect("email"),
            display_name: DisplayName::parse("Ada").expect("name"),
            password_hash: "$argon2id$fake".into(),
            created_at: t0(),
        })
        .await
        .expect("insert user")
}

/// A new room `name` of `owner`.
pub async fn room_of(store: &Arc<dyn Store>, owner: Uuid, name: &str) -> roomcal::domain::Room {
    store
        .insert_room(&NewRoom {
            id: Uuid::new_v4(),
            name: RoomName::parse(name).expect("name"),
            owner_id: owner,
            created_at: t0(),
        })
        .await
        .expect("insert room")
}

/// A room of a new owner.
pub async fn room(store: &Arc<dyn Store>) -> Uuid {
    let owner = user(store, &format!("{}@example.com", Uuid::new_v4())).await;
    room_of(
        store,
        owner.id,
        &format!("room-{}", Uuid::new_v4().simple()),
    )
    .await
    .id
}

/// A confirmed timed occurrence of `room_id` titled after its uid.
pub fn event(room_id: Uuid, uid: &str, start: DateTime<Utc>, minutes: i64) -> CalendarEvent {
    CalendarEvent {
        id: Uuid::new_v4(),
        room_id,
        ics_uid: uid.into(),
        recurrence_id: None,
        title: Some(format!("Meeting {uid}")),
        description: None,
        start_time: start,
        end_time: start + Duration::minutes(minutes),
        all_day: false,
        attendees: sqlx::types::Json(serde_json::json!([])),
        organizer: None,
        location: None,
        status: Some("CONFIRMED".into()),
        sequence: None,
        last_modified: None,
        privacy_class: None,
        last_synced: t0(),
        is_deleted: false,
        ics_raw_data: String::new(),
        conference_links: sqlx::types::Json(serde_json::json!([])),
    }
}
