//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Where the copied real-world fixtures live (adjust when moving the tests).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calendar/fixtures")
}

/// Where the oracle's golden outputs live.
pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calendar/golden")
}

/// Every `.ics` fixture file.
pub fn all_fixtures() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .flatten()
    {
        if dir.path().is_dir() {
            for file in std::fs::read_dir(dir.path())
                .expect("fixture subdir")
                .flatten()
            {
                if file.path().extension().is_some_and(|e| e == "ics") {
                    files.push(file.path());
                }
            }
        }
    }
    files.sort();
    files
}
