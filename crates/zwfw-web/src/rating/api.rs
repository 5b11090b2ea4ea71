//! The rating API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::rating;
use zwfw_app::rating::FollowUpInput;
use zwfw_app::rating::PublicRating;
use zwfw_app::rating::RateInput;
use zwfw_app::rating::Rater;
use zwfw_store::rating::RatingRow;

/// Rates a stage of a case: its applicant (channel pc or mobile), or staff of
/// its department recording a rating given by phone, SMS or a hall device.
#[utoipa::path(post, path = "/cases/{id}/ratings", tag = "rating", params(("id" = i64, Path)), request_body = RateInput,
    responses((status = 201, body = zwfw_store::rating::RatingRow), (status = 409, description = "already rated, or the stage is not reached", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_rate(
    SignedIn { st, s, ra }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<RateInput>,
) -> WebResult<(StatusCode, Json<RatingRow>)> {
    let c = ctx(&st, &ra);
    rating::may_rate(&c, id).await?;
    let r = rating::rate(&c, id, Rater::Actor(&s.actor), &body.parse()?).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The ratings of a case (for those who may read the case).
#[utoipa::path(get, path = "/cases/{id}/ratings", tag = "rating", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<zwfw_store::rating::RatingRow>), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_case_ratings(
    SignedIn { st, s, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
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
#[utoipa::path(post, path = "/cases/{id}/rating-link", tag = "rating", params(("id" = i64, Path)),
    responses((status = 201, body = LinkView), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_link(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<(StatusCode, Json<LinkView>)> {
    Ok((StatusCode::CREATED, Json(LinkView { path: rating::new_link(&ctx(&st, &ra), id).await? })))
}

/// Rates through a counter QR link (no sign-in; channel qr_code).
#[utoipa::path(post, path = "/rate/{token}", tag = "rating", params(("token" = String, Path)), request_body = RateInput,
    responses((status = 201, body = zwfw_store::rating::RatingRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)))]
pub async fn api_rate_link(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiPath(token): ApiPath<String>,
    ApiJson(input): ApiJson<RateInput>,
) -> WebResult<(StatusCode, Json<RatingRow>)> {
    let case_id = zwfw_store::rating::link_case(&st.store, &token, st.now_ms())
        .await?
        .ok_or_else(|| WebError::with_detail(Kind::NotFound, "rating_link_invalid", ""))?;
    let r = rating::rate(&ctx(&st, &ra), case_id, Rater::Link(token), &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Ratings: the reader's department's, pending appeals or all (supervision).
#[utoipa::path(get, path = "/ratings", tag = "rating", params(("scope" = Option<String>, Query), ("bad" = Option<bool>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = Vec<zwfw_store::rating::RatingRow>), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_ratings(
    SignedIn { st, s, .. }: SignedIn,
    ApiQuery(q): ApiQuery<rating::ListQuery>,
) -> WebResult<Json<Vec<RatingRow>>> {
    Ok(Json(rating::list(&st, Some(&s.actor), &q).await?))
}

/// Bad ratings with their published rectification replies (no sign-in; raters masked).
#[utoipa::path(get, path = "/ratings/public", tag = "rating", params(("page" = Option<i64>, Query)),
    responses((status = 200, body = Vec<PublicRating>), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn api_public_ratings(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<rating::ListQuery>,
) -> WebResult<Json<Vec<PublicRating>>> {
    let q = rating::ListQuery { scope: Some("public".into()), ..q };
    Ok(Json(rating::list(&st, None, &q).await?.into_iter().map(rating::public).collect()))
}

/// One rating with its follow-up (the department rated, supervision, the rater).
#[utoipa::path(get, path = "/ratings/{id}", tag = "rating", params(("id" = i64, Path)),
    responses((status = 200, body = zwfw_store::rating::RatingRow), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_rating(SignedIn { st, s, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<RatingRow>> {
    Ok(Json(rating::get(&st, &s.actor, id).await?))
}

/// Follow-up of a bad rating (call_back, reply), appeal, and supervision's decision.
#[utoipa::path(post, path = "/ratings/{id}/actions", tag = "rating", params(("id" = i64, Path)), request_body = FollowUpInput,
    responses((status = 200, body = zwfw_store::rating::RatingRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_follow_up(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<FollowUpInput>,
) -> WebResult<Json<RatingRow>> {
    let c = ctx(&st, &ra);
    rating::may_follow_up(&c, id).await?;
    Ok(Json(rating::follow_up(&c, id, &body.parse()?).await?))
}

/// The rating endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_rate, api_case_ratings))
        .register(routes!(api_link))
        .register(routes!(api_rate_link))
        .register(routes!(api_ratings))
        .register(routes!(api_public_ratings))
        .register(routes!(api_rating))
        .register(routes!(api_follow_up))
}
