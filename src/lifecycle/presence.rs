//! Rule 3: who is in a call right now, and when the last person left.
//!
//! Video platforms do not reliably tell us when someone leaves (tabs get closed, laptops
//! sleep), so presence is inferred from heartbeats: a participant whose last heartbeat is
//! `presence_timeout` old or older counts as gone. Where the platform or the client does
//! report an explicit leave, that is used instead of waiting for the timeout.
//!
//! **When presence ended.** A participant's presence ends at their explicit leave time when
//! that is their last signal, otherwise at `last heartbeat + presence_timeout` — the first
//! instant they count as gone, not the instant of the heartbeat. This makes the grace period
//! start when the system could first know the room is empty, so a participant whose
//! connection drops still gets the full grace period counted from the timeout. A leave time
//! in the future (clock skew) is clamped to `now`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{add, LifecycleSettings, MeetingState};

/// Identifies one participant of one call (the platform's or the client's id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ParticipantId(pub String);

/// What a presence signal says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// "I am still here."
    Heartbeat,
    /// "I left" (explicit hang-up, or the platform's leave webhook).
    Left,
}

/// One presence signal of a participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceSignal {
    /// Who.
    pub participant: ParticipantId,
    /// When it was received.
    pub at: DateTime<Utc>,
    /// What it says.
    pub kind: SignalKind,
}

/// Presence of a call at one instant, derived from its signals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceSummary {
    /// Who is present, sorted and without repeats.
    pub present: Vec<ParticipantId>,
    /// The latest instant at which a participant's presence ended, among the participants no
    /// longer present; `None` if no signal says anybody was ever there and left.
    pub last_presence_ended_at: Option<DateTime<Utc>>,
}

/// The new presence fields of a meeting (see [`apply_presence`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceUpdate {
    /// How many participants are present.
    pub participants_now: u32,
    /// Whether anybody has ever been present.
    pub ever_had_participants: bool,
    /// When the last participant left, while nobody is present.
    pub last_participant_left_at: Option<DateTime<Utc>>,
}

