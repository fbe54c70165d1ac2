//! Room access, as validated values and the knock record: who may enter a room's calls
//! ([`RoomAccess`], [`EmailDomains`]) and a guest's request to be let in ([`Knock`]).
//! The rule that applies them is `crate::services::access`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who may enter a room's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomAccess {
    /// Anyone with the link (the default, and the behaviour before access modes existed).
    #[default]
    Open,
    /// Signed-in accounts only, optionally of the room's email domains.
    Members,
    /// Guests ask to join a meeting; the room's owners admit or decline each one.
    Knock,
}

impl RoomAccess {
    /// Every mode, in the order the settings page offers them.
    pub const ALL: [Self; 3] = [Self::Open, Self::Members, Self::Knock];

    /// The stored (and wire) text: `open`, `members`, `knock`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Members => "members",
            Self::Knock => "knock",
        }
    }

    /// Reads the text back; the message says what to send instead.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "open" => Ok(Self::Open),
            "members" => Ok(Self::Members),
            "knock" => Ok(Self::Knock),
            _ => Err("choose open, members or knock".into()),
        }
    }
}

/// The most domains one room may list.
pub const MAX_EMAIL_DOMAINS: usize = 20;

/// The email domains a members-only room admits: lower-cased, without `@`, stored as
/// one comma-separated text (`example.org,example.com`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(try_from = "String", into = "String")]
#[sqlx(transparent)]
pub struct EmailDomains(String);

impl EmailDomains {
    /// Parses a list separated by commas, spaces or new lines (`@example.org` reads as
    /// `example.org`). `Ok(None)` for an empty list: any domain.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let mut domains: Vec<String> = Vec::new();
        for part in input.split([',', ' ', '\n', '\r', '\t', ';']) {
            let domain = part.trim().trim_start_matches('@').to_lowercase();
            if domain.is_empty() {
                continue;
            }
            let label_ok = |l: &str| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            };
            if domain.len() > 253 || !domain.contains('.') || !domain.split('.').all(label_ok) {
                return Err(format!(
                    "\"{domain}\" is not a domain; list domains like example.org, separated by commas"
                ));
            }
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        if domains.len() > MAX_EMAIL_DOMAINS {
            return Err(format!("list at most {MAX_EMAIL_DOMAINS} domains"));
        }
        Ok((!domains.is_empty()).then(|| Self(domains.join(","))))
    }

    /// The domains, one by one.
    pub fn domains(&self) -> impl Iterator<Item = &str> {
        self.0.split(',').filter(|d| !d.is_empty())
    }

    /// Whether `email` is at one of the domains (exactly: `a@sub.example.org` is not
    /// at `example.org`).
    pub fn admits(&self, email: &str) -> bool {
        let domain = email
            .rsplit_once('@')
            .map(|(_, d)| d.to_lowercase())
            .unwrap_or_default();
        self.domains().any(|d| d == domain)
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailDomains {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)?.ok_or_else(|| "list at least one domain".into())
    }
}

impl From<EmailDomains> for String {
    fn from(value: EmailDomains) -> String {
        value.0
    }
}

/// Where a guest's knock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnockState {
    /// Waiting for an owner.
    Pending,
    /// Let in: the guest may enter this meeting.
    Admitted,
    /// Turned away.
    Declined,
}

impl KnockState {
    /// The stored (and wire) text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Admitted => "admitted",
            Self::Declined => "declined",
        }
    }

    /// Reads the stored text back.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "pending" => Ok(Self::Pending),
            "admitted" => Ok(Self::Admitted),
            "declined" => Ok(Self::Declined),
            other => Err(format!("unknown knock state \"{other}\"")),
        }
    }
}

/// A guest's request to enter one meeting of a knock room (a row of `knocks`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Knock {
    /// Stable identifier.
    pub id: Uuid,
    /// The room.
    pub room_id: Uuid,
    /// The meeting the guest asks to enter.
    pub meeting_id: Uuid,
    /// The name the guest typed (shown to the room's owners only).
    pub name: String,
    /// SHA-256 (hex) of the token the guest holds; the token itself is never stored.
    pub token_hash: String,
    /// The client address key it was made from (the per-address cap counts these).
    pub client_key: String,
    /// Where it stands.
    pub state: KnockState,
    /// When the guest knocked.
    pub created_at: DateTime<Utc>,
    /// When an owner decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided.
    pub decided_by: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes_read_back_as_themselves_and_others_are_refused() {
        for mode in RoomAccess::ALL {
            assert_eq!(RoomAccess::parse(mode.as_str()), Ok(mode));
        }
        assert!(RoomAccess::parse("closed").is_err());
        assert_eq!(RoomAccess::default(), RoomAccess::Open);
    }

    #[test]
    fn domains_are_lower_cased_deduplicated_and_an_empty_list_means_any() {
        let d = EmailDomains::parse(" Example.org, @example.com\nexample.org ")
            .ok()
            .flatten()
            .map(|d| d.as_str().to_string());
        assert_eq!(d.as_deref(), Some("example.org,example.com"));
        assert_eq!(EmailDomains::parse(" , "), Ok(None));
    }

    #[test]
    fn a_domain_without_a_dot_or_with_odd_characters_is_refused() {
        for bad in [
            "localhost",
            "exa mple.org@",
            "-x.org",
            "ex_ample.org",
            "a..org",
        ] {
            assert!(EmailDomains::parse(bad).is_err(), "{bad}");
        }
        let many = (0..=MAX_EMAIL_DOMAINS)
            .map(|i| format!("d{i}.org"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(EmailDomains::parse(&many).is_err());
    }

    #[test]
    fn an_email_is_admitted_only_at_exactly_a_listed_domain() {
        let d = EmailDomains::parse("example.org").ok().flatten();
        let admits = |e: &str| d.as_ref().is_some_and(|d| d.admits(e));
        assert!(admits("ada@example.org"));
        assert!(admits("Ada@EXAMPLE.org"));
        assert!(!admits("ada@sub.example.org"));
        assert!(!admits("ada@example.org.evil.com"));
        assert!(!admits("ada@evilexample.org"));
    }

    #[test]
    fn knock_states_read_back_as_themselves() {
        for s in [
            KnockState::Pending,
            KnockState::Admitted,
            KnockState::Declined,
        ] {
            assert_eq!(KnockState::parse(s.as_str()), Ok(s));
        }
        assert!(KnockState::parse("maybe").is_err());
    }
}
