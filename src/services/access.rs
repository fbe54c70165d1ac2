//! Room access: the one rule that decides who may enter a room's calls, and the one place
//! a meeting's call URL is read for a visitor ([`enter`]). Joining, the meeting page,
//! starting a meeting and `/v1` all come here; whoever is not let in gets a
//! [`CoreError::NoEntry`] saying why, and never the URL.
//!
//! - `open`: anyone with the link.
//! - `members`: signed-in accounts; with email domains set, only accounts at one of them.
//! - `knock`: a guest asks to enter one meeting (`crate::services::knocking`); the room's
//!   owners admit or decline. Only an admitted knock's token lets its holder in.
//!
//! The room's owners (whoever [`Audience`] counts as one) always enter.

use crate::domain::{EmailDomains, KnockState, Meeting, Room, RoomAccess, User};
use crate::services::privacy::Audience;
use crate::{Core, CoreError};

/// Who is at the door, as the rule sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visitor<'a> {
    /// One of the room's owners.
    Owner,
    /// A signed-in account that does not own the room, by its email.
    SignedIn(&'a str),
    /// Nobody signed in.
    Anonymous,
}

impl<'a> Visitor<'a> {
    /// The visitor `viewer` is to `room` (ownership decided by [`Audience`]).
    pub fn of(viewer: Option<&'a User>, room: &Room) -> Self {
        match viewer {
            _ if Audience::of(viewer, room).is_owner() => Visitor::Owner,
            Some(user) => Visitor::SignedIn(user.email.as_str()),
            None => Visitor::Anonymous,
        }
    }
}

/// Where a visitor's knock stands, when the room asks for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnockStatus {
    /// No knock yet (or none this visitor holds the token of).
    None,
    /// Knocked; no owner has decided.
    Pending,
    /// An owner declined.
    Declined,
}

/// What the rule says to one visitor of one meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Come in.
    Allowed,
    /// The room is for signed-in members: sign in first.
    SignInRequired,
    /// Signed in, but the room admits only accounts at these domains.
    DomainNotAllowed {
        /// The domains it admits.
        domains: Vec<String>,
    },
    /// The room admits guests by knocking; this is where their knock stands.
    Knock(KnockStatus),
}

/// The access rule, pure: may `visitor` enter a call of a room whose access is `access`
/// (and, for `members`, `domains`), holding a knock in state `knock` if any?
pub fn may_enter(
    access: RoomAccess,
    domains: Option<&EmailDomains>,
    visitor: Visitor<'_>,
    knock: Option<KnockState>,
) -> Entry {
    match (access, visitor) {
        (_, Visitor::Owner) | (RoomAccess::Open, _) => Entry::Allowed,
        (RoomAccess::Members, Visitor::Anonymous) => Entry::SignInRequired,
        (RoomAccess::Members, Visitor::SignedIn(email)) => match domains {
            Some(d) if !d.admits(email) => Entry::DomainNotAllowed {
                domains: d.domains().map(str::to_string).collect(),
            },
            _ => Entry::Allowed,
        },
        (RoomAccess::Knock, _) => match knock {
            Some(KnockState::Admitted) => Entry::Allowed,
            Some(KnockState::Pending) => Entry::Knock(KnockStatus::Pending),
            Some(KnockState::Declined) => Entry::Knock(KnockStatus::Declined),
            None => Entry::Knock(KnockStatus::None),
        },
    }
}

/// Codes of [`CoreError::NoEntry`], one per way of being kept out.
pub mod codes {
    /// Sign in first (401).
    pub const SIGN_IN_REQUIRED: &str = "sign_in_required";
    /// The account's email domain is not one the room admits (403).
    pub const DOMAIN_NOT_ALLOWED: &str = "domain_not_allowed";
    /// Knock first (403).
    pub const KNOCK_REQUIRED: &str = "knock_required";
    /// Knocked; waiting for an owner (403).
    pub const KNOCK_PENDING: &str = "knock_pending";
    /// An owner declined the knock (403).
    pub const KNOCK_DECLINED: &str = "knock_declined";
}

