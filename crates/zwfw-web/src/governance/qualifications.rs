//! 上岗资格: the overview of the staff's qualifications (who is not
//! qualified or expires within 30 days, per person and per department), a
//! staff member's page with their trainings and examinations and the form
//! to record one, and their API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use minijinja::{context, Value};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::governance::qualifications::{
    self as q, Overview, OverviewQuery, PersonView, QualificationView, RecordInput,
};
use zwfw_domain::governance::qualification::{QualificationKind, QualificationResult};

// ---------- API ----------

/// The active staff the caller may list and the standing of each role they
/// hold: the service centre, the system administrator and the supervision
/// office every department's, a department's administrator its own.
#[utoipa::path(get, path = "/governance/qualifications", tag = "governance", params(OverviewQuery),
    responses((status = 200, body = Overview), (status = 403, description = "not an administrator nor a supervision officer (`missing_role`)", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn overview(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(query): ApiQuery<OverviewQuery>,
) -> WebResult<Json<Overview>> {
    Ok(Json(q::overview(&ctx(&st, &ra), &query).await?))
}

/// A staff member's trainings and examinations and the standing of each role.
#[utoipa::path(get, path = "/governance/qualifications/staff/{id}", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 404, description = "no such staff member, or one the caller may not see", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn person(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<PersonView>> {
    Ok(Json(q::person(&ctx(&st, &ra), id).await?))
}

/// Records a training or an examination of a staff member for a role they
/// hold: the service centre for everyone, a department's administrator for
/// the working roles of its own staff; nobody for themselves.
#[utoipa::path(post, path = "/governance/qualifications/staff/{id}", tag = "governance", params(("id" = i64, Path)), request_body = RecordInput,
    responses((status = 201, description = "recorded", body = QualificationView), (status = 403, description = "may not record it (`missing_role`, `not_in_department`, `role_grant_forbidden`, `own_account`, `supervision_reads_only`)", body = ErrorBody), (status = 404, description = "no such staff member", body = ErrorBody), (status = 422, description = "a bad entry: dated in the future, valid until before the date, a role not held, a passed examination without its end, a score out of 0–100 (`qualification_future_date`, `qualification_valid_until_before_date`, `qualification_role_not_held`, `qualification_valid_until_required`, `qualification_score_out_of_range`, `bad_qualification_kind`, `bad_qualification_result`, `bad_qualification_date`, `invalid_qualification_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn record(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<RecordInput>, WebError>,
) -> WebResult<(StatusCode, Json<QualificationView>)> {
    let c = ctx(&st, &ra);
    q::may_record(&c, id).await?;
    let ApiJson(input) = body?;
    Ok((StatusCode::CREATED, Json(q::record(&c, id, &input).await?)))
}

/// The caller's own qualifications: which roles they may act in today.
#[utoipa::path(get, path = "/me/qualifications", tag = "governance",
    responses((status = 200, body = PersonView), (status = 403, description = "not staff (`staff_only`), or the session must first change its password or set up TOTP", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn mine(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<PersonView>> {
    Ok(Json(q::mine(&ctx(&st, &ra)).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().register(routes!(overview)).register(routes!(person, record)).register(routes!(mine))
}

// ---------- pages ----------

/// 上岗资格: the overview, filtered by department and by those to look at.
pub async fn overview_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(query): PageQuery<OverviewQuery>) -> Response {
    let o = q::overview(&ctx(&st, &ra), &query).await;
    let all = o.as_ref().is_ok_and(|o| o.all_departments);
    let departments = department_choices(&st, all, query.department_id).await;
    let attention = query.attention.unwrap_or(false);
    render_result(&st, &ra, "gov_qualifications.html", o, |o| {
        context! { o => Value::from_serialize(&o), departments => departments, attention => attention }
    })
}

fn kinds() -> Vec<Value> {
    QualificationKind::ALL
        .iter()
        .map(|k| context! { code => k.code(), label => zwfw_app::messages::label("qualification_kind", k.code()) })
        .collect()
}

fn results() -> Vec<Value> {
    QualificationResult::ALL
        .iter()
        .map(|r| context! { code => r.code(), label => zwfw_app::messages::label("qualification_result", r.code()) })
        .collect()
}

/// The form's fields as typed (kept when the entry is refused).
#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct RecordForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    valid_until: String,
}

fn person_view(
    st: &AppState,
    ra: &RequestAuth,
    p: PersonView,
    form: &RecordForm,
    flash: Option<&str>,
    error: Option<String>,
) -> Response {
    let roles: Vec<Value> = p
        .recordable_roles
        .iter()
        .map(|r| context! { code => r, label => zwfw_app::messages::label("role", r), on => *r == form.role })
        .collect();
    render(
        st,
        ra,
        "gov_qualification.html",
        context! {
            p => Value::from_serialize(&p), f => Value::from_serialize(form), roles => roles,
            kinds => kinds(), results => results(), today => zwfw_domain::time::ymd(st.today()),
            flash => flash, error => error,
        },
    )
}

/// A staff member's page: the standing of each role, every training and
/// examination, and the form to record one.
pub async fn person_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(d): PageQuery<DoneQuery>,
) -> Response {
    let flash = (d.done.as_deref() == Some("recorded")).then_some("已登记，本人已收到站内消息");
    match q::person(&ctx(&st, &ra), id).await {
        Ok(p) => person_view(&st, &ra, p, &RecordForm::default(), flash, None),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// Records the form's training or examination: the page again, or the form
/// with the message and the values typed.
pub async fn record_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<RecordForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match q::may_record(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let score = f.score.trim();
    let outcome = match score.parse::<i64>() {
        Err(_) if !score.is_empty() => Err(zwfw_app::AppError::new(Kind::Invalid, "qualification_score_out_of_range")),
        parsed => {
            let input = RecordInput {
                role: f.role.clone(),
                kind: f.kind.clone(),
                held_on: f.held_on.clone(),
                content: f.content.clone(),
                result: f.result.clone(),
                score: parsed.ok(),
                valid_until: Some(f.valid_until.clone()),
            };
            q::record(&c, id, &input).await
        }
    };
    match outcome {
        Ok(_) => see_other(&format!("/governance/qualifications/staff/{id}?done=recorded")),
        Err(e) => match q::person(&c, id).await {
            Ok(p) => with_status(person_view(&st, &ra, p, &f, None, Some(e.message())), e.status()),
            Err(_) => error_page(&st, Some(&ra), &e),
        },
    }
}
