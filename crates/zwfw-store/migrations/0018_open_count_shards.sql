-- The open-case counts of migration 0014, kept in sixteen shards per
-- department (by case id) instead of one row: every submission and every
-- conclusion in a department changed that one row and held it until its
-- transaction committed, so that on PostgreSQL the department's
-- transactions queued behind each other. The dashboard adds the shards up.

CREATE TABLE open_case_count_shards (
    department_id BIGINT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (department_id, shard)
);

INSERT INTO open_case_count_shards (department_id, shard, n) SELECT department_id, 0, n FROM open_case_counts;

/*sqlite*/ DROP TRIGGER open_count_insert;

/*sqlite*/ DROP TRIGGER open_count_update;

/*sqlite*/ DROP TRIGGER open_count_delete;

/*postgres*/ DROP TRIGGER open_count_insert ON cases;

/*postgres*/ DROP TRIGGER open_count_update ON cases;

/*postgres*/ DROP TRIGGER open_count_delete ON cases;

DROP TABLE open_case_counts;

/*sqlite*/ CREATE TRIGGER open_count_insert AFTER INSERT ON cases
WHEN NEW.handling_department_id IS NOT NULL
BEGIN
    INSERT INTO open_case_count_shards (department_id, shard, n)
    VALUES (NEW.handling_department_id, NEW.id % 16, 1)
    ON CONFLICT (department_id, shard) DO UPDATE SET n = n + 1;
END;

/*sqlite*/ CREATE TRIGGER open_count_update AFTER UPDATE OF handling_department_id ON cases
WHEN OLD.handling_department_id IS NOT NEW.handling_department_id
BEGIN
    UPDATE open_case_count_shards SET n = n - 1
    WHERE department_id = OLD.handling_department_id AND shard = OLD.id % 16;
    INSERT INTO open_case_count_shards (department_id, shard, n)
    SELECT NEW.handling_department_id, NEW.id % 16, 1
    WHERE NEW.handling_department_id IS NOT NULL
    ON CONFLICT (department_id, shard) DO UPDATE SET n = n + 1;
END;

/*sqlite*/ CREATE TRIGGER open_count_delete AFTER DELETE ON cases
WHEN OLD.handling_department_id IS NOT NULL
BEGIN
    UPDATE open_case_count_shards SET n = n - 1
    WHERE department_id = OLD.handling_department_id AND shard = OLD.id % 16;
END;

/*postgres*/ CREATE OR REPLACE FUNCTION open_case_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.handling_department_id IS NOT NULL THEN
        UPDATE open_case_count_shards SET n = n - 1
        WHERE department_id = OLD.handling_department_id AND shard = OLD.id % 16;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.handling_department_id IS NOT NULL THEN
        INSERT INTO open_case_count_shards (department_id, shard, n)
        VALUES (NEW.handling_department_id, NEW.id % 16, 1)
        ON CONFLICT (department_id, shard) DO UPDATE SET n = open_case_count_shards.n + 1;
    END IF;
    RETURN NULL;
END
$$;

/*postgres*/ CREATE TRIGGER open_count_insert AFTER INSERT ON cases FOR EACH ROW WHEN (NEW.handling_department_id IS NOT NULL) EXECUTE FUNCTION open_case_count();

/*postgres*/ CREATE TRIGGER open_count_update AFTER UPDATE OF handling_department_id ON cases FOR EACH ROW WHEN (OLD.handling_department_id IS DISTINCT FROM NEW.handling_department_id) EXECUTE FUNCTION open_case_count();

/*postgres*/ CREATE TRIGGER open_count_delete AFTER DELETE ON cases FOR EACH ROW WHEN (OLD.handling_department_id IS NOT NULL) EXECUTE FUNCTION open_case_count();
