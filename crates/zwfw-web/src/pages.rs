//! Server-rendered pages in Simplified Chinese. Each handler calls the same
//! action functions as the API; the templates hold the page text.

use crate::auth::{self, safe_next, AnySigned, Auth, RequestAuth, Signed};
use crate::error::{HttpStatus as _, Kind, WebError, WebResult};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::HashMap;
use zwfw_app::accounts::sessions::{Gate, SessionCtx};
use zwfw_app::accounts::{self, PublicUserView, RegisterInput, StaffInput, StaffUpdate, StaffView};
use zwfw_app::orgs::{self, DepartmentInput, RegionInput};
use zwfw_app::Ctx;
use zwfw_domain::admin::Role;
use zwfw_store::admin as store_admin;

/// The values every page's layout needs.
fn base(state: &AppState, ra: &RequestAuth) -> Value {
    let me = ra.session.as_ref().map(|s| {
        context! {
            username => s.user.username,
            display_name => s.user.display_name,
            roles => s.user.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
        }
    });
    let actor = ra.session.as_ref().filter(|s| s.gate == Gate::Open).map(|s| &s.actor);
    context! {
        site_name => state.config.site_name,
        csrf => ra.csrf_token,
        me => me,
        large => ra.large,
        demo => state.config.demo,
        can_orgs => actor.is_some_and(|a| a.can_read_organizations()),
        can_users => actor.is_some_and(|a| a.is_global_admin() || a.has(Role::DeptAdmin) || a.has(Role::Supervisor)),
        can_audit => actor.is_some_and(|a| a.can_read_audit()),
        can_calendar => actor.is_some_and(|a| a.is_global_admin()),
        staff => actor.is_some_and(|a| a.is_staff()),
        clock_banner => state.clock.is_controlled(),
        clock_now => zwfw_domain::time::format_local(state.now_ms()),
    }
}

