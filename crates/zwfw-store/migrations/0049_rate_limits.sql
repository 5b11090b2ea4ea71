-- The failures limited per client address or per number (wrong query
-- passwords and tracking codes, registrations the registry refuses), each
-- key counted in a window that starts at its first failure, kept here so
-- that every app server counts the same failures. A window that ended is
-- started again by the next failure and removed when another key fails:
-- this is a counter, not a record.
CREATE TABLE rate_failures (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL
);

CREATE INDEX rate_failures_window ON rate_failures (window_start);

-- Tracking codes asked for an identity number and mobile that no case gave
-- (nothing was sent): when asked and the wrong tries since, so that every
-- app server answers them as it would a code that was sent. The key is the
-- SM3 of the number and mobile, never the number itself.
CREATE TABLE track_phantoms (
    key TEXT PRIMARY KEY,
    asked_at BIGINT NOT NULL,
    tries BIGINT NOT NULL
);
