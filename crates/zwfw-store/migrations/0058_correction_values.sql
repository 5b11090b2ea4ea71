-- 误操作更正 of wrong applicant data (申请人信息有误): the corrected values
-- the request carries, as a JSON object (kind, name, id_no, mobile,
-- address, email), checked as at application; '' for the kinds of
-- correction that carry none. Stored whole and masked where shown.
ALTER TABLE correction_requests ADD COLUMN corrected_values TEXT NOT NULL DEFAULT '';
