//! 证照目录: the licence types, kept by the system administrators and
//! linked to the catalogue items whose grant issues them.

use super::manager;
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zwfw_domain::access::licenses::may_manage_types;
use zwfw_domain::licenses::{template_fields, HolderKind, LicenseTypeCode, Validity};
use zwfw_store::licenses::{self as store, TypeData, TypeRow};

/// 证照定义机构级别.
pub const AUTHORITY_LEVELS: [&str; 6] = ["国家级", "省级", "地市级", "区县级", "乡镇级", "其他"];

/// A new licence type, or the changed content of one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = LicenseTypeInput)]
pub struct TypeInput {
    /// 证照类型代码: the defining authority's 统一社会信用代码 and 3 digits.
    pub code: String,
    /// 证照类型名称
    pub name: String,
    /// 证照定义机构
    pub define_authority: String,
    /// 证照定义机构级别: 国家级 | 省级 | 地市级 | 区县级 | 乡镇级 | 其他
    pub define_authority_level: String,
    /// person (自然人) | legal (法人)
    pub holder_kind: String,
    /// Years of validity, 1–100; none: long-term (长期).
    #[serde(default)]
    pub validity_years: Option<i64>,
    /// The fields printed, one a line (or separated by `|`).
    #[serde(default)]
    pub template: String,
    /// The catalogue items whose grant issues this licence (each item at
    /// most one active type; its result type must be 证照).
    #[serde(default)]
    pub item_ids: Vec<i64>,
    /// The departments that issue it; empty: the department handling the case.
    #[serde(default)]
    pub issuer_department_ids: Vec<i64>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn invalid(field: &'static str) -> AppError {
    AppError::with_detail(Kind::Invalid, "invalid_field", field)
}

fn text(s: &str, field: &'static str, max: usize) -> AppResult<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(invalid(field));
    }
    Ok(t.to_string())
}

/// The input checked against the catalogue and the other types.
struct Checked {
    code: String,
    name: String,
    define_authority: String,
    level: String,
    holder_kind: HolderKind,
    validity: Validity,
    template: Vec<String>,
    item_ids: Vec<i64>,
    issuers: Vec<i64>,
}

async fn check(st: &App, input: &TypeInput, id: Option<i64>) -> AppResult<Checked> {
    let code = LicenseTypeCode::parse(&input.code)?.as_str().to_string();
    let level = input.define_authority_level.trim().to_string();
    if !AUTHORITY_LEVELS.contains(&level.as_str()) {
        return Err(invalid("define_authority_level"));
    }
    let holder_kind = HolderKind::parse(&input.holder_kind).ok_or_else(|| invalid("holder_kind"))?;
    let mut item_ids = input.item_ids.clone();
    item_ids.sort_unstable();
    item_ids.dedup();
    let others = store::list_types(st.store.pool()).await?;
    for item_id in &item_ids {
        let item = zwfw_store::catalog::get_item(&st.store, *item_id).await.map_err(|_| invalid("item_ids"))?;
        let version = item.published_version_id.or(item.open_version_id).ok_or_else(|| invalid("item_ids"))?;
        let content = zwfw_store::catalog::get_version(&st.store, version).await?.content;
        if content.result_type.trim() != "证照" {
            return Err(AppError::with_detail(Kind::Invalid, "item_result_not_license", content.name.clone()));
        }
        if let Some(t) = others.iter().find(|t| t.active && Some(t.id) != id && t.item_ids.contains(item_id)) {
            return Err(AppError::with_detail(Kind::Conflict, "item_has_license_type", t.name.clone()));
        }
    }
    let mut issuers = input.issuer_department_ids.clone();
    issuers.sort_unstable();
    issuers.dedup();
    for d in &issuers {
        st.department(*d).await.map_err(|_| invalid("issuer_department_ids"))?;
    }
    Ok(Checked {
        code,
        name: text(&input.name, "name", 100)?,
        define_authority: text(&input.define_authority, "define_authority", 100)?,
        level,
        holder_kind,
        validity: Validity::from_years(input.validity_years)?,
        template: template_fields(&input.template)?,
        item_ids,
        issuers,
    })
}

