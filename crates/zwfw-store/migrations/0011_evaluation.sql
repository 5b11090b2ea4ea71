-- Performance evaluation (绩效考核): the indexes its period queries read by
-- (findings are few beside cases and are read whole: an index more on them
-- would slow every evaluation that writes them),
-- and the rankings the supervision office publishes. A publication is never
-- changed: publishing a period again adds a new row, the portal shows the
-- latest, and every row stays as it was shown.

CREATE INDEX cases_concluded ON cases (concluded_at);
CREATE INDEX cases_promised ON cases (promised_due);
CREATE INDEX ratings_at ON ratings (at);
CREATE INDEX interactions_received ON interactions (kind, received_at);
CREATE INDEX sessions_created ON sessions (created_at);

CREATE TABLE evaluation_publications (
    id {{ID}},
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    body TEXT NOT NULL,
    config TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by BIGINT NOT NULL REFERENCES users (id),
    publisher_name TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX evaluation_publications_period ON evaluation_publications (period, id);
CREATE INDEX evaluation_publications_at ON evaluation_publications (published_at);
