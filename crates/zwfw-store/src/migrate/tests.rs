use super::*;
use crate::db::query;
use crate::scratch::ScratchDb;
use crate::testing::postgres;
use crate::{Backend, RowExt, Store};
use zwfw_domain::audit::sm3_hex;

fn lite(sql: &str) -> Vec<String> {
    statements(&render(sql, Backend::Sqlite), Backend::Sqlite).collect()
}

fn pg(sql: &str) -> Vec<String> {
    statements(&render(sql, Backend::Postgres), Backend::Postgres).collect()
}

#[test]
fn splits_statements_and_drops_comments() {
    let sql = "-- c\nCREATE TABLE a (id {{ID}});\nINSERT INTO a VALUES (1);\n";
    assert_eq!(lite(sql), vec!["CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT)", "INSERT INTO a VALUES (1)"]);
}

#[test]
fn backend_only_statements() {
    let sql = "/*sqlite*/ CREATE TABLE s (a TEXT) WITHOUT ROWID;\n/*postgres*/ CREATE TABLE p (a TEXT);\nSELECT 1;\n";
    assert_eq!(lite(sql), vec!["CREATE TABLE s (a TEXT) WITHOUT ROWID", "SELECT 1"]);
    assert_eq!(pg(sql), vec!["CREATE TABLE p (a TEXT)", "SELECT 1"]);
}

#[test]
fn a_prefix_after_a_comment_still_counts() {
    let sql = "-- for SQLite only\n/*sqlite*/ SELECT 1;\n/*postgres*/\n-- explained\nSELECT 2;";
    assert_eq!(lite(sql), vec!["SELECT 1"]);
    assert_eq!(pg(sql), vec!["SELECT 2"]);
}

#[test]
fn statements_end_at_any_semicolon_and_the_last_needs_none() {
    assert_eq!(lite("SELECT 1; SELECT 2;SELECT 3"), vec!["SELECT 1", "SELECT 2", "SELECT 3"]);
    assert_eq!(lite(";;\n;  -- nothing\n"), Vec::<String>::new());
}

#[test]
fn comments_at_the_end_of_a_line_are_left_out() {
    let sql = "CREATE TABLE a (\n    x TEXT, -- the x; not a split\n    y TEXT /* kept; too */\n);";
    assert_eq!(lite(sql), vec!["CREATE TABLE a (\n    x TEXT,\n    y TEXT /* kept; too */\n)"]);
}

#[test]
fn semicolons_and_dashes_in_strings() {
    let sql = "INSERT INTO t VALUES ('a; b', 'it''s -- not a comment;', \"odd;name\");\nSELECT 'x--y' -- a comment; with a semicolon\n, 2;";
    assert_eq!(
        lite(sql),
        vec!["INSERT INTO t VALUES ('a; b', 'it''s -- not a comment;', \"odd;name\")", "SELECT 'x--y'\n, 2"]
    );
    // PostgreSQL's escape strings: `\'` does not end the string.
    assert_eq!(pg("SELECT E'a\\'; b';\nSELECT 2;"), vec!["SELECT E'a\\'; b'", "SELECT 2"]);
    // In a standard string a backslash is a character.
    assert_eq!(pg("SELECT 'a\\';\nSELECT 2;"), vec!["SELECT 'a\\'", "SELECT 2"]);
}

#[test]
fn multi_line_sqlite_trigger() {
    let sql = "/*sqlite*/ CREATE TRIGGER t AFTER UPDATE ON a\nWHEN OLD.x IS NOT NEW.x\nBEGIN\n    UPDATE b SET n = n - 1 WHERE id = OLD.x; -- one; two\n    INSERT INTO b (id, n) VALUES (NEW.x, 1)\n        ON CONFLICT (id) DO UPDATE SET n = n + 1;\n    SELECT RAISE(ABORT, 'no; never');\nEND;\n\nSELECT 1;";
    let out = lite(sql);
    assert_eq!(out.len(), 2, "{out:#?}");
    assert_eq!(
        out[0],
        "CREATE TRIGGER t AFTER UPDATE ON a\nWHEN OLD.x IS NOT NEW.x\nBEGIN\n    UPDATE b SET n = n - 1 WHERE id = OLD.x;\n    INSERT INTO b (id, n) VALUES (NEW.x, 1)\n        ON CONFLICT (id) DO UPDATE SET n = n + 1;\n    SELECT RAISE(ABORT, 'no; never');\nEND"
    );
    assert_eq!(out[1], "SELECT 1");
    assert!(pg(sql) == vec!["SELECT 1"]);
}

