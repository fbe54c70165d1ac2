-- Sign-in with an OpenID provider: who each provider's subject is here. An account may
-- have several (a provider change keeps the person); deleting the account deletes them.
-- Keep in step with migrations/sqlite/0008_identities.sql.
CREATE TABLE user_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);
