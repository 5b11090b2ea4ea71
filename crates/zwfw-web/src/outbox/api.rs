//! In-app notifications and the outbox over the API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::outbox::inapp;
use zwfw_app::outbox::inapp::InboxPage;

#[derive(Deserialize, ToSchema)]
pub struct InboxQuery {
    /// 1-based page, default 1.
    pub page: Option<i64>,
    /// Messages per page, 1–100, default 20.
    pub per_page: Option<i64>,
}

/// The signed-in account's in-app messages, newest first, a page at a time.
#[utoipa::path(get, path = "/me/notifications", tag = "account", params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = InboxPage), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 422, description = "a page or page size out of range", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_notifications(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> WebResult<Json<InboxPage>> {
    Ok(Json(inapp::list(&ctx(&st, &ra), q.page, q.per_page).await?))
}

#[derive(Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

/// How many in-app messages are unread (the menu's badge).
#[utoipa::path(get, path = "/me/notifications/count", tag = "account", responses((status = 200, body = UnreadCount), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_notifications_count(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<UnreadCount>> {
    Ok(Json(UnreadCount { unread: inapp::unread(&ctx(&st, &ra)).await? }))
}

/// Marks every in-app message read.
#[utoipa::path(post, path = "/me/notifications/read", tag = "account", responses((status = 204), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_notifications_read(SignedIn { st, ra, .. }: SignedIn) -> WebResult<StatusCode> {
    inapp::mark_all_read(&ctx(&st, &ra)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks one in-app message read; another account's or an unknown id is not found.
#[utoipa::path(post, path = "/me/notifications/{id}/read", tag = "account", params(("id" = i64, Path)),
    responses((status = 204), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "no such message of this account", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_notification_read(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<StatusCode> {
    inapp::mark_read(&ctx(&st, &ra), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct OutboxQuery {
    /// waiting | sent | failed | all (default)
    #[serde(default)]
    pub state: String,
}

/// The outbox of SMS and e-mail (global administrators): counts, and the
/// latest 200 messages of the chosen state with masked recipients, tries and
/// last error.
#[utoipa::path(get, path = "/admin/outbox", tag = "interaction", params(("state" = Option<String>, Query)),
    responses((status = 200, body = zwfw_app::outbox::OutboxView), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_outbox(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> WebResult<Json<zwfw_app::outbox::OutboxView>> {
    Ok(Json(zwfw_app::outbox::outbox(&ctx(&st, &ra), &q.state).await?))
}

/// Sends a given-up SMS or e-mail again: its tries start over (global administrators, audited).
#[utoipa::path(post, path = "/admin/outbox/{id}/retry", tag = "interaction", params(("id" = i64, Path)),
    request_body = ReasonInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_outbox_retry(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ReasonInput>,
) -> WebResult<StatusCode> {
    let c = ctx(&st, &ra);
    zwfw_app::outbox::may_operate(&c)?;
    zwfw_app::outbox::retry(&c, id, &body.parse()?.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What waits for the signed-in applicant: applications to supplement,
/// results ready, unread notices (public accounts; staff have their inbox).
#[utoipa::path(get, path = "/me/workbench", tag = "account", responses((status = 200, body = zwfw_app::cases::Workbench), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "a staff account, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_workbench(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<zwfw_app::cases::Workbench>> {
    Ok(Json(zwfw_app::cases::applicant_workbench(&ctx(&st, &ra)).await?))
}

/// The outbox endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_notifications))
        .register(routes!(api_notifications_read))
        .register(routes!(api_notifications_count))
        .register(routes!(api_notification_read))
        .register(routes!(api_workbench))
        .register(routes!(api_outbox))
        .register(routes!(api_outbox_retry))
}
