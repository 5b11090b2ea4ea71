//! 通知公告 and 政策文件: the service centre writes a notice as a draft,
//! attaches its files (PDF, DOCX …, through the one file store), publishes
//! it and may withdraw it with a reason; the portal lists what is
//! published. Each change is audited in its transaction.

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zwfw_domain::access::notices as access;
use zwfw_domain::audit::action;
use zwfw_domain::notices::{
    check_editable, transition, NoticeAction, NoticeError, NoticeKind, NoticeState, NoticeText, MAX_ATTACHMENTS,
};
use zwfw_store::notices::{self as store, Attachment, NoticeData, NoticeRow};

/// The kinds of file a notice may carry.
const ATTACHMENT_KINDS: &[zwfw_domain::files::FileKind] = {
    use zwfw_domain::files::FileKind::*;
    &[Pdf, Ofd, Docx, Xlsx, LegacyOffice, Png, Jpeg]
};

impl From<NoticeError> for AppError {
    fn from(e: NoticeError) -> Self {
        match e {
            NoticeError::Field { field, .. } => AppError::with_detail(Kind::Invalid, "invalid_field", field),
            NoticeError::WrongState { state } => {
                AppError::with_detail(Kind::Conflict, "notice_wrong_state", state.code())
            }
            NoticeError::ReasonRequired => AppError::with_detail(Kind::Invalid, "reason_required", "请填写撤回原因"),
            NoticeError::TooManyAttachments => AppError::with_detail(Kind::Invalid, "too_many_attachments", "10"),
        }
    }
}

/// A new notice, or the changed text of a draft or withdrawn one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NoticeInput {
    /// announcement (通知公告) | policy (政策文件)
    pub kind: String,
    pub title: String,
    /// 文号, e.g. 示政务〔2026〕3号
    #[serde(default)]
    pub doc_no: String,
    /// 发布机构 (the service centre when empty)
    #[serde(default)]
    pub issuer: String,
    pub body: String,
}

/// A file attached to a notice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = NoticeAttachment)]
pub struct AttachmentView {
    pub sm3: String,
    pub name: String,
    pub size: i64,
    pub kind: String,
}

/// A notice as the API and the pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Notice)]
pub struct NoticeView {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub state: String,
    pub state_label: String,
    pub title: String,
    pub doc_no: String,
    pub issuer: String,
    pub body: String,
    pub attachments: Vec<AttachmentView>,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub withdrawn_at: Option<i64>,
    pub withdraw_reason: String,
}

/// A page of notices.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = NoticePage)]
pub struct NoticePage {
    pub items: Vec<NoticeView>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// Notices per page.
pub const PER_PAGE: i64 = 20;

/// The issuer shown when a notice names none.
pub const DEFAULT_ISSUER: &str = "政务服务中心";

fn view(r: NoticeRow) -> NoticeView {
    let kind = NoticeKind::parse(&r.kind);
    let state = NoticeState::parse(&r.state);
    NoticeView {
        id: r.id,
        kind_label: kind.map(|k| k.label()).unwrap_or_default().to_string(),
        state_label: state.map(|s| s.label()).unwrap_or_default().to_string(),
        kind: r.kind,
        state: r.state,
        title: r.title,
        doc_no: r.doc_no,
        issuer: if r.issuer.is_empty() { DEFAULT_ISSUER.to_string() } else { r.issuer },
        body: r.body,
        attachments: r
            .attachments
            .into_iter()
            .map(|a| AttachmentView { sm3: a.sm3, name: a.name, size: a.size, kind: a.kind })
            .collect(),
        published_at: r.published_at,
        updated_at: r.updated_at,
        withdrawn_at: r.withdrawn_at,
        withdraw_reason: r.withdraw_reason,
    }
}

fn manager<'a>(ctx: &'a Ctx<'_>) -> AppResult<&'a zwfw_domain::admin::Actor> {
    let a = ctx.actor.ok_or_else(|| AppError::new(Kind::Unauthenticated, "login_required"))?;
    access::may_manage(a).map_err(|r| AppError::refused(r, "notice"))?;
    Ok(a)
}

/// Whether the reader manages notices at all: decided before an upload is
/// read (the same refusal as every change answers).
pub fn authorize_manager(ctx: &Ctx<'_>) -> AppResult<()> {
    manager(ctx).map(|_| ())
}

/// A kind code, or the visitor's error.
pub fn parse_kind(code: &str) -> AppResult<NoticeKind> {
    NoticeKind::parse(code).ok_or_else(|| AppError::with_detail(Kind::Invalid, "invalid_field", "kind"))
}

/// An optional kind filter: empty is both kinds, unknown is an error.
pub fn kind_filter(code: Option<&str>) -> AppResult<Option<NoticeKind>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => {
            NoticeKind::parse(c).map(Some).ok_or_else(|| AppError::with_detail(Kind::BadInput, "bad_filter", "kind"))
        }
    }
}

