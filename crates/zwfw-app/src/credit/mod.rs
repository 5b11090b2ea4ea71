//! 双公示 of 行政许可 decisions: the publication record of each grant or
//! denial of a 行政许可 item (derived after the conclusion's commit, with
//! the case notices: `cases::notices`), with the national
//! fields; its publication (公示) by the deciding department, due seven
//! working days after the decision; the licence's certificate joining it;
//! 无效 once the licence is 注销 or 吊销; the public list and its workbook.

mod export;

pub use export::workbook;

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::credit as access;
use zwfw_domain::access::Refusal;
use zwfw_domain::cases::{ApplicantKind, CaseState, EventKind};
use zwfw_domain::catalog::ItemContent;
use zwfw_domain::credit::{self as dc, Category, Timeliness};
use zwfw_domain::licenses::LicenseChange;
use zwfw_domain::time::{parse_ymd, ymd};
use zwfw_store::cases::CaseRow;
use zwfw_store::credit as sc;
use zwfw_store::Tx;

/// Whether a conclusion writes a publication record (a grant or a denial of
/// a 行政许可 item).
pub fn records(content: &ItemContent, kind: &EventKind) -> bool {
    matches!(kind, EventKind::Concluded { outcome, .. } if dc::published(content.item_type, *outcome))
}

/// The last day to publish a decision taken today. A calendar that lacks
/// the days ahead does not stop the conclusion: the record is then due
/// after as many calendar days, and the gap is logged.
fn publish_due(st: &App, today: chrono::NaiveDate) -> String {
    let due = dc::publish_due(&st.calendar(), today).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "publication deadline counted in calendar days: the working-day calendar lacks them");
        today + chrono::Days::new(u64::from(dc::PUBLISH_DAYS))
    });
    ymd(due)
}

/// 法定代表人 of a legal person: as the application form gave it, else as
/// the applicant's account holds it ("" for a natural person, or when
/// neither says).
pub(crate) async fn legal_rep(st: &App, case: &CaseRow) -> AppResult<String> {
    if ApplicantKind::parse(&case.applicant_kind) != Some(ApplicantKind::Legal) {
        return Ok(String::new());
    }
    let given = case.form.get("法定代表人").and_then(|v| v.as_str()).unwrap_or("").trim();
    if !given.is_empty() {
        return Ok(given.to_string());
    }
    Ok(match case.applicant_user_id {
        Some(u) => zwfw_store::admin::legal_rep_of(st.store.pool(), u).await?.unwrap_or_default(),
        None => String::new(),
    })
}

/// The publication record of a grant or a denial of a 行政许可 item, made
/// before it is written.
pub(crate) struct ConclusionRecord<'a> {
    case: &'a CaseRow,
    content: &'a ItemContent,
    outcome: zwfw_domain::cases::Outcome,
    document_no: &'a str,
    at_ms: i64,
    authority: &'a zwfw_store::admin::Department,
    rep: &'a str,
    today: String,
    due: String,
    text: String,
    valid_to: String,
}

impl ConclusionRecord<'_> {
    fn granted(&self) -> bool {
        self.outcome == zwfw_domain::cases::Outcome::Granted
    }

    fn new_record(&self) -> sc::NewRecord<'_> {
        let (case, granted) = (self.case, self.granted());
        sc::NewRecord {
            case_id: case.id,
            case_no: case.case_no.as_deref().unwrap_or(""),
            item_id: case.item_id,
            item_name: &self.content.name,
            department_id: case.department_id,
            decision: self.outcome.code(),
            holder_kind: &case.applicant_kind,
            holder_name: &case.applicant_name,
            holder_code: &case.applicant_id_no,
            legal_rep: self.rep,
            document_name: dc::document_name(self.outcome),
            document_no: self.document_no,
            certificate_name: if granted { &self.content.result_name } else { "" },
            license_no: if granted { self.document_no } else { "" },
            content: &self.text,
            decided_at: self.at_ms,
            decided_on: &self.today,
            valid_from: if granted { &self.today } else { "" },
            valid_to: &self.valid_to,
            authority: &self.authority.name,
            authority_code: &self.authority.credit_code,
            publish_due: &self.due,
        }
    }
}

