-- Stored files, content-addressed by SM3. The bytes live in the file store
-- (a directory under the data directory); this table records what was stored.

CREATE TABLE files (
    sm3 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
