//! Limits in the core: password hashing runs a few at a time, so a flood of sign-ins
//! queues and is then told to retry instead of exhausting memory.

use roomcal::services::limits::ClientAddr;
use roomcal::CoreError;

#[tokio::test]
async fn sign_ins_wait_for_a_hashing_slot_and_are_told_to_retry_when_none_frees() {
    let (store, _dir) = crate::common::sqlite_store().await;
    let mut core = crate::common::test_core(store);
    core.limits = std::sync::Arc::new(roomcal::services::limits::Limiters::new(
        roomcal::services::limits::LimitSettings {
            password_hash_wait: std::time::Duration::from_millis(200),
            ..Default::default()
        },
    ));
    // Every slot is taken, as by a flood of sign-ins still hashing.
    let slots = core.limits.settings.password_hash_concurrency as u32;
    let held = core
        .limits
        .hashing
        .acquire_many(slots)
        .await
        .expect("permits");
    let attempt = roomcal::services::accounts::sign_in(
        &core,
        "ada@example.com",
        "guess",
        ClientAddr::default(),
    )
    .await;
    match attempt {
        Err(CoreError::TooManyRequests {
            retry_after_secs,
            message,
        }) => {
            assert!(retry_after_secs >= 1);
            assert!(message.contains("busy"), "{message}");
        }
        other => panic!("expected a 429, got {other:?}"),
    }
    // Once a slot frees, the same attempt is answered normally (a wrong password).
    drop(held);
    let attempt = roomcal::services::accounts::sign_in(
        &core,
        "ada@example.com",
        "guess",
        ClientAddr::default(),
    )
    .await;
    assert!(
        matches!(attempt, Err(CoreError::BadCredentials)),
        "{attempt:?}"
    );
}