fn data<'a>(c: &'a Checked, active: bool) -> TypeData<'a> {
    TypeData {
        code: &c.code,
        name: &c.name,
        define_authority: &c.define_authority,
        define_authority_level: &c.level,
        holder_kind: c.holder_kind.code(),
        validity_years: c.validity.years(),
        template: &c.template,
        item_ids: &c.item_ids,
        issuer_department_ids: &c.issuers,
        active,
    }
}

/// Every licence type (the managers' list).
pub async fn list(ctx: &Ctx<'_>) -> AppResult<Vec<TypeRow>> {
    manager(ctx, may_manage_types)?;
    Ok(store::list_types(ctx.state.store.pool()).await?)
}

pub async fn get(ctx: &Ctx<'_>, id: i64) -> AppResult<TypeRow> {
    manager(ctx, may_manage_types)?;
    Ok(store::get_type(ctx.state.store.pool(), id).await?)
}

/// Adds a licence type.
pub async fn create(ctx: &Ctx<'_>, input: &TypeInput) -> AppResult<TypeRow> {
    manager(ctx, may_manage_types)?;
    let c = check(ctx.state, input, None).await?;
    let mut tx = ctx.state.store.begin().await?;
    let id = store::insert_type(&mut tx, &data(&c, input.active), ctx.now()).await?;
    let detail = json!({"type_code": c.code, "name": c.name, "item_ids": c.item_ids});
    ctx.audit(&mut tx, ctx.entry("license_type_created", "license_type", id, detail, "")).await?;
    tx.commit().await?;
    Ok(store::get_type(ctx.state.store.pool(), id).await?)
}

/// Changes a licence type (licences already issued keep what they were
/// issued with).
pub async fn update(ctx: &Ctx<'_>, id: i64, input: &TypeInput) -> AppResult<TypeRow> {
    manager(ctx, may_manage_types)?;
    let before = store::get_type(ctx.state.store.pool(), id).await?;
    let c = check(ctx.state, input, Some(id)).await?;
    let mut tx = ctx.state.store.begin().await?;
    store::update_type(&mut tx, id, &data(&c, input.active), ctx.now()).await?;
    let detail =
        json!({"before": before, "type_code": c.code, "name": c.name, "item_ids": c.item_ids, "active": input.active});
    ctx.audit(&mut tx, ctx.entry("license_type_updated", "license_type", id, detail, "")).await?;
    tx.commit().await?;
    Ok(store::get_type(ctx.state.store.pool(), id).await?)
}

/// The active licence type a catalogue item's grant issues, if any.
pub async fn of_item(st: &App, item_id: i64) -> AppResult<Option<TypeRow>> {
    Ok(store::active_type_of_item(st.store.pool(), item_id).await?)
}

/// A catalogue item a licence type may be linked to: published, its result
/// a licence (证照).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseItemChoice)]
pub struct ItemChoice {
    pub item_id: i64,
    pub name: String,
    /// 实施编码
    pub impl_code: String,
    pub department: String,
    /// The active licence type it is linked to, if any.
    pub linked_type: Option<String>,
}

/// The items a licence type may be linked to, those whose name or code
/// contains `q` (all when it is empty), by name.
pub async fn item_choices(ctx: &Ctx<'_>, q: &str) -> AppResult<Vec<ItemChoice>> {
    manager(ctx, may_manage_types)?;
    let st = ctx.state;
    let q = q.trim();
    let types = store::list_types(st.store.pool()).await?;
    let filter = zwfw_store::catalog::ItemFilter { published_only: true, limit: 2000, ..Default::default() };
    let mut out = vec![];
    for i in zwfw_store::catalog::list(&st.store, &filter).await? {
        if !q.is_empty() && !i.name.contains(q) && !i.impl_code.contains(q) && !i.basic_code.contains(q) {
            continue;
        }
        if crate::cases::item_version(st, i.version_id).await?.result_type.trim() != "证照" {
            continue;
        }
        out.push(ItemChoice {
            linked_type: types.iter().find(|t| t.active && t.item_ids.contains(&i.item_id)).map(|t| t.name.clone()),
            department: st.department(i.department_id).await?.name.clone(),
            item_id: i.item_id,
            name: i.name,
            impl_code: i.impl_code,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.item_id.cmp(&b.item_id)));
    Ok(out)
}