#[test]
fn case_end_inside_and_before_a_trigger_body() {
    let sql = "create temp trigger t before insert on a when case when new.x > 0 then 1 else 0 end begin\n  insert into log values (case new.k when 'a;' then 'x' else 'y' end);\n  update c set n = case when n > 0 then n - 1 else 0 end where id = new.id;\nend;\nselect 2;";
    let out = lite(sql);
    assert_eq!(out.len(), 2, "{out:#?}");
    assert!(out[0].starts_with("create temp trigger t") && out[0].ends_with("where id = new.id;\nend"));
    assert_eq!(out[1], "select 2");
}

#[test]
fn columns_named_like_keywords_after_a_dot() {
    // `OLD.end` and `NEW.case` are columns, not the end of a body.
    let sql = "CREATE TRIGGER t AFTER DELETE ON a BEGIN INSERT INTO b VALUES (OLD.end, OLD . case); DELETE FROM c; END;\nSELECT 3;";
    let out = lite(sql);
    assert_eq!(out.len(), 2, "{out:#?}");
    assert_eq!(out[1], "SELECT 3");
}

#[test]
fn a_transaction_block_is_not_a_body() {
    assert_eq!(lite("BEGIN;\nSELECT 1;\nEND;"), vec!["BEGIN", "SELECT 1", "END"]);
}

#[test]
fn dollar_quoted_bodies() {
    let sql = "/*postgres*/ CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nDECLARE\n    k TEXT := ''; -- a key; or none\nBEGIN\n    IF TG_OP = 'DELETE' THEN\n        RAISE EXCEPTION 'no; %', OLD.id;\n    END IF;\n    RETURN NULL;\nEND\n$$;\n/*postgres*/ CREATE FUNCTION g() RETURNS text LANGUAGE plpgsql AS $body$ BEGIN RETURN $$a;$$ || $x$ $$; $x$; END $body$;\n/*postgres*/ SELECT $1, a$b FROM t;\nSELECT 4;";
    let out = pg(sql);
    assert_eq!(out.len(), 4, "{out:#?}");
    assert!(out[0].starts_with("CREATE FUNCTION f()") && out[0].ends_with("RETURN NULL;\nEND\n$$"));
    // The comment inside a body is part of the body.
    assert!(out[0].contains("-- a key; or none"));
    assert_eq!(
        out[1],
        "CREATE FUNCTION g() RETURNS text LANGUAGE plpgsql AS $body$ BEGIN RETURN $$a;$$ || $x$ $$; $x$; END $body$"
    );
    assert_eq!(out[2], "SELECT $1, a$b FROM t");
    assert_eq!(out[3], "SELECT 4");
    assert_eq!(lite(sql), vec!["SELECT 4"]);
}

#[test]
fn sql_standard_function_body() {
    let sql = "/*postgres*/ CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n    SELECT 1;\nEND;\nSELECT 5;";
    assert_eq!(
        pg(sql),
        vec!["CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n    SELECT 1;\nEND", "SELECT 5"]
    );
}

#[test]
fn text_without_ascii_boundaries() {
    let sql = "INSERT INTO t VALUES ('办件；受理', 名称); -- 注释；\nSELECT 1;";
    assert_eq!(lite(sql), vec!["INSERT INTO t VALUES ('办件；受理', 名称)", "SELECT 1"]);
}

#[test]
fn lexing_keeps_every_byte() {
    for (_, _, sql) in MIGRATIONS {
        let tokens = lex(sql);
        assert_eq!(tokens.iter().map(|t| t.text).collect::<String>(), *sql);
    }
    let odd = "a$ $1x 1.5e-3 0..n E'\\\\' $$ unclosed";
    assert_eq!(lex(odd).iter().map(|t| t.text).collect::<String>(), odd);
    assert!(!lex(odd).last().unwrap().closed);
}

#[test]
fn every_migration_closes_its_strings_comments_and_bodies() {
    for (version, _, sql) in MIGRATIONS {
        let open: Vec<_> = lex(sql).into_iter().filter(|t| !t.closed).collect();
        assert!(open.is_empty(), "migration {version}: unclosed {open:?}");
    }
}

#[test]
fn normal_form_ignores_layout_and_comments_only() {
    let one = "/*sqlite*/ CREATE TRIGGER t AFTER DELETE ON a BEGIN INSERT INTO b (x, y) VALUES (OLD.x, 'a  b'); END;";
    let laid = "-- why\n/*sqlite*/ CREATE TRIGGER t\nAFTER DELETE ON a\nBEGIN\n    INSERT INTO b (x, y)\n    VALUES (\n        OLD.x, -- the key\n        'a  b'\n    );\nEND;\n";
    assert_eq!(normal_form(one), normal_form(laid));
    assert_eq!(checksum(one), checksum(laid));
    // Inside a string the spaces count; so do the backend and the words.
    assert_ne!(normal_form(one), normal_form(&one.replace("'a  b'", "'a b'")));
    assert_ne!(normal_form(one), normal_form(&one.replace("/*sqlite*/", "/*postgres*/")));
    assert_ne!(normal_form(one), normal_form(&one.replace("OLD.x", "OLD.y")));
    assert_ne!(normal_form("SELECT a <> b;"), normal_form("SELECT a < > b;"));
    let body =
        "/*postgres*/ CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'x  y'; END $$;";
    let body_laid = "/*postgres*/ CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    -- refuse\n    RAISE EXCEPTION 'x  y';\nEND\n$$;";
    assert_eq!(normal_form(body), normal_form(body_laid));
    assert_ne!(normal_form(body), normal_form(&body.replace("'x  y'", "'x y'")));
}

