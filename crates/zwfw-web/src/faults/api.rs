//! The 故障 API: report, list, read, acknowledge, record the cause, clear,
//! the paper notice's PDF and its delivery.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::faults::{self as fl, FaultPage, FaultView, ListQuery, ReportInput, SentInput, StepInput};

/// The JSON body, read only once the reader's right is settled (a refused
/// reader gets 403, never a complaint about the body).
fn body_of<T: serde::de::DeserializeOwned>(bytes: &axum::body::Bytes) -> WebResult<T> {
    Ok(axum::Json::<T>::from_bytes(bytes).map_err(WebError::from)?.0)
}

/// Reports a fault (any staff member); the centre and the information office are told at once.
#[utoipa::path(post, path = "/faults", tag = "faults", request_body = ReportInput,
    responses((status = 201, description = "reported", body = FaultView), (status = 403, description = "not staff (`staff_only`), or the session must first change its password or set up TOTP", body = ErrorBody), (status = 422, description = "what fails missing, the start in the future or unreadable, the scope incomplete (`fault_what_missing`, `fault_since_in_future`, `fault_since_invalid`, `fault_bad_scope`, `fault_department_missing`, `fault_function_missing`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn report(
    SignedIn { st, ra, .. }: SignedIn,
    bytes: axum::body::Bytes,
) -> WebResult<(axum::http::StatusCode, Json<FaultView>)> {
    let c = ctx(&st, &ra);
    fl::check_report(&c)?;
    let input: ReportInput = body_of(&bytes)?;
    Ok((axum::http::StatusCode::CREATED, Json(fl::report(&c, &input).await?)))
}

/// The faults, newest first (the centre, the system administrators and supervision: all; other staff: their reports).
#[utoipa::path(get, path = "/faults", tag = "faults", params(
    ("state" = Option<String>, Query, description = "open (default) | cleared | all"),
    ("page" = Option<i64>, Query)),
    responses((status = 200, body = FaultPage), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 422, description = "a parameter out of range (`invalid_field`, e.g. the page number)", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not staff, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(SignedIn { st, ra, .. }: SignedIn, ApiQuery(q): ApiQuery<ListQuery>) -> WebResult<Json<FaultPage>> {
    Ok(Json(fl::list(&ctx(&st, &ra), &q).await?))
}

/// One fault with its timeline and the paper notice's addressees.
#[utoipa::path(get, path = "/faults/{id}", tag = "faults", params(("id" = i64, Path)),
    responses((status = 200, body = FaultView), (status = 404, description = "not found, or not the reader's to read", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<FaultView>> {
    Ok(Json(fl::get(&ctx(&st, &ra), id).await?))
}

/// 确认: the centre takes the fault in hand.
#[utoipa::path(post, path = "/faults/{id}/acknowledge", tag = "faults", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, description = "acknowledged", body = FaultView), (status = 403, description = "not the centre or a system administrator (`missing_role`, `supervision_reads_only`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "acknowledged or cleared already (`fault_already_acknowledged`, `fault_already_cleared`)", body = ErrorBody), (status = 422, description = "the note is too long (`fault_note_too_long`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn acknowledge(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    bytes: axum::body::Bytes,
) -> WebResult<Json<FaultView>> {
    step(&st, &ra, id, &bytes, fl::Step::Acknowledge).await
}

/// 记录原因: the cause as found.
#[utoipa::path(post, path = "/faults/{id}/cause", tag = "faults", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, description = "recorded", body = FaultView), (status = 403, description = "not the centre or a system administrator (`missing_role`, `supervision_reads_only`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "cleared already (`fault_already_cleared`)", body = ErrorBody), (status = 422, description = "no cause (`fault_cause_missing`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn cause(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    bytes: axum::body::Bytes,
) -> WebResult<Json<FaultView>> {
    step(&st, &ra, id, &bytes, fl::Step::Cause).await
}

/// 排除: the fault is cleared, once.
#[utoipa::path(post, path = "/faults/{id}/clear", tag = "faults", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, description = "cleared", body = FaultView), (status = 403, description = "not the centre or a system administrator (`missing_role`, `supervision_reads_only`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "cleared already (`fault_already_cleared`)", body = ErrorBody), (status = 422, description = "the note is too long (`fault_note_too_long`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn clear(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    bytes: axum::body::Bytes,
) -> WebResult<Json<FaultView>> {
    step(&st, &ra, id, &bytes, fl::Step::Clear).await
}

/// A step of the timeline: the right first, then the body.
async fn step(
    st: &AppState,
    ra: &RequestAuth,
    id: i64,
    bytes: &axum::body::Bytes,
    step: fl::Step,
) -> WebResult<Json<FaultView>> {
    let c = ctx(st, ra);
    fl::check_handle(&c, id).await?;
    let input: StepInput = body_of(bytes)?;
    Ok(Json(fl::take_step(&c, id, step, &input).await?))
}

pub(crate) fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    let disp = crate::http::files::attachment("notice.pdf", name);
    ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disp)], bytes)
        .into_response()
}

/// 纸质书面通知: the PDF for a fault not cleared 24 hours after its start; the printing is recorded.
#[utoipa::path(post, path = "/faults/{id}/paper-notice", tag = "faults", params(("id" = i64, Path)),
    responses((status = 200, description = "the notice (A4 PDF)", body = crate::http::files::FileBytes, content_type = "application/pdf"), (status = 403, description = "not the centre or a system administrator (`missing_role`, `supervision_reads_only`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "not due: the fault is not 24 hours old, or was cleared within 24 hours (`fault_notice_not_due`, with the time it becomes due)", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn paper_notice(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Response> {
    let (bytes, name) = fl::paper_notice(&ctx(&st, &ra), id).await?;
    Ok(pdf_response(bytes, &name))
}

/// Records that the printed notice was sent to a department.
#[utoipa::path(post, path = "/faults/{id}/paper-notice/sent", tag = "faults", params(("id" = i64, Path)), request_body = SentInput,
    responses((status = 200, description = "recorded", body = FaultView), (status = 403, description = "not the centre or a system administrator (`missing_role`, `supervision_reads_only`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "the notice is not due or not printed yet (`fault_notice_not_due`, `fault_notice_not_printed`)", body = ErrorBody), (status = 422, description = "not a department the notice is addressed to (`fault_not_addressed`), or the note too long", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn sent(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    bytes: axum::body::Bytes,
) -> WebResult<Json<FaultView>> {
    let c = ctx(&st, &ra);
    fl::check_handle(&c, id).await?;
    let input: SentInput = body_of(&bytes)?;
    Ok(Json(fl::record_sent(&c, id, &input).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(report, list))
        .register(routes!(get))
        .register(routes!(acknowledge))
        .register(routes!(cause))
        .register(routes!(clear))
        .register(routes!(paper_notice))
        .register(routes!(sent))
}
