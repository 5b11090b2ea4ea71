//! 审管交互: the result of an approval pushed to the departments that
//! supervise the licensee afterwards (the regulators the item names, by
//! default its implementing department) once the conclusion is committed
//! (derived with the case notices: `cases::notices`), and again, in the
//! change's transaction, on every change of the licence's status; each
//! regulator's inbox, its claim (认领) within the configured working days,
//! and the notices to its named handlers (its heads: in-app and SMS; the
//! other staff who may claim see the count on their workbench).

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::handover::{self as access, HandoverFacts};
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::Role;
use zwfw_domain::cases::EventKind;
use zwfw_domain::catalog::ItemContent;
use zwfw_domain::handover::{self as dh, Kind as PushKind, MaterialEntry, Opinion};
use zwfw_domain::licenses::LicenseChange;
use zwfw_store::cases::{self as sc, CaseRow};
use zwfw_store::handover as sh;
use zwfw_store::outbox::Notice;
use zwfw_store::Tx;

pub mod sanctions;
pub use sanctions::{RestrictionView, SanctionInput, SanctionView};

/// 审管交互 settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoverConfig {
    /// Working days a regulator has to claim a record (default 2).
    pub claim_days: u32,
}

impl Default for HandoverConfig {
    fn default() -> Self {
        HandoverConfig { claim_days: dh::DEFAULT_CLAIM_DAYS }
    }
}

/// The last day to claim a record pushed now. A calendar that lacks the
/// days ahead does not stop the conclusion: the record is then due after as
/// many calendar days, and the gap is logged.
fn claim_due(st: &App) -> AppResult<String> {
    claim_due_after(st, st.today())
}

/// The last day to claim a record pushed on `today`.
fn claim_due_after(st: &App, today: chrono::NaiveDate) -> AppResult<String> {
    let days = st.config.handover.claim_days;
    let due = dh::claim_due(&st.calendar(), today, days).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "claim deadline counted in calendar days: the working-day calendar lacks them");
        today + chrono::Days::new(u64::from(days))
    });
    Ok(zwfw_domain::time::ymd(due))
}

/// The staff of `department` told of each new record: its named handlers,
/// the department heads who may claim it as each acts today (a role without
/// a valid qualification claims nothing), in-app and by SMS, as (account,
/// also by SMS). Every other member who may claim finds the records waiting
/// on their workbench (审管推送待认领, [`waiting`]) and in the inbox, so
/// that a department with many officers is not sent one message per officer
/// for every record.
async fn claimers(st: &App, department: i64) -> AppResult<Vec<(i64, bool)>> {
    let staff = zwfw_store::admin::list_staff(&st.store, Some(department)).await?;
    let facts = HandoverFacts { regulator_department_id: department, source_department_id: 0 };
    let mut out = vec![];
    for u in staff.iter().filter(|u| u.active && u.roles.contains(&Role::DeptHead)) {
        let (actor, _) = crate::governance::qualifications::session_actor(st, u).await?;
        if actor.roles.contains(&Role::DeptHead) && access::may_claim(&actor, &facts).is_ok() {
            out.push((u.id, true));
        }
    }
    Ok(out)
}

/// How many records pushed to the actor's department wait to be claimed,
/// for a staff member who may claim them (none for others).
pub async fn waiting(st: &App, actor: &zwfw_domain::admin::Actor) -> AppResult<Option<i64>> {
    let Some(department) = actor.department_id.filter(|_| actor.is_staff()) else { return Ok(None) };
    let facts = HandoverFacts { regulator_department_id: department, source_department_id: 0 };
    if access::may_claim(actor, &facts).is_err() {
        return Ok(None);
    }
    let f = sh::Filter { regulator: Some(department), claimed: Some(false), limit: 1, ..Default::default() };
    Ok(Some(sh::list(&st.store, &f).await?.1))
}

async fn department_name(st: &App, id: i64) -> String {
    st.department(id).await.map(|d| d.name.clone()).unwrap_or_default()
}

