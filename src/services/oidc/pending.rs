//! What the browser carries to the provider and back: the sign-in this browser started,
//! sealed with the server's key so it can be neither read nor forged, and any instance
//! sharing the key can finish it.

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

impl PendingLogin {
    /// Sealed for the cookie.
    pub fn seal(&self, secrets: &SecretBox) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        secrets.seal(&json).expose().to_string()
    }

    /// The sign-in sealed in `cookie`, if it is one of ours and has not expired at `now`.
    pub fn open(cookie: &str, secrets: &SecretBox, now: DateTime<Utc>) -> Option<Self> {
        let json = secrets.open(cookie).ok()?;
        let pending: PendingLogin = serde_json::from_str(&json).ok()?;
        (pending.expires_at > now).then_some(pending)
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
