-- Projects to market (seed 5(2)④): the project, its consortium, its stage history, and the
-- clearances (届出・認証・承認) it obtained. A project is confidential: its members, the
-- secretariat and the project-management role see it.
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    summary TEXT,
    device TEXT,
    device_class TEXT,
    general_name TEXT,
    certification_standard BIGINT NOT NULL DEFAULT 0,
    lead_organisation_id TEXT REFERENCES organisations (id),
    -- The match proposal it grew from, if any.
    proposal_id TEXT,
    stage TEXT NOT NULL,
    stage_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX projects_programme ON projects (programme_id, stage);

CREATE TABLE project_members (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    PRIMARY KEY (project_id, organisation_id, role)
);
CREATE INDEX project_members_organisation ON project_members (organisation_id);

CREATE TABLE project_clearances (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    route TEXT NOT NULL,
    number TEXT NOT NULL,
    cleared_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX project_clearances_project ON project_clearances (project_id);
