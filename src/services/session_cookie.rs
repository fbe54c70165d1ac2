//! The session cookie, the one place its rule is written: a site served over https (its
//! public URL starts with `https://`) sets a `Secure` cookie named with the `__Host-`
//! prefix and reads back only that name; over plain http (development, tests) the cookie
//! is `roomcal_session`, without `Secure`. Either way it is `HttpOnly`, `SameSite=Lax`
//! and `Path=/`. The `/v1` API and the pages' server functions both set, clear and read
//! it through [`SessionCookie`]. The sign-in under way at the organization's provider
//! ([`crate::services::oidc::PendingLogin`]) and an identity waiting to be linked travel in
//! [`SideCookie`]s made by the same rule.

use crate::Core;
use http::header::COOKIE;
use http::HeaderMap;

/// Name of the session cookie over plain http (development, tests).
pub const SESSION_COOKIE: &str = "roomcal_session";

/// Name of the session cookie over https. The `__Host-` prefix makes browsers accept it
/// only when `Secure`, with `Path=/` and no `Domain`, so a sibling subdomain cannot plant
/// a session of its choosing.
pub const SECURE_SESSION_COOKIE: &str = "__Host-roomcal_session";

/// The short-lived cookies of a sign-in with the organization's provider, each sealed
/// with the server's key and made by the session cookie's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideCookie {
    /// The sign-in under way at the provider (`roomcal_oidc`).
    PendingLogin,
    /// A provider identity waiting for the local account's password (`roomcal_link`).
    PendingLink,
}

impl SideCookie {
    /// Its name: with the `__Host-` prefix over https.
    fn name(self, secure: bool) -> &'static str {
        match (self, secure) {
            (SideCookie::PendingLogin, false) => "roomcal_oidc",
            (SideCookie::PendingLogin, true) => "__Host-roomcal_oidc",
            (SideCookie::PendingLink, false) => "roomcal_link",
            (SideCookie::PendingLink, true) => "__Host-roomcal_link",
        }
    }
}

/// The session cookie of one site: whether it is `Secure` follows from the public URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCookie {
    /// Whether the site is served over https (`Secure`, `__Host-` name).
    secure: bool,
}

impl SessionCookie {
    /// The cookie of the site people reach at `public_url`.
    pub fn for_site(public_url: &str) -> Self {
        Self {
            secure: public_url.starts_with("https://"),
        }
    }

    /// The cookie of the site `core` serves ([`crate::CoreSettings::public_url`]).
    pub fn of(core: &Core) -> Self {
        Self::for_site(&core.settings.public_url)
    }

    /// Whether the cookie is marked `Secure` (the site is served over https).
    pub fn is_secure(self) -> bool {
        self.secure
    }

