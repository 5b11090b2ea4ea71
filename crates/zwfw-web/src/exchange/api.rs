//! The exchange monitor over the API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The exchange with the provincial platform (administrators and the
/// supervision bureau): per national table the backlog, the oldest waiting
/// row's age, what was delivered today and what was rejected; the
/// exporter's state (last error, back-off) and the rejected rows with the reason.
#[utoipa::path(get, path = "/admin/exchange", tag = "supervision",
    responses((status = 200, body = zwfw_app::exchange::Monitor), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_exchange(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<zwfw_app::exchange::Monitor>> {
    Ok(Json(zwfw_app::exchange::monitor(&ctx(&st, &ra)).await?))
}

/// The exchange endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().register(routes!(api_exchange))
}
