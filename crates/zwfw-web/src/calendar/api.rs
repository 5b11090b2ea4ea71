//! The working-day calendar API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::calendar::parse_date;
use zwfw_app::calendar::put_year;
use zwfw_app::Ctx;
use zwfw_domain::calendar::Calendar;
use zwfw_domain::calendar::CalendarError;
use zwfw_domain::calendar::HolidaySpan;
use zwfw_domain::calendar::MakeupDay;
use zwfw_domain::calendar::Notice;
use zwfw_domain::calendar::YearSpec;

// ---------- API ----------

#[derive(Serialize, ToSchema)]
pub struct DayView {
    pub date: String,
    /// workday | weekend | holiday | makeup
    pub kind: String,
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct YearView {
    pub year: i32,
    pub notices: Vec<Notice>,
    pub holidays: Vec<HolidaySpan>,
    pub workdays: Vec<MakeupDay>,
    pub working_days: i64,
    /// Every holiday and make-up day of the year, in order.
    pub special_days: Vec<DayView>,
}

pub(super) fn kind_code(k: zwfw_domain::calendar::DayKind) -> &'static str {
    use zwfw_domain::calendar::DayKind::*;
    match k {
        Workday => "workday",
        Weekend => "weekend",
        Holiday => "holiday",
        Makeup => "makeup",
    }
}

fn year_view(cal: &Calendar, year: i32) -> WebResult<YearView> {
    let spec = cal.spec(year).ok_or(CalendarError::YearMissing { year })?;
    let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| WebError::bad("invalid_date"))?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| WebError::bad("invalid_date"))?;
    let mut special = Vec::new();
    for day in first.iter_days().take_while(|d| *d <= last) {
        let k = cal.kind(day)?;
        if matches!(k, zwfw_domain::calendar::DayKind::Holiday | zwfw_domain::calendar::DayKind::Makeup) {
            special.push(DayView {
                date: day.to_string(),
                kind: kind_code(k).into(),
                name: cal.day_name(day).map(str::to_string),
            });
        }
    }
    Ok(YearView {
        year,
        notices: spec.notices.clone(),
        holidays: spec.holidays.clone(),
        workdays: spec.workdays.clone(),
        working_days: first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter(|d| cal.is_working_day(*d).unwrap_or(false))
            .count() as i64,
        special_days: special,
    })
}

#[utoipa::path(get, path = "/calendar/{year}", tag = "calendar", params(("year" = i32, Path)),
    responses((status = 200, body = YearView), (status = 422, description = "year not configured", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)))]
