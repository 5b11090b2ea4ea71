//! The 双公示 API: the public list of published 行政许可 decisions and its
//! workbook; the staff list and the 公示 of a case's decision.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::credit::{self as cr, CreditPage, CreditView, ListQuery, PublishInput};

/// The published 行政许可 decisions (双公示), newest decision first; no sign-in.
/// Personal names and ID numbers are masked. A visitor not signed in is
/// limited per client address (300 look-ups, pages or workbooks, in 15
/// minutes unless configured otherwise).
#[utoipa::path(get, path = "/credit/licensing", tag = "credit", params(ListQuery),
    responses((status = 200, body = CreditPage), (status = 400, description = "a bad filter value; the detail names the field (`bad_filter`: name, code, department_id, from, to, page)", body = ErrorBody), (status = 429, description = "`credit_lookup_limited`: this address, not signed in, made the configured number of look-ups in 15 minutes; the detail is the limit", body = ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<CreditPage>> {
    Ok(Json(cr::public_list(&ctx(&st, &ra), &q).await?))
}

/// The published decisions the filters name as an .xlsx workbook (the
/// national columns; at most 10,000 rows); no sign-in.
#[utoipa::path(get, path = "/credit/licensing/export", tag = "credit", params(ListQuery),
    responses((status = 200, description = "the workbook", body = crate::http::files::FileBytes, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 400, description = "a bad filter value; the detail names the field (`bad_filter`)", body = ErrorBody), (status = 429, description = "`credit_lookup_limited`, as the list", body = ErrorBody)))]
pub async fn export(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Response> {
    Ok(xlsx(cr::public_workbook(&ctx(&st, &ra), &q).await?))
}

pub fn xlsx(bytes: Vec<u8>) -> Response {
    let disposition = crate::http::files::attachment("credit-licensing.xlsx", "行政许可双公示.xlsx");
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The staff list: the reader's department's decisions (the overseers':
/// every department's), pending publication by default, with the due day
/// and the timeliness.
#[utoipa::path(get, path = "/credit/licensing/manage", tag = "credit", params(ListQuery),
    responses((status = 200, body = CreditPage), (status = 400, description = "a bad filter value (`bad_filter`, the field named)", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not staff (`staff_only`), a role that publishes nothing, e.g. an operator (`missing_role`), or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn manage(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<CreditPage>> {
    Ok(Json(cr::staff_list(&ctx(&st, &ra), &q).await?))
}

/// 公示: the deciding department publishes the 行政许可 decision of a case
/// with its 许可类别. Who may is decided before the body is read.
#[utoipa::path(post, path = "/credit/licensing/cases/{case_id}/publish", tag = "credit", params(("case_id" = i64, Path)), request_body = PublishInput,
    responses((status = 200, description = "published", body = CreditView), (status = 403, description = "not the deciding department's head, reviewer or administrator (`not_in_department`, `missing_role`, `supervision_reads_only`, `staff_only`)", body = ErrorBody), (status = 404, description = "no such case", body = ErrorBody), (status = 409, description = "the case is not concluded (`credit_case_not_concluded`), its conclusion is no 行政许可 decision (`credit_not_a_licensing_decision`), or it is published already (`credit_already_published`)", body = ErrorBody), (status = 422, description = "a bad 许可类别 or 许可内容 (`invalid_field`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn publish(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(case_id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> WebResult<Json<CreditView>> {
    let c = ctx(&st, &ra);
    cr::check_publisher(&c, case_id).await?;
    let input: PublishInput = serde_json::from_slice(&body)
        .map_err(|e| zwfw_app::AppError::with_detail(zwfw_app::error::Kind::BadInput, "bad_request", e.to_string()))?;
    Ok(Json(cr::publish(&c, case_id, &input).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(list))
        .register(routes!(export))
        .register(routes!(manage))
        .register(routes!(publish))
}
