//! Co-owners' part of the store contract, on both databases: a room comes with its
//! co-owners, listed rooms carry theirs, a co-owner is one row, and handing a room over
//! makes the co-owner its owner in one step.

use chrono::Duration;
use roomcal::store::{Store, StoreError};
use std::sync::Arc;

use crate::common::{room_of as room, t0, user};

on_both_backends!(
    a_room_comes_with_its_co_owners_oldest_first,
    a_co_owner_is_added_once_and_removed_once,
    rooms_a_person_co_owns_are_listed_apart_from_those_it_owns,
    handing_a_room_over_makes_its_co_owner_the_owner,
    deleting_a_co_owners_account_or_the_room_removes_the_co_ownership,
);

async fn a_room_comes_with_its_co_owners_oldest_first(store: Arc<dyn Store>) {
    let owner = user(&store, "owner@example.com").await;
    let (bob, carol) = (
        user(&store, "bob@example.com").await,
        user(&store, "carol@example.com").await,
    );
    let id = room(&store, owner.id, "standup").await.id;
    store
        .add_co_owner(id, carol.id, t0() + Duration::minutes(1))
        .await
        .unwrap();
    store.add_co_owner(id, bob.id, t0()).await.unwrap();
    let by_name = store.room_by_name("standup").await.unwrap().unwrap();
    assert_eq!(by_name.co_owners, vec![bob.id, carol.id]);
    assert!(by_name.is_hosted_by(bob.id) && !by_name.is_owned_by(bob.id));
    assert!(by_name.is_owned_by(owner.id));
    let by_id = store.room_by_id(id).await.unwrap().unwrap();
    assert_eq!(by_id, by_name);
    let listed = store.co_owners_of(id).await.unwrap();
    let emails: Vec<_> = listed.iter().map(|c| c.email.as_str()).collect();
    assert_eq!(emails, ["bob@example.com", "carol@example.com"]);
    assert_eq!(listed[0].added_at, t0());
    // A room without any has none, and is still found.
    room(&store, owner.id, "retro").await;
    let retro = store.room_by_name("retro").await.unwrap().unwrap();
    assert!(retro.co_owners.is_empty());
}

async fn a_co_owner_is_added_once_and_removed_once(store: Arc<dyn Store>) {
    let owner = user(&store, "owner@example.com").await;
    let bob = user(&store, "bob@example.com").await;
    let id = room(&store, owner.id, "standup").await.id;
    store.add_co_owner(id, bob.id, t0()).await.unwrap();
    assert!(matches!(
        store.add_co_owner(id, bob.id, t0()).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.remove_co_owner(id, bob.id).await.unwrap());
    assert!(!store.remove_co_owner(id, bob.id).await.unwrap());
    assert!(store.co_owners_of(id).await.unwrap().is_empty());
}

async fn rooms_a_person_co_owns_are_listed_apart_from_those_it_owns(store: Arc<dyn Store>) {
    let (ada, bob) = (
        user(&store, "ada@example.com").await,
        user(&store, "bob@example.com").await,
    );
    let adas = room(&store, ada.id, "adas-room").await.id;
    room(&store, bob.id, "bobs-room").await;
    room(&store, ada.id, "another-of-adas").await;
    store.add_co_owner(adas, bob.id, t0()).await.unwrap();
    let co_owned: Vec<_> = store
        .rooms_co_owned_by(bob.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.name.as_str().to_string(), r.co_owners))
        .collect();
    assert_eq!(co_owned, vec![("adas-room".to_string(), vec![bob.id])]);
    let owned: Vec<_> = store
        .rooms_owned_by(ada.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.name.as_str().to_string(), r.co_owners.len()))
        .collect();
    assert_eq!(
        owned,
        vec![
            ("adas-room".to_string(), 1),
            ("another-of-adas".to_string(), 0)
        ]
    );
    assert_eq!(store.rooms_owned_by(bob.id).await.unwrap().len(), 1);
}

async fn handing_a_room_over_makes_its_co_owner_the_owner(store: Arc<dyn Store>) {
    let (ada, bob, carol) = (
        user(&store, "ada@example.com").await,
        user(&store, "bob@example.com").await,
        user(&store, "carol@example.com").await,
    );
    let id = room(&store, ada.id, "standup").await.id;
    store.add_co_owner(id, bob.id, t0()).await.unwrap();
    // Not a co-owner: nothing changes.
    assert!(!store.hand_over_room(id, carol.id).await.unwrap());
    assert_eq!(
        store.room_by_id(id).await.unwrap().unwrap().owner_id,
        ada.id
    );
    assert!(store.hand_over_room(id, bob.id).await.unwrap());
    let room = store.room_by_id(id).await.unwrap().unwrap();
    assert_eq!(room.owner_id, bob.id);
    assert!(
        room.co_owners.is_empty(),
        "the heir is no longer a co-owner"
    );
    // The old owner can go now without taking the room along.
    store.delete_user(ada.id).await.unwrap();
    assert!(store.room_by_id(id).await.unwrap().is_some());
}

async fn deleting_a_co_owners_account_or_the_room_removes_the_co_ownership(store: Arc<dyn Store>) {
    let (ada, bob, carol) = (
        user(&store, "ada@example.com").await,
        user(&store, "bob@example.com").await,
        user(&store, "carol@example.com").await,
    );
    let id = room(&store, ada.id, "standup").await.id;
    store.add_co_owner(id, bob.id, t0()).await.unwrap();
    store.add_co_owner(id, carol.id, t0()).await.unwrap();
    store.delete_user(bob.id).await.unwrap();
    assert_eq!(
        store.room_by_id(id).await.unwrap().unwrap().co_owners,
        vec![carol.id]
    );
    store.delete_room(id).await.unwrap();
    assert!(store.rooms_co_owned_by(carol.id).await.unwrap().is_empty());
}
