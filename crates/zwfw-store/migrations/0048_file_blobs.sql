-- On PostgreSQL the stored files' contents live in the database, so that
-- every app server of one database reads every file: each named by its SM3
-- (content-addressed, written once, never changed), written before the row
-- that refers to it commits. A server's data directory only caches them.
-- On SQLite the files stay in the data directory, as the single server
-- keeps them. Backups carry the files as files, not as the rows of this
-- table.
/*postgres*/ CREATE TABLE file_blobs (
    sm3 TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);
