//! What people other than the room's owner see of a meeting's calendar metadata.
//!
//! **Policy.** The class used is the stricter of the one the caller passes and the one
//! stored in the metadata, so neither a stale row nor a caller mistake can widen access.
//!
//! - PRIVATE and CONFIDENTIAL: the title becomes `"Busy"` and everything else is emptied;
//!   the times live on the meeting itself and stay visible.
//! - PUBLIC: the title, description, location and recurrence stay, but
//!   - attendees and the organizer keep only their display name, participation status and
//!     role — never an email address (a name that is itself an address is dropped, and so
//!     is an attendee with nothing left);
//!   - in every text, email addresses become `[email removed]` and links that carry a secret
//!     become `[link removed]`; conference links that carry a secret are dropped.
//!
//! A link "carries a secret" when it has a query string, a fragment or user info, or a path
//! segment that looks like a token: 16 characters or more with at least one digit (Zoom
//! `?pwd=`, Teams `meetup-join/19%3ameeting_...`, signed URLs). Plain links such as
//! `https://example.com/agenda` or a bare Meet code stay: a PUBLIC event's owner chose to
//! publish them.

use serde_json::{json, Map, Value};

use super::metadata::{PrivacyClass, METADATA_VERSION};

/// Replaces a removed link.
pub const LINK_REMOVED: &str = "[link removed]";
/// Replaces a removed email address.
pub const EMAIL_REMOVED: &str = "[email removed]";
/// The title non-owners see for PRIVATE and CONFIDENTIAL events.
pub const BUSY_TITLE: &str = "Busy";

/// Person fields non-owners may see (the engine writes `email`, `name`, `partstat`, `role`;
/// `cn` is accepted as another spelling of the name).
const PERSON_FIELDS: [&str; 4] = ["name", "cn", "partstat", "role"];

/// The metadata as a non-owner may see it, in the same shape as
/// [`super::metadata::calendar_metadata`] (see the module docs for the policy). Metadata
/// that is not a JSON object is treated as empty.
pub fn public_view(metadata: &Value, class: PrivacyClass) -> Value {
    let empty = Map::new();
    let meta = metadata.as_object().unwrap_or(&empty);
    let stored = PrivacyClass::parse(meta.get("privacy_class").and_then(Value::as_str));
    let effective = class.max(stored);
    if !effective.shows_details() {
        return json!({
            "version": METADATA_VERSION,
            "title": BUSY_TITLE,
            "description": null,
            "location": null,
            "organizer": null,
            "attendees": [],
            "conference_links": [],
            "recurrence": null,
            "privacy_class": effective.as_str(),
        });
    }
    let text = |key: &str| {
        meta.get(key)
            .and_then(Value::as_str)
            .map_or(Value::Null, |t| Value::String(redact_text(t)))
    };
    let attendees: Vec<Value> = match meta.get("attendees") {
        Some(Value::Array(items)) => items.iter().filter_map(public_person).collect(),
        _ => Vec::new(),
    };
    let links: Vec<Value> = match meta.get("conference_links") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .filter(|l| !carries_secret(l))
            .map(|l| Value::String(l.to_string()))
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "version": METADATA_VERSION,
        "title": text("title"),
        "description": text("description"),
        "location": text("location"),
        "organizer": meta.get("organizer").and_then(public_person).unwrap_or(Value::Null),
        "attendees": attendees,
        "conference_links": links,
        "recurrence": meta.get("recurrence").cloned().unwrap_or(Value::Null),
        "privacy_class": effective.as_str(),
    })
}

/// A person object reduced to [`PERSON_FIELDS`]; `None` when nothing is left.
fn public_person(person: &Value) -> Option<Value> {
    let fields = person.as_object()?;
    let mut kept = Map::new();
    for key in PERSON_FIELDS {
        match fields.get(key) {
            Some(Value::String(s)) if !s.contains('@') && !s.trim().is_empty() => {
                kept.insert(key.to_string(), Value::String(s.clone()));
            }
            _ => {}
        }
    }
    (!kept.is_empty()).then_some(Value::Object(kept))
}

/// `text` with email addresses and secret-carrying links replaced.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars() {
        if is_delimiter(c) {
            out.push_str(&redact_word(&word));
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.push_str(&redact_word(&word));
    out
}

/// Characters that end a URL or an address in running text (and in simple HTML).
fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>' | '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}' | ',' | ';'
        )
}

/// One delimiter-free run of text, redacted. Trailing sentence punctuation is not part of a
/// link or an address ("see https://x.y/a." keeps its full stop).
fn redact_word(word: &str) -> String {
    let core = word.trim_end_matches(['.', '!', '?', ':']);
    let tail = &word[core.len()..];
    let lower = core.to_ascii_lowercase();
    let url_at = ["https://", "http://"]
        .iter()
        .filter_map(|scheme| lower.find(scheme))
        .min();
    if let Some(pos) = url_at {
        let (prefix, url) = core.split_at(pos);
        if carries_secret(url) {
            return format!("{prefix}{LINK_REMOVED}{tail}");
        }
        return word.to_string();
    }
    if looks_like_email(core) {
        return format!("{EMAIL_REMOVED}{tail}");
    }
    word.to_string()
}