pub fn render(state: &AppState, ra: &RequestAuth, name: &str, ctx: Value) -> Response {
    let merged = context! { ..ctx, ..base(state, ra) };
    match state.templates().render(name, merged) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

/// An error as a page, with the right status.
pub fn error_page(state: &AppState, ra: Option<&RequestAuth>, err: &zwfw_app::AppError) -> Response {
    let heading = match err.status() {
        StatusCode::NOT_FOUND => "页面不存在",
        StatusCode::FORBIDDEN => "无权访问",
        s if s.is_server_error() => "系统繁忙",
        _ => "操作未完成",
    };
    let fallback = RequestAuth {
        session: None,
        csrf_token: String::new(),
        client_addr: String::new(),
        large: false,
        api: false,
        mobile_client: false,
    };
    let ra = ra.unwrap_or(&fallback);
    let mut resp = render(state, ra, "error.html", context! { heading => heading, message => err.message() });
    *resp.status_mut() = err.status();
    resp
}

fn ctx<'a>(state: &'a AppState, ra: &'a RequestAuth) -> Ctx<'a> {
    Ctx { state, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() }
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn with_cookie(mut resp: Response, cookie: &str) -> Response {
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

// ---------- sign-in ----------

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(State(st): State<AppState>, Auth(ra): Auth, Query(q): Query<NextQuery>) -> Response {
    if ra.session.is_some() {
        return see_other("/");
    }
    login_form(&st, &ra, q.next.as_deref(), "", None).await
}

async fn login_form(
    st: &AppState,
    ra: &RequestAuth,
    next: Option<&str>,
    username: &str,
    err: Option<&zwfw_app::AppError>,
) -> Response {
    let demo_accounts = if st.config.demo { zwfw_app::demo::accounts_for_login_page(st).await } else { vec![] };
    let mut resp = render(
        st,
        ra,
        "login.html",
        context! { next => safe_next(next), username => username, error => err.map(|e| e.message()), demo_accounts => demo_accounts },
    );
    if let Some(e) = err {
        *resp.status_mut() = e.status();
    }
    resp
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(st): State<AppState>,
    Auth(ra): Auth,
    headers: axum::http::HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let c = ctx(&st, &ra);
    match zwfw_app::accounts::sessions::login(&c, &f.username, &f.password, ua).await {
        Ok(out) => {
            let to = match out.gate {
                Gate::Open => safe_next(f.next.as_deref()),
                Gate::ChangePassword => "/account/password".into(),
                Gate::SecondFactor => "/login/totp".into(),
                Gate::EnrollTotp => "/account/totp".into(),
            };
            with_cookie(see_other(&to), &auth::session_cookie(&st, &out.token))
        }
        Err(e) => login_form(&st, &ra, f.next.as_deref(), &f.username, Some(&e)).await,
    }
}

fn gate_page(gate: Gate) -> &'static str {
    match gate {
        Gate::Open => "/",
        Gate::ChangePassword => "/account/password",
        Gate::SecondFactor => "/login/totp",
        Gate::EnrollTotp => "/account/totp",
    }
}

pub async fn totp_login_page(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> Response {
    if s.gate != Gate::SecondFactor {
        return see_other(gate_page(s.gate));
    }
    render(&st, &ra, "totp_login.html", context! {})
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn totp_login_submit(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    Form(f): Form<CodeForm>,
) -> Response {
    if s.gate != Gate::SecondFactor {
        return see_other(gate_page(s.gate));
    }
    match accounts::totp_login(&ctx(&st, &ra), &s, &f.code).await {
        Ok(()) => see_other("/"),
        Err(e) => {
            let mut r = render(&st, &ra, "totp_login.html", context! { error => e.message() });
            *r.status_mut() = e.status();
            r
        }
    }
}

pub async fn logout(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> Response {
    let _ = accounts::end_own_session(&ctx(&st, &ra), &s, s.session.id).await;
    with_cookie(see_other("/login"), &auth::clear_session_cookie())
}

// ---------- own account ----------

pub async fn password_page(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> Response {
    if s.gate == Gate::SecondFactor {
        return see_other(gate_page(s.gate));
    }
    render(&st, &ra, "password.html", context! { forced => s.gate == Gate::ChangePassword })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    old_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn password_submit(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    Form(f): Form<PasswordForm>,
) -> Response {
    if s.gate == Gate::SecondFactor {
        return see_other(gate_page(s.gate));
    }
    let result = if f.new_password != f.confirm_password {
        Err(WebError::with_detail(Kind::Invalid, "weak_password", "mismatch"))
    } else {
        accounts::change_own_password(&ctx(&st, &ra), &s, &f.old_password, &f.new_password)
            .await
            .map_err(WebError::from)
    };
    match result {
        Ok(()) => {
            // The next gate (TOTP enrolment) or the workbench.
            let needs_totp = s.user.roles.iter().any(|r| r.requires_second_factor()) && !s.user.totp_enabled;
            see_other(if needs_totp { "/account/totp" } else { "/?changed=1" })
        }
        Err(e) => {
            let msg = if e.detail().as_deref() == Some("mismatch") {
                "两次输入的新密码不一致".to_string()
            } else {
                e.message()
            };
            let mut r =
                render(&st, &ra, "password.html", context! { forced => s.gate == Gate::ChangePassword, error => msg });
            *r.status_mut() = e.status();
            r
        }
    }
}

fn qr_svg(data: &str) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build(),
        Err(_) => String::new(),
    }
}

async fn totp_enroll_view(
    st: &AppState,
    s: &SessionCtx,
    ra: &RequestAuth,
    err: Option<&zwfw_app::AppError>,
) -> Response {
    let secret = match accounts::totp_begin(&ctx(st, ra), s).await {
        Ok(secret) => secret,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let url = zwfw_domain::totp::otpauth_url(&st.config.site_name, &s.user.username, &secret);
    let mut r = render(
        st,
        ra,
        "totp_enroll.html",
        context! {
            secret => zwfw_domain::totp::encode_secret(&secret),
            qr_svg => qr_svg(&url),
            required => s.gate == Gate::EnrollTotp,
            error => err.map(|e| e.message()),
        },
    );
    if let Some(e) = err {
        *r.status_mut() = e.status();
    }
    r
}

pub async fn totp_enroll_page(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> Response {
    if !matches!(s.gate, Gate::EnrollTotp | Gate::Open) {
        return see_other(gate_page(s.gate));
    }
    if s.user.totp_enabled {
        return see_other("/account");
    }
    totp_enroll_view(&st, &s, &ra, None).await
}

pub async fn totp_enroll_submit(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    Form(f): Form<CodeForm>,
) -> Response {
    if !matches!(s.gate, Gate::EnrollTotp | Gate::Open) {
        return see_other(gate_page(s.gate));
    }
    match accounts::totp_confirm(&ctx(&st, &ra), &s, &f.code).await {
        Ok(()) => see_other("/"),
        Err(e) => totp_enroll_view(&st, &s, &ra, Some(&e)).await,
    }
}

pub async fn account_page(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    let sessions = match zwfw_store::auth::list_user_sessions(&st.store, s.user.id).await {
        Ok(v) => v,
        Err(e) => return error_page(&st, Some(&ra), &e.into()),
    };
    let sessions: Vec<Value> = sessions
        .iter()
        .map(|x| {
            context! { id => x.id, created_at => x.created_at, last_seen_at => x.last_seen_at,
            client_addr => x.client_addr, user_agent => x.user_agent, current => x.id == s.session.id }
        })
        .collect();
    render(&st, &ra, "account.html", context! { me => accounts::MeView::of(&s), sessions => sessions })
}

pub async fn end_session_submit(State(st): State<AppState>, Signed(s, ra): Signed, Path(id): Path<i64>) -> Response {
    match accounts::end_own_session(&ctx(&st, &ra), &s, id).await {
        Ok(()) => see_other("/account"),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct RegisterForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    username: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    legal_rep: String,
    #[serde(default)]
    mobile: String,
}

pub async fn register_page(State(st): State<AppState>, Auth(ra): Auth) -> Response {
    render(&st, &ra, "register.html", context! { form => RegisterForm::default() })
}

pub async fn register_submit(State(st): State<AppState>, Auth(ra): Auth, Form(f): Form<RegisterForm>) -> Response {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let input = RegisterInput {
        kind: f.kind.clone(),
        username: f.username.clone(),
        password: f.password.clone(),
        name: f.name.clone(),
        id_number: opt(&f.id_number),
        credit_code: opt(&f.credit_code),
        legal_rep: opt(&f.legal_rep),
        mobile: f.mobile.clone(),
        is_demo: false,
    };
    match accounts::register_public(&ctx(&st, &ra), &input).await {
        Ok(_) => {
            let mut r = render(
                &st,
                &ra,
                "login.html",
                context! { next => "/", username => f.username, flash => "注册成功，请登录。" },
            );
            *r.status_mut() = StatusCode::CREATED;
            r
        }
        Err(e) => {
            let mut r = render(&st, &ra, "register.html", context! { form => f, error => e.message() });
            *r.status_mut() = e.status();
            r
        }
    }
}

pub async fn toggle_large(Auth(ra): Auth, headers: axum::http::HeaderMap) -> Response {
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string())))
        .unwrap_or_else(|| "/".into());
    let v = if ra.large { "0" } else { "1" };
    with_cookie(see_other(&safe_next(Some(&back))), &format!("zwfw_large={v}; Path=/; SameSite=Lax; Max-Age=31536000"))
}

// ---------- workbench ----------

#[derive(Deserialize)]
pub struct HomeQuery {
    changed: Option<String>,
}

pub async fn home(State(st): State<AppState>, Signed(s, ra): Signed, Query(q): Query<HomeQuery>) -> Response {
    let department = match s.user.department_id {
        Some(d) => store_admin::get_department(&st.store, d).await.ok(),
        None => None,
    };
    let counts = if s.actor.is_staff() {
        store_admin::counts(&st.store)
            .await
            .ok()
            .map(|(r, d, sf, p)| context! { regions => r, departments => d, staff => sf, public => p })
    } else {
        None
    };
    let others = zwfw_store::auth::list_user_sessions(&st.store, s.user.id)
        .await
        .map(|v| v.len().saturating_sub(1))
        .unwrap_or(0);
    let clock_control = st.config.demo && s.actor.can_control_clock();
    render(
        &st,
        &ra,
        "home.html",
        context! {
            department => department,
            counts => counts,
            other_sessions => others,
            flash => q.changed.map(|_| "密码已修改。"),
            clock_control => clock_control,
            clock_moved_days => format!("{:.1}", st.clock.moved_ms() as f64 / 86_400_000.0),
            calendar_missing => (s.actor.is_global_admin() || s.actor.has(Role::Supervisor))
                .then(|| zwfw_app::calendar::next_year_missing(&st)).flatten(),
        },
    )
}

#[derive(Deserialize)]
pub struct ClockForm {
    offset: String,
}

pub async fn clock_submit(State(st): State<AppState>, Signed(_s, ra): Signed, Form(f): Form<ClockForm>) -> Response {
    match crate::api::move_clock(&ctx(&st, &ra), &f.offset).await {
        Ok(_) => see_other("/"),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

// ---------- organizations ----------

/// Regions and departments, for the organization pages.
async fn organizations(
    st: &AppState,
) -> WebResult<(Vec<zwfw_store::admin::Region>, Vec<zwfw_store::admin::Department>)> {
    Ok((store_admin::list_regions(&st.store).await?, store_admin::list_departments(&st.store).await?))
}

async fn regions_view(
    st: &AppState,
    s: &SessionCtx,
    ra: &RequestAuth,
    form: Value,
    err: Option<&zwfw_app::AppError>,
) -> Response {
    if !s.actor.can_read_organizations() {
        return error_page(st, Some(ra), &WebError::forbidden());
    }
    let (regions, depts) = match organizations(st).await {
        Ok(x) => x,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let rows: Vec<Value> = regions
        .iter()
        .map(|r| {
            let n = depts.iter().filter(|d| d.region_id == r.id).count();
            context! { id => r.id, code => r.code, name => r.name, level => r.level.code(), departments => n }
        })
        .collect();
    let mut resp = render(
        st,
        ra,
        "regions.html",
        context! { regions => rows, can_edit => s.actor.can_manage_organizations(), form => form, error => err.map(|e| e.message()) },
    );
    if let Some(e) = err {
        *resp.status_mut() = e.status();
    }
    resp
}

pub async fn regions_page(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    regions_view(&st, &s, &ra, context! {}, None).await
}

pub async fn regions_submit(State(st): State<AppState>, Signed(s, ra): Signed, Form(f): Form<RegionInput>) -> Response {
    match orgs::create_region(&ctx(&st, &ra), &f).await {
        Ok(_) => see_other("/admin/regions"),
        Err(e) => {
            regions_view(&st, &s, &ra, context! { code => f.code, name => f.name, reason => f.reason }, Some(&e)).await
        }
    }
}

#[derive(Deserialize)]
pub struct RenameForm {
    name: String,
    #[serde(default)]
    reason: String,
}

pub async fn region_rename(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
    Form(f): Form<RenameForm>,
) -> Response {
    match orgs::rename_region(&ctx(&st, &ra), id, &f.name, &f.reason).await {
        Ok(_) => see_other("/admin/regions"),
        Err(e) => regions_view(&st, &s, &ra, context! {}, Some(&e)).await,
    }
}

pub async fn departments_page(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    if !s.actor.can_read_organizations() {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    let (regions, depts) = match organizations(&st).await {
        Ok(x) => x,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let rows: Vec<Value> = depts
        .iter()
        .map(|d| {
            let region_name = regions.iter().find(|r| r.id == d.region_id).map(|r| r.name.clone()).unwrap_or_default();
            context! { id => d.id, name => d.name, credit_code => d.credit_code, kind => d.kind.code(), region_name => region_name, active => d.active }
        })
        .collect();
    render(
        &st,
        &ra,
        "departments.html",
        context! { departments => rows, can_edit => s.actor.can_manage_organizations() },
    )
}

/// The department form posts strings; empty parent means none.
#[derive(Deserialize, serde::Serialize, Default)]
pub struct DepartmentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    region_id: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    reason: String,
}

impl DepartmentForm {
    fn input(&self) -> WebResult<DepartmentInput> {
        Ok(DepartmentInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            credit_code: self.credit_code.clone(),
            kind: self.kind.clone(),
            region_id: self.region_id.trim().parse().map_err(|_| WebError::invalid("region_id"))?,
            parent_id: match self.parent_id.trim() {
                "" => None,
                p => Some(p.parse().map_err(|_| WebError::invalid("parent_id"))?),
            },
            phone: self.phone.clone(),
            address: self.address.clone(),
            active: self.active.is_some(),
            reason: self.reason.clone(),
        })
    }
    fn view(&self) -> Value {
        context! {
            name => self.name, short_name => self.short_name, credit_code => self.credit_code, kind => self.kind,
            region_id => self.region_id.parse::<i64>().ok(), parent_id => self.parent_id.parse::<i64>().ok(),
            phone => self.phone, address => self.address, active => self.active.is_some(), reason => self.reason,
        }
    }
}

async fn department_form_view(
    st: &AppState,
    s: &SessionCtx,
    ra: &RequestAuth,
    id: Option<i64>,
    form: Value,
    err: Option<&zwfw_app::AppError>,
) -> Response {
    if !s.actor.can_manage_organizations() {
        return error_page(st, Some(ra), &WebError::forbidden());
    }
    let (regions, depts) = match organizations(st).await {
        Ok(x) => x,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let depts: Vec<_> = depts.into_iter().filter(|d| Some(d.id) != id).collect();
    let mut resp = render(
        st,
        ra,
        "department_form.html",
        context! { id => id, form => form, regions => regions, departments => depts,
        kinds => zwfw_app::messages::DEPT_KIND_CODES, error => err.map(|e| e.message()) },
    );
    if let Some(e) = err {
        *resp.status_mut() = e.status();
    }
    resp
}

pub async fn department_new_page(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    department_form_view(&st, &s, &ra, None, context! { active => true, kind => "approval" }, None).await
}

pub async fn department_create(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Form(f): Form<DepartmentForm>,
) -> Response {
    let result = match f.input() {
        Ok(input) => orgs::create_department(&ctx(&st, &ra), &input).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => see_other("/admin/departments"),
        Err(e) => department_form_view(&st, &s, &ra, None, f.view(), Some(&e)).await,
    }
}

pub async fn department_edit_page(State(st): State<AppState>, Signed(s, ra): Signed, Path(id): Path<i64>) -> Response {
    let d = match store_admin::get_department(&st.store, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&st, Some(&ra), &e.into()),
    };
    let form = context! {
        name => d.name, short_name => d.short_name, credit_code => d.credit_code, kind => d.kind.code(),
        region_id => d.region_id, parent_id => d.parent_id, phone => d.phone, address => d.address, active => d.active,
    };
    department_form_view(&st, &s, &ra, Some(id), form, None).await
}

pub async fn department_update(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
    Form(f): Form<DepartmentForm>,
) -> Response {
    let result = match f.input() {
        Ok(input) => orgs::update_department(&ctx(&st, &ra), id, &input).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => see_other("/admin/departments"),
        Err(e) => department_form_view(&st, &s, &ra, Some(id), f.view(), Some(&e)).await,
    }
}

// ---------- accounts administration ----------

pub async fn users_page(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    let c = ctx(&st, &ra);
    let users = match accounts::list_visible_staff(&c).await {
        Ok(u) => u,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let depts = store_admin::list_departments(&st.store).await.unwrap_or_default();
    let now = st.now_ms();
    let rows: Vec<Value> = users
        .iter()
        .map(|u| {
            let v = StaffView::of(u, now);
            let dn = depts.iter().find(|d| Some(d.id) == u.department_id).map(|d| d.name.clone()).unwrap_or_default();
            context! { department_name => dn, ..Value::from_serialize(&v) }
        })
        .collect();
    let public_users: Vec<PublicUserView> = if s.actor.is_global_admin() || s.actor.has(Role::Supervisor) {
        store_admin::list_public_users(&st.store, 200)
            .await
            .unwrap_or_default()
            .iter()
            .map(PublicUserView::masked)
            .collect()
    } else {
        vec![]
    };
    let can_create = s.actor.is_global_admin() || s.actor.has(Role::DeptAdmin);
    render(&st, &ra, "users.html", context! { users => rows, public_users => public_users, can_create => can_create })
}

/// Departments in which the actor may manage staff.
async fn manageable_departments(st: &AppState, s: &SessionCtx) -> Vec<zwfw_store::admin::Department> {
    store_admin::list_departments(&st.store)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|d| s.actor.can_manage_staff_in(d.id))
        .collect()
}

fn grantable(s: &SessionCtx) -> Vec<&'static str> {
    zwfw_app::messages::ROLE_CODES.into_iter().filter(|c| Role::parse(c).is_ok_and(|r| s.actor.can_grant(r))).collect()
}

#[derive(Deserialize, Default)]
pub struct UserForm {
    fields: Vec<(String, String)>,
}

impl UserForm {
    /// Every (name, value) pair, in order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }
    fn get(&self, k: &str) -> String {
        self.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    fn roles(&self) -> Vec<String> {
        self.fields.iter().filter(|(n, _)| n == "roles").map(|(_, v)| v.clone()).collect()
    }
    fn department_id(&self) -> WebResult<i64> {
        self.get("department_id").trim().parse().map_err(|_| WebError::invalid("department_id"))
    }
    fn view(&self) -> Value {
        context! {
            username => self.get("username"), display_name => self.get("display_name"),
            department_id => self.get("department_id").parse::<i64>().ok(), roles => self.roles(),
            mobile => self.get("mobile"), reason => self.get("reason"), active => true,
        }
    }
}

/// Reads a form with repeated keys (the role checkboxes).
pub struct RawForm(pub UserForm);

impl<S: Send + Sync> axum::extract::FromRequest<S> for RawForm {
    type Rejection = WebError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WebError> {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| WebError::bad("bad_request"))?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::bad("bad_request"))?;
        Ok(RawForm(UserForm { fields }))
    }
}

async fn user_form_view(
    st: &AppState,
    s: &SessionCtx,
    ra: &RequestAuth,
    id: Option<i64>,
    form: Value,
    extra: Value,
    err: Option<&zwfw_app::AppError>,
) -> Response {
    let mut resp = render(
        st,
        ra,
        "user_form.html",
        context! { id => id, form => form, departments => manageable_departments(st, s).await, roles => grantable(s),
        error => err.map(|e| e.message()), ..extra },
    );
    if let Some(e) = err {
        *resp.status_mut() = e.status();
    }
    resp
}

pub async fn user_new_page(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    if !(s.actor.is_global_admin() || s.actor.has(Role::DeptAdmin)) {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    let form = context! { department_id => s.user.department_id, roles => Vec::<String>::new(), active => true };
    user_form_view(&st, &s, &ra, None, form, context! {}, None).await
}

pub async fn user_create(State(st): State<AppState>, Signed(s, ra): Signed, RawForm(f): RawForm) -> Response {
    let result = match f.department_id() {
        Ok(department_id) => {
            let input = StaffInput {
                username: f.get("username"),
                display_name: f.get("display_name"),
                department_id,
                roles: f.roles(),
                mobile: Some(f.get("mobile")),
                password: None,
                reason: f.get("reason"),
                is_demo: false,
            };
            accounts::create_staff(&ctx(&st, &ra), &input).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok((u, pw)) => render(
            &st,
            &ra,
            "user_secret.html",
            context! { heading => "账号已创建", username => u.username, password => pw },
        ),
        Err(e) => user_form_view(&st, &s, &ra, None, f.view(), context! {}, Some(&e)).await,
    }
}

pub async fn user_page(State(st): State<AppState>, Signed(s, ra): Signed, Path(id): Path<i64>) -> Response {
    let c = ctx(&st, &ra);
    let u = match accounts::visible_staff(&c, id).await {
        Ok(u) => u,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let view = StaffView::of(&u, st.now_ms());
    let readonly = !u.department_id.is_some_and(|d| s.actor.can_manage_staff_in(d))
        || u.roles.iter().any(|r| !s.actor.can_grant(*r));
    let form = context! {
        username => u.username, display_name => u.display_name, department_id => u.department_id,
        roles => view.roles, mobile => "", active => u.active,
    };
    let mut departments = manageable_departments(&st, &s).await;
    if readonly {
        departments = store_admin::list_departments(&st.store).await.unwrap_or_default();
    }
    let mut resp = render(
        &st,
        &ra,
        "user_form.html",
        context! { id => id, form => form, departments => departments,
        roles => if readonly { zwfw_app::messages::ROLE_CODES.to_vec() } else { grantable(&s) },
        masked_mobile => view.mobile, readonly => readonly },
    );
    *resp.status_mut() = StatusCode::OK;
    resp
}

pub async fn user_update(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
    RawForm(f): RawForm,
) -> Response {
    let c = ctx(&st, &ra);
    let result = match f.department_id() {
        Ok(department_id) => {
            // An empty mobile field keeps the stored number (it is shown masked).
            let mobile = match f.get("mobile").trim() {
                "" => accounts::visible_staff(&c, id).await.ok().and_then(|u| u.mobile),
                m => Some(m.to_string()),
            };
            let input = StaffUpdate {
                display_name: f.get("display_name"),
                department_id,
                roles: f.roles(),
                mobile,
                reason: f.get("reason"),
            };
            accounts::update_staff(&c, id, &input).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => see_other("/admin/users"),
        Err(e) => user_form_view(&st, &s, &ra, Some(id), f.view(), context! {}, Some(&e)).await,
    }
}

pub async fn user_reset_password(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    RawForm(f): RawForm,
) -> Response {
    let c = ctx(&st, &ra);
    match accounts::reset_password(&c, id, &f.get("reason"), f.get("reset_totp") == "true").await {
        Ok(pw) => {
            let username = accounts::visible_staff(&c, id).await.map(|u| u.username).unwrap_or_default();
            render(
                &st,
                &ra,
                "user_secret.html",
                context! { heading => "密码已重置，账号已解锁", username => username, password => pw },
            )
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

pub async fn user_set_active(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    RawForm(f): RawForm,
) -> Response {
    match accounts::set_staff_active(&ctx(&st, &ra), id, f.get("active") == "true", &f.get("reason")).await {
        Ok(_) => see_other(&format!("/admin/users/{id}")),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

// ---------- audit ----------

fn audit_filter(q: &HashMap<String, String>) -> WebResult<zwfw_store::audit::AuditFilter> {
    let day = |k: &str| -> WebResult<Option<i64>> {
        match q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => {
                let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| WebError::invalid("date"))?;
                let t = d.and_hms_opt(0, 0, 0).expect("midnight") - chrono::Duration::hours(8);
                Ok(Some(t.and_utc().timestamp_millis()))
            }
        }
    };
    let text = |k: &str| q.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(zwfw_store::audit::AuditFilter {
        from_ms: day("from")?,
        to_ms: day("to")?.map(|t| t + 86_400_000),
        actor_name: text("actor"),
        action: text("action"),
        object_type: text("object_type"),
        object_id: text("object_id"),
        department_id: None,
        before_seq: q.get("before").and_then(|s| s.parse().ok()),
        limit: 100,
    })
}

pub async fn audit_page(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !s.actor.can_read_audit() {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    let f = match audit_filter(&q) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let records = match zwfw_store::audit::list(&st.store, &f).await {
        Ok(r) => r,
        Err(e) => return error_page(&st, Some(&ra), &e.into()),
    };
    let next_before = (records.len() as i64 == f.limit).then(|| records.last().map(|r| r.seq)).flatten();
    let keep: Vec<(String, String)> =
        q.iter().filter(|(k, _)| k.as_str() != "before").map(|(k, v)| (k.clone(), v.clone())).collect();
    let query = serde_urlencoded::to_string(&keep).unwrap_or_default();
    let rows: Vec<Value> =
        records.iter().map(|r| context! { seq => r.seq, ..Value::from_serialize(&r.entry) }).collect();
    let g = |k: &str| q.get(k).cloned().unwrap_or_default();
    let fv = context! { from => g("from"), to => g("to"), actor => g("actor"), action => g("action"), object_type => g("object_type"), object_id => g("object_id") };
    render(&st, &ra, "audit.html", context! { records => rows, f => fv, query => query, next_before => next_before })
}

pub async fn audit_csv(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !s.actor.can_read_audit() {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    let mut f = match audit_filter(&q) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    f.limit = 10_000;
    let records = match zwfw_store::audit::list(&st.store, &f).await {
        Ok(r) => r,
        Err(e) => return error_page(&st, Some(&ra), &e.into()),
    };
    let esc = |s: &str| {
        // Quote every field; neutralize spreadsheet formulas.
        let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("\u{feff}序号,时间,操作人,角色,部门,操作,对象类型,对象编号,内容,原因,地址,哈希\r\n");
    for r in &records {
        let e = &r.entry;
        let cols = [
            r.seq.to_string(),
            zwfw_domain::time::format_local(e.at_ms),
            e.actor_name.clone(),
            e.actor_role.clone(),
            e.department_id.map(|d| d.to_string()).unwrap_or_default(),
            e.action.clone(),
            e.object_type.clone(),
            e.object_id.clone(),
            e.detail.clone(),
            e.reason.clone(),
            e.client_addr.clone(),
            r.hash.clone(),
        ];
        out += &cols.iter().map(|c| esc(c)).collect::<Vec<_>>().join(",");
        out += "\r\n";
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
        ],
        out,
    )
        .into_response()
}

pub async fn not_found(State(st): State<AppState>, Auth(ra): Auth, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return WebError::not_found("route").into_response();
    }
    error_page(&st, Some(&ra), &WebError::new(Kind::NotFound, "not_found"))
}
