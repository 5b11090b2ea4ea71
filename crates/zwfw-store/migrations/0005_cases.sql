-- Cases (办件). The events are the record: append-only, numbered per case.
-- The `cases` row is a projection of them (state, step, deadlines) kept for
-- inboxes and lists; it is rewritten with every event, in the same transaction.

CREATE TABLE case_serials (
    prefix TEXT PRIMARY KEY,
    next_no BIGINT NOT NULL
);

CREATE TABLE cases (
    id {{ID}},
    case_no TEXT UNIQUE,
    item_id BIGINT NOT NULL REFERENCES items (id),
    version_id BIGINT NOT NULL REFERENCES item_versions (id),
    item_name TEXT NOT NULL,
    impl_code TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    applicant_user_id BIGINT REFERENCES users (id),
    applicant_kind TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_no TEXT NOT NULL,
    applicant_mobile TEXT NOT NULL,
    applicant_address TEXT NOT NULL,
    form TEXT NOT NULL,
    channel TEXT NOT NULL,
    registered_by BIGINT,
    query_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    seq BIGINT NOT NULL,
    step_no BIGINT NOT NULL,
    step_name TEXT NOT NULL,
    handling_department_id BIGINT,
    assignee_id BIGINT,
    submitted_at BIGINT,
    accepted_at BIGINT,
    concluded_at BIGINT,
    acceptance_due TEXT,
    promised_due TEXT,
    legal_due TEXT,
    step_due TEXT,
    suspended BIGINT NOT NULL,
    supplement_notices BIGINT NOT NULL,
    deemed_accepted BIGINT NOT NULL,
    outcome TEXT,
    result_no TEXT,
    idem_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_inbox ON cases (handling_department_id, state, step_due);
CREATE INDEX cases_department ON cases (department_id, created_at);
CREATE INDEX cases_applicant ON cases (applicant_user_id, created_at);
CREATE INDEX cases_assignee ON cases (assignee_id, state);
CREATE INDEX cases_state ON cases (state, acceptance_due);

CREATE TABLE case_events (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    role TEXT,
    department_id BIGINT,
    step_name TEXT NOT NULL,
    idem_key TEXT,
    UNIQUE (case_id, seq)
);
CREATE UNIQUE INDEX case_events_idem ON case_events (case_id, idem_key);

-- Co-departments of the joint review at the current step (their inbox).
CREATE TABLE case_joint (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    department_id BIGINT NOT NULL,
    step_no BIGINT NOT NULL,
    due TEXT NOT NULL,
    answered BIGINT NOT NULL,
    open BIGINT NOT NULL,
    PRIMARY KEY (case_id, department_id)
);
CREATE INDEX case_joint_inbox ON case_joint (department_id, open, due);

-- The e-materials library (电子要件库): every material an applicant gave,
-- stored once by SM3, with its trust level A–D.
CREATE TABLE e_materials (
    id {{ID}},
    owner_user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    file_sm3 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    trust TEXT NOT NULL,
    source_case_id BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (owner_user_id, file_sm3, name)
);

CREATE TABLE case_materials (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    material_no BIGINT NOT NULL,
    name TEXT NOT NULL,
    file_sm3 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    trust TEXT NOT NULL,
    e_material_id BIGINT,
    round BIGINT NOT NULL,
    added_by BIGINT,
    added_at BIGINT NOT NULL
);
CREATE INDEX case_materials_case ON case_materials (case_id);

CREATE TABLE case_documents (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    event_seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    doc_no TEXT NOT NULL UNIQUE,
    file_sm3 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (case_id, event_seq)
);

-- Paper originals received and returned (regulation 000 第十三条).
CREATE TABLE case_originals (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    name TEXT NOT NULL,
    copies BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    received_by BIGINT NOT NULL,
    returned_at BIGINT,
    returned_by BIGINT,
    note TEXT NOT NULL
);
CREATE INDEX case_originals_case ON case_originals (case_id);

-- Files uploaded by a person before they are attached to an application.
CREATE TABLE uploads (
    id {{ID}},
    owner_user_id BIGINT NOT NULL REFERENCES users (id),
    file_sm3 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
