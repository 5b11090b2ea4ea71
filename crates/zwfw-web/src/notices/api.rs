//! The notices API: the published notices for everyone, and the service
//! centre's drafting, publishing, withdrawing and attachments.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::notices::{self, NoticeInput, NoticePage, NoticeView};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// announcement (通知公告) | policy (政策文件); both when absent
    pub kind: Option<String>,
    /// From 1.
    pub page: Option<i64>,
}

#[utoipa::path(get, path = "/notices", tag = "notices", params(NoticeQuery),
    responses((status = 200, description = "the published notices, newest first", body = NoticePage), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn list_public(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> WebResult<Json<NoticePage>> {
    let kind = notices::kind_filter(q.kind.as_deref())?;
    Ok(Json(notices::list_public(&st, kind, q.page.unwrap_or(1).clamp(1, 10_000)).await?))
}

#[utoipa::path(get, path = "/admin/notices", tag = "notices", params(NoticeQuery),
    responses((status = 200, description = "every notice, drafts and withdrawn ones too", body = NoticePage), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_managed(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> WebResult<Json<NoticePage>> {
    let kind = notices::kind_filter(q.kind.as_deref())?;
    Ok(Json(notices::list_managed(&ctx(&st, &ra), kind, q.page.unwrap_or(1).clamp(1, 10_000)).await?))
}

#[utoipa::path(get, path = "/notices/{id}", tag = "notices", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeView), (status = 404, description = "not found, or not published and not the reader's to manage", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn get_notice(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Json<NoticeView>> {
    Ok(Json(notices::get(&ctx(&st, &ra), id).await?))
}

#[utoipa::path(post, path = "/notices", tag = "notices", request_body = NoticeInput,
    responses((status = 201, description = "the new draft", body = NoticeView), (status = 422, description = "invalid input", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_notice(
    SignedIn { st, ra, .. }: SignedIn,
    body: LateJson<NoticeInput>,
) -> WebResult<(StatusCode, Json<NoticeView>)> {
    let c = ctx(&st, &ra);
    notices::authorize_manager(&c)?;
    Ok((StatusCode::CREATED, Json(notices::create(&c, &body.parse()?).await?)))
}

#[utoipa::path(put, path = "/notices/{id}", tag = "notices", params(("id" = i64, Path)), request_body = NoticeInput,
    responses((status = 200, body = NoticeView), (status = 409, description = "published: withdraw it first", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_notice(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<NoticeInput>,
) -> WebResult<Json<NoticeView>> {
    let c = ctx(&st, &ra);
    notices::authorize_manager(&c)?;
    Ok(Json(notices::update(&c, id, &body.parse()?).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = NoticeActionInput)]
pub struct ActionInput {
    /// publish (发布) | withdraw (撤回, with a reason)
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/notices/{id}/actions", tag = "notices", params(("id" = i64, Path)), request_body = ActionInput,
    responses((status = 200, body = NoticeView), (status = 409, description = "the action does not apply in the notice's state", body = ErrorBody), (status = 422, description = "a withdrawal without a reason", body = ErrorBody), (status = 400, description = "a bad parameter or body, or an unknown action", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody)), security(("bearer" = [])))]
pub async fn act_notice(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ActionInput>,
) -> WebResult<Json<NoticeView>> {
    let c = ctx(&st, &ra);
    notices::authorize_manager(&c)?;
    let input = body.parse()?;
    Ok(Json(notices::act(&c, id, &input.action, &input.reason).await?))
}

/// Upload (multipart, one `file`: PDF, OFD, DOCX, XLSX, DOC/XLS, PNG or JPEG).
#[utoipa::path(post, path = "/notices/{id}/attachments", tag = "notices", params(("id" = i64, Path)),
    responses((status = 201, body = NoticeView), (status = 409, description = "published: withdraw it first", body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody)), security(("bearer" = [])))]
pub async fn attach_notice(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    multipart: LateMultipart,
) -> WebResult<(StatusCode, Json<NoticeView>)> {
    let c = ctx(&st, &ra);
    notices::authorize_manager(&c)?;
    let (name, bytes) = MultipartForm::read(multipart.open()?, st.config.max_upload_bytes).await?.take_file()?;
    Ok((StatusCode::CREATED, Json(notices::attach(&c, id, &name, &bytes).await?)))
}

#[utoipa::path(delete, path = "/notices/{id}/attachments/{sm3}", tag = "notices", params(("id" = i64, Path), ("sm3" = String, Path)),
    responses((status = 200, body = NoticeView), (status = 409, description = "published: withdraw it first", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody)), security(("bearer" = [])))]
pub async fn detach_notice(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath((id, sm3)): ApiPath<(i64, String)>,
) -> WebResult<Json<NoticeView>> {
    Ok(Json(notices::detach(&ctx(&st, &ra), id, &sm3).await?))
}

#[utoipa::path(get, path = "/notices/{id}/attachments/{sm3}", tag = "notices", params(("id" = i64, Path), ("sm3" = String, Path)),
    responses((status = 200, description = "the file, with its content type", content_type = "application/octet-stream"), (status = 404, description = "not found", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn notice_file(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiPath((id, sm3)): ApiPath<(i64, String)>,
) -> WebResult<Response> {
    let n = notices::get(&ctx(&st, &ra), id).await?;
    let a = n.attachments.iter().find(|a| a.sm3 == sm3).ok_or_else(|| WebError::not_found("attachment"))?;
    Ok(send_file(&st, &ra, &a.sm3, &a.kind, &a.name, cache(&n)).await)
}

/// Published files may be cached by the browser; others not.
pub(super) fn cache(n: &NoticeView) -> &'static str {
    if n.state == zwfw_domain::notices::NoticeState::Published.code() {
        "public, max-age=3600"
    } else {
        "private, no-store"
    }
}

/// The notices endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(list_public, create_notice))
        .register(routes!(list_managed))
        .register(routes!(get_notice, update_notice))
        .register(routes!(act_notice))
        .register(routes!(attach_notice))
        .register(routes!(notice_file, detach_notice))
}