#[test]
fn recorded_checksums_accepted() {
    for (version, _, sql) in MIGRATIONS {
        assert!(recorded_matches(*version, sql, &checksum(sql)));
        assert!(recorded_matches(*version, sql, &sm3_hex(sql.as_bytes())));
        assert!(!recorded_matches(*version, sql, &sm3_hex(format!("{sql}\nSELECT 1;").as_bytes())));
    }
    for (version, released) in RELEASED {
        let sql = MIGRATIONS.iter().find(|(v, _, _)| v == version).unwrap().2;
        assert!(recorded_matches(*version, sql, released));
        // Only for its own version.
        assert!(!recorded_matches(version + 1, sql, released));
    }
}

#[test]
fn the_list_follows_the_folder() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|f| !f.starts_with('.'))
        .collect();
    files.sort();
    assert_eq!(files.len(), MIGRATIONS.len());
    for (i, (file, (version, name, sql))) in files.iter().zip(MIGRATIONS).enumerate() {
        assert_eq!(*version, i as i64 + 1);
        assert_eq!(file, &format!("{version:04}_{name}.sql"));
        assert_eq!(std::fs::read_to_string(dir.join(file)).unwrap(), *sql);
    }
}

/// The splitter of earlier versions, which databases migrated before ran:
/// at a `;` that ends a line, whole-line `--` comments left out.
fn previous_statements(sql: &str, backend: Backend) -> Vec<String> {
    sql.split(";\n")
        .filter_map(move |s| {
            let body: String = s.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
            let body = body.trim().trim_end_matches(';').trim();
            let body = match (body.strip_prefix("/*sqlite*/"), body.strip_prefix("/*postgres*/")) {
                (Some(b), _) if backend == Backend::Sqlite => b,
                (Some(_), _) => return None,
                (_, Some(b)) if backend == Backend::Postgres => b,
                (_, Some(_)) => return None,
                _ => body,
            };
            let body = body.trim().to_string();
            (!body.is_empty()).then_some(body)
        })
        .collect()
}

/// The migrations as earlier versions ran them: each released text
/// (`migrations/released/`) in place of the one laid out anew since.
fn as_released() -> Vec<(i64, &'static str, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/released");
    MIGRATIONS
        .iter()
        .map(|(version, name, sql)| {
            let released = dir.join(format!("{version:04}_{name}.sql"));
            let text = if RELEASED.iter().any(|(v, _)| v == version) {
                std::fs::read_to_string(&released).unwrap_or_else(|e| panic!("{}: {e}", released.display()))
            } else {
                assert!(!released.exists(), "{} is not listed in RELEASED", released.display());
                sql.to_string()
            };
            (*version, *name, text)
        })
        .collect()
}

#[test]
fn released_texts_have_the_recorded_checksums() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/released");
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, RELEASED.len(), "one released text per entry of RELEASED");
    for (version, released) in RELEASED {
        let (_, name, sql) = MIGRATIONS.iter().find(|(v, _, _)| v == version).unwrap();
        let text = std::fs::read_to_string(dir.join(format!("{version:04}_{name}.sql"))).unwrap();
        assert_eq!(sm3_hex(text.as_bytes()), *released, "migration {version}");
        assert_ne!(text, *sql, "migration {version} is listed as laid out anew but is unchanged");
    }
}

/// What databases migrated by earlier versions ran is what this version
/// runs, token for token, on both backends: the released texts split the
/// way earlier versions split them, against the embedded texts split now.
#[test]
fn every_migration_runs_the_statements_it_ran_before() {
    for (version, _, before) in as_released() {
        let now = MIGRATIONS[version as usize - 1].2;
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let ran: Vec<String> =
                previous_statements(&render(&before, backend), backend).iter().map(|s| normalize(s)).collect();
            let runs: Vec<String> = statements(&render(now, backend), backend).map(|s| normalize(&s)).collect();
            assert_eq!(ran.len(), runs.len(), "migration {version} on {backend:?}: number of statements");
            for (i, (a, b)) in ran.iter().zip(&runs).enumerate() {
                assert_eq!(a, b, "migration {version} on {backend:?}, statement {i}");
            }
        }
        assert_eq!(normal_form(&before), normal_form(now), "migration {version}");
        assert_eq!(checksum(&before), checksum(now), "migration {version}");
    }
}

