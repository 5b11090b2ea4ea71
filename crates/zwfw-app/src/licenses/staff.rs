//! The issuing department's licences (电子证照, `/work/licenses`): the list
//! with its filters, a licence's page with its history (issue, status
//! changes, 用证 records) and the changes its staff may take. Who sees and
//! does what is `zwfw_domain::access::licenses`.

use super::facts;
use super::verify::{effective_status, find};
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use zwfw_domain::access::licenses::{
    list_scope, may_act, may_download_file, may_read_as_issuer, LicenseAction, ListScope,
};
use zwfw_domain::admin::AccountKind;
use zwfw_domain::ids::mask_middle;
use zwfw_domain::licenses::{mask_holder, HolderKind, LicenseStatus};
use zwfw_domain::time::format_local;
use zwfw_store::licenses::{self as store, LicenseFilter, LicenseRow};

/// Rows a page of the list shows.
pub const PER_PAGE: i64 = 20;

/// The list's filter, as the page and the API take it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A licence type's id.
    #[serde(default)]
    pub type_id: Option<String>,
    /// Part of the holder's name, or the holder's whole number.
    #[serde(default)]
    pub holder: Option<String>,
    /// The status shown today: valid | superseded | cancelled | revoked | expired.
    #[serde(default)]
    pub status: Option<String>,
    /// Issued on or after (YYYY-MM-DD, China time).
    #[serde(default)]
    pub from: Option<String>,
    /// Issued on or before (YYYY-MM-DD, China time).
    #[serde(default)]
    pub to: Option<String>,
    /// 1, 2, …
    #[serde(default)]
    pub page: Option<String>,
}

/// A licence version as the list shows it: the holder masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StaffLicense)]
pub struct Listed {
    pub identifier: String,
    /// 证照名称 (the type's name).
    pub type_name: String,
    /// `001`, `002`, …
    pub version: String,
    /// The holder's name (a person's masked).
    pub holder: String,
    /// The holder's number (a person's 身份证号 masked, a credit code whole).
    pub holder_code: String,
    /// valid | superseded | cancelled | revoked | expired (as shown today)
    pub status: LicenseStatus,
    pub status_label: String,
    /// 颁发机构
    pub issuer: String,
    /// When this version was issued (or imported), `YYYY-MM-DD HH:MM` China time.
    pub issued_at: String,
    /// YYYY-MM-DD
    pub valid_from: String,
    /// YYYY-MM-DD; none: long-term (长期).
    pub valid_until: Option<String>,
    /// issued | imported
    pub origin: String,
}

/// A page of the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StaffLicensePage)]
pub struct ListPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Every department's (the overseers) or the actor's department's.
    pub all_departments: bool,
    pub rows: Vec<Listed>,
}

fn kind(l: &LicenseRow) -> HolderKind {
    HolderKind::parse(&l.holder_kind).unwrap_or(HolderKind::Person)
}

/// The holder's number as staff see it: a person's masked.
fn masked_code(l: &LicenseRow) -> String {
    match kind(l) {
        HolderKind::Person => mask_middle(&l.holder_code, 6, 4),
        HolderKind::Legal => l.holder_code.clone(),
    }
}

fn bad(field: &'static str) -> AppError {
    AppError::invalid(field)
}

fn day(v: &Option<String>, field: &'static str) -> AppResult<Option<chrono::NaiveDate>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => zwfw_domain::time::parse_ymd(s).map(Some).ok_or_else(|| bad(field)),
    }
}

async fn listed(st: &App, l: LicenseRow, type_name: String) -> AppResult<Listed> {
    let status = effective_status(st, &l);
    Ok(Listed {
        identifier: l.identifier.clone(),
        type_name,
        version: format!("{:03}", l.version),
        holder: mask_holder(&l.holder_name, kind(&l)),
        holder_code: masked_code(&l),
        status,
        status_label: status.label().into(),
        issuer: st.department(l.issuer_department_id).await?.name.clone(),
        issued_at: format_local(l.issued_at),
        valid_from: l.valid_from,
        valid_until: l.valid_until,
        origin: l.origin,
    })
}

