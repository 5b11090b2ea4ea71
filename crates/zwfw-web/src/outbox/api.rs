//! In-app notifications and the outbox over the API.

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
use zwfw_store::interaction::Notification;

#[derive(Serialize, ToSchema)]
#[schema(as = NotificationInbox)]
pub struct Inbox {
    pub messages: Vec<Notification>,
    pub unread: i64,
}

/// The signed-in account's in-app messages.
#[utoipa::path(get, path = "/me/notifications", tag = "account", responses((status = 200, body = Inbox), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_notifications(State(st): State<AppState>, Signed(s, _ra): Signed) -> WebResult<Json<Inbox>> {
    let (messages, unread) = zwfw_store::interaction::notifications(&st.store, s.actor.user_id, 100).await?;
    Ok(Json(Inbox { messages, unread }))
}

/// Marks every in-app message read.
#[utoipa::path(post, path = "/me/notifications/read", tag = "account", responses((status = 204), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_notifications_read(State(st): State<AppState>, Signed(s, _ra): Signed) -> WebResult<StatusCode> {
    mark_read(&st, s.actor.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn mark_read(st: &AppState, user_id: i64) -> WebResult<()> {
    let mut tx = st.store.begin().await?;
    zwfw_store::interaction::mark_read(&mut tx, user_id, st.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Deserialize, ToSchema)]
pub struct OutboxQuery {
    /// waiting | sent | failed | all (default)
    #[serde(default)]
    pub state: String,
}

/// The SMS outbox (global administrators): counts, and the latest 200
/// messages of the chosen state with masked numbers, tries and last error.
#[utoipa::path(get, path = "/admin/outbox", tag = "interaction", params(("state" = Option<String>, Query)),
    responses((status = 200, body = zwfw_app::outbox::sms::OutboxView), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_outbox(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> WebResult<Json<zwfw_app::outbox::sms::OutboxView>> {
    Ok(Json(zwfw_app::outbox::sms::outbox(&ctx(&st, &ra), &q.state).await?))
}

/// Sends a given-up SMS again: its tries start over (global administrators, audited).
#[utoipa::path(post, path = "/admin/outbox/{id}/retry", tag = "interaction", params(("id" = i64, Path)),
    request_body = ReasonInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_outbox_retry(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> WebResult<StatusCode> {
    zwfw_app::outbox::sms::retry(&ctx(&st, &ra), id, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The outbox endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_notifications))
        .register(routes!(api_notifications_read))
        .register(routes!(api_outbox))
        .register(routes!(api_outbox_retry))
}
