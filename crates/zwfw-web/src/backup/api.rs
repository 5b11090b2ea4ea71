//! Backups and restore drills over the API (system administrators).

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::backup::schedule::{self, BackupsView};
use zwfw_store::backup::records::{BackupRecord, DrillRecord};

/// The backups and restore drills (system administrators): the settings,
/// the latest 50 backups (size, time, whether the file is still there,
/// whether a drill restored it), the latest 20 drills with the measured
/// time to restore and the age of the data, and what is wrong with
/// continuity now.
#[utoipa::path(get, path = "/admin/backups", tag = "supervision",
    responses((status = 200, body = BackupsView), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_backups(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<BackupsView>> {
    Ok(Json(schedule::overview(&ctx(&st, &ra)).await?))
}

/// Makes a backup now into the backup directory (system administrators,
/// audited). A failed backup is recorded and answered with its record
/// (`outcome` failed, with the reason); 409 while another is being made.
#[utoipa::path(post, path = "/admin/backups", tag = "supervision",
    responses((status = 201, body = BackupRecord), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator", body = ErrorBody), (status = 409, description = "a backup or drill is being made", body = ErrorBody), (status = 503, description = "no backup directory configured", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_back_up_now(SignedIn { st, ra, .. }: SignedIn) -> WebResult<(StatusCode, Json<BackupRecord>)> {
    Ok((StatusCode::CREATED, Json(schedule::back_up_now(&ctx(&st, &ra), "manual").await?)))
}

/// Runs a restore drill now on the newest good backup (system
/// administrators, audited): restored into a scratch database, checked,
/// removed; the drill's record (passed or failed, with the reason).
#[utoipa::path(post, path = "/admin/backups/drill", tag = "supervision",
    responses((status = 201, body = DrillRecord), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator", body = ErrorBody), (status = 409, description = "a backup or drill is being made", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_drill_now(SignedIn { st, ra, .. }: SignedIn) -> WebResult<(StatusCode, Json<DrillRecord>)> {
    Ok((StatusCode::CREATED, Json(schedule::drill(&ctx(&st, &ra), "manual", None).await?)))
}

/// The backup endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_backups))
        .register(routes!(api_back_up_now))
        .register(routes!(api_drill_now))
}
