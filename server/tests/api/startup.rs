use crate::helpers::spawn_app;

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
