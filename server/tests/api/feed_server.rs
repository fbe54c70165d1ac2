//! A calendar server on loopback that misbehaves on demand: the other side of every sync
//! test. Each path is one behaviour; `/feed/{name}` serves a body the test sets.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Shared state of the feed server.
#[derive(Clone, Default)]
pub struct Feeds {
    /// Body per feed name.
    bodies: Arc<Mutex<HashMap<String, String>>>,
    /// Requests per path.
    hits: Arc<Mutex<HashMap<String, usize>>>,
    /// Where it listens.
    pub addr: Arc<Mutex<Option<SocketAddr>>>,
    /// `/held` requests being answered right now.
    held_now: Arc<AtomicUsize>,
    /// The most `/held` requests ever answered at once.
    held_most: Arc<AtomicUsize>,
}

impl Feeds {
    /// Sets the body of `/feed/{name}`.
    pub fn set(&self, name: &str, body: String) {
        if let Ok(mut bodies) = self.bodies.lock() {
            bodies.insert(name.to_string(), body);
        }
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .map(|h| h.get(path).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// The most `/held` requests that were in flight at once.
    pub fn most_held_at_once(&self) -> usize {
        self.held_most.load(Ordering::SeqCst)
    }

    /// `http://ADDR{path}`.
    pub fn url(&self, path: &str) -> String {
        let addr = self.addr.lock().ok().and_then(|a| *a).expect("started");
        format!("http://{addr}{path}")
    }
}

/// Starts the feed server on `ip` (any 127.x address) and a free port.
pub async fn start_on(ip: &str) -> Feeds {
    let feeds = Feeds::default();
    let app = Router::new()
        .route("/feed/{name}", get(feed))
        .route("/status/{code}", get(status))
        .route("/slow", get(slow))
        .route("/held/{name}", get(held))
        .route("/drip", get(drip))
        .route("/loop", get(redirect_loop))
        .route("/redirect-to-loopback", get(redirect_to_loopback))
        .route("/redirect-to-localhost", get(redirect_to_localhost))
        .route("/redirect-to-feed/{name}", get(redirect_to_feed))
        .route("/html", get(html))
        .route("/huge", get(huge))
        .route("/gzip-bomb", get(gzip_bomb))
        .route("/gzip-no-header/{name}", get(gzip_no_header))
        .route("/latin1", get(latin1))
        .route("/not-modified", get(not_modified))
        .with_state(feeds.clone());
    let listener = tokio::net::TcpListener::bind(format!("{ip}:0"))
        .await
        .expect("bind feed server");
    *feeds.addr.lock().expect("lock") = Some(listener.local_addr().expect("addr"));
    let counted = app.layer(axum::middleware::from_fn_with_state(
        feeds.clone(),
        count_hits,
    ));
    tokio::spawn(async move { axum::serve(listener, counted).await });
    feeds
}

async fn count_hits(
    State(feeds): State<Feeds>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if let Ok(mut hits) = feeds.hits.lock() {
        *hits.entry(request.uri().path().to_string()).or_default() += 1;
    }
    next.run(request).await
}

async fn feed(
    State(feeds): State<Feeds>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(body) = feeds.bodies.lock().ok().and_then(|b| b.get(&name).cloned()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!(
        "\"{:x}\"",
        body.len() * 31 + body.bytes().map(usize::from).sum::<usize>()
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::ETAG, etag.as_str()),
        ],
        body,
    )
        .into_response()
}

async fn status(Path(code): Path<u16>) -> Response {
    StatusCode::from_u16(code)
        .unwrap_or(StatusCode::IM_A_TEAPOT)
        .into_response()
}

/// `/feed/{name}` answered after 300 ms, counting how many such answers overlap.
async fn held(
    State(feeds): State<Feeds>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let now = feeds.held_now.fetch_add(1, Ordering::SeqCst) + 1;
    feeds.held_most.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    feeds.held_now.fetch_sub(1, Ordering::SeqCst);
    feed(State(feeds), Path(name), headers).await
}

async fn slow() -> Response {
    tokio::time::sleep(Duration::from_secs(20)).await;
    "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into_response()
}

async fn drip() -> Response {
    // One byte every 500 ms, forever: only the client's total timeout ends it.
    let bytes = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n".to_vec();
    let stream = futures_util::stream::unfold(0usize, move |i| {
        let byte = bytes[i % bytes.len()];
        async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            Some((Ok::<_, std::io::Error>(vec![byte]), i + 1))
        }
    });
    (
        [(header::CONTENT_TYPE, "text/calendar")],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn redirect_loop() -> Response {
    (StatusCode::FOUND, [(header::LOCATION, "/loop")]).into_response()
}

/// A redirect to this server's `/feed/main` under another host name.
fn redirect_to_host(feeds: &Feeds, host: &str) -> Response {
    let port = feeds
        .addr
        .lock()
        .ok()
        .and_then(|a| *a)
        .map(|a| a.port())
        .unwrap_or(1);
    let location = format!("http://{host}:{port}/feed/main");
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn redirect_to_loopback(State(feeds): State<Feeds>) -> Response {
    redirect_to_host(&feeds, "127.0.0.1")
}

async fn redirect_to_localhost(State(feeds): State<Feeds>) -> Response {
    redirect_to_host(&feeds, "localhost")
}

async fn redirect_to_feed(Path(name): Path<String>) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, format!("/feed/{name}"))],
    )
        .into_response()
}

async fn html() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html")],
        "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Sign in</form></body></html>",
    )
        .into_response()
}

async fn huge() -> Response {
    // 50 MB of a calendar-looking body.
    let mut body = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    while body.len() < 50 * 1024 * 1024 {
        body.push_str(
            "X-FILLER:0123456789012345678901234567890123456789012345678901234567890123456789\r\n",
        );
    }
    ([(header::CONTENT_TYPE, "text/calendar")], body).into_response()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

async fn gzip_bomb() -> Response {
    let bomb = gzip(&vec![b'A'; 64 * 1024 * 1024]);
    (
        [
            (header::CONTENT_TYPE, "text/calendar"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        bomb,
    )
        .into_response()
}

async fn gzip_no_header(State(feeds): State<Feeds>, Path(name): Path<String>) -> Response {
    let body = feeds
        .bodies
        .lock()
        .ok()
        .and_then(|b| b.get(&name).cloned())
        .unwrap_or_default();
    (
        [(header::CONTENT_TYPE, "text/calendar")],
        gzip(body.as_bytes()),
    )
        .into_response()
}

async fn latin1(State(feeds): State<Feeds>) -> Response {
    let body = feeds
        .bodies
        .lock()
        .ok()
        .and_then(|b| b.get("main").cloned())
        .unwrap_or_default();
    // Re-encode as ISO-8859-1 with an é in the summary: invalid UTF-8 on the wire.
    let bytes: Vec<u8> = body
        .replace("SUMMARY:", "SUMMARY:Caf\u{e9} ")
        .chars()
        .map(|c| if (c as u32) < 256 { c as u8 } else { b'?' })
        .collect();
    ([(header::CONTENT_TYPE, "text/calendar")], bytes).into_response()
}

async fn not_modified() -> Response {
    StatusCode::NOT_MODIFIED.into_response()
}
