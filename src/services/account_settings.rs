//! Managing one's account and rooms: the password (changing it ends every other
//! session), the sessions with their device and last use, signing out everywhere, and
//! deleting a room or the account itself, each behind a typed confirmation.

use crate::domain::check_new_password;
use crate::domain::User;
use crate::services::accounts::{self, hash_password, hash_token};
use crate::services::limits::ClientAddr;
use crate::services::room_lookup::room_of_owner;
use crate::store::CoOwnerRow;
use crate::{Core, CoreError};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// One of an account's sessions, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// A stable name for the session (not its token, not the token's stored hash).
    pub id: String,
    /// The browser or client it signed in with (its `User-Agent`), if known.
    pub device: Option<String>,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// When it was last used (to the nearest [`accounts::LAST_USE_PRECISION`]).
    pub last_used_at: DateTime<Utc>,
    /// When it ends by itself.
    pub expires_at: DateTime<Utc>,
    /// Whether it is the session asking.
    pub current: bool,
}

/// The public name of the session stored under `token_hash`.
fn session_id(token_hash: &str) -> String {
    Sha256::digest(format!("session-id:{token_hash}").as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Changes `user`'s password after checking the current one (under the failed sign-in
/// limits); every other session of the account ends, the one asking (`token`) stays.
pub async fn change_password(
    core: &Core,
    user: &User,
    token: &str,
    current: &str,
    new: &str,
    client: ClientAddr,
) -> Result<(), CoreError> {
    if let Err(message) = check_new_password(new) {
        return Err(CoreError::field("new_password", message));
    }
    match accounts::check_password(core, user.email.as_str(), current, client).await {
        Ok(_) => {}
        Err(CoreError::BadCredentials) => {
            return Err(CoreError::field(
                "current_password",
                "that is not your current password; accounts that sign in with your organization have none here",
            ))
        }
        Err(other) => return Err(other),
    }
    let hash = hash_password(core, new.into()).await?;
    core.store.set_password_hash(user.id, &hash).await?;
    core.store
        .delete_sessions_of(user.id, Some(&hash_token(token)))
        .await?;
    tracing::info!(user = %user.id, "password changed; other sessions ended");
    Ok(())
}

/// `user`'s live sessions, newest first; `token` is the one asking.
pub async fn sessions(
    core: &Core,
    user: &User,
    token: &str,
) -> Result<Vec<SessionInfo>, CoreError> {
    let mine = hash_token(token);
    let now = core.clock.now();
    Ok(core
        .store
        .sessions_of(user.id, now)
        .await?
        .into_iter()
        .map(|s| SessionInfo {
            id: session_id(&s.token_hash),
            current: s.token_hash == mine,
            device: s.user_agent,
            created_at: s.created_at,
            last_used_at: s.last_used_at.unwrap_or(s.created_at),
            expires_at: s.expires_at,
        })
        .collect())
}

/// Ends every session of `user`, the one asking included.
pub async fn sign_out_everywhere(core: &Core, user: &User) -> Result<(), CoreError> {
    core.store.delete_sessions_of(user.id, None).await?;
    tracing::info!(user = %user.id, "signed out everywhere");
    Ok(())
}

/// Deletes `owner`'s room `room_name` when `confirm` is its name: its calendar address,
/// occurrences, meetings (their calls ended), presence and feed key go with it.
pub async fn delete_room(
    core: &Core,
    owner: &User,
    room_name: &str,
    confirm: &str,
) -> Result<(), CoreError> {
    let room = room_of_owner(core, owner, room_name, "delete the room").await?;
    if confirm.trim() != room.name.as_str() {
        return Err(CoreError::field(
            "confirm",
            format!(
                "type the room's name, {}, to delete it and everything in it",
                room.name.as_str()
            ),
        ));
    }
    remove_room(core, &room).await
}

/// Ends the calls of `room`'s open meetings, then deletes it with all it holds.
async fn remove_room(core: &Core, room: &crate::domain::Room) -> Result<(), CoreError> {
    for meeting in core.store.active_meetings_in_room(room.id).await? {
        if let Err(e) = core
            .platform
            .end_call(&crate::domain::CallRoom::from(&meeting))
            .await
        {
            // The platform's own expiry ends it; the room goes either way.
            tracing::warn!(meeting = %meeting.id, error = %e, "could not end a call of a deleted room");
        }
    }
    core.store.delete_room(room.id).await?;
    core.sync.feed_memo().forget_room(room.id);
    tracing::info!(room = %room.id, "room deleted");
    Ok(())
}

/// What happens to a leaving person's rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeavingRooms {
    /// Every room goes with the account (as [`delete_room`] deletes one).
    #[default]
    Delete,
    /// Each room with a co-owner goes to its longest-standing co-owner; a room without
    /// one is deleted.
    HandOver,
}

/// What becomes of one room when its owner leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomFate {
    /// The room.
    pub room: String,
    /// The co-owner it goes to; `None`: it is deleted.
    pub handed_to: Option<CoOwnerRow>,
}

/// What becomes of each of `user`'s rooms if it leaves with `choice`, by room name.
pub async fn fates_of_rooms(
    core: &Core,
    user: &User,
    choice: LeavingRooms,
) -> Result<Vec<RoomFate>, CoreError> {
    Ok(heirs(core, user, choice)
        .await?
        .into_iter()
        .map(|(room, handed_to)| RoomFate {
            room: room.name.as_str().to_string(),
            handed_to,
        })
        .collect())
}

/// Each of `user`'s rooms with the co-owner it goes to under `choice` (`None`: deleted).
async fn heirs(
    core: &Core,
    user: &User,
    choice: LeavingRooms,
) -> Result<Vec<(crate::domain::Room, Option<CoOwnerRow>)>, CoreError> {
    let mut heirs = Vec::new();
    for room in core.store.rooms_owned_by(user.id).await? {
        let heir = match choice {
            LeavingRooms::Delete => None,
            LeavingRooms::HandOver => core.store.co_owners_of(room.id).await?.into_iter().next(),
        };
        heirs.push((room, heir));
    }
    Ok(heirs)
}

/// Deletes `user`'s account when `confirm` is its email: its sessions and sign-in
/// identities, its co-ownerships, and its rooms as `choice` says. Answers what became of
/// each room.
pub async fn delete_account(
    core: &Core,
    user: &User,
    confirm: &str,
    choice: LeavingRooms,
) -> Result<Vec<RoomFate>, CoreError> {
    if !confirm.trim().eq_ignore_ascii_case(user.email.as_str()) {
        return Err(CoreError::field(
            "confirm",
            format!(
                "type your email, {}, to delete your account",
                user.email.as_str()
            ),
        ));
    }
    let mut fates = Vec::new();
    for (room, heir) in heirs(core, user, choice).await? {
        let handed_to = match heir {
            Some(heir) if core.store.hand_over_room(room.id, heir.user_id).await? => {
                core.listings.forget_room(room.id);
                tracing::info!(room = %room.id, to = %heir.user_id, "room handed over");
                Some(heir)
            }
            _ => {
                remove_room(core, &room).await?;
                None
            }
        };
        fates.push(RoomFate {
            room: room.name.as_str().to_string(),
            handed_to,
        });
    }
    core.store.delete_user(user.id).await?;
    tracing::info!(user = %user.id, "account deleted");
    Ok(fates)
}
