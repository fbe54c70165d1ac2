//! A name server that never answers stalls nothing: address tests and settings look hosts
//! up a few at a time, give up after a timeout with a clear message, and everything else
//! (health checks, sign-in with its password hashing on the same blocking pool) answers.

use crate::helpers::{new_client, spawn_app_resolving_with};
use roomcal::sync::dns::{HostLookup, DEFAULT_LOOKUPS_AT_ONCE};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A resolver whose every look-up blocks its thread until the test ends (as a hung
/// `getaddrinfo` does), counting the threads it holds.
#[derive(Debug, Default)]
struct Hung {
    /// Threads inside `lookup` now, and the most at once.
    held: AtomicUsize,
    most: AtomicUsize,
    /// Set when the test is over, to let the threads go.
    released: Mutex<bool>,
    wake: Condvar,
}

impl HostLookup for Hung {
    fn lookup(&self, _: &str, _: u16) -> std::io::Result<Vec<SocketAddr>> {
        let now = self.held.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let mut released = self.released.lock().unwrap();
        while !*released {
            released = self.wake.wait(released).unwrap();
        }
        self.held.fetch_sub(1, Ordering::SeqCst);
        Err(std::io::Error::other("released"))
    }
}

impl Hung {
    fn release(&self) {
        *self.released.lock().unwrap() = true;
        self.wake.notify_all();
    }
}

#[tokio::test]
async fn a_name_server_that_never_answers_stalls_neither_health_checks_nor_sign_in() {
    let hung = Arc::new(Hung::default());
    // No --allow-private-feeds: every host name is looked up.
    let app = spawn_app_resolving_with(&["--allow-http-feeds"], hung.clone()).await;
    // Four owners, each testing and saving addresses on hosts that never resolve: more
    // look-ups than the bound allows at once.
    let mut requests = Vec::new();
    for owner in 0..4 {
        let client = new_client();
        let signup = client
            .post(app.url("/v1/auth/signup"))
            .json(&json!({"email": format!("o{owner}@example.com"), "name": "Owner", "password": "long enough"}))
            .send()
            .await
            .expect("signup");
        assert_eq!(signup.status(), 201);
        let room = format!("dns{owner}");
        client
            .post(app.url("/v1/rooms"))
            .json(&json!({"name": room}))
            .send()
            .await
            .expect("room");
        for i in 0..3 {
            let (client, room) = (client.clone(), room.clone());
            let test = app.url(&format!("/v1/rooms/{room}/ics/test"));
            let save = app.url(&format!("/v1/rooms/{room}"));
            requests.push(tokio::spawn(async move {
                let url = format!("https://cal{i}.never-answers.example/feed.ics");
                let started = Instant::now();
                let tested = client.post(test).json(&json!({"url": url})).send().await;
                let saved = client
                    .patch(save)
                    .json(&json!({"ics_url": url}))
                    .send()
                    .await;
                (started.elapsed(), tested, saved)
            }));
        }
    }
    // Meanwhile the server answers at once.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let health = new_client()
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let login = new_client()
        .post(app.url("/v1/auth/login"))
        .json(&json!({"email": "o0@example.com", "password": "long enough"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "health check and sign-in took {:?}",
        started.elapsed()
    );
    for request in requests {
        let (took, tested, saved) = request.await.expect("task");
        // A stuck look-up ends in a message for the owner, not in a hung request.
        assert!(took < Duration::from_secs(25), "{took:?}");
        for answer in [tested, saved] {
            let answer = answer.expect("answered");
            assert!(
                [422, 429].contains(&answer.status().as_u16()),
                "{}",
                answer.status()
            );
            let body: Value = answer.json().await.expect("json");
            let text = body.to_string();
            assert!(
                text.contains("did not answer") || text.contains("try again"),
                "{text}"
            );
        }
    }
    assert!(
        hung.most.load(Ordering::SeqCst) <= DEFAULT_LOOKUPS_AT_ONCE,
        "at most {DEFAULT_LOOKUPS_AT_ONCE} threads wait on the resolver, not {}",
        hung.most.load(Ordering::SeqCst)
    );
    hung.release();
}