/// Writes one record per regulator with its audit record, in `tx`. The
/// regulators' staff are told after the commit: their notices are derived
/// from the audit trail's `handover_pushed` records ([`notices_of_pushes`]),
/// so that a conclusion writes one row per regulator, not one per officer.
async fn push(ctx: &Ctx<'_>, tx: &mut Tx, regulators: &[i64], h: &sh::NewHandover<'_>, what: &str) -> AppResult<()> {
    for &regulator in regulators {
        let id = sh::insert(tx, &sh::NewHandover { regulator_department_id: regulator, ..*h }).await?;
        let detail = json!({"kind": h.kind, "case_id": h.case_id, "decision": h.decision,
            "regulator_department_id": regulator, "claim_due": h.claim_due, "what": what});
        ctx.audit(tx, ctx.entry(PUSHED, "handover", id, detail, "")).await?;
    }
    Ok(())
}

/// The audit action of a record pushed to a regulator.
pub const PUSHED: &str = "handover_pushed";

/// The notices of the records pushed, given as (record id, the audit
/// detail's `what`) in the trail's order: each regulator's named handlers
/// ([`claimers`]), in-app and by SMS; each notice with the time of its
/// push. A record no longer found (none is ever deleted) tells nobody.
pub(crate) async fn notices_of_pushes(st: &App, pushes: &[(i64, String)]) -> AppResult<Vec<(i64, Notice)>> {
    // Each regulator's staff read once per batch, whatever its number of records.
    let mut staff: std::collections::HashMap<i64, Vec<(i64, bool)>> = std::collections::HashMap::new();
    let mut out = vec![];
    // The batch's records read in one statement.
    let ids: Vec<i64> = pushes.iter().map(|(id, _)| *id).collect();
    let rows: std::collections::HashMap<i64, sh::HandoverRow> =
        sh::get_many(&st.store, &ids).await?.into_iter().map(|h| (h.id, h)).collect();
    for (id, what) in pushes {
        let Some(h) = rows.get(id) else { continue };
        let source = st.department(h.source_department_id).await.map(|d| d.name.clone()).unwrap_or_default();
        let title = format!("审管推送待认领：{}", h.item_name);
        let body = format!(
            "{source}{what}（办件编号 {}），请于 {} 前认领。",
            if h.case_no.is_empty() { "—" } else { &h.case_no },
            h.claim_due
        );
        let told = match staff.entry(h.regulator_department_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(claimers(st, h.regulator_department_id).await?),
        };
        out.extend(told.iter().map(|&(user, sms)| {
            let n = Notice {
                user_id: Some(user),
                mobile: None,
                email: None,
                sms_to_account: sms,
                title: title.clone(),
                body: body.clone(),
                link: format!("/handover/{id}"),
            };
            (h.pushed_at, n)
        }));
    }
    Ok(out)
}

/// The record a conclusion pushes (准予 and 不予许可), made before it is
/// written: the decision, the opinions of the case (from its events), its
/// materials, the last day to claim; one row per regulator of the item.
pub(crate) struct ConclusionPush<'a> {
    case: &'a CaseRow,
    content: &'a ItemContent,
    decision: &'static str,
    reason: &'a str,
    document_no: &'a str,
    at_ms: i64,
    opinions: String,
    materials: String,
    due: String,
    what: String,
}

/// The record the conclusion `kind` of `case`, taken at `at_ms`, pushes,
/// made of the case's `events` and `materials` (read before the
/// derivation's transaction); none for other conclusions.
pub(crate) fn conclusion_push<'a>(
    st: &App,
    case: &'a CaseRow,
    content: &'a ItemContent,
    kind: &'a EventKind,
    at_ms: i64,
    events: &[sc::EventRow],
    materials: &[sc::MaterialRow],
) -> AppResult<Option<ConclusionPush<'a>>> {
    let EventKind::Concluded { outcome, reason, document_no, .. } = kind else { return Ok(None) };
    if !dh::pushes(*outcome) {
        return Ok(None);
    }
    let parsed: Vec<(&str, &str, i64, zwfw_domain::cases::Event)> = events
        .iter()
        .filter_map(|e| {
            let ev = serde_json::from_value(e.body.clone()).ok()?;
            Some((e.step_name.as_str(), e.actor_name.as_str(), e.at, ev))
        })
        .collect();
    let seen: Vec<dh::SeenEvent<'_>> =
        parsed.iter().map(|(step, by, at, ev)| dh::SeenEvent { step, by, at: *at, kind: &ev.kind }).collect();
    let opinions = dh::opinions(&seen);
    let materials: Vec<MaterialEntry> = materials
        .iter()
        .map(|m| MaterialEntry {
            material_no: m.material_no,
            name: m.name.clone(),
            file_name: m.file_name.clone(),
            file_sm3: m.file_sm3.clone(),
            trust: m.trust.clone(),
        })
        .collect();
    Ok(Some(ConclusionPush {
        case,
        content,
        decision: outcome.code(),
        reason,
        document_no,
        at_ms,
        opinions: json!(opinions).to_string(),
        materials: json!(materials).to_string(),
        due: claim_due_after(st, zwfw_domain::clock::local_date(at_ms))?,
        what: format!("作出{}决定", crate::messages::label("outcome", outcome.code())),
    }))
}

