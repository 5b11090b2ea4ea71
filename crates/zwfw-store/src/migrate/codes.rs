//! The codes the migrations write into SQL that lasts (the conditions of
//! partial indexes, triggers and functions, the checks of tables) agree with
//! the domain's code lists and sets.
//!
//! Such a text is fixed once released, while the domain's sets may grow: a
//! new severity that asks for no reply, a new state in which a version may
//! be edited. Each condition on a column holding codes is therefore listed
//! here with the domain set it states, and this test fails when the two no
//! longer agree (then a new migration recreates the object), when a code
//! written there is not one of the list, or when a new condition names
//! codes without saying here which set it states.

use super::{lex, split, Kind, MIGRATIONS};
use crate::Backend;
use std::collections::{BTreeMap, BTreeSet};
use zwfw_domain::codes::{codes, complement, CodeList};

/// The columns that hold codes: (table, column, every code of the list).
fn code_columns() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    use zwfw_domain::{admin, calendar, cases, catalog, interaction, licenses, outbox, rating, supervision};
    fn all<C: CodeList>() -> Vec<&'static str> {
        codes(C::ALL)
    }
    vec![
        ("cases", "state", all::<cases::CaseState>()),
        ("cases", "outcome", all::<cases::Outcome>()),
        ("cases", "applicant_kind", all::<cases::ApplicantKind>()),
        ("cases", "channel", vec![cases::Channel::Online.code(), cases::Channel::Counter.code()]),
        ("item_versions", "state", all::<catalog::VersionState>()),
        ("items", "status", all::<catalog::ItemStatus>()),
        ("findings", "state", all::<supervision::FindingState>()),
        ("findings", "severity", all::<supervision::Severity>()),
        ("findings", "rule_code", supervision::RuleCode::ALL.iter().map(|r| r.code()).collect()),
        ("finding_tallies", "severity", all::<supervision::Severity>()),
        ("oversight_orders", "state", all::<supervision::OrderState>()),
        ("interactions", "state", all::<interaction::State>()),
        ("interactions", "kind", interaction::Kind::ALL.iter().map(|k| k.code()).collect()),
        ("interactions", "publication", all::<interaction::Publication>()),
        ("interaction_handlers", "duty", all::<interaction::Duty>()),
        ("ratings", "follow_up", all::<rating::FollowUp>()),
        ("ratings", "appeal", all::<rating::Appeal>()),
        (
            "users",
            "kind",
            [admin::AccountKind::Staff, admin::AccountKind::Person, admin::AccountKind::Company]
                .iter()
                .map(|k| k.code())
                .collect(),
        ),
        ("notifications", "channel", all::<outbox::Channel>()),
        ("calendar_years", "source", all::<calendar::YearSource>()),
        ("licenses", "status", all::<licenses::LicenseStatus>()),
        ("licenses", "holder_kind", all::<licenses::HolderKind>()),
        ("license_types", "holder_kind", all::<licenses::HolderKind>()),
        ("license_events", "change", all::<licenses::LicenseChange>()),
        ("license_events", "status", all::<licenses::LicenseStatus>()),
        ("license_jobs", "state", all::<licenses::JobState>()),
        ("exchange_outbox", "tbl", all::<zwfw_domain::exchange::Table>()),
    ]
}

/// The conditions the migrations may write on a code column, each with the
/// domain set it states: (table, column, the codes it admits, the set's name).
fn known_conditions() -> Vec<(&'static str, &'static str, Vec<&'static str>, &'static str)> {
    use zwfw_domain::catalog::VersionState;
    use zwfw_domain::outbox::Channel;
    use zwfw_domain::supervision::Severity;
    vec![
        // Migration 0027: an account's in-app messages, and the messages the
        // senders of the outside channels read, each indexed apart.
        ("notifications", "channel", codes(&[Channel::InApp]), "the in-app channel"),
        ("notifications", "channel", codes(&complement(&[Channel::InApp])), "the outside channels"),
        // Migration 0015: the findings asking for a reply, by state and by rule.
        ("findings", "severity", codes(Severity::NEEDS_REPLY), "Severity::NEEDS_REPLY"),
        // Migration 0013: an item version's content changed in a state
        // where it may not change is recorded as an edit made around the program.
        (
            "item_versions",
            "state",
            codes(&complement(VersionState::EDITABLE)),
            "the states not in VersionState::EDITABLE",
        ),
    ]
}

