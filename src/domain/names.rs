//! Validated value types ("parse, don't validate"): parsed once at the edge, kept to the row.

use serde::{Deserialize, Serialize};

/// Room names that would clash with the site's own paths or confuse people.
const RESERVED_ROOM_NAMES: &[&str] = &[
    "admin", "api", "app", "assets", "healthz", "login", "logout", "me", "new", "pkg", "readyz",
    "room", "rooms", "settings", "signin", "signout", "signup", "static", "v1", "www",
];

/// What every validated text value has: it reads back as text, shows as text, and is
/// stored as a TEXT column. Rows decode without validating again (`#[sqlx(transparent)]`):
/// a value stored under an older, looser rule must stay readable. Deserializing validates.
macro_rules! text_value {
    ($t:ident) => {
        impl $t {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Read-only access as `&str` (no `DerefMut`, so the value stays valid).
        impl std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                Self::parse(&text)
            }
        }

        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.0
            }
        }
    };
}

text_value!(RoomName);
text_value!(Email);
text_value!(DisplayName);

/// A room's name: the slug in `/room/<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(try_from = "String", into = "String")]
#[sqlx(transparent)]
pub struct RoomName(String);

impl RoomName {
    /// Accepts 3–64 lowercase letters, digits and single inner dashes, not a reserved word.
    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.trim();
        let len = name.chars().count();
        if !(3..=64).contains(&len) {
            return Err("use 3 to 64 characters".into());
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err("use only lowercase letters, digits and dashes (e.g. team-standup)".into());
        }
        if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
            return Err("dashes go between letters or digits, one at a time".into());
        }
        if RESERVED_ROOM_NAMES.contains(&name) {
            return Err(format!("\"{name}\" is reserved; pick another name"));
        }
        Ok(Self(name.to_string()))
    }
}

/// An email address, lower-cased so that uniqueness ignores case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(try_from = "String", into = "String")]
#[sqlx(transparent)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld`-shaped addresses up to 254 characters.
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err("enter your email address".into());
        }
        if email.len() > 254 || email.chars().any(char::is_whitespace) {
            return Err("enter a valid email address, like ada@example.com".into());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("enter a valid email address, like ada@example.com".into());
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err("enter a valid email address, like ada@example.com".into());
        }
        Ok(Self(email))
    }
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(try_from = "String", into = "String")]
#[sqlx(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Accepts 1–100 characters after trimming, no control characters.
    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.trim();
        if name.is_empty() {
            return Err("enter your name".into());
        }
        if name.chars().count() > 100 {
            return Err("use at most 100 characters".into());
        }
        if name.chars().any(char::is_control) {
            return Err("remove control characters".into());
        }
        Ok(Self(name.to_string()))
    }
}

/// Checks a new password: 8–256 characters.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < 8 {
        return Err("use at least 8 characters".into());
    }
    if len > 256 {
        return Err("use at most 256 characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_slug_is_a_valid_room_name() {
        assert_eq!(
            RoomName::parse("team-standup").map(|n| n.0),
            Ok("team-standup".into())
        );
    }

    #[test]
    fn room_names_outside_3_to_64_characters_are_rejected() {
        assert!(RoomName::parse("ab").is_err());
        assert!(RoomName::parse(&"a".repeat(65)).is_err());
        assert!(RoomName::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn room_names_with_uppercase_spaces_or_odd_dashes_are_rejected() {
        for bad in [
            "Standup",
            "stand up",
            "-standup",
            "standup-",
            "stand--up",
            "stand_up",
            "café",
        ] {
            assert!(RoomName::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn reserved_words_are_not_room_names() {
        assert!(RoomName::parse("admin").is_err());
        assert!(RoomName::parse("healthz").is_err());
    }

    #[test]
    fn emails_are_lower_cased_and_must_have_a_domain() {
        assert_eq!(
            Email::parse(" Ada@Example.COM ").map(|e| e.0),
            Ok("ada@example.com".into())
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn short_passwords_are_rejected() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
    }

    #[test]
    fn blank_display_names_are_rejected() {
        assert!(DisplayName::parse("   ").is_err());
        assert_eq!(DisplayName::parse(" Ada ").map(|n| n.0), Ok("Ada".into()));
    }
}
