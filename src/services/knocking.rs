//! Knocking: a guest asks to enter one meeting of a knock room, the room's owners see the
//! requests and admit or decline each, and the guest learns where theirs stands. The
//! pages' server functions and `/v1` both call these; whether an admitted knock lets its
//! holder into the call is [`crate::services::access`]'s rule.
//!
//! The guest holds a random token (in a cookie for pages, `X-Knock-Token` on `/v1`); only
//! its SHA-256 is stored. Knocks are limited per client address: at most
//! `knocks_per_hour` made, at most `max_pending_knocks_per_address` waiting at once.

use crate::domain::{DisplayName, Knock, KnockState, Meeting, Room, RoomAccess, User};
use crate::services::accounts::hash_token;
use crate::services::joining::{named, owned_meeting, Named};
use crate::services::limits::{too_many, wait_text, ClientAddr};
use crate::services::room_events;
use crate::services::room_lookup::find_room;
use crate::{Core, CoreError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use uuid::Uuid;

/// How long a knock request waits for another from the same meeting to finish.
const SERIAL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The message for a knock id that names nothing (or another meeting's knock).
const NO_SUCH_KNOCK: &str = "there is no such request to join this meeting";

/// A knock just made: the record and the token its guest holds (shown once).
#[derive(Debug, Clone)]
pub struct NewKnock {
    /// The stored knock.
    pub knock: Knock,
    /// The guest's token (only its hash is stored).
    pub token: String,
}

/// The active meeting `meeting_id` of the knock room `room_name`.
async fn knock_meeting(
    core: &Core,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<(Room, Meeting), CoreError> {
    let room = find_room(core, room_name).await?;
    let Named::Meeting(meeting) = named(core, &room, meeting_id).await? else {
        return Err(CoreError::NotFound(
            "this meeting has not opened yet; its waiting page moves you in on time".into(),
        ));
    };
    if !meeting.is_active {
        return Err(CoreError::Gone(
            crate::lifecycle::MEETING_ENDED_MESSAGE.into(),
        ));
    }
    Ok((room, meeting))
}

/// The lock scope of one client address's knocks: a stable id made from its key.
fn address_scope(client: &ClientAddr) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("knocks/{}", client.key()).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// A guest at `client` asks, as `name`, to enter meeting `meeting_id` of `room_name`.
pub async fn knock(
    core: &Core,
    room_name: &str,
    meeting_id: Uuid,
    name: &str,
    client: ClientAddr,
) -> Result<NewKnock, CoreError> {
    let (room, meeting) = knock_meeting(core, room_name, meeting_id).await?;
    if room.access != RoomAccess::Knock {
        return Err(CoreError::Forbidden(
            "this room does not take requests to join; open the meeting to go in".into(),
        ));
    }
    let name = DisplayName::parse(name).map_err(|m| CoreError::field("name", m))?;
    let now = core.clock.now();
    let _place = core
        .limits
        .knocks
        .take(core.store.as_ref(), &client.key(), now)
        .await
        .map_err(|refused| {
            refused.into_error(|wait| {
                format!(
                    "too many requests to join came from your address in the last hour; try again in {}",
                    wait_text(wait)
                )
            })
        })?;
    // The cap counts an address's waiting knocks in every meeting: its check and the
    // insert run under one lock per address (across instances), so parallel knocks on
    // several meetings cannot all pass.
    let _serial = core
        .limits
        .serial
        .lock_within(
            core.store.as_ref(),
            address_scope(&client),
            SERIAL_WAIT,
            "another request to join from your address is being made",
        )
        .await?;
    let max = core.limits.settings.max_pending_knocks_per_address;
    if core.store.count_pending_knocks_from(&client.key()).await? >= u64::from(max) {
        return Err(too_many(
            60,
            format!(
                "{max} requests to join from your address are waiting for an answer already; wait for the host to answer them"
            ),
        ));
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let knock = Knock {
        id: Uuid::new_v4(),
        room_id: room.id,
        meeting_id: meeting.id,
        name: name.to_string(),
        token_hash: hash_token(&token),
        client_key: client.key(),
        state: KnockState::Pending,
        created_at: now,
        decided_at: None,
        decided_by: None,
    };
    core.store.insert_knock(&knock).await?;
    room_events::knock_changed(core, &meeting).await;
    Ok(NewKnock { knock, token })
}

/// Where the knock `knock_id` on meeting `meeting_id` of `room_name` stands, for the
/// guest holding `token` (a wrong or missing token: `NotFound`, as for no knock at all).
pub async fn knock_state(
    core: &Core,
    room_name: &str,
    meeting_id: Uuid,
    knock_id: Uuid,
    token: Option<&str>,
) -> Result<Knock, CoreError> {
    let room = find_room(core, room_name).await?;
    let knock = core
        .store
        .knock_by_id(knock_id)
        .await?
        .filter(|k| k.room_id == room.id && k.meeting_id == meeting_id)
        .filter(|k| token.is_some_and(|t| hash_token(t) == k.token_hash))
        .ok_or_else(|| CoreError::NotFound(NO_SUCH_KNOCK.into()))?;
    Ok(knock)
}

/// The knock on `meeting_id` whose token `token` is, if any (the pages' cookie).
pub async fn knock_of_token(
    core: &Core,
    meeting_id: Uuid,
    token: &str,
) -> Result<Option<Knock>, CoreError> {
    Ok(core
        .store
        .knock_by_token(meeting_id, &hash_token(token))
        .await?)
}

/// What a non-owner and a not-yet-open meeting are told here.
const OWNERS_ONLY: (&str, &str) = (
    "only the room's owners see and answer requests to join",
    "there is no such meeting in this room",
);

/// The knocks on a meeting, oldest first, for one of the room's owners.
pub async fn knocks_for_owner(
    core: &Core,
    owner: &User,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<Vec<Knock>, CoreError> {
    let (_, meeting) = owned_meeting(core, owner, room_name, meeting_id, OWNERS_ONLY).await?;
    Ok(core.store.knocks_of_meeting(meeting.id).await?)
}

/// One of the room's owners admits or declines knock `knock_id`. A knock decided already
/// stays as it was (two owners answering at once: the first answer counts); the knock
/// as it stands is returned either way.
pub async fn decide(
    core: &Core,
    owner: &User,
    room_name: &str,
    meeting_id: Uuid,
    knock_id: Uuid,
    admit: bool,
) -> Result<Knock, CoreError> {
    let (_, meeting) = owned_meeting(core, owner, room_name, meeting_id, OWNERS_ONLY).await?;
    let knock = core
        .store
        .knock_by_id(knock_id)
        .await?
        .filter(|k| k.meeting_id == meeting.id)
        .ok_or_else(|| CoreError::NotFound(NO_SUCH_KNOCK.into()))?;
    let state = if admit {
        KnockState::Admitted
    } else {
        KnockState::Declined
    };
    let now = core.clock.now();
    if core
        .store
        .decide_knock(knock.id, state, now, owner.id)
        .await?
    {
        tracing::info!(meeting = %meeting.id, knock = %knock.id, state = state.as_str(), "knock decided");
        room_events::knock_changed(core, &meeting).await;
    }
    core.store
        .knock_by_id(knock.id)
        .await?
        .ok_or_else(|| CoreError::NotFound(NO_SUCH_KNOCK.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> ClientAddr {
        ClientAddr(Some(text.parse().unwrap()))
    }

    #[test]
    fn one_address_knocks_under_one_lock_and_other_addresses_under_others() {
        assert_eq!(
            address_scope(&at("192.0.2.7")),
            address_scope(&at("192.0.2.7"))
        );
        // One IPv6 host (its /64) is one address for the cap, so one lock too.
        assert_eq!(
            address_scope(&at("2001:db8::1")),
            address_scope(&at("2001:db8::2"))
        );
        assert_ne!(
            address_scope(&at("192.0.2.7")),
            address_scope(&at("192.0.2.8"))
        );
    }
}
