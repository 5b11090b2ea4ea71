//! Pages of accounts: sign-in with the second factor, the own account (password, TOTP, sessions), self-registration and the administration of staff accounts.

use crate::http::prelude::*;
use axum::extract::State;
use axum::http::header;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::accounts;
use zwfw_app::accounts::sessions::Gate;
use zwfw_app::accounts::sessions::SessionCtx;
use zwfw_app::accounts::PublicUserView;
use zwfw_app::accounts::RegisterInput;
use zwfw_app::accounts::StaffInput;
use zwfw_app::accounts::StaffUpdate;
use zwfw_app::accounts::StaffView;
use zwfw_domain::access::staff;
use zwfw_domain::admin::Role;
use zwfw_store::admin as store_admin;

// ---------- sign-in ----------

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(State(st): State<AppState>, Auth(ra): Auth, PageQuery(q): PageQuery<NextQuery>) -> Response {
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
                Gate::SecondFactor if !out.user.totp_enabled => "/login/certificate".into(),
                Gate::SecondFactor => "/login/totp".into(),
                Gate::EnrollTotp => "/account/totp".into(),
            };
            with_cookie(see_other(&to), &crate::http::auth::session_cookie(&st, &out.token))
        }
        Err(e) => login_form(&st, &ra, f.next.as_deref(), &f.username, Some(&e)).await,
    }
}

pub(crate) fn gate_page(gate: Gate) -> &'static str {
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
    if !s.user.totp_enabled {
        return see_other("/login/certificate");
    }
    let certificate = zwfw_app::accounts::certificates::has_usable(&st, s.user.id).await.unwrap_or(false);
    render(&st, &ra, "totp_login.html", context! { certificate => certificate })
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
            let certificate = zwfw_app::accounts::certificates::has_usable(&st, s.user.id).await.unwrap_or(false);
            let mut r =
                render(&st, &ra, "totp_login.html", context! { error => e.message(), certificate => certificate });
            *r.status_mut() = e.status();
            r
        }
    }
}

pub async fn logout(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> Response {
    let _ = accounts::end_own_session(&ctx(&st, &ra), &s, s.session.id).await;
    with_cookie(see_other("/login"), &crate::http::auth::clear_session_cookie())
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
            qr_svg => zwfw_app::documents::qr_svg(&url, 200).unwrap_or_default(),
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

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    done: Option<String>,
}

pub async fn account_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<AccountQuery>) -> Response {
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
    let certificates = crate::accounts::certificates::own_certificates(&st, &ra, &s).await;
    render(
        &st,
        &ra,
        "account.html",
        context! {
            profile => accounts::MeView::of(&s),
            sessions => sessions,
            staff => s.actor.is_staff(),
            certificates => Value::from_serialize(&certificates),
            reports => crate::accounts::certificates::report_choices(),
            flash => q.done.as_deref().map(|d| zwfw_app::messages::label("account_done", d)),
        },
    )
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// Sets the own e-mail address; a bad address answers the page again with its message and the text kept.
pub async fn email_submit(SignedIn { st, s, ra }: SignedIn, Form(f): Form<EmailForm>) -> Response {
    match accounts::set_own_email(&ctx(&st, &ra), &s, &f.email).await {
        Ok(_) => see_other("/account?done=email"),
        Err(e) => {
            let sessions: Vec<Value> = vec![];
            let c = context! { profile => accounts::MeView::of(&s), sessions => sessions, email_error => e.message(), email_text => f.email };
            with_status(render(&st, &ra, "account.html", c), e.status())
        }
    }
}

pub async fn end_session_submit(SignedIn { st, s, ra }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
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

// ---------- accounts administration ----------

pub async fn users_page(SignedIn { st, s, ra }: SignedIn) -> Response {
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
    let public_users: Vec<PublicUserView> = if staff::may_list_public_accounts(&s.actor) {
        store_admin::list_public_users(&st.store, 200)
            .await
            .unwrap_or_default()
            .iter()
            .map(PublicUserView::masked)
            .collect()
    } else {
        vec![]
    };
    let can_create = staff::may_create_staff(&s.actor);
    render(&st, &ra, "users.html", context! { users => rows, public_users => public_users, can_create => can_create })
}

/// Departments in which the actor may manage staff.
async fn manageable_departments(st: &AppState, s: &SessionCtx) -> Vec<zwfw_store::admin::Department> {
    store_admin::list_departments(&st.store)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|d| staff::may_manage_staff_in(&s.actor, d.id))
        .collect()
}

/// The roles offered on a new account's form ([`staff::offered_at_creation`]).
fn offered_new(s: &SessionCtx) -> Vec<&'static str> {
    staff::offered_at_creation(&s.actor).into_iter().map(|r| r.code()).collect()
}

fn grantable(s: &SessionCtx) -> Vec<&'static str> {
    zwfw_app::messages::role_codes()
        .into_iter()
        .filter(|c| Role::parse(c).is_ok_and(|r| staff::may_grant_role(&s.actor, r)))
        .collect()
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
    /// The accepted request the change is made under, when one is named.
    fn request(&self) -> WebResult<Option<i64>> {
        match self.get("request").trim() {
            "" => Ok(None),
            r => r.parse().map(Some).map_err(|_| WebError::invalid("request")),
        }
    }
    fn view(&self) -> Value {
        context! {
            username => self.get("username"), display_name => self.get("display_name"),
            department_id => self.get("department_id").parse::<i64>().ok(), roles => self.roles(),
            mobile => self.get("mobile"), reason => self.get("reason"), active => true, request => self.get("request"),
            emergency => self.get("emergency") == "true",
        }
    }
}