/// Writes the records `pushes` in `tx`, the derivation's transaction that
/// moves past their conclusions' audit records: one per regulator, each with
/// its audit record, in one statement each for the whole batch (the
/// licence joins a record once issued: the issuance waits for it). Their
/// regulators' staff are told from those audit records ([`notices_of_pushes`]).
pub(crate) async fn write_conclusion_pushes(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    pushes: &[ConclusionPush<'_>],
) -> AppResult<()> {
    let mut rows = vec![];
    let mut of = vec![];
    for p in pushes {
        for regulator in p.content.regulators() {
            rows.push(sh::NewHandover {
                kind: PushKind::Conclusion.code(),
                case_id: Some(p.case.id),
                case_no: p.case.case_no.as_deref().unwrap_or(""),
                item_id: Some(p.case.item_id),
                item_name: &p.content.name,
                source_department_id: p.case.department_id,
                regulator_department_id: regulator,
                decision: p.decision,
                decision_no: p.document_no,
                decided_at: p.at_ms,
                reason: p.reason,
                license_id: None,
                holder_kind: &p.case.applicant_kind,
                holder_name: &p.case.applicant_name,
                holder_code: &p.case.applicant_id_no,
                opinions: &p.opinions,
                materials: &p.materials,
                pushed_at: p.at_ms,
                claim_due: &p.due,
            });
            of.push(p);
        }
    }
    let ids = sh::insert_many(tx, &rows).await?;
    let entries: Vec<_> = ids
        .iter()
        .zip(&rows)
        .zip(of)
        .map(|((id, h), p)| {
            let detail = json!({"kind": h.kind, "case_id": h.case_id, "decision": h.decision,
                "regulator_department_id": h.regulator_department_id, "claim_due": h.claim_due, "what": p.what});
            ctx.entry(PUSHED, "handover", id, detail, "")
        })
        .collect();
    ctx.audit_many(tx, &entries).await
}

/// Whether an action pushes a record (a grant or a denial).
pub fn pushes(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Concluded { outcome, .. } if dh::pushes(*outcome))
}

/// Whether the conclusion of case `case_id` has pushed its records (the
/// derivation wrote them): a licence is issued only after, so that it joins them.
pub async fn conclusion_pushed(st: &App, case_id: i64) -> AppResult<bool> {
    let kind = PushKind::Conclusion.code();
    Ok(sh::cases_pushed(&st.store, &[case_id], kind).await?.contains(&case_id))
}

/// The conclusion (`outcome`) of case `case` was corrected as a misoperation
/// before delivery: the regulators it was pushed to are told that it no
/// longer stands and that the case waits for a new decision (whose own
/// record follows), in the correction's transaction. None pushed: nothing.
pub async fn push_conclusion_corrected(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    case: &CaseRow,
    outcome: zwfw_domain::cases::Outcome,
    reason: &str,
) -> AppResult<usize> {
    let regulators = sh::regulators_of_case(tx.conn(), case.id, PushKind::Conclusion.code()).await?;
    if regulators.is_empty() {
        return Ok(0);
    }
    let due = claim_due(ctx.state)?;
    let what = format!("更正{}决定（误操作），办件待重新决定", crate::messages::label("outcome", outcome.code()));
    let h = sh::NewHandover {
        kind: PushKind::ConclusionCorrected.code(),
        case_id: Some(case.id),
        case_no: case.case_no.as_deref().unwrap_or(""),
        item_id: Some(case.item_id),
        item_name: &case.item_name,
        source_department_id: case.department_id,
        regulator_department_id: 0,
        decision: outcome.code(),
        decision_no: "",
        decided_at: ctx.now(),
        reason,
        license_id: None,
        holder_kind: &case.applicant_kind,
        holder_name: &case.applicant_name,
        holder_code: &case.applicant_id_no,
        opinions: "[]",
        materials: "[]",
        pushed_at: ctx.now(),
        claim_due: &due,
    };
    push(ctx, tx, &regulators, &h, &what).await?;
    Ok(regulators.len())
}

