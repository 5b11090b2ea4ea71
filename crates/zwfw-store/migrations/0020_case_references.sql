-- PostgreSQL checks a foreign key on every insert of a referencing row with
-- a query that locks the referenced row (FOR KEY SHARE). For a case that is
-- its item, item version and department, rows every concurrent registration
-- of the item locks at once (each lock writes the row's header and, with
-- several holders, a multixact), and for every event and document the case
-- itself. The program writes these references only from rows it has just
-- read or written in the same statement (a registration from the published
-- item, an event and a document `FROM` the case's own UPDATE), so on
-- PostgreSQL these five keys are replaced by triggers that refuse what a
-- key would refuse from the other side: deleting or truncating a row still
-- referenced. SQLite keeps its keys (one writer; no row locks).

/*postgres*/ ALTER TABLE cases DROP CONSTRAINT cases_item_id_fkey, DROP CONSTRAINT cases_version_id_fkey, DROP CONSTRAINT cases_department_id_fkey;

/*postgres*/ ALTER TABLE case_events DROP CONSTRAINT case_events_case_id_fkey;

/*postgres*/ ALTER TABLE case_documents DROP CONSTRAINT case_documents_case_id_fkey;

/*postgres*/ CREATE FUNCTION zwfw_refuse_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    used BOOLEAN;
BEGIN
    -- The arguments are pairs: a referencing table, its referencing column.
    FOR i IN 0..TG_NARGS / 2 - 1 LOOP
        IF TG_LEVEL = 'STATEMENT' THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', TG_ARGV[2 * i]) INTO used;
        ELSE
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[2 * i], TG_ARGV[2 * i + 1])
                INTO used USING OLD.id;
        END IF;
        IF used THEN
            RAISE EXCEPTION 'a row of % is still referenced from %', TG_TABLE_NAME, TG_ARGV[2 * i]
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END LOOP;
    RETURN OLD;
END
$$;

/*postgres*/ CREATE TRIGGER zwfw_referenced_cases BEFORE DELETE ON cases FOR EACH ROW EXECUTE FUNCTION zwfw_refuse_referenced('case_events', 'case_id', 'case_documents', 'case_id');

/*postgres*/ CREATE TRIGGER zwfw_referenced_items BEFORE DELETE ON items FOR EACH ROW EXECUTE FUNCTION zwfw_refuse_referenced('cases', 'item_id');

/*postgres*/ CREATE TRIGGER zwfw_referenced_item_versions BEFORE DELETE ON item_versions FOR EACH ROW EXECUTE FUNCTION zwfw_refuse_referenced('cases', 'version_id');

/*postgres*/ CREATE TRIGGER zwfw_referenced_departments BEFORE DELETE ON departments FOR EACH ROW EXECUTE FUNCTION zwfw_refuse_referenced('cases', 'department_id');

/*postgres*/ CREATE TRIGGER zwfw_referenced_cases_all BEFORE TRUNCATE ON cases FOR EACH STATEMENT EXECUTE FUNCTION zwfw_refuse_referenced('case_events', 'case_id', 'case_documents', 'case_id');

/*postgres*/ CREATE TRIGGER zwfw_referenced_items_all BEFORE TRUNCATE ON items FOR EACH STATEMENT EXECUTE FUNCTION zwfw_refuse_referenced('cases', 'item_id');

/*postgres*/ CREATE TRIGGER zwfw_referenced_item_versions_all BEFORE TRUNCATE ON item_versions FOR EACH STATEMENT EXECUTE FUNCTION zwfw_refuse_referenced('cases', 'version_id');

/*postgres*/ CREATE TRIGGER zwfw_referenced_departments_all BEFORE TRUNCATE ON departments FOR EACH STATEMENT EXECUTE FUNCTION zwfw_refuse_referenced('cases', 'department_id');
