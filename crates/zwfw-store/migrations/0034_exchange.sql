-- Exchange with the provincial platform through the 前置库: the outbox of
-- rows for the national tables, written in the same transaction as the
-- change it reports. A row is compact (the table, the case, the event it
-- reports, a reference such as the rating of a new version, its version);
-- the exporter maps it to the national columns when it delivers. A row is
-- claimed for one batch (`batch`, the 32-character cd_batch, kept when the
-- batch is tried again) until `lease_until`; it ends delivered or rejected
-- (with the reason), never deleted.
CREATE TABLE exchange_outbox (
    id {{ID}},
    tbl TEXT NOT NULL,
    case_id BIGINT NOT NULL,
    event_seq BIGINT NOT NULL,
    ref_id BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    batch TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    delivered_at BIGINT,
    rejected_at BIGINT,
    reason TEXT,
    last_error TEXT
);
-- The rows still to deliver, in order; a batch's rows; a case's rows.
CREATE INDEX exchange_outbox_waiting ON exchange_outbox (id) WHERE delivered_at IS NULL AND rejected_at IS NULL;
CREATE INDEX exchange_outbox_batch ON exchange_outbox (batch);
CREATE INDEX exchange_outbox_case ON exchange_outbox (case_id, tbl);
CREATE INDEX exchange_outbox_delivered ON exchange_outbox (delivered_at);

-- The exporter's shared state (one row): when the next try may be made
-- after a failure (every app server backs off together), the last error,
-- the last delivery.
CREATE TABLE exchange_status (
    id BIGINT PRIMARY KEY,
    failures BIGINT NOT NULL DEFAULT 0,
    next_try_at BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    last_error_at BIGINT,
    last_delivery_at BIGINT
);
INSERT INTO exchange_status (id) VALUES (1);