/// A comparison of a column with codes in a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Condition {
    table: Option<String>,
    column: String,
    /// `=`, `<>` (also `!=`), `IN` or `NOT IN`.
    op: &'static str,
    codes: Vec<String>,
}

impl Condition {
    /// The codes of `all` the condition admits.
    fn admits(&self, all: &[&'static str]) -> BTreeSet<&'static str> {
        let listed = |c: &&str| self.codes.iter().any(|x| x == c);
        match self.op {
            "=" | "IN" => all.iter().copied().filter(listed).collect(),
            _ => all.iter().copied().filter(|c| !listed(c)).collect(),
        }
    }
}

/// The words, strings and marks of a text, without spaces and comments; a
/// dollar-quoted body is read as SQL in its place.
fn tokens(sql: &str) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    for t in lex(sql) {
        match t.kind {
            Kind::Space | Kind::LineComment | Kind::BlockComment => {}
            Kind::Dollar => {
                let tag_len = t.text[1..].find('$').map_or(t.text.len(), |i| i + 2);
                let tag = &t.text[..tag_len];
                let body = t.text[tag_len..].strip_suffix(tag).unwrap_or(&t.text[tag_len..]);
                out.extend(tokens(body));
            }
            k => out.push((k, t.text.to_string())),
        }
    }
    out
}

fn literal(t: &(Kind, String)) -> Option<String> {
    (t.0 == Kind::Quoted && t.1.starts_with('\'')).then(|| t.1.trim_matches('\'').replace("''", "'"))
}

/// Every comparison of a name with string literals: `col = 'a'`,
/// `col <> 'a'`, `col IN ('a', 'b')`, `col NOT IN ('a')`, with the
/// statement's table.
fn conditions(sql: &str) -> Vec<Condition> {
    let t = tokens(sql);
    let table = table_of(&t);
    let word = |i: usize, w: &str| t.get(i).is_some_and(|x| x.0 == Kind::Word && x.1.eq_ignore_ascii_case(w));
    let mut out = Vec::new();
    for i in 0..t.len() {
        if t[i].0 != Kind::Word {
            continue;
        }
        let column = t[i].1.to_ascii_lowercase();
        let mut cond = |op: &'static str, codes: Vec<String>| {
            out.push(Condition { table: table.clone(), column: column.clone(), op, codes });
        };
        match t.get(i + 1) {
            Some((Kind::Operator, op)) if matches!(op.as_str(), "=" | "<>" | "!=") => {
                if let Some(l) = t.get(i + 2).and_then(literal) {
                    cond(if op == "=" { "=" } else { "<>" }, vec![l]);
                }
            }
            _ => {
                let (op, open) = if word(i + 1, "IN") {
                    ("IN", i + 2)
                } else if word(i + 1, "NOT") && word(i + 2, "IN") {
                    ("NOT IN", i + 3)
                } else {
                    continue;
                };
                if t.get(open).is_none_or(|x| x.1 != "(") {
                    continue;
                }
                let mut codes = Vec::new();
                let mut j = open + 1;
                while let Some(l) = t.get(j).and_then(literal) {
                    codes.push(l);
                    j += 1;
                    if t.get(j).is_some_and(|x| x.1 == ",") {
                        j += 1;
                    }
                }
                if !codes.is_empty() && t.get(j).is_some_and(|x| x.1 == ")") {
                    cond(op, codes);
                }
            }
        }
    }
    out
}

