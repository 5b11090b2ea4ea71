//! The portal's own pages: the home page (门户首页 for a visitor, the
//! workbench for a signed-in user, who finds the portal at `/portal`), the
//! large-type switch, and the not-found page.

use crate::http::prelude::*;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use zwfw_store::admin as store_admin;

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

/// `/`: the portal for a visitor, the workbench for whoever is signed in
/// (or the step their session must take first).
pub async fn home(
    State(st): State<AppState>,
    Auth(visitor): Auth,
    signed: Result<Signed, crate::http::auth::SignedRejection>,
    PageQuery(q): PageQuery<HomeQuery>,
) -> Response {
    if visitor.session.is_none() {
        return portal_view(&st, &visitor).await;
    }
    match signed {
        Ok(Signed(s, ra)) => workbench(st, s, ra, q).await,
        Err(r) => r.into_response(),
    }
}

/// `/portal`: the portal's home page for everyone.
pub async fn portal_page(State(st): State<AppState>, Auth(ra): Auth) -> Response {
    portal_view(&st, &ra).await
}

async fn portal_view(st: &AppState, ra: &RequestAuth) -> Response {
    match zwfw_app::portal::home(st).await {
        Ok(h) => render(st, ra, "portal.html", context! { h => minijinja::Value::from_serialize(&h) }),
        Err(e) => error_page(st, Some(ra), &e),
    }
}

async fn workbench(
    st: AppState,
    s: zwfw_app::accounts::sessions::SessionCtx,
    ra: RequestAuth,
    q: HomeQuery,
) -> Response {
    let department = match s.user.department_id {
        Some(d) => store_admin::get_department(&st.store, d).await.ok(),
        None => None,
    };
    let counts = if zwfw_domain::access::staff::may_read_organizations(&s.actor) {
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
    let clock_control = st.config.demo && zwfw_domain::access::staff::may_control_clock(&s.actor);
    // An applicant's workbench: what waits for them.
    let workbench =
        if s.actor.is_staff() { None } else { zwfw_app::cases::applicant_workbench(&ctx(&st, &ra)).await.ok() };
    // A staff member's: what waits for them (none without a department).
    let waiting = if s.actor.is_staff() { zwfw_app::cases::staff_workbench(&ctx(&st, &ra)).await.ok() } else { None };
    // The system administrator is told at once when backups lapse.
    let (continuity, unencrypted): (Vec<String>, _) = if zwfw_domain::access::staff::may_operate_backups(&s.actor) {
        let lapses = zwfw_app::backup::schedule::lapses(&st).await.unwrap_or_default();
        (
            lapses.iter().map(zwfw_app::backup::schedule::lapse_text).collect(),
            zwfw_app::backup::schedule::unencrypted_warning(&st),
        )
    } else {
        (vec![], None)
    };
    // 上岗资格: what the staff member may not act in, and for their
    // administrators who is not qualified or expires within 30 days.
    let qualification =
        zwfw_app::governance::qualifications::missing_text(&s.unqualified, s.actor.qualified_in_no_role());
    let qualification_attention = if zwfw_domain::access::governance::qualification_scope(&s.actor)
        .is_ok_and(|scope| scope.is_some() || s.actor.is_global_admin())
    {
        let q = zwfw_app::governance::qualifications::OverviewQuery { department_id: None, attention: Some(true) };
        zwfw_app::governance::qualifications::overview(&ctx(&st, &ra), &q).await.ok().map(|o| o.rows.len())
    } else {
        None
    };
    render(
        &st,
        &ra,
        "home.html",
        context! {
            qualification => qualification,
            qualification_attention => qualification_attention,
            me_id => s.user.id,
            department => department,
            counts => counts,
            other_sessions => others,
            flash => q.changed.map(|_| "密码已修改。"),
            clock_control => clock_control,
            workbench => workbench,
            waiting => waiting,
            clock_moved_days => format!("{:.1}", st.clock.moved_ms() as f64 / 86_400_000.0),
            calendar_missing => zwfw_domain::access::is_overseer(&s.actor)
                .then(|| zwfw_app::calendar::next_year_missing(&st)).flatten(),
            continuity => continuity,
            backup_unencrypted => unencrypted,
        },
    )
}

pub async fn not_found(State(st): State<AppState>, Auth(ra): Auth, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return WebError::not_found("route").into_response();
    }
    error_page(&st, Some(&ra), &WebError::new(Kind::NotFound, "not_found"))
}
