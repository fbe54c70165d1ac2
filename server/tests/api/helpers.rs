//! `spawn_app()`: the real server on a free loopback port, a fresh data directory, and a
//! cookie-keeping HTTP client.

use clap::Parser;
use roomcal::clock::SystemClock;
use roomcal_server::config::Cli;
use roomcal_server::startup;
use serde_json::{json, Value};
use std::sync::Arc;

/// A running test application.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A client that keeps cookies, like a browser or a scripted API client.
    pub client: reqwest::Client,
    /// The data directory (SQLite file, secret key); removed on drop.
    pub data_dir: tempfile::TempDir,
}

/// The base URL the video platform is pointed at: loopback, never contacted by Jitsi.
pub const JITSI_STUB: &str = "http://127.0.0.1:9/call";

/// Starts the application with a fresh database.
pub async fn spawn_app() -> TestApp {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let cli = Cli::try_parse_from([
        "roomcal",
        "--addr",
        &addr.to_string(),
        "--data-dir",
        &data_dir.path().display().to_string(),
        "--jitsi-base-url",
        JITSI_STUB,
        "--site-root",
        "/nonexistent-site-root",
    ])
    .expect("arguments");
    let core = startup::build_core(&cli.serve, Arc::new(SystemClock))
        .await
        .expect("core");
    let options = startup::leptos_options(&cli.serve);
    tokio::spawn(startup::serve_on(listener, core, options));
    TestApp {
        address: format!("http://{addr}"),
        client: new_client(),
        data_dir,
    }
}

/// A fresh client with its own cookie jar (another person).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
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
