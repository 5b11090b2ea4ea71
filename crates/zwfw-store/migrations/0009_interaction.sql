-- Public interaction (咨询/建议/投诉/纠错), ratings (好差评) with their
-- follow-ups and appeals, the handlers each department names, and the
-- notification outbox. Nothing here is ever deleted: every change is an
-- event row besides the audit trail.

CREATE TABLE interactions (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    submitter_user_id BIGINT REFERENCES users (id),
    submitter_name TEXT NOT NULL,
    mobile TEXT NOT NULL,
    anonymous BIGINT NOT NULL,
    no_publish BIGINT NOT NULL,
    item_id BIGINT REFERENCES items (id),
    about_department_id BIGINT REFERENCES departments (id),
    region_id BIGINT REFERENCES regions (id),
    accused_unit TEXT NOT NULL,
    accused_person TEXT NOT NULL,
    staff_conduct BIGINT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    state TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    limit_days BIGINT NOT NULL,
    due TEXT NOT NULL,
    extended_days BIGINT NOT NULL,
    extension_reason TEXT NOT NULL,
    reply TEXT,
    replied_at BIGINT,
    replied_by BIGINT REFERENCES users (id),
    replier_name TEXT,
    publication TEXT,
    withhold_reason TEXT,
    attachments TEXT NOT NULL,
    query_hash TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    idem_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX interactions_department ON interactions (department_id, state, due);
CREATE INDEX interactions_public ON interactions (publication, replied_at);
CREATE INDEX interactions_client ON interactions (client_addr, created_at);
CREATE INDEX interactions_mobile ON interactions (mobile, created_at);
CREATE INDEX interactions_submitter ON interactions (submitter_user_id, created_at);
CREATE INDEX interactions_open ON interactions (state, due);

CREATE TABLE interaction_events (
    id {{ID}},
    interaction_id BIGINT NOT NULL REFERENCES interactions (id),
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_department_id BIGINT,
    to_department_id BIGINT,
    detail TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX interaction_events_of ON interaction_events (interaction_id, id);

-- 第七条: each department and county names its handlers (a person in charge
-- and staff) with a mobile number; a change ends the old row and adds a new one.
CREATE TABLE interaction_handlers (
    id {{ID}},
    department_id BIGINT NOT NULL REFERENCES departments (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    duty TEXT NOT NULL,
    mobile TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    started_by BIGINT REFERENCES users (id),
    ended_at BIGINT,
    ended_by BIGINT REFERENCES users (id),
    end_reason TEXT
);
CREATE INDEX interaction_handlers_department ON interaction_handlers (department_id, ended_at);

CREATE TABLE ratings (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES cases (id),
    stage TEXT NOT NULL,
    level BIGINT NOT NULL,
    channel TEXT NOT NULL,
    rater_user_id BIGINT REFERENCES users (id),
    rater_name TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    comment TEXT NOT NULL,
    at BIGINT NOT NULL,
    region_code TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    follow_up TEXT,
    handler_id BIGINT REFERENCES users (id),
    follow_up_due TEXT,
    callback_at BIGINT,
    callback_note TEXT,
    verification TEXT,
    rectification TEXT,
    reply TEXT,
    replied_at BIGINT,
    appeal TEXT,
    appeal_reason TEXT,
    appeal_at BIGINT,
    appeal_decision TEXT,
    appeal_decided_by BIGINT REFERENCES users (id),
    appeal_decided_at BIGINT,
    UNIQUE (case_id, stage)
);
CREATE INDEX ratings_department ON ratings (department_id, at);
CREATE INDEX ratings_follow_up ON ratings (follow_up, follow_up_due);
CREATE INDEX ratings_public ON ratings (replied_at);

-- Links printed as a QR code at the counter: scanning one opens the rating
-- page of that case without signing in.
CREATE TABLE rating_links (
    token TEXT PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    expires_at BIGINT NOT NULL
);

-- The notification outbox: in-app messages are read from here; other
-- channels (SMS to an anonymous submitter's mobile) are picked up from here
-- by their sender and marked sent.
CREATE TABLE notifications (
    id {{ID}},
    user_id BIGINT REFERENCES users (id),
    mobile TEXT,
    channel TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    sent_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_pending ON notifications (channel, sent_at);
