-- The notices of a case's steps (to the applicant on every channel, to the
-- department heads who must decide) are no longer written by the step
-- itself: they are derived after its commit from the audit trail, whose
-- records of case events are in commit order on both databases (SQLite
-- chains them in its one writer; PostgreSQL seals them into the chain in
-- the order they became visible). `cases::notices::derive` reads the trail
-- after `pos`, writes the notices of the case events it finds and moves
-- `pos` in one transaction, only from the position it read (several app
-- servers: one of them moves it, the others find it moved). A notice is so
-- written once, and never for a step that did not commit.
--
-- The notices of the records already in the trail were written by their
-- steps: the position starts after them, counting those still waiting to
-- be sealed (PostgreSQL), which are sealed after the head in the order of
-- their ids.

CREATE TABLE outbox_cursors (
    name TEXT PRIMARY KEY,
    pos BIGINT NOT NULL
);
INSERT INTO outbox_cursors (name, pos)
    SELECT 'case_notices', seq + (SELECT COUNT(*) FROM audit_pending) FROM audit_head WHERE id = 1;
