//! Users and their sessions: the queries of [`AccountStore`].

use super::*;
use crate::secret::Secret;

#[async_trait]
impl AccountStore for DbStore {
    async fn insert_user(&self, user: &NewUser) -> Result<User, StoreError> {
        sqlx::query_as::<_, User>(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id, email, display_name, created_at",
        )
        .bind(user.id)
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(user.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| on_unique_violation(e, "email"))
    }

    async fn user_credentials_by_email(
        &self,
        email: &str,
    ) -> Result<Option<UserCredentials>, StoreError> {
        Ok(sqlx::query_as::<_, UserCredentials>(
            "SELECT id, password_hash FROM users WHERE lower(email) = lower($1)",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT id, email, display_name, created_at FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<User>, StoreError> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT u.id, u.email, u.display_name, u.created_at FROM users u \
             JOIN user_identities i ON i.user_id = u.id WHERE i.issuer = $1 AND i.subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn user_has_identity(&self, user_id: Uuid) -> Result<bool, StoreError> {
        let found: Option<(i32,)> =
            sqlx::query_as("SELECT 1 FROM user_identities WHERE user_id = $1 LIMIT 1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    async fn insert_identity(
        &self,
        issuer: &str,
        subject: &str,
        user_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_identities (issuer, subject, user_id, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(issuer)
        .bind(subject)
        .bind(user_id)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(|e| on_unique_violation(e, "sign-in identity"))?;
        Ok(())
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        keep_live: u32,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(created_at)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        // The new session is kept whatever the order of equal creation times; of the
        // others, the newest `keep_live - 1` live ones stay. Two sign-ins racing may leave
        // one extra for a moment: the next sign-in trims to the cap again.
        sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2 AND (expires_at <= $3 \
             OR token_hash NOT IN (SELECT token_hash FROM sessions WHERE user_id = $4 \
             AND token_hash <> $5 AND expires_at > $6 \
             ORDER BY created_at DESC, token_hash DESC LIMIT $7))",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(created_at)
        .bind(user_id)
        .bind(token_hash)
        .bind(created_at)
        .bind(i64::from(keep_live.saturating_sub(1)))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn prune_expired_sessions(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM sessions WHERE token_hash IN \
             (SELECT token_hash FROM sessions WHERE expires_at <= $1 LIMIT $2)",
        )
        .bind(now)
        .bind(limit)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn user_by_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Option<DateTime<Utc>>)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Found {
            #[sqlx(flatten)]
            user: User,
            last_used_at: Option<DateTime<Utc>>,
        }
        Ok(sqlx::query_as::<_, Found>(
            "SELECT u.id, u.email, u.display_name, u.created_at, s.last_used_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?
        .map(|found| (found.user, found.last_used_at)))
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
        device: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET last_used_at = $1, user_agent = COALESCE($2, user_agent) \
             WHERE token_hash = $3",
        )
        .bind(at)
        .bind(device)
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn sessions_of(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRow>, StoreError> {
        Ok(sqlx::query_as::<_, SessionRow>(
            "SELECT token_hash, user_agent, created_at, last_used_at, expires_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn delete_sessions_of(
        &self,
        user_id: Uuid,
        except: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> COALESCE($2, '')")
            .bind(user_id)
            .bind(except)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_password_hash(&self, user_id: Uuid, hash: &Secret) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash.expose())
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_user(&self, user_id: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
