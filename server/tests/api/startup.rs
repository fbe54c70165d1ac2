use crate::helpers::spawn_app;
use chrono::{DateTime, Duration, TimeZone, Utc};
use clap::Parser;
use roomcal::clock::{Clock, ManualClock};
use std::sync::Arc;

/// The lifecycle lease's row in the SQLite database at `url`: its owner and expiry.
async fn lifecycle_lease(url: &str) -> Option<(String, DateTime<Utc>)> {
    let pool = sqlx::SqlitePool::connect(url).await.ok()?;
    let row = sqlx::query_as("SELECT owner, until FROM worker_leases WHERE name = 'lifecycle'")
        .fetch_optional(&pool)
        .await
        .expect("read the lease");
    pool.close().await;
    row
}

#[tokio::test]
async fn health_and_readiness_answer_ok() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("text"), "ready");
}

#[tokio::test]
async fn a_secret_key_is_generated_into_the_data_dir_on_first_start() {
    let app = spawn_app().await;
    let key = std::fs::read_to_string(app.data_dir.path().join("secret.key")).expect("key file");
    assert_eq!(key.trim().len(), 44, "32 bytes in URL-safe base64");
}

#[test]
fn a_database_that_cannot_be_opened_is_one_line_naming_the_masked_url_and_exit_1() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "migrate",
            "--database-url",
            // Loopback port 1: nothing listens there, the connection is refused at once.
            "postgres://roomcal:hunter2@127.0.0.1:1/roomcal",
        ])
        .output()
        .expect("run roomcal");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let error_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error_lines.len(), 1, "{stderr}");
    assert!(
        error_lines[0].contains("cannot open database postgres://roomcal:***@127.0.0.1:1/roomcal"),
        "{stderr}"
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_within_ten_seconds_and_hands_over_the_lifecycle_lease() {
    let dir = tempfile::tempdir().expect("tempdir");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "serve",
            "--addr",
            &addr.to_string(),
            "--data-dir",
            dir.path().to_str().expect("dir"),
            "--site-root",
            "/nonexistent-site-root",
            "--no-background-sync",
            "--lifecycle-tick",
            "1s",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start");
    let client = crate::helpers::new_client();
    let mut ready = false;
    for _ in 0..100 {
        if client
            .get(format!("http://{addr}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the server came up");
    // The first lifecycle tick takes the lease: wait for its row, not for a guessed time.
    let url = format!("sqlite://{}/roomcal.db", dir.path().display());
    let mut lease = None;
    for _ in 0..100 {
        lease = lifecycle_lease(&url).await;
        if lease.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (owner, until) = lease.expect("the running instance took the lifecycle lease");
    assert!(owner.starts_with("roomcal-"), "{owner}");
    assert!(
        until > chrono::Utc::now(),
        "the lease runs into the future: {until}"
    );
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "still running 10 s after SIGTERM"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status:?}");
    // The lease was given back: its row is gone, and another instance takes it at once,
    // not 30 s later.
    assert_eq!(lifecycle_lease(&url).await, None);
    let store = roomcal::store::open(&url).await.expect("open");
    let now = chrono::Utc::now();
    let taken = store
        .claim_worker_lease(
            "lifecycle",
            "another-instance",
            now,
            now + chrono::Duration::seconds(30),
        )
        .await
        .expect("claim");
    assert!(taken, "the stopped instance released its lifecycle lease");
}

#[tokio::test]
async fn a_lifecycle_tick_holds_the_lease_thirty_seconds_on_the_injected_clock_then_another_instance_takes_it(
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let dir_text = dir.path().display().to_string();
    let cli = roomcal_server::config::Cli::try_parse_from([
        "roomcal",
        "--data-dir",
        &dir_text,
        "--site-root",
        "/nonexistent-site-root",
    ])
    .expect("arguments");
    let t0 = Utc
        .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("instant");
    let clock = Arc::new(ManualClock::new(t0));
    let first = roomcal_server::state::build_core(&cli.serve, clock.clone())
        .await
        .expect("core");
    let second = roomcal_server::state::build_core(&cli.serve, clock.clone())
        .await
        .expect("core");
    let step = |core: &roomcal::Core| {
        let core = core.clone();
        let now = clock.now();
        async move {
            roomcal::services::lifecycle_step::run_lifecycle_step(&core, now, 100)
                .await
                .expect("tick")
        }
    };
    assert!(!step(&first).await.skipped);
    let url = format!("sqlite://{dir_text}/roomcal.db");
    assert_eq!(
        lifecycle_lease(&url).await,
        Some((
            first.sync.instance().to_string(),
            t0 + Duration::seconds(30)
        ))
    );
    clock.set(t0 + Duration::seconds(29));
    assert!(
        step(&second).await.skipped,
        "the lease is still the first's"
    );
    clock.set(t0 + Duration::seconds(31));
    assert!(
        !step(&second).await.skipped,
        "an expired lease is taken over"
    );
    assert_eq!(
        lifecycle_lease(&url).await.map(|(owner, _)| owner),
        Some(second.sync.instance().to_string())
    );
}