/// The licences the actor's department issued (every department's for the
/// overseers), newest first, a page at a time.
pub async fn list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<ListPage> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let scope = list_scope(actor).map_err(|r| AppError::refused(r, "license"))?;
    let opt = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let type_id = match opt(&q.type_id) {
        Some(t) => Some(t.parse::<i64>().map_err(|_| bad("type_id"))?),
        None => None,
    };
    let status = match opt(&q.status) {
        Some(s) => Some(LicenseStatus::parse(&s).ok_or_else(|| bad("status"))?),
        None => None,
    };
    let page = match opt(&q.page) {
        Some(p) => p.parse::<i64>().ok().filter(|p| (1..=100_000).contains(p)).ok_or_else(|| bad("page"))?,
        None => 1,
    };
    let holder = opt(&q.holder);
    if holder.as_ref().is_some_and(|h| h.chars().count() > 50) {
        return Err(bad("holder"));
    }
    let (from, to) = (day(&q.from, "from")?, day(&q.to, "to")?);
    if matches!((from, to), (Some(a), Some(b)) if a > b) {
        return Err(bad("to"));
    }
    let span = zwfw_domain::clock::days_span_ms(from, to);
    let (issued_from_ms, issued_before_ms) = span.unwrap_or((None, None));
    let filter = LicenseFilter {
        department_id: match scope {
            ListScope::Department(d) => Some(d),
            ListScope::All => None,
        },
        type_id,
        status,
        holder,
        issued_from_ms,
        issued_before_ms,
        today: zwfw_domain::time::ymd(st.today()),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let (rows, total) = store::list(&st.store, &filter).await?;
    let mut out = vec![];
    for r in rows {
        out.push(listed(st, r.license, r.type_name).await?);
    }
    Ok(ListPage { total, page, per_page: PER_PAGE, all_departments: scope == ListScope::All, rows: out })
}

/// One entry of a licence's history: its issue and each status change.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StaffLicenseEvent)]
pub struct HistoryEntry {
    /// `YYYY-MM-DD HH:MM`, China time.
    pub at: String,
    /// issued | reissued | amended | cancelled | revoked | expired | imported
    pub change: String,
    /// The change in Chinese.
    pub change_label: String,
    /// The status after it, in Chinese.
    pub status_label: String,
    /// Who (系统 for the background job).
    pub actor: String,
    /// The reason, the decision number or why it expired.
    pub note: String,
}

/// One 用证 record as the issuing department reads it: when and why, and
/// the department that used it; a visitor's or another person's identity
/// stays the holder's to know.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StaffLicenseUse)]
pub struct UseSummary {
    /// `YYYY-MM-DD HH:MM`, China time.
    pub at: String,
    /// verification | qr_check | application
    pub purpose: String,
    pub purpose_label: String,
    /// 持证人本人, a department's name, 单位, 公众 or 未登录的访客.
    pub by: String,
}

/// A licence version as its issuing department's page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StaffLicenseDetail)]
pub struct Detail {
    #[serde(flatten)]
    pub license: Listed,
    /// The holder's name in full for the issuing department, masked for the overseers.
    pub holder_name: String,
    /// 证照编号 as printed.
    pub number: String,
    /// The case it was issued on (none for an imported licence).
    pub case_id: Option<i64>,
    /// The newer version that replaced this one.
    pub successor: Option<String>,
    /// The public verification page.
    pub verify_url: String,
    /// The licence file, when the reader may download it.
    pub file_url: Option<String>,
    /// The changes the reader may take now: reissue | amend | cancel | revoke.
    pub actions: Vec<String>,
    /// The template's fields of this version with their values, in the
    /// template's order: what 变更 starts from. Only for a reader who may
    /// amend it now (empty otherwise).
    pub fields: Vec<TemplateField>,
    pub history: Vec<HistoryEntry>,
    /// The newest first (at most [`super::holder::USES_SHOWN`]).
    pub uses: Vec<UseSummary>,
}

/// A field of a licence's template and its value in one version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseTemplateField)]
pub struct TemplateField {
    pub name: String,
    pub value: String,
}