pub async fn api_year(State(st): State<AppState>, ApiPath(year): ApiPath<String>) -> WebResult<Json<YearView>> {
    let year: i32 = year.trim().parse().map_err(|_| WebError::with_detail(Kind::BadInput, "invalid_date", year))?;
    Ok(Json(year_view(&st.calendar(), year)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// YYYY-MM-DD (not counted)
    pub from: String,
    /// YYYY-MM-DD (counted)
    pub to: String,
}

#[derive(Serialize, ToSchema)]
pub struct WorkingDays {
    pub from: String,
    pub to: String,
    /// Working days in (from, to]; negative if `to` is before `from`.
    pub working_days: i64,
}

#[utoipa::path(get, path = "/calendar/working-days", tag = "calendar", params(RangeQuery),
    responses((status = 200, body = WorkingDays), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_working_days(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> WebResult<Json<WorkingDays>> {
    let (from, to) = (parse_date(&q.from)?, parse_date(&q.to)?);
    let n = st.calendar().working_days_between(from, to)?;
    Ok(Json(WorkingDays { from: from.to_string(), to: to.to_string(), working_days: n }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddQuery {
    /// YYYY-MM-DD: the starting day (not counted)
    pub from: String,
    /// Working days to add (0 = the same day)
    pub days: String,
}

#[derive(Serialize, ToSchema)]
pub struct AddResult {
    pub from: String,
    pub days: u32,
    /// The last day of the period (ends 24:00 Asia/Shanghai).
    pub due: String,
    /// The period runs into a year whose notice is not entered yet: counted
    /// Monday to Friday, without holidays.
    pub provisional: bool,
}

#[utoipa::path(get, path = "/calendar/add", tag = "calendar", params(AddQuery),
    responses((status = 200, body = AddResult), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_add(State(st): State<AppState>, ApiQuery(q): ApiQuery<AddQuery>) -> WebResult<Json<AddResult>> {
    let from = parse_date(&q.from)?;
    let days: u32 = q
        .days
        .trim()
        .parse()
        .ok()
        .filter(|d| *d <= 3650)
        .ok_or_else(|| WebError::with_detail(Kind::BadInput, "invalid_days", q.days.clone()))?;
    let cal = st.calendar();
    let due = cal.add_working_days(from, days)?;
    let provisional = cal.is_provisional(due);
    Ok(Json(AddResult { from: from.to_string(), days, due: due.to_string(), provisional }))
}

#[derive(Deserialize, ToSchema)]
pub struct YearInput {
    pub notices: Vec<Notice>,
    pub holidays: Vec<HolidaySpan>,
    pub workdays: Vec<MakeupDay>,
    /// Why the year is changed (recorded in the audit trail).
    pub reason: String,
}

/// A saved year and the due days it moved.
#[derive(Serialize, ToSchema)]
pub struct YearSaved {
    pub calendar: YearView,
    pub moved: zwfw_app::calendar::Impact,
}

#[utoipa::path(put, path = "/calendar/{year}", tag = "calendar", params(("year" = i32, Path)), request_body = YearInput,
    responses((status = 200, body = YearSaved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_put_year(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(year): ApiPath<i32>,
    body: crate::http::extract::LateJson<YearInput>,
) -> WebResult<Json<YearSaved>> {
    let ctx = Ctx { state: &st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() };
    zwfw_app::calendar::may_edit(&ctx)?;
    let input = body.parse()?;
    let spec = YearSpec { year, notices: input.notices, holidays: input.holidays, workdays: input.workdays };
    let moved = put_year(&ctx, spec, &input.reason).await?;
    Ok(Json(YearSaved { calendar: year_view(&st.calendar(), year)?, moved }))
}

#[derive(Deserialize, ToSchema)]
pub struct YearEntry {
    pub notices: Vec<Notice>,
    pub holidays: Vec<HolidaySpan>,
    pub workdays: Vec<MakeupDay>,
}

/// What saving the entry would move, per department; nothing is saved. The
/// entry is checked as `PUT` checks it (422 naming each festival missing).
#[utoipa::path(post, path = "/calendar/{year}/preview", tag = "calendar", params(("year" = i32, Path)), request_body = YearEntry,
    responses((status = 200, body = zwfw_app::calendar::Impact), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_preview_year(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(year): ApiPath<i32>,
    body: crate::http::extract::LateJson<YearEntry>,
) -> WebResult<Json<zwfw_app::calendar::Impact>> {
    let ctx = Ctx { state: &st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() };
    zwfw_app::calendar::may_edit(&ctx)?;
    let input = body.parse()?;
    let spec = YearSpec { year, notices: input.notices, holidays: input.holidays, workdays: input.workdays };
    Ok(Json(zwfw_app::calendar::preview(&ctx, &spec).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NoticeTextInput {
    /// The notice's full text as published.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeProposal {
    pub holidays: Vec<HolidaySpan>,
    pub workdays: Vec<MakeupDay>,
    /// The notice's 文号, when the text holds one.
    pub number: Option<String>,
}

/// The holiday spans and make-up days a State Council notice's text
/// proposes for the year, to be checked and then previewed; nothing is saved.
/// An unreadable text is a 422 naming its line.
#[utoipa::path(post, path = "/calendar/{year}/notice-text", tag = "calendar", params(("year" = i32, Path)), request_body = NoticeTextInput,
    responses((status = 200, body = NoticeProposal), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_notice_text(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(year): ApiPath<i32>,
    body: crate::http::extract::LateJson<NoticeTextInput>,
) -> WebResult<Json<NoticeProposal>> {
    let ctx = Ctx { state: &st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() };
    zwfw_app::calendar::may_edit(&ctx)?;
    let input = body.parse()?;
    let p = zwfw_app::calendar::propose_from_text(&ctx, year, &input.text)?;
    Ok(Json(NoticeProposal { holidays: p.holidays, workdays: p.workdays, number: p.number }))
}

/// The calendar endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_year, api_put_year))
        .register(routes!(api_preview_year))
        .register(routes!(api_notice_text))
        .register(routes!(api_working_days))
        .register(routes!(api_add))
}
