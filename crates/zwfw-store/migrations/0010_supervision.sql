-- Electronic supervision (电子监察): the coded rules, the findings they make
-- (GB/T 39046 表11), oversight orders (督办), and the job table through which
-- several app servers share background work.

CREATE TABLE supervision_rules (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    severity TEXT NOT NULL,
    params TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT
);

-- One row per fact: the same (rule, object, key) found again is the same
-- finding, so evaluation may run any number of times.
CREATE TABLE findings (
    id {{ID}},
    finding_no TEXT UNIQUE,
    rule_code TEXT NOT NULL,
    severity TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    fact_key TEXT NOT NULL,
    object_no TEXT NOT NULL,
    item_type TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    county_region_id BIGINT,
    responsible_user_id BIGINT REFERENCES users (id),
    responsible_name TEXT NOT NULL,
    description TEXT NOT NULL,
    detail TEXT NOT NULL,
    found_at BIGINT NOT NULL,
    found_on TEXT NOT NULL,
    state TEXT NOT NULL,
    reply_due TEXT,
    reply TEXT,
    reply_files TEXT NOT NULL,
    replied_at BIGINT,
    replied_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    decided_by BIGINT REFERENCES users (id),
    decision_note TEXT,
    closed_at BIGINT,
    updated_at BIGINT NOT NULL,
    UNIQUE (object_kind, object_id, rule_code, fact_key)
);
CREATE INDEX findings_department ON findings (department_id, state, severity);
CREATE INDEX findings_state ON findings (state, severity, found_on);
CREATE INDEX findings_rule ON findings (rule_code, found_on);

-- Running counts of findings, kept with every change of them, so that the
-- dashboard reads a few rows instead of counting: scope `active` (key: the
-- department, '' for none) counts findings not closed; scope `day` (key:
-- YYYY-MM-DD) counts findings found that day; scope `yellow_month` (key:
-- YYYY-MM:department) counts yellow cards found in a month (rule R03).
CREATE TABLE finding_tallies (
    scope TEXT NOT NULL,
    tkey TEXT NOT NULL,
    severity TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (scope, tkey, severity)
);

-- Oversight orders (督办通知) to a department head.
CREATE TABLE oversight_orders (
    id {{ID}},
    order_no TEXT NOT NULL UNIQUE,
    finding_id BIGINT REFERENCES findings (id),
    case_id BIGINT REFERENCES cases (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    content TEXT NOT NULL,
    days BIGINT NOT NULL,
    due TEXT NOT NULL,
    state TEXT NOT NULL,
    level BIGINT NOT NULL,
    issued_by BIGINT NOT NULL REFERENCES users (id),
    issued_by_name TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    reply TEXT,
    reply_files TEXT NOT NULL,
    replied_at BIGINT,
    replied_by BIGINT REFERENCES users (id),
    decision_note TEXT,
    closed_at BIGINT,
    idem_key TEXT UNIQUE,
    updated_at BIGINT NOT NULL
);
CREATE INDEX oversight_orders_department ON oversight_orders (department_id, state);
CREATE INDEX oversight_orders_open ON oversight_orders (state, due);

-- What happened to a finding or an order, append-only.
CREATE TABLE supervision_events (
    id {{ID}},
    object_kind TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    text TEXT NOT NULL,
    files TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX supervision_events_object ON supervision_events (object_kind, object_id, id);

-- Background jobs: one row per job. A server runs a job only while it holds
-- the lease (locked_until in the future); `state` is the job's own progress
-- (for supervision: the last audit record read and the last day evaluated).
CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    locked_by TEXT,
    locked_until BIGINT NOT NULL,
    state TEXT NOT NULL,
    runs BIGINT NOT NULL,
    last_started BIGINT,
    last_finished BIGINT,
    last_result TEXT NOT NULL,
    last_error TEXT
);

-- The time-based rules read the open, accepted cases whose deadline fell in
-- the days since the last run: an index range, not a scan.
CREATE INDEX cases_promised_open ON cases (promised_due) WHERE concluded_at IS NULL AND promised_due IS NOT NULL;
CREATE INDEX cases_legal_open ON cases (legal_due) WHERE concluded_at IS NULL AND legal_due IS NOT NULL;
