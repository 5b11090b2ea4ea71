//! Regions and departments: the actions shared by the admin pages, the API
//! and the command line. Each checks authorization, validates, writes and audits.

use crate::error::{AppError, AppResult};
use crate::state::Ctx;
use serde::Deserialize;
use serde_json::json;
use zwfw_domain::admin::DepartmentKind;
use zwfw_domain::audit::action;
use zwfw_domain::auth::parse_name;
use zwfw_domain::ids::{CreditCode, RegionCode, RegionLevel};
use zwfw_domain::DomainError;
use zwfw_store::admin::{self as store_admin, Department, DepartmentData, Region};

/// Whether the actor manages the regions and departments (asked by the
/// pages and the API before a form is read).
pub fn may_manage(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor {
        None => Ok(()), // the operator command line
        Some(a) if zwfw_domain::access::staff::may_manage_organizations(a) => Ok(()),
        Some(_) => Err(AppError::forbidden()),
    }
}

/// Input for a new region.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RegionInput {
    /// GB/T 2260 code: 6 digits for a city or county, 9 for a town.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn create_region(ctx: &Ctx<'_>, input: &RegionInput) -> AppResult<Region> {
    may_manage(ctx)?;
    let code = RegionCode::parse(&input.code)?;
    let name = parse_name("name", &input.name, 50)?;
    let store = &ctx.state.store;
    // The parent is implied by the code; it must exist (a city needs none).
    let parent_id = match code.parent_code() {
        None => None,
        Some(p) => match store_admin::find_region_by_code(store, p.as_str()).await? {
            Some(r) => Some(r.id),
            None if code.level() == RegionLevel::Town => return Err(AppError::not_found("parent")),
            None => None,
        },
    };
    if code.level() == RegionLevel::County && parent_id.is_none() {
        return Err(AppError::not_found("parent"));
    }
    let mut tx = store.begin().await?;
    let id = store_admin::insert_region(&mut tx, &code, &name, parent_id, ctx.now()).await?;
    ctx.audit(
        &mut tx,
        ctx.entry(
            action::CREATE,
            "region",
            id,
            json!({"code": code.as_str(), "name": name, "level": code.level().code()}),
            &input.reason,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(store_admin::get_region(store, id).await?)
}

pub async fn rename_region(ctx: &Ctx<'_>, id: i64, name: &str, reason: &str) -> AppResult<Region> {
    may_manage(ctx)?;
    crate::error::reason(reason)?;
    let store = &ctx.state.store;
    let before = store_admin::get_region(store, id).await?;
    let name = parse_name("name", name, 50)?;
    let mut tx = store.begin().await?;
    store_admin::update_region_name(&mut tx, id, &name, ctx.now()).await?;
    ctx.audit(&mut tx, ctx.entry(action::UPDATE, "region", id, json!({"name": [before.name, name]}), reason)).await?;
    tx.commit().await?;
    Ok(store_admin::get_region(store, id).await?)
}

/// Input for creating or changing a department.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DepartmentInput {
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    /// 统一社会信用代码 (GB 32100, check character verified).
    pub credit_code: String,
    /// service_center | supervision | it_center | legal_affairs | approval | county_office
    pub kind: String,
    pub region_id: i64,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// Why the change is made (recorded in the audit trail).
    #[serde(default)]
    pub reason: String,
    /// The accepted configuration/maintenance request (配置/维护需求) the
    /// change is made under: recorded in the audit record and listed on the
    /// request's page (the service centre's administrators only).
    #[serde(default)]
    pub request: Option<i64>,
}

fn yes() -> bool {
    true
}