/// The publication record of the conclusion `kind` of `case` taken at
/// `at_ms` by `authority`, naming `rep` as 法定代表人: for a grant or a
/// denial of a 行政许可 item; none for other conclusions.
#[allow(clippy::too_many_arguments)]
pub(crate) fn conclusion_record<'a>(
    st: &App,
    case: &'a CaseRow,
    content: &'a ItemContent,
    kind: &'a EventKind,
    at_ms: i64,
    authority: &'a zwfw_store::admin::Department,
    rep: &'a str,
) -> Option<ConclusionRecord<'a>> {
    let EventKind::Concluded { outcome, reason, document_no, valid_until, .. } = kind else { return None };
    if !dc::published(content.item_type, *outcome) {
        return None;
    }
    let day = zwfw_domain::clock::local_date(at_ms);
    let granted = *outcome == zwfw_domain::cases::Outcome::Granted;
    Some(ConclusionRecord {
        case,
        content,
        outcome: *outcome,
        document_no,
        at_ms,
        authority,
        rep,
        today: ymd(day),
        due: publish_due(st, day),
        text: if granted { content.name.clone() } else { format!("不予许可：{}", reason.trim()) },
        valid_to: valid_until
            .map(ymd)
            .unwrap_or_else(|| if granted { dc::LONG_TERM.to_string() } else { String::new() }),
    })
}

/// Writes the publication records `records` in `tx`, the derivation's
/// transaction that moves past their conclusions' audit records, each with
/// its audit record, in one statement each for the whole batch.
pub(crate) async fn write_conclusion_records(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    records: &[ConclusionRecord<'_>],
) -> AppResult<()> {
    let rows: Vec<sc::NewRecord<'_>> = records.iter().map(ConclusionRecord::new_record).collect();
    let ids = sc::insert_many(tx, &rows).await?;
    let entries: Vec<_> = ids
        .iter()
        .zip(records)
        .map(|(id, r)| {
            let detail = json!({"case_id": r.case.id, "decision": r.outcome.code(), "publish_due": r.due});
            ctx.entry("credit_recorded", "credit_licensing", id, detail, "")
        })
        .collect();
    ctx.audit_many(tx, &entries).await
}

/// The licence issued for a granted case gives its record the certificate's
/// name and validity, in the issuance's transaction.
pub async fn attach_license(
    tx: &mut Tx,
    case_id: i64,
    certificate_name: &str,
    valid_from: &str,
    valid_to: Option<&str>,
) -> AppResult<()> {
    sc::attach_license(tx, case_id, certificate_name, valid_from, valid_to.unwrap_or(dc::LONG_TERM)).await?;
    Ok(())
}

/// A licence 注销, 吊销 or 作废 makes the record of its case 无效 from today, in
/// the change's transaction; other changes leave it.
pub async fn on_license_change(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    case_id: Option<i64>,
    change: LicenseChange,
    note: &str,
) -> AppResult<()> {
    let Some(case_id) = case_id.filter(|_| dc::invalidates(change)) else { return Ok(()) };
    let on = ymd(ctx.state.today());
    let reason = format!("{}：{}", change.label(), note.trim());
    if let Some(id) = sc::invalidate(tx, case_id, &on, &reason).await? {
        let detail = json!({"case_id": case_id, "change": change.code(), "invalid_on": on});
        ctx.audit(tx, ctx.entry("credit_invalidated", "credit_licensing", id, detail, note)).await?;
    }
    Ok(())
}

/// The conclusion of case `case_id` was corrected as a misoperation (办结
/// 结论有误): its record, if one was derived and stands, shows 无效 from
/// today with the correction's reason, in the correction's transaction
/// (published already, it stays published, marked so); the new decision
/// derives its own. `note` is the correction's own wording (办结结论更正
/// （更正申请第N号）：…), the reason as it stands. Whether one changed.
pub async fn on_conclusion_corrected(ctx: &Ctx<'_>, tx: &mut Tx, case_id: i64, note: &str) -> AppResult<bool> {
    let on = ymd(ctx.state.today());
    let Some(id) = sc::invalidate(tx, case_id, &on, note.trim()).await? else { return Ok(false) };
    let detail = json!({"case_id": case_id, "change": "conclusion_corrected", "invalid_on": on});
    ctx.audit(tx, ctx.entry("credit_invalidated", "credit_licensing", id, detail, note)).await?;
    Ok(true)
}

// ---------- publication ----------

/// 公示: the 许可类别 and, if it is to read otherwise than the record has
/// it, the 许可内容.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = CreditPublishInput)]
pub struct PublishInput {
    /// 许可类别: general | special | recognition | approval | registration | other
    pub category: String,
    /// 许可内容 (optional; 1–2000 characters when given).
    #[serde(default)]
    pub content: Option<String>,
}

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found("case")
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), "credit")
    }
}

