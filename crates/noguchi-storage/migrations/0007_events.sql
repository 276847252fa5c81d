-- Events (seminars, exhibitions, matching meetings, site tours, needs pitches), their
-- registrations with check-in, and the outbox of mail that a worker delivers over SMTP.

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    venue TEXT,
    online_url TEXT,
    capacity BIGINT,
    public BIGINT NOT NULL DEFAULT 0,
    registration_opens_at TEXT,
    registration_closes_at TEXT,
    strategy TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX events_programme ON events (programme_id, starts_at);

-- A registration's e-mail is kept as given and as its key (width and case folded): one live
-- registration per person and event, cancelled ones aside.
CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events (id),
    programme_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_kana TEXT,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    organisation_name TEXT NOT NULL,
    corporate_number TEXT,
    organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    organisation_match TEXT NOT NULL,
    user_id TEXT,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    manage_token_hash TEXT UNIQUE,
    checked_in_at TEXT,
    checked_in_by TEXT,
    cancelled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX registrations_event ON registrations (event_id, status, created_at);
CREATE UNIQUE INDEX registrations_live_email ON registrations (event_id, email_key) WHERE status <> 'cancelled';
CREATE INDEX registrations_organisation ON registrations (organisation_id);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    programme_id TEXT,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
