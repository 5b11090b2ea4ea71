//! Calendar pages: the public 办事日历 and the administrator's year view.

use super::api::kind_code;
use crate::http::auth::RequestAuth;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use chrono::Datelike;
use chrono::NaiveDate;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::calendar::next_year_missing;
use zwfw_app::calendar::parse_date;
use zwfw_app::calendar::put_year;
use zwfw_app::Ctx;
use zwfw_domain::calendar::Calendar;
use zwfw_domain::calendar::HolidaySpan;
use zwfw_domain::calendar::MakeupDay;
use zwfw_domain::calendar::Notice;
use zwfw_domain::calendar::YearSpec;

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
                // 休 on a statutory holiday, 班 on a make-up working day.
                let mark = Some(zwfw_app::messages::label("day_mark", kind)).filter(|m| m != kind);
                week.push(context! {
                    day => day.day(), date => day.to_string(), kind => kind, mark => mark, name => cal.day_name(day),
                });
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
pub async fn public_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PageQuery(q): PageQuery<CalendarQuery>,
) -> Response {
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
    crate::http::pages::render(
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

/// What the administrator's form holds between its steps.
#[derive(Default)]
struct AdminForm {
    notices: String,
    holidays: String,
    workdays: String,
    reason: String,
    notice_text: String,
}

/// What the page shows after a step: an error, a note, or the preview.
#[derive(Default)]
struct AdminOutcome {
    error: Option<String>,
    note: Option<String>,
    impact: Option<zwfw_app::calendar::Impact>,
    /// The digest of the previewed entry, sent back with the confirmation.
    previewed: Option<String>,
}

async fn admin_view(
    st: &AppState,
    ra: &RequestAuth,
    year: i32,
    form: Option<AdminForm>,
    out: AdminOutcome,
) -> Response {
    let cal = st.calendar();
    let stored = zwfw_store::calendar::list_years(&st.store).await.unwrap_or_default();
    let record = stored.iter().find(|y| y.spec.year == year).map(|y| {
        context! { shipped => y.source == zwfw_domain::calendar::YearSource::Shipped.code(), updated_by => y.updated_by, updated_at => y.updated_at }
    });
    let f = form.unwrap_or_else(|| {
        let (notices, holidays, workdays) = spec_text(cal.spec(year));
        AdminForm { notices, holidays, workdays, ..AdminForm::default() }
    });
    let configured = cal.is_configured(year);
    let mut resp = crate::http::pages::render(
        st,
        ra,
        "calendar.html",
        context! {
            year => year, configured => configured, months => if configured { months(&cal, year) } else { vec![] },
            spec => cal.spec(year), admin => true, record => record,
            years => stored.iter().map(|y| y.spec.year).rev().collect::<Vec<_>>(),
            next_missing => next_year_missing(st),
            notices_text => f.notices, holidays_text => f.holidays, workdays_text => f.workdays, reason => f.reason,
            notice_text => f.notice_text, error => out.error.clone(), note => out.note, impact => out.impact,
            previewed => out.previewed,
        },
    );
    if out.error.is_some() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

#[derive(Deserialize)]
pub struct YearParam {
    year: Option<i32>,
}

pub async fn admin_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<YearParam>) -> Response {
    if !zwfw_domain::access::staff::may_edit_calendar(&s.actor) {
        return crate::http::pages::error_page(&st, Some(&ra), &WebError::forbidden());
    }
    let year = q.year.unwrap_or_else(|| next_year_missing(&st).unwrap_or(st.today().year()));
    admin_view(&st, &ra, year, None, AdminOutcome::default()).await
}

#[derive(Deserialize)]
pub struct YearForm {
    year: i32,
    /// parse (read the notice's text) | preview | save
    #[serde(default)]
    step: String,
    #[serde(default)]
    notices: String,
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    workdays: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    notice_text: String,
    /// The digest of the entry as previewed.
    #[serde(default)]
    previewed: String,
    #[serde(default)]
    confirmed: String,
}

/// A digest of the entry, so that a confirmation saves what was previewed.
fn entry_digest(spec: &YearSpec) -> String {
    zwfw_domain::audit::sm3_hex(&serde_json::to_vec(spec).unwrap_or_default())
}

/// The administrator's three steps: read a notice's text into the form,
/// preview what the entry moves, and save it once confirmed.
pub async fn admin_submit(SignedIn { st, ra, .. }: SignedIn, form: LateForm<YearForm>) -> Response {
    let ctx = Ctx { state: &st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() };
    let f = match zwfw_app::calendar::may_edit(&ctx).map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let mut form = AdminForm {
        notices: f.notices,
        holidays: f.holidays,
        workdays: f.workdays,
        reason: f.reason,
        notice_text: f.notice_text,
    };
    let mut out = AdminOutcome::default();
    if f.step == "parse" {
        match zwfw_app::calendar::propose_from_text(&ctx, f.year, &form.notice_text) {
            Ok(p) => {
                let spec = YearSpec { year: f.year, notices: vec![], holidays: p.holidays, workdays: p.workdays };
                let (_, holidays, workdays) = spec_text(Some(&spec));
                form.holidays = holidays;
                form.workdays = workdays;
                if form.notices.trim().is_empty() {
                    if let Some(number) = p.number {
                        form.notices = format!("{number} | 国务院办公厅关于{}年部分节假日安排的通知 | ", f.year);
                    }
                }
                out.note = Some(zwfw_app::messages::CALENDAR_PARSED.to_string());
            }
            Err(e) => out.error = Some(e.message()),
        }
        return admin_view(&st, &ra, f.year, Some(form), out).await;
    }
    let spec = match parse_form(f.year, &form.notices, &form.holidays, &form.workdays) {
        Ok(spec) => spec,
        Err(msg) => {
            out.error = Some(msg);
            return admin_view(&st, &ra, f.year, Some(form), out).await;
        }
    };
    let digest = entry_digest(&spec);
    if f.step == "save" {
        if f.confirmed != "1" || f.previewed != digest {
            out.error = Some(zwfw_app::messages::error_text("calendar_preview_first", None));
        } else {
            match put_year(&ctx, spec.clone(), &form.reason).await {
                Ok(_) => return Redirect::to(&format!("/admin/calendar?year={}", f.year)).into_response(),
                Err(e) => out.error = Some(e.message()),
            }
        }
    }
    // The preview, also after a refused save.
    match zwfw_app::calendar::preview(&ctx, &spec).await {
        Ok(impact) => {
            out.impact = Some(impact);
            out.previewed = Some(digest);
        }
        Err(e) => out.error = out.error.or(Some(e.message())),
    }
    admin_view(&st, &ra, f.year, Some(form), out).await
}
