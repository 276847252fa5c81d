-- Attraction/expansion deals and entry cases, their stage history, activities and consultations.
CREATE TABLE deals (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    kind TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    -- A confidential code name (Project 磐梯) used instead of the firm's name in conversation.
    code_name TEXT,
    lead_source TEXT,
    owner_user_id TEXT,
    stage TEXT NOT NULL,
    stage_on TEXT NOT NULL,
    -- The day the counting stage was reached, while the deal is at or past it.
    counted_on TEXT,
    planned_jobs BIGINT,
    actual_jobs BIGINT,
    planned_investment BIGINT,
    actual_investment BIGINT,
    candidate_site TEXT,
    incentives TEXT,
    lost_reason TEXT,
    next_action TEXT,
    next_action_due TEXT,
    outcome_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX deals_programme ON deals (programme_id, stage);

CREATE TABLE deal_shares (
    deal_id TEXT NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (deal_id, organisation_id)
);
CREATE INDEX deal_shares_organisation ON deal_shares (organisation_id);

CREATE TABLE entry_cases (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT,
    owner_user_id TEXT,
    stage TEXT NOT NULL,
    stage_on TEXT NOT NULL,
    counted_on TEXT,
    jobs BIGINT,
    next_action TEXT,
    next_action_due TEXT,
    outcome_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX entry_cases_programme ON entry_cases (programme_id, stage);

CREATE TABLE entry_case_supporters (
    case_id TEXT NOT NULL REFERENCES entry_cases (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (case_id, organisation_id)
);
CREATE INDEX entry_case_supporters_organisation ON entry_case_supporters (organisation_id);

-- subject: deal or entry_case
CREATE TABLE stage_moves (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    moved_on TEXT NOT NULL,
    note TEXT,
    user_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX stage_moves_subject ON stage_moves (subject, subject_id, at);

CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    participants TEXT,
    body TEXT NOT NULL,
    user_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX activities_subject ON activities (subject, subject_id, happened_on);

CREATE TABLE consultations (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES entry_cases (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    advisor TEXT,
    happened_on TEXT NOT NULL,
    body TEXT NOT NULL,
    result TEXT,
    user_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX consultations_case ON consultations (case_id, happened_on);
