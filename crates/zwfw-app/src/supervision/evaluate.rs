//! The evaluation of the rules over cases and changes: the job, its lease, reading cases in batches, judging and writing findings, escalating orders.

use super::*;

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
pub(super) struct JobState {
    /// The last audit record read.
    pub(super) seq: i64,
    /// The day evaluated last, and its W01 cutoff.
    pub(super) day: String,
    pub(super) warn_until: String,
    /// The R02 threshold day of the last run (yellow cards found up to it were checked).
    #[serde(default)]
    pub(super) r02_until: Option<String>,
    /// The last audit record whose link was checked, and its hash (rule A07).
    #[serde(default)]
    pub(super) audit_seq: i64,
    #[serde(default)]
    pub(super) audit_hash: String,
    /// The last record of the database's guards read (rule A07).
    #[serde(default)]
    pub(super) tamper_id: i64,
}

/// Who and what a finding is about, filled in before it is stored.
pub(super) struct Pending {
    pub(super) fact: Fact,
    pub(super) object_kind: &'static str,
    pub(super) object_id: i64,
    pub(super) object_no: String,
    pub(super) item_type: String,
    pub(super) department_id: Option<i64>,
    pub(super) responsible_user_id: Option<i64>,
}

/// The organisation as the job needs it: counties of departments, heads.
pub(super) struct Org {
    pub(super) county_of: HashMap<i64, Option<i64>>,
    /// Department names.
    pub(super) departments_by_id: HashMap<i64, String>,
    pub(super) heads: HashMap<i64, Vec<(i64, String)>>,
    pub(super) names: HashMap<i64, String>,
    pub(super) departments: Vec<i64>,
}

pub(super) async fn org(st: &App) -> AppResult<Org> {
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

pub(super) fn parse_day(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(zwfw_domain::time::parse_ymd)
}

pub(super) fn open_case(r: &OpenCaseRow) -> OpenCase {
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
    // Records of conclusions (审管 pushes, 双公示) are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(st).await;
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

pub(super) async fn run(st: &App, full: bool, state_text: &str) -> AppResult<(EvalReport, JobState)> {
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
                object_kind: ds::ObjectKind::Interaction.code(),
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
                object_kind: ds::ObjectKind::Rating.code(),
                object_id: id,
                object_no: format!("差评整改（办件 {}）", case_no.unwrap_or_default()),
                item_type: String::new(),
                department_id: Some(dept),
                responsible_user_id: handler,
            });
        }
    }
    // 2b. Records pushed to a regulator (审管交互) unclaimed near or past
    // their last day (W03, Y03), to the regulator.
    let until = ds::unclaimed_until(&cal, &rules, today)?;
    for u in zwfw_store::handover::unclaimed_due_by(&st.store, &day_text(until)).await? {
        let Some(due) = parse_day(Some(&u.claim_due)) else { continue };
        if let Some(f) = ds::unclaimed_fact(&rules, due, today, until) {
            let what = if u.case_no.is_empty() { u.item_name.clone() } else { format!("办件 {}", u.case_no) };
            pending.push(Pending {
                fact: f,
                object_kind: ds::ObjectKind::Handover.code(),
                object_id: u.id,
                object_no: format!("审管推送（{what}）"),
                item_type: String::new(),
                department_id: Some(u.regulator_department_id),
                responsible_user_id: None,
            });
        }
    }
    // 2c. Configuration and maintenance requests the service centre left
    // unanswered beyond the working days of A13, to the centre.
    if rules.on(RuleCode::A13) {
        let centre = zwfw_store::admin::list_departments(&st.store)
            .await?
            .into_iter()
            .filter(|d| d.active && d.kind == zwfw_domain::admin::DepartmentKind::ServiceCenter)
            .map(|d| d.id)
            .min();
        for u in crate::governance::unanswered(st).await? {
            let on = zwfw_domain::clock::local_date(u.submitted_at);
            if let Some(f) = ds::unanswered_request(&cal, &rules, on, u.state, today)? {
                pending.push(Pending {
                    fact: f,
                    object_kind: ds::ObjectKind::MaintenanceRequest.code(),
                    object_id: u.id,
                    object_no: format!("{}的配置/维护需求第{}号", u.department_name, u.id),
                    item_type: String::new(),
                    department_id: centre,
                    responsible_user_id: None,
                });
            }
        }
    }
    // 2c. 行政许可 decisions not published by their last day (A12, 双公示), to
    // the deciding department.
    for u in zwfw_store::credit::unpublished_due_before(&st.store, &ty).await? {
        let (Some(on), Some(due)) = (parse_day(Some(&u.decided_on)), parse_day(Some(&u.publish_due))) else { continue };
        if let Some(f) = ds::unpublished_fact(&rules, on, due, today) {
            pending.push(Pending {
                fact: f,
                object_kind: ds::ObjectKind::Credit.code(),
                object_id: u.id,
                object_no: format!("办件 {}", u.case_no),
                item_type: String::new(),
                department_id: Some(u.department_id),
                responsible_user_id: None,
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
                    object_kind: ds::ObjectKind::Case.code(),
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
                object_kind: ds::ObjectKind::Department.code(),
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
                object_kind: ds::ObjectKind::Audit.code(),
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
                    object_kind: ds::ObjectKind::Data.code(),
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
                object_kind: ds::ObjectKind::Guard.code(),
                object_id: 0,
                object_no: g.to_string(),
                item_type: String::new(),
                department_id: None,
                responsible_user_id: None,
            });
        }
    }
    // 6. The platform's continuity (A10): no good backup for 26 hours, the
    // restore drill failed or none passed in its period.
    for l in crate::backup::schedule::lapses(st).await? {
        tracing::error!(lapse = ?l, "continuity in question");
        if let Some(f) = ds::continuity_fact(&rules, &l) {
            let object_no = match l {
                zwfw_domain::backup::Lapse::NoBackup { .. } | zwfw_domain::backup::Lapse::Stale { .. } => "数据备份",
                _ => "恢复演练",
            };
            pending.push(Pending {
                fact: f,
                object_kind: ds::ObjectKind::Backup.code(),
                object_id: l.object_id(),
                object_no: object_no.to_string(),
                item_type: String::new(),
                department_id: None,
                responsible_user_id: None,
            });
        }
    }
    // 6. The exchange with the province (A11): a backlog older than the
    // rule's hours (only when a 前置库 is configured: without one the rows
    // wait by design), and rejections not corrected in its working days.
    pending.extend(exchange_facts(st, &cal, &rules, today).await?);
    record(st, &rules, &org, pending, &mut report).await?;

    // 7. Oversight orders past their due day escalate.
    report.escalated = escalate_orders(st, &cal, &org, today).await?;
    Ok((report, JobState { seq: head, day: ty, warn_until: wu, r02_until, audit_seq, audit_hash, tamper_id }))
}

