-- 误操作更正 of a wrong conclusion (办结结论有误, before delivery): the case
-- waits for a new decision, which derives its own records.
--
-- A case's 双公示 record: one that stands (not 无效) at a time. The record
-- of a corrected conclusion stays, marked 无效 with the correction's reason;
-- the new decision's record follows it.
DROP INDEX credit_licensing_case;
CREATE INDEX credit_licensing_case ON credit_licensing (case_id);
CREATE UNIQUE INDEX credit_licensing_standing ON credit_licensing (case_id) WHERE invalid_on IS NULL;
