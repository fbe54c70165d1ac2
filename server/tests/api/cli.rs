//! `roomcal ics expand` as people and outside checks run it.

use std::process::Command;

fn fixture(name: &str) -> String {
    format!(
        "{}/../tests/calendar/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn write_temp(text: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(text.as_bytes()).expect("write");
    file
}

const WEEKLY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:weekly\r\n\
DTSTART;TZID=Europe/Berlin:20240304T100000\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n\
SUMMARY:Standup\r\nLOCATION:https://rooms.example/room/standup\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:other\r\nDTSTART:20240305T120000Z\r\nDTEND:20240305T130000Z\r\n\
SUMMARY:Elsewhere\r\nLOCATION:https://rooms.example/room/standup-team\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn expand_prints_the_oracle_json_of_the_window_sorted() {
    let file = write_temp(WEEKLY);
    let output = Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "ics",
            "expand",
            file.path().to_str().expect("path"),
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
        ])
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let rows = json.as_array().expect("array");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["uid"], "weekly");
    assert_eq!(rows[0]["start"], "2024-03-04T09:00:00Z");
    assert_eq!(rows[0]["end"], "2024-03-04T09:30:00Z");
    assert_eq!(rows[0]["recurrence_id"], "2024-03-04T09:00:00Z");
    assert_eq!(rows[1]["uid"], "other");
    assert_eq!(rows[1]["recurrence_id"], serde_json::Value::Null);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "uid",
            "recurrence_id",
            "start",
            "end",
            "all_day",
            "floating",
            "summary",
            "status",
            "sequence"
        ]
    );
}

#[test]
fn expand_with_a_room_url_keeps_only_that_rooms_occurrences() {
    let file = write_temp(WEEKLY);
    let output = Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "ics",
            "expand",
            file.path().to_str().expect("path"),
            "--from",
            "2024-03-01T00:00:00Z",
            "--to",
            "2024-03-31T00:00:00+00:00",
            "--room-url",
            "https://rooms.example/room/standup",
        ])
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        json.as_array().map(Vec::len),
        Some(3),
        "standup-team is another room"
    );
}

#[test]
fn expand_refuses_an_html_page_with_a_clear_error() {
    let file = write_temp("<!DOCTYPE html><html><body>Sign in</body></html>");
    let output = Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "ics",
            "expand",
            file.path().to_str().expect("path"),
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-02",
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("HTML page"));
}

#[test]
fn expand_reads_a_real_office_365_feed_and_warns_on_stderr() {
    let output = Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "ics",
            "expand",
            &fixture("allenporter-ical/compat__office_365_extended_timezone.ics"),
            "--from",
            "2000-01-01",
            "--to",
            "2040-01-01",
        ])
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(!json.as_array().expect("array").is_empty());
}

#[tokio::test]
async fn backup_copies_the_sqlite_database_while_it_is_open_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/roomcal.db", dir.path().display());
    let store = roomcal_server::state::open_database(&url)
        .await
        .expect("open");
    let user = roomcal::store::NewUser {
        id: uuid::Uuid::new_v4(),
        email: roomcal::domain::Email::parse("ada@example.com").expect("email"),
        display_name: roomcal::domain::DisplayName::parse("Ada").expect("name"),
        password_hash: "x".into(),
        created_at: chrono::Utc::now(),
    };
    store.insert_user(&user).await.expect("user");
    // The live store stays open (WAL mode) while the binary copies it.
    let copy = dir.path().join("copy.db");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_roomcal"))
            .args([
                "backup",
                copy.to_str().expect("path"),
                "--database-url",
                &url,
            ])
            .output()
            .expect("run")
    };
    let output = run();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let restored = roomcal::store::open(&format!("sqlite://{}", copy.display()))
        .await
        .expect("open copy");
    let found = restored
        .user_credentials_by_email("ada@example.com")
        .await
        .expect("query");
    assert!(found.is_some(), "the copy holds the data written before");
    let again = run();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
    let pg = Command::new(env!("CARGO_BIN_EXE_roomcal"))
        .args([
            "backup",
            "/tmp/x.db",
            "--database-url",
            "postgres://u:secret@127.0.0.1:9/db",
        ])
        .output()
        .expect("run");
    let message = String::from_utf8_lossy(&pg.stderr);
    assert!(
        message.contains("pg_dump") && !message.contains("secret"),
        "{message}"
    );
}
