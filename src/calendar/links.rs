//! Finding meeting links in event text.

/// Characters that end a URL embedded in prose or HTML.
fn ends_url(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>' | '"' | '\'' | '`' | '|' | '\\' | '{' | '}' | '^'
        )
}

/// Every `http://` / `https://` URL in `text`, with trailing punctuation
/// (`.`, `,`, `)`, ...) that belongs to the sentence rather than the link removed.
pub(crate) fn find_urls(text: &str) -> Vec<&str> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|rest| rest.find("http")) {
        let start = from + found;
        let rest = lower.get(start..).unwrap_or_default();
        let scheme_len = if rest.starts_with("https://") {
            8
        } else if rest.starts_with("http://") {
            7
        } else {
            from = start + 4;
            continue;
        };
        let tail = text.get(start..).unwrap_or_default();
        let len = tail.find(ends_url).unwrap_or(tail.len());
        let mut url = tail.get(..len).unwrap_or_default();
        url = url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '*']);
        if url.len() > scheme_len {
            out.push(url);
        }
        from = start + len.max(scheme_len);
    }
    out
}

/// Meeting links from (source, text) pairs: conference properties are taken
/// whole when they are URIs, other texts contribute the URLs they contain.
/// Order is kept, duplicates dropped.
pub(crate) fn collect_links(sources: &[(&str, String)]) -> Vec<String> {
    let mut links: Vec<String> = Vec::new();
    let mut add = |link: &str| {
        if !link.is_empty() && !links.iter().any(|l| l == link) {
            links.push(link.to_owned());
        }
    };
    // Dedicated conference properties first: they are the most reliable.
    for (_, value) in sources.iter().filter(|(kind, _)| *kind == "CONFERENCE") {
        let value = value.trim();
        let has_scheme = value.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+')
        });
        if has_scheme && !value.contains(char::is_whitespace) {
            add(value);
        } else {
            find_urls(value).into_iter().for_each(&mut add);
        }
    }
    for (_, value) in sources.iter().filter(|(kind, _)| *kind != "CONFERENCE") {
        find_urls(value).into_iter().for_each(&mut add);
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_prose_and_html_lose_their_punctuation() {
        let text = "Join (https://meet.google.com/abc-defg-hij). Or <a href=\"http://x.org/a?b=1#c\">here</a>, HTTPS://Y.ORG/z.";
        assert_eq!(
            find_urls(text),
            [
                "https://meet.google.com/abc-defg-hij",
                "http://x.org/a?b=1#c",
                "HTTPS://Y.ORG/z"
            ]
        );
    }

    #[test]
    fn conference_properties_come_first_and_links_are_unique() {
        let sources = vec![
            (
                "DESCRIPTION",
                "see https://teams.microsoft.com/l/meetup-join/1".to_owned(),
            ),
            (
                "CONFERENCE",
                "https://teams.microsoft.com/l/meetup-join/1".to_owned(),
            ),
            ("CONFERENCE", "tel:+1-555-0100".to_owned()),
        ];
        assert_eq!(
            collect_links(&sources),
            [
                "https://teams.microsoft.com/l/meetup-join/1",
                "tel:+1-555-0100"
            ]
        );
    }
}