    /// The cookie's name: `__Host-` prefixed over https.
    pub fn name(self) -> &'static str {
        if self.secure {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    /// The `Set-Cookie` value that stores `token` for `max_age`.
    pub fn set(self, token: &str, max_age: chrono::Duration) -> String {
        self.with_attributes(token, max_age.num_seconds())
    }

    /// The `Set-Cookie` value that removes the cookie.
    pub fn clear(self) -> String {
        self.with_attributes("", 0)
    }

    /// The session token in one `Cookie` request header. Over https only the `__Host-`
    /// cookie counts: a plain one could have been set by another subdomain.
    pub fn token_in(self, cookie_header: &str) -> Option<&str> {
        cookie_in(cookie_header, self.name())
    }

    /// The session token among a request's `Cookie` headers, if any.
    pub fn token_from(self, headers: &HeaderMap) -> Option<&str> {
        cookie_from(headers, self.name())
    }

    /// `Set-Cookie` for `cookie`'s sealed `value`, kept `max_age`.
    pub fn set_side(self, cookie: SideCookie, value: &str, max_age: chrono::Duration) -> String {
        attributes(
            self.secure,
            cookie.name(self.secure),
            value,
            max_age.num_seconds(),
        )
    }

    /// `Set-Cookie` that removes `cookie` (each is used once).
    pub fn clear_side(self, cookie: SideCookie) -> String {
        attributes(self.secure, cookie.name(self.secure), "", 0)
    }

    /// `cookie`'s value among a request's `Cookie` headers.
    pub fn side_from(self, cookie: SideCookie, headers: &HeaderMap) -> Option<&str> {
        cookie_from(headers, cookie.name(self.secure))
    }

    /// The name of the cookie holding a guest's knock token for one meeting
    /// (`roomcal_knock_<meeting id>`, `__Host-` prefixed over https).
    fn knock_name(self, meeting_id: uuid::Uuid) -> String {
        let prefix = if self.secure { "__Host-" } else { "" };
        format!("{prefix}roomcal_knock_{}", meeting_id.simple())
    }

    /// `Set-Cookie` for a guest's knock token on `meeting_id`, kept `max_age`.
    pub fn set_knock(
        self,
        meeting_id: uuid::Uuid,
        token: &str,
        max_age: chrono::Duration,
    ) -> String {
        attributes(
            self.secure,
            &self.knock_name(meeting_id),
            token,
            max_age.num_seconds(),
        )
    }

    /// The guest's knock token for `meeting_id` among a request's `Cookie` headers.
    pub fn knock_from(self, meeting_id: uuid::Uuid, headers: &HeaderMap) -> Option<&str> {
        cookie_from(headers, &self.knock_name(meeting_id))
    }

    fn with_attributes(self, value: &str, max_age_seconds: i64) -> String {
        attributes(self.secure, self.name(), value, max_age_seconds)
    }
}

/// The one cookie rule: `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` over https.
fn attributes(secure: bool, name: &str, value: &str, max_age_seconds: i64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}

/// The value of cookie `name` in one `Cookie` request header.
fn cookie_in<'h>(cookie_header: &'h str, name: &str) -> Option<&'h str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// The value of cookie `name` among a request's `Cookie` headers.
fn cookie_from<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|header| cookie_in(header, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const PLAIN: SessionCookie = SessionCookie { secure: false };
    const SECURE: SessionCookie = SessionCookie { secure: true };

    #[test]
    fn the_site_is_secure_when_its_public_url_is_https() {
        assert!(SessionCookie::for_site("https://rooms.example").is_secure());
        assert!(!SessionCookie::for_site("http://127.0.0.1:3000").is_secure());
    }

    #[test]
    fn the_session_token_is_found_among_other_cookies() {
        let header = "theme=dark; roomcal_session=abc123; other=1";
        assert_eq!(PLAIN.token_in(header), Some("abc123"));
        assert_eq!(PLAIN.token_in("theme=dark"), None);
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark"));
        headers.append(COOKIE, HeaderValue::from_static("roomcal_session=xyz"));
        assert_eq!(PLAIN.token_from(&headers), Some("xyz"));
    }

    #[test]
    fn over_https_the_cookie_is_host_prefixed_and_a_plain_one_is_ignored() {
        let cookie = SECURE.set("t", chrono::Duration::days(1));
        assert!(cookie.starts_with("__Host-roomcal_session=t; Path=/;"));
        assert!(cookie.contains("; Secure") && !cookie.contains("Domain"));
        let header = "roomcal_session=planted; __Host-roomcal_session=mine";
        assert_eq!(SECURE.token_in(header), Some("mine"));
        assert_eq!(SECURE.token_in("roomcal_session=planted"), None);
        assert!(SECURE.clear().starts_with("__Host-roomcal_session=;"));
        assert!(SECURE.clear().contains("Max-Age=0; Secure"));
    }

    #[test]
    fn a_knock_token_is_read_back_only_for_its_own_meeting() {
        let (one, two) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        let set = PLAIN.set_knock(one, "tok", chrono::Duration::hours(1));
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"));
        let pair = set.split(';').next().unwrap_or_default().to_string();
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_str(&pair).expect("header"));
        assert_eq!(PLAIN.knock_from(one, &headers), Some("tok"));
        assert_eq!(PLAIN.knock_from(two, &headers), None);
        assert!(SECURE
            .set_knock(one, "t", chrono::Duration::hours(1))
            .starts_with("__Host-roomcal_knock_"));
    }

    #[test]
    fn session_cookies_are_http_only_and_same_site_lax() {
        let cookie = PLAIN.set("t", chrono::Duration::days(1));
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
        assert!(cookie.contains("Max-Age=86400"));
        assert!(!cookie.contains("Secure"));
        assert_eq!(
            PLAIN.clear(),
            "roomcal_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        );
        assert!(SECURE
            .set("t", chrono::Duration::days(1))
            .contains("; Secure"));
    }
}
