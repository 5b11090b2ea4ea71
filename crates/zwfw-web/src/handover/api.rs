//! The 审管 API: the inbox (and what a department pushed), one record, its claim.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::handover::{self as ho, ClaimInput, HandoverPage, HandoverView, ListQuery, SanctionInput, SanctionView};

/// The records pushed to the reader's department (`side=pushed`: those it
/// pushed); the supervision bureau reads every department's.
#[utoipa::path(get, path = "/handover", tag = "handover", params(
    ("state" = Option<String>, Query, description = "unclaimed (default) | claimed | all"),
    ("side" = Option<String>, Query, description = "inbox (default) | pushed"),
    ("department_id" = Option<i64>, Query, description = "the supervision bureau: one regulator's records"),
    ("page" = Option<i64>, Query)),
    responses((status = 200, body = HandoverPage), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 422, description = "a parameter out of range (`invalid_field`, e.g. the page number)", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not staff (`staff_only`), a role that handles no push, e.g. an operator (`missing_role`), another department asked for by a reader of their own department's (`not_in_department`, detail `department_id`), or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<HandoverPage>> {
    Ok(Json(ho::list(&ctx(&st, &ra), &q).await?))
}

/// One record: the decision, the licence, the opinions and the materials.
#[utoipa::path(get, path = "/handover/{id}", tag = "handover", params(("id" = i64, Path)),
    responses((status = 200, body = HandoverView), (status = 404, description = "not found, or not the reader's department's", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<HandoverView>> {
    Ok(Json(ho::get(&ctx(&st, &ra), id).await?))
}

/// 认领: the regulator's staff claim the record, with an optional note.
#[utoipa::path(post, path = "/handover/{id}/claim", tag = "handover", params(("id" = i64, Path)), request_body = ClaimInput,
    responses((status = 200, description = "claimed", body = HandoverView), (status = 403, description = "not the regulator's staff (`not_in_department`, `supervision_reads_only`, `missing_role`)", body = ErrorBody), (status = 404, description = "not found, or not the reader's department's", body = ErrorBody), (status = 409, description = "claimed already (`handover_already_claimed`)", body = ErrorBody), (status = 422, description = "the note is too long (`note_too_long`)", body = ErrorBody), (status = 400, description = "a bad parameter or body (answered only to the regulator's staff: who may claim is decided before the body is read)", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn claim(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ClaimInput>,
) -> WebResult<Json<HandoverView>> {
    let c = ctx(&st, &ra);
    ho::claim_target(&c, id).await?;
    let input = body.parse()?;
    Ok(Json(ho::claim(&c, id, &input).await?))
}

/// 回流: the claiming regulator records a 行政处罚, 责令改正, 吊销 (the licence
/// is revoked at once) or 限制准入 on the record's licensee. Who may is
/// decided before the body is read.
#[utoipa::path(post, path = "/handover/{id}/sanctions", tag = "handover", params(("id" = i64, Path)), request_body = SanctionInput,
    responses((status = 201, description = "recorded", body = SanctionView), (status = 403, description = "not the regulator's staff (`not_in_department`, `supervision_reads_only`, `missing_role`, `staff_only`)", body = ErrorBody), (status = 404, description = "not found, or not the reader's department's", body = ErrorBody), (status = 409, description = "the record is not claimed yet (`handover_not_claimed`), the department recorded a decision under this number already (`decision_no_taken`), or the licence cannot be revoked in its status (`license_wrong_status`)", body = ErrorBody), (status = 422, description = "an incomplete decision (`decision_no_required`, `sanction_reason_required`, `restrict_period_required`, `restrict_period_reversed`, `restrict_items_required`, `revoke_needs_license`, `decided_in_future`, `invalid_field`), an unknown licence or item (`unknown_license`, `license_not_of_holder`, `unknown_item`), too many files", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn record_sanction(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<SanctionInput>, WebError>,
) -> WebResult<(StatusCode, Json<SanctionView>)> {
    let c = ctx(&st, &ra);
    ho::sanctions::target(&c, id).await?;
    let ApiJson(input) = body?;
    Ok((StatusCode::CREATED, Json(ho::sanctions::record(&c, id, &input, vec![]).await?)))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(list))
        .register(routes!(get))
        .register(routes!(claim))
        .register(routes!(record_sanction))
}
