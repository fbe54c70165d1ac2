//! Calendar feed URLs: validation of what owners paste, and the masked form that is the
//! only one ever shown (the URLs of Google, Outlook and iCloud embed secret tokens).

use url::Url;

/// Checks and normalises a feed URL: `webcal://`/`webcals://` become `https://`; plain
/// `http://` only when the operator allows it. Returns a message for the owner on failure.
pub fn normalize_feed_url(input: &str, allow_http: bool) -> Result<Url, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("paste the calendar's ICS address (it usually ends in .ics)".into());
    }
    let mut url = Url::parse(trimmed).map_err(|_| {
        "this is not a web address; paste the full ICS link, starting with https://".to_string()
    })?;
    match url.scheme() {
        "https" => {}
        "webcal" | "webcals" => {
            // set_scheme refuses special↔non-special changes, so rebuild from text.
            let rest = &trimmed[trimmed.find("://").map_or(0, |i| i + 3)..];
            url = Url::parse(&format!("https://{rest}"))
                .map_err(|_| "this webcal address cannot be read as https".to_string())?;
        }
        "http" if allow_http => {}
        "http" => return Err(
            "use the https:// address of the calendar (plain http is turned off on this server)"
                .into(),
        ),
        other => {
            return Err(format!(
                "\"{other}:\" addresses are not supported; use an https:// ICS link"
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the address has no host name".into());
    }
    Ok(url)
}

/// The URL with every secret-bearing part hidden: credentials, query and all path segments
/// but a final file name such as `basic.ics`. `https://calendar.google.com/…/basic.ics`.
pub fn mask_feed_url(url: &str) -> String {
    let Ok(parsed) = Url::parse(url) else {
        return "(invalid address)".into();
    };
    let host = parsed.host_str().unwrap_or("");
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let file = parsed
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .filter(|last| looks_like_file_name(last))
        .map(|last| format!("/…/{last}"))
        .unwrap_or_else(|| "/…".into());
    format!("{}://{host}{port}{file}", parsed.scheme())
}

/// A short, readable file name (`basic.ics`, `calendar.ics`) rather than a token.
fn looks_like_file_name(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    (lower.ends_with(".ics") || lower.ends_with(".ical") || lower.ends_with(".ifb"))
        && segment.len() <= 24
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webcal_addresses_are_stored_as_https() {
        let url = normalize_feed_url("webcal://p52-caldav.icloud.com/published/2/abc", false)
            .expect("valid");
        assert_eq!(
            url.as_str(),
            "https://p52-caldav.icloud.com/published/2/abc"
        );
        let url = normalize_feed_url("webcals://example.com/cal.ics", false).expect("valid");
        assert_eq!(url.scheme(), "https");
    }

    #[test]
    fn plain_http_needs_the_operators_permission() {
        assert!(normalize_feed_url("http://example.com/cal.ics", false).is_err());
        assert!(normalize_feed_url("http://example.com/cal.ics", true).is_ok());
    }

    #[test]
    fn other_schemes_and_garbage_are_refused_with_advice() {
        for bad in [
            "",
            "calendar",
            "ftp://example.com/a.ics",
            "file:///etc/passwd",
            "https://",
        ] {
            let err = normalize_feed_url(bad, true).expect_err(bad);
            assert!(!err.is_empty());
        }
    }

    #[test]
    fn masking_keeps_host_and_file_name_and_hides_tokens() {
        let google = "https://calendar.google.com/calendar/ical/team%40example.com/private-0123456789abcdef/basic.ics";
        assert_eq!(
            mask_feed_url(google),
            "https://calendar.google.com/…/basic.ics"
        );
        let outlook =
            "https://outlook.office365.com/owa/calendar/abc@example.com/TOKEN123/calendar.ics";
        assert_eq!(
            mask_feed_url(outlook),
            "https://outlook.office365.com/…/calendar.ics"
        );
        let icloud = "https://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4";
        assert_eq!(mask_feed_url(icloud), "https://p52-caldav.icloud.com/…");
        let nextcloud =
            "https://user:pw@cloud.example.com:8443/remote.php/dav/public-calendars/tok?export";
        let masked = mask_feed_url(nextcloud);
        assert_eq!(masked, "https://cloud.example.com:8443/…");
        assert!(!masked.contains("pw") && !masked.contains("tok"));
    }

    #[test]
    fn a_long_random_file_name_is_a_token_and_is_hidden() {
        let url = "https://example.com/feeds/0123456789abcdef0123456789.ics";
        assert_eq!(mask_feed_url(url), "https://example.com/…");
    }
}
