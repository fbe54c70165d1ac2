//! Event data: people, links, status and the other reported properties.

use chrono::{TimeZone, Utc};
use roomcal::calendar::{parse_feed, Occurrence};

fn one(body: &str) -> Occurrence {
    let text = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240401T100000Z\r\nDTEND:20240401T110000Z\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let feed = parse_feed(text.as_bytes(), None).unwrap();
    let from = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2024, 4, 2, 0, 0, 0).unwrap();
    feed.expand(from, to, chrono_tz::UTC).remove(0)
}

#[test]
fn attendees_have_email_name_partstat_and_role() {
    let occ = one(
        "ATTENDEE;CN=Ann;ROLE=CHAIR;PARTSTAT=accepted:MAILTO:ann@x.org\r\nATTENDEE:mailto:bob@x.org\r\nATTENDEE;CN=Room:MailTo:room@x.org\r\n",
    );
    let got: Vec<_> = occ
        .attendees
        .iter()
        .map(|p| {
            (
                p.email.as_str(),
                p.name.as_deref(),
                p.partstat.as_str(),
                p.role.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("ann@x.org", Some("Ann"), "ACCEPTED", Some("CHAIR")),
            ("bob@x.org", None, "NEEDS-ACTION", None),
            ("room@x.org", Some("Room"), "NEEDS-ACTION", None),
        ]
    );
}

#[test]
fn a_malformed_comma_list_of_addresses_becomes_several_attendees() {
    let occ = one("ATTENDEE;CN=Team:mailto:a@x.org,mailto:b@x.org, c@x.org\r\n");
    let emails: Vec<_> = occ.attendees.iter().map(|p| p.email.as_str()).collect();
    assert_eq!(emails, ["a@x.org", "b@x.org", "c@x.org"]);
}

#[test]
fn the_organizer_is_read_like_an_attendee() {
    let occ = one("ORGANIZER;CN=\"Boss, The\":mailto:boss@x.org\r\n");
    let organizer = occ.organizer.unwrap();
    assert_eq!(organizer.email, "boss@x.org");
    assert_eq!(organizer.name.as_deref(), Some("Boss, The"));
}

#[test]
fn conference_links_come_from_every_known_place() {
    let occ = one(concat!(
        "CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://zoom.us/j/1\r\n",
        "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij\r\n",
        "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/2\r\n",
        "URL:https://example.com/agenda\r\n",
        "LOCATION:Room 1 (https://rooms.example.com/room/one)\r\n",
        "DESCRIPTION:Join at <https://meet.jit.si/x>\\, thanks.\r\n",
        "X-ALT-DESC;FMTTYPE=text/html:<a href=\"https://webex.com/m/3\">join</a>\r\n",
        "BEGIN:VALARM\r\nDESCRIPTION:https://not-a-link-of-the-event.example\r\nEND:VALARM\r\n",
    ));
    assert_eq!(
        occ.conference_links,
        [
            "https://zoom.us/j/1",
            "https://meet.google.com/abc-defg-hij",
            "https://teams.microsoft.com/l/meetup-join/2",
            "https://example.com/agenda",
            "https://rooms.example.com/room/one",
            "https://meet.jit.si/x",
            "https://webex.com/m/3",
        ]
    );
}

#[test]
fn status_class_sequence_url_and_last_modified_are_reported() {
    let occ = one(
        "STATUS:cancelled\r\nCLASS:PRIVATE\r\nSEQUENCE:4\r\nURL:https://x.org/e\r\nLAST-MODIFIED:20240301T120000Z\r\nLOCATION:Room\\, 1\r\nDESCRIPTION:Line\\nTwo\r\n",
    );
    assert_eq!(occ.status.as_deref(), Some("CANCELLED"));
    assert_eq!(occ.class.as_deref(), Some("PRIVATE"));
    assert_eq!(occ.sequence, Some(4));
    assert_eq!(occ.url.as_deref(), Some("https://x.org/e"));
    assert_eq!(
        occ.last_modified,
        Some(Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap())
    );
    assert_eq!(occ.location.as_deref(), Some("Room, 1"));
    assert_eq!(occ.description.as_deref(), Some("Line\nTwo"));
}
