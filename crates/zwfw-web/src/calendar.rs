//! The working-day calendar: seeding the shipped years, administrators'
//! edits, the API and the pages (public 办事日历 and the administrator's year view).

use crate::auth::{Auth, RequestAuth, Signed};
use crate::error::{ErrorBody, Kind, WebError, WebResult};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zwfw_app::calendar::{next_year_missing, parse_date, put_year};
use zwfw_app::Ctx;
use zwfw_domain::calendar::CalendarError;
use zwfw_domain::calendar::{Calendar, HolidaySpan, MakeupDay, Notice, YearSpec};

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
    #[schema(value_type = Object)]
    pub notices: Vec<Notice>,
    #[schema(value_type = Object)]
    pub holidays: Vec<HolidaySpan>,
    #[schema(value_type = Object)]
    pub workdays: Vec<MakeupDay>,
    pub working_days: i64,
    /// Every holiday and make-up day of the year, in order.
    pub special_days: Vec<DayView>,
}

fn kind_code(k: zwfw_domain::calendar::DayKind) -> &'static str {
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

#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar", params(("year" = i32, Path)),
    responses((status = 200, body = YearView), (status = 422, description = "year not configured", body = ErrorBody)))]
pub async fn api_year(State(st): State<AppState>, Path(year): Path<String>) -> WebResult<Json<YearView>> {
    let year: i32 = year.trim().parse().map_err(|_| WebError::with_detail(Kind::BadInput, "invalid_date", year))?;
    Ok(Json(year_view(&st.calendar(), year)?))
}

#[derive(Deserialize, IntoParams)]
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

