//! The case access table (`access_cases.txt`): every case action, every role
//! alone and a few combinations, every relation of the actor to the case,
//! with the role the actor acts in or the refusal code. The table is the
//! specification; this test checks the rules against every row of it, and
//! that it has every row.
//!
//! `ZWFW_PRINT_ACCESS_TABLE=1 cargo test -p zwfw-domain --test access` prints
//! the table as the rules decide it (to compare with the file after a change).

use std::collections::BTreeMap;
use zwfw_domain::access::cases::{may_act, CaseFacts};
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{AccountKind, Actor, Role};
use zwfw_domain::cases::{CaseState, CaseView, Channel, EventKind, Outcome};
use zwfw_domain::catalog::{example, CoReview, ItemContent};

const TABLE: &str = include_str!("access_cases.txt");

/// The implementing department, which handles every step of the item.
const HOME: i64 = 1;
/// The co-department of the joint review at step 2.
const JOINT: i64 = 2;
/// A department with no part in the case.
const OTHER: i64 = 3;
const ME: i64 = 10;
const COLLEAGUE: i64 = 11;
const APPLICANT: i64 = 100;
const CITIZEN: i64 = 200;

/// The item: 1 受理 (counter), 2 审查 (reviewer, may start a special
/// procedure, joint review with department 2), 3 决定 (department head).
fn item() -> ItemContent {
    let mut c = example(HOME);
    c.steps[1].joint = vec![CoReview { department_id: JOINT, limit_days: 3 }];
    c
}

const ROLE_SETS: [&str; 13] = [
    "system_admin",
    "center_admin",
    "dept_admin",
    "counter",
    "reviewer",
    "dept_head",
    "supervisor",
    "legal_review",
    "counter+reviewer",
    "reviewer+dept_head",
    "supervisor+reviewer",
    "person",
    "company",
];

/// Staff relations: the implementing department with the case unassigned,
/// assigned to the actor, assigned to a colleague; the joint review's
/// co-department; an unrelated department.
const STAFF_COLUMNS: [&str; 5] = ["home", "mine", "taken", "joint", "other"];
/// Public relations: the applicant himself, another citizen.
const PUBLIC_COLUMNS: [&str; 2] = ["applicant", "citizen"];

fn actor(set: &str, column: &str) -> Actor {
    let public = match set {
        "person" => Some(AccountKind::Person),
        "company" => Some(AccountKind::Company),
        _ => None,
    };
    match public {
        Some(kind) => Actor {
            user_id: if column == "applicant" { APPLICANT } else { CITIZEN },
            username: "x".into(),
            display_name: "x".into(),
            kind,
            department_id: None,
            roles: vec![],
            unqualified: vec![],
        },
        None => Actor {
            user_id: ME,
            username: "x".into(),
            display_name: "x".into(),
            kind: AccountKind::Staff,
            department_id: Some(match column {
                "joint" => JOINT,
                "other" => OTHER,
                _ => HOME,
            }),
            roles: set.split('+').map(|r| Role::parse(r).unwrap()).collect(),
            unqualified: vec![],
        },
    }
}

fn assignee(column: &str) -> Option<i64> {
    match column {
        "mine" => Some(ME),
        "taken" => Some(COLLEAGUE),
        _ => None,
    }
}

/// One action in one situation of the case.
struct Block {
    name: &'static str,
    state: CaseState,
    /// Current step (0-based) while in progress.
    step: usize,
    /// None: the same answer for an online and a walk-in case (checked).
    channel: Option<Channel>,
    withdrawal_requested: bool,
    kind: fn(&Actor) -> EventKind,
}

fn x() -> String {
    "x".into()
}

fn concluded(outcome: Outcome) -> EventKind {
    EventKind::Concluded { outcome, reason: x(), document_no: x(), valid_until: None, fee_fen: None }
}

