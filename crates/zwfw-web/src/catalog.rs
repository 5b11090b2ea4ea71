//! The service-item catalogue: authoring, change governance (draft → legal
//! review → service-centre approval → published), versions and their diff,
//! retirement; the API and the public guide (办事指南).

use crate::auth::{Auth, RequestAuth, Signed};
use crate::error::{ErrorBody, Kind, WebError, WebResult};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zwfw_app::catalog::{
    act, attach, create_item, edit_draft, export_gbt39046, may_read_drafts, new_version, retire, staff_item_filter,
    Slot,
};
use zwfw_app::Ctx;
use zwfw_domain::catalog::{diff, transition, FieldChange, GovernanceAction, ItemContent, ItemStatus, VersionState};
use zwfw_store::admin as store_admin;
use zwfw_store::catalog::{self as store_cat, ItemFilter};

// ---------- API ----------

#[derive(Deserialize, ToSchema)]
pub struct ItemWrite {
    /// The whole content of the version (GB/T 39046 表4 fields).
    #[schema(value_type = Object)]
    pub content: ItemContent,
    /// Why (every change carries a written reason).
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub item_id: i64,
    pub version_id: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    /// submit | pass_legal_review | approve | send_back | withdraw
    pub action: String,
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonRequest {
    pub reason: String,
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
    #[schema(value_type = Object)]
    pub content: ItemContent,
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
    #[schema(value_type = Object)]
    pub events: Vec<store_cat::Event>,
}

fn parse_action(s: &str) -> WebResult<GovernanceAction> {
    Ok(match s.trim() {
        "submit" => GovernanceAction::Submit,
        "pass_legal_review" => GovernanceAction::PassLegalReview,
        "approve" => GovernanceAction::Approve,
        "send_back" => GovernanceAction::SendBack,
        "withdraw" => GovernanceAction::Withdraw,
        _ => return Err(WebError::with_detail(Kind::BadInput, "bad_request", "action")),
    })
}

fn api_ctx<'a>(st: &'a AppState, ra: &'a RequestAuth) -> Ctx<'a> {
    Ctx { state: st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() }
}

#[utoipa::path(post, path = "/api/v1/items", tag = "catalog", request_body = ItemWrite,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_create(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    crate::api::ApiJson(w): crate::api::ApiJson<ItemWrite>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let (item_id, version_id) = create_item(&api_ctx(&st, &ra), &w.content, &w.reason).await?;
    Ok((StatusCode::CREATED, Json(Created { item_id, version_id })))
}

async fn detail(st: &AppState, item_id: i64) -> WebResult<ItemDetail> {
    let item = store_cat::get_item(&st.store, item_id).await?;
    let versions = store_cat::versions(&st.store, item_id).await?;
    Ok(ItemDetail {
        id: item.id,
        impl_code: item.impl_code,
        department_id: item.department_id,
        status: item.status,
        published_version_id: item.published_version_id,
        open_version_id: item.open_version_id,
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                id: v.id,
                version_no: v.version_no,
                state: v.state.code().into(),
                reason: v.reason,
                published_at: v.published_at.map(zwfw_domain::time::format_rfc3339),
                content: v.content,
            })
            .collect(),
        events: store_cat::events(&st.store, item_id).await?,
    })
}

#[utoipa::path(get, path = "/api/v1/items/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_get(
    State(st): State<AppState>,
    Signed(s, _): Signed,
    Path(id): Path<i64>,
) -> WebResult<Json<ItemDetail>> {
    let item = store_cat::get_item(&st.store, id).await?;
    if !may_read_drafts(&s.actor, item.department_id) {
        return Err(WebError::not_found("item"));
    }
    Ok(Json(detail(&st, id).await?))
}

