//! The load client: closed-loop (N keep-alive connections, each sending its next request
//! when the last one answered, like `oha -c N`) and open-loop (requests sent on a fixed
//! schedule whatever the server does, latency counted from the scheduled time so a stall
//! is not hidden by the client waiting for it).

use std::time::{Duration, Instant};

/// What a run measured.
pub struct Stats {
    /// Latency of every answered request, in microseconds, sorted.
    pub latencies_us: Vec<u64>,
    /// Wall time of the measured part.
    pub elapsed: Duration,
    /// Answers whose status was not the expected one.
    pub unexpected: usize,
}

impl Stats {
    fn from(mut latencies_us: Vec<u64>, elapsed: Duration, unexpected: usize) -> Stats {
        latencies_us.sort_unstable();
        Stats {
            latencies_us,
            elapsed,
            unexpected,
        }
    }

    /// Requests answered per second.
    pub fn throughput(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile (0.0–1.0) in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_us.len() - 1) as f64 * q).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }

    /// One table row: requests, req/s, p50, p99, max, unexpected answers.
    pub fn row(&self) -> String {
        format!(
            "{} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {}",
            self.latencies_us.len(),
            self.throughput(),
            self.quantile_ms(0.5),
            self.quantile_ms(0.99),
            self.quantile_ms(1.0),
            self.unexpected
        )
    }
}

/// `connections` clients, each with one keep-alive connection, GET `url` back to back for
/// `warmup` (not counted) and then `duration`.
pub async fn closed_loop(
    url: &str,
    cookie: Option<&str>,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> Stats {
    let start = Instant::now() + warmup;
    let end = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .expect("client");
        let (url, cookie) = (url.to_owned(), cookie.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut unexpected = 0;
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let mut request = client.get(&url);
                if let Some(cookie) = &cookie {
                    request = request.header("cookie", cookie);
                }
                let ok = match request.send().await {
                    Ok(response) => {
                        let status = response.status();
                        response.bytes().await.is_ok() && status.is_success()
                    }
                    Err(_) => false,
                };
                if sent >= start {
                    latencies.push(sent.elapsed().as_micros() as u64);
                    unexpected += usize::from(!ok);
                }
            }
            (latencies, unexpected)
        }));
    }
    let mut all = Vec::new();
    let mut unexpected = 0;
    for task in tasks {
        let (latencies, bad) = task.await.expect("load task");
        all.extend(latencies);
        unexpected += bad;
    }
    Stats::from(all, duration, unexpected)
}

/// One scheduled request: when (from the start), where, and the JSON body to POST.
pub struct Planned {
    /// Offset from the start of the run.
    pub at: Duration,
    /// The URL.
    pub url: String,
    /// The JSON body.
    pub body: String,
}

/// Sends every planned POST at its time, on a shared pool of keep-alive connections;
/// latency runs from the planned time to the end of the answer. `expected` is the status
/// counted as success.
pub async fn open_loop(plan: Vec<Planned>, expected: u16) -> Stats {
    let client = reqwest::Client::new();
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(plan.len());
    for planned in plan {
        let due = start + planned.at;
        tokio::time::sleep_until(due.into()).await;
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let ok = match client
                .post(&planned.url)
                .header("content-type", "application/json")
                .body(planned.body)
                .send()
                .await
            {
                Ok(response) => {
                    let status = response.status().as_u16();
                    response.bytes().await.is_ok() && status == expected
                }
                Err(_) => false,
            };
            (due.elapsed().as_micros() as u64, ok)
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut unexpected = 0;
    for task in tasks {
        let (latency, ok) = task.await.expect("request task");
        latencies.push(latency);
        unexpected += usize::from(!ok);
    }
    Stats::from(latencies, start.elapsed(), unexpected)
}
