-- One-time codes sent by SMS to follow one's cases by 身份证号 (or 统一社会信用代码)
-- and mobile (办件查询). Only a salted hash of the code is kept; a code
-- expires, allows a few tries and is used once. Like sessions, these are
-- credentials, not business data.
CREATE TABLE track_codes (
    id {{ID}},
    id_no TEXT NOT NULL,
    mobile TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    tries BIGINT NOT NULL DEFAULT 0,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX track_codes_who ON track_codes (id_no, mobile, id);
