-- Needs surveys, curation scores, NDA details and match proposals. Status histories of needs
-- and proposals go to stage_moves (subject 'need' / 'proposal'), like the pipelines'.
CREATE TABLE survey_campaigns (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    description TEXT,
    -- Whose clinical floor is surveyed: answers become this organisation's needs.
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    opens_on TEXT NOT NULL,
    closes_on TEXT,
    default_disclosure TEXT NOT NULL,
    -- The per-campaign link for clinicians without an account. It is meant to be shared (on a
    -- poster, in a ward e-mail), so it is kept readable; it grants nothing but answering this
    -- campaign, and the secretariat can disable or replace it.
    link_token TEXT NOT NULL UNIQUE,
    link_enabled BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX survey_campaigns_programme ON survey_campaigns (programme_id);

ALTER TABLE needs ADD COLUMN campaign_id TEXT REFERENCES survey_campaigns (id);
-- 1 when the submitter confirmed the need names no patient.
ALTER TABLE needs ADD COLUMN attested BIGINT NOT NULL DEFAULT 0;
-- How to reach a survey respondent for questions; shown to reviewers only.
ALTER TABLE needs ADD COLUMN contact TEXT;
CREATE INDEX needs_campaign ON needs (campaign_id);

CREATE TABLE need_scores (
    need_id TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    criterion TEXT NOT NULL,
    score BIGINT NOT NULL,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (need_id, user_id, criterion)
);

CREATE TABLE need_score_comments (
    need_id TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    comment TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (need_id, user_id)
);

ALTER TABLE need_ndas ADD COLUMN document_ref TEXT;
CREATE INDEX need_ndas_organisation ON need_ndas (organisation_id);

CREATE TABLE match_proposals (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    need_id TEXT NOT NULL REFERENCES needs (id),
    candidate_kind TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    -- The organisation behind the candidate: the firm itself, or the seed's holder.
    candidate_org_id TEXT NOT NULL REFERENCES organisations (id),
    proposer_org_id TEXT NOT NULL REFERENCES organisations (id),
    proposed_by TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- The ranking's explanation when proposed: {"score": n, "reasons": ["…"]}.
    explanation TEXT NOT NULL,
    status TEXT NOT NULL,
    status_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX match_proposals_need ON match_proposals (need_id);
CREATE INDEX match_proposals_candidate ON match_proposals (candidate_org_id);
CREATE INDEX match_proposals_proposer ON match_proposals (proposer_org_id);
