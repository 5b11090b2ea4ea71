//! 补录: the cases a department handled on paper during a fault, entered
//! later with their real times (东莞 第二十六条). A paper application is
//! registered as at the counter, and each later action (acceptance, the
//! steps, the conclusion …) is the platform's own action: the same access
//! rules and state machine decide it. What differs is its time, the real
//! one on paper, checked against the fault (`zwfw_domain::backfill`), and
//! its marks: the fault, the paper document number, who entered it and
//! when. The clocks, supervision and the exchange read the real times from
//! the events; `case_backfills` lists the entries for supervision.

use super::*;
use zwfw_domain::backfill::{self as dbf, BackfillError, Mark, Period};
use zwfw_domain::faults::Scope;
use zwfw_store::backfill as sbf;

/// The 补录 marks as given: the fault, the paper document number and the real time.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct BackfillInput {
    /// The fault during which the action took place on paper.
    #[serde(default)]
    pub fault_id: i64,
    /// 纸质文书编号: the number of the paper document (受理通知书, 审批表, 决定书 …), at most 60 characters.
    #[serde(default)]
    pub paper_no: String,
    /// The real date and time on paper: RFC 3339, or `YYYY-MM-DDTHH:MM` in China time.
    #[serde(default)]
    pub at: String,
}

/// An action on a case entered later: the action as on the platform, with the 补录 marks.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BackfillActionInput {
    #[serde(flatten)]
    pub entry: BackfillInput,
    #[serde(flatten)]
    pub action: ActionInput,
}

/// A paper application entered later: the applicant and the form as at the
/// counter, the materials received on paper, and the 补录 marks (`at`: when
/// the application was received).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BackfillApplicationInput {
    #[serde(flatten)]
    pub entry: BackfillInput,
    pub applicant: Option<ApplicantInput>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: serde_json::Map<String, serde_json::Value>,
    /// The numbers (1-based) of the item's materials received on paper;
    /// every required one must be among them.
    #[serde(default)]
    pub paper_materials: Vec<usize>,
}

/// A refusal of a 补录 with its stable code; `detail` what the message names.
pub fn refusal(e: BackfillError, detail: Option<String>) -> AppError {
    // A repeat conflicts with what is stored; every other refusal is of the input.
    let kind = if e == BackfillError::PaperApplicationRepeated { Kind::Conflict } else { Kind::Invalid };
    match detail {
        Some(d) => AppError::with_detail(kind, e.code(), d),
        None => AppError::new(kind, e.code()),
    }
}

/// A checked entry: its real time within its fault, and the paper number.
#[derive(Debug, Clone)]
pub struct Entry {
    pub at_ms: i64,
    pub period: Period,
    pub paper_no: String,
}

impl Entry {
    /// Reads the marks: the time, the paper number, the fault (each refused with its reason).
    pub async fn read(st: &App, input: &BackfillInput) -> AppResult<Entry> {
        let at_ms = crate::faults::parse_instant(&input.at)
            .ok_or_else(|| AppError::with_detail(Kind::Invalid, "backfill_at_invalid", "at"))?;
        let paper_no = dbf::paper_no(&input.paper_no).map_err(|e| refusal(e, None))?;
        let fault = zwfw_store::faults::get(&st.store, input.fault_id)
            .await?
            .ok_or_else(|| AppError::with_detail(Kind::Invalid, "backfill_fault_unknown", "fault_id"))?;
        let scope = Scope::parse(&fault.scope).ok_or_else(|| AppError::Internal("fault scope".into()))?;
        let period = Period {
            fault_id: fault.id,
            since_ms: fault.since_at,
            cleared_at: fault.cleared_at,
            scope,
            department_id: fault.department_id,
            acknowledged: fault.acknowledged_at.is_some(),
        };
        Ok(Entry { at_ms, period, paper_no })
    }

