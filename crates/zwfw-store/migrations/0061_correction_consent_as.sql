-- 误操作更正: in whose stead the consent or refusal was given. '' when a
-- head of the case's department gave it; 'centre_head' (a head of the
-- service centre) or 'system_admin' when the requester was the
-- department's only head and one of them stood in. The request's page and
-- its notices name who decided.
ALTER TABLE correction_requests ADD COLUMN consent_as TEXT NOT NULL DEFAULT '';
