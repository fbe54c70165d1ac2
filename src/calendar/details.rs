//! People and meeting links of an event, parsed from its raw text on demand.
//!
//! Attendee lists are the bulk of a large feed but are only needed for the
//! few occurrences a window read returns, so [`EventComponent`] keeps the raw
//! text and these details are derived from it when an occurrence is built.

use serde::Serialize;

use super::contentline::{parse_content_line, unescape_text, PropRef};
use super::links::collect_links;
use super::{EventComponent, Person};

/// Organizer, attendees and meeting links of an event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EventDetails {
    /// ORGANIZER.
    pub organizer: Option<Person>,
    /// ATTENDEEs (a malformed comma list becomes several attendees).
    pub attendees: Vec<Person>,
    /// Meeting links: RFC 7986 CONFERENCE, X-GOOGLE-CONFERENCE,
    /// X-MICROSOFT-SKYPETEAMSMEETINGURL, then URLs found in URL, LOCATION,
    /// DESCRIPTION and X-ALT-DESC; deduplicated, in that order.
    pub conference_links: Vec<String>,
}

fn strip_mailto(value: &str) -> String {
    let value = value.trim();
    match value.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => {
            value.get(7..).unwrap_or_default().trim().to_owned()
        }
        _ => value.to_owned(),
    }
}

/// ORGANIZER / ATTENDEE → people. A comma list of addresses (a common
/// producer bug) becomes one person per address.
pub(crate) fn people(prop: &PropRef<'_>) -> Vec<Person> {
    let parts: Vec<&str> = if prop.value.contains(',') && prop.value.matches('@').count() > 1 {
        prop.value
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .collect()
    } else {
        vec![prop.value]
    };
    let single = parts.len() == 1;
    parts
        .into_iter()
        .enumerate()
        .map(|(index, part)| Person {
            email: strip_mailto(part),
            // The CN belongs to the first address of a broken list at best.
            name: if single || index == 0 {
                prop.param("CN").map(str::to_owned)
            } else {
                None
            },
            partstat: prop.param("PARTSTAT").map_or_else(
                || "NEEDS-ACTION".to_owned(),
                |s| s.trim().to_ascii_uppercase(),
            ),
            role: prop.param("ROLE").map(|s| s.trim().to_ascii_uppercase()),
        })
        .collect()
}

impl EventComponent {
    /// Organizer, attendees and meeting links, parsed from [`EventComponent::raw`].
    pub fn details(&self) -> EventDetails {
        let mut details = EventDetails::default();
        let mut sources: Vec<(&str, String)> = Vec::new();
        let mut depth = 0usize;
        for (index, line) in self.raw.split("\r\n").enumerate() {
            let Ok(prop) = parse_content_line(line, self.line + index) else {
                continue;
            };
            if prop.name.eq_ignore_ascii_case("BEGIN") {
                depth += 1;
                continue;
            }
            if prop.name.eq_ignore_ascii_case("END") {
                depth = depth.saturating_sub(1);
                continue;
            }
            if depth != 1 {
                continue; // properties of a VALARM inside the event
            }
            collect(&prop, &mut details, &mut sources);
        }
        details.conference_links = collect_links(&sources);
        details
    }
}

fn collect<'a>(
    prop: &PropRef<'a>,
    details: &mut EventDetails,
    sources: &mut Vec<(&'a str, String)>,
) {
    let name = prop.name.to_ascii_uppercase();
    match name.as_str() {
        "ORGANIZER" if details.organizer.is_none() => {
            details.organizer = people(prop).into_iter().next();
        }
        "ATTENDEE" => details.attendees.extend(people(prop)),
        "CONFERENCE"
        | "X-GOOGLE-CONFERENCE"
        | "X-MICROSOFT-SKYPETEAMSMEETINGURL"
        | "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK" => {
            sources.push(("CONFERENCE", unescape_text(prop.value)));
        }
        "URL" => sources.push(("URL", prop.value.trim().to_owned())),
        "LOCATION" | "DESCRIPTION" | "X-ALT-DESC" => {
            sources.push(("TEXT", unescape_text(prop.value)))
        }
        _ => {}
    }
}
