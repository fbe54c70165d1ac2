//! The webhook receiver of the tests: `.ci/webhook-receiver.py`, a real HTTP server on
//! loopback that verifies every signature with the Standard Webhooks reference library
//! (PyPI `standardwebhooks`, installed by `make deps` in `.ci/.venv`).

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running receiver.
pub struct Receiver {
    child: Option<Child>,
    /// Its port.
    pub port: u16,
    client: reqwest::Client,
}

fn python() -> String {
    let python = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/.venv/bin/python");
    assert!(
        std::path::Path::new(python).exists(),
        "{python} is missing: run `make deps` (it installs standardwebhooks for these tests)"
    );
    python.to_string()
}

impl Receiver {
    /// Starts a receiver on a free port.
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// Starts a receiver on `port` (0: any free one).
    pub fn start_on(port: u16) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/webhook-receiver.py");
        let mut child = Command::new(python())
            .args([script, "--port", &port.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the webhook receiver");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the receiver says where it listens");
        let port = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected receiver output: {line:?}"));
        Receiver {
            child: Some(child),
            port,
            client: reqwest::Client::new(),
        }
    }

    /// The URL of `path` on the receiver.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Stops it (the port refuses connections until it starts again).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let again = Receiver::start_on(self.port);
        *self = again;
    }

    /// How to answer from now on: `{"status": 503}`, `{"hang": true}`, `{"delay_ms": 300}`.
    pub async fn set_mode(&self, mode: Value) {
        let answer = self
            .client
            .post(self.url("/_mode"))
            .json(&mode)
            .send()
            .await
            .expect("mode");
        assert!(answer.status().is_success());
    }

    /// Everything received, each checked against `secrets`.
    pub async fn received(&self, secrets: &[&str]) -> Vec<Value> {
        let query: Vec<(&str, &str)> = secrets.iter().map(|s| ("secret", *s)).collect();
        self.client
            .get(self.url("/_received"))
            .query(&query)
            .send()
            .await
            .expect("received")
            .json()
            .await
            .expect("json")
    }

    /// Waits (up to `within`) until what was received satisfies `done`; returns it.
    pub async fn wait_for(
        &self,
        secrets: &[&str],
        within: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received(secrets).await;
            if done(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver did not get what was expected within {within:?}; it got {got:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Concurrency seen: `max_in_flight_per_id`, `max_in_flight`, `total`.
    pub async fn stats(&self) -> Value {
        self.client
            .get(self.url("/_stats"))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("json")
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The received deliveries whose path is `path`.
pub fn at<'a>(received: &'a [Value], path: &str) -> Vec<&'a Value> {
    received.iter().filter(|r| r["path"] == path).collect()
}

/// The event types, in arrival order.
pub fn types(received: &[&Value]) -> Vec<String> {
    received
        .iter()
        .map(|r| r["body"]["type"].as_str().unwrap_or("").to_string())
        .collect()
}