    /// Checks the real time for `actor`'s department after the case's last
    /// event (`last_event_ms`), at the time of entry.
    pub fn check(&self, ctx: &Ctx<'_>, actor: &Actor, last_event_ms: Option<i64>) -> AppResult<()> {
        // No department: a staff member qualified in no role (上岗资格) is told so.
        let department = actor.department_id.ok_or_else(|| {
            refused(if actor.roles.is_empty() { Refusal::MissingRole } else { Refusal::NotInDepartment })
        })?;
        let now = ctx.now();
        dbf::check_time(&self.period, department, self.at_ms, last_event_ms, now).map_err(|e| {
            let fault = crate::faults::number(self.period.fault_id);
            let detail = match e {
                BackfillError::OutsideFault => Some(format!(
                    "{fault}|{}|{}",
                    zwfw_domain::time::format_local(self.period.since_ms),
                    self.period.cleared_at.map(zwfw_domain::time::format_local).unwrap_or_default()
                )),
                BackfillError::BeforeLastEvent => last_event_ms.map(zwfw_domain::time::format_local),
                BackfillError::NotCovered => Some(fault),
                _ => None,
            };
            refusal(e, detail)
        })
    }

    /// The marks an event entered by `actor` at `now_ms` carries.
    pub fn mark(&self, actor: &Actor, now_ms: i64) -> Mark {
        Mark {
            fault_id: self.period.fault_id,
            paper_no: self.paper_no.clone(),
            entered_by: actor.user_id,
            entered_at_ms: now_ms,
        }
    }
}

/// The row of `case_backfills` a prepared 补录 event writes (none for an event of now).
pub(super) struct Record {
    case_id: i64,
    seq: i64,
    kind: String,
    department_id: i64,
    mark: Mark,
    at: i64,
    entered_name: String,
}

impl Record {
    pub(super) fn as_new(&self) -> sbf::NewBackfill<'_> {
        sbf::NewBackfill {
            case_id: self.case_id,
            seq: self.seq,
            event_kind: &self.kind,
            fault_id: self.mark.fault_id,
            department_id: self.department_id,
            paper_no: &self.mark.paper_no,
            at: self.at,
            entered_by: self.mark.entered_by,
            entered_name: &self.entered_name,
            entered_at: self.mark.entered_at_ms,
        }
    }
}

pub(super) fn record_of(w: &Prepared, case_id: i64) -> Option<Record> {
    let mark = w.event.backfill.clone()?;
    Some(Record {
        case_id,
        seq: w.p.seq,
        kind: w.kind.clone(),
        department_id: w.event.department_id?,
        mark,
        at: w.event.at_ms,
        entered_name: w.actor_name.clone(),
    })
}

/// A refusal of the 补录 rights, its text naming 补录.
fn denied(r: Refusal) -> AppError {
    AppError::with_detail(Kind::Forbidden, r.code(), "backfill")
}

/// Who may enter paper cases later (decided before the request's body is read).
pub fn check_enter(ctx: &Ctx<'_>) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    access::may_enter_later(actor).map_err(denied)
}

/// 补录 of an action on a case: the action as on the platform, at its real time.
pub async fn enter_action(ctx: &Ctx<'_>, case_id: i64, input: &BackfillActionInput) -> AppResult<ActResult> {
    check_enter(ctx)?;
    let entry = Entry::read(ctx.state, &input.entry).await?;
    let mut action = input.action.clone();
    // A 补录 is decided on the case as it stands.
    action.expected_seq = None;
    act_entered(ctx, case_id, &action, Some(&entry)).await
}

