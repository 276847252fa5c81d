-- Written in the SQL both engines share: TEXT, BIGINT (booleans as 0/1), BYTEA for byte keys
-- (SQLite stores blobs unchanged whatever the declared type), timestamps as RFC 3339 UTC text.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_kana TEXT,
    name_en TEXT,
    corporate_number TEXT UNIQUE,
    postal_code TEXT,
    address TEXT,
    municipality TEXT,
    in_region BIGINT NOT NULL DEFAULT 0,
    industry TEXT,
    employees BIGINT,
    website TEXT,
    field_status TEXT NOT NULL,
    notes TEXT,
    search_text TEXT NOT NULL,
    sort_key BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX organisations_sort ON organisations (sort_key, id);

-- Capability tags, certifications and licences of an organisation.
CREATE TABLE organisation_tags (
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    value TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, category, value)
);
CREATE INDEX organisation_tags_value ON organisation_tags (category, value);

CREATE TABLE organisation_memberships (
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    joined_on TEXT,
    position BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, body)
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_kana TEXT,
    organisation_id TEXT REFERENCES organisations (id),
    department TEXT,
    title TEXT,
    email TEXT,
    phone TEXT,
    consent_purpose TEXT,
    notes TEXT,
    search_text TEXT NOT NULL,
    sort_key BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_sort ON people (sort_key, id);
CREATE INDEX people_organisation ON people (organisation_id);

CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE programme_members (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    roles TEXT NOT NULL,
    duties TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (programme_id, organisation_id)
);
CREATE INDEX programme_members_organisation ON programme_members (organisation_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    password_hash TEXT NOT NULL,
    admin BIGINT NOT NULL DEFAULT 0,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

-- Only hashes of session and API tokens are stored: a copy of the database opens no account.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id TEXT NOT NULL,
    actor_organisation_id TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    label TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
