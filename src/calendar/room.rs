//! Which events belong to a room: those that mention the room's URL.

use super::links::find_urls;
use super::Occurrence;

/// Matches occurrences against `<base-url>/room/<name>` for every base URL.
///
/// Scheme (http/https) and host case are ignored, as are a trailing slash,
/// a query, a fragment, surrounding `<…>` and punctuation; the room name must
/// end at a segment boundary so `max` matches neither `max-team` nor `maxwell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMatcher {
    /// Lower-cased `host[:port][/base-path]/room/` prefixes, without scheme.
    prefixes: Vec<String>,
    /// Lower-cased room name.
    room: String,
}

/// Strips the scheme and lower-cases the rest of a URL-ish string.
fn without_scheme(url: &str) -> String {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    rest.to_owned()
}

impl RoomMatcher {
    /// `base_urls`: the public URL and its aliases; `room_name`: e.g. `standup`.
    pub fn new(base_urls: &[String], room_name: &str) -> RoomMatcher {
        let prefixes = base_urls
            .iter()
            .map(|base| without_scheme(base))
            .map(|base| base.trim_end_matches('/').to_owned())
            .filter(|base| !base.is_empty())
            .map(|base| format!("{base}/room/"))
            .collect();
        RoomMatcher {
            prefixes,
            room: room_name.trim().trim_matches('/').to_ascii_lowercase(),
        }
    }

    /// A matcher for a full room URL such as `https://rooms.example.com/room/standup`
    /// (what `roomcal ics expand --room-url` receives); `None` when the URL has
    /// no `/room/<name>` segment.
    pub fn from_room_url(url: &str) -> Option<RoomMatcher> {
        let trimmed = url.trim().trim_end_matches('/');
        let cut = trimmed.rfind("/room/")?;
        let base = trimmed.get(..cut)?;
        let name = trimmed.get(cut + "/room/".len()..)?;
        let name = name.split(['/', '?', '#']).next().unwrap_or_default();
        if base.is_empty() || name.is_empty() {
            return None;
        }
        Some(RoomMatcher::new(&[base.to_owned()], name))
    }

    /// Whether one URL points at this room.
    fn url_matches(&self, url: &str) -> bool {
        let url = without_scheme(url);
        self.prefixes.iter().any(|prefix| {
            let Some(rest) = url.strip_prefix(prefix.as_str()) else {
                return false;
            };
            let segment_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            rest.get(..segment_end) == Some(self.room.as_str())
        })
    }

    /// Whether a text (LOCATION, DESCRIPTION, ...) mentions this room's URL,
    /// with or without a scheme.
    fn text_matches(&self, text: &str) -> bool {
        if find_urls(text).into_iter().any(|url| self.url_matches(url)) {
            return true;
        }
        // A bare `rooms.example.com/room/x` without scheme.
        let lower = text.to_ascii_lowercase();
        self.prefixes.iter().any(|prefix| {
            lower.match_indices(prefix.as_str()).any(|(at, _)| {
                let boundary_before =
                    lower
                        .get(..at)
                        .and_then(|b| b.chars().last())
                        .is_none_or(|c| {
                            !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '@'))
                        });
                let rest = lower.get(at + prefix.len()..).unwrap_or_default();
                let end = rest
                    .find(|c: char| {
                        !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%'))
                    })
                    .unwrap_or(rest.len());
                let segment = rest.get(..end).unwrap_or_default().trim_end_matches('.');
                boundary_before && segment == self.room
            })
        })
    }

    /// Whether the occurrence's LOCATION, DESCRIPTION, URL or a conference
    /// link contains the room's URL.
    pub fn matches(&self, occ: &Occurrence) -> bool {
        if self.room.is_empty() {
            return false;
        }
        [&occ.location, &occ.description, &occ.url]
            .into_iter()
            .flatten()
            .any(|text| self.text_matches(text))
            || occ
                .conference_links
                .iter()
                .any(|link| self.text_matches(link))
    }
}
