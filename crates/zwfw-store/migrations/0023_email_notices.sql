-- E-mail joins the outbox's channels. An account may give an e-mail address
-- (optional, checked by the program); a message of the e-mail channel names
-- its recipient's address as an SMS names its mobile. The notices of a case
-- are written in the same statement as the case's step; an applicant's
-- in-app notices are read unread-first and counted for the menu's badge.

ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE notifications ADD COLUMN email TEXT;
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
