//! The files of a served SQLite database: a data directory roomcal creates is 0700, the
//! database, its `-wal` / `-shm` files and the secret key are 0600.

use crate::helpers::spawn_app_with;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn a_served_database_and_the_directories_made_for_it_are_the_owners_alone() {
    let outside = tempfile::tempdir().expect("tempdir");
    let new_dir = outside.path().join("var").join("roomcal");
    let db = new_dir.join("roomcal.db");
    let url = format!("sqlite://{}", db.display());
    let app = spawn_app_with(&["--database-url", &url]).await;
    app.sign_up("ada@example.com").await;
    assert_eq!(mode(&outside.path().join("var")), 0o700);
    assert_eq!(mode(&new_dir), 0o700);
    assert_eq!(mode(&db), 0o600);
    for side in ["roomcal.db-wal", "roomcal.db-shm"] {
        assert_eq!(mode(&new_dir.join(side)), 0o600, "{side}");
    }
    let key = app.data_dir.path().join(roomcal::secret::KEY_FILE_NAME);
    assert_eq!(mode(&key), 0o600);
}
