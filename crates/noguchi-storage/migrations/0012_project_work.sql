-- The work of a project: gate reviews with their criteria and decision, grants with their
-- amounts and the reports an award brings, and files attached to records.

CREATE TABLE project_reviews (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    gate TEXT NOT NULL,
    -- [{"name", "met", "note"}] as judged.
    criteria TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    note TEXT,
    decided_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX project_reviews_project ON project_reviews (project_id, decided_on);

CREATE TABLE project_grants (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    scheme TEXT NOT NULL,
    status TEXT NOT NULL,
    number TEXT,
    applied_on TEXT,
    period_start TEXT,
    period_end TEXT,
    subsidy_rate BIGINT,
    -- [{"fiscal_year", "direct", "indirect"}] in yen.
    amounts TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX project_grants_project ON project_grants (project_id);

-- The reports an award brings are computed from the scheme and the period; a row records one
-- that was submitted, or that its reminder went out (once).
CREATE TABLE grant_reports (
    grant_id TEXT NOT NULL REFERENCES project_grants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    seq BIGINT NOT NULL,
    done_on TEXT,
    reminded_at TEXT,
    PRIMARY KEY (grant_id, kind, seq)
);

-- Files attached to a record (a project, a gate review). The bytes live in the database, so
-- every node of a deployment serves the same files and a backup holds them.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    file_kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_record ON attachments (record_kind, record_id);
