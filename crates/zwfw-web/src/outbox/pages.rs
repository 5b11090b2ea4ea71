//! The in-app messages of a person and the administrator's view of the outbox.

use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_store::interaction as si;

// ---------- in-app messages ----------

pub async fn messages_page(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    match si::notifications(&st.store, s.actor.user_id, 100).await {
        Ok((rows, unread)) => render(&st, &ra, "messages.html", context! { rows => rows, unread => unread }),
        Err(e) => error_page(&st, Some(&ra), &e.into()),
    }
}

pub async fn messages_read(State(st): State<AppState>, Signed(s, ra): Signed) -> Response {
    match crate::outbox::api::mark_read(&st, s.actor.user_id).await {
        Ok(()) => Redirect::to("/my/messages").into_response(),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    state: String,
    done: Option<String>,
}

/// 短信发送: the SMS outbox for global administrators.
pub async fn outbox_page(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    PageQuery(q): PageQuery<OutboxQuery>,
) -> Response {
    let flash = q.done.as_deref().map(|d| zwfw_app::messages::label("interaction_done", d));
    outbox_view(&st, &ra, &q.state, flash, None).await
}

async fn outbox_view(
    st: &AppState,
    ra: &RequestAuth,
    state: &str,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    match zwfw_app::outbox::sms::outbox(&ctx(st, ra), state).await {
        Ok(v) => {
            let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            let c = context! {
                outbox => Value::from_serialize(&v),
                state => if state.is_empty() { "all" } else { state },
                flash => flash,
                error => error,
            };
            with_status(render(st, ra, "admin_outbox.html", c), status)
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

#[derive(Deserialize)]
pub struct RetryForm {
    #[serde(default)]
    reason: String,
}

pub async fn outbox_retry(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    PagePath(id): PagePath<i64>,
    Form(f): Form<RetryForm>,
) -> Response {
    match zwfw_app::outbox::sms::retry(&ctx(&st, &ra), id, &f.reason).await {
        Ok(()) => Redirect::to("/admin/outbox?state=waiting&done=sms_retry").into_response(),
        Err(e) => with_status(outbox_view(&st, &ra, "failed", None, Some(e.message())).await, e.status()),
    }
}
