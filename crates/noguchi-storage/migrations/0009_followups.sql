-- The follow-up survey of an event, sent once to each registration that checked in. Its link's
-- secret is kept only as its hash; the answer is one row per registration.
ALTER TABLE registrations ADD COLUMN followup_token_hash TEXT;
ALTER TABLE registrations ADD COLUMN followup_sent_at TEXT;
CREATE UNIQUE INDEX registrations_followup_token ON registrations (followup_token_hash);

CREATE TABLE followup_answers (
    registration_id TEXT PRIMARY KEY REFERENCES registrations (id),
    event_id TEXT NOT NULL REFERENCES events (id),
    programme_id TEXT NOT NULL,
    satisfaction BIGINT NOT NULL,
    comment TEXT,
    consultation TEXT,
    -- The entry case the consultation wish was filed on (opened for it, or the firm's open one).
    entry_case_id TEXT,
    answered_at TEXT NOT NULL
);
CREATE INDEX followup_answers_event ON followup_answers (event_id);
