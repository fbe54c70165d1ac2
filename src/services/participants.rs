//! Who is in a meeting's call right now: names for the room's owner (its meeting page and
//! the API), the head count for everyone else.
//!
//! The list follows the very rule that keeps meetings open (see
//! [`crate::lifecycle::presence_summary`]): a page counts while its latest heartbeat is
//! younger than the presence timeout and it has not said it left. So what people see and
//! when the meeting closes never disagree.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{Meeting, PresenceRecord, User};
use crate::lifecycle::{present_pages, LifecycleSettings, PageState};
use crate::services::privacy::Audience;
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
    /// The signed-in user, for matching them with the invitation list.
    pub user_id: Option<Uuid>,
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
            user_id: records[i].user_id,
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

/// What a meeting page is told about who is in its call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HereNow {
    /// The room's owner: who is there, by name.
    Names(Vec<Participant>),
    /// Everyone else: how many are there (announcing a made-up page id must not reveal
    /// who attends a meeting).
    Count(usize),
}

impl HereNow {
    /// How many people are in the call.
    pub fn count(&self) -> usize {
        match self {
            HereNow::Names(list) => list.len(),
            HereNow::Count(n) => *n,
        }
    }
}

/// Who is in `meeting` now, as `viewer` may know it: names for the owner of the
/// meeting's room, the head count for everyone else
/// ([`crate::services::privacy::Audience::sees_names`]).
pub async fn here_now(
    core: &Core,
    viewer: Option<&User>,
    meeting: &Meeting,
) -> Result<HereNow, CoreError> {
    let room = core
        .store
        .room_by_id(meeting.room_id)
        .await?
        .ok_or_else(|| CoreError::NotFound("there is no such meeting".into()))?;
    let present = participants_now(core, meeting.id).await?;
    Ok(if Audience::of(viewer, &room).sees_names() {
        HereNow::Names(present)
    } else {
        HereNow::Count(present.len())
    })
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
    if !Audience::of(Some(owner), &room).sees_names() {
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

/// Someone invited to a calendar event (an ATTENDEE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    /// CN, if given.
    pub name: Option<String>,
    /// The mailto address, if given.
    pub email: Option<String>,
}

/// Someone in the call, as [`attendance`] matches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentPerson {
    /// The name shown in the call.
    pub name: String,
    /// The account's email, for signed-in people.
    pub email: Option<String>,
}

/// Who was invited and who came, for the room's owner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attendance {
    /// Invited and in the call (by the invitation's name where it has one).
    pub invited_here: Vec<String>,
    /// Invited, not in the call.
    pub invited_absent: Vec<String>,
    /// In the call, not on the invitation.
    pub here_not_invited: Vec<String>,
}

/// Matches the people in a call with the invitation list: a signed-in person by email
/// (case-insensitive), anyone else by name (case- and space-insensitive). Each invitee
/// matches at most one person in the call.
pub fn attendance(invitees: &[Invitee], present: &[PresentPerson]) -> Attendance {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let label = |i: &Invitee| {
        i.name
            .clone()
            .or_else(|| i.email.clone())
            .unwrap_or_else(|| "someone".into())
    };
    let mut matched = vec![false; invitees.len()];
    // Who each person in the call is on the invitation, if anyone: emails first for
    // everyone, so a guest who types an invited name cannot take the place of the invited
    // person signed in under their own address; then names for the rest.
    let mut matches: Vec<Option<usize>> = vec![None; present.len()];
    for (p, person) in present.iter().enumerate() {
        let Some(email) = person.email.as_deref() else {
            continue;
        };
        let found = (0..invitees.len()).find(|&i| {
            !matched[i]
                && invitees[i]
                    .email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
        });
        if let Some(i) = found {
            matched[i] = true;
            matches[p] = Some(i);
        }
    }
    for (p, person) in present.iter().enumerate() {
        if matches[p].is_some() {
            continue;
        }
        let found = (0..invitees.len()).find(|&i| {
            !matched[i]
                && invitees[i]
                    .name
                    .as_deref()
                    .is_some_and(|n| norm(n) == norm(&person.name))
        });
        if let Some(i) = found {
            matched[i] = true;
            matches[p] = Some(i);
        }
    }
    let mut result = Attendance::default();
    for (person, found) in present.iter().zip(&matches) {
        match found {
            Some(i) => result.invited_here.push(label(&invitees[*i])),
            None => result.here_not_invited.push(person.name.clone()),
        }
    }
    result.invited_absent = invitees
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(i, _)| label(i))
        .collect();
    result
}

