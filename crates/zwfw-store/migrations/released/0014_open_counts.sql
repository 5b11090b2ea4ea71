-- The supervision dashboard's count of open cases per handling department,
-- kept by triggers in the same transaction as every change of a case's
-- handling department (submission, transfer between steps, conclusion), so
-- that the dashboard reads a row per department instead of counting a
-- million cases. The counts start from the cases already there.
--
-- Trigger bodies stay on one line (the migration runner splits statements
-- at a semicolon that ends a line).

CREATE TABLE open_case_counts (
    department_id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);

INSERT INTO open_case_counts (department_id, n)
SELECT handling_department_id, COUNT(*) FROM cases WHERE handling_department_id IS NOT NULL GROUP BY handling_department_id;

/*sqlite*/ CREATE TRIGGER open_count_insert AFTER INSERT ON cases WHEN NEW.handling_department_id IS NOT NULL BEGIN INSERT INTO open_case_counts (department_id, n) VALUES (NEW.handling_department_id, 1) ON CONFLICT (department_id) DO UPDATE SET n = n + 1; END;

/*sqlite*/ CREATE TRIGGER open_count_update AFTER UPDATE OF handling_department_id ON cases WHEN OLD.handling_department_id IS NOT NEW.handling_department_id BEGIN UPDATE open_case_counts SET n = n - 1 WHERE department_id = OLD.handling_department_id; INSERT INTO open_case_counts (department_id, n) SELECT NEW.handling_department_id, 1 WHERE NEW.handling_department_id IS NOT NULL ON CONFLICT (department_id) DO UPDATE SET n = n + 1; END;

/*sqlite*/ CREATE TRIGGER open_count_delete AFTER DELETE ON cases WHEN OLD.handling_department_id IS NOT NULL BEGIN UPDATE open_case_counts SET n = n - 1 WHERE department_id = OLD.handling_department_id; END;

/*postgres*/ CREATE FUNCTION open_case_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.handling_department_id IS NOT NULL THEN UPDATE open_case_counts SET n = n - 1 WHERE department_id = OLD.handling_department_id; END IF; IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.handling_department_id IS NOT NULL THEN INSERT INTO open_case_counts (department_id, n) VALUES (NEW.handling_department_id, 1) ON CONFLICT (department_id) DO UPDATE SET n = open_case_counts.n + 1; END IF; RETURN NULL; END $$;

/*postgres*/ CREATE TRIGGER open_count_insert AFTER INSERT ON cases FOR EACH ROW WHEN (NEW.handling_department_id IS NOT NULL) EXECUTE FUNCTION open_case_count();

/*postgres*/ CREATE TRIGGER open_count_update AFTER UPDATE OF handling_department_id ON cases FOR EACH ROW WHEN (OLD.handling_department_id IS DISTINCT FROM NEW.handling_department_id) EXECUTE FUNCTION open_case_count();

/*postgres*/ CREATE TRIGGER open_count_delete AFTER DELETE ON cases FOR EACH ROW WHEN (OLD.handling_department_id IS NOT NULL) EXECUTE FUNCTION open_case_count();
