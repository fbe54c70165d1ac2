//! Who is in a meeting's call right now: the list its page shows to the people in it, and
//! the room owner reads through the API.
//!
//! The list follows the very rule that keeps meetings open (see
//! [`crate::lifecycle::presence_summary`]): a page counts while its latest heartbeat is
//! younger than the presence timeout and it has not said it left. So what people see and
//! when the meeting closes never disagree.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{PresenceRecord, User};
use crate::lifecycle::{present_pages, LifecycleSettings, PageState};
use crate::services::room_lookup::find_room;
use crate::Core;
use crate::CoreError;

/// Someone in a meeting's call right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// The name shown to others ("Guest" for people who are not signed in).
    pub display_name: String,
    /// Whether they are signed in (guests are not).
    pub signed_in: bool,
}

/// The participants present at `now` among a meeting's presence records, by name. A
/// signed-in user with several pages open (two tabs, phone and laptop) is listed once;
/// guests cannot be told apart, so each of their pages counts.
pub fn present_participants(
    records: &[PresenceRecord],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> Vec<Participant> {
    let pages: Vec<PageState<'_>> = records.iter().map(PageState::from).collect();
    present_pages(&pages, settings, now)
        .into_iter()
        .map(|i| Participant {
            display_name: records[i].display_name.clone(),
            signed_in: records[i].user_id.is_some(),
        })
        .collect()
}

/// Who is in meeting `meeting_id` now.
pub async fn participants_now(
    core: &Core,
    meeting_id: Uuid,
) -> Result<Vec<Participant>, CoreError> {
    let records = core.store.presence_of_meeting(meeting_id).await?;
    Ok(present_participants(
        &records,
        &core.settings.lifecycle,
        core.clock.now(),
    ))
}

/// Who is in meeting `meeting_id` of room `room_name`, for the room's owner. Others are
/// refused: a private calendar meeting's participants would tell who attends it.
pub async fn participants_for_owner(
    core: &Core,
    owner: &User,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<Vec<Participant>, CoreError> {
    let room = find_room(core, room_name).await?;
    if room.owner_id != owner.id {
        return Err(CoreError::Forbidden(
            "only the room's owner sees who is in its meetings".into(),
        ));
    }
    let in_room = core
        .store
        .meeting_by_id(meeting_id)
        .await?
        .is_some_and(|m| m.room_id == room.id);
    if !in_room {
        return Err(CoreError::NotFound(
            "there is no such meeting in this room".into(),
        ));
    }
    participants_now(core, meeting_id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid instant")
    }

    fn page(id: &str, name: &str, user: Option<Uuid>, seen: i64) -> PresenceRecord {
        PresenceRecord {
            meeting_id: Uuid::nil(),
            participant_id: id.into(),
            display_name: name.into(),
            user_id: user,
            last_seen_at: t0() + Duration::seconds(seen),
            left_at: None,
        }
    }

    fn names(list: &[Participant]) -> Vec<&str> {
        list.iter().map(|p| p.display_name.as_str()).collect()
    }

    #[test]
    fn a_user_with_two_pages_open_is_listed_once_and_each_guest_counts() {
        let ada = Some(Uuid::new_v4());
        let records = [
            page("ada-laptop", "Ada", ada, 0),
            page("ada-phone", "Ada", ada, 5),
            page("guest-one", "Guest", None, 0),
            page("guest-two", "Guest", None, 0),
        ];
        let now = t0() + Duration::seconds(10);
        let list = present_participants(&records, &LifecycleSettings::default(), now);
        assert_eq!(names(&list), ["Ada", "Guest", "Guest"]);
        assert!(list[0].signed_in);
        assert!(!list[1].signed_in);
    }

    #[test]
    fn a_page_that_left_or_stopped_beating_is_no_longer_listed() {
        let mut left = page("bob-page1", "Bob", None, 0);
        left.left_at = Some(t0() + Duration::seconds(1));
        let records = [
            left,
            page("cy-page01", "Cy", None, 0),
            page("dee-page1", "Dee", None, 20),
        ];
        let settings = LifecycleSettings::default();
        // 45 s after Cy's last heartbeat Cy counts as gone; Dee beat 20 s later.
        let now = t0() + settings.presence_timeout;
        assert_eq!(
            names(&present_participants(&records, &settings, now)),
            ["Dee"]
        );
        let just_before = now - Duration::seconds(1);
        assert_eq!(
            names(&present_participants(&records, &settings, just_before)),
            ["Cy", "Dee"]
        );
    }
}