/// The facts of rule A11: per national table, its oldest waiting row when
/// it waited too long; each rejected row not corrected in time, charged to
/// its case's department.
async fn exchange_facts(st: &App, cal: &Calendar, rules: &RuleSet, today: NaiveDate) -> AppResult<Vec<Pending>> {
    let mut pending = vec![];
    if !rules.on(RuleCode::A11) {
        return Ok(pending);
    }
    let now = st.now_ms();
    if st.config.exchange.url.is_some() {
        for (tbl, id, at) in zwfw_store::exchange::oldest_waiting(&st.store).await? {
            if let Some(f) = ds::exchange_backlog(rules, &tbl, at, now) {
                pending.push(Pending {
                    fact: f,
                    object_kind: ds::ObjectKind::Exchange.code(),
                    object_id: id,
                    object_no: format!("{tbl} #{id}"),
                    item_type: String::new(),
                    department_id: None,
                    responsible_user_id: None,
                });
            }
        }
    }
    let Some(until) = ds::exchange_rejection_until(cal, rules, today)? else { return Ok(pending) };
    let until_ms = zwfw_domain::clock::end_of_day_ms(until) - 1;
    for u in zwfw_store::exchange::uncorrected(&st.store, until_ms).await? {
        let on = zwfw_domain::clock::local_date(u.rejected_at);
        let Some(f) = ds::exchange_rejection(cal, rules, &u.tbl, on, u.by_province, &u.reason, today)? else {
            continue;
        };
        let case = zwfw_store::cases::get_case(&st.store, u.case_id).await.ok();
        pending.push(Pending {
            fact: f,
            object_kind: ds::ObjectKind::Exchange.code(),
            object_id: u.outbox_id,
            object_no: format!(
                "{} #{}（办件 {}）",
                u.tbl,
                u.outbox_id,
                case.as_ref().and_then(|c| c.case_no.clone()).unwrap_or_default()
            ),
            item_type: String::new(),
            department_id: case.as_ref().map(|c| c.p.handling_department_id.unwrap_or(c.department_id)),
            responsible_user_id: None,
        });
    }
    Ok(pending)
}

/// What the case reader needs, owned (it runs on a task of its own).
pub(super) struct Reading {
    pub(super) st: App,
    pub(super) cal: Arc<Calendar>,
    pub(super) rules: RuleSet,
    pub(super) cut: Cutoffs,
    pub(super) org: Arc<Org>,
    pub(super) full: bool,
    pub(super) previous: JobState,
    /// The audit position up to which changes are read.
    pub(super) head: i64,
}

/// Facts of cases not yet recorded, and how many cases were read for them.
pub(super) struct Batch {
    pub(super) cases_read: usize,
    pub(super) fresh: Vec<Pending>,
}

/// The cases to judge in rows of at most this many per batch.
pub(super) const BATCH_CASES: usize = ss::SWEEP_PAGE as usize;

/// Reads the cases the run must judge and sends their new facts, batch by
/// batch: every open case near or past a deadline (full run), or those
/// touched since the last run and those whose deadline a new day reached
/// (incremental run). Returns how many audit records it read for changes.
pub(super) async fn read_cases(r: Reading, out: tokio::sync::mpsc::Sender<Batch>) -> AppResult<usize> {
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
pub(super) async fn judge(
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
pub(super) async fn case_facts(
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
                object_kind: ds::ObjectKind::Case.code(),
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
pub(super) async fn record(
    st: &App,
    rules: &RuleSet,
    org: &Org,
    pending: Vec<Pending>,
    report: &mut EvalReport,
) -> AppResult<()> {
    let fresh = unknown(st, pending).await?;
    write(st, rules, org, fresh, report).await
}

/// The facts not recorded yet, found without touching the write lock.
pub(super) async fn unknown(st: &App, pending: Vec<Pending>) -> AppResult<Vec<Pending>> {
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
pub(super) async fn write(
    st: &App,
    rules: &RuleSet,
    org: &Org,
    fresh: Vec<Pending>,
    report: &mut EvalReport,
) -> AppResult<()> {
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
    // Every yellow card on case handling counts towards R03, found by the
    // rules or recorded by an officer; an unclaimed 审管 push (Y03) is the
    // regulator's and has its own escalation.
    for f in inserted
        .iter()
        .filter(|f| f.severity == ds::Severity::Yellow.code() && !ds::RuleCode::is_handover_code(&f.rule_code))
    {
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

pub(super) async fn escalate_orders(st: &App, cal: &Calendar, org: &Org, today: NaiveDate) -> AppResult<usize> {
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
