//! Accounts and sign-in sessions: sign up, sign in, sign out, and who is signed in. The
//! cookie that carries a session is [`crate::services::session_cookie`]'s.

use crate::domain::{check_new_password, DisplayName, Email, User};
use crate::secret::Secret;
use crate::services::limits::{too_many, wait_text, ClientAddr, Refused};
use crate::store::{NewUser, StoreError};
use crate::Core;
use crate::CoreError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Live sessions one account keeps at most: a sign-in that would make one more signs the
/// oldest out, so a script signing in over and over cannot grow the table.
pub const MAX_SESSIONS_PER_ACCOUNT: u32 = 50;

/// A signed-in session: the user and the token to put in the cookie.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who signed in.
    pub user: User,
    /// The secret cookie value (only its hash is stored).
    pub token: Secret,
}

/// Sign-up form input.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Chosen password.
    pub password: Secret,
}

/// Creates an account and signs it in. Failed attempts count against the client's
/// address like failed sign-ins (they probe which emails have accounts); accounts made
/// count against it too, at most `--signups-per-hour`, so a script cannot make a fresh
/// account — with fresh per-account limits — for every request. Refused outright when
/// the operator closed sign-up.
pub async fn sign_up(
    core: &Core,
    input: &SignUp,
    client: ClientAddr,
) -> Result<SignedIn, CoreError> {
    if !core.settings.local_accounts {
        return Err(CoreError::Forbidden(LOCAL_ACCOUNTS_OFF_MESSAGE.into()));
    }
    if !core.settings.signup_open {
        return Err(CoreError::Forbidden(SIGNUP_CLOSED_MESSAGE.into()));
    }
    let now = core.clock.now();
    let limits = &core.limits;
    let store = core.store.as_ref();
    let client_key = client.key();
    // Each attempt takes a place in both windows before any work; a failed sign-up
    // keeps its place among the address's failures, an account made keeps its place
    // among the address's sign-ups, and each gives the other place back.
    let signup_place = limits
        .signups
        .take(store, &client_key, now)
        .await
        .map_err(|refused| {
            refused.into_error(|wait| {
                format!(
                    "{} accounts were created from your address in the last hour, the most allowed; try again in {}",
                    limits.settings.signups_per_hour,
                    wait_text(wait)
                )
            })
        })?;
    let failure_place = match limits.login_by_client.take(store, &client_key, now).await {
        Ok(place) => place,
        Err(refusal) => {
            limits.signups.give_back(store, signup_place).await;
            return Err(refused(refusal, "from your address"));
        }
    };
    let result = create_account(core, input).await;
    let failed = matches!(
        result,
        Err(CoreError::Validation { .. } | CoreError::Taken { .. })
    );
    if !failed {
        limits.login_by_client.give_back(store, failure_place).await;
    }
    if result.is_err() {
        limits.signups.give_back(store, signup_place).await;
    }
    start_session(core, result?).await
}

/// What a password sign-in or sign-up is told with `--local-accounts off`.
pub const LOCAL_ACCOUNTS_OFF_MESSAGE: &str =
    "this roomcal signs people in with your organization's account only; use the sign-in button for it";

/// What a sign-up on a closed instance is told.
pub const SIGNUP_CLOSED_MESSAGE: &str =
    "this roomcal does not take sign-ups; ask its operator to create an account for you";

async fn create_account(core: &Core, input: &SignUp) -> Result<User, CoreError> {
    let (email, name) = parse_new_account(input)?;
    let password_hash = hash_password(core, input.password.clone()).await?;
    insert_account(
        core.store.as_ref(),
        email,
        name,
        password_hash,
        core.clock.now(),
    )
    .await
}

/// An account the operator creates (`roomcal user add`), whatever the sign-up mode: the
/// same checks as a sign-up, no session.
pub async fn add_account(
    store: &dyn crate::store::Store,
    input: &SignUp,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<User, CoreError> {
    let (email, name) = parse_new_account(input)?;
    let password = input.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || argon2_hash(&password))
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))??;
    insert_account(store, email, name, password_hash, now).await
}

