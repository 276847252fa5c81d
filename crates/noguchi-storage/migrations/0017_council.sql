-- The liaison council: meetings, their agenda (public or withheld under an ordinance category),
-- decisions, and the actions decisions give to member organisations.
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    held_at TEXT NOT NULL,
    venue TEXT,
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meetings_programme ON meetings (programme_id, held_at);

CREATE TABLE agenda_items (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    presenter TEXT,
    -- NULL: public; else the ordinance category it is withheld under.
    withheld_reason TEXT
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    agenda_item_id TEXT REFERENCES agenda_items (id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX decisions_meeting ON decisions (meeting_id, position);

CREATE TABLE council_actions (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    decision_id TEXT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    owner_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    text TEXT NOT NULL,
    due TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX council_actions_programme ON council_actions (programme_id, status, due);