/// The attendance of meeting `meeting_id` in room `room_name`, for its owner: the
/// meeting's invitation list (from its calendar details) against who is in the call now.
pub async fn attendance_for_owner(
    core: &Core,
    owner: &User,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<Attendance, CoreError> {
    let present = participants_for_owner(core, owner, room_name, meeting_id).await?;
    let meeting = core
        .store
        .meeting_by_id(meeting_id)
        .await?
        .ok_or_else(|| CoreError::NotFound("there is no such meeting in this room".into()))?;
    let invitees: Vec<Invitee> = meeting
        .calendar_metadata
        .as_ref()
        .and_then(|m| m.0.get("attendees").and_then(|a| a.as_array()).cloned())
        .unwrap_or_default()
        .iter()
        .map(|a| Invitee {
            name: a.get("name").and_then(|v| v.as_str()).map(str::to_string),
            email: a.get("email").and_then(|v| v.as_str()).map(str::to_string),
        })
        .collect();
    let mut people = Vec::with_capacity(present.len());
    for p in present {
        let email = match p.user_id {
            Some(id) => core
                .store
                .user_by_id(id)
                .await?
                .map(|u| u.email.to_string()),
            None => None,
        };
        people.push(PresentPerson {
            name: p.display_name,
            email,
        });
    }
    Ok(attendance(&invitees, &people))
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

    #[test]
    fn people_match_the_invitation_by_email_when_signed_in_and_by_name_otherwise() {
        let invitees = vec![
            Invitee {
                name: Some("Grace Hopper".into()),
                email: Some("grace@example.com".into()),
            },
            Invitee {
                name: Some("Alan Turing".into()),
                email: Some("alan@example.com".into()),
            },
            Invitee {
                name: None,
                email: Some("absent@example.com".into()),
            },
        ];
        let present = vec![
            // Signed in under another name: the email decides.
            PresentPerson {
                name: "G. Hopper".into(),
                email: Some("GRACE@example.com".into()),
            },
            // A guest typing the invited name with odd spacing and case.
            PresentPerson {
                name: " alan  turing".into(),
                email: None,
            },
            PresentPerson {
                name: "Walk-in".into(),
                email: None,
            },
        ];
        let a = attendance(&invitees, &present);
        assert_eq!(a.invited_here, vec!["Grace Hopper", "Alan Turing"]);
        assert_eq!(a.invited_absent, vec!["absent@example.com"]);
        assert_eq!(a.here_not_invited, vec!["Walk-in"]);
    }

    #[test]
    fn a_guest_with_an_invited_name_does_not_take_the_place_of_the_signed_in_invitee() {
        let invitees = vec![Invitee {
            name: Some("Grace Hopper".into()),
            email: Some("grace@example.com".into()),
        }];
        let present = vec![
            PresentPerson {
                name: "Grace Hopper".into(),
                email: None,
            },
            PresentPerson {
                name: "Grace".into(),
                email: Some("grace@example.com".into()),
            },
        ];
        let a = attendance(&invitees, &present);
        assert_eq!(a.invited_here, vec!["Grace Hopper"]);
        assert_eq!(a.here_not_invited, vec!["Grace Hopper"]);
        assert!(a.invited_absent.is_empty());
    }

    #[test]
    fn one_invitation_is_not_claimed_twice() {
        let invitees = vec![Invitee {
            name: Some("Ada".into()),
            email: None,
        }];
        let present = vec![
            PresentPerson {
                name: "Ada".into(),
                email: None,
            },
            PresentPerson {
                name: "Ada".into(),
                email: None,
            },
        ];
        let a = attendance(&invitees, &present);
        assert_eq!(a.invited_here, vec!["Ada"]);
        assert_eq!(a.here_not_invited, vec!["Ada"]);
    }
}
