//! The API of public interaction, ratings and in-app notifications under `/api/v1`.

use crate::api::ApiJson;
use crate::auth::{Auth, Signed};
use crate::cases_api::ctx;
use crate::error::{ErrorBody, Kind, WebError, WebResult};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zwfw_app::interaction::{self, ActionInput, Detail, HandlerInput, ListPage, ListQuery, SubmitInput, Submitted};
use zwfw_app::rating::{self, FollowUpInput, PublicRating, RateInput, Rater};
use zwfw_domain::interaction::Kind as IKind;
use zwfw_store::interaction::{HandlerRow, Notification};
use zwfw_store::rating::RatingRow;

/// Submits a consultation, suggestion, complaint or error report. A
/// consultation or an error report may be sent without signing in (with a
/// mobile number); suggestions and complaints need a signed-in account.
#[utoipa::path(post, path = "/api/v1/interactions", tag = "interaction", request_body = SubmitInput,
    responses((status = 201, body = Submitted), (status = 200, description = "a repeat: the first result", body = Submitted),
    (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "flood limit", body = ErrorBody)))]
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
#[utoipa::path(get, path = "/api/v1/interactions", tag = "interaction", params(
    ("scope" = Option<String>, Query), ("kind" = Option<String>, Query), ("state" = Option<String>, Query),
    ("q" = Option<String>, Query), ("overdue" = Option<bool>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = ListPage), (status = 403, body = ErrorBody)))]
pub async fn api_list(
    State(st): State<AppState>,
    Auth(ra): Auth,
    Query(q): Query<ListQuery>,
) -> WebResult<Json<ListPage>> {
    let actor = ra.session.as_ref().map(|s| &s.actor);
    Ok(Json(interaction::list(&st, actor, &q).await?))
}

/// One submission, as the reader may see it (published ones to anyone).
#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "interaction", params(("id" = i64, Path)),
    responses((status = 200, body = Detail), (status = 404, body = ErrorBody)))]
pub async fn api_get(State(st): State<AppState>, Auth(ra): Auth, Path(id): Path<i64>) -> WebResult<Json<Detail>> {
    let actor = ra.session.as_ref().map(|s| &s.actor);
    Ok(Json(interaction::detail(&st, actor, id, false).await?))
}

