-- The KPI ledger: verified outcomes are what the programme reports to its council.
CREATE TABLE outcomes (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    occurred_on TEXT,
    jobs BIGINT NOT NULL,
    evidence TEXT,
    evidence_ref TEXT,
    note TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    -- manual, import, deal, entry_case: where the outcome came from
    source TEXT NOT NULL,
    source_id TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX outcomes_programme ON outcomes (programme_id, fiscal_year, id);
CREATE INDEX outcomes_organisation ON outcomes (organisation_id);
CREATE INDEX outcomes_source ON outcomes (source, source_id);
