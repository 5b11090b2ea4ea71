//! The catalogue API: authoring and governance of items, versions and their diff, attachments, the guide and its search.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::catalog::act;
use zwfw_app::catalog::attach;
use zwfw_app::catalog::create_item;
use zwfw_app::catalog::edit_draft;
use zwfw_app::catalog::export_gbt39046;
use zwfw_app::catalog::may_read_drafts;
use zwfw_app::catalog::new_version;
use zwfw_app::catalog::retire;
use zwfw_app::catalog::staff_item_filter;
use zwfw_app::catalog::Slot;
use zwfw_app::Ctx;
use zwfw_domain::catalog::diff;
use zwfw_domain::catalog::FieldChange;
use zwfw_domain::catalog::GovernanceAction;
use zwfw_domain::catalog::ItemContent;
use zwfw_domain::catalog::ItemStatus;
use zwfw_store::admin as store_admin;
use zwfw_store::catalog as store_cat;
use zwfw_store::catalog::ItemFilter;

// ---------- API ----------

#[derive(Deserialize, ToSchema)]
pub struct ItemWrite {
    /// The whole content of the version (GB/T 39046 表4 fields).
    pub content: ItemContent,
    /// Why (every change carries a written reason).
    pub reason: String,
    /// The accepted configuration/maintenance request (配置/维护需求) the
    /// change is made under: recorded in the audit record and listed on the
    /// request's page (the service centre's administrators only).
    #[serde(default)]
    pub request: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ItemCreated)]
