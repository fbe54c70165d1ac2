//! Rule 3, as meeting pages report it: the one head count. A meeting's presence rows are
//! its open pages; a signed-in person with several pages open (two tabs, phone and laptop)
//! counts once, each guest page counts (guests cannot be told apart). The number shown to
//! everyone and the one the close rules store are this one ([`head_count`]).

use chrono::{DateTime, Utc};

use super::model::{LifecycleSettings, MeetingState};
use super::presence::{
    presence_summary, presence_update, ParticipantId, PresenceSignal, PresenceUpdate, SignalKind,
};

/// A meeting's presence fields at `now` from its open pages (its stored presence rows,
/// Whereby's included): the head count is [`head_count`], the very number pages and the
/// API show, and the last presence end comes from the pages' signals.
pub fn pages_presence_update(
    meeting: &MeetingState,
    pages: &[PageState<'_>],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> PresenceUpdate {
    let signals: Vec<_> = pages.iter().flat_map(PageState::signals).collect();
    let mut update = presence_update(meeting, &signals, settings, now);
    // Someone is present by the signals exactly when someone is by the head count (it only
    // folds one person's several pages into one), so the grace rules above still hold.
    update.participants_now = u32::try_from(head_count(pages, settings, now)).unwrap_or(u32::MAX);
    update
}

/// How many people are in a call at `now`: the one head count, shown to everyone and
/// stored for the close rules (see [`present_pages`]).
pub fn head_count(
    pages: &[PageState<'_>],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> usize {
    present_pages(pages, settings, now).len()
}

/// One open meeting page as the presence rules read it (a stored presence row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageState<'a> {
    /// The page's random participant id.
    pub participant: &'a str,
    /// The signed-in person behind it; `None` for a guest.
    pub user: Option<uuid::Uuid>,
    /// Its last heartbeat (or join).
    pub last_seen_at: DateTime<Utc>,
    /// When it said it left, if it did since its last heartbeat.
    pub left_at: Option<DateTime<Utc>>,
}

impl PageState<'_> {
    /// The page as signals: its last heartbeat, then its leave if it left since.
    pub fn signals(&self) -> Vec<PresenceSignal> {
        let participant = ParticipantId(self.participant.to_string());
        let mut signals = vec![PresenceSignal {
            participant: participant.clone(),
            at: self.last_seen_at,
            kind: SignalKind::Heartbeat,
        }];
        if let Some(left) = self.left_at {
            signals.push(PresenceSignal {
                participant,
                at: left,
                kind: SignalKind::Left,
            });
        }
        signals
    }
}

/// The positions in `pages` of the people present at `now`, by the rule that keeps
/// meetings open: a signed-in person with several pages open (two tabs, phone and laptop)
/// counts once, at their first page; guests cannot be told apart, so each guest page counts.
pub fn present_pages(
    pages: &[PageState<'_>],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> Vec<usize> {
    let signals: Vec<_> = pages.iter().flat_map(PageState::signals).collect();
    let present: std::collections::HashSet<String> = presence_summary(&signals, settings, now)
        .present
        .into_iter()
        .map(|p| p.0)
        .collect();
    let mut users_listed = std::collections::HashSet::new();
    pages
        .iter()
        .enumerate()
        .filter(|(_, page)| present.contains(page.participant))
        .filter(|(_, page)| page.user.is_none_or(|user| users_listed.insert(user)))
        .map(|(i, _)| i)
        .collect()
}
