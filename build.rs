//! Rebuilds the core when a migration is added or changed: `sqlx::migrate!` embeds the
//! `migrations/` directories at compile time, and cargo does not watch them by itself (a
//! new migration file would otherwise be missing from the binary until another change).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
