//! Electronic supervision (电子监察): evaluating the rules (in the background
//! job and on demand), findings and their rectification (整改), oversight
//! orders (督办) and the dashboard's figures. Supervision reads everything
//! and changes no case: nothing here writes to a case.

use crate::cases::{day_text, item_version};
use crate::error::Kind;
use crate::error::{AppError, AppResult};
use crate::messages::{finding_text, label};
use crate::state::{App, Ctx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};
use utoipa::ToSchema;
use zwfw_domain::admin::{Actor, Role};
use zwfw_domain::calendar::Calendar;
use zwfw_domain::cases::{CaseView, Event};
use zwfw_domain::supervision::{
    self as ds, Cutoffs, Fact, FindingAction, FindingState, OpenCase, OrderAction, OrderState, Params, Rule, RuleCode,
    RuleSet, SeenEvent, SupervisionError,
};
use zwfw_store::admin as sa;
use zwfw_store::interaction as si;
use zwfw_store::supervision::{self as ss, FindingRow, OpenCaseRow, OrderRow, Sweep};

impl From<SupervisionError> for AppError {
    fn from(e: SupervisionError) -> Self {
        let (status, code) = match &e {
            SupervisionError::WrongState(_) | SupervisionError::NoReplyNeeded => {
                (Kind::Conflict, "supervision_conflict")
            }
            SupervisionError::Calendar(_) => (Kind::Unavailable, "calendar_missing"),
            _ => (Kind::Invalid, "invalid_supervision"),
        };
        AppError::with_detail(status, code, crate::messages::supervision_error_text(&e))
    }
}

/// The job's name in the job table.
pub const JOB: &str = "supervision";
/// How long a server holds the job before another may take it over.
const LEASE_MS: i64 = 10 * 60 * 1000;

fn holder() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| format!("{}-{}", std::process::id(), hex::encode(rand::random::<[u8; 6]>())))
}

fn is_supervisor(a: &Actor) -> bool {
    a.has(Role::Supervisor)
}

// ---------- rules ----------

