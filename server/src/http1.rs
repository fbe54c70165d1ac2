//! The HTTP/1.1 server loop: accepts connections, serves each with hyper's HTTP/1
//! connection (no protocol sniffing), and shuts down gracefully.
//!
//! Why not `axum::serve`: it serves every connection through hyper-util's "auto" builder,
//! which first reads up to 24 bytes to tell HTTP/2 from HTTP/1 (even with HTTP/2 off, as
//! here). hyper then reads the rest of the request behind those bytes and grows its read
//! buffer from 8 KB to 16 KB for every connection — which a live-update stream keeps for
//! as long as it is open. Measured with heaptrack on 3,000 streams (BENCHMARKS.md, live
//! updates): that growth was a third of what a stream cost. This loop hands hyper the
//! connection as it is, so one 8 KB read buffer holds the request.
//!
//! It also bounds how long a client may take to send its request head
//! ([`HEADER_READ_TIMEOUT`]), so idle half-open connections do not pile up.

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::pin::pin;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// How long a client may take to send a request's head before its connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, asks every
/// open connection to finish its current request, and returns once all are closed. Each
/// request carries its peer's address as [`ConnectInfo`].
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Each connection holds a receiver: `closing` tells them to finish, and the sender's
    // `closed()` says when the last one has.
    let (closing, connections) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment instead of
                    // spinning; the connections already open keep being served.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let mut finish = connections.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let mut request = request.map(axum::body::Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(request)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let mut connection = pin!(builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades());
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    return;
                }
                _ = finish.wait_for(|closing| *closing) => {}
            }
            connection.as_mut().graceful_shutdown();
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    drop(connections);
    let _ = closing.send(true);
    closing.closed().await;
    Ok(())
}
