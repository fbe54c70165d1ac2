//! Users, their sessions and sign-in identities: the [`AccountStore`] part of the store.

use super::StoreError;
use crate::domain::{DisplayName, Email, User, UserCredentials};
use crate::secret::Secret;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A user to insert.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// New identifier.
    pub id: Uuid,
    /// Lower-cased, validated email.
    pub email: Email,
    /// Validated display name.
    pub display_name: DisplayName,
    /// Argon2 PHC string.
    pub password_hash: Secret,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

/// A session as its account's owner may see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// SHA-256 of the cookie token (never shown; the list derives names from it).
    pub token_hash: String,
    /// The `User-Agent` it signed in with.
    pub user_agent: Option<String>,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// When it was last marked used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

/// Users and their sessions.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Inserts a user; `Conflict("email")` when the email is taken.
    async fn insert_user(&self, user: &NewUser) -> Result<User, StoreError>;

    /// The id and password hash of the user with this (lower-cased) email.
    async fn user_credentials_by_email(
        &self,
        email: &str,
    ) -> Result<Option<UserCredentials>, StoreError>;

    /// The user with this id.
    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError>;

    /// The user an OpenID provider's `issuer` knows as `subject`.
    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<User>, StoreError>;

    /// Whether `user_id` signs in with an OpenID provider.
    async fn user_has_identity(&self, user_id: Uuid) -> Result<bool, StoreError>;

    /// Records that `issuer`'s `subject` is `user_id`; `Conflict` when it is someone already.
    async fn insert_identity(
        &self,
        issuer: &str,
        subject: &str,
        user_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Records a session under the hash of its token and, in the same transaction, signs
    /// out (deletes) the user's expired sessions at `created_at` and the oldest live ones
    /// beyond `keep_live` (the new one counted, and never the one signed out).
    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        keep_live: u32,
    ) -> Result<(), StoreError>;

    /// Deletes up to `limit` sessions expired at `now`; returns how many went.
    async fn prune_expired_sessions(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<u64, StoreError>;

    /// The user of an unexpired session, and when the session was last marked used.
    async fn user_by_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Option<DateTime<Utc>>)>, StoreError>;

    /// Marks a session used at `at`, and names the device it signed in with when given.
    async fn touch_session(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
        device: Option<&str>,
    ) -> Result<(), StoreError>;

    /// The unexpired sessions of `user_id`, newest first.
    async fn sessions_of(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRow>, StoreError>;

    /// Ends a session (signing out). Unknown hashes are ignored.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Ends every session of `user_id` but the one stored as `except`.
    async fn delete_sessions_of(
        &self,
        user_id: Uuid,
        except: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Replaces `user_id`'s password hash.
    async fn set_password_hash(&self, user_id: Uuid, hash: &Secret) -> Result<(), StoreError>;

    /// Deletes the user with their sessions and sign-in identities (their rooms first:
    /// a room keeps its owner).
    async fn delete_user(&self, user_id: Uuid) -> Result<(), StoreError>;
}
