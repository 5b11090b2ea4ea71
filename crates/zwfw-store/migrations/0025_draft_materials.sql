-- A material taken off a draft before submission keeps its row: it is marked
-- removed (when), and no read of the case's materials shows it any more.
ALTER TABLE case_materials ADD COLUMN removed_at BIGINT;
