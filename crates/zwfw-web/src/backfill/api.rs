//! The 补录 API: a paper application and an action on a case entered later
//! with their real times, the faults an entry may name, and the list of
//! entries. Who may enter is decided before the body is read.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::cases::backfill::{
    self as bf, BackfillActionInput, BackfillApplicationInput, BackfillPage, BackfillQuery, FaultChoice,
};
use zwfw_app::cases::{ActResult, Submitted};

/// 补录 of a paper application: registered at the counter of the item's department, submitted at the real time it was received during a fault; nothing is written when refused.
#[utoipa::path(post, path = "/items/{id}/backfill", tag = "cases", params(("id" = i64, Path)), request_body = BackfillApplicationInput,
    responses((status = 201, body = Submitted), (status = 403, description = "not the counter of the item's department, or supervision (`missing_role`, `not_in_department`, `supervision_reads_only`, `staff_only`)", body = ErrorBody), (status = 404, description = "no such published item", body = ErrorBody), (status = 422, description = "the real time is in the future, outside the fault, or the fault does not cover the department; no paper number; a bad applicant or missing paper materials (`backfill_in_future`, `backfill_outside_fault`, `backfill_not_covered`, `backfill_at_invalid`, `backfill_fault_unknown`, `backfill_paper_no_missing`, `materials_missing`, `invalid_applicant`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn enter_application(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<BackfillApplicationInput>,
) -> WebResult<(StatusCode, Json<Submitted>)> {
    let c = ctx(&st, &ra);
    bf::check_enter(&c)?;
    let input = body.parse()?;
    Ok((StatusCode::CREATED, Json(bf::enter_application(&c, id, &input).await?)))
}

/// 补录 of an action on a case (accept, pass, conclude …, as `CaseActionInput.action`) at its real time during a fault; the same rights as on the platform; nothing is written when refused.
#[utoipa::path(post, path = "/cases/{id}/backfill", tag = "cases", params(("id" = i64, Path)), request_body = BackfillActionInput,
    responses((status = 200, body = ActResult), (status = 403, description = "the actor may not take this action (as on the platform: `wrong_role`, `not_step_role`, `missing_role`, `not_in_department`, `supervision_reads_only` …)", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 409, description = "not possible in the case's state", body = ErrorBody), (status = 422, description = "the real time refused or the marks incomplete (`backfill_in_future`, `backfill_outside_fault`, `backfill_before_last_event`, `backfill_not_covered`, `backfill_at_invalid`, `backfill_fault_unknown`, `backfill_paper_no_missing`, `backfill_paper_no_too_long`, `backfill_not_enterable`), or the action's own input", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn enter_action(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<BackfillActionInput>,
) -> WebResult<Json<ActResult>> {
    let c = ctx(&st, &ra);
    bf::check_enter(&c)?;
    let input = body.parse()?;
    Ok(Json(bf::enter_action(&c, id, &input).await?))
}

/// The 补录 entries, newest entered first: every department's for supervision (one with `department_id`), the reader's department's for other staff.
#[utoipa::path(get, path = "/backfill", tag = "cases", params(
    ("department_id" = Option<i64>, Query, description = "supervision: one department's"),
    ("fault_id" = Option<i64>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = BackfillPage), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 422, description = "a page out of range (`invalid_field`)", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not staff (`staff_only`), or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<BackfillQuery>,
) -> WebResult<Json<BackfillPage>> {
    Ok(Json(bf::list(&ctx(&st, &ra), &q).await?))
}

/// The faults a 补录 of the reader's department may name (those covering it), newest first.
#[utoipa::path(get, path = "/backfill/faults", tag = "cases",
    responses((status = 200, body = [FaultChoice]), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not department staff, or supervision (`staff_only`, `supervision_reads_only`, `not_in_department`)", body = ErrorBody)), security(("bearer" = [])))]
pub async fn faults(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<Vec<FaultChoice>>> {
    Ok(Json(bf::fault_choices(&ctx(&st, &ra)).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(enter_application))
        .register(routes!(enter_action))
        .register(routes!(list))
        .register(routes!(faults))
}
