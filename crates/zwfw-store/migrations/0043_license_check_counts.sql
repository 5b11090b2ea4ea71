-- The anonymous licence checks (verification page and API, QR check) each
-- client address made per 15-minute window, kept here so that every app
-- server counts the same checks. window_start is the window's first
-- millisecond (UTC, a multiple of 15 minutes). Windows that ended are
-- deleted when a new one starts: this is a counter, not a record.
CREATE TABLE license_check_counts (
    address TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    checks BIGINT NOT NULL,
    PRIMARY KEY (address, window_start)
);

CREATE INDEX license_check_counts_window ON license_check_counts (window_start);
