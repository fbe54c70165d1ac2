//! Users and their sessions: the queries of [`AccountStore`].

use super::*;

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

    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(created_at)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn user_by_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        Ok(sqlx::query_as::<_, User>(
            "SELECT u.id, u.email, u.display_name, u.created_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
