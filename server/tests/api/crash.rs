//! Crash safety: `roomcal serve` killed with SIGKILL in the middle of calendar syncs,
//! twenty times in a row, on SQLite and on PostgreSQL. Each sync is one transaction, so
//! the database stays consistent (every room holds exactly one version of its feed, never
//! half of one), and the next run completes the work.

use crate::feed_server::{self, Feeds};
use crate::helpers::{ics, Ev};
use chrono::{Duration, Utc};
use roomcal::domain::{DisplayName, Email, RoomName};
use roomcal::secret::{SecretBox, SecretKey};
use roomcal::store::{self, NewRoom, NewUser, Store};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use uuid::Uuid;

const ROOMS: usize = 12;
const KILLS: usize = 20;

/// The feed of version `v` for a room: a few hundred events, titled with the version, a
/// different number each version, so every sync inserts, updates and soft-deletes.
fn feed(v: usize, room_url: &str) -> String {
    let start = Utc::now() + Duration::hours(2);
    let titles: Vec<String> = (0..150 + (v % 3) * 40)
        .map(|i| format!("v{v} meeting {i}"))
        .collect();
    let uids: Vec<String> = (0..titles.len()).map(|i| format!("e{i}")).collect();
    let events: Vec<Ev<'_>> = titles
        .iter()
        .zip(&uids)
        .enumerate()
        .map(|(i, (summary, uid))| Ev {
            uid,
            start: start + Duration::minutes(i as i64 * 5),
            minutes: 5,
            summary,
            location: room_url,
        })
        .collect();
    ics(&events)
}

struct Setup {
    url: String,
    key: SecretKey,
    store: Arc<dyn Store>,
    rooms: Vec<(Uuid, String)>,
    feeds: Feeds,
}

async fn setup(url: String) -> Setup {
    let store = store::open(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    let key = SecretKey::generate();
    let secrets = SecretBox::new(&key).expect("box");
    let feeds = feed_server::start_on("127.0.0.1").await;
    let owner = store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse("crash@example.com").expect("email"),
            display_name: DisplayName::parse("Crash").expect("name"),
            password_hash: "x".into(),
            created_at: Utc::now(),
        })
        .await
        .expect("user");
    let mut rooms = Vec::new();
    for i in 0..ROOMS {
        let name = format!("crash-{i}");
        let room = store
            .insert_room(&NewRoom {
                id: Uuid::new_v4(),
                name: RoomName::parse(&name).expect("room name"),
                owner_id: owner.id,
                created_at: Utc::now(),
            })
            .await
            .expect("room");
        let mut calendar = store
            .room_calendar(room.id)
            .await
            .expect("q")
            .expect("calendar");
        calendar.ics_url = Some(secrets.seal(&feeds.url(&format!("/feed/{name}"))));
        calendar.ics_enabled = true;
        store.save_room_calendar(&calendar).await.expect("save");
        rooms.push((room.id, format!("http://127.0.0.1:3000/room/{name}")));
    }
    Setup {
        url,
        key,
        store,
        rooms,
        feeds,
    }
}

impl Setup {
    /// Serves version `v` of every feed and makes every room due now.
    async fn publish(&self, v: usize) {
        for (i, (id, room_url)) in self.rooms.iter().enumerate() {
            self.feeds.set(&format!("crash-{i}"), feed(v, room_url));
            let mut calendar = self
                .store
                .room_calendar(*id)
                .await
                .expect("q")
                .expect("room");
            calendar.ics_next_sync_at = None;
            self.store
                .save_room_calendar(&calendar)
                .await
                .expect("save");
        }
    }

    fn hits(&self) -> usize {
        (0..ROOMS)
            .map(|i| self.feeds.hits(&format!("/feed/crash-{i}")))
            .sum()
    }

