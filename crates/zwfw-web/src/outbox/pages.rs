//! The in-app messages of a person and the administrator's view of the outbox.

use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::messages::label;
use zwfw_domain::outbox::Delivery;

// ---------- in-app messages ----------

#[derive(Deserialize, Default)]
pub struct MessagesQuery {
    page: Option<i64>,
}

/// 消息: the signed-in account's in-app messages, a page at a time.
pub async fn messages_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<MessagesQuery>) -> Response {
    match zwfw_app::outbox::inapp::list(&ctx(&st, &ra), q.page, None).await {
        Ok(p) => {
            let pages = (p.total + p.per_page - 1) / p.per_page;
            let c = context! { rows => p.messages, unread => p.unread, page => p.page, pages => pages };
            render(&st, &ra, "messages.html", c)
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

pub async fn messages_read(SignedIn { st, ra, .. }: SignedIn) -> Response {
    match zwfw_app::outbox::inapp::mark_all_read(&ctx(&st, &ra)).await {
        Ok(()) => Redirect::to("/my/messages").into_response(),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// Opens a message: marked read, then its link.
pub async fn message_open(SignedIn { st, ra, .. }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    match zwfw_app::outbox::inapp::mark_read(&ctx(&st, &ra), id).await {
        // Only a path of this site is followed.
        Ok(link) if crate::http::auth::is_local_path(&link) => Redirect::to(&link).into_response(),
        Ok(_) => Redirect::to("/my/messages").into_response(),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    state: String,
    done: Option<String>,
}

/// 消息发送: the outbox of SMS and e-mail for global administrators.
pub async fn outbox_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<OutboxQuery>) -> Response {
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
    match zwfw_app::outbox::outbox(&ctx(st, ra), state).await {
        Ok(v) => {
            let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            let current = if state.is_empty() { "all" } else { state };
            let c = context! {
                outbox => Value::from_serialize(&v),
                tabs => outbox_tabs(&v.counts, current),
                messages => v.messages.iter().map(message_row).collect::<Vec<_>>(),
                flash => flash,
                error => error,
            };
            with_status(render(st, ra, "admin_outbox.html", c), status)
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

/// The lists by delivery state with their counts, then all messages.
fn outbox_tabs(counts: &zwfw_store::outbox::Counts, current: &str) -> Vec<Value> {
    let tabs = Delivery::ALL.iter().map(|d| {
        let n = match d {
            Delivery::Waiting => counts.waiting,
            Delivery::Sent => counts.sent,
            Delivery::Failed => counts.failed,
        };
        let t = tab(format!("/admin/outbox?state={}", d.code()), label("delivery", d.code()), current == d.code());
        context! { ..t, ..context! { code => d.code(), n => n } }
    });
    tabs.chain(std::iter::once(tab("/admin/outbox", label("delivery", "all"), current == "all"))).collect()
}

/// A message with its channel's name and where its delivery stands (one
/// given up may be sent again).
fn message_row(m: &zwfw_app::outbox::MessageView) -> Value {
    let delivery = Delivery::parse(m.state);
    with_fields(
        m,
        context! {
            channel_label => label("message_channel", &m.message.channel),
            sent => delivery == Some(Delivery::Sent),
            failed => delivery == Some(Delivery::Failed),
        },
    )
}

#[derive(Deserialize)]
pub struct RetryForm {
    #[serde(default)]
    reason: String,
}

pub async fn outbox_retry(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<RetryForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match zwfw_app::outbox::may_operate(&c).map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match zwfw_app::outbox::retry(&c, id, &f.reason).await {
        Ok(()) => Redirect::to("/admin/outbox?state=waiting&done=retry").into_response(),
        Err(e) => with_status(outbox_view(&st, &ra, "failed", None, Some(e.message())).await, e.status()),
    }
}
