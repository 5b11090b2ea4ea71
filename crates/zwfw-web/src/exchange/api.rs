//! The exchange monitor over the API: the monitor, reading the province's
//! feedback now, and sending a corrected row again.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::exchange::feedback::{PollReport, ResendInput, RowView};

/// The exchange with the provincial platform (administrators and the
/// supervision bureau): per national table the backlog, the oldest waiting
/// row's age, what was delivered today and what was rejected; the
/// exporter's state (last error, back-off), the rejected rows with the
/// reason, and the province's feedback not corrected yet.
#[utoipa::path(get, path = "/admin/exchange", tag = "supervision",
    responses((status = 200, body = zwfw_app::exchange::Monitor), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_exchange(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<zwfw_app::exchange::Monitor>> {
    Ok(Json(zwfw_app::exchange::monitor(&ctx(&st, &ra)).await?))
}

/// Reads the province's feedback tables (`dn_audit_abnormal`,
/// `dn_lic_data_error`) of the 前置库 now (system and centre
/// administrators); a feedback row read before is not recorded again.
#[utoipa::path(post, path = "/admin/exchange/feedback/poll", tag = "supervision",
    responses((status = 200, body = PollReport), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed", body = ErrorBody),
    (status = 409, description = "no 前置库 configured", body = ErrorBody), (status = 503, description = "the 前置库 is unavailable", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_exchange_poll(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<PollReport>> {
    Ok(Json(zwfw_app::exchange::feedback::poll_now(&ctx(&st, &ra)).await?))
}

/// A row of the outbox (administrators and the supervision bureau): its
/// table, its case's 办件编号, its state, the province's feedback about it,
/// and whether it may be corrected and sent again.
#[utoipa::path(get, path = "/admin/exchange/rows/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = RowView), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody),
    (status = 403, description = "not allowed", body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_exchange_row(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Json<RowView>> {
    Ok(Json(zwfw_app::exchange::feedback::row(&ctx(&st, &ra), id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Resent {
    /// The outbox row of the new version.
    pub id: i64,
}

/// Sends a rejected row (by the exporter's checks, or named by the
/// province's feedback) again as a new version, with a correction of one
/// column if given; audited with the reason (system and centre administrators).
#[utoipa::path(post, path = "/admin/exchange/rows/{id}/resend", tag = "supervision", params(("id" = i64, Path)),
    request_body = ResendInput, responses((status = 201, body = Resent), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody),
    (status = 403, description = "not allowed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "not rejected, or sent again already", body = ErrorBody),
    (status = 422, description = "a correction that does not fit the column, or no reason", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_exchange_resend(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<ResendInput>, WebError>,
) -> WebResult<(StatusCode, Json<Resent>)> {
    let ctx = ctx(&st, &ra);
    // Who may act is decided before what was sent is read.
    zwfw_app::exchange::feedback::may_resend(&ctx)?;
    let ApiJson(input) = body?;
    let id = zwfw_app::exchange::feedback::resend(&ctx, id, &input).await?;
    Ok((StatusCode::CREATED, Json(Resent { id })))
}

/// The exchange endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_exchange))
        .register(routes!(api_exchange_poll))
        .register(routes!(api_exchange_row))
        .register(routes!(api_exchange_resend))
}
