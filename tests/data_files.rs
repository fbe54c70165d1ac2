//! Data at rest on disk: the SQLite database, its `-wal` / `-shm` files and backups are the
//! owner's alone (0600), backups are created exclusively, and a backup of a database that
//! is not there (a wrong data directory) fails with advice instead of writing a file.

use chrono::Utc;
use roomcal::domain::{DisplayName, Email};
use roomcal::store::backup::backup;
use roomcal::store::{self, NewUser, Store};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use uuid::Uuid;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A migrated database at `db` holding one user (so the WAL has been written).
async fn database_with_a_user(db: &Path) -> Arc<dyn Store> {
    let store = store::open(&format!("sqlite://{}", db.display()))
        .await
        .expect("open");
    store.migrate().await.expect("migrate");
    store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse("ada@example.com").expect("email"),
            display_name: DisplayName::parse("Ada").expect("name"),
            password_hash: "x".into(),
            created_at: Utc::now(),
        })
        .await
        .expect("user");
    store
}

#[tokio::test]
async fn a_new_database_and_its_wal_and_shm_files_are_the_owners_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("roomcal.db");
    let _store = database_with_a_user(&db).await;
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&side_file(&db, "-wal")), 0o600);
    assert_eq!(mode(&side_file(&db, "-shm")), 0o600);
}

#[tokio::test]
async fn a_database_an_older_version_left_readable_is_made_the_owners_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("roomcal.db");
    database_with_a_user(&db).await.close().await;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let _reopened = store::open(&format!("sqlite://{}", db.display()))
        .await
        .expect("reopen");
    assert_eq!(mode(&db), 0o600);
}

#[tokio::test]
async fn a_backup_is_a_complete_copy_only_its_owner_can_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("roomcal.db");
    let _store = database_with_a_user(&db).await;
    let copy = dir.path().join("copy.db");
    backup(&format!("sqlite://{}", db.display()), &copy)
        .await
        .expect("backup");
    assert_eq!(mode(&copy), 0o600);
    let restored = store::open(&format!("sqlite://{}", copy.display()))
        .await
        .expect("open copy");
    let found = restored
        .user_credentials_by_email("ada@example.com")
        .await
        .expect("query");
    assert!(found.is_some());
}

#[tokio::test]
async fn a_backup_onto_an_existing_file_fails_and_leaves_that_file_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("roomcal.db");
    let _store = database_with_a_user(&db).await;
    let existing = dir.path().join("notes.txt");
    std::fs::write(&existing, "keep me").expect("write");
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let err = backup(&format!("sqlite://{}", db.display()), &existing)
        .await
        .expect_err("must refuse");
    assert!(err.to_string().contains("never overwrites"), "{err}");
    assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep me");
    assert_eq!(mode(&existing), 0o640);
}

#[tokio::test]
async fn a_backup_of_a_database_that_is_not_there_fails_saying_what_to_do_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong_data_dir = dir.path().join("typo");
    let db = wrong_data_dir.join("roomcal.db");
    let copy = dir.path().join("copy.db");
    let err = backup(&format!("sqlite://{}", db.display()), &copy)
        .await
        .expect_err("must refuse");
    let message = err.to_string();
    assert!(
        message.contains("--data-dir") && message.contains("nothing was written"),
        "{message}"
    );
    assert!(!copy.exists(), "no backup file");
    assert!(!wrong_data_dir.exists(), "no empty database made either");
}

#[tokio::test]
async fn a_backup_of_a_file_that_holds_no_roomcal_data_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("roomcal.db");
    std::fs::write(&db, "").expect("empty file");
    let copy = dir.path().join("copy.db");
    let err = backup(&format!("sqlite://{}", db.display()), &copy)
        .await
        .expect_err("must refuse");
    assert!(err.to_string().contains("not a roomcal database"), "{err}");
    assert!(!copy.exists());
}