/// The licence issued for a granted case joins the records its conclusion
/// pushed, in the issuance's transaction.
pub async fn attach_license(tx: &mut Tx, case_id: i64, license_id: i64) -> AppResult<()> {
    sh::attach_license(tx, case_id, license_id, PushKind::Conclusion.code()).await?;
    Ok(())
}

/// The record a change of a licence's status pushes, in the change's
/// transaction: to the regulators its case's conclusion went to, or (a
/// licence without such a record) to the issuing department.
pub async fn push_license_change(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    l: &zwfw_store::licenses::LicenseRow,
    change: LicenseChange,
    note: &str,
) -> AppResult<()> {
    if matches!(change, LicenseChange::Issued | LicenseChange::Imported) {
        return Ok(());
    }
    let st = ctx.state;
    let conclusion_went_to = match l.case_id {
        Some(c) => sh::regulators_of_case(tx.conn(), c, PushKind::Conclusion.code()).await?,
        None => vec![],
    };
    // Who made the change: the department of the staff member acting (the
    // issuing department, or a regulator recording a 吊销), or, for the
    // background job's 过期, the issuing department.
    let acting = ctx.actor.filter(|a| a.is_staff()).and_then(|a| a.department_id);
    let source = acting.unwrap_or(l.issuer_department_id);
    let regulators = dh::change_recipients(&conclusion_went_to, l.issuer_department_id, acting);
    if regulators.is_empty() {
        return Ok(());
    }
    let case = match l.case_id {
        Some(c) => Some(sc::get_case_in(tx, c).await?),
        None => None,
    };
    let item_name = match &case {
        Some(c) => c.item_name.clone(),
        None => zwfw_store::licenses::get_type(tx.conn(), l.type_id).await.map(|t| t.name).unwrap_or_default(),
    };
    let due = claim_due(st)?;
    let decision_no = if change == LicenseChange::Revoked { note } else { "" };
    let what = format!("对电子证照作出{}", change.label());
    let h = sh::NewHandover {
        kind: PushKind::LicenseChange.code(),
        case_id: l.case_id,
        case_no: case.as_ref().and_then(|c| c.case_no.as_deref()).unwrap_or(""),
        item_id: l.item_id,
        item_name: &item_name,
        source_department_id: source,
        regulator_department_id: 0,
        decision: change.code(),
        decision_no,
        decided_at: ctx.now(),
        reason: note,
        license_id: Some(l.id),
        holder_kind: holder_kind_of(&l.holder_kind),
        holder_name: &l.holder_name,
        holder_code: &l.holder_code,
        opinions: "[]",
        materials: "[]",
        pushed_at: ctx.now(),
        claim_due: &due,
    };
    push(ctx, tx, &regulators, &h, &what).await
}

/// A licence's holder kind in the case's terms (natural | legal).
fn holder_kind_of(license_holder_kind: &str) -> &'static str {
    use zwfw_domain::cases::ApplicantKind;
    match zwfw_domain::licenses::HolderKind::parse(license_holder_kind) {
        Some(zwfw_domain::licenses::HolderKind::Legal) => ApplicantKind::Legal.code(),
        _ => ApplicantKind::Natural.code(),
    }
}

// ---------- reading and claiming ----------

