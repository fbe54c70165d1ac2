//! Rule 6 (part 1): bounded, fair work per scheduler tick.
//!
//! A tick does at most `max_actions` things (each may call a video platform), so one tick
//! stays short. Which ones: the oldest due first, but round-robin across rooms — every room
//! with due work gets its oldest action done before any room gets a second one — so a room
//! with hundreds of due occurrences cannot starve the others. Whatever is left is still due
//! on the next tick, and the oldest of it goes first then.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One piece of due work, in a room, due since `due_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueAction<A> {
    /// The room it concerns (the unit of fairness).
    pub room_id: Uuid,
    /// Since when it is due; later than `now` means not due yet.
    pub due_at: DateTime<Utc>,
    /// What to do.
    pub action: A,
}

/// Picks at most `max_actions` of the actions due at `now` (`due_at <= now`), fairly.
///
/// Order: in rounds; round *k* takes the *k*-th oldest action of every room that has that
/// many, ordered by due time, then room id. Within a room, equal due times keep the input
/// order. The result is in execution order and fully determined by the input.
pub fn pick_fair<A>(
    actions: Vec<DueAction<A>>,
    max_actions: usize,
    now: DateTime<Utc>,
) -> Vec<DueAction<A>> {
    // Input order is kept within a room (stable sort), so equal due times stay in order.
    let mut per_room: BTreeMap<Uuid, Vec<DueAction<A>>> = BTreeMap::new();
    for action in actions.into_iter().filter(|a| a.due_at <= now) {
        per_room.entry(action.room_id).or_default().push(action);
    }
    let mut queues: Vec<VecDeque<DueAction<A>>> = per_room
        .into_values()
        .map(|mut v| {
            v.sort_by_key(|a| a.due_at);
            VecDeque::from(v)
        })
        .collect();

    let mut picked = Vec::new();
    while picked.len() < max_actions {
        // Heads of this round, oldest first; rooms are already in id order, and the sort is
        // stable, so equal due times fall back to the room id.
        let mut heads: Vec<(DateTime<Utc>, usize)> = queues
            .iter()
            .enumerate()
            .filter_map(|(room, q)| q.front().map(|a| (a.due_at, room)))
            .collect();
        if heads.is_empty() {
            break;
        }
        heads.sort_by_key(|(due, _)| *due);
        for (_, room) in heads {
            if picked.len() >= max_actions {
                break;
            }
            if let Some(action) = queues.get_mut(room).and_then(VecDeque::pop_front) {
                picked.push(action);
            }
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, id};

    fn due(room: u128, t: DateTime<Utc>, label: &'static str) -> DueAction<&'static str> {
        DueAction {
            room_id: id(room),
            due_at: t,
            action: label,
        }
    }

    fn labels(v: Vec<DueAction<&'static str>>) -> Vec<&'static str> {
        v.into_iter().map(|a| a.action).collect()
    }

    #[test]
    fn a_huge_room_does_not_starve_the_others() {
        let mut actions: Vec<DueAction<&'static str>> =
            (0..100).map(|_| due(1, at(9, 0, 0), "big")).collect();
        actions.push(due(2, at(9, 30, 0), "small-1"));
        actions.push(due(3, at(9, 45, 0), "small-2"));
        let got = labels(pick_fair(actions, 4, at(10, 0, 0)));
        assert_eq!(got, vec!["big", "small-1", "small-2", "big"]);
    }

    #[test]
    fn the_oldest_due_work_goes_first_within_and_across_rooms() {
        let actions = vec![
            due(1, at(9, 50, 0), "r1-late"),
            due(1, at(9, 10, 0), "r1-early"),
            due(2, at(9, 20, 0), "r2-a"),
            due(2, at(9, 20, 0), "r2-b"),
            due(3, at(9, 10, 0), "r3"),
        ];
        let cases = [
            (0, vec![]),
            (1, vec!["r1-early"]),
            (3, vec!["r1-early", "r3", "r2-a"]),
            (10, vec!["r1-early", "r3", "r2-a", "r2-b", "r1-late"]),
        ];
        for (max, expected) in cases {
            assert_eq!(
                labels(pick_fair(actions.clone(), max, at(10, 0, 0))),
                expected,
                "max {max}"
            );
        }
    }

    #[test]
    fn work_that_is_not_due_yet_is_left_for_a_later_tick() {
        let actions = vec![
            due(1, at(10, 0, 0), "exactly now"),
            due(1, at(10, 0, 1), "a second ahead"),
            due(2, at(11, 0, 0), "later"),
        ];
        assert_eq!(
            labels(pick_fair(actions, 10, at(10, 0, 0))),
            vec!["exactly now"]
        );
    }

    #[test]
    fn leftover_work_is_picked_on_the_next_tick() {
        let all = || {
            vec![
                due(1, at(9, 0, 0), "a1"),
                due(1, at(9, 1, 0), "a2"),
                due(2, at(9, 2, 0), "b1"),
            ]
        };
        let first = labels(pick_fair(all(), 2, at(10, 0, 0)));
        assert_eq!(first, vec!["a1", "b1"]);
        let rest: Vec<_> = all()
            .into_iter()
            .filter(|a| !first.contains(&a.action))
            .collect();
        assert_eq!(labels(pick_fair(rest, 2, at(10, 0, 5))), vec!["a2"]);
    }
}