async fn publisher(ctx: &Ctx<'_>, case_id: i64) -> AppResult<(CaseRow, zwfw_domain::admin::Role)> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let case = zwfw_store::cases::get_case(&ctx.state.store, case_id).await.map_err(AppError::missing("case"))?;
    let role = access::may_publish(actor, case.department_id).map_err(refused)?;
    Ok((case, role))
}

/// Whether the reader may publish the decisions of case `case_id` (asked
/// before a request's body is read): not found, or refused, else Ok.
pub async fn check_publisher(ctx: &Ctx<'_>, case_id: i64) -> AppResult<()> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(ctx.state).await;
    publisher(ctx, case_id).await.map(|_| ())
}

/// Publishes the decision of case `case_id`: refused when the case is not
/// concluded, when its conclusion is not a 行政许可 decision, when the
/// reader is not its department's to publish, or when it is published
/// already; nothing written then.
pub async fn publish(ctx: &Ctx<'_>, case_id: i64, input: &PublishInput) -> AppResult<CreditView> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(ctx.state).await;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let st = ctx.state;
    let (case, role) = publisher(ctx, case_id).await?;
    let record = sc::of_case(st.store.pool(), case_id).await?;
    let Some(r) = record else {
        let concluded = CaseState::parse(&case.p.state)
            .is_some_and(|s| matches!(s, CaseState::Concluded | CaseState::Delivered | CaseState::Withdrawn));
        return Err(if concluded {
            AppError::new(Kind::Conflict, "credit_not_a_licensing_decision")
        } else {
            AppError::new(Kind::Conflict, "credit_case_not_concluded")
        });
    };
    let category = Category::parse(&input.category)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "invalid_field", "category"))?;
    let content = match input.content.as_deref() {
        None => r.content.clone(),
        Some(c) => dc::content(c).ok_or_else(|| AppError::with_detail(Kind::Invalid, "invalid_field", "content"))?,
    };
    if r.published_at.is_some() {
        return Err(already_published(&r));
    }
    let today = ymd(st.today());
    let mut tx = st.store.begin().await?;
    if !sc::publish(&mut tx, r.id, category.code(), &content, actor.user_id, &actor.display_name, ctx.now(), &today)
        .await?
    {
        drop(tx);
        let now = sc::get(&st.store, r.id).await?.ok_or_else(|| AppError::not_found("case"))?;
        return Err(already_published(&now));
    }
    let late = today.as_str() > r.publish_due.as_str();
    let detail = json!({"case_id": case_id, "category": category.code(), "publish_due": r.publish_due,
        "late": late, "role": role.code()});
    ctx.audit(&mut tx, ctx.entry("credit_published", "credit_licensing", r.id, detail, "")).await?;
    tx.commit().await?;
    let r = sc::get(&st.store, r.id).await?.ok_or_else(|| AppError::not_found("case"))?;
    Ok(view(st, r, true).await)
}

fn already_published(r: &sc::CreditRow) -> AppError {
    AppError::with_detail(Kind::Conflict, "credit_already_published", r.published_on.clone().unwrap_or_default())
}

// ---------- reading ----------

/// A publication record with the national fields (行政许可 双公示).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CreditLicensing)]
pub struct CreditView {
    pub id: i64,
    /// 行政相对人名称 (a person's masked).
    pub holder_name: String,
    /// 行政相对人类别
    pub holder_category: String,
    /// 统一社会信用代码 of an organisation; empty for a person.
    pub credit_code: String,
    /// 证件类型 of a person (身份证); empty for an organisation.
    pub id_type: String,
    /// 证件号码 of a person, masked; empty for an organisation.
    pub id_number: String,
    /// 法定代表人
    pub legal_rep: String,
    /// 行政许可决定文书名称
    pub document_name: String,
    /// 行政许可决定文书号
    pub document_no: String,
    /// 许可类别 (empty until published).
    pub category: String,
    pub category_label: String,
    /// 许可证书名称
    pub certificate_name: String,
    /// 许可编号
    pub license_no: String,
    /// 许可内容
    pub content: String,
    /// 许可决定日期 (YYYY-MM-DD)
    pub decided_on: String,
    /// 有效期自
    pub valid_from: String,
    /// 有效期至 (2099-12-31 = 长期)
    pub valid_to: String,
    /// 许可机关
    pub authority: String,
    /// 许可机关统一社会信用代码
    pub authority_code: String,
    /// 当前状态: valid | invalid
    pub status: String,
    pub status_label: String,
    /// The day it became 无效, and why.
    pub invalid_on: Option<String>,
    pub invalid_reason: String,
    /// 数据来源单位
    pub source_unit: String,
    /// 数据来源单位统一社会信用代码
    pub source_unit_code: String,
    /// granted | denied
    pub decision: String,
    /// The day it was published (公示日期).
    pub published_on: Option<String>,
    /// The staff's view only: the case, the due day, the timeliness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffFields>,
}