pub struct Created {
    pub item_id: i64,
    pub version_id: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    /// submit | pass_legal_review | approve | send_back | withdraw
    pub action: String,
    pub reason: String,
    /// The accepted configuration/maintenance request (配置/维护需求) the
    /// change is made under: recorded in the audit record and listed on the
    /// request's page (the service centre's administrators only).
    #[serde(default)]
    pub request: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonRequest {
    pub reason: String,
    /// The accepted configuration/maintenance request (配置/维护需求) the
    /// change is made under: recorded in the audit record and listed on the
    /// request's page (the service centre's administrators only).
    #[serde(default)]
    pub request: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct StateView {
    pub state: String,
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub id: i64,
    pub version_no: i64,
    pub state: String,
    pub reason: String,
    pub published_at: Option<String>,
    pub content: ItemContent,
}

impl From<store_cat::Version> for VersionView {
    fn from(v: store_cat::Version) -> Self {
        VersionView {
            id: v.id,
            version_no: v.version_no,
            state: v.state.code().into(),
            reason: v.reason,
            published_at: v.published_at.map(zwfw_domain::time::format_rfc3339),
            content: v.content,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ItemDetail {
    pub id: i64,
    /// 实施编码
    pub impl_code: String,
    pub department_id: i64,
    pub status: String,
    pub published_version_id: Option<i64>,
    pub open_version_id: Option<i64>,
    pub versions: Vec<VersionView>,
    pub events: Vec<store_cat::Event>,
}

pub(super) fn parse_action(s: &str) -> WebResult<GovernanceAction> {
    Ok(match s.trim() {
        "submit" => GovernanceAction::Submit,
        "pass_legal_review" => GovernanceAction::PassLegalReview,
        "approve" => GovernanceAction::Approve,
        "send_back" => GovernanceAction::SendBack,
        "withdraw" => GovernanceAction::Withdraw,
        _ => return Err(WebError::with_detail(Kind::BadInput, "bad_request", "action")),
    })
}

pub(super) fn api_ctx<'a>(st: &'a AppState, ra: &'a RequestAuth) -> Ctx<'a> {
    Ctx { state: st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() }
}

#[utoipa::path(post, path = "/items", tag = "catalog", request_body = ItemWrite,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_create(
    SignedIn { st, ra, .. }: SignedIn,
    body: LateJson<ItemWrite>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let ctx = api_ctx(&st, &ra);
    zwfw_app::catalog::may_create(&ctx)?;
    let w = body.parse()?;
    let (item_id, version_id) = create_item(&ctx, &w.content, &w.reason, w.request).await?;
    Ok((StatusCode::CREATED, Json(Created { item_id, version_id })))
}

pub(super) async fn detail(st: &AppState, item_id: i64) -> WebResult<ItemDetail> {
    let item = store_cat::get_item(&st.store, item_id).await?;
    let versions = store_cat::versions(&st.store, item_id).await?;
    Ok(ItemDetail {
        id: item.id,
        impl_code: item.impl_code,
        department_id: item.department_id,
        status: item.status,
        published_version_id: item.published_version_id,
        open_version_id: item.open_version_id,
        versions: versions.into_iter().map(VersionView::from).collect(),
        events: store_cat::events(&st.store, item_id).await?,
    })
}

#[utoipa::path(get, path = "/items/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_get(SignedIn { st, s, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<ItemDetail>> {
    let item = store_cat::get_item(&st.store, id).await?;
    if !may_read_drafts(&s.actor, item.department_id) {
        return Err(WebError::not_found("item"));
    }
    Ok(Json(detail(&st, id).await?))
}

#[utoipa::path(get, path = "/items", tag = "catalog",
    responses((status = 200, body = [store_cat::ItemSummary]), (status = 403, body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_list(SignedIn { st, s, .. }: SignedIn) -> WebResult<Json<Vec<store_cat::ItemSummary>>> {
    let f = staff_item_filter(&s.actor)?;
    Ok(Json(store_cat::list(&st.store, &f).await?))
}

#[utoipa::path(put, path = "/item-versions/{id}", tag = "catalog", params(("id" = i64, Path)), request_body = ItemWrite,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_edit(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ItemWrite>,
) -> WebResult<StatusCode> {
    let ctx = api_ctx(&st, &ra);
    zwfw_app::catalog::may_edit(&ctx, id).await?;
    let w = body.parse()?;
    edit_draft(&ctx, id, &w.content, &w.reason, w.request).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/item-versions/{id}/actions", tag = "catalog", params(("id" = i64, Path)), request_body = ActionRequest,
    responses((status = 200, body = StateView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_act(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ActionRequest>,
) -> WebResult<Json<StateView>> {
    let ctx = api_ctx(&st, &ra);
    zwfw_app::catalog::may_act_on_version(&ctx, id).await?;
    let r = body.parse()?;
    let to = act(&ctx, id, parse_action(&r.action)?, &r.reason, r.request).await?;
    Ok(Json(StateView { state: to.code().into() }))
}

#[utoipa::path(post, path = "/items/{id}/versions", tag = "catalog", params(("id" = i64, Path)), request_body = ReasonRequest,
    responses((status = 201, body = Created), (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_new_version(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ReasonRequest>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let ctx = api_ctx(&st, &ra);
    zwfw_app::catalog::may_open_version(&ctx, id).await?;
    let r = body.parse()?;
    let v = new_version(&ctx, id, &r.reason, r.request).await?;
    Ok((StatusCode::CREATED, Json(Created { item_id: id, version_id: v })))
}

#[utoipa::path(post, path = "/items/{id}/retire", tag = "catalog", params(("id" = i64, Path)), request_body = ReasonRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_retire(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ReasonRequest>,
) -> WebResult<StatusCode> {
    let ctx = api_ctx(&st, &ra);
    zwfw_app::catalog::may_retire(&ctx)?;
    let r = body.parse()?;
    retire(&ctx, id, &r.reason, r.request).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// Version id (older)
    pub from: i64,
    /// Version id (newer)
    pub to: i64,
}

#[utoipa::path(get, path = "/items/{id}/diff", tag = "catalog", params(("id" = i64, Path), DiffQuery),
    responses((status = 200, body = [zwfw_domain::catalog::FieldChange]), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_diff(
    SignedIn { st, s, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> WebResult<Json<Vec<FieldChange>>> {
    let item = store_cat::get_item(&st.store, id).await?;
    if !may_read_drafts(&s.actor, item.department_id) {
        return Err(WebError::not_found("item"));
    }
    let (a, b) = (store_cat::get_version(&st.store, q.from).await?, store_cat::get_version(&st.store, q.to).await?);
    if a.item_id != id || b.item_id != id {
        return Err(WebError::not_found("version"));
    }
    Ok(Json(diff(&a.content, &b.content)))
}

#[utoipa::path(get, path = "/guide/export.json", tag = "catalog",
    responses((status = 200, description = "the published catalogue, keys are GB/T 39046 表4 data item names", body = [Object])))]
pub async fn api_export(State(st): State<AppState>) -> WebResult<Response> {
    let items = export_gbt39046(&st).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"catalog-gbt39046.json\""),
        ],
        serde_json::to_string_pretty(&items).unwrap_or_default(),
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words, e.g. 营业执照, 开餐馆, 食品经营
    pub q: String,
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/guide/search", tag = "catalog", params(SearchQuery),
    responses((status = 200, body = [zwfw_app::catalog::search::Hit]), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn api_search(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Json<Vec<zwfw_app::catalog::search::Hit>> {
    let q_text: String = q.q.chars().take(100).collect();
    Json(st.search_index().search(&q_text, q.limit.unwrap_or(20).clamp(1, 100)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuideQuery {
    /// Full-text query (the other filters are ignored when present)
    pub q: Option<String>,
    pub department: Option<i64>,
    /// A region id: items of the departments in that region (and below).
    pub region: Option<i64>,
    /// A.4 code, e.g. 1 自然人, 2 企业法人
    pub object: Option<String>,
    pub theme: Option<String>,
    /// 行使层级, A.2 code: 3 市级, 4 县级, 5 镇（乡、街道）级
    pub level: Option<String>,
    /// 人生事件 code, e.g. `birth`, `start_business`
    pub life_event: Option<String>,
}

pub(super) async fn guide_list(st: &AppState, q: &GuideQuery) -> WebResult<Vec<store_cat::ItemSummary>> {
    let mut department_ids = q.department.map(|d| vec![d]);
    if let Some(r) = q.region {
        let regions = store_admin::list_regions(&st.store).await?;
        let root = regions.iter().find(|x| x.id == r).ok_or_else(|| WebError::not_found("region"))?;
        let code = zwfw_domain::ids::RegionCode::parse(&root.code)?;
        let inside: Vec<i64> = regions
            .iter()
            .filter(|x| zwfw_domain::ids::RegionCode::parse(&x.code).is_ok_and(|c| code.contains(&c)))
            .map(|x| x.id)
            .collect();
        let depts: Vec<i64> = store_admin::list_departments(&st.store)
            .await?
            .into_iter()
            .filter(|d| inside.contains(&d.region_id))
            .map(|d| d.id)
            .filter(|d| department_ids.as_ref().is_none_or(|x| x.contains(d)))
            .collect();
        department_ids = Some(depts);
    }
    // An empty filter is no filter; an unknown code is the visitor's error, not "nothing found".
    fn code<C: zwfw_domain::codes::CodeList>(v: &Option<String>, name: &str) -> WebResult<Option<C>> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => C::parse(s).map(Some).ok_or_else(|| WebError::with_detail(Kind::BadInput, "bad_filter", name)),
        }
    }
    let service_object: Option<zwfw_domain::catalog::ServiceObject> = code(&q.object, "object")?;
    let f = ItemFilter {
        department_ids,
        service_object: service_object.map(|o| o.code().to_string()),
        theme: q.theme.clone().filter(|s| !s.trim().is_empty()),
        level: code(&q.level, "level")?,
        life_event: code(&q.life_event, "life_event")?,
        published_only: true,
        limit: 2000,
    };
    Ok(store_cat::list(&st.store, &f).await?)
}

#[utoipa::path(get, path = "/guide/items", tag = "catalog", params(GuideQuery), responses((status = 404, description = "an unknown department or region", body = ErrorBody), (status = 200, body = [store_cat::ItemSummary]), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn api_guide_list(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<GuideQuery>,
) -> WebResult<Json<Vec<store_cat::ItemSummary>>> {
    Ok(Json(guide_list(&st, &q).await?))
}

pub(super) async fn published(st: &AppState, id: i64) -> WebResult<(store_cat::Item, store_cat::Version)> {
    let item = store_cat::get_item(&st.store, id).await?;
    match (ItemStatus::parse(&item.status), item.published_version_id) {
        (Some(ItemStatus::Active), Some(v)) => {
            let v = store_cat::get_version(&st.store, v).await?;
            Ok((item, v))
        }
        _ => Err(WebError::not_found("item")),
    }
}

#[utoipa::path(get, path = "/guide/items/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = VersionView), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn api_guide_item(State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> WebResult<Json<VersionView>> {
    let (_, v) = published(&st, id).await?;
    Ok(Json(VersionView::from(v)))
}

// ---------- attachments ----------

/// The multipart form of a version's attachment.
#[derive(ToSchema)]
pub struct AttachmentUpload {
    /// form (空白表格) | example (示例样表) | result (结果样本)
    pub slot: String,
    /// With form and example: the material's number, from 1.
    pub material: Option<u32>,
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

#[derive(Serialize, ToSchema)]
pub struct Attached {
    /// SM3 of the stored file.
    pub sm3: String,
}

/// Upload (multipart: `slot` = form | example | result, `material` = 1-based index, `file`).
#[utoipa::path(post, path = "/item-versions/{id}/attachments", tag = "catalog", params(("id" = i64, Path)),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = Attached), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_attach(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    multipart: LateMultipart,
) -> WebResult<(StatusCode, Json<Attached>)> {
    let ctx = api_ctx(&st, &ra);
    zwfw_app::catalog::may_edit(&ctx, id).await?;
    let (slot, name, bytes) = read_upload(multipart.open()?, st.config.max_upload_bytes).await?;
    let sm3 = attach(&ctx, id, slot, &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(Attached { sm3 })))
}

pub(super) async fn read_upload(mut mp: axum::extract::Multipart, max: usize) -> WebResult<(Slot, String, Vec<u8>)> {
    let (mut slot, mut material, mut file) = (String::new(), None, None);
    while let Some(mut field) = mp.next_field().await.map_err(|_| WebError::bad("bad_request"))? {
        match field.name().unwrap_or("") {
            "slot" => slot = field.text().await.unwrap_or_default(),
            "material" => material = field.text().await.ok().and_then(|t| t.trim().parse::<usize>().ok()),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                file = Some((name, crate::http::forms::file_bytes(&mut field, max).await?));
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| WebError::with_detail(Kind::BadInput, "bad_request", "file"))?;
    Ok((Slot::parse(slot.trim(), material)?, name, bytes))
}

/// The catalog endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_create, api_list))
        .register(routes!(api_get))
        .register(routes!(api_edit))
        .register(routes!(api_act))
        .register(routes!(api_new_version))
        .register(routes!(api_retire))
        .register(routes!(api_diff))
        .register(routes!(api_export))
        .register(routes!(api_search))
        .register(routes!(api_guide_list))
        .register(routes!(api_guide_item))
        .register(routes!(api_attach))
        .register(routes!(crate::catalog::xlsx::api_import))
}
