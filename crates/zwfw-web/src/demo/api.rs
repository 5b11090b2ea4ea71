//! The demo clock over the API (demo mode only).

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::Ctx;
use zwfw_domain::audit::action;

// ---------- clock ----------

#[derive(Serialize, ToSchema)]
pub struct ClockView {
    /// The platform's current time (RFC 3339, Asia/Shanghai).
    pub now: String,
    /// Total shift from the real time, in milliseconds.
    pub offset_ms: i64,
    pub controlled: bool,
    pub demo: bool,
}

fn clock_view(st: &AppState) -> ClockView {
    ClockView {
        now: zwfw_domain::time::format_rfc3339(st.now_ms()),
        offset_ms: st.clock.offset_ms(),
        controlled: st.clock.is_controlled(),
        demo: st.config.demo,
    }
}

#[utoipa::path(get, path = "/clock", tag = "clock", responses((status = 200, body = ClockView)))]
pub async fn get_clock(State(st): State<AppState>) -> Json<ClockView> {
    Json(clock_view(&st))
}

#[derive(Deserialize, ToSchema)]
pub struct MoveClock {
    /// Forward shift such as `+1d`, `+5d`, `+2h`.
    pub offset: String,
}

/// Moves the demo clock forward (demo mode, system administrators only).
/// Whether the actor may move the demo clock (asked before the form is read).
pub fn may_move_clock(ctx: &Ctx<'_>) -> WebResult<()> {
    if !ctx.state.config.demo {
        return Err(WebError::new(Kind::Conflict, "clock_not_controllable"));
    }
    if !ctx.actor.is_some_and(zwfw_domain::access::staff::may_control_clock) {
        return Err(WebError::forbidden());
    }
    Ok(())
}

pub async fn move_clock(ctx: &Ctx<'_>, offset: &str) -> WebResult<i64> {
    let st = ctx.state;
    may_move_clock(ctx)?;
    let delta = zwfw_domain::time::parse_offset(offset)?;
    if delta <= 0 {
        return Err(zwfw_domain::DomainError::Invalid { field: "offset", reason: "not_forward" }.into());
    }
    let before = st.now_ms();
    let moved = st.clock.moved_ms() + delta;
    let mut tx = st.store.begin().await?;
    zwfw_store::settings::put(&mut tx, zwfw_store::settings::CLOCK_OFFSET_MS, &moved.to_string(), before).await?;
    ctx.audit(
        &mut tx,
        ctx.entry(action::CLOCK_MOVED, "clock", "demo", json!({"offset": offset, "from": zwfw_domain::time::format_rfc3339(before), "to": zwfw_domain::time::format_rfc3339(before + delta)}), ""),
    )
    .await?;
    tx.commit().await?;
    st.clock.set_moved_ms(moved);
    Ok(moved)
}

#[utoipa::path(post, path = "/admin/clock", tag = "clock", request_body = MoveClock,
    responses((status = 200, body = ClockView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn post_clock(
    SignedIn { st, ra, .. }: SignedIn,
    body: crate::http::extract::LateJson<MoveClock>,
) -> WebResult<Json<ClockView>> {
    let c = ctx(&st, &ra);
    may_move_clock(&c)?;
    move_clock(&c, &body.parse()?.offset).await?;
    Ok(Json(clock_view(&st)))
}

/// The demo endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().register(routes!(get_clock)).register(routes!(post_clock))
}
