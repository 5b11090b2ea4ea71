//! The API of electronic supervision under `/api/v1/supervision`.

use crate::api::Register;
use crate::http::prelude::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ErrorBody;
use crate::http::error::Kind;
use crate::http::error::WebError;
use crate::http::error::WebResult;
use crate::http::state::AppState;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use zwfw_app::supervision as sv;
use zwfw_app::supervision::Dashboard;
use zwfw_app::supervision::EvalReport;
use zwfw_app::supervision::FindingActionInput;
use zwfw_app::supervision::FindingDetail;
use zwfw_app::supervision::FindingPage;
use zwfw_app::supervision::FindingQuery;
use zwfw_app::supervision::OrderActionInput;
use zwfw_app::supervision::OrderDetail;
use zwfw_app::supervision::OrderInput;
use zwfw_app::supervision::RuleInput;
use zwfw_app::supervision::RuleView;
use zwfw_store::supervision::OrderRow;

/// The supervision rules with their parameters (staff read them).
#[utoipa::path(get, path = "/supervision/rules", tag = "supervision",
    responses((status = 200, body = Vec<RuleView>), (status = 403, body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_rules(SignedIn { st, s, .. }: SignedIn) -> WebResult<Json<Vec<RuleView>>> {
    Ok(Json(sv::rules(&st, &s.actor).await?))
}

/// Changes a rule: enabled, parameters, name (supervision officers; audited
/// with the reason). The next evaluation is a full one.
#[utoipa::path(put, path = "/supervision/rules/{code}", tag = "supervision", params(("code" = String, Path)),
    request_body = RuleInput, responses((status = 200, body = RuleView), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_update_rule(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(code): ApiPath<String>,
    body: LateJson<RuleInput>,
) -> WebResult<Json<RuleView>> {
    let c = ctx(&st, &ra);
    sv::may_supervise(&c)?;
    Ok(Json(sv::update_rule(&c, &code, &body.parse()?).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EvaluateInput {
    /// Read every open case instead of what changed.
    #[serde(default)]
    pub full: bool,
}

/// Evaluates the rules now (supervision officers). 409 while another server runs it.
#[utoipa::path(post, path = "/supervision/evaluate", tag = "supervision", request_body = EvaluateInput,
    responses((status = 200, body = EvalReport), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_evaluate(
    SignedIn { st, ra, .. }: SignedIn,
    body: LateJson<EvaluateInput>,
) -> WebResult<Json<EvalReport>> {
    sv::may_supervise(&ctx(&st, &ra))?;
    let input = body.parse()?;
    let report =
        sv::evaluate(&st, input.full).await?.ok_or_else(|| WebError::new(Kind::Conflict, "evaluation_running"))?;
    let c = ctx(&st, &ra);
    c.audit_alone(c.entry(
        "supervision_evaluate",
        "supervision",
        0,
        serde_json::to_value(&report).unwrap_or_default(),
        "",
    ))
    .await?;
    Ok(Json(report))
}

/// Findings: supervision sees all (filter by department, county, colour,
/// rule, state, case); a department's staff see their department's.
#[utoipa::path(get, path = "/supervision/findings", tag = "supervision", params(
    ("department_id" = Option<i64>, Query), ("county_region_id" = Option<i64>, Query), ("severity" = Option<String>, Query),
    ("rule" = Option<String>, Query), ("state" = Option<String>, Query), ("case_id" = Option<i64>, Query),
    ("reply_overdue" = Option<bool>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = FindingPage), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_findings(
    SignedIn { st, s, .. }: SignedIn,
    ApiQuery(q): ApiQuery<FindingQuery>,
) -> WebResult<Json<FindingPage>> {
    Ok(Json(sv::list_findings(&st, &s.actor, &q).await?))
}

/// One finding with its history, its oversight orders and what the reader may do.
#[utoipa::path(get, path = "/supervision/findings/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = FindingDetail), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_finding(
    SignedIn { st, s, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Json<FindingDetail>> {
    Ok(Json(sv::finding_detail(&st, &s.actor, id).await?))
}

/// The department replies (整改回复); supervision accepts, rejects or closes.
#[utoipa::path(post, path = "/supervision/findings/{id}/actions", tag = "supervision", params(("id" = i64, Path)),
    request_body = FindingActionInput, responses((status = 200, body = FindingDetail), (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_finding_act(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<FindingActionInput>,
) -> WebResult<Json<FindingDetail>> {
    let c = ctx(&st, &ra);
    sv::may_act_on_finding(&c, id).await?;
    Ok(Json(sv::finding_act(&c, id, &body.parse()?, vec![]).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OrderQuery {
    /// issued | answered | closed
    pub state: Option<String>,
}

/// Oversight orders: all for supervision, a department's own for its staff.
#[utoipa::path(get, path = "/supervision/orders", tag = "supervision", params(("state" = Option<String>, Query)),
    responses((status = 200, body = Vec<zwfw_store::supervision::OrderRow>), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_orders(
    SignedIn { st, s, .. }: SignedIn,
    ApiQuery(q): ApiQuery<OrderQuery>,
) -> WebResult<Json<Vec<OrderRow>>> {
    Ok(Json(sv::list_orders(&st, &s.actor, q.state.as_deref()).await?))
}

/// Issues an oversight order (督办通知) to a department head (supervision officers).
#[utoipa::path(post, path = "/supervision/orders", tag = "supervision", request_body = OrderInput,
    responses((status = 201, body = OrderDetail), (status = 200, description = "a repeat: the first order", body = OrderDetail),
    (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_issue_order(
    SignedIn { st, ra, .. }: SignedIn,
    body: LateJson<OrderInput>,
) -> WebResult<(StatusCode, Json<OrderDetail>)> {
    let c = ctx(&st, &ra);
    sv::may_supervise(&c)?;
    let (d, repeated) = sv::issue_order(&c, &body.parse()?).await?;
    Ok((if repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(d)))
}

#[utoipa::path(get, path = "/supervision/orders/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = OrderDetail), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_order(SignedIn { st, s, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<OrderDetail>> {
    Ok(Json(sv::order_detail(&st, &s.actor, id).await?))
}

/// The department head answers; supervision accepts or rejects the answer.
#[utoipa::path(post, path = "/supervision/orders/{id}/actions", tag = "supervision", params(("id" = i64, Path)),
    request_body = OrderActionInput, responses((status = 200, body = OrderDetail), (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_order_act(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<OrderActionInput>,
) -> WebResult<Json<OrderDetail>> {
    let c = ctx(&st, &ra);
    sv::may_act_on_order(&c, id).await?;
    Ok(Json(sv::order_act(&c, id, &body.parse()?, vec![]).await?))
}

/// The dashboard's figures: open cases, warnings and cards per department
/// and county, the 30-day trend, the background job's last run.
#[utoipa::path(get, path = "/supervision/dashboard", tag = "supervision",
    responses((status = 200, body = Dashboard), (status = 403, body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_dashboard(SignedIn { st, s, .. }: SignedIn) -> WebResult<Json<Dashboard>> {
    Ok(Json((*sv::dashboard(&st, &s.actor).await?).clone()))
}

/// Records a verified complaint about staff conduct as a finding (Y02, a yellow
/// card) for the department to rectify (supervision officers). Asking again
/// answers with the same finding.
#[utoipa::path(post, path = "/interactions/{id}/finding", tag = "supervision", params(("id" = i64, Path)),
    request_body = sv::ConductInput, responses((status = 200, body = zwfw_store::supervision::FindingRow), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_conduct_finding(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<sv::ConductInput>,
) -> WebResult<Json<zwfw_store::supervision::FindingRow>> {
    let c = ctx(&st, &ra);
    sv::may_supervise(&c)?;
    Ok(Json(sv::conduct_finding(&c, id, &body.parse()?).await?))
}

/// The supervision endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_rules))
        .register(routes!(api_update_rule))
        .register(routes!(api_evaluate))
        .register(routes!(api_findings))
        .register(routes!(api_finding))
        .register(routes!(api_finding_act))
        .register(routes!(api_orders, api_issue_order))
        .register(routes!(api_order))
        .register(routes!(api_order_act))
        .register(routes!(api_dashboard))
        .register(routes!(api_conduct_finding))
}
