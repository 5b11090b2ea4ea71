-- The service-item catalogue. An item is identified by its 实施编码; its
-- content lives in versions. A published version never changes: a change is a
-- new version that goes through legal review and service-centre approval.

CREATE TABLE items (
    id {{ID}},
    impl_code TEXT NOT NULL UNIQUE,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    status TEXT NOT NULL,
    published_version_id BIGINT,
    open_version_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    retired_at BIGINT,
    retire_reason TEXT
);
CREATE INDEX items_department ON items (department_id);

CREATE TABLE item_versions (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES items (id),
    version_no BIGINT NOT NULL,
    state TEXT NOT NULL,
    name TEXT NOT NULL,
    basic_code TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    service_objects TEXT NOT NULL,
    themes TEXT NOT NULL,
    content TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT,
    UNIQUE (item_id, version_no)
);
CREATE INDEX item_versions_state ON item_versions (state);

CREATE TABLE item_events (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES items (id),
    version_id BIGINT NOT NULL REFERENCES item_versions (id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX item_events_item ON item_events (item_id);