/// Adds the default rules that are not stored yet (first start, upgrades).
pub async fn ensure_rules(st: &App) -> AppResult<()> {
    let mut tx = st.store.begin().await?;
    for code in RuleCode::ALL {
        let params = serde_json::to_string(&code.default_params()).map_err(|e| AppError::Internal(e.to_string()))?;
        ss::add_rule_if_missing(
            &mut tx,
            code.code(),
            &label("rule", code.code()),
            code.severity().code(),
            &params,
            st.now_ms(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The rules as configured.
pub async fn rule_set(st: &App) -> AppResult<RuleSet> {
    let rows = ss::rules(&st.store).await?;
    Ok(RuleSet::from_rules(rows.iter().filter_map(|r| {
        Some(Rule {
            code: RuleCode::parse(&r.code)?,
            enabled: r.enabled,
            params: serde_json::from_str(&r.params)
                .unwrap_or_else(|_| RuleCode::parse(&r.code).unwrap().default_params()),
        })
    })))
}

/// A rule as shown and edited.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub code: String,
    pub name: String,
    /// warning | yellow | red | anomaly
    pub severity: String,
    pub enabled: bool,
    #[schema(value_type = Object)]
    pub params: Params,
    pub updated_at: i64,
}

pub async fn rules(st: &App, actor: &Actor) -> AppResult<Vec<RuleView>> {
    if !actor.is_staff() {
        return Err(AppError::forbidden());
    }
    let set = rule_set(st).await?;
    Ok(ss::rules(&st.store)
        .await?
        .into_iter()
        .filter_map(|r| {
            let code = RuleCode::parse(&r.code)?;
            Some(RuleView {
                code: r.code,
                name: r.name,
                severity: r.severity,
                enabled: r.enabled,
                params: set.get(code).params,
                updated_at: r.updated_at,
            })
        })
        .collect())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RuleInput {
    pub name: Option<String>,
    pub enabled: bool,
    pub days: Option<u32>,
    pub count: Option<u32>,
    pub reply_days: u32,
    /// Why the rule changes (kept in the audit trail).
    pub reason: String,
}

/// Changes a rule (supervision officers). The next evaluation is a full one,
/// so that the new parameters apply to every open case.
pub async fn update_rule(ctx: &Ctx<'_>, code: &str, input: &RuleInput) -> AppResult<RuleView> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !is_supervisor(actor) {
        return Err(AppError::forbidden());
    }
    let rule = RuleCode::parse(code).ok_or_else(|| AppError::not_found("rule"))?;
    let reason = ds::text("reason", &input.reason, 500)?;
    let params = Params { days: input.days, count: input.count, reply_days: input.reply_days };
    params.check(rule)?;
    let current = ss::rules(&ctx.state.store).await?;
    let old = current.iter().find(|r| r.code == code).ok_or_else(|| AppError::not_found("rule"))?;
    let name = match input.name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(n) => ds::text("name", n, 100)?,
        None => old.name.clone(),
    };
    let text = serde_json::to_string(&params).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = ctx.state.store.begin().await?;
    ss::update_rule(&mut tx, code, &name, &text, input.enabled, actor.user_id, ctx.now()).await?;
    ss::reset_job(&mut tx, JOB).await?;
    let e = ctx.entry(
        "supervision_rule",
        "supervision_rule",
        code,
        json!({"before": {"name": old.name, "enabled": old.enabled, "params": old.params},
               "after": {"name": name, "enabled": input.enabled, "params": params}}),
        &reason,
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    rules(ctx.state, actor).await?.into_iter().find(|r| r.code == code).ok_or_else(|| AppError::not_found("rule"))
}

// ---------- evaluation ----------

/// What one evaluation did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct EvalReport {
    /// full | incremental
    pub mode: String,
    /// Audit records read from the change feed.
    pub changes_read: usize,
    /// Case rows the rules looked at.
    pub cases_read: usize,
    pub new_findings: usize,
    /// New findings per rule code.
    pub by_rule: BTreeMap<String, usize>,
    /// Oversight orders that escalated.
    pub escalated: usize,
    pub millis: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct JobState {
    /// The last audit record read.
    seq: i64,
    /// The day evaluated last, and its W01 cutoff.
    day: String,
    warn_until: String,
    /// The R02 threshold day of the last run (yellow cards found up to it were checked).
    #[serde(default)]
    r02_until: Option<String>,
    /// The last audit record whose link was checked, and its hash (rule A07).
    #[serde(default)]
    audit_seq: i64,
    #[serde(default)]
    audit_hash: String,
    /// The last record of the database's guards read (rule A07).
    #[serde(default)]
    tamper_id: i64,
}

/// Who and what a finding is about, filled in before it is stored.
struct Pending {
    fact: Fact,
    object_kind: &'static str,
    object_id: i64,
    object_no: String,
    item_type: String,
    department_id: Option<i64>,
    responsible_user_id: Option<i64>,
}

/// The organisation as the job needs it: counties of departments, heads.
struct Org {
    county_of: HashMap<i64, Option<i64>>,
    /// Department names.
    departments_by_id: HashMap<i64, String>,
    heads: HashMap<i64, Vec<(i64, String)>>,
    names: HashMap<i64, String>,
    departments: Vec<i64>,
}

async fn org(st: &App) -> AppResult<Org> {
    let regions = sa::list_regions(&st.store).await?;
    let county = |rid: i64| -> Option<i64> {
        let r = regions.iter().find(|r| r.id == rid)?;
        match r.level {
            zwfw_domain::ids::RegionLevel::County => Some(r.id),
            zwfw_domain::ids::RegionLevel::Town => r.parent_id,
            _ => None,
        }
    };
    let depts = sa::list_departments(&st.store).await?;
    let mut heads: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    let mut names = HashMap::new();
    for u in sa::list_staff(&st.store, None).await? {
        names.insert(u.id, u.display_name.clone());
        if u.active && u.roles.contains(&Role::DeptHead) {
            if let Some(d) = u.department_id {
                heads.entry(d).or_default().push((u.id, u.display_name.clone()));
            }
        }
    }
    Ok(Org {
        county_of: depts.iter().map(|d| (d.id, county(d.region_id))).collect(),
        departments_by_id: depts.iter().map(|d| (d.id, d.name.clone())).collect(),
        heads,
        names,
        departments: depts.iter().map(|d| d.id).collect(),
    })
}

fn parse_day(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(zwfw_domain::time::parse_ymd)
}

fn open_case(r: &OpenCaseRow) -> OpenCase {
    OpenCase {
        state: r.state.clone(),
        suspended: r.suspended,
        step_no: r.step_no,
        step_due: parse_day(r.step_due.as_deref()),
        promised_due: parse_day(r.promised_due.as_deref()),
        legal_due: parse_day(r.legal_due.as_deref()),
        deemed_accepted: r.deemed_accepted,
        supplement_notices: r.supplement_notices,
    }
}

/// Runs the rules once. `full` reads every open case; otherwise only what
/// changed since the last run (the audit trail is the change feed) and the
/// cases whose deadlines the days since then passed. Returns `None` when
/// another server is running it.
pub async fn evaluate(st: &App, full: bool) -> AppResult<Option<EvalReport>> {
    let started = std::time::Instant::now();
    let Some(state_text) = ss::claim_job(&st.store, JOB, holder(), st.now_ms(), LEASE_MS).await? else {
        return Ok(None);
    };
    let result = run(st, full, &state_text).await;
    let millis = started.elapsed().as_millis() as u64;
    match result {
        Ok((mut report, state)) => {
            report.millis = millis;
            let text = serde_json::to_string(&state).map_err(|e| AppError::Internal(e.to_string()))?;
            let summary = serde_json::to_string(&report).unwrap_or_default();
            ss::finish_job(&st.store, JOB, holder(), Some(&text), &summary, None, st.now_ms()).await?;
            if report.new_findings > 0 || report.escalated > 0 {
                // This server's dashboard shows them at once.
                *st.dashboard.lock().expect("dashboard lock") = None;
            }
            Ok(Some(report))
        }
        Err(e) => {
            ss::finish_job(&st.store, JOB, holder(), None, "", Some(&e.to_string()), st.now_ms()).await.ok();
            Err(e)
        }
    }
}

async fn run(st: &App, full: bool, state_text: &str) -> AppResult<(EvalReport, JobState)> {
    let cal = st.calendar();
    let rules = rule_set(st).await?;
    let today = st.today();
    let cut = Cutoffs::on(&cal, &rules, today)?;
    let previous: Option<JobState> = serde_json::from_str(state_text).ok();
    let full = full || previous.is_none();
    // Read the head first: what is written meanwhile is read next time.
    let head = zwfw_store::audit::head_seq(&st.store).await?;
    let org = org(st).await?;
    let mut report = EvalReport { mode: if full { "full" } else { "incremental" }.into(), ..Default::default() };
    let (ty, wu) = (day_text(today), day_text(cut.warn_until));

    // 1. Cases: the time rules on the projection, the history rules on those
    // touched. One task reads and judges them while this one writes what it
    // found, so that reading the next page overlaps writing the last (on
    // SQLite the readers are connections of their own beside the writer).
    let org = Arc::new(org);
    let reading = Reading {
        st: st.clone(),
        cal: cal.clone(),
        rules: rules.clone(),
        cut,
        org: org.clone(),
        full,
        previous: previous.clone().unwrap_or_default(),
        head,
    };
    let (send, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
    let reader = tokio::spawn(read_cases(reading, send));
    let written = async {
        while let Some(b) = batches.recv().await {
            report.cases_read += b.cases_read;
            write(st, &rules, &org, b.fresh, &mut report).await?;
        }
        AppResult::Ok(())
    }
    .await;
    if written.is_err() {
        reader.abort();
    }
    written?;
    report.changes_read = reader.await.map_err(|e| AppError::Internal(format!("case reader: {e}")))??;

    // 2. Submissions and bad-rating follow-ups past their due day (A08).
    let mut pending = vec![];
    for (id, code, dept, due) in ss::overdue_interactions(&st.store, &ty).await? {
        if let Some(f) = parse_day(Some(&due)).and_then(|d| ds::overdue_answer(&rules, "", d, false, today)) {
            pending.push(Pending {
                fact: f,
                object_kind: "interaction",
                object_id: id,
                object_no: code,
                item_type: String::new(),
                department_id: Some(dept),
                responsible_user_id: None,
            });
        }
    }
    for (id, case_id, dept, handler, due) in ss::overdue_follow_ups(&st.store, &ty).await? {
        if let Some(f) = parse_day(Some(&due)).and_then(|d| ds::overdue_answer(&rules, "follow_up", d, false, today)) {
            let case_no = zwfw_store::cases::get_case(&st.store, case_id).await.ok().and_then(|c| c.case_no);
            pending.push(Pending {
                fact: f,
                object_kind: "rating",
                object_id: id,
                object_no: format!("差评整改（办件 {}）", case_no.unwrap_or_default()),
                item_type: String::new(),
                department_id: Some(dept),
                responsible_user_id: handler,
            });
        }
    }
    // 3. Yellow cards not rectified in time (R02): those found in the days
    // that crossed the threshold since the last run; and repeated ones (R03).
    let r02_until = ds::unrectified_until(&cal, &rules, today)?.map(day_text);
    if let Some(until) = &r02_until {
        let after = if full { None } else { previous.as_ref().and_then(|p| p.r02_until.clone()) };
        for (case_id, found_on, dept) in ss::unclosed_yellow(&st.store, after.as_deref(), until).await? {
            let Some(on) = parse_day(Some(&found_on)) else { continue };
            if let Some(f) = ds::unrectified(&cal, &rules, on, false, today)? {
                let case_no = zwfw_store::cases::get_case(&st.store, case_id).await.ok().and_then(|c| c.case_no);
                pending.push(Pending {
                    fact: f,
                    object_kind: "case",
                    object_id: case_id,
                    object_no: case_no.unwrap_or_default(),
                    item_type: String::new(),
                    department_id: dept,
                    responsible_user_id: None,
                });
            }
        }
    }
    let month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month");
    let prefix = format!("{}:", month.format("%Y-%m"));
    for (key, _, n) in ss::tallies(&st.store, "yellow_month", &prefix).await? {
        let Some(dept) = key.strip_prefix(&prefix).and_then(|d| d.parse::<i64>().ok()) else { continue };
        if let Some(f) = ds::repeated_yellow(&rules, month, n) {
            pending.push(Pending {
                fact: f,
                object_kind: "department",
                object_id: dept,
                object_no: org.departments_by_id.get(&dept).cloned().unwrap_or_default(),
                item_type: String::new(),
                department_id: Some(dept),
                responsible_user_id: None,
            });
        }
    }
    // 4. The audit trail since the last check (A07): checked once, whatever the mode.
    let prev = previous.clone().unwrap_or_default();
    let start_hash = if prev.audit_hash.is_empty() { zwfw_domain::audit::GENESIS_HASH } else { &prev.audit_hash };
    let (defects, audit_seq, audit_hash) =
        zwfw_store::audit::verify_since(&st.store, prev.audit_seq, start_hash, head).await?;
    for d in &defects {
        tracing::error!(defect = %d, "audit trail defect");
        if let Some(f) = ds::audit_fact(&rules, d) {
            pending.push(Pending {
                fact: f,
                object_kind: "audit",
                object_id: d.seq(),
                object_no: d.seq().to_string(),
                item_type: String::new(),
                department_id: None,
                responsible_user_id: None,
            });
        }
    }
    // 5. What the database's guards saw (A07): deletions of business data,
    // rewritten append-only records, edited item versions; and guards gone.
    let mut tamper_id = prev.tamper_id;
    loop {
        let seen = zwfw_store::guards::tamper_after(&st.store, tamper_id, 10_000).await?;
        let Some(last) = seen.last() else { break };
        tamper_id = last.id;
        for t in &seen {
            tracing::error!(table = %t.table_name, op = %t.op, key = %t.row_key, "business data changed around the program");
            if let Some(f) = ds::data_fact(&rules, t.id, &t.table_name, &t.op, &t.row_key, t.at) {
                // The department the row belonged to, when it names one.
                let row: serde_json::Value = serde_json::from_str(&t.row_data).unwrap_or_default();
                let department_id = ["handling_department_id", "department_id"]
                    .iter()
                    .find_map(|k| row.get(*k).and_then(|v| v.as_i64()))
                    .filter(|d| org.departments_by_id.contains_key(d));
                pending.push(Pending {
                    fact: f,
                    object_kind: "data",
                    object_id: t.id,
                    object_no: format!("{}:{}", t.table_name, t.row_key),
                    item_type: String::new(),
                    department_id,
                    responsible_user_id: None,
                });
            }
        }
    }
    for g in zwfw_store::guards::missing_guards(&st.store).await? {
        tracing::error!(guard = g, "a guard trigger is missing");
        if let Some(f) = ds::guard_fact(&rules, g) {
            pending.push(Pending {
                fact: f,
                object_kind: "guard",
                object_id: 0,
                object_no: g.to_string(),
                item_type: String::new(),
                department_id: None,
                responsible_user_id: None,
            });
        }
    }
    record(st, &rules, &org, pending, &mut report).await?;

    // 6. Oversight orders past their due day escalate.
    report.escalated = escalate_orders(st, &cal, &org, today).await?;
    Ok((report, JobState { seq: head, day: ty, warn_until: wu, r02_until, audit_seq, audit_hash, tamper_id }))
}

/// What the case reader needs, owned (it runs on a task of its own).
struct Reading {
    st: App,
    cal: Arc<Calendar>,
    rules: RuleSet,
    cut: Cutoffs,
    org: Arc<Org>,
    full: bool,
    previous: JobState,
    /// The audit position up to which changes are read.
    head: i64,
}

/// Facts of cases not yet recorded, and how many cases were read for them.
struct Batch {
    cases_read: usize,
    fresh: Vec<Pending>,
}

/// The cases to judge in rows of at most this many per batch.
const BATCH_CASES: usize = ss::SWEEP_PAGE as usize;

/// Reads the cases the run must judge and sends their new facts, batch by
/// batch: every open case near or past a deadline (full run), or those
/// touched since the last run and those whose deadline a new day reached
/// (incremental run). Returns how many audit records it read for changes.
async fn read_cases(r: Reading, out: tokio::sync::mpsc::Sender<Batch>) -> AppResult<usize> {
    let st = &r.st;
    let (ty, wu) = (day_text(r.cut.today), day_text(r.cut.warn_until));
    let mut changes_read = 0;
    if r.full {
        let mut after = 0;
        loop {
            let rows = ss::sweep(&st.store, &Sweep::Full { today: ty.clone(), warn_until: wu.clone(), after }).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let n = rows.len();
            if !judge(&r, rows, false, &out).await? || (n as i64) < ss::SWEEP_PAGE {
                break;
            }
        }
        return Ok(changes_read);
    }
    let prev = &r.previous;
    let mut touched: Vec<i64> = vec![];
    let mut seen: HashSet<i64> = HashSet::new();
    let mut after = prev.seq;
    while after < r.head {
        let page = ss::changes(&st.store, after, 20_000).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        changes_read += page.len();
        for (seq, kind, id) in page {
            if seq > r.head {
                break;
            }
            if kind == "case" {
                if let Ok(id) = id.parse::<i64>() {
                    if seen.insert(id) {
                        touched.push(id);
                    }
                }
            }
        }
    }
    if prev.day != ty {
        let from = &prev.day;
        let mut rows = ss::sweep(&st.store, &Sweep::Promised { from: from.clone(), to: wu.clone() }).await?;
        rows.extend(ss::sweep(&st.store, &Sweep::Legal { from: from.clone(), to: ty.clone() }).await?);
        for d in &r.org.departments {
            rows.extend(
                ss::sweep(&st.store, &Sweep::Step { department_id: *d, from: from.clone(), to: ty.clone() }).await?,
            );
        }
        rows.extend(ss::sweep(&st.store, &Sweep::Suspended).await?);
        rows.retain(|c| !seen.contains(&c.id));
        let mut once = HashSet::new();
        rows.retain(|c| once.insert(c.id));
        while !rows.is_empty() {
            let rest = rows.split_off(rows.len().min(BATCH_CASES));
            if !judge(&r, std::mem::replace(&mut rows, rest), false, &out).await? {
                return Ok(changes_read);
            }
        }
    }
    for chunk in touched.chunks(500) {
        let rows = ss::sweep(&st.store, &Sweep::Ids(chunk.to_vec())).await?;
        if !judge(&r, rows, true, &out).await? {
            break;
        }
    }
    Ok(changes_read)
}

/// Judges `rows` and sends the facts not yet recorded; false when the writer is gone.
async fn judge(
    r: &Reading,
    rows: Vec<OpenCaseRow>,
    history: bool,
    out: &tokio::sync::mpsc::Sender<Batch>,
) -> AppResult<bool> {
    let cases_read = rows.len();
    let pending = case_facts(&r.st, &r.cal, &r.rules, &r.cut, &rows, history).await?;
    let fresh = unknown(&r.st, pending).await?;
    Ok(out.send(Batch { cases_read, fresh }).await.is_ok())
}

/// The facts of these cases: the time rules on their projection, and the
/// history rules on their events when `history` (or their clock when suspended).
async fn case_facts(
    st: &App,
    cal: &Calendar,
    rules: &RuleSet,
    cut: &Cutoffs,
    rows: &[OpenCaseRow],
    history: bool,
) -> AppResult<Vec<Pending>> {
    let mut pending = vec![];
    for r in rows {
        let mut facts = if r.concluded { vec![] } else { ds::case_facts(rules, &open_case(r), cut) };
        let item = item_version(st, r.version_id).await?;
        if history || r.suspended {
            let case = zwfw_store::cases::get_case(&st.store, r.id).await?;
            let view: Option<CaseView> = serde_json::from_str(&case.p.view).ok();
            if history {
                let events = zwfw_store::cases::events(&st.store, r.id).await?;
                let mut seen = vec![];
                let mut fee = None;
                for e in &events {
                    if let Ok(ev) = serde_json::from_value::<Event>(e.body.clone()) {
                        if let zwfw_domain::cases::EventKind::Concluded { fee_fen: Some(f), .. } = &ev.kind {
                            fee = Some(*f);
                        }
                        seen.push(SeenEvent { kind: ev.kind, step_name: e.step_name.clone() });
                    }
                }
                facts.extend(ds::history_facts(cal, rules, &item, &seen, view.as_ref(), fee, cut.today)?);
            } else if let Some(clock) = view.as_ref().and_then(|v| v.clock.as_ref()) {
                if rules.on(RuleCode::A06) {
                    facts.extend(ds::clock_facts(cal, &item, clock, cut.today)?);
                }
            }
        }
        for f in facts {
            pending.push(Pending {
                fact: f,
                object_kind: "case",
                object_id: r.id,
                object_no: r.case_no.clone(),
                item_type: item.item_type.code().to_string(),
                department_id: Some(r.handling_department_id.unwrap_or(r.department_id)),
                responsible_user_id: r.assignee_id,
            });
        }
    }
    Ok(pending)
}

/// Stores the facts not yet known as findings (see [`write`]).
async fn record(st: &App, rules: &RuleSet, org: &Org, pending: Vec<Pending>, report: &mut EvalReport) -> AppResult<()> {
    let fresh = unknown(st, pending).await?;
    write(st, rules, org, fresh, report).await
}

/// The facts not recorded yet, found without touching the write lock.
async fn unknown(st: &App, pending: Vec<Pending>) -> AppResult<Vec<Pending>> {
    if pending.is_empty() {
        return Ok(pending);
    }
    let mut known: HashSet<(String, &'static str, i64, String)> = HashSet::new();
    let kinds: std::collections::BTreeSet<&'static str> = pending.iter().map(|p| p.object_kind).collect();
    for kind in kinds {
        let ids: Vec<i64> = pending.iter().filter(|p| p.object_kind == kind).map(|p| p.object_id).collect();
        for (rule, id, key) in ss::known_facts(&st.store, kind, &ids).await? {
            known.insert((rule, kind, id, key));
        }
    }
    let fresh: Vec<Pending> = pending
        .into_iter()
        .filter(|p| !known.contains(&(p.fact.rule.code().to_string(), p.object_kind, p.object_id, p.fact.key.clone())))
        .collect();
    Ok(fresh)
}

/// Stores new facts as findings, in one transaction, with one in-app message
/// per person told and one audit record (a fact recorded meanwhile is skipped).
async fn write(st: &App, rules: &RuleSet, org: &Org, fresh: Vec<Pending>, report: &mut EvalReport) -> AppResult<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    let cal = st.calendar();
    let today = st.today();
    let now = st.now_ms();
    let found_on = day_text(today);
    let reply_due = |rule: RuleCode| -> AppResult<Option<String>> {
        Ok(match rule.severity().needs_reply() {
            true => Some(day_text(cal.add_working_days(today, rules.get(rule).params.reply_days)?)),
            false => None,
        })
    };
    let mut tx = st.store.begin().await?;
    let first =
        zwfw_store::cases::reserve_serials(&mut tx, &format!("SV{}", today.format("%Y%m%d")), fresh.len() as i64)
            .await?;
    let mut rows = Vec::with_capacity(fresh.len());
    let mut people: HashMap<String, Vec<i64>> = HashMap::new();
    let names: Vec<String> = fresh
        .iter()
        .map(|p| {
            let heads = p.department_id.and_then(|d| org.heads.get(&d));
            let responsible = p.responsible_user_id.or_else(|| heads.and_then(|h| h.first()).map(|h| h.0));
            responsible.and_then(|u| org.names.get(&u)).cloned().unwrap_or_default()
        })
        .collect();
    for (n, p) in fresh.iter().enumerate() {
        let rule = p.fact.rule;
        let heads = p.department_id.and_then(|d| org.heads.get(&d));
        let finding_no = ds::finding_number(today, first + n as i64);
        let mut told: Vec<i64> = heads.map(|h| h.iter().map(|x| x.0).collect()).unwrap_or_default();
        told.extend(p.responsible_user_id);
        told.sort_unstable();
        told.dedup();
        people.insert(finding_no.clone(), told);
        rows.push(ss::NewFinding {
            finding_no,
            rule_code: rule.code(),
            severity: rule.severity().code(),
            object_kind: p.object_kind,
            object_id: p.object_id,
            fact_key: &p.fact.key,
            object_no: &p.object_no,
            item_type: &p.item_type,
            department_id: p.department_id,
            county_region_id: p.department_id.and_then(|d| org.county_of.get(&d).copied().flatten()),
            responsible_user_id: p.responsible_user_id.or_else(|| heads.and_then(|h| h.first()).map(|h| h.0)),
            responsible_name: &names[n],
            description: finding_text(rule.code(), &p.fact.detail, &p.object_no),
            detail: p.fact.detail.to_string(),
            found_on: &found_on,
            state: FindingState::initial(rule.severity()).code(),
            reply_due: reply_due(rule)?,
        });
    }
    let inserted = ss::insert_findings(&mut tx, &rows, now).await?;
    // Running counts, one message per person told, one audit record.
    let mut active: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut told: BTreeMap<i64, BTreeMap<String, usize>> = BTreeMap::new();
    for f in &inserted {
        *report.by_rule.entry(f.rule_code.clone()).or_default() += 1;
        let dept = f.department_id.map(|d| d.to_string()).unwrap_or_default();
        *active.entry((dept, f.severity.clone())).or_default() += 1;
        for u in people.get(&f.finding_no).into_iter().flatten() {
            *told.entry(*u).or_default().entry(f.severity.clone()).or_default() += 1;
        }
    }
    let mut per_day: BTreeMap<String, i64> = BTreeMap::new();
    for ((dept, sev), n) in &active {
        ss::tally(&mut tx, "active", dept, sev, *n).await?;
        *per_day.entry(sev.clone()).or_default() += n;
    }
    for (sev, n) in &per_day {
        ss::tally(&mut tx, "day", &found_on, sev, *n).await?;
    }
    let mut yellow: BTreeMap<String, i64> = BTreeMap::new();
    // Every yellow card counts towards R03, found by the rules or recorded by an officer.
    for f in inserted.iter().filter(|f| f.severity == ds::Severity::Yellow.code()) {
        let dept = f.department_id.map(|d| d.to_string()).unwrap_or_default();
        *yellow.entry(format!("{}:{dept}", today.format("%Y-%m"))).or_default() += 1;
    }
    for (key, n) in &yellow {
        ss::tally(&mut tx, "yellow_month", key, "yellow", *n).await?;
    }
    for (user, counts) in &told {
        let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{}{n}条", label("severity", s))).collect();
        si::notify_users(&mut tx, &[*user], "新的电子监察事项", &parts.join("，"), "/supervision/findings", now)
            .await?;
    }
    if let (Some(a), Some(b)) = (inserted.first(), inserted.last()) {
        let ctx = Ctx { state: st, actor: None, client_addr: "job".into() };
        let e = ctx.entry(
            "supervision_findings",
            "supervision",
            a.id,
            json!({"count": inserted.len(), "first": a.finding_no, "last": b.finding_no, "by_rule": report.by_rule}),
            "",
        );
        ctx.audit(&mut tx, e).await?;
    }
    tx.commit().await?;
    report.new_findings += inserted.len();
    Ok(())
}

async fn escalate_orders(st: &App, cal: &Calendar, org: &Org, today: NaiveDate) -> AppResult<usize> {
    let mut n = 0;
    for id in ss::overdue_orders(&st.store, &day_text(today)).await? {
        let mut tx = st.store.begin().await?;
        let o = ss::lock_order(&mut tx, id).await?;
        let state = OrderState::parse(&o.state).unwrap_or(OrderState::Closed);
        let Some(due) = parse_day(Some(&o.due)) else { continue };
        let Some(new_due) = ds::escalation(cal, state, due, o.days as u32, today)? else { continue };
        let now = st.now_ms();
        ss::escalate_order(&mut tx, id, &day_text(new_due), now).await?;
        let text = format!("第{}次升级，新的答复期限 {}", o.level + 1, day_text(new_due));
        ss::add_event(&mut tx, "order", id, "escalated", None, "系统", &text, "[]", now).await?;
        let mut people: Vec<i64> =
            org.heads.get(&o.department_id).map(|h| h.iter().map(|x| x.0).collect()).unwrap_or_default();
        people.push(o.issued_by);
        let title = format!("督办 {} 逾期未答复，已升级", o.order_no);
        si::notify_users(&mut tx, &people, &title, &text, &format!("/supervision/orders/{id}"), now).await?;
        let ctx = Ctx { state: st, actor: None, client_addr: "job".into() };
        let e = ctx.entry(
            "order_escalated",
            "oversight_order",
            id,
            json!({"level": o.level + 1, "due": day_text(new_due)}),
            "",
        );
        ctx.audit(&mut tx, e).await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n)
}

/// The job's last run, for the supervision pages.
pub async fn job_status(st: &App) -> AppResult<Option<ss::JobRow>> {
    Ok(ss::job(&st.store, JOB).await?)
}

// ---------- findings ----------

/// The finding (Y02) a complaint about staff conduct became, if any.
pub async fn conduct_finding_of(st: &App, interaction_id: i64) -> AppResult<Option<FindingRow>> {
    let filter = ss::FindingFilter {
        object: Some(("interaction".into(), interaction_id)),
        rule_code: Some(RuleCode::Y02.code().into()),
        limit: 1,
        ..Default::default()
    };
    Ok(ss::list_findings(&st.store, &filter).await?.0.into_iter().next())
}

/// What a supervision officer found on a complaint about staff conduct.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ConductInput {
    /// What the check found (核实情况, required).
    pub found: String,
    /// The department responsible; by default the one handling the complaint.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// The staff member concerned, of that department (optional; else its head).
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
}

/// Records a verified complaint about staff conduct as a finding (Y02, a
/// yellow card) for the department to rectify (regulation 001 第十二条).
/// A complaint gives one such finding: asking again answers with it.
pub async fn conduct_finding(ctx: &Ctx<'_>, interaction_id: i64, input: &ConductInput) -> AppResult<FindingRow> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !is_supervisor(actor) {
        return Err(AppError::forbidden());
    }
    let row = si::get(&st.store, interaction_id).await.map_err(|_| AppError::not_found("interaction"))?;
    let rules = rule_set(st).await?;
    let fact = ds::conduct_fact(&rules, &row.kind, row.staff_conduct, &input.found)?;
    if let Some(f) = conduct_finding_of(st, interaction_id).await? {
        return Ok(f);
    }
    let department_id = input.department_id.unwrap_or(row.department_id);
    let dept = sa::get_department(&st.store, department_id).await.map_err(|_| AppError::not_found("department"))?;
    if !dept.active {
        return Err(AppError::not_found("department"));
    }
    if let Some(u) = input.responsible_user_id {
        let user = sa::get_user(&st.store, u).await.map_err(|_| AppError::invalid("responsible_user_id"))?;
        if user.department_id != Some(department_id) || !user.active {
            return Err(AppError::invalid("responsible_user_id"));
        }
    }
    let org = org(st).await?;
    let mut report = EvalReport::default();
    let pending = Pending {
        fact,
        object_kind: "interaction",
        object_id: interaction_id,
        object_no: row.code.clone(),
        item_type: String::new(),
        department_id: Some(department_id),
        responsible_user_id: input.responsible_user_id,
    };
    record(st, &rules, &org, vec![pending], &mut report).await?;
    let f = conduct_finding_of(st, interaction_id)
        .await?
        .ok_or_else(|| AppError::Internal("the finding was not recorded".into()))?;
    if report.new_findings > 0 {
        let mut tx = st.store.begin().await?;
        si::add_event(
            &mut tx,
            interaction_id,
            &si::NewEvent {
                actor_id: Some(actor.user_id),
                actor_name: &actor.display_name,
                kind: "supervision_finding",
                from_department_id: None,
                to_department_id: Some(department_id),
                detail: &f.finding_no,
                reason: "",
            },
            ctx.now(),
        )
        .await?;
        let e = ctx.entry(
            "conduct_finding",
            "interaction",
            interaction_id,
            json!({"finding_no": f.finding_no, "department_id": department_id, "responsible_user_id": input.responsible_user_id}),
            input.found.trim(),
        );
        ctx.audit(&mut tx, e).await?;
        tx.commit().await?;
        *st.dashboard.lock().expect("dashboard lock") = None;
    }
    Ok(f)
}

/// May this person read this finding? Supervision reads all; staff read
/// their department's.
fn may_read_finding(actor: &Actor, f: &FindingRow) -> bool {
    is_supervisor(actor) || actor.is_global_admin() || (actor.is_staff() && actor.department_id == f.department_id)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FindingQuery {
    pub department_id: Option<i64>,
    pub county_region_id: Option<i64>,
    /// warning | yellow | red | anomaly
    pub severity: Option<String>,
    pub rule: Option<String>,
    /// noted | open | replied | closed | active (all but closed)
    pub state: Option<String>,
    pub case_id: Option<i64>,
    /// Only those whose reply is overdue.
    #[serde(default)]
    pub reply_overdue: bool,
    pub page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingPage {
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<FindingRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE: i64 = 30;

pub async fn list_findings(st: &App, actor: &Actor, q: &FindingQuery) -> AppResult<FindingPage> {
    if !actor.is_staff() {
        return Err(AppError::forbidden());
    }
    let department_id = if is_supervisor(actor) || actor.is_global_admin() {
        q.department_id
    } else {
        match actor.department_id {
            Some(d) => Some(d),
            None => return Err(AppError::forbidden()),
        }
    };
    let page = q.page.unwrap_or(1).max(1);
    let f = ss::FindingFilter {
        department_id,
        county_region_id: q.county_region_id,
        severity: q.severity.clone().filter(|s| ds::Severity::parse(s).is_some()),
        rule_code: q.rule.clone().filter(|s| RuleCode::parse(s).is_some()),
        state: q.state.clone().filter(|s| s == FindingState::ACTIVE_CODE || FindingState::parse(s).is_some()),
        object: q.case_id.map(|c| ("case".to_string(), c)),
        reply_overdue_on: q.reply_overdue.then(|| day_text(st.today())),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let (rows, total) = ss::list_findings(&st.store, &f).await?;
    Ok(FindingPage { rows, total, page, per_page: PER_PAGE })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingDetail {
    #[schema(value_type = Object)]
    pub finding: FindingRow,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<ss::EventRow>,
    #[schema(value_type = Vec<Object>)]
    pub orders: Vec<OrderRow>,
    /// What the reader may do: reply | accept | reject | close | order
    pub actions: Vec<String>,
    /// The reply is past its due day.
    pub reply_overdue: bool,
}

fn finding_actions(actor: &Actor, f: &FindingRow) -> Vec<String> {
    let state = FindingState::parse(&f.state).unwrap_or(FindingState::Closed);
    let mut out = vec![];
    let dept = actor.is_staff() && actor.department_id == f.department_id;
    let may_reply = dept && (actor.has(Role::DeptHead) || f.responsible_user_id == Some(actor.user_id));
    if may_reply && ds::finding_next(state, FindingAction::Reply).is_ok() {
        out.push("reply".into());
    }
    if is_supervisor(actor) {
        for (a, name) in
            [(FindingAction::Accept, "accept"), (FindingAction::Reject, "reject"), (FindingAction::Close, "close")]
        {
            if ds::finding_next(state, a).is_ok() {
                out.push(name.into());
            }
        }
        if state != FindingState::Closed && f.department_id.is_some() {
            out.push("order".into());
        }
    }
    out
}

pub async fn finding_detail(st: &App, actor: &Actor, id: i64) -> AppResult<FindingDetail> {
    let f = ss::get_finding(&st.store, id).await?;
    if !may_read_finding(actor, &f) {
        return Err(AppError::not_found("finding"));
    }
    let events = ss::events(&st.store, "finding", id).await?;
    let orders = ss::list_orders(&st.store, None, Some(id), None, 50).await?;
    let reply_overdue = f.state == FindingState::Open.code()
        && f.reply_due.as_deref().is_some_and(|d| d < day_text(st.today()).as_str());
    Ok(FindingDetail { actions: finding_actions(actor, &f), finding: f, events, orders, reply_overdue })
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FindingActionInput {
    /// reply (the department) | accept | reject | close (supervision)
    pub action: String,
    #[serde(default)]
    pub text: String,
}

/// A stored attachment (from the page's upload).
pub type Attachment = crate::interaction::Attachment;

/// The text of an action (optional when accepting) and its attachments as stored JSON.
fn action_input(accepting: bool, text: &str, files: &[Attachment]) -> AppResult<(String, String)> {
    let text = if accepting { text.trim().to_string() } else { ds::text("text", text, ds::MAX_TEXT)? };
    if files.len() > crate::interaction::MAX_ATTACHMENTS {
        return Err(AppError::with_detail(
            Kind::Invalid,
            "too_many_files",
            crate::interaction::MAX_ATTACHMENTS.to_string(),
        ));
    }
    let files = serde_json::to_string(files).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((text, files))
}

/// One action on a finding or an order, as recorded.
struct Recorded<'a> {
    /// `finding` or `order` (the event's object; `oversight_order` in the audit trail)
    object: &'static str,
    id: i64,
    no: &'a str,
    action: &'a str,
    from: &'a str,
    to: &'a str,
    text: &'a str,
    files: &'a str,
    /// Who is told, and what.
    people: &'a [i64],
    title: &'a str,
    body: &'a str,
    link: &'a str,
}

/// Appends the event, tells the other side and writes the audit record.
async fn record_action(ctx: &Ctx<'_>, tx: &mut zwfw_store::Tx, actor: &Actor, r: Recorded<'_>) -> AppResult<()> {
    let now = ctx.now();
    ss::add_event(tx, r.object, r.id, r.action, Some(actor.user_id), &actor.display_name, r.text, r.files, now).await?;
    si::notify_users(tx, r.people, r.title, r.body, r.link, now).await?;
    let audit_type = if r.object == "order" { "oversight_order" } else { r.object };
    let e = ctx.entry(
        &format!("{}_{}", r.object, r.action),
        audit_type,
        r.id,
        json!({"no": r.no, "from": r.from, "to": r.to, "files": serde_json::from_str::<serde_json::Value>(r.files).ok()}),
        r.text,
    );
    ctx.audit(tx, e).await
}

/// Replies to, accepts, rejects or closes a finding.
pub async fn finding_act(
    ctx: &Ctx<'_>,
    id: i64,
    input: &FindingActionInput,
    files: Vec<Attachment>,
) -> AppResult<FindingDetail> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let first = ss::get_finding(&st.store, id).await?;
    if !may_read_finding(actor, &first) {
        return Err(AppError::not_found("finding"));
    }
    let action = match input.action.as_str() {
        "reply" => FindingAction::Reply,
        "accept" => FindingAction::Accept,
        "reject" => FindingAction::Reject,
        "close" => FindingAction::Close,
        _ => return Err(AppError::with_detail(Kind::BadInput, "invalid_action", "action")),
    };
    let mut tx = st.store.begin().await?;
    let f = ss::lock_finding(&mut tx, id).await?;
    let allowed = finding_actions(actor, &f);
    if !allowed.iter().any(|a| a == &input.action) {
        let state = FindingState::parse(&f.state).unwrap_or(FindingState::Closed);
        // Say why: the state forbids it, or the person may not.
        ds::finding_next(state, action)?;
        return Err(AppError::forbidden());
    }
    let state = FindingState::parse(&f.state).unwrap_or(FindingState::Closed);
    let next = ds::finding_next(state, action)?;
    let now = ctx.now();
    let (text, files_json) = action_input(action == FindingAction::Accept, &input.text, &files)?;
    match action {
        FindingAction::Reply => ss::reply_finding(&mut tx, id, &text, &files_json, actor.user_id, now).await?,
        FindingAction::Reject => {
            let days =
                rule_set(st).await?.get(RuleCode::parse(&f.rule_code).unwrap_or(RuleCode::Y01)).params.reply_days;
            let due = day_text(st.calendar().add_working_days(st.today(), days)?);
            ss::decide_finding(&mut tx, id, next.code(), &text, Some(&due), actor.user_id, now).await?
        }
        _ => ss::decide_finding(&mut tx, id, next.code(), &text, None, actor.user_id, now).await?,
    }
    if next == FindingState::Closed {
        let dept = f.department_id.map(|d| d.to_string()).unwrap_or_default();
        ss::tally(&mut tx, "active", &dept, &f.severity, -1).await?;
    }
    // Tell the other side.
    let (title, people) = match action {
        FindingAction::Reply => {
            let mut p: Vec<i64> = f.decided_by.into_iter().collect();
            if p.is_empty() {
                p = sa::list_staff(&st.store, None)
                    .await?
                    .into_iter()
                    .filter(|u| u.active && u.roles.contains(&Role::Supervisor))
                    .map(|u| u.id)
                    .collect();
            }
            (format!("监察事项 {} 已整改回复", f.finding_no), p)
        }
        _ => {
            let mut p: Vec<i64> = f.replied_by.into_iter().chain(f.responsible_user_id).collect();
            p.sort_unstable();
            p.dedup();
            (format!("监察事项 {} {}", f.finding_no, label("finding_event", &input.action)), p)
        }
    };
    let link = format!("/supervision/findings/{id}");
    let r = Recorded {
        object: "finding",
        id,
        no: &f.finding_no,
        action: &input.action,
        from: &f.state,
        to: next.code(),
        text: &text,
        files: &files_json,
        people: &people,
        title: &title,
        body: &f.description,
        link: &link,
    };
    record_action(ctx, &mut tx, actor, r).await?;
    tx.commit().await?;
    finding_detail(st, actor, id).await
}

// ---------- oversight orders ----------

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrderInput {
    /// The finding the order is about (its department is the order's).
    pub finding_id: Option<i64>,
    pub department_id: Option<i64>,
    pub case_id: Option<i64>,
    /// 督办内容
    pub content: String,
    /// Working days to answer (1–20).
    pub days: u32,
    /// Repeat-safe: the same key returns the first order.
    pub idem_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderDetail {
    #[schema(value_type = Object)]
    pub order: OrderRow,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<ss::EventRow>,
    /// answer | accept | reject
    pub actions: Vec<String>,
    pub overdue: bool,
}

fn order_actions(actor: &Actor, o: &OrderRow) -> Vec<String> {
    let state = OrderState::parse(&o.state).unwrap_or(OrderState::Closed);
    let mut out = vec![];
    if actor.has(Role::DeptHead)
        && actor.department_id == Some(o.department_id)
        && ds::order_next(state, OrderAction::Answer).is_ok()
    {
        out.push("answer".into());
    }
    if is_supervisor(actor) {
        for (a, name) in [(OrderAction::Accept, "accept"), (OrderAction::Reject, "reject")] {
            if ds::order_next(state, a).is_ok() {
                out.push(name.into());
            }
        }
    }
    out
}

fn may_read_order(actor: &Actor, o: &OrderRow) -> bool {
    is_supervisor(actor)
        || actor.is_global_admin()
        || (actor.is_staff() && actor.department_id == Some(o.department_id))
}

/// Issues an oversight order to a department head (supervision officers).
pub async fn issue_order(ctx: &Ctx<'_>, input: &OrderInput) -> AppResult<(OrderDetail, bool)> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !is_supervisor(actor) {
        return Err(AppError::forbidden());
    }
    let key = input.idem_key.as_deref().map(str::trim).filter(|k| !k.is_empty());
    if let Some(k) = key {
        if let Some(id) = ss::order_by_idem(&st.store, k).await? {
            return Ok((order_detail(st, actor, id).await?, true));
        }
    }
    let content = ds::text("content", &input.content, ds::MAX_TEXT)?;
    let finding = match input.finding_id {
        Some(fid) => Some(ss::get_finding(&st.store, fid).await?),
        None => None,
    };
    let department_id = finding
        .as_ref()
        .and_then(|f| f.department_id)
        .or(input.department_id)
        .ok_or_else(|| AppError::invalid("department_id"))?;
    let dept = sa::get_department(&st.store, department_id).await.map_err(|_| AppError::not_found("department"))?;
    let case_id = input.case_id.or_else(|| finding.as_ref().filter(|f| f.object_kind == "case").map(|f| f.object_id));
    if let Some(c) = case_id {
        zwfw_store::cases::get_case(&st.store, c).await?;
    }
    let today = st.today();
    let due = ds::order_due(&st.calendar(), today, input.days)?;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let serial = zwfw_store::cases::next_serial(&mut tx, &format!("DB{}", today.format("%Y%m%d"))).await?;
    let no = ds::order_number(today, serial);
    let id = match ss::insert_order(
        &mut tx,
        &ss::NewOrder {
            order_no: &no,
            finding_id: finding.as_ref().map(|f| f.id),
            case_id,
            department_id,
            content: &content,
            days: i64::from(input.days),
            due: &day_text(due),
            issued_by: actor.user_id,
            issued_by_name: &actor.display_name,
            idem_key: key,
        },
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(zwfw_store::StoreError::Duplicate(_)) if key.is_some() => {
            drop(tx);
            let id = ss::order_by_idem(&st.store, key.unwrap_or_default())
                .await?
                .ok_or_else(|| AppError::not_found("order"))?;
            return Ok((order_detail(st, actor, id).await?, true));
        }
        Err(e) => return Err(e.into()),
    };
    ss::add_event(&mut tx, "order", id, "issued", Some(actor.user_id), &actor.display_name, &content, "[]", now)
        .await?;
    let title = format!("督办通知 {no}（{}前答复）", day_text(due));
    crate::interaction::notify_department(
        &mut tx,
        st,
        department_id,
        vec![],
        &title,
        &content,
        &format!("/supervision/orders/{id}"),
    )
    .await?;
    let e = ctx.entry(
        "order_issued",
        "oversight_order",
        id,
        json!({"order_no": no, "department": dept.name, "finding_id": input.finding_id, "case_id": case_id, "due": day_text(due)}),
        &content,
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok((order_detail(st, actor, id).await?, false))
}

pub async fn order_detail(st: &App, actor: &Actor, id: i64) -> AppResult<OrderDetail> {
    let o = ss::get_order(&st.store, id).await?;
    if !may_read_order(actor, &o) {
        return Err(AppError::not_found("order"));
    }
    let events = ss::events(&st.store, "order", id).await?;
    let overdue = o.state == OrderState::Issued.code() && o.due < day_text(st.today());
    Ok(OrderDetail { actions: order_actions(actor, &o), order: o, events, overdue })
}

pub async fn list_orders(st: &App, actor: &Actor, state: Option<&str>) -> AppResult<Vec<OrderRow>> {
    if !actor.is_staff() {
        return Err(AppError::forbidden());
    }
    let dept = if is_supervisor(actor) || actor.is_global_admin() {
        None
    } else {
        Some(actor.department_id.ok_or_else(AppError::forbidden)?)
    };
    let state = state.filter(|s| OrderState::parse(s).is_some());
    Ok(ss::list_orders(&st.store, dept, None, state, 200).await?)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrderActionInput {
    /// answer (the department head) | accept | reject (supervision)
    pub action: String,
    #[serde(default)]
    pub text: String,
}

pub async fn order_act(
    ctx: &Ctx<'_>,
    id: i64,
    input: &OrderActionInput,
    files: Vec<Attachment>,
) -> AppResult<OrderDetail> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let first = ss::get_order(&st.store, id).await?;
    if !may_read_order(actor, &first) {
        return Err(AppError::not_found("order"));
    }
    let action = match input.action.as_str() {
        "answer" => OrderAction::Answer,
        "accept" => OrderAction::Accept,
        "reject" => OrderAction::Reject,
        _ => return Err(AppError::with_detail(Kind::BadInput, "invalid_action", "action")),
    };
    let mut tx = st.store.begin().await?;
    let o = ss::lock_order(&mut tx, id).await?;
    let state = OrderState::parse(&o.state).unwrap_or(OrderState::Closed);
    if !order_actions(actor, &o).iter().any(|a| a == &input.action) {
        ds::order_next(state, action)?;
        return Err(AppError::forbidden());
    }
    let next = ds::order_next(state, action)?;
    let (text, files_json) = action_input(action == OrderAction::Accept, &input.text, &files)?;
    let now = ctx.now();
    let notify_to: Vec<i64>;
    match action {
        OrderAction::Answer => {
            ss::answer_order(&mut tx, id, &text, &files_json, actor.user_id, now).await?;
            notify_to = vec![o.issued_by];
        }
        OrderAction::Reject => {
            let due = ds::order_due(&st.calendar(), st.today(), o.days as u32)?;
            ss::decide_order(&mut tx, id, next.code(), &text, Some(&day_text(due)), now).await?;
            notify_to = o.replied_by.into_iter().collect();
        }
        OrderAction::Accept => {
            ss::decide_order(&mut tx, id, next.code(), &text, None, now).await?;
            notify_to = o.replied_by.into_iter().collect();
        }
    }
    let title = format!("督办 {} {}", o.order_no, label("order_event", &input.action));
    let link = format!("/supervision/orders/{id}");
    let r = Recorded {
        object: "order",
        id,
        no: &o.order_no,
        action: &input.action,
        from: &o.state,
        to: next.code(),
        text: &text,
        files: &files_json,
        people: &notify_to,
        title: &title,
        body: &o.content,
        link: &link,
    };
    record_action(ctx, &mut tx, actor, r).await?;
    tx.commit().await?;
    order_detail(st, actor, id).await
}

// ---------- dashboard ----------

/// One department's row on the dashboard.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct DeptFigures {
    pub id: i64,
    pub name: String,
    pub county_region_id: Option<i64>,
    pub open_cases: i64,
    pub warning: i64,
    pub yellow: i64,
    pub red: i64,
    pub anomaly: i64,
    pub open_orders: i64,
    pub escalated_orders: i64,
    /// green | blue | yellow | red: the worst active finding or order
    pub status: String,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CountyFigures {
    /// None: the city's own departments
    pub region_id: Option<i64>,
    pub name: String,
    pub open_cases: i64,
    pub warning: i64,
    pub yellow: i64,
    pub red: i64,
    pub anomaly: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Dashboard {
    pub as_of: String,
    pub totals: CountyFigures,
    pub departments: Vec<DeptFigures>,
    pub counties: Vec<CountyFigures>,
    /// Findings per day over the last 30 days: (day, warning, yellow, red, anomaly).
    pub trend: Vec<(String, i64, i64, i64, i64)>,
    #[schema(value_type = Object)]
    pub job: Option<ss::JobRow>,
}

/// How long the figures are reused before they are read again.
const DASHBOARD_TTL_MS: i64 = 15_000;

pub async fn dashboard(st: &App, actor: &Actor) -> AppResult<Arc<Dashboard>> {
    if !(is_supervisor(actor) || actor.is_global_admin()) {
        return Err(AppError::forbidden());
    }
    let now = st.now_ms();
    if let Some((at, d)) = st.dashboard.lock().expect("dashboard lock").clone() {
        if (0..DASHBOARD_TTL_MS).contains(&(now - at)) {
            return Ok(d);
        }
    }
    let d = Arc::new(dashboard_fresh(st).await?);
    *st.dashboard.lock().expect("dashboard lock") = Some((now, d.clone()));
    Ok(d)
}

/// Reads the dashboard's figures from the database.
pub async fn dashboard_fresh(st: &App) -> AppResult<Dashboard> {
    let depts = sa::list_departments(&st.store).await?;
    let regions = sa::list_regions(&st.store).await?;
    let org = org(st).await?;
    let mut rows: BTreeMap<i64, DeptFigures> = depts
        .iter()
        .filter(|d| d.active)
        .map(|d| {
            (
                d.id,
                DeptFigures {
                    id: d.id,
                    name: d.name.clone(),
                    county_region_id: org.county_of.get(&d.id).copied().flatten(),
                    ..Default::default()
                },
            )
        })
        .collect();
    for (d, n) in ss::open_cases_by_department(&st.store).await? {
        if let Some(r) = rows.get_mut(&d) {
            r.open_cases = n;
        }
    }
    let mut no_department = 0;
    for (d, sev, n) in ss::tallies(&st.store, "active", "").await? {
        if d.is_empty() {
            // Findings of no department (the audit trail, A07) count in the city's total.
            no_department += n;
            continue;
        }
        if let Some(r) = d.parse::<i64>().ok().and_then(|d| rows.get_mut(&d)) {
            match ds::Severity::parse(&sev) {
                Some(ds::Severity::Warning) => r.warning = n,
                Some(ds::Severity::Yellow) => r.yellow = n,
                Some(ds::Severity::Red) => r.red = n,
                _ => r.anomaly = n,
            }
        }
    }
    for (d, n, e) in ss::open_orders_by_department(&st.store).await? {
        if let Some(r) = rows.get_mut(&d) {
            r.open_orders = n;
            r.escalated_orders = e;
        }
    }
    for r in rows.values_mut() {
        r.status = if r.red > 0 || r.escalated_orders > 0 {
            "red"
        } else if r.yellow > 0 || r.anomaly > 0 || r.open_orders > 0 {
            "yellow"
        } else if r.warning > 0 {
            "blue"
        } else {
            "green"
        }
        .into();
    }
    let mut counties: BTreeMap<Option<i64>, CountyFigures> = BTreeMap::new();
    let mut totals = CountyFigures { name: "全市".into(), ..Default::default() };
    for r in rows.values() {
        let c = counties.entry(r.county_region_id).or_insert_with(|| CountyFigures {
            region_id: r.county_region_id,
            name: match r.county_region_id {
                Some(id) => regions.iter().find(|x| x.id == id).map(|x| x.name.clone()).unwrap_or_default(),
                None => "市本级".into(),
            },
            ..Default::default()
        });
        for t in [&mut *c, &mut totals] {
            t.open_cases += r.open_cases;
            t.warning += r.warning;
            t.yellow += r.yellow;
            t.red += r.red;
            t.anomaly += r.anomaly;
        }
    }
    totals.anomaly += no_department;
    let today = st.today();
    let from = today - chrono::Duration::days(29);
    let mut days: BTreeMap<String, (i64, i64, i64, i64)> =
        (0..30).map(|i| (day_text(from + chrono::Duration::days(i)), (0, 0, 0, 0))).collect();
    for (day, sev, n) in ss::tallies(&st.store, "day", &day_text(from)).await? {
        if let Some(e) = days.get_mut(&day) {
            match ds::Severity::parse(&sev) {
                Some(ds::Severity::Warning) => e.0 += n,
                Some(ds::Severity::Yellow) => e.1 += n,
                Some(ds::Severity::Red) => e.2 += n,
                _ => e.3 += n,
            }
        }
    }
    Ok(Dashboard {
        as_of: zwfw_domain::time::format_local(st.now_ms()),
        totals,
        departments: rows.into_values().collect(),
        counties: counties.into_values().collect(),
        trend: days.into_iter().map(|(d, (w, y, r, a))| (d, w, y, r, a)).collect(),
        job: ss::job(&st.store, JOB).await?,
    })
}

/// Asks the next run to be a full evaluation (after a calendar change, say).
pub async fn request_full(st: &App) -> AppResult<()> {
    let mut tx = st.store.begin().await?;
    ss::reset_job(&mut tx, JOB).await?;
    tx.commit().await?;
    Ok(())
}
