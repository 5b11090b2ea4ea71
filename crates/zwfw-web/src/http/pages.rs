//! Page helpers every area uses: the layout's values, rendering a template, an error as a page, the service context of a request, redirects and cookies.

use crate::http::prelude::*;
use axum::http::header;
use axum::http::StatusCode;
use axum::response::Html;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use zwfw_app::accounts::sessions::Gate;
use zwfw_app::Ctx;
use zwfw_domain::access::registry::{self, RegistryAction};
use zwfw_domain::access::staff;

/// A request of a signed-in account whose gate is open: the state, the session
/// and the request in one extractor. As with `Signed`, a page is sent to the
/// login or gate page, and the API answers 401/403 with a code.
pub struct SignedIn {
    pub st: AppState,
    pub s: zwfw_app::accounts::sessions::SessionCtx,
    pub ra: RequestAuth,
}

impl axum::extract::FromRequestParts<AppState> for SignedIn {
    type Rejection = crate::http::auth::SignedRejection;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Signed(s, ra) = Signed::from_request_parts(parts, st).await?;
        Ok(SignedIn { st: st.clone(), s, ra })
    }
}

/// The values every page's layout needs.
fn base(state: &AppState, ra: &RequestAuth) -> Value {
    let me = ra.session.as_ref().map(|s| {
        context! {
            username => s.user.username,
            display_name => s.user.display_name,
            roles => s.user.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
            unread => s.unread,
        }
    });
    let actor = ra.session.as_ref().filter(|s| s.gate == Gate::Open).map(|s| &s.actor);
    context! {
        site_name => state.config.site_name,
        csrf => ra.csrf_token,
        me => me,
        // Signed in with a step left (a new password, the second factor):
        // the menu offers nothing but signing out.
        gated => ra.session.as_ref().filter(|s| s.gate != Gate::Open).map(|s| match s.gate {
            Gate::ChangePassword => "请先修改密码",
            _ => "请先完成登录验证",
        }),
        large => ra.large,
        demo => state.config.demo,
        can_orgs => actor.is_some_and(staff::may_read_organizations),
        can_users => actor.is_some_and(|a| staff::staff_list_scope(a).is_ok()),
        can_audit => actor.is_some_and(staff::may_read_audit),
        can_calendar => actor.is_some_and(staff::may_edit_calendar),
        can_outbox => actor.is_some_and(staff::may_operate_outbox),
        can_exchange => actor.is_some_and(staff::may_monitor_exchange),
        can_backups => actor.is_some_and(staff::may_operate_backups),
        can_notices => actor.is_some_and(|a| zwfw_domain::access::notices::may_manage(a).is_ok()),
        can_licenses => actor.is_some_and(|a| zwfw_domain::access::licenses::may_manage_types(a).is_ok()),
        can_work_licenses => actor.is_some_and(|a| zwfw_domain::access::licenses::list_scope(a).is_ok()),
        can_registry => actor.is_some_and(|a| registry::may(a, RegistryAction::Import).is_ok()),
        can_registry_lookup => actor.is_some_and(|a| registry::may(a, RegistryAction::LookUp).is_ok()),
        can_requests => actor.is_some_and(|a| zwfw_domain::access::governance::list_scope(a).is_ok()),
        can_deletions => actor.is_some_and(zwfw_domain::access::governance::acts_on_deletions),
        can_rights => actor.is_some_and(zwfw_domain::access::rights::acts_on_rights),
        can_corrections => actor.is_some_and(zwfw_domain::access::correction::acts_on_corrections),
        can_carry_out => actor.is_some_and(|a| zwfw_domain::access::governance::may_carry_out(a).is_ok()),
        can_qualifications => actor.is_some_and(|a| zwfw_domain::access::governance::qualification_scope(a).is_ok()),
        staff => actor.is_some_and(|a| a.is_staff()),
        // A staff member acting in no role (none held, or none qualified)
        // acts for no department: the business pages would refuse them.
        acting => actor.is_some_and(|a| a.is_staff() && !a.acts_in_no_role()),
        // An operator acting in no other role acts for no department: no
        // case, interaction, rating, licence, push or item page.
        business => actor.is_some_and(|a| a.is_staff() && !a.acts_in_no_role()
            && !zwfw_domain::access::operator::operates_only(a)),
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
    let fallback = RequestAuth::nobody();
    let ra = ra.unwrap_or(&fallback);
    let open = ra.session.as_ref().filter(|s| s.gate == Gate::Open);
    // A refusal to a staff member who holds a role without a valid
    // qualification (上岗资格) names what is missing; one for want of it
    // (`not_qualified`, as the use case made it) says so itself.
    // (Named once: not again beside a message that names it.)
    let not_qualified = err.code() == zwfw_domain::access::Refusal::NotQualified.code();
    let qualification = (!not_qualified && matches!(err.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND))
        .then(|| {
            open.and_then(|s| {
                zwfw_app::governance::qualifications::missing_text(&s.unqualified, s.actor.qualified_in_no_role())
            })
        })
        .flatten();
    let me = ra.session.as_ref().map(|s| s.user.id);
    let message = err.message();
    let mut resp = render(
        state,
        ra,
        "error.html",
        context! { heading => heading, message => message, qualification => qualification, not_qualified => not_qualified, me_id => me },
    );
    *resp.status_mut() = err.status();
    resp
}

/// A form sent after its session ended: the reason, and the login that
/// leads back to the page the form was on (`back`).
pub fn expired_page(state: &AppState, err: &zwfw_app::AppError, back: &str) -> Response {
    let ra = RequestAuth::nobody();
    let login = format!("/login?next={}", crate::http::auth::urlencode(back));
    let mut resp = render(
        state,
        &ra,
        "error.html",
        context! { heading => "登录已过期", message => err.message(), login => login },
    );
    *resp.status_mut() = err.status();
    resp
}

pub fn ctx<'a>(state: &'a AppState, ra: &'a RequestAuth) -> Ctx<'a> {
    Ctx { state, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() }
}

/// A row as a template value with what the page worked out for it (labels,
/// flags, links) beside its own fields, so that the template only reads.
pub fn with_fields(row: impl serde::Serialize, extra: Value) -> Value {
    context! { ..extra, ..Value::from_serialize(row) }
}

/// A tab of a list page: its link and label, `on` for the list shown.
pub fn tab(href: impl Into<String>, label: impl Into<String>, on: bool) -> Value {
    context! { href => href.into(), label => label.into(), on => on }
}

/// The departments of a list's filter (`{id, name, on}`), `selected` marked;
/// none when the reader sees one department only (`all` false).
pub async fn department_choices(state: &AppState, all: bool, selected: Option<i64>) -> Vec<Value> {
    if !all {
        return vec![];
    }
    zwfw_store::admin::list_departments(&state.store)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| context! { id => d.id, name => d.name, on => selected == Some(d.id) })
        .collect()
}

pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub fn with_cookie(mut resp: Response, cookie: &str) -> Response {
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// `r` answered with status `s`, unless it is already a server error (a
/// page that failed to render stays a 500, for the monitoring to see).
pub fn with_status(mut r: Response, s: StatusCode) -> Response {
    if !r.status().is_server_error() {
        *r.status_mut() = s;
    }
    r
}

/// `name` rendered with the context made of what a use case answered, or its error as a page.
pub fn render_result<T, E: Into<WebError>>(
    state: &AppState,
    ra: &RequestAuth,
    name: &str,
    result: Result<T, E>,
    ctx: impl FnOnce(T) -> Value,
) -> Response {
    match result {
        Ok(v) => render(state, ra, name, ctx(v)),
        Err(e) => error_page(state, Some(ra), &Into::<WebError>::into(e)),
    }
}

/// The answer to an action form on an object's page: to `Ok(page)` once the use case is done;
/// otherwise the object's page again (`reread`, drawn by `view` with the message) with the
/// refusal's status, or the error page when the object cannot be read.
pub async fn after_act<D, E, V: std::future::Future<Output = Response>>(
    state: &AppState,
    ra: &RequestAuth,
    outcome: Result<String, WebError>,
    reread: impl std::future::Future<Output = Result<D, E>>,
    view: impl FnOnce(D, String) -> V,
) -> Response {
    match outcome {
        Ok(to) => see_other(&to),
        Err(e) => match reread.await {
            Ok(d) => with_status(view(d, e.message()).await, e.status()),
            Err(_) => error_page(state, Some(ra), &e),
        },
    }
}