/// The table a statement is about: after `ON` in `CREATE INDEX` and
/// `CREATE TRIGGER`, else after the first `TABLE`, `UPDATE`, `INTO` or
/// `FROM`. `None` for a function (it may serve several tables).
fn table_of(t: &[(Kind, String)]) -> Option<String> {
    let upper: Vec<String> = t.iter().map(|x| x.1.to_ascii_uppercase()).collect();
    let after =
        |w: &str| upper.iter().position(|x| x == w).and_then(|i| t.get(i + 1)).map(|x| x.1.to_ascii_lowercase());
    let create = upper.first().is_some_and(|w| w == "CREATE");
    let head = &upper[..upper.len().min(5)];
    if create && head.iter().any(|w| w == "FUNCTION" || w == "PROCEDURE") {
        return None;
    }
    if create && head.iter().any(|w| w == "INDEX" || w == "TRIGGER") {
        return after("ON");
    }
    ["TABLE", "UPDATE", "INTO", "FROM"]
        .iter()
        .filter_map(|w| upper.iter().position(|x| x == w).map(|i| (i, w)))
        .min()
        .and_then(|(_, w)| after(w))
}

/// The kind and name of the object a statement creates or drops (`INDEX`,
/// `TRIGGER`, `FUNCTION`, `VIEW`, `TABLE`), and whether it drops it.
fn object(sql: &str) -> Option<(String, String, bool)> {
    let t = tokens(sql);
    let words: Vec<String> =
        t.iter().take_while(|x| x.0 == Kind::Word).map(|x| x.1.to_ascii_uppercase()).take(8).collect();
    let drop = match words.first().map(String::as_str) {
        Some("CREATE") => false,
        Some("DROP") => true,
        _ => return None,
    };
    let kinds = ["INDEX", "TRIGGER", "FUNCTION", "VIEW", "TABLE"];
    let k = words.iter().position(|w| kinds.contains(&w.as_str()))?;
    let mut n = k + 1;
    while words.get(n).is_some_and(|w| matches!(w.as_str(), "IF" | "NOT" | "EXISTS")) {
        n += 1;
    }
    let name = t.get(n)?.1.to_ascii_lowercase();
    Some((words[k].clone(), name, drop))
}

/// The objects in place on `backend` once every migration ran: (kind,
/// name) → (the migration that made it, its statement).
fn lasting_objects(backend: Backend) -> BTreeMap<(String, String), (i64, String)> {
    let mut objects = BTreeMap::new();
    for (version, _, sql) in MIGRATIONS {
        for s in split(sql).into_iter().filter(|s| s.only.is_none_or(|b| b == backend)) {
            let Some((kind, name, drop)) = object(&s.text) else { continue };
            if drop {
                objects.remove(&(kind, name));
            } else {
                objects.insert((kind, name), (*version, s.text.clone()));
            }
        }
    }
    objects
}

/// The conditions of the objects in place once every migration ran, per
/// backend: (backend, migration, object, condition).
fn lasting_conditions() -> Vec<(Backend, i64, String, Condition)> {
    let mut out = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        for ((kind, name), (version, text)) in lasting_objects(backend) {
            for c in conditions(&text) {
                out.push((backend, version, format!("{} {name}", kind.to_lowercase()), c));
            }
        }
    }
    out
}

#[test]
fn conditions_are_read_from_the_text() {
    let c = conditions("CREATE INDEX x ON findings (state) WHERE severity <> 'warning' AND kind IN ('a', 'b')");
    assert_eq!(c.len(), 2);
    assert_eq!((c[0].table.as_deref(), c[0].column.as_str(), c[0].op), (Some("findings"), "severity", "<>"));
    assert_eq!((c[1].column.as_str(), c[1].op, c[1].codes.clone()), ("kind", "IN", vec!["a".into(), "b".into()]));
    let c = conditions(
        "CREATE TRIGGER t AFTER UPDATE ON item_versions WHEN OLD.state NOT IN ('draft') BEGIN SELECT 1; END",
    );
    assert_eq!((c[0].table.as_deref(), c[0].column.as_str(), c[0].op), (Some("item_versions"), "state", "NOT IN"));
    assert_eq!(object("DROP INDEX IF EXISTS findings_state"), Some(("INDEX".into(), "findings_state".into(), true)));
    assert!(conditions(
        "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN IF NEW.state = 'x' THEN RETURN NULL; END IF; END $$"
    )
    .iter()
    .any(|c| c.table.is_none() && c.column == "state"));
}