/// Transfers, extends or answers a submission (staff of the handling department).
#[utoipa::path(post, path = "/api/v1/interactions/{id}/actions", tag = "interaction", params(("id" = i64, Path)),
    request_body = ActionInput, responses((status = 200, body = Detail), (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_act(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActionInput>,
) -> WebResult<Json<Detail>> {
    Ok(Json(interaction::act(&ctx(&st, &ra), id, &input).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TrackInput {
    pub code: String,
    pub password: String,
}

/// Follows a submission with its number and query password (no sign-in).
#[utoipa::path(post, path = "/api/v1/interactions/track", tag = "interaction", request_body = TrackInput,
    responses((status = 200, body = Detail), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn api_track(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiJson(t): ApiJson<TrackInput>,
) -> WebResult<Json<Detail>> {
    Ok(Json(interaction::track(&st, &ra.client_addr, &t.code, &t.password).await?))
}

/// The handlers a department named (第七条), current first, then the history.
#[utoipa::path(get, path = "/api/v1/departments/{id}/interaction-handlers", tag = "interaction", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Object>)), security(("bearer" = [])))]
pub async fn api_handlers(
    State(st): State<AppState>,
    Signed(s, _ra): Signed,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<HandlerRow>>> {
    if !s.actor.is_staff() {
        return Err(WebError::forbidden());
    }
    Ok(Json(zwfw_store::interaction::handlers(&st.store, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Names a handler (department administrator or head, or a global administrator).
#[utoipa::path(post, path = "/api/v1/departments/{id}/interaction-handlers", tag = "interaction", params(("id" = i64, Path)),
    request_body = HandlerInput, responses((status = 201, body = Created), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_add_handler(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<HandlerInput>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let hid = interaction::add_handler(&ctx(&st, &ra), id, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id: hid })))
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonInput {
    pub reason: String,
}

/// Ends a handler's duty (the change is recorded).
#[utoipa::path(post, path = "/api/v1/departments/{id}/interaction-handlers/{hid}/end", tag = "interaction",
    params(("id" = i64, Path), ("hid" = i64, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_end_handler(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path((id, hid)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> WebResult<StatusCode> {
    interaction::end_handler(&ctx(&st, &ra), id, hid, &input.reason).await?;
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
#[utoipa::path(get, path = "/api/v1/interaction-limits", tag = "interaction", responses((status = 200, body = Vec<LimitView>)))]
pub async fn api_limits(State(st): State<AppState>) -> WebResult<Json<Vec<LimitView>>> {
    let mut out = vec![];
    for k in IKind::ALL {
        out.push(LimitView { kind: k.code().into(), days: interaction::limit_days(&st, k).await? });
    }
    Ok(Json(out))
}

/// Sets a kind's limit (global administrators, audited).
#[utoipa::path(put, path = "/api/v1/interaction-limits/{kind}", tag = "interaction", params(("kind" = String, Path)),
    request_body = LimitInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_set_limit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(kind): Path<String>,
    ApiJson(input): ApiJson<LimitInput>,
) -> WebResult<StatusCode> {
    let kind = IKind::parse(&kind).ok_or_else(|| WebError::not_found("kind"))?;
    interaction::set_limit_days(&ctx(&st, &ra), kind, input.days, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

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

/// Rates a stage of a case: its applicant (channel pc or mobile), or staff of
/// its department recording a rating given by phone, SMS or a hall device.
#[utoipa::path(post, path = "/api/v1/cases/{id}/ratings", tag = "rating", params(("id" = i64, Path)), request_body = RateInput,
    responses((status = 201, body = Object), (status = 409, description = "already rated, or the stage is not reached", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_rate(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RateInput>,
) -> WebResult<(StatusCode, Json<RatingRow>)> {
    let r = rating::rate(&ctx(&st, &ra), id, Rater::Actor(&s.actor), &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The ratings of a case (for those who may read the case).
#[utoipa::path(get, path = "/api/v1/cases/{id}/ratings", tag = "rating", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Object>)), security(("bearer" = [])))]
pub async fn api_case_ratings(
    State(st): State<AppState>,
    Signed(s, _ra): Signed,
    Path(id): Path<i64>,
) -> WebResult<Json<Vec<RatingRow>>> {
    zwfw_app::cases::detail(&st, Some(&s.actor), id, false).await?;
    Ok(Json(rating::of_case(&st, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct LinkView {
    /// The path to print as a QR code (prefix it with the site's address).
    pub path: String,
}

/// A rating link for the counter's QR code (staff of the case's department).
#[utoipa::path(post, path = "/api/v1/cases/{id}/rating-link", tag = "rating", params(("id" = i64, Path)),
    responses((status = 201, body = LinkView), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_link(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
) -> WebResult<(StatusCode, Json<LinkView>)> {
    Ok((StatusCode::CREATED, Json(LinkView { path: rating::new_link(&ctx(&st, &ra), id).await? })))
}

/// Rates through a counter QR link (no sign-in; channel qr_code).
#[utoipa::path(post, path = "/api/v1/rate/{token}", tag = "rating", params(("token" = String, Path)), request_body = RateInput,
    responses((status = 201, body = Object), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn api_rate_link(
    State(st): State<AppState>,
    Auth(ra): Auth,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<RateInput>,
) -> WebResult<(StatusCode, Json<RatingRow>)> {
    let case_id = zwfw_store::rating::link_case(&st.store, &token, st.now_ms())
        .await?
        .ok_or_else(|| WebError::with_detail(Kind::NotFound, "rating_link_invalid", ""))?;
    let r = rating::rate(&ctx(&st, &ra), case_id, Rater::Link(token), &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Ratings: the reader's department's, pending appeals or all (supervision).
#[utoipa::path(get, path = "/api/v1/ratings", tag = "rating", params(("scope" = Option<String>, Query), ("bad" = Option<bool>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = Vec<Object>)), security(("bearer" = [])))]
pub async fn api_ratings(
    State(st): State<AppState>,
    Signed(s, _ra): Signed,
    Query(q): Query<rating::ListQuery>,
) -> WebResult<Json<Vec<RatingRow>>> {
    Ok(Json(rating::list(&st, Some(&s.actor), &q).await?))
}

/// Bad ratings with their published rectification replies (no sign-in; raters masked).
#[utoipa::path(get, path = "/api/v1/ratings/public", tag = "rating", params(("page" = Option<i64>, Query)),
    responses((status = 200, body = Vec<PublicRating>)))]
pub async fn api_public_ratings(
    State(st): State<AppState>,
    Query(q): Query<rating::ListQuery>,
) -> WebResult<Json<Vec<PublicRating>>> {
    let q = rating::ListQuery { scope: Some("public".into()), ..q };
    Ok(Json(rating::list(&st, None, &q).await?.into_iter().map(rating::public).collect()))
}

/// One rating with its follow-up (the department rated, supervision, the rater).
#[utoipa::path(get, path = "/api/v1/ratings/{id}", tag = "rating", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_rating(
    State(st): State<AppState>,
    Signed(s, _ra): Signed,
    Path(id): Path<i64>,
) -> WebResult<Json<RatingRow>> {
    Ok(Json(rating::get(&st, &s.actor, id).await?))
}

/// Follow-up of a bad rating (call_back, reply), appeal, and supervision's decision.
#[utoipa::path(post, path = "/api/v1/ratings/{id}/actions", tag = "rating", params(("id" = i64, Path)), request_body = FollowUpInput,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_follow_up(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> WebResult<Json<RatingRow>> {
    Ok(Json(rating::follow_up(&ctx(&st, &ra), id, &input).await?))
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

/// The handlers on duty in every department of a county (with its towns) or
/// of the city itself: supervision and global administrators, and the staff
/// of that county's government office.
#[utoipa::path(get, path = "/api/v1/regions/{id}/interaction-handlers", tag = "interaction", params(("id" = i64, Path)),
    responses((status = 200, body = interaction::RegionHandlers), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_region_handlers(
    State(st): State<AppState>,
    Signed(s, _ra): Signed,
    Path(id): Path<i64>,
) -> WebResult<Json<interaction::RegionHandlers>> {
    if !s.actor.is_staff() {
        return Err(WebError::forbidden());
    }
    Ok(Json(interaction::region_handlers(&st, &s.actor, id).await?))
}