fn blocks() -> Vec<Block> {
    use CaseState as S;
    use EventKind::*;
    let b = |name, state, step, channel, kind| Block { name, state, step, channel, withdrawal_requested: false, kind };
    let pending = |name, channel, kind| Block {
        name,
        state: S::InProgress,
        step: 1,
        channel: Some(channel),
        withdrawal_requested: true,
        kind,
    };
    vec![
        b("submit@online", S::Draft, 0, Some(Channel::Online), |_| Submitted),
        b("submit@walkin", S::Draft, 0, Some(Channel::Counter), |_| Submitted),
        b("supplement_request", S::Submitted, 0, None, |_| SupplementRequested { missing: vec![x()] }),
        b("supplement_provide", S::Supplementing, 0, None, |_| SupplementProvided),
        b("accept", S::Submitted, 0, None, |_| Accepted),
        b("refuse", S::Submitted, 0, None, |_| Refused { reason: x() }),
        b("pass@1", S::InProgress, 0, None, |_| StepPassed { opinion: x() }),
        b("pass@2", S::InProgress, 1, None, |_| StepPassed { opinion: x() }),
        b("pass@3", S::InProgress, 2, None, |_| StepPassed { opinion: x() }),
        b("return@2", S::InProgress, 1, None, |_| ReturnedToStep { step: 0, reason: x() }),
        b("return@deciding", S::Deciding, 3, None, |_| ReturnedToStep { step: 1, reason: x() }),
        b("transfer@2", S::InProgress, 1, None, |_| Transferred { to_user: COLLEAGUE, reason: x() }),
        b("urge@2", S::InProgress, 1, None, |_| Urged { message: x() }),
        b("extension_request@2", S::InProgress, 1, None, |_| ExtensionRequested { days: 10, reason: x() }),
        b("extension_decide@2", S::InProgress, 1, None, |_| ExtensionDecided { approved: true, opinion: x() }),
        b("special_start@2", S::InProgress, 1, None, |_| SpecialStarted { kind: x(), reason: x() }),
        b("special_end@2", S::InProgress, 1, None, |_| SpecialEnded { result: x() }),
        b("joint_answer@1", S::InProgress, 0, None, |a| JointAnswered {
            department_id: a.department_id.unwrap_or(JOINT),
            agree: true,
            opinion: x(),
        }),
        b("joint_answer@2", S::InProgress, 1, None, |a| JointAnswered {
            department_id: a.department_id.unwrap_or(JOINT),
            agree: true,
            opinion: x(),
        }),
        b("joint_close@2", S::InProgress, 1, None, |_| JointTimedOut { departments: vec![JOINT] }),
        b("grant", S::Deciding, 3, None, |_| concluded(Outcome::Granted)),
        b("deny", S::Deciding, 3, None, |_| concluded(Outcome::Denied)),
        b("void@2", S::InProgress, 1, None, |_| concluded(Outcome::Voided)),
        b("returned@supplementing", S::Supplementing, 0, None, |_| concluded(Outcome::Returned)),
        b("returned@2", S::InProgress, 1, None, |_| concluded(Outcome::Returned)),
        b("forwarded@2", S::InProgress, 1, None, |_| concluded(Outcome::Forwarded)),
        b("deliver", S::Concluded, 3, None, |_| Delivered { method: x(), tracking_no: String::new() }),
        b("withdraw@walkin", S::InProgress, 1, Some(Channel::Counter), |_| Withdrawn { reason: x() }),
        b("withdraw@online", S::InProgress, 1, Some(Channel::Online), |_| Withdrawn { reason: x() }),
        pending("withdraw@online+request", Channel::Online, |_| Withdrawn { reason: x() }),
        b("withdrawal_request@online", S::InProgress, 1, Some(Channel::Online), |_| WithdrawalRequested {
            reason: x(),
        }),
        b("withdrawal_request@walkin", S::InProgress, 1, Some(Channel::Counter), |_| WithdrawalRequested {
            reason: x(),
        }),
        pending("withdrawal_decline@online+request", Channel::Online, |_| WithdrawalDeclined { opinion: x() }),
        b("deemed_accept", S::Submitted, 0, None, |_| DeemedAccepted),
    ]
}

fn cell(r: Result<Option<Role>, Refusal>) -> String {
    match r {
        Ok(None) => "applicant".into(),
        Ok(Some(role)) => role.code().into(),
        Err(refusal) => format!("!{}", refusal.code()),
    }
}

