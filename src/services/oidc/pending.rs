//! What the browser carries between requests of a provider sign-in: the sign-in this
//! browser started, and an identity waiting for its local account's password. Both are
//! sealed with the server's key, so they can be neither read nor forged, and any instance
//! sharing the key can finish them.

use crate::secret::SecretBox;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A sign-in under way.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingLogin {
    /// The `state` sent to the provider; the callback must bring it back.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier of the challenge sent.
    pub pkce_verifier: String,
    /// Where to go afterwards (a local path).
    pub return_to: String,
    /// When the sign-in must have finished.
    pub expires_at: DateTime<Utc>,
}

/// A provider identity whose verified email is a local account's: it is linked once the
/// person enters that account's password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingLink {
    /// The provider's issuer.
    pub issuer: String,
    /// The person's `sub` there.
    pub subject: String,
    /// The verified email, the local account's.
    pub email: String,
    /// Where to go afterwards (a local path).
    pub return_to: String,
    /// When the offer lapses.
    pub expires_at: DateTime<Utc>,
}

/// Something sealed into a cookie until it expires.
pub trait Sealed: Serialize + serde::de::DeserializeOwned {
    /// When it stops being good.
    fn expires_at(&self) -> DateTime<Utc>;

    /// Sealed for the cookie.
    fn seal(&self, secrets: &SecretBox) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        secrets.seal(&json).expose().to_string()
    }

    /// What `cookie` holds, if it is one of ours and has not expired at `now`.
    fn open(cookie: &str, secrets: &SecretBox, now: DateTime<Utc>) -> Option<Self> {
        let json = secrets.open(cookie).ok()?;
        let value: Self = serde_json::from_str(&json).ok()?;
        (value.expires_at() > now).then_some(value)
    }
}

impl Sealed for PendingLogin {
    fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
}

impl Sealed for PendingLink {
    fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretKey;

    #[test]
    fn a_sealed_sign_in_opens_only_with_the_key_and_only_before_it_expires() {
        let secrets = SecretBox::new(&SecretKey::generate()).expect("box");
        let now = Utc::now();
        let pending = PendingLogin {
            state: "s".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/rooms".into(),
            expires_at: now + chrono::Duration::minutes(10),
        };
        let sealed = pending.seal(&secrets);
        assert!(!sealed.contains("/rooms"), "not readable");
        assert_eq!(
            PendingLogin::open(&sealed, &secrets, now),
            Some(pending.clone())
        );
        let other = SecretBox::new(&SecretKey::generate()).expect("box");
        assert_eq!(PendingLogin::open(&sealed, &other, now), None);
        assert_eq!(
            PendingLogin::open(&sealed, &secrets, now + chrono::Duration::minutes(11)),
            None
        );
        assert_eq!(PendingLogin::open("garbage", &secrets, now), None);
    }
}
