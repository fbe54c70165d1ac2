//! How the pure rules see the stored records: `From` impls from each record to the
//! lifecycle's own types, so the rules never depend on the store's rows.

use super::{CalendarEvent, Meeting, PresenceRecord};
use crate::lifecycle::{
    calendar_metadata, CalendarDetails, MeetingState, Occurrence, PageState, RecurrenceInfo,
};

impl From<&CalendarEvent> for Occurrence {
    fn from(event: &CalendarEvent) -> Self {
        Occurrence {
            event_id: event.id,
            room_id: event.room_id,
            uid: event.ics_uid.clone(),
            recurrence_id: event.recurrence_id,
            title: event.title.clone(),
            start: event.start_time,
            end: event.end_time,
            all_day: event.all_day,
            cancelled: event.is_cancelled(),
            deleted: event.is_deleted,
        }
    }
}

impl From<&Meeting> for MeetingState {
    fn from(m: &Meeting) -> Self {
        MeetingState {
            id: m.id,
            room_id: m.room_id,
            calendar_event_id: m.calendar_event_id,
            start: m.start_time,
            end: m.end_time,
            is_active: m.is_active,
            created_at: m.created_at,
            ever_had_participants: m.ever_had_participants,
            participants_now: u32::try_from(m.participants_now).unwrap_or(0),
            last_participant_left_at: m.last_participant_left_at,
            extended_minutes: u32::try_from(m.extended_minutes).unwrap_or(0),
        }
    }
}

impl<'a> From<&'a PresenceRecord> for PageState<'a> {
    fn from(record: &'a PresenceRecord) -> Self {
        PageState {
            participant: &record.participant_id,
            user: record.user_id,
            last_seen_at: record.last_seen_at,
            left_at: record.left_at,
        }
    }
}

impl From<&CalendarEvent> for CalendarDetails {
    fn from(event: &CalendarEvent) -> Self {
        let conference_links = event
            .conference_links
            .0
            .as_array()
            .map(|links| {
                links
                    .iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        CalendarDetails {
            title: event.title.clone(),
            description: event.description.clone(),
            attendees: event.attendees.0.clone(),
            organizer: event.organizer.as_ref().map(|o| o.0.clone()),
            location: event.location.clone(),
            conference_links,
            recurrence: event.recurrence_id.map(|rid| RecurrenceInfo {
                rrule: rrule_of(&event.ics_raw_data),
                recurrence_id: Some(rid),
            }),
            privacy_class: event.privacy_class.unwrap_or_default(),
        }
    }
}

impl CalendarEvent {
    /// The `calendar_metadata` of a meeting made from this occurrence.
    pub fn metadata(&self) -> serde_json::Value {
        calendar_metadata(&CalendarDetails::from(self))
    }
}

/// The first RRULE value of a stored VEVENT text (the series' rule, for an occurrence
/// expanded from it; overrides carry none). Folded lines are unfolded first.
fn rrule_of(raw: &str) -> Option<String> {
    let unfolded = raw
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "");
    unfolded
        .lines()
        .map(str::trim_end)
        .find(|line| {
            let upper = line.get(..6).map(str::to_ascii_uppercase);
            matches!(upper.as_deref(), Some("RRULE:") | Some("RRULE;"))
        })
        .and_then(|line| line.split_once(':'))
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::rrule_of;

    #[test]
    fn the_series_rule_is_read_from_the_stored_event_text_even_when_folded() {
        let master = "BEGIN:VEVENT\r\nUID:standup\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,\r\n TU;COUNT=10\r\nDTSTART:20260302T090000Z\r\nEND:VEVENT";
        assert_eq!(
            rrule_of(master).as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO,TU;COUNT=10")
        );
        let with_param = "BEGIN:VEVENT\nrrule;X-FOO=1:FREQ=DAILY\nEND:VEVENT";
        assert_eq!(rrule_of(with_param).as_deref(), Some("FREQ=DAILY"));
        let override_instance =
            "BEGIN:VEVENT\r\nUID:standup\r\nRECURRENCE-ID:20260309T090000Z\r\nEND:VEVENT";
        assert_eq!(rrule_of(override_instance), None);
        assert_eq!(
            rrule_of("BEGIN:VEVENT\r\nEXRULE:FREQ=DAILY\r\nEND:VEVENT"),
            None
        );
    }
}
