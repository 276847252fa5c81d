-- The nomenclature of medical devices (一般的名称) as an administrator imported it from PMDA's
-- list: the JMDN code, the name, the class and whether a certification standard exists.
CREATE TABLE device_names (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    class TEXT NOT NULL,
    certification_standard BIGINT NOT NULL DEFAULT 0,
    definition TEXT,
    imported_at TEXT NOT NULL
);
CREATE INDEX device_names_name ON device_names (name);
