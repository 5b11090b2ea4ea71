//! The notices' pages: the public columns 通知公告 and 政策文件 with each
//! notice and its files, and the service centre's management pages.

use super::api::{cache, NoticeQuery};
use crate::http::prelude::*;
use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::notices::{self, NoticeInput, NoticeView};
use zwfw_domain::notices::{check_editable, NoticeAction, NoticeKind, NoticeState};

fn kinds() -> Vec<Value> {
    NoticeKind::ALL.iter().map(|k| context! { code => k.code(), label => k.label() }).collect()
}

/// 通知公告 / 政策文件: the published notices.
pub async fn list_page(State(st): State<AppState>, Auth(ra): Auth, PageQuery(q): PageQuery<NoticeQuery>) -> Response {
    let result = async {
        let kind = notices::kind_filter(q.kind.as_deref())?;
        notices::list_public(&st, kind, q.page.unwrap_or(1).clamp(1, 10_000)).await.map(|p| (kind, p))
    }
    .await;
    match result {
        Ok((kind, page)) => render(
            &st,
            &ra,
            "notice_list.html",
            context! {
                page => Value::from_serialize(&page), kinds => kinds(),
                kind => kind.map(|k| k.code()), heading => kind.map(|k| k.label()).unwrap_or("通知公告与政策文件"),
                manage => notices::may_manage(&ctx(&st, &ra)),
            },
        ),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// One notice with its files.
pub async fn detail_page(State(st): State<AppState>, Auth(ra): Auth, PagePath(id): PagePath<i64>) -> Response {
    match notices::get(&ctx(&st, &ra), id).await {
        Ok(n) => render(
            &st,
            &ra,
            "notice.html",
            context! { n => notice_fields(&n), manage => notices::may_manage(&ctx(&st, &ra)) },
        ),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// A file of a notice the reader may read.
pub async fn file(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath((id, sm3)): PagePath<(i64, String)>,
) -> Response {
    let n = match notices::get(&ctx(&st, &ra), id).await {
        Ok(n) => n,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match n.attachments.iter().find(|a| a.sm3 == sm3) {
        Some(a) => send_file(&st, &ra, &a.sm3, &a.kind, &a.name, cache(&n)).await,
        None => error_page(&st, Some(&ra), &WebError::not_found("attachment")),
    }
}

// ---------- management ----------

/// Every notice, with the states, for the service centre.
pub async fn admin_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<NoticeQuery>) -> Response {
    let c = ctx(&st, &ra);
    let result = async {
        let kind = notices::kind_filter(q.kind.as_deref())?;
        notices::list_managed(&c, kind, q.page.unwrap_or(1).clamp(1, 10_000)).await.map(|p| (kind, p))
    }
    .await;
    match result {
        Ok((kind, page)) => render(
            &st,
            &ra,
            "notice_admin.html",
            context! { page => Value::from_serialize(&page), kinds => kinds(), kind => kind.map(|k| k.code()) },
        ),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    doc_no: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    body: String,
}

impl NoticeForm {
    fn input(&self) -> NoticeInput {
        NoticeInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            doc_no: self.doc_no.clone(),
            issuer: self.issuer.clone(),
            body: self.body.clone(),
        }
    }
}

/// The editor of a notice: a new one (`n` none) or an existing one, with
/// the actions its state allows.
/// What the editor tells above the form.
enum Said {
    Nothing,
    /// The action failed: why, answered with 422.
    Error(String),
    /// The action just done.
    Done(String),
}

/// A notice with where it stands: read by the public, or withdrawn (with its reason shown).
fn notice_fields(n: &NoticeView) -> Value {
    let state = NoticeState::parse(&n.state);
    let public = state.is_some_and(|s| NoticeState::PUBLIC.contains(&s));
    with_fields(n, context! { public => public, withdrawn => state == Some(NoticeState::Withdrawn) })
}

fn editor(st: &AppState, ra: &RequestAuth, n: Option<&NoticeView>, form: Option<&NoticeForm>, said: Said) -> Response {
    let (error, flash) = match said {
        Said::Nothing => (None, None),
        Said::Error(e) => (Some(e), None),
        Said::Done(f) => (None, Some(f)),
    };
    let state = n.and_then(|n| NoticeState::parse(&n.state));
    let editable = state.is_none_or(|s| check_editable(s).is_ok());
    let may = |a| state.is_some_and(|s| zwfw_domain::notices::transition(s, a, "reason").is_ok());
    let f = match (form, n) {
        (Some(f), _) => {
            context! { kind => f.kind, title => f.title, doc_no => f.doc_no, issuer => f.issuer, body => f.body }
        }
        (None, Some(n)) => {
            let issuer = if n.issuer == notices::DEFAULT_ISSUER { "" } else { n.issuer.as_str() };
            context! { kind => n.kind, title => n.title, doc_no => n.doc_no, issuer => issuer, body => n.body }
        }
        (None, None) => context! { kind => NoticeKind::Announcement.code() },
    };
    let mut resp = render(
        st,
        ra,
        "notice_edit.html",
        context! {
            n => n.map(notice_fields), f => f, kinds => kinds(), editable => editable,
            can_publish => may(NoticeAction::Publish), can_withdraw => may(NoticeAction::Withdraw), error => error.clone(), flash => flash,
        },
    );
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

pub async fn new_page(SignedIn { st, ra, .. }: SignedIn) -> Response {
    if !notices::may_manage(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    editor(&st, &ra, None, None, Said::Nothing)
}

/// The form of a change, once the reader is known to manage notices.
fn managed<T>(c: &zwfw_app::Ctx<'_>, form: LateForm<T>) -> Result<T, WebError> {
    notices::authorize_manager(c)?;
    form.parse()
}

pub async fn create_submit(SignedIn { st, ra, .. }: SignedIn, form: LateForm<NoticeForm>) -> Response {
    let c = ctx(&st, &ra);
    let f = match managed(&c, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match notices::create(&c, &f.input()).await {
        Ok(n) => see_other(&format!("/admin/notices/{}?done=saved", n.id)),
        Err(e) if e.status().is_client_error() && e.status() != axum::http::StatusCode::FORBIDDEN => {
            editor(&st, &ra, None, Some(&f), Said::Error(e.message()))
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

pub async fn edit_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    let c = ctx(&st, &ra);
    if !notices::may_manage(&c) {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    match notices::get(&c, id).await {
        Ok(n) => {
            let said = match q.done.as_deref() {
                Some(d) => Said::Done(zwfw_app::messages::label("notice_done", d)),
                None => Said::Nothing,
            };
            editor(&st, &ra, Some(&n), None, said)
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

pub async fn update_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<NoticeForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match managed(&c, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match notices::update(&c, id, &f.input()).await {
        Ok(_) => see_other(&format!("/admin/notices/{id}?done=saved")),
        Err(e) => match notices::get(&c, id).await {
            Ok(n) if e.status() != axum::http::StatusCode::FORBIDDEN => {
                editor(&st, &ra, Some(&n), Some(&f), Said::Error(e.message()))
            }
            _ => error_page(&st, Some(&ra), &e),
        },
    }
}

#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

pub async fn act_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<ActForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match managed(&c, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match notices::act(&c, id, &f.action, &f.reason).await {
        Ok(_) => see_other(&format!("/admin/notices/{id}?done={}", f.action.trim())),
        Err(e) => match notices::get(&c, id).await {
            Ok(n) if e.status() != axum::http::StatusCode::FORBIDDEN => {
                editor(&st, &ra, Some(&n), None, Said::Error(e.message()))
            }
            _ => error_page(&st, Some(&ra), &e),
        },
    }
}

pub async fn attach_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    multipart: LateMultipart,
) -> Response {
    let c = ctx(&st, &ra);
    if let Err(e) = notices::authorize_manager(&c) {
        return error_page(&st, Some(&ra), &e);
    }
    let multipart = match multipart.open() {
        Ok(m) => m,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let result = match MultipartForm::read(multipart, st.config.max_upload_bytes).await {
        Ok(form) => match form.files.into_iter().find(|f| f.0 == "file" && !f.2.is_empty()) {
            Some((_, name, bytes)) => notices::attach(&c, id, &name, &bytes).await.map(|_| ()),
            None => Err(WebError::with_detail(Kind::Invalid, "invalid_upload", "请选择要上传的文件").into()),
        },
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => see_other(&format!("/admin/notices/{id}?done=attached")),
        Err(e) => match notices::get(&c, id).await {
            Ok(n) if e.status() != axum::http::StatusCode::FORBIDDEN => {
                editor(&st, &ra, Some(&n), None, Said::Error(e.message()))
            }
            _ => error_page(&st, Some(&ra), &e),
        },
    }
}

pub async fn detach_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath((id, sm3)): PagePath<(i64, String)>,
) -> Response {
    let c = ctx(&st, &ra);
    match notices::detach(&c, id, &sm3).await {
        Ok(_) => see_other(&format!("/admin/notices/{id}?done=detached")),
        Err(e) => match notices::get(&c, id).await {
            Ok(n) if e.status() != axum::http::StatusCode::FORBIDDEN => {
                editor(&st, &ra, Some(&n), None, Said::Error(e.message()))
            }
            _ => error_page(&st, Some(&ra), &e),
        },
    }
}
