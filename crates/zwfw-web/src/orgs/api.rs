//! The regions and departments API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::orgs;
use zwfw_app::orgs::DepartmentInput;
use zwfw_app::orgs::RegionInput;
use zwfw_store::admin as store_admin;
use zwfw_store::admin::Department;
use zwfw_store::admin::Region;

// ---------- organizations ----------

#[derive(Serialize, ToSchema)]
pub struct RegionView {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// city | county | town
    pub level: String,
    pub parent_id: Option<i64>,
}

impl From<Region> for RegionView {
    fn from(r: Region) -> Self {
        RegionView { id: r.id, code: r.code, name: r.name, level: r.level.code().into(), parent_id: r.parent_id }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub credit_code: String,
    pub kind: String,
    pub region_id: i64,
    pub parent_id: Option<i64>,
    pub phone: String,
    pub address: String,
    pub active: bool,
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        DepartmentView {
            id: d.id,
            name: d.name,
            short_name: d.short_name,
            credit_code: d.credit_code,
            kind: d.kind.code().into(),
            region_id: d.region_id,
            parent_id: d.parent_id,
            phone: d.phone,
            address: d.address,
            active: d.active,
        }
    }
}

#[utoipa::path(get, path = "/regions", tag = "organizations", responses((status = 200, body = [RegionView])))]
pub async fn list_regions(State(st): State<AppState>) -> WebResult<Json<Vec<RegionView>>> {
    Ok(Json(store_admin::list_regions(&st.store).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/regions", tag = "organizations", request_body = RegionInput,
    responses((status = 201, body = RegionView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_region(
    SignedIn { st, ra, .. }: SignedIn,
    body: LateJson<RegionInput>,
) -> WebResult<(StatusCode, Json<RegionView>)> {
    let c = ctx(&st, &ra);
    orgs::may_manage(&c)?;
    Ok((StatusCode::CREATED, Json(orgs::create_region(&c, &body.parse()?).await?.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct RenameRegion {
    pub name: String,
    pub reason: String,
}

#[utoipa::path(put, path = "/regions/{id}", tag = "organizations", params(("id" = i64, Path)), request_body = RenameRegion,
    responses((status = 200, body = RegionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn rename_region(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<RenameRegion>,
) -> WebResult<Json<RegionView>> {
    let c = ctx(&st, &ra);
    orgs::may_manage(&c)?;
    let req = body.parse()?;
    Ok(Json(orgs::rename_region(&c, id, &req.name, &req.reason).await?.into()))
}

#[utoipa::path(get, path = "/departments", tag = "organizations", responses((status = 200, body = [DepartmentView])))]
pub async fn list_departments(State(st): State<AppState>) -> WebResult<Json<Vec<DepartmentView>>> {
    Ok(Json(store_admin::list_departments(&st.store).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/departments/{id}", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = DepartmentView), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn get_department(State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> WebResult<Json<DepartmentView>> {
    Ok(Json(store_admin::get_department(&st.store, id).await?.into()))
}

#[utoipa::path(post, path = "/departments", tag = "organizations", request_body = DepartmentInput,
    responses((status = 201, body = DepartmentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_department(
    SignedIn { st, ra, .. }: SignedIn,
    body: LateJson<DepartmentInput>,
) -> WebResult<(StatusCode, Json<DepartmentView>)> {
    let c = ctx(&st, &ra);
    orgs::may_manage(&c)?;
    Ok((StatusCode::CREATED, Json(orgs::create_department(&c, &body.parse()?).await?.into())))
}

#[utoipa::path(put, path = "/departments/{id}", tag = "organizations", params(("id" = i64, Path)), request_body = DepartmentInput,
    responses((status = 200, body = DepartmentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_department(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<DepartmentInput>,
) -> WebResult<Json<DepartmentView>> {
    let c = ctx(&st, &ra);
    orgs::may_manage(&c)?;
    Ok(Json(orgs::update_department(&c, id, &body.parse()?).await?.into()))
}

/// The orgs endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(list_regions, create_region))
        .register(routes!(rename_region))
        .register(routes!(list_departments, create_department))
        .register(routes!(get_department, update_department))
}