/// What the deciding department and the overseers read beside the public fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CreditStaffFields)]
pub struct StaffFields {
    pub case_id: i64,
    pub case_no: String,
    pub item_name: String,
    pub department_id: i64,
    /// The last day to publish.
    pub publish_due: String,
    /// on_time | late | overdue | pending
    pub timeliness: String,
    pub timeliness_label: String,
    pub published_name: String,
    /// The reader may publish it now.
    pub may_publish: bool,
}

async fn view(st: &App, r: sc::CreditRow, staff: bool) -> CreditView {
    view_as(st, r, staff.then_some(None)).await
}

/// `staff`: None for the public; Some(reader) for the staff view.
async fn view_as(st: &App, r: sc::CreditRow, staff: Option<Option<&zwfw_domain::admin::Actor>>) -> CreditView {
    let kind = ApplicantKind::parse(&r.holder_kind).unwrap_or(ApplicantKind::Natural);
    let (name, code) = dc::public_holder(kind, &r.holder_name, &r.holder_code);
    let legal = kind == ApplicantKind::Legal;
    let status = dc::status(r.invalid_on.as_deref());
    let today = st.today();
    let staff = staff.map(|reader| {
        let due = parse_ymd(&r.publish_due).unwrap_or(today);
        let t = dc::timeliness(due, r.published_on.as_deref().and_then(parse_ymd), today);
        StaffFields {
            case_id: r.case_id,
            case_no: r.case_no.clone(),
            item_name: r.item_name.clone(),
            department_id: r.department_id,
            publish_due: r.publish_due.clone(),
            timeliness: t.code().into(),
            timeliness_label: t.label().into(),
            published_name: r.published_name.clone(),
            may_publish: r.published_at.is_none()
                && reader.is_some_and(|a| access::may_publish(a, r.department_id).is_ok()),
        }
    });
    CreditView {
        id: r.id,
        holder_name: name,
        holder_category: dc::holder_category(kind).into(),
        credit_code: if legal { code.clone() } else { String::new() },
        id_type: if legal { String::new() } else { "身份证".into() },
        id_number: if legal { String::new() } else { code },
        legal_rep: r.legal_rep,
        document_name: r.document_name,
        document_no: r.document_no,
        category_label: Category::parse(&r.category).map(|c| c.label().to_string()).unwrap_or_default(),
        category: r.category,
        certificate_name: r.certificate_name,
        license_no: r.license_no,
        content: r.content,
        decided_on: r.decided_on,
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        authority: r.authority,
        authority_code: r.authority_code,
        status: status.code().into(),
        status_label: status.label().into(),
        invalid_on: r.invalid_on,
        invalid_reason: r.invalid_reason,
        source_unit: r.source_unit,
        source_unit_code: r.source_unit_code,
        decision: r.decision,
        published_on: r.published_on,
        staff,
    }
}

/// The filters of the lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, utoipa::IntoParams)]
#[schema(as = CreditQuery)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 行政相对人名称 (part of it).
    pub name: Option<String>,
    /// 统一社会信用代码, 决定文书号 or 许可编号 (whole).
    pub code: Option<String>,
    /// 许可机关 (a department's id).
    pub department_id: Option<String>,
    /// Decided on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Decided on or before (YYYY-MM-DD).
    pub to: Option<String>,
    /// The staff list: pending (default) | published | all.
    pub state: Option<String>,
    /// 1-based.
    pub page: Option<String>,
}

