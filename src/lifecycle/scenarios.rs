//! Whole-day scenarios: a simulated scheduler ticking every second over stored occurrences,
//! applying the actions the rules ask for, with presence signals fed in on a script. They
//! check that the rules compose: each meeting is created, moved and closed exactly once, at
//! the exact second.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::fair::DueAction;
use super::model::{LifecycleSettings, MeetingState, Occurrence};
use super::presence::{presence_update, ParticipantId, PresenceSignal, SignalKind};
use super::testkit::{at, event_id, id, occurrence};
use super::tick::{plan_tick, LifecycleAction};

/// What happened to a meeting, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Created {
        event: Uuid,
        at: DateTime<Utc>,
        duplicates: usize,
    },
    Moved {
        meeting: Uuid,
        start: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    Ended {
        meeting: Uuid,
        why: String,
        at: DateTime<Utc>,
    },
}

struct World {
    settings: LifecycleSettings,
    occurrences: Vec<Occurrence>,
    meetings: Vec<MeetingState>,
    /// Presence signals per meeting, in arrival order.
    signals: Vec<(Uuid, PresenceSignal)>,
    log: Vec<Event>,
}

impl World {
    fn new(occurrences: Vec<Occurrence>) -> Self {
        World {
            settings: LifecycleSettings::default(),
            occurrences,
            meetings: Vec::new(),
            signals: Vec::new(),
            log: Vec::new(),
        }
    }

    /// The meeting made for the occurrence with this UID.
    fn meeting_of(&self, uid: &str) -> Uuid {
        self.meetings
            .iter()
            .find(|m| m.calendar_event_id == Some(event_id(uid)))
            .map(|m| m.id)
            .unwrap()
    }

    fn signal(&mut self, meeting: Uuid, who: &str, at: DateTime<Utc>, kind: SignalKind) {
        self.signals.push((
            meeting,
            PresenceSignal {
                participant: ParticipantId(who.into()),
                at,
                kind,
            },
        ));
    }

    fn tick(&mut self, now: DateTime<Utc>) {
        for m in self.meetings.iter_mut().filter(|m| m.is_active) {
            let signals: Vec<PresenceSignal> = self
                .signals
                .iter()
                .filter(|(mid, s)| *mid == m.id && s.at <= now)
                .map(|(_, s)| s.clone())
                .collect();
            let upd = presence_update(m, &signals, &self.settings, now);
            m.participants_now = upd.participants_now;
            m.ever_had_participants = upd.ever_had_participants;
            m.last_participant_left_at = upd.last_participant_left_at;
        }
        for DueAction { action, .. } in
            plan_tick(&self.occurrences, &self.meetings, &self.settings, now, 10)
        {
            match action {
                LifecycleAction::Precreate(plan) => {
                    let meeting = MeetingState {
                        id: id(0x1000 + self.meetings.len() as u128),
                        room_id: plan.room_id,
                        calendar_event_id: Some(plan.event_id),
                        start: plan.start,
                        end: plan.end,
                        is_active: true,
                        created_at: now,
                        ever_had_participants: false,
                        participants_now: 0,
                        last_participant_left_at: None,
                        extended_minutes: 0,
                    };
                    self.log.push(Event::Created {
                        event: plan.event_id,
                        at: now,
                        duplicates: plan.duplicate_event_ids.len(),
                    });
                    self.meetings.push(meeting);
                }
                LifecycleAction::Update {
                    meeting_id,
                    start,
                    end,
                } => {
                    if let Some(m) = self.meetings.iter_mut().find(|m| m.id == meeting_id) {
                        m.start = start;
                        m.end = end;
                        self.log.push(Event::Moved {
                            meeting: meeting_id,
                            start,
                            at: now,
                        });
                    }
                }
                LifecycleAction::Deactivate { meeting_id, reason } => {
                    self.end(meeting_id, format!("{reason:?}"), now)
                }
                LifecycleAction::Close { meeting_id, reason } => {
                    self.end(meeting_id, format!("{reason:?}"), now)
                }
            }
        }
    }

    fn end(&mut self, meeting: Uuid, why: String, now: DateTime<Utc>) {
        if let Some(m) = self.meetings.iter_mut().find(|m| m.id == meeting) {
            m.is_active = false;
            self.log.push(Event::Ended {
                meeting,
                why,
                at: now,
            });
        }
    }

    /// Ticks every second from `from` to `to` inclusive.
    fn run(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        let mut now = from;
        while now <= to {
            self.tick(now);
            now += Duration::seconds(1);
        }
    }

    /// Heartbeats from `who` every 15 s from `from` up to and including `to`.
    fn attend(&mut self, meeting: Uuid, who: &str, from: DateTime<Utc>, to: DateTime<Utc>) {
        let mut t = from;
        while t <= to {
            self.signal(meeting, who, t, SignalKind::Heartbeat);
            t += Duration::seconds(15);
        }
    }