    fn start(&self) -> Child {
        Command::new(env!("CARGO_BIN_EXE_roomcal"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--database-url",
                &self.url,
                "--secret-key",
                self.key.expose(),
                "--site-root",
                "/nonexistent-site-root",
                "--allow-private-feeds",
                "--allow-http-feeds",
                "--public-url",
                "http://127.0.0.1:3000",
                "--sync-tick",
                "1s",
                "--sync-lease",
                "1s",
                "--feed-host-interval-ms",
                "0",
                "--lifecycle-tick",
                "1s",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start roomcal")
    }

    /// Each room's live upcoming titles must all come from one version of its feed, and
    /// be that whole version.
    async fn versions(&self) -> Vec<usize> {
        let mut versions = Vec::new();
        for (id, _) in &self.rooms {
            let events = self
                .store
                .upcoming_calendar_events(*id, Utc::now(), 10_000)
                .await
                .expect("events");
            let mut seen: Vec<usize> = events
                .iter()
                .filter_map(|e| {
                    e.title
                        .as_deref()?
                        .strip_prefix('v')?
                        .split(' ')
                        .next()?
                        .parse()
                        .ok()
                })
                .collect();
            seen.dedup();
            assert!(
                seen.len() <= 1,
                "room {id} mixes versions {seen:?}: a half-applied sync"
            );
            let v = seen.first().copied().unwrap_or(0);
            if v > 0 {
                assert_eq!(
                    events.len(),
                    150 + (v % 3) * 40,
                    "room {id} holds part of version {v}"
                );
            }
            versions.push(v);
        }
        versions
    }
}

fn kill_9(child: &mut Child) {
    let killed = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let _ = child.wait();
}

async fn killed_twenty_times_then_completed(setup: Setup) {
    let _turn = crate::helpers::PROCESS_TESTS.lock().await;
    let mut interrupted = 0;
    for round in 1..=KILLS {
        setup.publish(round).await;
        let before = setup.hits();
        let mut child = setup.start();
        // Wait until a sync is under way, then kill at a different moment each round.
        let started = std::time::Instant::now();
        while setup.hits() <= before && started.elapsed() < std::time::Duration::from_secs(60) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(setup.hits() > before, "round {round}: no sync started");
        tokio::time::sleep(std::time::Duration::from_millis((round as u64 * 37) % 250)).await;
        kill_9(&mut child);
        // Consistent after every kill: whole versions only.
        if setup.versions().await.iter().any(|v| *v != round) {
            interrupted += 1;
        }
    }
    // The kills did land in the middle of the work (else this test proves nothing).
    assert!(interrupted > 0, "every round finished before its kill");
    // The next run finishes the work: every room ends at the last version.
    let last = KILLS + 1;
    setup.publish(last).await;
    let mut child = setup.start();
    let started = std::time::Instant::now();
    loop {
        if setup.versions().await.iter().all(|v| *v == last) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "not every room reached the last version: {:?}",
            setup.versions().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "clean exit after the last run: {status:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_syncs_twenty_times_leaves_sqlite_consistent_and_the_next_run_completes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/crash.db", dir.path().display());
    // `dir` outlives the runs: the integrity check below reads the same file.
    let setup = setup(url.clone()).await;
    killed_twenty_times_then_completed(setup).await;
    let sqlite = roomcal::store::SqliteStore::open(&url).await.expect("open");
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(sqlite.pool())
        .await
        .expect("integrity check");
    assert_eq!(check, "ok");
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_syncs_twenty_times_leaves_postgres_consistent_and_the_next_run_completes() {
    let Some(url) = postgres_database_url().await else {
        return;
    };
    killed_twenty_times_then_completed(setup(url).await).await;
}

/// Says on stderr that the running test is skipped, as `test NAME ... skipped
/// (ROOMCAL_SKIP_POSTGRES)` — the line `.ci/run` counts (the same as the core's
/// `tests/common`). Written to the stream itself, past the harness's output capture.
fn report_skipped() {
    use std::io::Write;
    let thread = std::thread::current();
    let name = thread
        .name()
        .filter(|n| *n != "main")
        .unwrap_or("a PostgreSQL test");
    let _ = std::io::stderr()
        .write_all(format!("test {name} ... skipped (ROOMCAL_SKIP_POSTGRES)\n").as_bytes());
}

/// A new, empty database on the PostgreSQL server of `TEST_DATABASE_URL` (`make test`
/// starts one); `ROOMCAL_SKIP_POSTGRES=1` skips deliberately, a missing one fails.
pub(crate) async fn postgres_database_url() -> Option<String> {
    use sqlx::Connection;
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        if std::env::var("ROOMCAL_SKIP_POSTGRES").is_ok() {
            report_skipped();
            return None;
        }
        panic!("TEST_DATABASE_URL is not set: run `make test`, or set ROOMCAL_SKIP_POSTGRES=1");
    };
    let name = format!("roomcal_crash_{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    let mut url = url::Url::parse(&admin_url).expect("url");
    url.set_path(&name);
    Some(url.to_string())
}
