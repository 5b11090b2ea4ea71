-- Each index of the outbox holds only the messages its readers look for: an
-- account's list and unread count read in-app messages, the senders read
-- messages of an outside channel (SMS, e-mail). Migrations 0009, 0012 and
-- 0023 indexed every message in all three, so that a case step's SMS cost
-- four B-tree inserts; it now costs two (the table and the senders' index),
-- an in-app message three.

DROP INDEX notifications_user;
CREATE INDEX notifications_user ON notifications (user_id, id) WHERE channel = 'inapp';
DROP INDEX notifications_unread;
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL AND channel = 'inapp';
DROP INDEX notifications_due;
CREATE INDEX notifications_due ON notifications (channel, next_try_at)
    WHERE sent_at IS NULL AND failed_at IS NULL AND channel <> 'inapp';
