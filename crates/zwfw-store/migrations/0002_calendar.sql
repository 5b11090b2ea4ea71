-- The working-day calendar: one row per year, the year's configuration as
-- JSON (notices, holidays, make-up working days). Shipped years are inserted
-- at start when missing; an administrator's edit replaces a row (audited).

CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    spec TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
