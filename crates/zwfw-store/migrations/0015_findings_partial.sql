-- Warnings (W01, W02) are most of the findings an evaluation writes, and
-- they only ever are `noted` or `closed`: the indexes that serve the queues
-- of findings asking for a reply (by state) and the rule lookups (R02 reads
-- the yellow cards by day) leave them out, so that writing a day's warnings
-- does not pay for two indexes nobody reads them by. Queries that use these
-- indexes say `severity <> 'warning'` (see supervision::list_findings).

DROP INDEX findings_state;
DROP INDEX findings_rule;
CREATE INDEX findings_state ON findings (state, severity, found_on) WHERE severity <> 'warning';
CREATE INDEX findings_rule ON findings (rule_code, found_on) WHERE severity <> 'warning';