/// The fields of version `l`, in its type's template order (a field the
/// version holds but the template no longer names after them).
fn template_fields(l: &LicenseRow, template: &[String]) -> AppResult<Vec<TemplateField>> {
    let mut held = super::status::metadata_of(l)?.fields;
    let mut out = vec![];
    for name in template {
        if let Some(value) = held.remove(name) {
            out.push(TemplateField { name: name.clone(), value });
        }
    }
    out.extend(held.into_iter().map(|(name, value)| TemplateField { name, value }));
    Ok(out)
}

/// Who used a licence, as the issuing department may know it.
async fn used_by(st: &App, actor_id: Option<i64>, holder: Option<i64>) -> AppResult<String> {
    let Some(id) = actor_id else { return Ok("未登录的访客".into()) };
    if Some(id) == holder {
        return Ok("持证人本人".into());
    }
    let u = zwfw_store::admin::get_user(&st.store, id).await?;
    Ok(match (u.kind, u.department_id) {
        (AccountKind::Staff, Some(d)) => st.department(d).await?.name.clone(),
        (AccountKind::Staff, None) => "平台工作人员".into(),
        (AccountKind::Company, _) => "单位".into(),
        (AccountKind::Person, _) => "公众".into(),
    })
}

/// The changes `actor` may take on licence `l` now: the role's, the status
/// today's, and a new version only for a licence issued on a case here.
pub fn open_actions(st: &App, actor: &zwfw_domain::admin::Actor, l: &LicenseRow) -> Vec<LicenseAction> {
    let today = effective_status(st, l);
    LicenseAction::ALL
        .into_iter()
        .filter(|a| may_act(actor, &facts(l), *a).is_ok())
        .filter(|a| match a {
            LicenseAction::Reissue | LicenseAction::Amend => today == LicenseStatus::Valid && l.case_id.is_some(),
            LicenseAction::Cancel => today.may_become(LicenseStatus::Cancelled),
            LicenseAction::Revoke => today.may_become(LicenseStatus::Revoked),
        })
        .collect()
}

/// A licence version for its issuing department's staff and the overseers;
/// anyone else is answered "not found".
pub async fn detail(ctx: &Ctx<'_>, identifier: &str) -> AppResult<Detail> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(|| AppError::not_found("license"))?;
    let l = find(st, identifier).await?;
    let f = facts(&l);
    // The holder reads their licence on 我的证照; this page is the staff's.
    if !may_read_as_issuer(actor, &f) {
        return Err(AppError::not_found("license"));
    }
    let own = zwfw_domain::access::in_department(actor, l.issuer_department_id);
    let ty = store::get_type(st.store.pool(), l.type_id).await?;
    let actions = open_actions(st, actor, &l);
    let fields = if actions.contains(&LicenseAction::Amend) { template_fields(&l, &ty.template)? } else { vec![] };
    let type_name = ty.name;
    let mut history = vec![];
    for e in store::events(st.store.pool(), l.id).await? {
        history.push(HistoryEntry {
            at: format_local(e.at),
            change_label: crate::messages::label("license_change", &e.change),
            status_label: crate::messages::label("license_status", &e.status),
            change: e.change,
            actor: e.actor_name,
            note: e.note,
        });
    }
    let mut uses = vec![];
    for u in store::uses(st.store.pool(), l.id, super::holder::USES_SHOWN).await? {
        uses.push(UseSummary {
            at: format_local(u.at),
            purpose_label: crate::messages::label("license_use", &u.purpose),
            purpose: u.purpose,
            by: used_by(st, u.actor_id, l.holder_user_id).await?,
        });
    }
    let number = super::verify::number_of(&l);
    Ok(Detail {
        holder_name: if own { l.holder_name.clone() } else { mask_holder(&l.holder_name, kind(&l)) },
        number,
        case_id: l.case_id,
        successor: l.successor.clone(),
        verify_url: super::verify_path(&l.identifier),
        file_url: may_download_file(actor, &f).is_ok().then(|| format!("/licenses/{}/file", l.identifier)),
        actions: actions.iter().map(|a| a.code().to_string()).collect(),
        fields,
        history,
        uses,
        license: listed(st, l, type_name).await?,
    })
}