    fn ended(&self) -> Vec<(String, DateTime<Utc>)> {
        self.log
            .iter()
            .filter_map(|e| match e {
                Event::Ended { why, at, .. } => Some((why.clone(), *at)),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn a_dropped_participant_closes_the_meeting_exactly_grace_after_the_heartbeat_timeout() {
    let mut w = World::new(vec![occurrence("a", at(10, 0, 0), at(11, 0, 0))]);
    w.run(at(9, 58, 0), at(9, 59, 0));
    assert_eq!(
        w.log,
        vec![Event::Created {
            event: event_id("a"),
            at: at(9, 59, 0),
            duplicates: 0
        }]
    );
    let m = w.meeting_of("a");
    // Last heartbeat 10:10:00 → gone at 10:10:45 → closes at 10:25:45, not a second earlier.
    w.attend(m, "ann", at(10, 0, 0), at(10, 10, 0));
    w.run(at(9, 59, 1), at(10, 25, 44));
    assert_eq!(w.ended(), vec![]);
    w.run(at(10, 25, 45), at(10, 25, 45));
    assert_eq!(w.ended(), vec![("GracePeriodOver".into(), at(10, 25, 45))]);
}

#[test]
fn rejoining_one_second_before_the_grace_period_ends_keeps_the_meeting_open() {
    let mut w = World::new(vec![occurrence("a", at(10, 0, 0), at(11, 0, 0))]);
    w.run(at(9, 59, 0), at(9, 59, 0));
    let m = w.meeting_of("a");
    w.signal(m, "ann", at(10, 0, 0), SignalKind::Heartbeat);
    w.signal(m, "ann", at(10, 5, 0), SignalKind::Left);
    // Grace would end at 10:20:00; Bob arrives at 10:19:59 and leaves at 10:40:00.
    w.attend(m, "bob", at(10, 19, 59), at(10, 39, 59));
    w.signal(m, "bob", at(10, 40, 0), SignalKind::Left);
    w.run(at(9, 59, 1), at(10, 54, 59));
    assert_eq!(w.ended(), vec![]);
    w.run(at(10, 55, 0), at(11, 40, 0));
    assert_eq!(w.ended(), vec![("GracePeriodOver".into(), at(10, 55, 0))]);
}

#[test]
fn people_still_in_a_calendar_meeting_are_cut_off_at_end_plus_overrun() {
    let mut w = World::new(vec![occurrence("a", at(10, 0, 0), at(10, 30, 0))]);
    w.run(at(9, 59, 0), at(9, 59, 0));
    let m = w.meeting_of("a");
    w.attend(m, "ann", at(10, 0, 0), at(12, 0, 0));
    w.run(at(9, 59, 1), at(11, 30, 0));
    assert_eq!(w.ended(), vec![("CalendarOverrun".into(), at(11, 0, 0))]);
}

#[test]
fn back_to_back_occurrences_and_aggregated_copies_get_one_meeting_each_at_lead_time() {
    let first = occurrence("first", at(10, 0, 0), at(10, 30, 0));
    let copy = occurrence("copy-of-first", at(10, 0, 0), at(10, 30, 0));
    let second = Occurrence {
        title: Some("Retro".into()),
        ..occurrence("second", at(10, 30, 0), at(11, 0, 0))
    };
    let mut w = World::new(vec![second, copy, first]);
    w.run(at(9, 0, 0), at(11, 45, 0));
    let created: Vec<&Event> = w
        .log
        .iter()
        .filter(|e| matches!(e, Event::Created { .. }))
        .collect();
    assert_eq!(
        created,
        vec![
            &Event::Created {
                event: event_id("copy-of-first"),
                at: at(9, 59, 0),
                duplicates: 1
            },
            &Event::Created {
                event: event_id("second"),
                at: at(10, 29, 0),
                duplicates: 0
            },
        ]
    );
    assert_eq!(
        w.ended(),
        vec![
            ("NobodyJoined".into(), at(11, 0, 0)),
            ("NobodyJoined".into(), at(11, 30, 0))
        ]
    );
}

#[test]
fn an_occurrence_moved_or_cancelled_after_precreation_moves_or_ends_its_meeting_once() {
    let mut w = World::new(vec![occurrence("moved", at(10, 0, 0), at(10, 30, 0)), {
        Occurrence {
            title: Some("Doomed".into()),
            ..occurrence("doomed", at(10, 0, 0), at(10, 30, 0))
        }
    }]);
    w.run(at(9, 59, 0), at(9, 59, 30));
    let moved = w.meeting_of("moved");
    let doomed = w.meeting_of("doomed");
    w.occurrences[0].start = at(10, 15, 0);
    w.occurrences[0].end = at(10, 45, 0);
    w.occurrences[1].cancelled = true;
    w.run(at(9, 59, 31), at(11, 30, 0));
    assert_eq!(
        w.log[2..],
        [
            Event::Ended {
                meeting: doomed,
                why: "Cancelled".into(),
                at: at(9, 59, 31)
            },
            Event::Moved {
                meeting: moved,
                start: at(10, 15, 0),
                at: at(9, 59, 31)
            },
            Event::Ended {
                meeting: moved,
                why: "NobodyJoined".into(),
                at: at(11, 15, 0)
            },
        ]
    );
}
