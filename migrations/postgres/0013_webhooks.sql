-- Outbound webhooks: each room's endpoints and the durable outbox of their deliveries.
-- A delivery row is written in the same transaction as the change it tells of; workers
-- claim due rows with a lease, so several instances never send the same attempt at once.
-- Keep in step with migrations/sqlite/0013_webhooks.sql.
CREATE TABLE webhook_endpoints (
    id                    UUID PRIMARY KEY NOT NULL,
    room_id               UUID NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    -- Sealed with the server key, like the feed URL (receivers' URLs often carry tokens).
    url                   TEXT NOT NULL,
    -- The event types sent, space-separated with a space at both ends (' meeting.ended ').
    events                TEXT NOT NULL,
    enabled               BOOLEAN NOT NULL DEFAULT TRUE,
    -- The owner's own system: participant events carry names, not only counts.
    owners_system         BOOLEAN NOT NULL DEFAULT FALSE,
    -- Sealed `whsec_…` signing secret; after a rotation the previous one signs too until
    -- `previous_secret_until`.
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_until TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL,
    -- When the endpoint started failing (cleared by a success), and why it was disabled.
    failing_since         TIMESTAMPTZ,
    disabled_reason       TEXT
);
CREATE INDEX webhook_endpoints_room ON webhook_endpoints (room_id);

CREATE TABLE webhook_deliveries (
    -- The order deliveries were written in (per meeting, they are sent in this order).
    seq             BIGSERIAL PRIMARY KEY,
    -- The `webhook-id`, the same on every attempt.
    id              TEXT NOT NULL UNIQUE,
    endpoint_id     UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    meeting_id      UUID,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    -- pending → delivered, or failed after a day of retries.
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_owner     TEXT,
    lease_until     TIMESTAMPTZ,
    last_attempt_at TIMESTAMPTZ,
    last_status     INTEGER,
    last_latency_ms INTEGER,
    -- The first 1 KB of the receiver's answer, or what went wrong.
    last_response   TEXT,
    last_error      TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq);
