//! In-app notifications and the outbox over the API.

use crate::http::prelude::*;
use axum::extract::Path;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use zwfw_store::interaction::Notification;

#[derive(Serialize, ToSchema)]
pub struct Inbox {
    #[schema(value_type = Vec<Object>)]
    pub messages: Vec<Notification>,
    pub unread: i64,
}

/// The signed-in account's in-app messages.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "account", responses((status = 200, body = Inbox)), security(("bearer" = [])))]
pub async fn api_notifications(State(st): State<AppState>, Signed(s, _ra): Signed) -> WebResult<Json<Inbox>> {
    let (messages, unread) = zwfw_store::interaction::notifications(&st.store, s.actor.user_id, 100).await?;
    Ok(Json(Inbox { messages, unread }))
}

/// Marks every in-app message read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "account", responses((status = 204)), security(("bearer" = [])))]
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
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "interaction", params(("state" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_outbox(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Query(q): Query<OutboxQuery>,
) -> WebResult<Json<zwfw_app::outbox::sms::OutboxView>> {
    Ok(Json(zwfw_app::outbox::sms::outbox(&ctx(&st, &ra), &q.state).await?))
}

/// Sends a given-up SMS again: its tries start over (global administrators, audited).
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "interaction", params(("id" = i64, Path)),
    request_body = ReasonInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_outbox_retry(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> WebResult<StatusCode> {
    zwfw_app::outbox::sms::retry(&ctx(&st, &ra), id, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
