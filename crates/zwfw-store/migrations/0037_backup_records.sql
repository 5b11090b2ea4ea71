-- Continuity: every backup the platform made or was told of (scheduled,
-- made from the administrator's page, or by `zwfw backup create`), with its
-- outcome, and every restore drill. A backup's file that the retention
-- removed keeps its row (`pruned_at`); nothing here is deleted.
CREATE TABLE backup_records (
    id {{ID}},
    -- scheduled | manual | command
    kind TEXT NOT NULL,
    dir TEXT NOT NULL,
    file_name TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    millis BIGINT NOT NULL DEFAULT 0,
    -- ok | failed
    outcome TEXT NOT NULL,
    error_code TEXT,
    error TEXT,
    size BIGINT NOT NULL DEFAULT 0,
    sm3 TEXT NOT NULL DEFAULT '',
    encrypted BIGINT NOT NULL DEFAULT 0,
    -- what the snapshot held: when it was taken, rows, stored files, the audit chain's head
    created_at BIGINT,
    rows_total BIGINT NOT NULL DEFAULT 0,
    files BIGINT NOT NULL DEFAULT 0,
    audit_seq BIGINT NOT NULL DEFAULT 0,
    actor_name TEXT NOT NULL DEFAULT '',
    pruned_at BIGINT
);
CREATE INDEX backup_records_outcome ON backup_records (outcome, started_at);

-- Restore drills: the newest backup restored into a scratch database and
-- checked (counts, the audit chain and its head, the schema current), with
-- the measured time to restore and the age of the data restored.
CREATE TABLE backup_drills (
    id {{ID}},
    backup_id BIGINT,
    file_name TEXT NOT NULL,
    -- scheduled | manual | command
    kind TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    millis BIGINT NOT NULL DEFAULT 0,
    -- passed | failed
    outcome TEXT NOT NULL,
    error_code TEXT,
    error TEXT,
    -- the backup's snapshot time, and how old its data were when restored
    backup_created_at BIGINT,
    data_age_ms BIGINT,
    tables_checked BIGINT NOT NULL DEFAULT 0,
    rows_checked BIGINT NOT NULL DEFAULT 0,
    audit_checked BIGINT NOT NULL DEFAULT 0,
    actor_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_drills_started ON backup_drills (started_at);