#[test]
fn the_codes_in_lasting_conditions_agree_with_the_domain() {
    let columns = code_columns();
    let known = known_conditions();
    let mut stated = BTreeSet::new();
    let mut problems = Vec::new();
    for (backend, version, object, c) in lasting_conditions() {
        let on_codes: Vec<_> = columns
            .iter()
            .filter(|(table, column, _)| *column == c.column && c.table.as_deref().is_none_or(|t| t == *table))
            .collect();
        for (table, column, all) in on_codes {
            let place =
                format!("migration {version:04}, {object} ({backend:?}): {table}.{column} {} {:?}", c.op, c.codes);
            if let Some(unknown) = c.codes.iter().find(|x| !all.contains(&x.as_str())) {
                problems.push(format!("{place}: {unknown:?} is not a code of the list"));
                continue;
            }
            let admits = c.admits(all);
            // A column may carry conditions stating different sets (the
            // outbox's in-app messages and the others): the one it admits.
            let rules: Vec<_> = known.iter().filter(|(t, col, _, _)| t == table && col == column).collect();
            let set_of = |set: &[&'static str]| set.iter().copied().collect::<BTreeSet<&str>>();
            match (rules.iter().find(|(_, _, set, _)| set_of(set) == admits), rules.first()) {
                (_, None) => problems.push(format!("{place}: say in known_conditions which domain set this states")),
                (Some((_, _, _, name)), _) => {
                    stated.insert(*name);
                }
                (None, Some((_, _, set, name))) => problems.push(format!(
                    "{place} admits {admits:?}, {name} is {:?}: a new migration must recreate it",
                    set_of(set)
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for (table, column, _, name) in &known {
        assert!(stated.contains(name), "no lasting condition on {table}.{column} states {name} any more");
    }
}

#[test]
fn the_store_asks_the_partial_indexes_of_findings_in_their_own_words() {
    // The queries that use the indexes of migration 0015 say their condition.
    assert_eq!(crate::supervision::ASKS_REPLY, "severity <> 'warning'");
    let lasting = lasting_conditions();
    for index in ["index findings_state", "index findings_rule"] {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let c: Vec<_> = lasting.iter().filter(|(b, _, o, _)| *b == backend && o == index).collect();
            assert_eq!(c.len(), 1, "{index}");
            let c = &c[0].3;
            assert_eq!(format!("{} {} '{}'", c.column, c.op, c.codes.join("', '")), crate::supervision::ASKS_REPLY);
        }
    }
}

#[test]
fn the_senders_ask_the_outbox_index_in_its_own_words() {
    // The senders' queries state the condition of the index of migration 0027.
    let lasting = lasting_conditions();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let c: Vec<_> = lasting.iter().filter(|(b, _, o, _)| *b == backend && o == "index notifications_due").collect();
        assert_eq!(c.len(), 1);
        let c = &c[0].3;
        assert_eq!(format!("{} {} '{}'", c.column, c.op, c.codes.join("', '")), crate::outbox::OUTSIDE);
    }
}

#[test]
fn the_sqlite_edit_guards_tell_the_writer_by_its_mark() {
    // Migration 0022: a guard asks the writer's function, not its settings
    // (a query at every guarded UPDATE); a guard made again later keeps it.
    let mark = format!("NOT sqlite_compileoption_used('{}')", crate::guards::SQLITE_WRITER_MARK);
    let mut guards = 0;
    for ((kind, name), (version, text)) in lasting_objects(Backend::Sqlite) {
        if kind != "TRIGGER" || !name.starts_with("zwfw_guard_edit_") {
            continue;
        }
        guards += 1;
        assert!(text.contains(&mark), "migration {version:04}, trigger {name}: its WHEN is not {mark}");
        assert!(!text.contains("pragma_"), "migration {version:04}, trigger {name} queries a pragma");
    }
    assert!(guards >= 10, "{guards} edit guards found");
}