#[utoipa::path(get, path = "/api/v1/calendar/working-days", tag = "calendar", params(RangeQuery),
    responses((status = 200, body = WorkingDays), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_working_days(State(st): State<AppState>, Query(q): Query<RangeQuery>) -> WebResult<Json<WorkingDays>> {
    let (from, to) = (parse_date(&q.from)?, parse_date(&q.to)?);
    let n = st.calendar().working_days_between(from, to)?;
    Ok(Json(WorkingDays { from: from.to_string(), to: to.to_string(), working_days: n }))
}

#[derive(Deserialize, IntoParams)]
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

#[utoipa::path(get, path = "/api/v1/calendar/add", tag = "calendar", params(AddQuery),
    responses((status = 200, body = AddResult), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_add(State(st): State<AppState>, Query(q): Query<AddQuery>) -> WebResult<Json<AddResult>> {
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
    #[schema(value_type = Object)]
    pub notices: Vec<Notice>,
    #[schema(value_type = Object)]
    pub holidays: Vec<HolidaySpan>,
    #[schema(value_type = Object)]
    pub workdays: Vec<MakeupDay>,
    /// Why the year is changed (recorded in the audit trail).
    pub reason: String,
}

#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "calendar", params(("year" = i32, Path)), request_body = YearInput,
    responses((status = 200, body = YearView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_put_year(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(year): Path<i32>,
    crate::api::ApiJson(input): crate::api::ApiJson<YearInput>,
) -> WebResult<Json<YearView>> {
    let ctx = Ctx { state: &st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() };
    let spec = YearSpec { year, notices: input.notices, holidays: input.holidays, workdays: input.workdays };
    put_year(&ctx, spec, &input.reason).await?;
    Ok(Json(year_view(&st.calendar(), year)?))
}

// ---------- pages ----------

/// Month grids (weeks from Monday) for the templates.
fn months(cal: &Calendar, year: i32) -> Vec<Value> {
    (1..=12)
        .map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1).expect("valid");
            let mut weeks: Vec<Vec<Value>> = Vec::new();
            let mut week: Vec<Value> = vec![Value::from(()); first.weekday().num_days_from_monday() as usize];
            let mut day = first;
            while day.month() == m {
                let kind = cal.kind(day).map(kind_code).unwrap_or("unknown");
                week.push(
                    context! { day => day.day(), date => day.to_string(), kind => kind, name => cal.day_name(day) },
                );
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
                day = day.succ_opt().expect("valid");
            }
            if !week.is_empty() {
                week.resize(7, Value::from(()));
                weeks.push(week);
            }
            context! { month => m, weeks => weeks }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct CalendarQuery {
    year: Option<i32>,
    from: Option<String>,
    days: Option<String>,
}

/// The public 办事日历, with a deadline calculator.
pub async fn public_page(State(st): State<AppState>, Auth(ra): Auth, Query(q): Query<CalendarQuery>) -> Response {
    let cal = st.calendar();
    let today = st.today();
    let year = q.year.unwrap_or(today.year());
    let configured = cal.is_configured(year);
    let mut calc = None;
    let mut error = None;
    if let (Some(from), Some(days)) = (q.from.as_deref().filter(|s| !s.is_empty()), q.days.as_deref()) {
        let r = parse_date(from).and_then(|f| {
            let n: u32 = days.trim().parse().map_err(|_| WebError::bad("invalid_days"))?;
            Ok((f, n, cal.add_working_days(f, n)?))
        });
        match r {
            Ok((f, n, due)) => {
                calc = Some(context! {
                    from => f.to_string(), days => n, due => due.to_string(), provisional => cal.is_provisional(due),
                })
            }
            Err(e) => error = Some(e.message()),
        }
    }
    crate::pages::render(
        &st,
        &ra,
        "calendar.html",
        context! {
            year => year, configured => configured, months => if configured { months(&cal, year) } else { vec![] },
            spec => cal.spec(year), years => cal.years().map(|(a, b)| (a..=b).rev().collect::<Vec<_>>()).unwrap_or_default(),
            calc => calc, error => error, form_from => q.from.unwrap_or_else(|| today.to_string()),
            form_days => q.days.unwrap_or_else(|| "5".into()), admin => false,
        },
    )
}

fn spec_text(spec: Option<&YearSpec>) -> (String, String, String) {
    let Some(s) = spec else { return Default::default() };
    let notices =
        s.notices.iter().map(|n| format!("{} | {} | {}", n.number, n.title, n.date)).collect::<Vec<_>>().join("\n");
    let holidays = s.holidays.iter().map(|h| format!("{} {} {}", h.name, h.from, h.to)).collect::<Vec<_>>().join("\n");
    let workdays = s.workdays.iter().map(|w| format!("{} {}", w.name, w.date)).collect::<Vec<_>>().join("\n");
    (notices, holidays, workdays)
}

/// Parses the administrator's form: one notice, holiday span or make-up day per line.
pub fn parse_form(year: i32, notices: &str, holidays: &str, workdays: &str) -> Result<YearSpec, String> {
    let lines = |t: &str| t.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect::<Vec<_>>();
    let date = |s: &str, line: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("日期格式不正确（应为YYYY-MM-DD）：{line}"))
    };
    let mut spec = YearSpec { year, notices: vec![], holidays: vec![], workdays: vec![] };
    for l in lines(notices) {
        let parts: Vec<&str> = l.split('|').map(str::trim).collect();
        if parts.len() != 3 {
            return Err(format!("通知应写成“文号 | 标题 | 发布日期”：{l}"));
        }
        spec.notices.push(Notice { number: parts[0].into(), title: parts[1].into(), date: date(parts[2], &l)? });
    }
    for l in lines(holidays) {
        let parts: Vec<&str> = l.split_whitespace().collect();
        if parts.len() != 3 {
            return Err(format!("放假应写成“名称 开始日期 结束日期”：{l}"));
        }
        spec.holidays.push(HolidaySpan { name: parts[0].into(), from: date(parts[1], &l)?, to: date(parts[2], &l)? });
    }
    for l in lines(workdays) {
        let parts: Vec<&str> = l.split_whitespace().collect();
        if parts.len() != 2 {
            return Err(format!("调休上班应写成“名称 日期”：{l}"));
        }
        spec.workdays.push(MakeupDay { name: parts[0].into(), date: date(parts[1], &l)? });
    }
    Ok(spec)
}

async fn admin_view(
    st: &AppState,
    ra: &RequestAuth,
    year: i32,
    form: Option<(String, String, String, String)>,
    error: Option<String>,
) -> Response {
    let cal = st.calendar();
    let stored = zwfw_store::calendar::list_years(&st.store).await.unwrap_or_default();
    let record = stored.iter().find(|y| y.spec.year == year).map(|y| {
        context! { source => y.source, updated_by => y.updated_by, updated_at => y.updated_at }
    });
    let (n, h, w, reason) = form.unwrap_or_else(|| {
        let (n, h, w) = spec_text(cal.spec(year));
        (n, h, w, String::new())
    });
    let configured = cal.is_configured(year);
    let mut resp = crate::pages::render(
        st,
        ra,
        "calendar.html",
        context! {
            year => year, configured => configured, months => if configured { months(&cal, year) } else { vec![] },
            spec => cal.spec(year), admin => true, record => record,
            years => stored.iter().map(|y| y.spec.year).rev().collect::<Vec<_>>(),
            next_missing => next_year_missing(st),
            notices_text => n, holidays_text => h, workdays_text => w, reason => reason, error => error.clone(),
        },
    );
    if error.is_some() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

#[derive(Deserialize)]
pub struct YearParam {
    year: Option<i32>,
}

pub async fn admin_page(State(st): State<AppState>, Signed(s, ra): Signed, Query(q): Query<YearParam>) -> Response {
    if !s.actor.is_global_admin() {
        return crate::pages::error_page(&st, Some(&ra), &WebError::forbidden());
    }
    let year = q.year.unwrap_or_else(|| next_year_missing(&st).unwrap_or(st.today().year()));
    admin_view(&st, &ra, year, None, None).await
}

#[derive(Deserialize)]
pub struct YearForm {
    year: i32,
    #[serde(default)]
    notices: String,
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    workdays: String,
    #[serde(default)]
    reason: String,
}

pub async fn admin_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    axum::Form(f): axum::Form<YearForm>,
) -> Response {
    let ctx = Ctx { state: &st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() };
    let result = match parse_form(f.year, &f.notices, &f.holidays, &f.workdays) {
        Ok(spec) => put_year(&ctx, spec, &f.reason).await.map_err(|e| e.message()),
        Err(msg) => Err(msg),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/calendar?year={}", f.year)).into_response(),
        Err(msg) => admin_view(&st, &ra, f.year, Some((f.notices, f.holidays, f.workdays, f.reason)), Some(msg)).await,
    }
}