async fn validate_department(
    ctx: &Ctx<'_>,
    input: &DepartmentInput,
    self_id: Option<i64>,
) -> AppResult<DepartmentData> {
    let name = parse_name("name", &input.name, 100)?;
    let short_name = if input.short_name.trim().is_empty() {
        String::new()
    } else {
        parse_name("short_name", &input.short_name, 30)?
    };
    let credit_code = CreditCode::parse(&input.credit_code)?;
    let kind = DepartmentKind::parse(input.kind.trim())?;
    let store = &ctx.state.store;
    store_admin::get_region(store, input.region_id).await.map_err(AppError::missing("region"))?;
    if let Some(p) = input.parent_id {
        if Some(p) == self_id {
            return Err(DomainError::Invalid { field: "parent_id", reason: "self" }.into());
        }
        store_admin::get_department(store, p).await.map_err(AppError::missing("parent"))?;
    }
    if input.phone.chars().count() > 30 || input.address.chars().count() > 200 {
        return Err(DomainError::Invalid { field: "phone", reason: "too_long" }.into());
    }
    Ok(DepartmentData {
        name,
        short_name,
        credit_code: credit_code.to_string(),
        kind,
        region_id: input.region_id,
        parent_id: input.parent_id,
        phone: input.phone.trim().to_string(),
        address: input.address.trim().to_string(),
        active: input.active,
    })
}

pub async fn create_department(ctx: &Ctx<'_>, input: &DepartmentInput) -> AppResult<Department> {
    may_manage(ctx)?;
    let data = validate_department(ctx, input, None).await?;
    crate::governance::check_request(ctx, input.request).await?;
    let store = &ctx.state.store;
    let mut tx = store.begin().await?;
    let id = store_admin::insert_department(&mut tx, &data, ctx.now()).await?;
    crate::governance::audit_under(
        ctx,
        &mut tx,
        input.request,
        ctx.entry(
            action::CREATE,
            "department",
            id,
            json!({"name": data.name, "credit_code": data.credit_code, "kind": data.kind.code(), "region_id": data.region_id}),
            &input.reason,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(store_admin::get_department(store, id).await?)
}

pub async fn update_department(ctx: &Ctx<'_>, id: i64, input: &DepartmentInput) -> AppResult<Department> {
    may_manage(ctx)?;
    crate::error::reason(&input.reason)?;
    let store = &ctx.state.store;
    let before = store_admin::get_department(store, id).await?;
    let data = validate_department(ctx, input, Some(id)).await?;
    crate::governance::check_request(ctx, input.request).await?;
    let after = Department {
        id,
        name: data.name.clone(),
        short_name: data.short_name.clone(),
        credit_code: data.credit_code.clone(),
        kind: data.kind,
        region_id: data.region_id,
        parent_id: data.parent_id,
        phone: data.phone.clone(),
        address: data.address.clone(),
        active: data.active,
    };
    let mut tx = store.begin().await?;
    store_admin::update_department(&mut tx, id, &data, ctx.now()).await?;
    let e = ctx.entry(action::UPDATE, "department", id, diff(&before, &after), &input.reason);
    crate::governance::audit_under(ctx, &mut tx, input.request, e).await?;
    // The search index shows each item's department by name.
    let renamed = before.name != after.name;
    if renamed {
        crate::catalog::search::mark_changed(&mut tx, ctx.now()).await?;
    }
    tx.commit().await?;
    ctx.state.forget_department(id);
    if renamed {
        crate::catalog::search::refresh_soon(ctx.state);
    }
    Ok(store_admin::get_department(store, id).await?)
}

/// `{"field": [before, after]}` for the fields that differ.
pub fn diff<T: serde::Serialize>(before: &T, after: &T) -> serde_json::Value {
    let (b, a) = (serde_json::to_value(before).unwrap_or_default(), serde_json::to_value(after).unwrap_or_default());
    let mut out = serde_json::Map::new();
    if let (Some(b), Some(a)) = (b.as_object(), a.as_object()) {
        for (k, va) in a {
            let vb = b.get(k).cloned().unwrap_or_default();
            if &vb != va {
                out.insert(k.clone(), json!([vb, va]));
            }
        }
    }
    serde_json::Value::Object(out)
}