#[utoipa::path(get, path = "/api/v1/items", tag = "catalog",
    responses((status = 200, body = [Object]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_list(
    State(st): State<AppState>,
    Signed(s, _): Signed,
) -> WebResult<Json<Vec<store_cat::ItemSummary>>> {
    let f = staff_item_filter(&s.actor)?;
    Ok(Json(store_cat::list(&st.store, &f).await?))
}

#[utoipa::path(put, path = "/api/v1/item-versions/{id}", tag = "catalog", params(("id" = i64, Path)), request_body = ItemWrite,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_edit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    crate::api::ApiJson(w): crate::api::ApiJson<ItemWrite>,
) -> WebResult<StatusCode> {
    edit_draft(&api_ctx(&st, &ra), id, &w.content, &w.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/item-versions/{id}/actions", tag = "catalog", params(("id" = i64, Path)), request_body = ActionRequest,
    responses((status = 200, body = StateView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_act(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    crate::api::ApiJson(r): crate::api::ApiJson<ActionRequest>,
) -> WebResult<Json<StateView>> {
    let to = act(&api_ctx(&st, &ra), id, parse_action(&r.action)?, &r.reason).await?;
    Ok(Json(StateView { state: to.code().into() }))
}

#[utoipa::path(post, path = "/api/v1/items/{id}/versions", tag = "catalog", params(("id" = i64, Path)), request_body = ReasonRequest,
    responses((status = 201, body = Created), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_new_version(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    crate::api::ApiJson(r): crate::api::ApiJson<ReasonRequest>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let v = new_version(&api_ctx(&st, &ra), id, &r.reason).await?;
    Ok((StatusCode::CREATED, Json(Created { item_id: id, version_id: v })))
}

#[utoipa::path(post, path = "/api/v1/items/{id}/retire", tag = "catalog", params(("id" = i64, Path)), request_body = ReasonRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_retire(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    crate::api::ApiJson(r): crate::api::ApiJson<ReasonRequest>,
) -> WebResult<StatusCode> {
    retire(&api_ctx(&st, &ra), id, &r.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DiffQuery {
    /// Version id (older)
    pub from: i64,
    /// Version id (newer)
    pub to: i64,
}

#[utoipa::path(get, path = "/api/v1/items/{id}/diff", tag = "catalog", params(("id" = i64, Path), DiffQuery),
    responses((status = 200, body = [Object]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_diff(
    State(st): State<AppState>,
    Signed(s, _): Signed,
    Path(id): Path<i64>,
    Query(q): Query<DiffQuery>,
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

#[utoipa::path(get, path = "/api/v1/guide/export.json", tag = "catalog",
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
pub struct SearchQuery {
    /// Words, e.g. 营业执照, 开餐馆, 食品经营
    pub q: String,
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/guide/search", tag = "catalog", params(SearchQuery),
    responses((status = 200, body = [zwfw_app::search::Hit])))]
pub async fn api_search(State(st): State<AppState>, Query(q): Query<SearchQuery>) -> Json<Vec<zwfw_app::search::Hit>> {
    let q_text: String = q.q.chars().take(100).collect();
    Json(st.search_index().search(&q_text, q.limit.unwrap_or(20).clamp(1, 100)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct GuideQuery {
    /// Full-text query (the other filters are ignored when present)
    pub q: Option<String>,
    pub department: Option<i64>,
    /// A region id: items of the departments in that region (and below).
    pub region: Option<i64>,
    /// A.4 code, e.g. 1 自然人, 2 企业法人
    pub object: Option<String>,
    pub theme: Option<String>,
}

async fn guide_list(st: &AppState, q: &GuideQuery) -> WebResult<Vec<store_cat::ItemSummary>> {
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
    let f = ItemFilter {
        department_ids,
        service_object: q.object.clone().filter(|s| !s.is_empty()),
        theme: q.theme.clone().filter(|s| !s.is_empty()),
        published_only: true,
        limit: 2000,
    };
    Ok(store_cat::list(&st.store, &f).await?)
}

#[utoipa::path(get, path = "/api/v1/guide/items", tag = "catalog", params(GuideQuery), responses((status = 200, body = [Object])))]
pub async fn api_guide_list(
    State(st): State<AppState>,
    Query(q): Query<GuideQuery>,
) -> WebResult<Json<Vec<store_cat::ItemSummary>>> {
    Ok(Json(guide_list(&st, &q).await?))
}

async fn published(st: &AppState, id: i64) -> WebResult<(store_cat::Item, store_cat::Version)> {
    let item = store_cat::get_item(&st.store, id).await?;
    match (ItemStatus::parse(&item.status), item.published_version_id) {
        (Some(ItemStatus::Active), Some(v)) => {
            let v = store_cat::get_version(&st.store, v).await?;
            Ok((item, v))
        }
        _ => Err(WebError::not_found("item")),
    }
}

#[utoipa::path(get, path = "/api/v1/guide/items/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = VersionView), (status = 404, body = ErrorBody)))]
pub async fn api_guide_item(State(st): State<AppState>, Path(id): Path<i64>) -> WebResult<Json<VersionView>> {
    let (_, v) = published(&st, id).await?;
    Ok(Json(VersionView {
        id: v.id,
        version_no: v.version_no,
        state: v.state.code().into(),
        reason: v.reason,
        published_at: v.published_at.map(zwfw_domain::time::format_rfc3339),
        content: v.content,
    }))
}

// ---------- pages ----------

/// The process as an SVG flow diagram (no script, no network).
pub fn flow_svg(c: &ItemContent, dept_name: &dyn Fn(i64) -> String) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    }
    let box_h = 64;
    let gap = 36;
    let mut y = 10;
    let width = 560;
    let mut out = String::new();
    for (i, s) in c.steps.iter().enumerate() {
        let co = s.joint.len();
        let h = box_h + if co > 0 { 28 * co as i32 } else { 0 };
        out += &format!(
            r#"<g><rect x="90" y="{y}" width="380" height="{h}" rx="8" class="step{}"/><text x="280" y="{}" class="title">{}. {}（{}个工作日）</text><text x="280" y="{}" class="sub">{}</text>"#,
            if co > 0 { " joint" } else { "" },
            y + 26,
            i + 1,
            esc(&s.name),
            s.limit_days,
            y + 48,
            esc(&format!("{} · {}", dept_name(s.department_id), zwfw_app::messages::label("role", s.role.code()))),
        );
        for (k, cr) in s.joint.iter().enumerate() {
            out += &format!(
                r#"<text x="280" y="{}" class="sub">并联：{}（{}个工作日）</text>"#,
                y + 72 + 28 * k as i32,
                esc(&dept_name(cr.department_id)),
                cr.limit_days
            );
        }
        out += "</g>";
        y += h;
        if i + 1 < c.steps.len() {
            out += &format!(
                r#"<line x1="280" y1="{y}" x2="280" y2="{}" class="arrow" marker-end="url(#a)"/>"#,
                y + gap - 4
            );
            y += gap;
        }
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {}" role="img" aria-label="办理流程图" class="flow"><defs><marker id="a" markerWidth="10" markerHeight="10" refX="5" refY="5" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>{out}</svg>"#,
        y + 10
    )
}

pub async fn guide_page(State(st): State<AppState>, Auth(ra): Auth, Query(q): Query<GuideQuery>) -> Response {
    let query: String = q.q.clone().unwrap_or_default().chars().take(100).collect();
    let hits = if query.trim().is_empty() { None } else { Some(st.search_index().search(&query, 50)) };
    let items = if hits.is_some() {
        vec![]
    } else {
        match guide_list(&st, &q).await {
            Ok(i) => i,
            Err(e) => return crate::pages::error_page(&st, Some(&ra), &e),
        }
    };
    let depts = store_admin::list_departments(&st.store).await.unwrap_or_default();
    let regions = store_admin::list_regions(&st.store).await.unwrap_or_default();
    let dn = |id: i64| depts.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_default();
    let rows: Vec<Value> = items
        .iter()
        .map(|i| context! { id => i.item_id, name => i.name, department => dn(i.department_id), impl_code => i.impl_code })
        .collect();
    let with_items: Vec<Value> =
        depts.iter().filter(|d| d.active).map(|d| context! { id => d.id, name => d.name }).collect();
    let objects: Vec<Value> = zwfw_domain::catalog::ServiceObject::ALL
        .iter()
        .map(|o| context! { code => o.code(), label => o.label() })
        .collect();
    crate::pages::render(
        &st,
        &ra,
        "guide_list.html",
        context! { items => rows, departments => with_items, regions => regions, objects => objects,
        hits => hits,
        q => context! { q => query, department => q.department, region => q.region, object => q.object, theme => q.theme } },
    )
}

pub async fn guide_item_page(State(st): State<AppState>, Auth(ra): Auth, Path(id): Path<i64>) -> Response {
    let (item, v) = match published(&st, id).await {
        Ok(x) => x,
        Err(e) => return crate::pages::error_page(&st, Some(&ra), &e),
    };
    let depts = store_admin::list_departments(&st.store).await.unwrap_or_default();
    let dn = |id: i64| depts.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_default();
    let c = &v.content;
    let co: Vec<String> = c.co_department_ids.iter().map(|d| dn(*d)).collect();
    crate::pages::render(
        &st,
        &ra,
        "guide_item.html",
        context! {
            item_id => item.id, impl_code => item.impl_code, version_no => v.version_no,
            published_at => v.published_at, c => Value::from_serialize(c),
            department => dn(c.department_id), co_departments => co,
            item_type => c.item_type.label(), level => c.exercise_level.label(), nature => c.subject_nature.label(),
            case_type => c.case_type.label(),
            objects => c.service_objects.iter().map(|o| o.label()).collect::<Vec<_>>(),
            modes => c.handling_modes.iter().map(|m| m.label()).collect::<Vec<_>>(),
            steps => c.steps.iter().map(|s| context! { name => s.name, department => dn(s.department_id),
                role => zwfw_app::messages::label("role", s.role.code()), limit => s.limit_days, may_suspend => s.may_suspend,
                joint => s.joint.iter().map(|j| context! { department => dn(j.department_id), limit => j.limit_days }).collect::<Vec<_>>() }).collect::<Vec<_>>(),
            flow => flow_svg(c, &dn),
        },
    )
}

/// The admin list with governance state (staff).
pub async fn admin_items_page(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    let f = match staff_item_filter(&s.actor) {
        Ok(f) => f,
        Err(e) => return crate::pages::error_page(&st, Some(&ra), &e),
    };
    let items = store_cat::list(&st.store, &f).await.unwrap_or_default();
    let depts = store_admin::list_departments(&st.store).await.unwrap_or_default();
    let rows: Vec<Value> = items
        .iter()
        .map(|i| {
            let dn = depts.iter().find(|d| d.id == i.department_id).map(|d| d.name.clone()).unwrap_or_default();
            context! { id => i.item_id, name => i.name, department => dn, state => i.state, version_no => i.version_no, status => i.status }
        })
        .collect();
    crate::pages::render(&st, &ra, "items.html", context! { items => rows })
}

#[derive(Deserialize, Default)]
pub struct CompareQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub async fn admin_item_page(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
    Query(cmp): Query<CompareQuery>,
) -> Response {
    let d = match store_cat::get_item(&st.store, id).await {
        Ok(item) if may_read_drafts(&s.actor, item.department_id) => detail(&st, id).await,
        Ok(_) => Err(WebError::not_found("item")),
        Err(e) => Err(e.into()),
    };
    let d = match d {
        Ok(d) => d,
        Err(e) => return crate::pages::error_page(&st, Some(&ra), &e),
    };
    admin_item_view(&st, &s, &ra, d, None, (cmp.from, cmp.to)).await
}

async fn admin_item_view(
    st: &AppState,
    s: &zwfw_app::sessions::SessionCtx,
    ra: &RequestAuth,
    d: ItemDetail,
    error: Option<String>,
    compare: (Option<i64>, Option<i64>),
) -> Response {
    let a = &s.actor;
    let open = d.versions.iter().find(|v| Some(v.id) == d.open_version_id);
    let state = open.map(|v| VersionState::parse(&v.state).unwrap_or(VersionState::Draft));
    // The actions this officer may take now.
    let mut actions: Vec<Value> = Vec::new();
    if let (Some(v), Some(stt)) = (open, state) {
        for (act, code) in [
            (GovernanceAction::Submit, "submit"),
            (GovernanceAction::PassLegalReview, "pass_legal_review"),
            (GovernanceAction::Approve, "approve"),
            (GovernanceAction::SendBack, "send_back"),
            (GovernanceAction::Withdraw, "withdraw"),
        ] {
            if transition(stt, act, a, d.department_id, "x").is_ok() {
                actions.push(context! { code => code, version_id => v.id });
            }
        }
    }
    let active = ItemStatus::parse(&d.status) == Some(ItemStatus::Active);
    let can_new = active
        && d.open_version_id.is_none()
        && d.published_version_id.is_some()
        && zwfw_domain::catalog::may_author(a, d.department_id);
    let can_edit =
        active && state.is_some_and(VersionState::is_editable) && zwfw_domain::catalog::may_author(a, d.department_id);
    let can_retire =
        active && (a.has(zwfw_domain::admin::Role::CenterAdmin) || a.has(zwfw_domain::admin::Role::SystemAdmin));
    // Compare the two chosen versions, or by default the open one with the one in force.
    let (from, to) = match compare {
        (Some(a), Some(b)) => (Some(a), Some(b)),
        _ => (d.published_version_id, d.open_version_id),
    };
    let changes = match (from, to) {
        (Some(p), Some(o)) => {
            let pv = d.versions.iter().find(|v| v.id == p);
            let ov = d.versions.iter().find(|v| v.id == o);
            match (pv, ov) {
                (Some(pv), Some(ov)) => diff(&pv.content, &ov.content),
                _ => vec![],
            }
        }
        _ => vec![],
    };
    let name = d.versions.last().map(|v| v.content.name.clone()).unwrap_or_default();
    let versions: Vec<Value> = d
        .versions
        .iter()
        .map(|v| context! { id => v.id, no => v.version_no, state => v.state, reason => v.reason, published_at => v.published_at })
        .collect();
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| context! { field => c.field, before => c.before.to_string(), after => c.after.to_string() })
        .collect();
    let mut resp = crate::pages::render(
        st,
        ra,
        "item_admin.html",
        context! { d => Value::from_serialize(&d), name => name, versions => versions, events => Value::from_serialize(&d.events),
        actions => actions, can_new => can_new, can_retire => can_retire, can_edit => can_edit, changes => changes, error => error.clone(),
        cmp_from => from, cmp_to => to },
    );
    if error.is_some() {
        *resp.status_mut() = StatusCode::CONFLICT;
    }
    resp
}

#[derive(Deserialize)]
pub struct ActForm {
    action: String,
    #[serde(default)]
    version_id: i64,
    #[serde(default)]
    reason: String,
}

pub async fn admin_item_submit(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ActForm>,
) -> Response {
    let ctx = api_ctx(&st, &ra);
    let result = match f.action.as_str() {
        "new_version" => new_version(&ctx, id, &f.reason).await.map(|_| ()),
        "retire" => retire(&ctx, id, &f.reason).await,
        other => match parse_action(other) {
            Ok(a) => match store_cat::get_version(&st.store, f.version_id).await {
                Ok(v) if v.item_id == id => act(&ctx, f.version_id, a, &f.reason).await.map(|_| ()),
                _ => Err(WebError::not_found("version").into()),
            },
            Err(e) => Err(e.into()),
        },
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/items/{id}")).into_response(),
        Err(e) => match detail(&st, id).await {
            Ok(d) => admin_item_view(&st, &s, &ra, d, Some(e.message()), (None, None)).await,
            Err(e2) => crate::pages::error_page(&st, Some(&ra), &e2),
        },
    }
}

// ---------- attachments ----------

#[derive(Serialize, ToSchema)]
pub struct Attached {
    /// SM3 of the stored file.
    pub sm3: String,
}

/// Upload (multipart: `slot` = form | example | result, `material` = 1-based index, `file`).
#[utoipa::path(post, path = "/api/v1/item-versions/{id}/attachments", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 201, body = Attached), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_attach(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<(StatusCode, Json<Attached>)> {
    let (slot, name, bytes) = read_upload(multipart, st.config.max_upload_bytes).await?;
    let sm3 = attach(&api_ctx(&st, &ra), id, slot, &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(Attached { sm3 })))
}

async fn read_upload(mut mp: axum::extract::Multipart, max: usize) -> WebResult<(Slot, String, Vec<u8>)> {
    let (mut slot, mut material, mut file) = (String::new(), None, None);
    while let Some(mut field) = mp.next_field().await.map_err(|_| WebError::bad("bad_request"))? {
        match field.name().unwrap_or("") {
            "slot" => slot = field.text().await.unwrap_or_default(),
            "material" => material = field.text().await.ok().and_then(|t| t.trim().parse::<usize>().ok()),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| WebError::bad("bad_request"))? {
                    buf.extend_from_slice(&chunk);
                    if buf.len() > max {
                        return Err(zwfw_domain::files::UploadError::TooLarge { max_bytes: max }.into());
                    }
                }
                file = Some((name, buf));
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| WebError::with_detail(Kind::BadInput, "bad_request", "file"))?;
    Ok((Slot::parse(slot.trim(), material)?, name, bytes))
}

/// Downloads a file referenced by an item's published version.
pub async fn guide_file(State(st): State<AppState>, Auth(ra): Auth, Path((id, sm3)): Path<(i64, String)>) -> Response {
    let (_, v) = match published(&st, id).await {
        Ok(x) => x,
        Err(e) => return crate::pages::error_page(&st, Some(&ra), &e),
    };
    let c = &v.content;
    let label = c
        .materials
        .iter()
        .find_map(|m| {
            if m.form_sm3.as_deref() == Some(&sm3) {
                Some(format!("{}（空白表格）", m.name))
            } else if m.example_sm3.as_deref() == Some(&sm3) {
                Some(format!("{}（示例样表）", m.name))
            } else {
                None
            }
        })
        .or_else(|| (c.result_sample_sm3.as_deref() == Some(&sm3)).then(|| format!("{}（结果样本）", c.result_name)));
    let Some(label) = label else {
        return crate::pages::error_page(&st, Some(&ra), &WebError::not_found("file"));
    };
    let kind = zwfw_store::files::kind_of(&st.store, &sm3).await.unwrap_or_else(|_| "pdf".into());
    send_file(&st, &ra, &sm3, &kind, &label, "public, max-age=86400").await
}

/// A file named in one of `lists` (JSON arrays of `{sm3, name, kind}`, as
/// the reader may see them) as a private download; not found otherwise.
pub(crate) async fn send_listed<'a>(
    st: &AppState,
    ra: &crate::auth::RequestAuth,
    lists: impl Iterator<Item = &'a serde_json::Value>,
    sm3: &str,
) -> Response {
    let found =
        lists.filter_map(|l| l.as_array()).flatten().find(|a| a["sm3"].as_str() == Some(sm3)).map(|a| {
            (a["kind"].as_str().unwrap_or("pdf").to_string(), a["name"].as_str().unwrap_or("附件").to_string())
        });
    match found {
        Some((kind, name)) => send_file(st, ra, sm3, &kind, &name, "private, no-store").await,
        None => crate::pages::error_page(st, Some(ra), &WebError::not_found("file")),
    }
}

/// A stored file as a download named `label.kind`.
pub(crate) async fn send_file(
    st: &AppState,
    ra: &crate::auth::RequestAuth,
    sm3: &str,
    kind: &str,
    label: &str,
    cache: &'static str,
) -> Response {
    let files = st.files.clone();
    let key = sm3.to_string();
    let bytes = match tokio::task::spawn_blocking(move || files.get(&key)).await {
        Ok(Ok(Some(b))) => b,
        _ => return crate::pages::error_page(st, Some(ra), &WebError::not_found("file")),
    };
    let mime = match kind {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" => "image/jpeg",
        "ofd" => "application/ofd",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    };
    let filename = if label.ends_with(&format!(".{kind}")) { label.to_string() } else { format!("{label}.{kind}") };
    let disposition =
        format!("attachment; filename=\"file.{kind}\"; filename*=UTF-8''{}", crate::auth::urlencode(&filename));
    (
        [
            (axum::http::header::CONTENT_TYPE, mime.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CACHE_CONTROL, cache.to_string()),
        ],
        bytes,
    )
        .into_response()
}

// ---------- the draft editor ----------

/// The editor's text form of the lists: one material or step per line.
fn materials_text(c: &ItemContent) -> String {
    c.materials
        .iter()
        .map(|m| {
            format!(
                "{} | {} | {} | {} | {} | {} | {}",
                m.name,
                m.kind,
                m.source,
                m.originals,
                m.copies,
                if m.required { "必须" } else { "非必须" },
                m.requirements
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn form_fields_text(c: &ItemContent) -> String {
    c.form_fields
        .iter()
        .map(|f| {
            let mut line = format!("{} | {} | {}", f.name, f.kind.label(), if f.required { "必填" } else { "选填" });
            if !f.options.is_empty() {
                line += &format!(" | {}", f.options.join("、"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn steps_text(c: &ItemContent) -> String {
    c.steps
        .iter()
        .map(|s| {
            let mut line = format!("{} | {} | {}", s.name, s.role.code(), s.limit_days);
            if s.may_suspend {
                line += " | 特殊环节";
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Applies the editor's form to a content. Returns the first problem in Chinese.
pub fn apply_form(base: &ItemContent, f: &[(String, String)]) -> Result<ItemContent, String> {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let all = |k: &str| f.iter().filter(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).collect::<Vec<_>>();
    let num = |k: &str, label: &str| get(k).parse::<u32>().map_err(|_| format!("{label}应为整数"));
    let mut c = base.clone();
    c.name = get("name");
    c.sub_name = get("sub_name");
    c.legal_basis = get("legal_basis");
    c.legal_limit_days = num("legal_limit_days", "法定办结时限")?;
    c.promised_limit_days = num("promised_limit_days", "承诺办结时限")?;
    c.case_type = if c.promised_limit_days == 0 {
        zwfw_domain::catalog::CaseType::Immediate
    } else {
        zwfw_domain::catalog::CaseType::Promised
    };
    c.acceptance_conditions = get("acceptance_conditions");
    c.result_name = get("result_name");
    c.fee = get("fee") == "1";
    c.fee_standard = get("fee_standard");
    c.fee_basis = get("fee_basis");
    c.location = get("location");
    c.office_hours = get("office_hours");
    c.enquiry_phone = get("enquiry_phone");
    c.supervision_phone = get("supervision_phone");
    c.faq = get("faq");
    c.themes =
        get("themes").split([',', '，', '、']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
    c.service_objects = all("objects").iter().filter_map(|o| zwfw_domain::catalog::ServiceObject::parse(o)).collect();
    c.handling_modes = all("modes").iter().filter_map(|m| zwfw_domain::catalog::HandlingMode::parse(m)).collect();
    let mut materials = Vec::new();
    for (i, line) in get("materials").lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let p: Vec<&str> = line.split('|').map(str::trim).collect();
        if p.len() < 6 {
            return Err(format!(
                "申请材料第{}行应写成“名称 | 材料类型 | 来源渠道 | 原件份数 | 复印件份数 | 必须/非必须 | 要求”",
                i + 1
            ));
        }
        let n = |s: &str| s.parse::<u32>().map_err(|_| format!("申请材料第{}行的份数应为整数", i + 1));
        // Keep attachments of a material whose name did not change.
        let old = base.materials.iter().find(|m| m.name == p[0]);
        materials.push(zwfw_domain::catalog::Material {
            name: p[0].into(),
            kind: p[1].into(),
            source: p[2].into(),
            originals: n(p[3])?,
            copies: n(p[4])?,
            required: p[5] != "非必须",
            requirements: p.get(6).map(|s| s.to_string()).unwrap_or_default(),
            ..old.cloned().unwrap_or_default()
        });
    }
    c.materials = materials;
    let mut steps = Vec::new();
    for (i, line) in get("steps").lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let p: Vec<&str> = line.split('|').map(str::trim).collect();
        if p.len() < 3 {
            return Err(format!("办理环节第{}行应写成“名称 | 角色代码 | 时限 [| 特殊环节]”", i + 1));
        }
        let role = zwfw_domain::admin::Role::parse(p[1])
            .map_err(|_| format!("办理环节第{}行的角色代码“{}”不存在", i + 1, p[1]))?;
        let days = p[2].parse::<u32>().map_err(|_| format!("办理环节第{}行的时限应为整数", i + 1))?;
        // Keep the department and joint review of a step whose name did not change.
        let old = base.steps.iter().find(|s| s.name == p[0]);
        steps.push(zwfw_domain::catalog::Step {
            name: p[0].into(),
            department_id: old.map(|s| s.department_id).unwrap_or(base.department_id),
            role,
            limit_days: days,
            may_suspend: p.get(3).is_some_and(|s| s.contains("特殊")),
            joint: old.map(|s| s.joint.clone()).unwrap_or_default(),
        });
    }
    c.steps = steps;
    let mut fields = Vec::new();
    for (i, line) in get("form_fields").lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let p: Vec<&str> = line.split('|').map(str::trim).collect();
        let kinds: Vec<&str> = zwfw_domain::catalog::FieldKind::ALL.iter().map(|k| k.label()).collect();
        let kind = p.get(1).and_then(|k| zwfw_domain::catalog::FieldKind::from_label(k)).ok_or_else(|| {
            format!("申请表字段第{}行应写成“名称 | 类型（{}） | 必填/选填 [| 选项1、选项2]”", i + 1, kinds.join("/"))
        })?;
        fields.push(zwfw_domain::catalog::FormField {
            name: p[0].into(),
            kind,
            required: p.get(2).is_none_or(|r| *r != "选填"),
            options: p
                .get(3)
                .map(|o| {
                    o.split(['、', ',', '，']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
                })
                .unwrap_or_default(),
        });
    }
    c.form_fields = fields;
    Ok(c)
}

async fn editor_view(
    st: &AppState,
    ra: &RequestAuth,
    item_id: i64,
    v: &store_cat::Version,
    form: Option<&[(String, String)]>,
    error: Option<String>,
) -> Response {
    let c = &v.content;
    let get = |k: &str, dflt: String| {
        form.and_then(|f| f.iter().find(|(n, _)| n == k).map(|(_, x)| x.clone())).unwrap_or(dflt)
    };
    let objects: Vec<Value> = zwfw_domain::catalog::ServiceObject::ALL
        .iter()
        .map(|o| context! { code => o.code(), label => o.label(), on => c.service_objects.contains(o) })
        .collect();
    let modes: Vec<Value> = zwfw_domain::catalog::HandlingMode::ALL
        .iter()
        .map(|m| context! { code => m.code(), label => m.label(), on => c.handling_modes.contains(m) })
        .collect();
    let fields = context! {
        name => get("name", c.name.clone()), sub_name => get("sub_name", c.sub_name.clone()),
        legal_basis => get("legal_basis", c.legal_basis.clone()),
        legal_limit_days => get("legal_limit_days", c.legal_limit_days.to_string()),
        promised_limit_days => get("promised_limit_days", c.promised_limit_days.to_string()),
        acceptance_conditions => get("acceptance_conditions", c.acceptance_conditions.clone()),
        result_name => get("result_name", c.result_name.clone()), fee => c.fee,
        fee_standard => get("fee_standard", c.fee_standard.clone()), fee_basis => get("fee_basis", c.fee_basis.clone()),
        location => get("location", c.location.clone()), office_hours => get("office_hours", c.office_hours.clone()),
        enquiry_phone => get("enquiry_phone", c.enquiry_phone.clone()), supervision_phone => get("supervision_phone", c.supervision_phone.clone()),
        faq => get("faq", c.faq.clone()), themes => get("themes", c.themes.join("，")),
        materials => get("materials", materials_text(c)), steps => get("steps", steps_text(c)),
        form_fields => get("form_fields", form_fields_text(c)), reason => get("reason", String::new()),
    };
    let mut resp = crate::pages::render(
        st,
        ra,
        "item_edit.html",
        context! { item_id => item_id, version_id => v.id, version_no => v.version_no, f => fields, objects => objects, modes => modes,
                   materials => c.materials.iter().enumerate().map(|(i, m)| context! { n => i + 1, name => m.name, form => m.form_sm3.is_some(), example => m.example_sm3.is_some() }).collect::<Vec<_>>(),
                   result_sample => c.result_sample_sm3.is_some(),
        error => error.clone(), roles => zwfw_app::messages::ROLE_CODES },
    );
    if error.is_some() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

async fn open_draft(st: &AppState, s: &zwfw_app::sessions::SessionCtx, item_id: i64) -> WebResult<store_cat::Version> {
    let item = store_cat::get_item(&st.store, item_id).await?;
    if !zwfw_domain::catalog::may_author(&s.actor, item.department_id) {
        return Err(WebError::forbidden());
    }
    let v = match item.open_version_id {
        Some(v) => store_cat::get_version(&st.store, v).await?,
        None => return Err(WebError::with_detail(Kind::Conflict, "wrong_state", "published")),
    };
    if v.state != VersionState::Draft {
        return Err(WebError::with_detail(Kind::Conflict, "wrong_state", v.state.code().to_string()));
    }
    Ok(v)
}

pub async fn edit_page(State(st): State<AppState>, Signed(s, ra): Signed, Path(id): Path<i64>) -> Response {
    match open_draft(&st, &s, id).await {
        Ok(v) => editor_view(&st, &ra, id, &v, None, None).await,
        Err(e) => crate::pages::error_page(&st, Some(&ra), &e),
    }
}

pub async fn edit_submit(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
    crate::pages::RawForm(f): crate::pages::RawForm,
) -> Response {
    let v = match open_draft(&st, &s, id).await {
        Ok(v) => v,
        Err(e) => return crate::pages::error_page(&st, Some(&ra), &e),
    };
    let fields = f.fields().to_vec();
    let reason = fields.iter().find(|(n, _)| n == "reason").map(|(_, r)| r.clone()).unwrap_or_default();
    let result = match apply_form(&v.content, &fields) {
        Ok(c) => edit_draft(&api_ctx(&st, &ra), v.id, &c, &reason).await.map_err(|e| e.message()),
        Err(msg) => Err(msg),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/items/{id}")).into_response(),
        Err(msg) => editor_view(&st, &ra, id, &v, Some(&fields), Some(msg)).await,
    }
}

/// The upload form of the draft editor.
pub async fn attach_page(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> Response {
    let v = match open_draft(&st, &s, id).await {
        Ok(v) => v,
        Err(e) => return crate::pages::error_page(&st, Some(&ra), &e),
    };
    let result = match read_upload(multipart, st.config.max_upload_bytes).await {
        Ok((slot, name, bytes)) => attach(&api_ctx(&st, &ra), v.id, slot, &name, &bytes).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/items/{id}/edit")).into_response(),
        Err(e) => {
            let v = store_cat::get_version(&st.store, v.id).await.unwrap_or(v);
            editor_view(&st, &ra, id, &v, None, Some(format!("上传失败：{}", e.message()))).await
        }
    }
}
