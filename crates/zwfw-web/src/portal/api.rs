//! The portal's home page as JSON, for an app or a mini-program.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::portal::PortalHome;

#[utoipa::path(get, path = "/portal", tag = "portal",
    responses((status = 200, description = "what the portal's home page shows: hot items, the ways to browse the guide, notices and policy documents, public answers, 好差评 figures and the ranking", body = PortalHome)))]
pub async fn portal(State(st): State<AppState>) -> WebResult<Json<PortalHome>> {
    Ok(Json(zwfw_app::portal::home(&st).await?))
}

/// The portal endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().register(routes!(portal))
}
