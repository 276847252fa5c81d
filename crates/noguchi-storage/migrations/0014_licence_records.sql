-- The number and expiry of an organisation's licences (許可番号・登録番号, 有効期限).
CREATE TABLE organisation_licences (
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    licence TEXT NOT NULL,
    number TEXT,
    expires_on TEXT,
    PRIMARY KEY (organisation_id, licence)
);
