-- The SMS sender of the notification outbox: each message is tried until the
-- gateway takes it, with growing pauses (next_try_at), and given up after a
-- number of tries (failed_at) until an administrator sends it again. A try
-- is claimed by one conditional update, so that of several app servers
-- exactly one sends a given message at a time.

ALTER TABLE notifications ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_try_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN last_error TEXT;
ALTER TABLE notifications ADD COLUMN failed_at BIGINT;
DROP INDEX notifications_pending;
CREATE INDEX notifications_due ON notifications (channel, next_try_at) WHERE sent_at IS NULL AND failed_at IS NULL;