/// A pushed record as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Handover)]
pub struct HandoverView {
    pub id: i64,
    /// conclusion | license_change | conclusion_corrected
    pub kind: String,
    pub kind_label: String,
    pub case_id: Option<i64>,
    pub case_no: String,
    pub item_name: String,
    /// The department that decided (审批部门).
    pub source_department: String,
    pub source_department_id: i64,
    /// The department that supervises the licensee (监管部门).
    pub regulator_department: String,
    pub regulator_department_id: i64,
    /// granted | denied (of a conclusion, or of the conclusion corrected), or
    /// the licence's change (reissued, amended, cancelled, revoked, expired, voided).
    pub decision: String,
    pub decision_label: String,
    /// 决定文书号 (a grant's licence number, a 吊销 decision's number).
    pub decision_no: String,
    pub decided_at: i64,
    /// A denial's reason, a change's note.
    pub reason: String,
    /// The licence's identifier, once issued.
    pub license: Option<String>,
    /// natural | legal
    pub holder_kind: String,
    /// The licensee: a company's name whole, a person's masked.
    pub holder_name: String,
    /// A 统一社会信用代码 whole, a 公民身份号码 masked.
    pub holder_code: String,
    pub opinions: Vec<Opinion>,
    pub materials: Vec<MaterialEntry>,
    pub pushed_at: i64,
    /// The last day to claim (YYYY-MM-DD).
    pub claim_due: String,
    pub claimed: bool,
    pub claimed_at: Option<i64>,
    pub claimed_name: String,
    pub claim_note: String,
    /// Unclaimed past its last day.
    pub overdue: bool,
    /// The reader may claim it now.
    pub may_claim: bool,
    /// The reader may record a decision on the licensee (the claiming
    /// regulator's staff, once claimed).
    pub may_record_sanction: bool,
    /// The kinds of decision the reader may record (penalty | rectify |
    /// revoke | restrict; a 吊销 or 限制准入 needs a head or reviewer).
    pub sanction_kinds: Vec<String>,
    /// The decisions the regulator recorded on the licensee (行政处罚,
    /// 责令改正, 吊销, 限制准入), oldest first: in one record's answer, not in lists.
    pub sanctions: Vec<SanctionView>,
}

fn facts(r: &sh::HandoverRow) -> HandoverFacts {
    HandoverFacts { regulator_department_id: r.regulator_department_id, source_department_id: r.source_department_id }
}

async fn view(ctx: &Ctx<'_>, r: sh::HandoverRow) -> HandoverView {
    let st = ctx.state;
    let legal = r.holder_kind == zwfw_domain::cases::ApplicantKind::Legal.code();
    let (holder_name, holder_code) = zwfw_domain::ids::shown_holder(legal, &r.holder_name, &r.holder_code);
    let today = zwfw_domain::time::ymd(st.today());
    let may_claim = ctx.actor.is_some_and(|a| access::offers_claim(a, &facts(&r), r.claimed_at.is_some()));
    let sanction_kinds: Vec<String> = match (r.claimed_at, ctx.actor) {
        (Some(_), Some(a)) => access::sanctions_offered(a, &facts(&r)).iter().map(|k| k.code().to_string()).collect(),
        _ => vec![],
    };
    let may_record_sanction = !sanction_kinds.is_empty();
    let decision_label = match PushKind::parse(&r.kind) {
        Some(PushKind::Conclusion) => crate::messages::label("outcome", &r.decision),
        Some(PushKind::ConclusionCorrected) => {
            format!("{}决定已更正（误操作），待重新决定", crate::messages::label("outcome", &r.decision))
        }
        _ => LicenseChange::parse(&r.decision).map(|c| c.label().to_string()).unwrap_or_else(|| r.decision.clone()),
    };
    HandoverView {
        id: r.id,
        kind_label: crate::messages::label("handover_kind", &r.kind),
        kind: r.kind,
        case_id: r.case_id,
        case_no: r.case_no,
        item_name: r.item_name,
        source_department: department_name(st, r.source_department_id).await,
        source_department_id: r.source_department_id,
        regulator_department: department_name(st, r.regulator_department_id).await,
        regulator_department_id: r.regulator_department_id,
        decision: r.decision,
        decision_label,
        decision_no: r.decision_no,
        decided_at: r.decided_at,
        reason: r.reason,
        license: r.license_identifier,
        holder_kind: r.holder_kind,
        holder_name,
        holder_code,
        opinions: serde_json::from_str(&r.opinions).unwrap_or_default(),
        materials: serde_json::from_str(&r.materials).unwrap_or_default(),
        pushed_at: r.pushed_at,
        overdue: r.claimed_at.is_none() && r.claim_due.as_str() < today.as_str(),
        claim_due: r.claim_due,
        claimed: r.claimed_at.is_some(),
        claimed_at: r.claimed_at,
        claimed_name: r.claimed_name,
        claim_note: r.claim_note,
        may_claim,
        may_record_sanction,
        sanction_kinds,
        sanctions: vec![],
    }
}

/// Which records a list shows.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[schema(as = HandoverQuery)]
pub struct ListQuery {
    /// unclaimed (default) | claimed | all
    pub state: Option<String>,
    /// inbox (default: pushed to the reader's department) | pushed (pushed by it)
    pub side: Option<String>,
    /// The supervision bureau: one regulator's records.
    pub department_id: Option<i64>,
    /// 1-based.
    pub page: Option<i64>,
}

