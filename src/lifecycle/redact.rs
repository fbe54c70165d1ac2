//! What people other than the room's owner see of a meeting's calendar metadata.
//!
//! **Policy** (the plan: "Participants see limited info: title, date/time only. Attendee
//! list and description hidden from non-owners"): non-owners get the title and nothing
//! else of the metadata — never the description (passcodes live there), location,
//! organizer, attendees, conference links or recurrence. The times, the status and the
//! head count live on the meeting itself. For PRIVATE, CONFIDENTIAL or an unknown CLASS
//! the title becomes [`PRIVATE_TITLE`].
//!
//! The class used is the stricter of the one the caller passes and the one stored in the
//! metadata, so neither a stale row nor a caller mistake can widen access.

use serde_json::{json, Value};

use super::metadata::{PrivacyClass, METADATA_VERSION};

/// The title non-owners see for PRIVATE and CONFIDENTIAL events.
pub const PRIVATE_TITLE: &str = "Private meeting";

/// The metadata as a non-owner may see it: `{"version", "title"}` (see the module docs).
/// Metadata that is not a JSON object is treated as empty.
pub fn public_view(metadata: &Value, class: PrivacyClass) -> Value {
    let stored = PrivacyClass::parse(metadata.get("privacy_class").and_then(Value::as_str));
    let title = if class.max(stored).shows_details() {
        metadata.get("title").cloned().unwrap_or(Value::Null)
    } else {
        Value::String(PRIVATE_TITLE.into())
    };
    json!({ "version": METADATA_VERSION, "title": title })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::metadata::{calendar_metadata, CalendarDetails};

    fn stored(class: PrivacyClass) -> Value {
        calendar_metadata(&CalendarDetails {
            title: Some("Board meeting".into()),
            description: Some("Join https://zoom.us/j/123456789?pwd=s3cr3t".into()),
            attendees: json!([{"email": "ann@example.com", "name": "Ann", "partstat": "ACCEPTED"}]),
            organizer: Some(json!({"email": "ann@example.com", "name": "Ann"})),
            location: Some("Room 1".into()),
            conference_links: vec!["https://meet.example/abc-defg-hij".into()],
            recurrence: None,
            privacy_class: class,
        })
    }

    #[test]
    fn others_see_a_public_events_title_and_nothing_else() {
        let view = public_view(&stored(PrivacyClass::Public), PrivacyClass::Public);
        assert_eq!(
            view,
            json!({"version": METADATA_VERSION, "title": "Board meeting"})
        );
    }

    #[test]
    fn private_confidential_and_unknown_classes_show_private_meeting() {
        let private = json!({"version": METADATA_VERSION, "title": PRIVATE_TITLE});
        let cases = [
            (
                "private event",
                stored(PrivacyClass::Private),
                PrivacyClass::Private,
            ),
            (
                "confidential event",
                stored(PrivacyClass::Confidential),
                PrivacyClass::Confidential,
            ),
            (
                "caller says private, row says public",
                stored(PrivacyClass::Public),
                PrivacyClass::Private,
            ),
            (
                "caller says public, row says private",
                stored(PrivacyClass::Private),
                PrivacyClass::Public,
            ),
            (
                "an unknown class is private",
                json!({"title": "Board meeting", "privacy_class": "X-SECRET"}),
                PrivacyClass::Public,
            ),
            (
                "not an object, caller says private",
                json!("garbage"),
                PrivacyClass::Private,
            ),
        ];
        for (name, meta, class) in cases {
            assert_eq!(public_view(&meta, class), private, "{name}");
        }
    }
}
