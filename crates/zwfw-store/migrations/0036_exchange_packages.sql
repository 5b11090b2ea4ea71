-- Offline packages (离线包) for an installation without a line to the
-- province: it writes its waiting exchange rows into a signed file, the
-- installation with the line imports it.
--
-- An outbox row a package brought carries its sender's row_guid (kept, so
-- that the province recognises a row sent again), its national columns
-- (payload, JSON: the sender mapped them), the sending installation
-- (origin) and the package (imported_in); case_id and event_seq are 0.
-- A row a package took away is delivered under the package's batch number
-- (exported_in).
ALTER TABLE exchange_outbox ADD COLUMN row_guid TEXT;
ALTER TABLE exchange_outbox ADD COLUMN payload TEXT;
ALTER TABLE exchange_outbox ADD COLUMN origin TEXT;
ALTER TABLE exchange_outbox ADD COLUMN imported_in BIGINT;
ALTER TABLE exchange_outbox ADD COLUMN exported_in BIGINT;
CREATE UNIQUE INDEX exchange_outbox_row_guid ON exchange_outbox (row_guid);
CREATE INDEX exchange_outbox_imported ON exchange_outbox (imported_in);
CREATE INDEX exchange_outbox_exported ON exchange_outbox (exported_in);

-- This installation's SM2 key for signing its packages, the private key
-- sealed under the master key (as the licence keys are); a replaced key is
-- kept, retired.
CREATE TABLE exchange_package_keys (
    id {{ID}},
    public_key TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    signer_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT,
    retired_at BIGINT
);

-- The installations whose packages are accepted: code (the region code
-- their packages name), public key, and how far their outbox was imported
-- (the next package must begin there).
CREATE TABLE exchange_installations (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signer_id TEXT NOT NULL,
    next_from BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Every package made here (out) and imported here (in): the sender, its
-- number, the range of the sender's outbox, the rows, the file's SM3 (a
-- file is imported once), the signing key's SM3.
CREATE TABLE exchange_packages (
    id {{ID}},
    direction TEXT NOT NULL,
    installation TEXT NOT NULL,
    seq BIGINT NOT NULL,
    range_from BIGINT NOT NULL,
    range_to BIGINT NOT NULL,
    rows_total BIGINT NOT NULL,
    rows_new BIGINT NOT NULL,
    sm3 TEXT NOT NULL,
    key_fp TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    at BIGINT NOT NULL,
    by_user BIGINT
);
CREATE UNIQUE INDEX exchange_packages_file ON exchange_packages (direction, sm3);
CREATE INDEX exchange_packages_sender ON exchange_packages (direction, installation, seq);
