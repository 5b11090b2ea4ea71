//! The API of the performance evaluation: `/api/v1/supervision/evaluation…`
//! for supervision, `/api/v1/rankings` for everyone.

use crate::api::Register;
use crate::http::prelude::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ErrorBody;
use crate::http::error::WebResult;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use zwfw_app::evaluation as ev;
use zwfw_app::evaluation::ConfigInput;
use zwfw_app::evaluation::Evaluation;
use zwfw_app::evaluation::Format;
use zwfw_app::evaluation::PublishInput;
use zwfw_app::evaluation::Ranking;
use zwfw_domain::evaluation::Config;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    /// `2025-10-1`, `2025-10-2`, `2025-10` or `2025-Q4`; by default the last half-month that ended.
    pub period: Option<String>,
    /// xlsx | pdf (reports)
    pub format: Option<String>,
}

fn period_of(st: &AppState, q: &PeriodQuery) -> WebResult<zwfw_domain::evaluation::Period> {
    Ok(ev::period_or_default(st, q.period.as_deref(), None)?)
}

/// The evaluation of the departments for a period: figures, indicators,
/// score, grade, rank, and the login activity (supervision officers, administrators).
#[utoipa::path(get, path = "/supervision/evaluation", tag = "supervision",
    params(("period" = Option<String>, Query)),
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_evaluation(
    SignedIn { st, s, .. }: SignedIn,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> WebResult<Json<Evaluation>> {
    let p = period_of(&st, &q)?;
    Ok(Json(ev::evaluation(&st, &s.actor, p).await?))
}

/// The report of a period as .xlsx or PDF.
#[utoipa::path(get, path = "/supervision/evaluation/report", tag = "supervision",
    params(("period" = Option<String>, Query), ("format" = String, Query)),
    responses((status = 200, description = "the report file", content(
        (crate::http::files::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (crate::http::files::FileBytes = "application/pdf"))), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_report(SignedIn { st, s, .. }: SignedIn, ApiQuery(q): ApiQuery<PeriodQuery>) -> WebResult<Response> {
    let p = period_of(&st, &q)?;
    let format = Format::parse(q.format.as_deref().unwrap_or("xlsx"))?;
    let (bytes, name) = ev::report(&st, &s.actor, p, format).await?;
    Ok(download(bytes, &name, format))
}

pub fn download(bytes: Vec<u8>, name: &str, format: Format) -> Response {
    let ascii = match format {
        Format::Xlsx => "report.xlsx",
        Format::Pdf => "report.pdf",
    };
    let disposition = crate::http::files::attachment(ascii, name);
    ([(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

/// The weights and thresholds of the evaluation.
#[utoipa::path(get, path = "/supervision/evaluation/config", tag = "supervision",
    responses((status = 200, body = zwfw_domain::evaluation::Config), (status = 403, body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_config(SignedIn { st, s, .. }: SignedIn) -> WebResult<Json<Config>> {
    if !ev::may_read(&s.actor) {
        return Err(crate::http::error::WebError::forbidden());
    }
    Ok(Json(ev::config(&st).await?))
}

/// Changes the weights and thresholds (supervision officers; audited with the reason).
#[utoipa::path(put, path = "/supervision/evaluation/config", tag = "supervision", request_body = ConfigInput,
    responses((status = 200, body = zwfw_domain::evaluation::Config), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_update_config(
    SignedIn { st, ra, .. }: SignedIn,
    body: LateJson<ConfigInput>,
) -> WebResult<Json<Config>> {
    let c = ctx(&st, &ra);
    zwfw_app::supervision::may_supervise(&c)?;
    Ok(Json(ev::update_config(&c, &body.parse()?).await?))
}

/// Publishes the ranking of an ended period on the portal (supervision officers).
#[utoipa::path(post, path = "/supervision/evaluation/publications", tag = "supervision", request_body = PublishInput,
    responses((status = 200, body = Ranking), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_publish(SignedIn { st, ra, .. }: SignedIn, body: LateJson<PublishInput>) -> WebResult<Json<Ranking>> {
    let c = ctx(&st, &ra);
    zwfw_app::supervision::may_supervise(&c)?;
    Ok(Json(ev::publish(&c, &body.parse()?).await?))
}

/// The published rankings, newest first (no sign-in).
#[utoipa::path(get, path = "/rankings", tag = "supervision", responses((status = 200, body = Vec<Ranking>)))]
pub async fn api_rankings(State(st): State<AppState>) -> WebResult<Json<Vec<Ranking>>> {
    Ok(Json(ev::rankings(&st).await?))
}

/// The published ranking of a period (no sign-in).
#[utoipa::path(get, path = "/rankings/{period}", tag = "supervision", params(("period" = String, Path)),
    responses((status = 200, body = Ranking), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn api_ranking(State(st): State<AppState>, ApiPath(period): ApiPath<String>) -> WebResult<Json<Ranking>> {
    Ok(Json(ev::ranking_of(&st, &period).await?))
}

/// The evaluation endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_evaluation))
        .register(routes!(api_report))
        .register(routes!(api_config, api_update_config))
        .register(routes!(api_publish))
        .register(routes!(api_rankings))
        .register(routes!(api_ranking))
}
