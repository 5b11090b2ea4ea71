-- SQLite: the events of a case are stored in the order of (case, seq) in one
-- b-tree instead of a row table plus a unique index, so that appending an
-- event writes one page fewer. PostgreSQL keeps its table and index.
/*sqlite*/ CREATE TABLE case_events_by_case (
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
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;

/*sqlite*/ INSERT INTO case_events_by_case (case_id, seq, kind, body, at, actor_id, actor_name, role, department_id, step_name, idem_key)
    SELECT case_id, seq, kind, body, at, actor_id, actor_name, role, department_id, step_name, idem_key FROM case_events;

/*sqlite*/ DROP TABLE case_events;

/*sqlite*/ ALTER TABLE case_events_by_case RENAME TO case_events;

/*sqlite*/ CREATE UNIQUE INDEX case_events_idem ON case_events (case_id, idem_key) WHERE idem_key IS NOT NULL;