/// A page of records.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HandoverPage)]
pub struct HandoverPage {
    pub rows: Vec<HandoverView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The reader sees every department's records.
    pub all_departments: bool,
}

pub const PER_PAGE: i64 = 20;

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found("handover")
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), "handover")
    }
}

/// The inbox (or what the reader's department pushed), newest first.
pub async fn list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<HandoverPage> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(ctx.state).await;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let scope = access::list_scope(actor).map_err(refused)?;
    let claimed = match q.state.as_deref().unwrap_or("") {
        "" | "unclaimed" => Some(false),
        "claimed" => Some(true),
        "all" => None,
        _ => return Err(AppError::with_detail(Kind::BadInput, "bad_filter", "state")),
    };
    let pushed = match q.side.as_deref().unwrap_or("") {
        "" | "inbox" => false,
        "pushed" => true,
        _ => return Err(AppError::with_detail(Kind::BadInput, "bad_filter", "side")),
    };
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid("page"));
    }
    let mine = crate::error::list_department(scope, q.department_id)?;
    let f = sh::Filter {
        regulator: if pushed { None } else { mine },
        source: if pushed { mine } else { None },
        claimed,
        case_id: None,
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let (rows, total) = sh::list(&ctx.state.store, &f).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(ctx, r).await);
    }
    Ok(HandoverPage { rows: out, total, page, per_page: PER_PAGE, all_departments: scope.is_none() })
}

async fn readable(ctx: &Ctx<'_>, id: i64) -> AppResult<sh::HandoverRow> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let r = sh::get(&ctx.state.store, id).await?.ok_or_else(|| AppError::not_found("handover"))?;
    if !access::may_read(actor, &facts(&r)) {
        return Err(AppError::not_found("handover"));
    }
    Ok(r)
}

/// One record.
pub async fn get(ctx: &Ctx<'_>, id: i64) -> AppResult<HandoverView> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(ctx.state).await;
    let r = readable(ctx, id).await?;
    let sanctions = sanctions::of_record(ctx.state, &r).await?;
    Ok(HandoverView { sanctions, ..view(ctx, r).await })
}

/// A claim (认领) with an optional note.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = HandoverClaimInput)]
pub struct ClaimInput {
    /// 认领说明 (optional, at most 500 characters).
    #[serde(default)]
    pub note: String,
}

fn already_claimed(r: &sh::HandoverRow) -> AppError {
    let at = r.claimed_at.map(zwfw_domain::time::format_local).unwrap_or_default();
    AppError::with_detail(Kind::Conflict, "handover_already_claimed", format!("{at}由{}", r.claimed_name))
}

/// Whether the reader may claim record `id` at all: decided before anything
/// the request carries is read (a reader who may not is refused whatever
/// the body); the record and the reader's role.
pub async fn claim_target(ctx: &Ctx<'_>, id: i64) -> AppResult<(sh::HandoverRow, Role)> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let r = sh::get(&ctx.state.store, id).await?.ok_or_else(|| AppError::not_found("handover"))?;
    let role = access::may_claim(actor, &facts(&r)).map_err(refused)?;
    Ok((r, role))
}

/// Claims a record for the reader's department; refused when it is not the
/// reader's to claim or is claimed already, nothing written then.
pub async fn claim(ctx: &Ctx<'_>, id: i64, input: &ClaimInput) -> AppResult<HandoverView> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(ctx.state).await;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let st = ctx.state;
    let (r, role) = claim_target(ctx, id).await?;
    let note = dh::note(&input.note).ok_or_else(|| AppError::with_detail(Kind::Invalid, "note_too_long", "note"))?;
    if r.claimed_at.is_some() {
        return Err(already_claimed(&r));
    }
    let mut tx = st.store.begin().await?;
    if !sh::claim(&mut tx, id, actor.user_id, &actor.display_name, &note, ctx.now()).await? {
        drop(tx);
        let now = sh::get(&st.store, id).await?.ok_or_else(|| AppError::not_found("handover"))?;
        return Err(already_claimed(&now));
    }
    let detail = json!({"case_id": r.case_id, "regulator_department_id": r.regulator_department_id,
        "claim_due": r.claim_due, "role": role.code(), "overdue": r.claim_due < zwfw_domain::time::ymd(st.today())});
    ctx.audit(&mut tx, ctx.entry("handover_claimed", "handover", id, detail, &note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}