/// A page of records.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CreditPage)]
pub struct CreditPage {
    pub rows: Vec<CreditView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE: i64 = 20;
/// The most rows a workbook holds.
pub const EXPORT_MAX: i64 = 10_000;

fn bad(field: &'static str) -> AppError {
    AppError::with_detail(Kind::BadInput, "bad_filter", field)
}

/// The filter a query names; a bad value is refused naming its field.
fn filter(q: &ListQuery) -> AppResult<(sc::Filter, i64)> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let day = |v: &Option<String>, field: &'static str| match text(v) {
        None => Ok(None),
        Some(s) => parse_ymd(&s).map(|d| Some(ymd(d))).ok_or_else(|| bad(field)),
    };
    let name = text(&q.name);
    if name.as_ref().is_some_and(|n| n.chars().count() > 100) {
        return Err(bad("name"));
    }
    let code = text(&q.code);
    if code.as_ref().is_some_and(|c| c.chars().count() > 64) {
        return Err(bad("code"));
    }
    let department = match text(&q.department_id) {
        None => None,
        Some(s) => Some(s.parse::<i64>().ok().filter(|d| *d > 0).ok_or_else(|| bad("department_id"))?),
    };
    let (from, to) = (day(&q.from, "from")?, day(&q.to, "to")?);
    if let (Some(f), Some(t)) = (&from, &to) {
        if f > t {
            return Err(bad("to"));
        }
    }
    let page = match text(&q.page) {
        None => 1,
        Some(s) => s.parse::<i64>().ok().filter(|p| (1..=100_000).contains(p)).ok_or_else(|| bad("page"))?,
    };
    let f = sc::Filter {
        published: Some(true),
        department,
        name,
        code,
        from,
        to,
        public: true,
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    Ok((f, page))
}

/// The licensing authorities (许可机关) the public filter offers: the active
/// departments that implement a published item, by name.
pub async fn authorities(st: &App) -> AppResult<Vec<(i64, String)>> {
    let f = zwfw_store::catalog::ItemFilter { published_only: true, limit: 1_000_000, ..Default::default() };
    let licensing: std::collections::HashSet<i64> =
        zwfw_store::catalog::list(&st.store, &f).await?.into_iter().map(|i| i.department_id).collect();
    let mut out: Vec<(i64, String)> = zwfw_store::admin::list_departments(&st.store)
        .await?
        .into_iter()
        .filter(|d| d.active && licensing.contains(&d.id))
        .map(|d| (d.id, d.name))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Counts a public look-up of the list by the visitor of `ctx` (not
/// signed in) and refuses it once their address made the configured number
/// in 15 minutes (`credit_lookup_limited`, 429).
async fn throttle(ctx: &Ctx<'_>) -> AppResult<()> {
    use crate::lookups::{throttle, Lookup};
    throttle(ctx.state, Lookup::Credit, &ctx.client_addr, ctx.actor.is_none()).await
}

/// The published records (public: no sign-in), newest decision first; a
/// visitor not signed in is limited per address ([`crate::lookups`]).
pub async fn public_list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<CreditPage> {
    let st = ctx.state;
    throttle(ctx).await?;
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(st).await;
    let (f, page) = filter(q)?;
    let (rows, total) = sc::list(&st.store, &f).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view_as(st, r, None).await);
    }
    Ok(CreditPage { rows: out, total, page, per_page: PER_PAGE })
}

/// The published records the filters name, as a workbook (at most
/// [`EXPORT_MAX`] rows, newest first); limited like [`public_list`].
pub async fn public_workbook(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<Vec<u8>> {
    let st = ctx.state;
    throttle(ctx).await?;
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(st).await;
    let (mut f, _) = filter(q)?;
    f.limit = EXPORT_MAX;
    f.offset = 0;
    let (rows, _) = sc::list(&st.store, &f).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view_as(st, r, None).await);
    }
    workbook(&out).map_err(|e| AppError::Internal(e.to_string()))
}

/// The staff list: the reader's department's records (the overseers':
/// every department's), pending publication by default.
pub async fn staff_list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<CreditPage> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(ctx.state).await;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let scope = access::list_scope(actor).map_err(refused)?;
    let (mut f, page) = filter(q)?;
    // The department's own staff search the names and numbers they hold.
    f.public = false;
    f.published = match q.state.as_deref().map(str::trim).unwrap_or("") {
        "" | "pending" => Some(false),
        "published" => Some(true),
        "all" => None,
        _ => return Err(bad("state")),
    };
    if scope.is_some() {
        f.department = scope;
    }
    let (rows, total) = sc::list(&ctx.state.store, &f).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view_as(ctx.state, r, Some(Some(actor))).await);
    }
    Ok(CreditPage { rows: out, total, page, per_page: PER_PAGE })
}

/// The timeliness of the publications per department (on time, late,
/// overdue, pending) as of today, of the decisions taken from `from` to `to`.
pub async fn timeliness(
    st: &App,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<std::collections::HashMap<i64, [i64; 4]>> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(st).await;
    let today = ymd(st.today());
    Ok(sc::timeliness(&st.store, &today, from, to).await?.into_iter().collect())
}

/// The codes of the timeliness figures, in the order [`timeliness`] gives them.
pub const TIMELINESS: [Timeliness; 4] =
    [Timeliness::OnTime, Timeliness::Late, Timeliness::Overdue, Timeliness::Pending];