/// The sign-up form's fields, each checked, every problem named at once.
fn parse_new_account(input: &SignUp) -> Result<(Email, DisplayName), CoreError> {
    let mut fields = BTreeMap::new();
    let email = Email::parse(&input.email).map_err(|m| fields.insert("email".into(), m));
    let name = DisplayName::parse(&input.name).map_err(|m| fields.insert("name".into(), m));
    if let Err(m) = check_new_password(input.password.expose()) {
        fields.insert("password".into(), m);
    }
    match (email, name, fields.is_empty()) {
        (Ok(email), Ok(name), true) => Ok((email, name)),
        _ => Err(CoreError::Validation { fields }),
    }
}

async fn insert_account(
    store: &dyn crate::store::Store,
    email: Email,
    display_name: DisplayName,
    password_hash: Secret,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<User, CoreError> {
    let new_user = NewUser {
        id: Uuid::new_v4(),
        email,
        display_name,
        password_hash,
        created_at: now,
    };
    match store.insert_user(&new_user).await {
        Ok(user) => Ok(user),
        Err(StoreError::Conflict(_)) => Err(CoreError::Taken {
            field: "email".into(),
            message: "an account with this email exists already; sign in instead".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Signs in with email and password. After `--login-failures` failures in the window,
/// for this account or from this address, further attempts are refused with a 429
/// until the window ends, whatever the password: guessing costs the guesser time.
pub async fn sign_in(
    core: &Core,
    email: &str,
    password: &str,
    client: ClientAddr,
) -> Result<SignedIn, CoreError> {
    if !core.settings.local_accounts {
        return Err(CoreError::Forbidden(LOCAL_ACCOUNTS_OFF_MESSAGE.into()));
    }
    let user = check_password(core, email, password, client).await?;
    start_session(core, user).await
}

/// The account whose email and password these are, under the failed sign-in limits
/// [`sign_in`] states (also what linking a provider identity to a local account asks).
pub(crate) async fn check_password(
    core: &Core,
    email: &str,
    password: &str,
    client: ClientAddr,
) -> Result<User, CoreError> {
    let email = email.trim().to_lowercase();
    let now = core.clock.now();
    let limits = &core.limits;
    // Keyed by a digest: the email is raw input of any length.
    let account_key = format!("account:{}", hash_token(&email));
    let client_key = client.key();
    // Each attempt takes a place in both windows before its password is checked, so a
    // burst of parallel guesses — on any instance — stops at the limit; a right password
    // gives its places back (and clears the account's failures). The address is asked
    // first: a refused address adds nothing to the account's count.
    let store = core.store.as_ref();
    let client_place = limits
        .login_by_client
        .take(store, &client_key, now)
        .await
        .map_err(|refusal| refused(refusal, "from your address"))?;
    let account_place = match limits.login_by_account.take(store, &account_key, now).await {
        Ok(place) => place,
        Err(refusal) => {
            limits.login_by_client.give_back(store, client_place).await;
            return Err(refused(refusal, "for this account"));
        }
    };
    let outcome = check_credentials(core, &email, password).await;
    if !matches!(outcome, Err(CoreError::BadCredentials)) {
        limits.login_by_client.give_back(store, client_place).await;
        if outcome.is_ok() {
            limits.login_by_account.forget(store, &account_key).await;
        } else {
            limits
                .login_by_account
                .give_back(store, account_place)
                .await;
        }
    }
    outcome
}

/// The user whose email and password these are, or `BadCredentials`.
async fn check_credentials(core: &Core, email: &str, password: &str) -> Result<User, CoreError> {
    let credentials = core.store.user_credentials_by_email(email).await?;
    // Verify against a dummy hash for unknown emails too, so timing does not reveal which
    // addresses have accounts.
    let (user_id, hash) = match credentials {
        Some(c) => (Some(c.id), c.password_hash),
        None => (None, Secret::from(dummy_hash())),
    };
    let valid = verify_password(core, Secret::from(password), hash).await?;
    let Some(user_id) = user_id.filter(|_| valid) else {
        return Err(CoreError::BadCredentials);
    };
    core.store
        .user_by_id(user_id)
        .await?
        .ok_or(CoreError::BadCredentials)
}

/// The 429 once the attempts allowed in the window are used up (wrong passwords, and
/// those being checked right now).
fn refused(refusal: Refused, whose: &str) -> CoreError {
    refusal.into_error(|wait| {
        format!(
            "too many failed attempts {whose}; try again in {}",
            wait_text(wait)
        )
    })
}

/// Ends the session with this cookie token.
pub async fn sign_out(core: &Core, token: &str) -> Result<(), CoreError> {
    core.store.delete_session(&hash_token(token)).await?;
    Ok(())
}

/// The user signed in with this cookie token, if the session is valid.
pub async fn current_user(core: &Core, token: Option<&str>) -> Result<Option<User>, CoreError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let hash = hash_token(token);
    let now = core.clock.now();
    let Some((user, last_used)) = core.store.user_by_session(&hash, now).await? else {
        return Ok(None);
    };
    // Marked used at most every few minutes: most requests only read.
    if last_used.is_none_or(|at| at + LAST_USE_PRECISION <= now) {
        core.store.touch_session(&hash, now, None).await?;
    }
    Ok(Some(user))
}

/// How finely a session's last use is kept (one write per session per this much use).
pub const LAST_USE_PRECISION: chrono::Duration = chrono::Duration::minutes(5);

/// Names the device a new session signed in with (its `User-Agent`, cut to 200
/// characters), shown in the account's list of sessions.
pub async fn note_device(core: &Core, signed_in: &SignedIn, user_agent: Option<&str>) {
    let Some(agent) = user_agent.map(|a| a.chars().take(200).collect::<String>()) else {
        return;
    };
    let hash = hash_token(signed_in.token.expose());
    if let Err(e) = core
        .store
        .touch_session(&hash, core.clock.now(), Some(&agent))
        .await
    {
        tracing::warn!(error = %e, "could not note a session's device");
    }
}

/// Like [`current_user`] but an error when nobody is signed in.
pub async fn require_user(core: &Core, token: Option<&str>) -> Result<User, CoreError> {
    current_user(core, token)
        .await?
        .ok_or(CoreError::Unauthenticated)
}

/// The password hash of an account that signs in with the organization's provider only:
/// no Argon2 string, so no password ever matches it.
pub const NO_PASSWORD: &str = "!oidc";

/// Signs `user` in: a new session and its token.
pub(crate) async fn start_session(core: &Core, user: User) -> Result<SignedIn, CoreError> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = core.clock.now();
    core.store
        .insert_session(
            &hash_token(&token),
            user.id,
            now,
            now + core.settings.session_lifetime,
            MAX_SESSIONS_PER_ACCOUNT,
        )
        .await?;
    Ok(SignedIn {
        user,
        token: Secret::from(token),
    })
}

pub(crate) fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A slot to hash a password in: Argon2 takes 19 MiB and a few tens of milliseconds of
/// CPU, so a flood of sign-ins must queue, not run all at once.
async fn hashing_slot(core: &Core) -> Result<tokio::sync::SemaphorePermit<'_>, CoreError> {
    let wait = core.limits.settings.password_hash_wait;
    match tokio::time::timeout(wait, core.limits.hashing.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(too_many(
            5,
            "the server is busy checking passwords; try again in a few seconds",
        )),
    }
}

/// Argon2 is slow on purpose; run it off the async workers, a few at a time.
pub(crate) async fn hash_password(core: &Core, password: Secret) -> Result<Secret, CoreError> {
    let _slot = hashing_slot(core).await?;
    tokio::task::spawn_blocking(move || argon2_hash(&password))
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?
}

/// The Argon2 hash of `password` with a fresh salt (blocking: tens of milliseconds).
fn argon2_hash(password: &Secret) -> Result<Secret, CoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| Secret::from(h.to_string()))
        .map_err(|e| CoreError::Internal(format!("password hashing failed: {e}")))
}

async fn verify_password(core: &Core, password: Secret, hash: Secret) -> Result<bool, CoreError> {
    let _slot = hashing_slot(core).await?;
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(hash.expose()) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|e| CoreError::Internal(e.to_string()))
}

/// A valid hash of a random password, computed once.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"roomcal-no-such-user", &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_as_hashes_not_as_given() {
        let hash = hash_token("secret-token");
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains("secret-token"));
    }
}