/// "The host declined your request" (the page and the API say it alike).
pub const DECLINED_MESSAGE: &str = "The host declined your request to join this meeting.";

/// "Waiting for the host to let you in."
pub const PENDING_MESSAGE: &str = "Waiting for the host to let you in.";

impl Entry {
    /// `Ok` when allowed, else the error that says why not and what to do.
    pub fn into_result(self) -> Result<(), CoreError> {
        let (code, message) = match self {
            Entry::Allowed => return Ok(()),
            Entry::SignInRequired => (
                codes::SIGN_IN_REQUIRED,
                "This room is for signed-in members: sign in to join its meetings.".to_string(),
            ),
            Entry::DomainNotAllowed { domains } => (
                codes::DOMAIN_NOT_ALLOWED,
                format!(
                    "This room admits accounts at {} only; sign in with one of those.",
                    domains.join(", ")
                ),
            ),
            Entry::Knock(KnockStatus::None) => (
                codes::KNOCK_REQUIRED,
                "The host lets people into this meeting: ask to join with your name.".to_string(),
            ),
            Entry::Knock(KnockStatus::Pending) => (codes::KNOCK_PENDING, PENDING_MESSAGE.into()),
            Entry::Knock(KnockStatus::Declined) => (codes::KNOCK_DECLINED, DECLINED_MESSAGE.into()),
        };
        Err(CoreError::NoEntry { code, message })
    }
}

/// The rule's answer for `viewer`, holding knock token `knock_token` (if any), at
/// meeting `meeting` of `room`: looks the knock up only when the room asks for one.
pub async fn entry(
    core: &Core,
    viewer: Option<&User>,
    knock_token: Option<&str>,
    room: &Room,
    meeting: &Meeting,
) -> Result<Entry, CoreError> {
    let visitor = Visitor::of(viewer, room);
    let knock = match (room.access, visitor, knock_token) {
        (RoomAccess::Knock, Visitor::SignedIn(_) | Visitor::Anonymous, Some(token)) => core
            .store
            .knock_by_token(meeting.id, &crate::services::accounts::hash_token(token))
            .await?
            .filter(|k| k.room_id == room.id)
            .map(|k| k.state),
        _ => None,
    };
    Ok(may_enter(
        room.access,
        room.access_email_domains.as_ref(),
        visitor,
        knock,
    ))
}

/// A meeting's call, for someone the rule let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    /// The URL participants open.
    pub participant_url: String,
    /// The URL for this visitor: the host URL for the room's owners where the platform
    /// has one, else the participant URL.
    pub url: String,
}

/// Lets `viewer` (with `knock_token`) into `meeting` of `room`, or says why not: the one
/// way a call URL leaves the core for a visitor.
pub async fn enter(
    core: &Core,
    viewer: Option<&User>,
    knock_token: Option<&str>,
    room: &Room,
    meeting: &Meeting,
) -> Result<Entered, CoreError> {
    entry(core, viewer, knock_token, room, meeting)
        .await?
        .into_result()?;
    let owner = Audience::of(viewer, room).is_owner();
    let url = match (owner, &meeting.host_url) {
        (true, Some(host)) => host.clone(),
        _ => meeting.participant_url.clone(),
    };
    Ok(Entered {
        participant_url: meeting.participant_url.clone(),
        url,
    })
}

