-- The plan after its last milestone: milestones added and targets revised, each with its
-- reason, the fiscal year it applies from and the council decision behind it. Rows are only
-- ever added: the programme file's targets stay the original, the last revision is in force.
CREATE TABLE target_revisions (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    indicator TEXT NOT NULL,
    milestone_fiscal_year BIGINT NOT NULL,
    firms BIGINT,
    jobs BIGINT,
    reason TEXT NOT NULL,
    effective_fiscal_year BIGINT NOT NULL,
    decision_ref TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX target_revisions_programme ON target_revisions (programme_id, recorded_at, id);