/// `user@host.tld`, possibly with a `mailto:` or other prefix: an `@` with something before
/// it and a dot somewhere after it.
fn looks_like_email(word: &str) -> bool {
    match word.split_once('@') {
        Some((user, host)) => !user.is_empty() && host.contains('.') && !host.ends_with('.'),
        None => false,
    }
}

/// Whether a link carries a secret (see the module docs).
pub fn carries_secret(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    if rest.contains('?') || rest.contains('#') {
        return true;
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.contains('@') {
        return true;
    }
    path.split('/')
        .any(|segment| segment.chars().count() >= 16 && segment.chars().any(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::metadata::{calendar_metadata, CalendarDetails};

    fn stored(class: PrivacyClass) -> Value {
        calendar_metadata(&CalendarDetails {
            title: Some("Board meeting".into()),
            description: Some("Join https://zoom.us/j/123456789?pwd=s3cr3t or mail ann@example.com.\nAgenda: https://example.com/agenda".into()),
            attendees: json!([
                {"email": "ann@example.com", "name": "Ann", "partstat": "ACCEPTED", "role": "CHAIR"},
                {"email": "bob@example.com", "name": "bob@example.com", "partstat": "NEEDS-ACTION", "role": null},
                {"email": "cy@example.com", "name": null, "partstat": null, "role": null},
                "mailto:dan@example.com"
            ]),
            organizer: Some(json!({"email": "ann@example.com", "name": "Ann", "partstat": "ACCEPTED", "role": null})),
            location: Some("Room 1 / https://meet.example/abc-defg-hij".into()),
            conference_links: vec!["https://zoom.us/j/123456789?pwd=s3cr3t".into(), "https://meet.example/abc-defg-hij".into()],
            recurrence: None,
            privacy_class: class,
        })
    }

    #[test]
    fn private_and_confidential_events_show_only_busy() {
        let busy = |class: &str| {
            json!({
                "version": 1, "title": "Busy", "description": null, "location": null,
                "organizer": null, "attendees": [], "conference_links": [],
                "recurrence": null, "privacy_class": class
            })
        };
        let cases = [
            (
                "private event",
                stored(PrivacyClass::Private),
                PrivacyClass::Private,
                busy("PRIVATE"),
            ),
            (
                "confidential event",
                stored(PrivacyClass::Confidential),
                PrivacyClass::Confidential,
                busy("CONFIDENTIAL"),
            ),
            (
                "caller says private, row says public",
                stored(PrivacyClass::Public),
                PrivacyClass::Private,
                busy("PRIVATE"),
            ),
            (
                "caller says public, row says private",
                stored(PrivacyClass::Private),
                PrivacyClass::Public,
                busy("PRIVATE"),
            ),
            (
                "not an object, caller says private",
                json!("garbage"),
                PrivacyClass::Private,
                busy("PRIVATE"),
            ),
        ];
        for (name, meta, class, expected) in cases {
            assert_eq!(public_view(&meta, class), expected, "{name}");
        }
    }

    #[test]
    fn public_events_keep_the_title_but_no_emails_or_secret_links() {
        assert_eq!(
            public_view(&stored(PrivacyClass::Public), PrivacyClass::Public),
            json!({
                "version": 1,
                "title": "Board meeting",
                "description": "Join [link removed] or mail [email removed].\nAgenda: https://example.com/agenda",
                "location": "Room 1 / https://meet.example/abc-defg-hij",
                "organizer": {"name": "Ann", "partstat": "ACCEPTED"},
                "attendees": [
                    {"name": "Ann", "partstat": "ACCEPTED", "role": "CHAIR"},
                    {"partstat": "NEEDS-ACTION"}
                ],
                "conference_links": ["https://meet.example/abc-defg-hij"],
                "recurrence": null,
                "privacy_class": "PUBLIC"
            })
        );
    }

    #[test]
    fn links_with_secrets_are_recognised() {
        let cases = [
            ("https://example.com/agenda", false),
            ("https://meet.google.com/abc-defg-hij", false),
            ("https://example.com", false),
            ("https://zoom.us/j/123456789?pwd=abc", true),
            ("https://example.com/doc#access=1", true),
            ("https://user:pass@example.com/", true),
            (
                "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ODk5YzA0/0",
                true,
            ),
            ("https://example.com/s/a1b2c3d4e5f6g7h8i9", true),
            ("https://example.com/quarterly-planning-notes", false),
        ];
        for (url, expected) in cases {
            assert_eq!(carries_secret(url), expected, "{url}");
        }
    }

    #[test]
    fn redaction_keeps_the_surrounding_text() {
        let cases = [
            ("no links here", "no links here"),
            ("(see https://x.io/a?t=1).", "(see [link removed])."),
            (
                "<a href=\"https://x.io/?t=1\">call</a>",
                "<a href=\"[link removed]\">call</a>",
            ),
            ("mailto:ann@example.com, thanks", "[email removed], thanks"),
            ("ping @ann at 10", "ping @ann at 10"),
            ("café ann@exämple.de!", "café [email removed]!"),
            ("HTTPS://X.IO/?T=1", "[link removed]"),
        ];
        for (input, expected) in cases {
            assert_eq!(redact_text(input), expected, "{input}");
        }
    }
}
