//! Where a person goes after signing in: a path on this site only.

/// `return_to` when it is a path of this site (`/room/standup?x=1`); `None` for anything
/// that could lead elsewhere: an absolute URL, `//host`, `/\host` (browsers read a
/// backslash as a slash), control characters, or no leading slash.
pub fn local_return_to(return_to: &str) -> Option<&str> {
    let ok = return_to.starts_with('/')
        && !return_to.starts_with("//")
        && !return_to.starts_with("/\\")
        && !return_to.chars().any(|c| c.is_control() || c == '\\')
        && return_to.len() <= 2048;
    ok.then_some(return_to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_places_to_return_to() {
        for good in ["/", "/rooms", "/room/standup", "/room/a?b=c#d"] {
            assert_eq!(local_return_to(good), Some(good), "{good}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/room\\..\\x",
            "evil.example",
            "",
            "/room/\nSet-Cookie:x",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_return_to(bad), None, "{bad:?}");
        }
    }
}