/// Trigger and function bodies are written across lines now.
#[test]
fn bodies_are_laid_out_across_lines() {
    for (version, _, sql) in MIGRATIONS {
        for s in split(sql) {
            let text = &s.text;
            if text.len() > 300 && text.contains(';') {
                assert!(text.lines().count() > 3, "migration {version}: a long body on one line: {text:.80}");
            }
        }
    }
}

/// Applies the migrations as an earlier version did: the released texts,
/// split as it split them, each recorded with the SM3 of its text.
async fn migrate_as_before(store: &Store) {
    let backend = store.backend();
    let mut tx = store.begin().await.unwrap();
    query("CREATE TABLE IF NOT EXISTS zwfw_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        .execute(tx.conn())
        .await
        .unwrap();
    for (version, name, sql) in as_released() {
        for stmt in previous_statements(&render(&sql, backend), backend) {
            query(stmt).execute(tx.conn()).await.unwrap_or_else(|e| panic!("migration {version}: {e}"));
        }
        query("INSERT INTO zwfw_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(version)
            .bind(name)
            .bind(sm3_hex(sql.as_bytes()))
            .bind(0i64)
            .execute(tx.conn())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The schema's objects, each as `kind name: definition`, definitions
/// normalized (a trigger's or function's text is kept as written).
async fn schema(store: &Store) -> Vec<String> {
    let queries: &[&str] = match store.backend() {
        Backend::Sqlite => &["SELECT type AS kind, name, sql AS def FROM sqlite_master WHERE sql IS NOT NULL"],
        Backend::Postgres => &[
            "SELECT 'column' AS kind, table_name || '.' || column_name AS name, data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '') || ' ' || is_identity AS def FROM information_schema.columns WHERE table_schema = 'public'",
            "SELECT 'constraint' AS kind, conrelid::regclass::text || '.' || conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
            "SELECT 'index' AS kind, indexname::text AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'",
            "SELECT 'trigger' AS kind, tgname::text AS name, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE NOT tgisinternal",
            "SELECT 'function' AS kind, proname::text AS name, pg_get_function_identity_arguments(oid) || ' ' || prosrc AS def FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
        ],
    };
    let mut out = Vec::new();
    for q in queries {
        for r in query(*q).fetch_all(store.pool()).await.unwrap() {
            out.push(format!("{} {}: {}", r.str("kind"), r.str("name"), normalize(&r.str("def"))));
        }
    }
    out.sort();
    out
}

/// A database migrated by an earlier version: this version applies
/// nothing, finds no migration changed, and its schema is that of a
/// database migrated by this version.
async fn migrated_before_is_the_same(before: &ScratchDb, fresh: &ScratchDb) {
    let old = Store::connect(&before.url).await.unwrap();
    migrate_as_before(&old).await;
    let outcome = apply(&old).await.unwrap();
    assert_eq!(outcome.applied, Vec::<i64>::new());
    assert_eq!(outcome.differing, Vec::<i64>::new(), "checksums recorded by an earlier version are accepted");
    // Again, as at every start.
    assert!(apply(&old).await.unwrap().differing.is_empty());
    let new = Store::connect(&fresh.url).await.unwrap();
    let outcome = apply(&new).await.unwrap();
    assert_eq!(outcome.applied, (1..=MIGRATIONS.len() as i64).collect::<Vec<_>>());
    assert!(apply(&new).await.unwrap().differing.is_empty());
    let (a, b) = (schema(&old).await, schema(&new).await);
    assert!(a.len() > 100, "{} schema objects", a.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    assert_eq!(a.len(), b.len());
    // An edited migration is still noticed.
    query("UPDATE zwfw_migrations SET checksum = $1 WHERE version = 13")
        .bind(sm3_hex(b"something else"))
        .execute(new.pool())
        .await
        .unwrap();
    assert_eq!(apply(&new).await.unwrap().differing, vec![13]);
    old.close().await;
    new.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrated_before_sqlite() {
    let (before, fresh) = (ScratchDb::sqlite(), ScratchDb::sqlite());
    migrated_before_is_the_same(&before, &fresh).await;
    before.cleanup().await;
    fresh.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrated_before_postgres() {
    let Some(before) = postgres("migrate::migrated_before_postgres").await else { return };
    let Some(fresh) = postgres("migrate::migrated_before_postgres").await else { return };
    migrated_before_is_the_same(&before, &fresh).await;
    before.cleanup().await;
    fresh.cleanup().await;
}
