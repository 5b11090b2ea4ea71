//! The API of 配置/维护需求: submit (multipart, with attachments), list,
//! read, answer, close, and the refusal's PDF reply.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::governance::{self as gov, AnswerInput, CompleteInput, RequestPage, RequestView, SubmitInput};

/// A request as a multipart form: its kind, its text and up to five attachments.
#[derive(utoipa::ToSchema)]
#[schema(as = MaintenanceRequestForm)]
#[allow(dead_code)]
pub struct RequestForm {
    /// users_rights | item_config | org_data | misoperation | other
    kind: String,
    /// What is needed and why (at most 2000 characters).
    content: String,
    /// PDF, JPEG, PNG or OFD, checked by content; the field repeated for each file (at most five).
    #[schema(value_type = Option<String>, format = Binary)]
    attachment: Option<Vec<u8>>,
}

/// Submits a configuration or maintenance request for the caller's
/// department (a department's administrator or head, or a supervision officer).
#[utoipa::path(post, path = "/governance/requests", tag = "governance",
    request_body(content = RequestForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "submitted", body = RequestView), (status = 403, description = "not a department's administrator or head nor a supervision officer (`missing_role`, `staff_only`)", body = ErrorBody), (status = 422, description = "a bad kind, an empty or too long text, a file of a refused type or too many files (`bad_request_kind`, `invalid_request_text`, `too_many_files`)", body = ErrorBody), (status = 413, description = "a file too large", body = ErrorBody), (status = 400, description = "a bad body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn submit(
    SignedIn { st, ra, .. }: SignedIn,
    mp: LateMultipart,
) -> WebResult<(StatusCode, Json<RequestView>)> {
    let c = ctx(&st, &ra);
    gov::may_submit(&c)?;
    let f = MultipartForm::read(mp.open()?, st.config.max_upload_bytes).await?;
    let files = super::stored_attachments(&st, &f).await?;
    let input = SubmitInput { kind: f.get("kind"), content: f.get("content") };
    Ok((StatusCode::CREATED, Json(gov::submit(&c, &input, &files).await?)))
}

/// The requests the caller may read, newest first: a department its own,
/// the service centre and the supervision office every department's.
#[utoipa::path(get, path = "/governance/requests", tag = "governance", params(
    ("state" = Option<String>, Query, description = "submitted | accepted | refused | done (default: every state)"),
    ("department_id" = Option<i64>, Query, description = "the centre and the supervision office: one department's requests (another department's, asked by a reader of their own department's: `403 not_in_department`)"),
    ("page" = Option<i64>, Query)),
    responses((status = 200, body = RequestPage), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 422, description = "a parameter out of range (`invalid_field`, e.g. the page number)", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not staff, another department asked for by a reader of their own department's (`not_in_department`, detail `department_id`), or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<gov::ListQuery>,
) -> WebResult<Json<RequestPage>> {
    Ok(Json(gov::list(&ctx(&st, &ra), &q).await?))
}

/// One request: its text, attachments, analysis, answer and the changes made under it.
#[utoipa::path(get, path = "/governance/requests/{id}", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 404, description = "not found, or another department's", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<RequestView>> {
    Ok(Json(gov::get(&ctx(&st, &ra), id).await?))
}

/// The service centre answers: the analysis (necessity, feasibility) and
/// acceptance, or refusal with written reasons (a PDF reply is stored).
#[utoipa::path(post, path = "/governance/requests/{id}/answer", tag = "governance", params(("id" = i64, Path)), request_body = AnswerInput,
    responses((status = 200, description = "answered", body = RequestView), (status = 403, description = "not the service centre (`missing_role`, `supervision_reads_only`)", body = ErrorBody), (status = 404, description = "not found, or another department's", body = ErrorBody), (status = 409, description = "answered already (`request_already_answered`)", body = ErrorBody), (status = 422, description = "a bad decision, or an analysis or a refusal's reasons missing (`bad_decision`, `invalid_request_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn answer(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<AnswerInput>, WebError>,
) -> WebResult<Json<RequestView>> {
    let c = ctx(&st, &ra);
    gov::may_answer(&c, id).await?;
    let ApiJson(input) = body?;
    Ok(Json(gov::answer(&c, id, &input).await?))
}

/// The service centre closes an accepted request once carried out.
#[utoipa::path(post, path = "/governance/requests/{id}/complete", tag = "governance", params(("id" = i64, Path)), request_body = CompleteInput,
    responses((status = 200, description = "closed", body = RequestView), (status = 403, description = "not the service centre (`missing_role`, `supervision_reads_only`)", body = ErrorBody), (status = 404, description = "not found, or another department's", body = ErrorBody), (status = 409, description = "not accepted, or closed already (`request_not_accepted`)", body = ErrorBody), (status = 422, description = "the note is missing (`invalid_request_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn complete(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<CompleteInput>, WebError>,
) -> WebResult<Json<RequestView>> {
    let c = ctx(&st, &ra);
    gov::may_answer(&c, id).await?;
    let ApiJson(input) = body?;
    Ok(Json(gov::complete(&c, id, &input).await?))
}

/// The refusal's written reply (不予办理答复书) as PDF.
#[utoipa::path(get, path = "/governance/requests/{id}/reply.pdf", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, description = "the reply", body = crate::http::files::FileBytes, content_type = "application/pdf"), (status = 404, description = "not found, another department's, or not refused", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn reply(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Response> {
    super::reply_pdf(&st, &ra, id).await
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(submit, list))
        .register(routes!(get))
        .register(routes!(answer))
        .register(routes!(complete))
        .register(routes!(reply))
}