/// 补录 of a paper application: registered as at the counter of the item's
/// department, submitted at the real time it was received, its paper
/// materials recorded as originals received then, numbered on that day;
/// one transaction.
pub async fn enter_application(ctx: &Ctx<'_>, item_id: i64, input: &BackfillApplicationInput) -> AppResult<Submitted> {
    let st = ctx.state;
    check_enter(ctx)?;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let item = zwfw_store::catalog::get_item(&st.store, item_id).await?;
    let version_id = match (ItemStatus::parse(&item.status), item.published_version_id) {
        (Some(ItemStatus::Active), Some(v)) => v,
        _ => return Err(AppError::not_found("item")),
    };
    let content = item_version(st, version_id).await?;
    // As at the counter: the counter of the item's department.
    access::may_register(actor, content.department_id).map_err(refused)?;
    let entry = Entry::read(st, &input.entry).await?;
    entry.check(ctx, actor, None)?;
    // The same paper application entered twice makes no second case.
    let key = dbf::paper_application_key(item_id, &entry.paper_no);
    let repeated = |case_no: Option<String>| refusal(BackfillError::PaperApplicationRepeated, case_no);
    if let Some(id) = sc::find_by_idem(&st.store, &key).await? {
        return Err(repeated(sc::get_case(&st.store, id).await?.case_no));
    }
    let mut a = check_applicant(input.applicant.as_ref().ok_or_else(|| unprocessable("invalid_applicant", "kind"))?)?;
    if let Some(r) = crate::registry::check_identity(ctx, registry_kind(&a.kind), &a.id_no, &a.name).await? {
        if a.address.is_empty() {
            a.address = r.address;
        }
    }
    let form = serde_json::Value::Object(check_form(&content, &input.form, false)?);
    let mut paper: Vec<usize> = input.paper_materials.clone();
    paper.sort_unstable();
    paper.dedup();
    if let Some(bad) = paper.iter().find(|n| **n == 0 || **n > content.materials.len()) {
        return Err(unprocessable("invalid_material", bad.to_string()));
    }
    let missing: Vec<String> = content
        .materials
        .iter()
        .enumerate()
        .filter(|(i, spec)| spec.required && !paper.contains(&(i + 1)))
        .map(|(_, spec)| spec.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(unprocessable("materials_missing", missing.join("、")));
    }
    let now = ctx.now();
    let account = sc::find_applicant_account(&st.store, &a.id_no).await?;
    let password = query_password();
    let salt = crate::accounts::sessions::random_token(8);
    let query_hash = hash_query(&salt, &password);
    let new_case = NewCase {
        item_id,
        version_id,
        item_name: &content.name,
        impl_code: &item.impl_code,
        department_id: content.department_id,
        applicant_user_id: account,
        applicant_kind: &a.kind,
        applicant_name: &a.name,
        applicant_id_no: &a.id_no,
        applicant_mobile: &a.mobile,
        applicant_address: &a.address,
        applicant_email: &a.email,
        form: &form,
        channel: Channel::Counter.code(),
        registered_by: Some(actor.user_id),
        query_hash: &query_hash,
        idem_key: Some(&key),
    };
    let mut tx = st.store.begin().await?;
    let row = sc::insert_case(&mut tx, &new_case, now).await.map_err(|e| match e {
        // Entered at the same moment by someone else.
        zwfw_store::StoreError::Duplicate(_) => repeated(None),
        e => e.into(),
    })?;
    let mut e = submission(actor, entry.at_ms);
    e.backfill = Some(entry.mark(actor, now));
    let w = prepare(ctx, &row, &content, &CaseView::new(), e).await?;
    let record = record_of(&w, row.id).ok_or_else(|| AppError::Internal("a 补录 without its marks".into()))?;
    let p = w.p.clone();
    ctx.audit(
        &mut tx,
        ctx.entry(
            "case_create",
            "case",
            row.id,
            json!({"item_id": item_id, "version_id": version_id, "channel": "counter", "backfill": true,
                   "paper_materials": paper}),
            "",
        ),
    )
    .await?;
    if !write_prepared(ctx, &mut tx, row.id, &row.p, w, None).await? {
        return Err(already_handled_plain());
    }
    for n in &paper {
        let name = &content.materials[n - 1].name;
        sc::receive_original(&mut tx, row.id, name, 1, actor.user_id, "补录：纸质申请材料", entry.at_ms).await?;
    }
    sbf::insert(&mut tx, &record.as_new()).await?;
    let day = zwfw_domain::clock::local_date(entry.at_ms);
    let serial = sc::next_serial(&mut tx, &case_serial(&row.impl_code, day)).await?;
    let no = dc::case_number(&row.impl_code, day, serial);
    sc::set_case_no(&mut tx, row.id, &no).await?;
    tx.commit().await?;
    crate::metrics::Metrics::inc(&st.metrics.cases_created);
    Ok(Submitted {
        case_id: row.id,
        case_no: Some(no),
        query_password: Some(password),
        state: p.state,
        repeated: false,
    })
}

