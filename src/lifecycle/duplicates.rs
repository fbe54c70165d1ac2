//! Aggregated feeds: recognising the same real-world event seen through two calendars.
//!
//! A room's feed may merge several calendars (Google, Cal.com, ...). The same meeting then
//! shows up once per source, each copy with its own UID. Copies are recognised by what
//! people see — same room, same start, same end, same title — because UIDs, descriptions
//! and attendee lists differ between providers.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::Occurrence;

/// What makes two occurrences copies of one event: same room, same times, same title.
/// The title is trimmed and an empty one counts as no title, because feeds differ in
/// whitespace handling; case is kept, as a deliberate rename should not merge. Two
/// untitled events at the same time in the same room are treated as copies too: a room
/// cannot host two meetings at once, and providers that hide titles hide them alike.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct DuplicateKey {
    room_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    title: Option<String>,
}

/// The key of `occ`'s duplicate group.
pub(crate) fn duplicate_key(occ: &Occurrence) -> DuplicateKey {
    let title = occ
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    DuplicateKey {
        room_id: occ.room_id,
        start: occ.start,
        end: occ.end,
        title,
    }
}

/// Whether `a` and `b` are two copies of one event from different feeds: different UIDs,
/// same room, times and (normalised) title. Cancellation and deletion are not compared;
/// callers decide which copies are live.
pub fn are_aggregated_duplicates(a: &Occurrence, b: &Occurrence) -> bool {
    a.uid != b.uid && duplicate_key(a) == duplicate_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, id, occurrence};

    #[test]
    fn copies_match_on_room_times_and_trimmed_title_only() {
        let base = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let other =
            |f: fn(Occurrence) -> Occurrence| f(occurrence("b", at(10, 0, 0), at(10, 30, 0)));
        let cases = [
            ("identical but for the uid", other(|o| o), true),
            (
                "padded title",
                other(|o| Occurrence {
                    title: Some(" Standup  ".into()),
                    ..o
                }),
                true,
            ),
            (
                "other recurrence id",
                other(|o| Occurrence {
                    recurrence_id: Some(at(10, 0, 0)),
                    ..o
                }),
                true,
            ),
            (
                "other title",
                other(|o| Occurrence {
                    title: Some("Retro".into()),
                    ..o
                }),
                false,
            ),
            (
                "other case",
                other(|o| Occurrence {
                    title: Some("standup".into()),
                    ..o
                }),
                false,
            ),
            (
                "no title",
                other(|o| Occurrence { title: None, ..o }),
                false,
            ),
            (
                "other end",
                other(|o| Occurrence {
                    end: at(10, 45, 0),
                    ..o
                }),
                false,
            ),
            (
                "other start",
                other(|o| Occurrence {
                    start: at(9, 59, 30),
                    ..o
                }),
                false,
            ),
            (
                "other room",
                other(|o| Occurrence {
                    room_id: id(7),
                    ..o
                }),
                false,
            ),
            ("same uid", base.clone(), false),
        ];
        for (name, b, expected) in cases {
            assert_eq!(are_aggregated_duplicates(&base, &b), expected, "{name}");
        }
    }

    #[test]
    fn untitled_and_blank_titled_events_at_the_same_time_are_copies() {
        let a = Occurrence {
            title: None,
            ..occurrence("a", at(10, 0, 0), at(10, 30, 0))
        };
        let b = Occurrence {
            title: Some("   ".into()),
            ..occurrence("b", at(10, 0, 0), at(10, 30, 0))
        };
        assert!(are_aggregated_duplicates(&a, &b));
    }
}
