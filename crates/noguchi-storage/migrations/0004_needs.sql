-- Clinical needs, NDAs, seeds, and the queue that feeds the search index.
CREATE TABLE needs (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    submitter_org_id TEXT NOT NULL REFERENCES organisations (id),
    submitted_by TEXT NOT NULL,
    title TEXT NOT NULL,
    problem TEXT NOT NULL,
    population TEXT,
    outcome TEXT,
    department TEXT,
    setting TEXT,
    category TEXT,
    frequency TEXT,
    workaround TEXT,
    disclosure TEXT NOT NULL,
    status TEXT NOT NULL,
    -- 1 while the patient-information guard holds the need for review
    held BIGINT NOT NULL,
    findings TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX needs_programme ON needs (programme_id, status);

CREATE TABLE need_ndas (
    need_id TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    signed_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (need_id, organisation_id)
);

CREATE TABLE seeds (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    holder_org_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    fields TEXT NOT NULL,
    trl BIGINT,
    ip_status TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX seeds_programme ON seeds (programme_id);

-- Changes waiting to reach the search index (derived data; `noguchi reindex` rebuilds it all).
CREATE TABLE search_queue (
    id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    enqueued_at TEXT NOT NULL
);