/// Whether `viewer` may start an unscheduled meeting in `room`: as [`may_enter`] says,
/// except that in a knock room only its owners start one (a guest knocks on a running
/// meeting instead: starting one would hand them a call nobody let them into).
pub fn may_start(viewer: &User, room: &Room) -> Result<(), CoreError> {
    let visitor = Visitor::of(Some(viewer), room);
    match may_enter(
        room.access,
        room.access_email_domains.as_ref(),
        visitor,
        None,
    ) {
        Entry::Knock(_) => Err(CoreError::Forbidden(
            "In this room only its owners start meetings; ask to join a running one instead."
                .into(),
        )),
        other => other.into_result(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains(text: &str) -> Option<EmailDomains> {
        EmailDomains::parse(text).ok().flatten()
    }

    #[test]
    fn an_open_room_lets_everyone_in() {
        for visitor in [
            Visitor::Owner,
            Visitor::SignedIn("a@b.org"),
            Visitor::Anonymous,
        ] {
            assert_eq!(
                may_enter(RoomAccess::Open, None, visitor, None),
                Entry::Allowed
            );
        }
    }

    #[test]
    fn a_members_room_asks_anonymous_visitors_to_sign_in() {
        assert_eq!(
            may_enter(RoomAccess::Members, None, Visitor::Anonymous, None),
            Entry::SignInRequired
        );
        assert_eq!(
            may_enter(
                RoomAccess::Members,
                None,
                Visitor::SignedIn("a@x.org"),
                None
            ),
            Entry::Allowed
        );
    }

    #[test]
    fn a_members_room_with_domains_admits_only_accounts_at_them() {
        let d = domains("example.org,example.com");
        let at = |email| {
            may_enter(
                RoomAccess::Members,
                d.as_ref(),
                Visitor::SignedIn(email),
                None,
            )
        };
        assert_eq!(at("ada@example.com"), Entry::Allowed);
        assert_eq!(
            at("eve@evil.org"),
            Entry::DomainNotAllowed {
                domains: vec!["example.org".into(), "example.com".into()]
            }
        );
        assert_eq!(
            may_enter(RoomAccess::Members, d.as_ref(), Visitor::Owner, None),
            Entry::Allowed,
            "the owner's own address does not matter"
        );
    }

    #[test]
    fn a_knock_room_lets_in_only_an_admitted_knock_and_the_owner() {
        let knock = |state| may_enter(RoomAccess::Knock, None, Visitor::Anonymous, state);
        assert_eq!(knock(None), Entry::Knock(KnockStatus::None));
        assert_eq!(
            knock(Some(KnockState::Pending)),
            Entry::Knock(KnockStatus::Pending)
        );
        assert_eq!(
            knock(Some(KnockState::Declined)),
            Entry::Knock(KnockStatus::Declined)
        );
        assert_eq!(knock(Some(KnockState::Admitted)), Entry::Allowed);
        assert_eq!(
            may_enter(RoomAccess::Knock, None, Visitor::SignedIn("a@b.org"), None),
            Entry::Knock(KnockStatus::None),
            "a signed-in guest knocks too"
        );
        assert_eq!(
            may_enter(RoomAccess::Knock, None, Visitor::Owner, None),
            Entry::Allowed
        );
    }

    #[test]
    fn a_knock_state_means_nothing_outside_a_knock_room() {
        assert_eq!(
            may_enter(
                RoomAccess::Members,
                None,
                Visitor::Anonymous,
                Some(KnockState::Admitted)
            ),
            Entry::SignInRequired
        );
    }

    #[test]
    fn each_refusal_is_an_error_with_its_own_code_and_no_url() {
        let code = |entry: Entry| match entry.into_result() {
            Err(CoreError::NoEntry { code, .. }) => Some(code),
            _ => None,
        };
        assert_eq!(code(Entry::SignInRequired), Some(codes::SIGN_IN_REQUIRED));
        assert_eq!(
            code(Entry::DomainNotAllowed { domains: vec![] }),
            Some(codes::DOMAIN_NOT_ALLOWED)
        );
        assert_eq!(
            code(Entry::Knock(KnockStatus::None)),
            Some(codes::KNOCK_REQUIRED)
        );
        assert_eq!(
            code(Entry::Knock(KnockStatus::Pending)),
            Some(codes::KNOCK_PENDING)
        );
        assert_eq!(
            code(Entry::Knock(KnockStatus::Declined)),
            Some(codes::KNOCK_DECLINED)
        );
        assert!(Entry::Allowed.into_result().is_ok());
    }
}