/// Which 补录 entries to list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BackfillQuery {
    /// One department's (supervision; other staff always list their own).
    pub department_id: Option<i64>,
    /// One fault's.
    pub fault_id: Option<i64>,
    pub page: Option<i64>,
}

/// A page of 补录 entries, newest entered first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BackfillPage {
    pub entries: Vec<sbf::BackfillRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The reader lists every department's (supervision).
    pub all: bool,
}

const PER_PAGE: i64 = 50;

/// The 补录 entries: every department's for supervision (one department's
/// when asked), the reader's department's for other staff.
pub async fn list(ctx: &Ctx<'_>, q: &BackfillQuery) -> AppResult<BackfillPage> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let own = access::backfills_listed(actor).map_err(denied)?;
    let department = crate::error::list_department(own, q.department_id)?;
    let page = q.page.unwrap_or(1);
    if !(1..=10_000).contains(&page) {
        return Err(AppError::with_detail(Kind::Invalid, "invalid_field", "page"));
    }
    let (entries, total) = sbf::list(&ctx.state.store, department, q.fault_id, PER_PAGE, (page - 1) * PER_PAGE).await?;
    Ok(BackfillPage { entries, total, page, per_page: PER_PAGE, all: own.is_none() })
}

/// A fault a 补录 may name, as a form offers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FaultChoice {
    pub id: i64,
    /// GZ000001
    pub number: String,
    pub what: String,
    pub since_at: i64,
    pub cleared_at: Option<i64>,
}

/// The faults that cover the reader's department, newest first (the last 50).
pub async fn fault_choices(ctx: &Ctx<'_>) -> AppResult<Vec<FaultChoice>> {
    check_enter(ctx)?;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let department = actor.department_id.ok_or_else(AppError::forbidden)?;
    Ok(zwfw_store::faults::covering(&ctx.state.store, department, 50)
        .await?
        .into_iter()
        // Only a fault the centre confirmed opens a paper period.
        .filter(|f| f.acknowledged_at.is_some())
        .map(|f| FaultChoice {
            id: f.id,
            number: crate::faults::number(f.id),
            what: f.what,
            since_at: f.since_at,
            cleared_at: f.cleared_at,
        })
        .collect())
}

/// The actions `actor` may enter later on the case now (those the platform
/// allows them, less what is not entered later).
pub async fn enterable_actions(ctx: &Ctx<'_>, case_id: i64) -> AppResult<(Vec<String>, Vec<String>)> {
    check_enter(ctx)?;
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&st.store, case_id).await?;
    let content = item_version(st, row.version_id).await?;
    if !readable(actor, &row, &content) {
        return Err(AppError::not_found("case"));
    }
    let view = current_view(st.store.pool(), &row, &content).await?;
    let (actions, outcomes) = possible_actions(actor, &row, &content, &view, &[], ctx.now());
    let kept = ["supplement_request", "accept", "refuse", "pass", "return", "extension_request", "extension_decide"]
        .into_iter()
        .chain(["special_start", "special_end", "joint_answer", "conclude", "deliver"])
        .filter(|a| actions.iter().any(|x| x == a))
        .map(str::to_string)
        .collect();
    Ok((kept, outcomes))
}
