-- Quality feedback from the province (数据交换 反馈): each row of the 前置库's
-- feedback tables (dn_audit_abnormal, dn_lic_data_error) recorded once
-- (`source`, `fkey`: the feedback row's own row_guid, or for a licence
-- error a digest of what it says), linked to the outbox row it concerns
-- (NULL when the row_guid is not one of ours: shown on the monitor), with
-- the type of error, the remark and the column it blames.
CREATE TABLE exchange_feedback (
    id {{ID}},
    source TEXT NOT NULL,
    fkey TEXT NOT NULL,
    front_id BIGINT NOT NULL,
    outbox_id BIGINT,
    tbl TEXT NOT NULL,
    row_guid TEXT NOT NULL,
    batch TEXT NOT NULL,
    err_type TEXT NOT NULL,
    remark TEXT NOT NULL,
    field TEXT,
    sub BIGINT NOT NULL DEFAULT 0,
    reported_at BIGINT,
    read_at BIGINT NOT NULL,
    UNIQUE (source, fkey)
);
CREATE INDEX exchange_feedback_outbox ON exchange_feedback (outbox_id);
CREATE INDEX exchange_feedback_read ON exchange_feedback (read_at);

-- How far each feedback table was read (its local id), and when.
CREATE TABLE exchange_feedback_cursor (
    source TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL DEFAULT 0,
    read_at BIGINT
);
INSERT INTO exchange_feedback_cursor (source) VALUES ('dn_audit_abnormal');
INSERT INTO exchange_feedback_cursor (source) VALUES ('dn_lic_data_error');

-- A corrected row: the version sent again in its place (`resent_as`), and
-- the corrections a version carries (JSON, `<sub>:<column>` → value).
ALTER TABLE exchange_outbox ADD COLUMN resent_as BIGINT;
ALTER TABLE exchange_outbox ADD COLUMN overrides TEXT;
