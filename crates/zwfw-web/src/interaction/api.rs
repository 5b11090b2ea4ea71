//! The interaction API: submitting, reading, tracking and handling, the handlers on duty and the limits.
//! The API of public interaction, ratings and in-app notifications under `/api/v1`.

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
use zwfw_app::interaction;
use zwfw_app::interaction::ActionInput;
use zwfw_app::interaction::Detail;
use zwfw_app::interaction::HandlerInput;
use zwfw_app::interaction::ListPage;
use zwfw_app::interaction::ListQuery;
use zwfw_app::interaction::SubmitInput;
use zwfw_app::interaction::Submitted;
use zwfw_domain::interaction::Kind as IKind;
use zwfw_store::interaction::HandlerRow;

use crate::http::auth::Auth;
use crate::http::error::ErrorBody;
use crate::http::error::WebError;
use crate::http::error::WebResult;
use crate::http::state::AppState;

/// Submits a consultation, suggestion, complaint or error report. A
/// consultation or an error report may be sent without signing in (with a
/// mobile number); suggestions and complaints need a signed-in account.
#[utoipa::path(post, path = "/interactions", tag = "interaction", request_body = SubmitInput,
    responses((status = 201, body = Submitted), (status = 200, description = "a repeat: the first result", body = Submitted),
    (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "flood limit", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn api_submit(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiJson(input): ApiJson<SubmitInput>,
) -> WebResult<(StatusCode, Json<Submitted>)> {
    let r = interaction::submit(&ctx(&st, &ra), &input, vec![]).await?;
    Ok((if r.repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(r)))
}

/// Lists submissions: `public` (answered and published, no sign-in), `mine`,
/// `department` (the handling department's), `all` and `conduct` (supervision).
#[utoipa::path(get, path = "/interactions", tag = "interaction", params(
    ("scope" = Option<String>, Query), ("kind" = Option<String>, Query), ("state" = Option<String>, Query),
    ("q" = Option<String>, Query), ("overdue" = Option<bool>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = ListPage), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn api_list(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<ListPage>> {
    let actor = ra.session.as_ref().map(|s| &s.actor);
    Ok(Json(interaction::list(&st, actor, &q).await?))
}

/// One submission, as the reader may see it (published ones to anyone).
#[utoipa::path(get, path = "/interactions/{id}", tag = "interaction", params(("id" = i64, Path)),
    responses((status = 200, body = Detail), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn api_get(State(st): State<AppState>, Auth(ra): Auth, ApiPath(id): ApiPath<i64>) -> WebResult<Json<Detail>> {
    let actor = ra.session.as_ref().map(|s| &s.actor);
    Ok(Json(interaction::detail(&st, actor, id, false).await?))
}

/// Transfers, extends or answers a submission (staff of the handling department).
#[utoipa::path(post, path = "/interactions/{id}/actions", tag = "interaction", params(("id" = i64, Path)),
    request_body = ActionInput, responses((status = 200, body = Detail), (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_act(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ActionInput>,
) -> WebResult<Json<Detail>> {
    let c = ctx(&st, &ra);
    interaction::may_handle(&c, id).await?;
    Ok(Json(interaction::act(&c, id, &body.parse()?).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = InteractionTrackInput)]
pub struct TrackInput {
    pub code: String,
    pub password: String,
}

/// Follows a submission with its number and query password (no sign-in).
#[utoipa::path(post, path = "/interactions/track", tag = "interaction", request_body = TrackInput,
    responses((status = 200, body = Detail), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)))]
pub async fn api_track(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiJson(t): ApiJson<TrackInput>,
) -> WebResult<Json<Detail>> {
    Ok(Json(interaction::track(&st, &ra.client_addr, &t.code, &t.password).await?))
}

/// The handlers a department named (第七条), current first, then the history.
#[utoipa::path(get, path = "/departments/{id}/interaction-handlers", tag = "interaction", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<zwfw_store::interaction::HandlerRow>), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_handlers(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Json<Vec<HandlerRow>>> {
    Ok(Json(zwfw_app::interaction::department_handlers(&ctx(&st, &ra), id).await?))
}

#[derive(Serialize, ToSchema)]
#[schema(as = InteractionCreated)]
pub struct Created {
    pub id: i64,
}

/// Names a handler (department administrator or head, or a global administrator).
#[utoipa::path(post, path = "/departments/{id}/interaction-handlers", tag = "interaction", params(("id" = i64, Path)),
    request_body = HandlerInput, responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_add_handler(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<HandlerInput>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let c = ctx(&st, &ra);
    interaction::may_name_handlers(&c, id)?;
    let hid = interaction::add_handler(&c, id, &body.parse()?).await?;
    Ok((StatusCode::CREATED, Json(Created { id: hid })))
}

/// Ends a handler's duty (the change is recorded).
#[utoipa::path(post, path = "/departments/{id}/interaction-handlers/{hid}/end", tag = "interaction",
    params(("id" = i64, Path), ("hid" = i64, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_end_handler(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath((id, hid)): ApiPath<(i64, i64)>,
    body: LateJson<ReasonInput>,
) -> WebResult<StatusCode> {
    let c = ctx(&st, &ra);
    interaction::may_name_handlers(&c, id)?;
    interaction::end_handler(&c, id, hid, &body.parse()?.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct LimitInput {
    pub days: u32,
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct LimitView {
    pub kind: String,
    pub days: u32,
}

/// The answer limits in working days, per kind.
#[utoipa::path(get, path = "/interaction-limits", tag = "interaction", responses((status = 200, body = Vec<LimitView>)))]
pub async fn api_limits(State(st): State<AppState>) -> WebResult<Json<Vec<LimitView>>> {
    let mut out = vec![];
    for k in IKind::ALL {
        out.push(LimitView { kind: k.code().into(), days: interaction::limit_days(&st, k).await? });
    }
    Ok(Json(out))
}

/// Sets a kind's limit (global administrators, audited).
#[utoipa::path(put, path = "/interaction-limits/{kind}", tag = "interaction", params(("kind" = String, Path)),
    request_body = LimitInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_set_limit(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(kind): ApiPath<String>,
    body: LateJson<LimitInput>,
) -> WebResult<StatusCode> {
    let c = ctx(&st, &ra);
    interaction::may_set_limits(&c)?;
    let kind = IKind::parse(&kind).ok_or_else(|| WebError::not_found("kind"))?;
    let input = body.parse()?;
    interaction::set_limit_days(&c, kind, input.days, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The handlers on duty in every department of a county (with its towns) or
/// of the city itself: supervision and global administrators, and the staff
/// of that county's government office.
#[utoipa::path(get, path = "/regions/{id}/interaction-handlers", tag = "interaction", params(("id" = i64, Path)),
    responses((status = 200, body = interaction::RegionHandlers), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_region_handlers(
    SignedIn { st, s, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Json<interaction::RegionHandlers>> {
    if !zwfw_domain::access::interaction::may_read_handlers(&s.actor) {
        return Err(WebError::forbidden());
    }
    Ok(Json(interaction::region_handlers(&st, &s.actor, id).await?))
}

/// The interaction endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_submit, api_list))
        .register(routes!(api_get))
        .register(routes!(api_act))
        .register(routes!(api_track))
        .register(routes!(api_handlers, api_add_handler))
        .register(routes!(api_end_handler))
        .register(routes!(api_limits))
        .register(routes!(api_set_limit))
        .register(routes!(api_region_handlers))
}