fn checked(input: &NoticeInput) -> AppResult<(NoticeKind, NoticeText<'_>)> {
    let kind = parse_kind(&input.kind)?;
    let text = NoticeText {
        title: input.title.trim(),
        doc_no: input.doc_no.trim(),
        issuer: input.issuer.trim(),
        body: input.body.trim(),
    };
    text.validate()?;
    Ok((kind, text))
}

fn data<'a>(kind: NoticeKind, t: &NoticeText<'a>) -> NoticeData<'a> {
    NoticeData { kind, title: t.title, doc_no: t.doc_no, issuer: t.issuer, body: t.body }
}

/// Writes a new notice as a draft.
pub async fn create(ctx: &Ctx<'_>, input: &NoticeInput) -> AppResult<NoticeView> {
    let a = manager(ctx)?;
    let (kind, text) = checked(input)?;
    let mut tx = ctx.state.store.begin().await?;
    let id = store::insert(&mut tx, &data(kind, &text), Some(a.user_id), ctx.now()).await?;
    ctx.audit(&mut tx, ctx.entry(action::CREATE, "notice", id, json!({"kind": kind.code(), "title": text.title}), ""))
        .await?;
    tx.commit().await?;
    Ok(view(store::get(&ctx.state.store, id).await?))
}

/// Changes the text of a draft or withdrawn notice.
pub async fn update(ctx: &Ctx<'_>, id: i64, input: &NoticeInput) -> AppResult<NoticeView> {
    manager(ctx)?;
    let (kind, text) = checked(input)?;
    let mut tx = ctx.state.store.begin().await?;
    let before = store::lock(&mut tx, id).await?;
    check_editable(state_of(&before)?)?;
    store::update_text(&mut tx, id, &data(kind, &text), ctx.now()).await?;
    let mut changed = serde_json::Map::new();
    for (field, old, new) in [
        ("kind", before.kind.as_str(), kind.code()),
        ("title", &before.title, text.title),
        ("doc_no", &before.doc_no, text.doc_no),
        ("issuer", &before.issuer, text.issuer),
        ("body", &before.body, text.body),
    ] {
        if old != new {
            changed.insert(field.into(), json!([old, new]));
        }
    }
    ctx.audit(&mut tx, ctx.entry(action::UPDATE, "notice", id, serde_json::Value::Object(changed), "")).await?;
    tx.commit().await?;
    Ok(view(store::get(&ctx.state.store, id).await?))
}

fn state_of(r: &NoticeRow) -> AppResult<NoticeState> {
    NoticeState::parse(&r.state).ok_or_else(|| AppError::Internal(format!("notice {} in state {:?}", r.id, r.state)))
}

/// Publishes (发布) or withdraws (撤回, with a reason) a notice.
pub async fn act(ctx: &Ctx<'_>, id: i64, action_code: &str, reason: &str) -> AppResult<NoticeView> {
    manager(ctx)?;
    let act = NoticeAction::parse(action_code)
        .ok_or_else(|| AppError::with_detail(Kind::BadInput, "unknown_action", "action"))?;
    let reason = reason.trim();
    let mut tx = ctx.state.store.begin().await?;
    let before = store::lock(&mut tx, id).await?;
    let from = state_of(&before)?;
    let to = transition(from, act, reason)?;
    store::set_state(&mut tx, id, to, reason, ctx.now()).await?;
    ctx.audit(
        &mut tx,
        ctx.entry(act.code(), "notice", id, json!({"state": [from.code(), to.code()], "title": before.title}), reason),
    )
    .await?;
    tx.commit().await?;
    Ok(view(store::get(&ctx.state.store, id).await?))
}