/// Who is present at `now` according to heartbeats alone: each participant's latest
/// heartbeat must be younger than `presence_timeout` (exactly `presence_timeout` old is
/// gone). A heartbeat from the future (clock skew) counts as present. Sorted, no repeats.
pub fn participants_present(
    heartbeats: &[(ParticipantId, DateTime<Utc>)],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> Vec<ParticipantId> {
    let signals: Vec<PresenceSignal> = heartbeats
        .iter()
        .map(|(p, at)| PresenceSignal {
            participant: p.clone(),
            at: *at,
            kind: SignalKind::Heartbeat,
        })
        .collect();
    presence_summary(&signals, settings, now).present
}

/// Who is present at `now` and when the last presence ended, from heartbeats and explicit
/// leaves. Per participant only the latest signal counts; when a heartbeat and a leave carry
/// the same instant the leave wins, because a client sends its last heartbeat and then
/// hangs up, never the other way round.
pub fn presence_summary(
    signals: &[PresenceSignal],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> PresenceSummary {
    // Latest signal per participant; ties go to `Left` (ordered after `Heartbeat`).
    let mut latest: BTreeMap<&ParticipantId, (DateTime<Utc>, bool)> = BTreeMap::new();
    for s in signals {
        let candidate = (s.at, s.kind == SignalKind::Left);
        latest
            .entry(&s.participant)
            .and_modify(|cur| {
                if candidate > *cur {
                    *cur = candidate;
                }
            })
            .or_insert(candidate);
    }
    let mut present = Vec::new();
    let mut last_presence_ended_at: Option<DateTime<Utc>> = None;
    for (participant, (at, left)) in latest {
        let ended_at = if left {
            Some(at.min(now))
        } else {
            let expiry = add(at, settings.presence_timeout);
            (expiry <= now).then_some(expiry)
        };
        match ended_at {
            None => present.push(participant.clone()),
            Some(t) => {
                last_presence_ended_at = Some(last_presence_ended_at.map_or(t, |cur| cur.max(t)));
            }
        }
    }
    PresenceSummary {
        present,
        last_presence_ended_at,
    }
}

/// The meeting's presence fields after `summary`:
///
/// - someone present: `participants_now` is their count, `last_participant_left_at` is
///   cleared (a rejoin within the grace period cancels the pending close);
/// - nobody present: `last_participant_left_at` becomes the summary's last presence end, but
///   never moves back before an already stored value, so a caller that prunes old signals
///   cannot shorten a grace period that is already running;
/// - `ever_had_participants` becomes true as soon as any presence was seen, even one that
///   began and ended between two ticks.
pub fn apply_presence(meeting: &MeetingState, summary: &PresenceSummary) -> PresenceUpdate {
    let participants_now = u32::try_from(summary.present.len()).unwrap_or(u32::MAX);
    let ever_had_participants = meeting.ever_had_participants
        || participants_now > 0
        || summary.last_presence_ended_at.is_some();
    let last_participant_left_at = if participants_now > 0 {
        None
    } else {
        match (
            meeting.last_participant_left_at,
            summary.last_presence_ended_at,
        ) {
            (Some(stored), Some(seen)) => Some(stored.max(seen)),
            (stored, seen) => stored.or(seen),
        }
    };
    PresenceUpdate {
        participants_now,
        ever_had_participants,
        last_participant_left_at,
    }
}

/// One call for a tick: the meeting's new presence fields at `now` given all its signals
/// (`apply_presence` of `presence_summary`).
pub fn presence_update(
    meeting: &MeetingState,
    signals: &[PresenceSignal],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> PresenceUpdate {
    apply_presence(meeting, &presence_summary(signals, settings, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, meeting_for, occurrence};

    fn p(name: &str) -> ParticipantId {
        ParticipantId(name.to_string())
    }

    fn hb(name: &str, t: DateTime<Utc>) -> PresenceSignal {
        PresenceSignal {
            participant: p(name),
            at: t,
            kind: SignalKind::Heartbeat,
        }
    }

    fn left(name: &str, t: DateTime<Utc>) -> PresenceSignal {
        PresenceSignal {
            participant: p(name),
            at: t,
            kind: SignalKind::Left,
        }
    }

    #[test]
    fn a_heartbeat_counts_for_exactly_the_presence_timeout() {
        let s = LifecycleSettings::default();
        let beats = [(p("ann"), at(10, 0, 0))];
        let cases = [
            ("same instant", at(10, 0, 0), vec![p("ann")]),
            ("44 s later", at(10, 0, 44), vec![p("ann")]),
            ("exactly 45 s later", at(10, 0, 45), vec![]),
            ("much later", at(11, 0, 0), vec![]),
            ("heartbeat from the future", at(9, 59, 0), vec![p("ann")]),
        ];
        for (name, now, expected) in cases {
            assert_eq!(participants_present(&beats, &s, now), expected, "{name}");
        }
    }

    #[test]
    fn only_the_latest_heartbeat_of_each_participant_counts_and_the_result_is_sorted() {
        let s = LifecycleSettings::default();
        let beats = [
            (p("zoe"), at(10, 0, 30)),
            (p("ann"), at(9, 50, 0)),
            (p("ann"), at(10, 0, 20)),
            (p("bob"), at(10, 0, 0)),
            (p("zoe"), at(9, 0, 0)),
        ];
        assert_eq!(
            participants_present(&beats, &s, at(10, 1, 0)),
            vec![p("ann"), p("zoe")]
        );
    }

    /// Name, signals, who is present, when the last presence ended.
    type Case = (
        &'static str,
        Vec<PresenceSignal>,
        Vec<ParticipantId>,
        Option<DateTime<Utc>>,
    );

    #[test]
    fn presence_ends_at_the_explicit_leave_or_at_the_heartbeat_timeout() {
        let s = LifecycleSettings::default();
        let now = at(10, 10, 0);
        let cases: [Case; 7] = [
            ("nobody ever", vec![], vec![], None),
            (
                "still beating",
                vec![hb("ann", at(10, 9, 50))],
                vec![p("ann")],
                None,
            ),
            (
                "timed out",
                vec![hb("ann", at(10, 0, 0))],
                vec![],
                Some(at(10, 0, 45)),
            ),
            (
                "left explicitly",
                vec![hb("ann", at(10, 0, 0)), left("ann", at(10, 0, 10))],
                vec![],
                Some(at(10, 0, 10)),
            ),
            (
                "left and came back",
                vec![left("ann", at(10, 0, 10)), hb("ann", at(10, 9, 30))],
                vec![p("ann")],
                None,
            ),
            (
                "leave and heartbeat at the same instant",
                vec![hb("ann", at(10, 5, 0)), left("ann", at(10, 5, 0))],
                vec![],
                Some(at(10, 5, 0)),
            ),
            (
                "leave from the future is clamped to now",
                vec![left("ann", at(10, 20, 0))],
                vec![],
                Some(now),
            ),
        ];
        for (name, signals, present, ended) in cases {
            let got = presence_summary(&signals, &s, now);
            assert_eq!(got.present, present, "{name}");
            assert_eq!(got.last_presence_ended_at, ended, "{name}");
        }
    }

    #[test]
    fn the_last_presence_end_is_that_of_whoever_left_last() {
        let s = LifecycleSettings::default();
        let signals = [
            hb("ann", at(10, 3, 0)),
            left("bob", at(10, 3, 30)),
            hb("cy", at(10, 1, 0)),
        ];
        let got = presence_summary(&signals, &s, at(10, 10, 0));
        assert_eq!(got.last_presence_ended_at, Some(at(10, 3, 45)));
        // With someone still present the room is not empty, but the others' ends are known.
        let signals = [hb("ann", at(10, 9, 59)), left("bob", at(10, 3, 30))];
        let got = presence_summary(&signals, &s, at(10, 10, 0));
        assert_eq!(got.present, vec![p("ann")]);
    }

    #[test]
    fn applying_presence_sets_counts_and_the_left_time_only_when_the_room_is_empty() {
        let occ = occurrence("a", at(10, 0, 0), at(11, 0, 0));
        let fresh = meeting_for(&occ);
        let emptied = MeetingState {
            ever_had_participants: true,
            last_participant_left_at: Some(at(10, 20, 0)),
            ..fresh.clone()
        };
        let summary = |present: &[&str], ended: Option<DateTime<Utc>>| PresenceSummary {
            present: present.iter().map(|n| p(n)).collect(),
            last_presence_ended_at: ended,
        };
        let upd = |n, ever, left| PresenceUpdate {
            participants_now: n,
            ever_had_participants: ever,
            last_participant_left_at: left,
        };
        let cases = [
            (
                "nobody yet",
                fresh.clone(),
                summary(&[], None),
                upd(0, false, None),
            ),
            (
                "first arrival",
                fresh.clone(),
                summary(&["ann"], None),
                upd(1, true, None),
            ),
            (
                "came and went between ticks",
                fresh.clone(),
                summary(&[], Some(at(10, 5, 0))),
                upd(0, true, Some(at(10, 5, 0))),
            ),
            (
                "rejoin clears the left time",
                emptied.clone(),
                summary(&["ann", "bob"], Some(at(10, 20, 0))),
                upd(2, true, None),
            ),
            (
                "still empty keeps the left time",
                emptied.clone(),
                summary(&[], Some(at(10, 20, 0))),
                upd(0, true, Some(at(10, 20, 0))),
            ),
            (
                "pruned signals do not move it back",
                emptied.clone(),
                summary(&[], Some(at(10, 1, 0))),
                upd(0, true, Some(at(10, 20, 0))),
            ),
            (
                "pruned to nothing keeps it",
                emptied.clone(),
                summary(&[], None),
                upd(0, true, Some(at(10, 20, 0))),
            ),
            (
                "a later departure moves it forward",
                emptied,
                summary(&[], Some(at(10, 30, 0))),
                upd(0, true, Some(at(10, 30, 0))),
            ),
        ];
        for (name, meeting, summary, expected) in cases {
            assert_eq!(apply_presence(&meeting, &summary), expected, "{name}");
        }
    }
}
