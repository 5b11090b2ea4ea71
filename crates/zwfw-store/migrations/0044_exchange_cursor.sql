-- The exchange outbox's rows of case steps (数据交换: up_pro_accept,
-- up_pro_material, up_pro_process, up_pro_special_procedure, up_pro_result)
-- are no longer written by the step itself: like the applicants' notices
-- (migration 0031) they are derived after its commit from the audit trail's
-- records of case events, in commit order. `zwfw_store::exchange::derive`
-- reads the trail after `pos`, writes the rows of the case events it finds
-- and moves `pos` in one transaction, only from the position it read.
--
-- The rows of the records already in the trail were written by their
-- steps: the position starts after them, counting those still waiting to
-- be sealed (PostgreSQL).

INSERT INTO outbox_cursors (name, pos)
    SELECT 'case_exchange', seq + (SELECT COUNT(*) FROM audit_pending) FROM audit_head WHERE id = 1;
