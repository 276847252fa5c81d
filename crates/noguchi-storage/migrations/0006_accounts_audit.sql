-- Accounts that can be ended, tokens that expire, a second factor, and an audit log whose
-- records are chained by hash.

ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;

ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
UPDATE api_tokens SET id = substr(token_hash, 1, 16) WHERE id IS NULL;
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- A password accepted, the second factor still to come.
CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

ALTER TABLE programmes ADD COLUMN secretariat_second_factor BIGINT NOT NULL DEFAULT 0;

-- Each record carries its position in the chain and the hash of itself with the one before.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);

-- The programme an audit record is about (none for the directory and accounts), so that a
-- programme's secretariat reads its own programme's log only.
ALTER TABLE audit_log ADD COLUMN programme_id TEXT;
CREATE INDEX audit_log_programme ON audit_log (programme_id, seq);
