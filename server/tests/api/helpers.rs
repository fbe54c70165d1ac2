//! `spawn_app()`: the real server on a free loopback port, a fresh data directory, and a
//! cookie-keeping HTTP client.

use clap::Parser;
use roomcal::clock::SystemClock;
use roomcal_server::config::Cli;
use roomcal_server::{serve, state};
use serde_json::{json, Value};
use std::sync::Arc;

/// A running test application.
pub struct TestApp {
    /// The core services of the running app (tests call step functions directly).
    pub core: roomcal::Core,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A client that keeps cookies, like a browser or a scripted API client.
    pub client: reqwest::Client,
    /// The data directory (SQLite file, secret key); removed on drop.
    pub data_dir: tempfile::TempDir,
}

/// The base URL the video platform is pointed at: loopback, never contacted by Jitsi.
pub const JITSI_STUB: &str = "http://127.0.0.1:9/call";

/// Starts the application with a fresh database; calendar feeds may live on loopback.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&["--allow-private-feeds", "--allow-http-feeds"]).await
}

/// Every log line the test binary's apps wrote (checked for leaked secrets).
pub fn captured_logs() -> String {
    LOGS.lock()
        .map(|l| String::from_utf8_lossy(&l).into_owned())
        .unwrap_or_default()
}

static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

/// Writes log lines into [`LOGS`].
struct LogSink;

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = LOGS.lock() {
            logs.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(|| LogSink)
            .try_init();
    });
}

/// Starts the application with a fresh database and extra command-line flags.
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    spawn_app_resolving_with(extra, Arc::new(roomcal::sync::dns::SystemLookup)).await
}

/// [`spawn_app_with`] whose host name look-ups go to `lookup`.
pub async fn spawn_app_resolving_with(
    extra: &[&str],
    lookup: Arc<dyn roomcal::sync::dns::HostLookup>,
) -> TestApp {
    spawn_app_on(extra, lookup, Arc::new(SystemClock)).await
}

/// [`spawn_app_with`] whose "now" is `clock`'s.
pub async fn spawn_app_with_clock(
    extra: &[&str],
    clock: Arc<dyn roomcal::clock::Clock>,
) -> TestApp {
    spawn_app_on(extra, Arc::new(roomcal::sync::dns::SystemLookup), clock).await
}