/// Stores a file and attaches it to a draft or withdrawn notice.
pub async fn attach(ctx: &Ctx<'_>, id: i64, file_name: &str, bytes: &[u8]) -> AppResult<NoticeView> {
    let a = manager(ctx)?;
    let st = ctx.state;
    let kind = zwfw_domain::files::check_upload(file_name, bytes, st.config.max_upload_bytes, ATTACHMENT_KINDS)?;
    let sm3 = st.put_file(bytes.to_vec()).await?;
    let name: String = file_name.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    let mut tx = st.store.begin().await?;
    let before = store::lock(&mut tx, id).await?;
    check_editable(state_of(&before)?)?;
    let mut list = before.attachments.clone();
    if list.len() >= MAX_ATTACHMENTS {
        return Err(NoticeError::TooManyAttachments.into());
    }
    zwfw_store::files::record(&mut tx, &sm3, bytes.len() as i64, kind.extension(), Some(a.user_id), ctx.now()).await?;
    list.push(Attachment {
        sm3: sm3.clone(),
        name: name.clone(),
        size: bytes.len() as i64,
        kind: kind.extension().into(),
    });
    store::set_attachments(&mut tx, id, &list, ctx.now()).await?;
    ctx.audit(&mut tx, ctx.entry("attach", "notice", id, json!({"sm3": sm3, "name": name}), "")).await?;
    tx.commit().await?;
    Ok(view(store::get(&st.store, id).await?))
}

/// Takes an attachment off a draft or withdrawn notice (the file stays in the store).
pub async fn detach(ctx: &Ctx<'_>, id: i64, sm3: &str) -> AppResult<NoticeView> {
    manager(ctx)?;
    let mut tx = ctx.state.store.begin().await?;
    let before = store::lock(&mut tx, id).await?;
    check_editable(state_of(&before)?)?;
    let Some(gone) = before.attachments.iter().find(|a| a.sm3 == sm3).cloned() else {
        return Err(AppError::not_found("attachment"));
    };
    let list: Vec<Attachment> = before.attachments.into_iter().filter(|a| a.sm3 != sm3).collect();
    store::set_attachments(&mut tx, id, &list, ctx.now()).await?;
    ctx.audit(&mut tx, ctx.entry("detach", "notice", id, json!({"sm3": gone.sm3, "name": gone.name}), "")).await?;
    tx.commit().await?;
    Ok(view(store::get(&ctx.state.store, id).await?))
}

/// A notice the actor (or a visitor) may read; any other is "not found".
pub async fn get(ctx: &Ctx<'_>, id: i64) -> AppResult<NoticeView> {
    let r = store::get(&ctx.state.store, id).await?;
    if !access::may_read(ctx.actor, state_of(&r)?) {
        return Err(AppError::not_found("notice"));
    }
    Ok(view(r))
}

/// Whether the actor manages notices (the pages offer the actions then).
pub fn may_manage(ctx: &Ctx<'_>) -> bool {
    ctx.actor.is_some_and(|a| access::may_manage(a).is_ok())
}

/// An attachment of a notice the actor may read, with its bytes.
pub async fn file(ctx: &Ctx<'_>, id: i64, sm3: &str) -> AppResult<(AttachmentView, Vec<u8>)> {
    let n = get(ctx, id).await?;
    let a = n.attachments.into_iter().find(|a| a.sm3 == sm3).ok_or_else(|| AppError::not_found("attachment"))?;
    let bytes = ctx.state.file(sm3).await?;
    Ok((a, bytes.ok_or_else(|| AppError::not_found("attachment"))?))
}

fn paged(rows: Vec<NoticeRow>, total: i64, page: i64) -> NoticePage {
    NoticePage {
        items: rows.into_iter().map(view).collect(),
        total,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
    }
}

/// The published notices, newest first (page from 1).
pub async fn list_public(st: &App, kind: Option<NoticeKind>, page: i64) -> AppResult<NoticePage> {
    let page = page.max(1);
    let (rows, total) = store::list(&st.store, kind, NoticeState::PUBLIC, (page - 1) * PER_PAGE, PER_PAGE).await?;
    Ok(paged(rows, total, page))
}

/// Every notice, for those who manage them.
pub async fn list_managed(ctx: &Ctx<'_>, kind: Option<NoticeKind>, page: i64) -> AppResult<NoticePage> {
    manager(ctx)?;
    let page = page.max(1);
    let (rows, total) = store::list(&ctx.state.store, kind, NoticeState::ALL, (page - 1) * PER_PAGE, PER_PAGE).await?;
    Ok(paged(rows, total, page))
}