/// Reads a form with repeated keys (the role checkboxes). Its fault is
/// answered only when the handler asks for the form, after it decided
/// whether the caller may act (as `LateForm`'s).
pub struct RawForm(Result<UserForm, WebError>);

impl<S: Send + Sync> axum::extract::FromRequest<S> for RawForm {
    type Rejection = std::convert::Infallible;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let read = async {
            let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| WebError::bad("bad_request"))?;
            let fields: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::bad("bad_request"))?;
            Ok(UserForm { fields })
        };
        Ok(RawForm(read.await))
    }
}

impl RawForm {
    /// The form, or the fault of the request.
    pub fn parse(self) -> Result<UserForm, WebError> {
        self.0
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
        context! { id => id, form => form, departments => manageable_departments(st, s).await,
        roles => if id.is_some() { grantable(s) } else { offered_new(s) },
        error => err.map(|e| e.message()), ..extra },
    );
    if let Some(e) = err {
        *resp.status_mut() = e.status();
    }
    resp
}

pub async fn user_new_page(SignedIn { st, s, ra }: SignedIn) -> Response {
    if !staff::may_create_staff(&s.actor) {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    let form = context! { department_id => s.user.department_id, roles => Vec::<String>::new(), active => true };
    user_form_view(&st, &s, &ra, None, form, context! {}, None).await
}

pub async fn user_create(SignedIn { st, s, ra }: SignedIn, form: RawForm) -> Response {
    if let Err(e) = accounts::may_create_staff(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &e);
    }
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let result = match f.department_id().and_then(|d| Ok((d, f.request()?))) {
        Ok((department_id, request)) => {
            let input = StaffInput {
                username: f.get("username"),
                display_name: f.get("display_name"),
                department_id,
                roles: f.roles(),
                mobile: Some(f.get("mobile")),
                password: None,
                reason: f.get("reason"),
                request,
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

pub async fn user_page(SignedIn { st, s, ra }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    let c = ctx(&st, &ra);
    let u = match accounts::visible_staff(&c, id).await {
        Ok(u) => u,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let view = StaffView::of(&u, st.now_ms());
    let account = staff::StaffAccount { user_id: u.id, kind: u.kind, department_id: u.department_id, roles: &u.roles };
    let refused = staff::may_change_account(&s.actor, &account, staff::StaffChange::ResetPassword).err();
    let readonly = refused.is_some();
    // Why the form is only shown, and where its rights change is asked for.
    let own = u.id == s.actor.user_id;
    let readonly_reason = refused.map(|r| {
        let code = if own { zwfw_domain::access::Refusal::OwnAccount.code() } else { r.code() };
        zwfw_app::messages::error_text(code, Some("staff_account"))
    });
    let may_ask_rights = readonly
        && !own
        && u.department_id.is_some_and(|d| zwfw_domain::access::in_department(&s.actor, d))
        && zwfw_app::governance::rights::may_ask(&ctx(&st, &ra)).is_ok();
    let form = context! {
        username => u.username, display_name => u.display_name, department_id => u.department_id,
        roles => view.roles, mobile => "", active => u.active,
    };
    let mut departments = manageable_departments(&st, &s).await;
    if readonly {
        departments = store_admin::list_departments(&st.store).await.unwrap_or_default();
    }
    let rights = crate::governance::rights::account_context(&st, &ra, id).await;
    let mut resp = render(
        &st,
        &ra,
        "user_form.html",
        context! { id => id, form => form, departments => departments,
        roles => if readonly { zwfw_app::messages::role_codes().to_vec() } else { grantable(&s) },
        masked_mobile => view.mobile, readonly => readonly, readonly_reason => readonly_reason,
        may_ask_rights => may_ask_rights, ..rights },
    );
    *resp.status_mut() = StatusCode::OK;
    resp
}

pub async fn user_update(SignedIn { st, s, ra }: SignedIn, PagePath(id): PagePath<i64>, form: RawForm) -> Response {
    let c = ctx(&st, &ra);
    let f = match accounts::may_change_staff(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let result = match f.department_id().and_then(|d| Ok((d, f.request()?))) {
        Ok((department_id, request)) => {
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
                request,
                emergency: f.get("emergency") == "true",
            };
            accounts::update_staff(&c, id, &input).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => see_other("/admin/users"),
        Err(e) => {
            let rights = crate::governance::rights::account_context(&st, &ra, id).await;
            user_form_view(&st, &s, &ra, Some(id), f.view(), rights, Some(&e)).await
        }
    }
}

pub async fn user_reset_password(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: RawForm,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match accounts::may_change_staff(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
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
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: RawForm,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match accounts::may_change_staff(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match accounts::set_staff_active(&c, id, f.get("active") == "true", &f.get("reason")).await {
        Ok(_) => see_other(&format!("/admin/users/{id}")),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}
