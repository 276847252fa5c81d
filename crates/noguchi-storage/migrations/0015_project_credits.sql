-- The entry cases a project's launch moved to 事業化, with the stage each came from, so that
-- reopening the project moves them back (and the ledger withdraws their outcome).
CREATE TABLE project_credits (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    entry_case_id TEXT NOT NULL REFERENCES entry_cases (id),
    from_stage TEXT NOT NULL,
    PRIMARY KEY (project_id, entry_case_id)
);