async fn spawn_app_on(
    extra: &[&str],
    lookup: Arc<dyn roomcal::sync::dns::HostLookup>,
    clock: Arc<dyn roomcal::clock::Clock>,
) -> TestApp {
    capture_logs();
    let data_dir = tempfile::tempdir().expect("tempdir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let addr_text = addr.to_string();
    let dir_text = data_dir.path().display().to_string();
    let mut args = vec![
        "roomcal",
        "--addr",
        &addr_text,
        "--data-dir",
        &dir_text,
        "--jitsi-base-url",
        JITSI_STUB,
        "--site-root",
        "/nonexistent-site-root",
        "--feed-timeout",
        "2s",
        "--feed-host-interval-ms",
        "0",
    ];
    args.extend_from_slice(extra);
    let cli = Cli::try_parse_from(args).expect("arguments");
    let core = state::build_core_with(&cli.serve, clock, lookup)
        .await
        .expect("core");
    let options = state::leptos_options(&cli.serve);
    tokio::spawn(serve::serve_on(
        listener,
        core.clone(),
        options,
        cli.serve.limits.trusted_proxies(),
        cli.serve.metrics_public,
    ));
    TestApp {
        core,
        address: format!("http://{addr}"),
        client: new_client(),
        data_dir,
    }
}

/// A fresh client with its own cookie jar (another person). Requests give up after 30 s,
/// so a stalled response fails its test by name instead of hanging the whole run.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// POSTs JSON with this app's client.
    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// GETs with this app's client.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// Signs up a new user with this app's client (which keeps the session cookie).
    pub async fn sign_up(&self, email: &str) -> Value {
        let response = self
            .post(
                "/v1/auth/signup",
                json!({"email": email, "name": "Ada Lovelace", "password": "correct horse"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("json")
    }
}

impl TestApp {
    /// Signs Ada up, creates room `name` and starts an unscheduled meeting in it; returns
    /// the meeting's id.
    pub async fn owner_with_meeting(&self, name: &str) -> String {
        self.sign_up("ada@example.com").await;
        self.post("/v1/rooms", json!({"name": name})).await;
        let meeting: Value = self
            .post(&format!("/v1/rooms/{name}/meeting"), json!({}))
            .await
            .json()
            .await
            .expect("json");
        meeting["meeting"]["id"].as_str().expect("id").to_string()
    }
}

/// The active meetings of a room page's board (`GET /v1/rooms/{room}`).
pub fn active_meetings(room: &Value) -> Vec<Value> {
    room["board"]["meetings"]
        .as_array()
        .expect("the room's board")
        .iter()
        .filter(|m| m["kind"] == "active")
        .cloned()
        .collect()
}

/// One VEVENT for [`ics`].
pub struct Ev<'a> {
    /// UID.
    pub uid: &'a str,
    /// Start (UTC).
    pub start: chrono::DateTime<chrono::Utc>,
    /// Length in minutes.
    pub minutes: i64,
    /// SUMMARY.
    pub summary: &'a str,
    /// LOCATION (put the room URL here to match the room).
    pub location: &'a str,
}

/// A calendar with these events.
pub fn ics(events: &[Ev<'_>]) -> String {
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roomcal tests//EN\r\n");
    for e in events {
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:{}\r\nLOCATION:{}\r\nEND:VEVENT\r\n",
            e.uid,
            fmt(e.start),
            fmt(e.start + chrono::Duration::minutes(e.minutes)),
            e.summary,
            e.location
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

impl TestApp {
    /// Signs up, creates room `name` and attaches `feed_url` with sync on; returns the room id.
    pub async fn room_with_feed(&self, name: &str, feed_url: &str) -> uuid::Uuid {
        self.room_with_feed_by(&self.client, name, feed_url).await
    }

    /// [`TestApp::room_with_feed`] for another person, signed up with `client`.
    pub async fn room_with_feed_by(
        &self,
        client: &reqwest::Client,
        name: &str,
        feed_url: &str,
    ) -> uuid::Uuid {
        let signup = client
            .post(self.url("/v1/auth/signup"))
            .json(&json!({"email": format!("owner-{name}@example.com"), "name": "Ada Lovelace", "password": "correct horse"}))
            .send()
            .await
            .expect("signup");
        assert_eq!(signup.status(), 201);
        let room: Value = client
            .post(self.url("/v1/rooms"))
            .json(&json!({"name": name}))
            .send()
            .await
            .expect("room")
            .json()
            .await
            .expect("json");
        let id = room["id"].as_str().expect("id").to_string();
        let response = client
            .patch(self.url(&format!("/v1/rooms/{id}")))
            .json(&json!({"ics_url": feed_url, "ics_enabled": true}))
            .send()
            .await
            .expect("patch");
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
        uuid::Uuid::parse_str(&id).expect("uuid")
    }

    /// The room page URL events must carry to match room `name`.
    pub fn room_url(&self, name: &str) -> String {
        format!("{}/room/{name}", self.address)
    }

    /// The room's live stored occurrences (not ended at `now`).
    pub async fn live_events(
        &self,
        room_id: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<roomcal::domain::CalendarEvent> {
        self.core
            .store
            .upcoming_calendar_events(room_id, now, 1000)
            .await
            .expect("events")
    }
}

/// Held by the tests that run several `roomcal serve` processes, so they take turns: on
/// two cores, three servers syncing 500 rooms would starve another test's server of CPU.
pub static PROCESS_TESTS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