fn decide(block: &Block, set: &str, column: &str) -> String {
    let it = item();
    let mut v = CaseView::new();
    v.state = block.state;
    v.step = block.step;
    if block.withdrawal_requested {
        v.withdrawal_requested = Some("申请人书面申请撤回".into());
    }
    let a = actor(set, column);
    let kind = (block.kind)(&a);
    let facts = |channel| CaseFacts {
        department_id: HOME,
        applicant_user_id: Some(APPLICANT),
        channel,
        assignee_id: assignee(column),
    };
    match block.channel {
        Some(c) => cell(may_act(&a, &facts(c), &it, &v, &kind)),
        None => {
            let online = cell(may_act(&a, &facts(Channel::Online), &it, &v, &kind));
            let walk_in = cell(may_act(&a, &facts(Channel::Counter), &it, &v, &kind));
            assert_eq!(online, walk_in, "{} {set} {column}: the channel should not matter", block.name);
            online
        }
    }
}

fn columns(set: &str) -> &'static [&'static str] {
    if matches!(set, "person" | "company") {
        &PUBLIC_COLUMNS
    } else {
        &STAFF_COLUMNS
    }
}

/// The table as the rules decide it, in the file's format.
fn computed() -> String {
    let mut out = String::new();
    for block in blocks() {
        out.push_str(&format!("\n== {}\n", block.name));
        out.push_str(&format!("{:<22}", "# staff"));
        for c in STAFF_COLUMNS {
            out.push_str(&format!("{c:<26}"));
        }
        out.push_str(&format!("\n{:<22}", "# public"));
        for c in PUBLIC_COLUMNS {
            out.push_str(&format!("{c:<26}"));
        }
        out.push('\n');
        for set in ROLE_SETS {
            out.push_str(&format!("{set:<22}"));
            for c in columns(set) {
                out.push_str(&format!("{:<26}", decide(&block, set, c)));
            }
            out = out.trim_end().to_string();
            out.push('\n');
        }
    }
    out
}

/// The file's rows: (block, role set, column) → expected cell.
fn parse(table: &str) -> BTreeMap<(String, String, String), String> {
    let mut rows = BTreeMap::new();
    let mut block = None;
    for (n, line) in table.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("==") {
            block = Some(name.trim().to_string());
            continue;
        }
        let block = block.clone().unwrap_or_else(|| panic!("line {}: a row before any block", n + 1));
        let mut cells = line.split_whitespace();
        let set = cells.next().unwrap().to_string();
        let cells: Vec<&str> = cells.collect();
        let cols = columns(&set);
        assert_eq!(cells.len(), cols.len(), "line {}: {} cells expected", n + 1, cols.len());
        for (c, v) in cols.iter().zip(cells) {
            let old = rows.insert((block.clone(), set.clone(), c.to_string()), v.to_string());
            assert!(old.is_none(), "line {}: {block} {set} twice", n + 1);
        }
    }
    rows
}

#[test]
fn case_actions_by_role_and_relation() {
    if std::env::var_os("ZWFW_PRINT_ACCESS_TABLE").is_some() {
        println!("{}", computed());
    }
    let expected = parse(TABLE);
    let actual = parse(&computed());
    let mut wrong = vec![];
    for (key, want) in &expected {
        match actual.get(key) {
            Some(got) if got == want => {}
            Some(got) => wrong.push(format!("{} | {} | {}: table {want}, rules {got}", key.0, key.1, key.2)),
            None => wrong.push(format!("{} | {} | {}: no such case in the test", key.0, key.1, key.2)),
        }
    }
    for key in actual.keys().filter(|k| !expected.contains_key(*k)) {
        wrong.push(format!("{} | {} | {}: missing from the table", key.0, key.1, key.2));
    }
    assert!(wrong.is_empty(), "{} rows differ:\n{}", wrong.len(), wrong.join("\n"));
    // Every refusal code in the table is a known one.
    for v in expected.values() {
        if let Some(code) = v.strip_prefix('!') {
            assert!(Refusal::parse(code).is_some(), "unknown code {code}");
        } else {
            assert!(v == "applicant" || Role::parse(v).is_ok(), "unknown role {v}");
        }
    }
}
