//! The service-item catalogue: authoring, change governance (draft → legal
//! review → service-centre approval → published), versions, retirement,
//! attachments and the GB/T 39046 export.

pub mod search;
pub mod xlsx;

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde_json::json;
use zwfw_domain::access;
use zwfw_domain::catalog::{
    diff, implementation_code, transition, GovernanceAction, GovernanceError, ItemContent, ItemError, ItemStatus,
    VersionState,
};
use zwfw_domain::ids::CreditCode;
use zwfw_store::admin as store_admin;
use zwfw_store::catalog::{self as store_cat, ItemFilter};

impl From<ItemError> for AppError {
    fn from(e: ItemError) -> Self {
        AppError::with_detail(Kind::Invalid, "invalid_item", crate::messages::item_error_text(&e))
    }
}

impl From<GovernanceError> for AppError {
    fn from(e: GovernanceError) -> Self {
        match e {
            GovernanceError::WrongRole => AppError::forbidden(),
            GovernanceError::ReasonRequired => AppError::with_detail(Kind::Invalid, "reason_required", "reason"),
            GovernanceError::WrongState { state } => {
                AppError::with_detail(Kind::Conflict, "wrong_state", state.code().to_string())
            }
        }
    }
}

fn actor<'a>(ctx: &'a Ctx<'_>) -> AppResult<&'a zwfw_domain::admin::Actor> {
    ctx.actor.filter(|a| a.is_staff()).ok_or_else(AppError::forbidden)
}

/// Checks the content and the departments it names; returns the 实施编码.
async fn check_content(ctx: &Ctx<'_>, c: &ItemContent) -> AppResult<String> {
    c.validate()?;
    let store = &ctx.state.store;
    for id in c.department_ids() {
        store_admin::get_department(store, id).await.map_err(AppError::missing("department"))?;
    }
    let dept = store_admin::get_department(store, c.department_id).await?;
    let cc = CreditCode::parse(&dept.credit_code)?;
    Ok(implementation_code(&cc, c.exercise_level, &c.basic_code))
}

/// One recorded governance step.
struct Mark<'a> {
    item_id: i64,
    version_id: i64,
    action: &'a str,
    from: &'a str,
    to: &'a str,
}

/// Records a governance step: the item's event and the audit record, which
/// names the accepted configuration/maintenance request (配置/维护需求) the
/// change is made under, when one is (`request`; the request lists it).
async fn record(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    m: Mark<'_>,
    reason: &str,
    detail: serde_json::Value,
    request: Option<i64>,
) -> AppResult<()> {
    let Mark { item_id, version_id, action, from, to } = m;
    let a = ctx.actor;
    store_cat::add_event(
        tx,
        item_id,
        version_id,
        action,
        from,
        to,
        a.map(|a| a.user_id),
        &a.map(|a| a.username.clone()).unwrap_or_else(|| "system".into()),
        reason,
        ctx.now(),
    )
    .await?;
    let mut d = json!({"version_id": version_id, "from": from, "to": to});
    if let (Some(m), Some(extra)) = (d.as_object_mut(), detail.as_object()) {
        m.extend(extra.clone());
    }
    crate::governance::audit_under(ctx, tx, request, ctx.entry(&format!("item_{action}"), "item", item_id, d, reason))
        .await
}

/// Creates an item; its first version is a draft of the implementing
/// department. `request`: the accepted configuration/maintenance request
/// the change is made under (the centre only), in every change below.
pub async fn create_item(
    ctx: &Ctx<'_>,
    content: &ItemContent,
    reason: &str,
    request: Option<i64>,
) -> AppResult<(i64, i64)> {
    let a = actor(ctx)?;
    if !access::catalog::may_author(a, content.department_id) {
        return Err(AppError::forbidden());
    }
    crate::error::reason(reason)?;
    crate::governance::check_request(ctx, request).await?;
    let code = check_content(ctx, content).await?;
    let mut tx = ctx.state.store.begin().await?;
    let created = create_item_in(ctx, &mut tx, &code, content, reason, request).await?;
    tx.commit().await?;
    Ok(created)
}

/// Creates an item inside a caller's transaction (the import uses one for the whole file).
pub async fn create_item_in(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    code: &str,
    content: &ItemContent,
    reason: &str,
    request: Option<i64>,
) -> AppResult<(i64, i64)> {
    let by = ctx.actor.map(|a| a.user_id);
    let (item, v) = store_cat::create_item(tx, code, content, reason, by, ctx.now()).await?;
    let mark = Mark { item_id: item, version_id: v, action: "create", from: "", to: VersionState::Draft.code() };
    record(ctx, tx, mark, reason, json!({"impl_code": code, "name": content.name}), request).await?;
    Ok((item, v))
}

/// The 实施编码 of a content, after checking it (departments exist, rules hold).
pub async fn checked_code(ctx: &Ctx<'_>, content: &ItemContent) -> AppResult<String> {
    check_content(ctx, content).await
}

/// Replaces the content of a draft.
pub async fn edit_draft(
    ctx: &Ctx<'_>,
    version_id: i64,
    content: &ItemContent,
    reason: &str,
    request: Option<i64>,
) -> AppResult<()> {
    let a = actor(ctx)?;
    crate::error::reason(reason)?;
    crate::governance::check_request(ctx, request).await?;
    let v = store_cat::get_version(&ctx.state.store, version_id).await?;
    let item = store_cat::get_item(&ctx.state.store, v.item_id).await?;
    transition(v.state, GovernanceAction::Edit, a, item.department_id, reason)?;
    if content.department_id != item.department_id {
        return Err(AppError::with_detail(Kind::Invalid, "invalid_item", "实施主体不能在修改中变更，请新建事项"));
    }
    let code = check_content(ctx, content).await?;
    if code != item.impl_code {
        return Err(AppError::with_detail(
            Kind::Invalid,
            "invalid_item",
            "基本编码或行使层级改变了实施编码，请新建事项",
        ));
    }
    let changes = diff(&v.content, content);
    let mut tx = ctx.state.store.begin().await?;
    store_cat::update_draft(&mut tx, version_id, content, reason, ctx.now()).await?;
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    record(
        ctx,
        &mut tx,
        Mark { item_id: item.id, version_id, action: "edit", from: v.state.code(), to: v.state.code() },
        reason,
        json!({"changed": fields}),
        request,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A governance step on a version.
pub async fn act(
    ctx: &Ctx<'_>,
    version_id: i64,
    action: GovernanceAction,
    reason: &str,
    request: Option<i64>,
) -> AppResult<VersionState> {
    let a = actor(ctx)?;
    crate::error::reason(reason)?;
    crate::governance::check_request(ctx, request).await?;
    let store = &ctx.state.store;
    let v = store_cat::get_version(store, version_id).await?;
    let item = store_cat::get_item(store, v.item_id).await?;
    if ItemStatus::parse(&item.status) != Some(ItemStatus::Active) {
        return Err(AppError::with_detail(Kind::Conflict, "wrong_state", ItemStatus::Retired.code()));
    }
    if action == GovernanceAction::Edit {
        return Err(AppError::bad("bad_request"));
    }
    let to = transition(v.state, action, a, item.department_id, reason)?;
    if action == GovernanceAction::Submit {
        // Only a complete, valid draft goes to review.
        check_content(ctx, &v.content).await?;
    }
    let code = match action {
        GovernanceAction::Submit => "submit",
        GovernanceAction::PassLegalReview => "pass_legal_review",
        GovernanceAction::Approve => "approve",
        GovernanceAction::SendBack => "send_back",
        GovernanceAction::Withdraw => "withdraw",
        GovernanceAction::Edit => "edit",
    };
    let now = ctx.now();
    let mut tx = store.begin().await?;
    let moved = if to == VersionState::Published {
        store_cat::publish(&mut tx, item.id, version_id, now).await
    } else {
        store_cat::move_version(&mut tx, version_id, v.state, to, now).await
    };
    // Someone acted on the same version first.
    moved.map_err(AppError::unless_down(AppError::with_detail(Kind::Conflict, "already_handled", "version")))?;
    if to == VersionState::Withdrawn {
        store_cat::close_open_version(&mut tx, item.id, now).await?;
    }
    record(
        ctx,
        &mut tx,
        Mark { item_id: item.id, version_id, action: code, from: v.state.code(), to: to.code() },
        reason,
        json!({}),
        request,
    )
    .await?;
    if to == VersionState::Published {
        crate::catalog::search::mark_changed(&mut tx, now).await?;
    }
    tx.commit().await?;
    if to == VersionState::Published {
        crate::catalog::search::refresh_soon(ctx.state);
    }
    Ok(to)
}

/// Opens a new draft from the published version (a change is a new version).
pub async fn new_version(ctx: &Ctx<'_>, item_id: i64, reason: &str, request: Option<i64>) -> AppResult<i64> {
    let a = actor(ctx)?;
    let store = &ctx.state.store;
    let item = store_cat::get_item(store, item_id).await?;
    if !access::catalog::may_author(a, item.department_id) {
        return Err(AppError::forbidden());
    }
    crate::error::reason(reason)?;
    crate::governance::check_request(ctx, request).await?;
    let base = match item.published_version_id {
        Some(p) => store_cat::get_version(store, p).await?,
        None => return Err(AppError::with_detail(Kind::Conflict, "wrong_state", VersionState::Draft.code())),
    };
    let mut tx = store.begin().await?;
    let vid = store_cat::open_new_version(&mut tx, item_id, &base.content, reason, Some(a.user_id), ctx.now())
        .await
        .map_err(AppError::unless_down(AppError::with_detail(Kind::Conflict, "open_version_exists", "version")))?;
    record(
        ctx,
        &mut tx,
        Mark {
            item_id,
            version_id: vid,
            action: "new_version",
            from: VersionState::Published.code(),
            to: VersionState::Draft.code(),
        },
        reason,
        json!({"from_version": base.version_no}),
        request,
    )
    .await?;
    tx.commit().await?;
    Ok(vid)
}

/// Whether the actor takes any step on item `item_id` (see
/// [`access::catalog::may_change_items`]): asked before the form of a change
/// is read, so that who may not is refused whatever was sent.
pub async fn may_change(ctx: &Ctx<'_>, item_id: i64) -> AppResult<()> {
    let a = actor(ctx)?;
    let item = store_cat::get_item(&ctx.state.store, item_id).await?;
    if !access::catalog::may_change_items(a, item.department_id) {
        return Err(AppError::forbidden());
    }
    Ok(())
}

/// Whether the actor takes any step on the version `version_id`'s item
/// (before the action sent is read).
pub async fn may_act_on_version(ctx: &Ctx<'_>, version_id: i64) -> AppResult<()> {
    let v = store_cat::get_version(&ctx.state.store, version_id).await?;
    may_change(ctx, v.item_id).await
}

/// Whether the actor creates an item for some department (before the
/// content, which names the department, is read).
pub fn may_create(ctx: &Ctx<'_>) -> AppResult<()> {
    match access::catalog::may_author_somewhere(actor(ctx)?) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

/// Whether the actor opens a new version of item `item_id` (its department's author).
pub async fn may_open_version(ctx: &Ctx<'_>, item_id: i64) -> AppResult<()> {
    let a = actor(ctx)?;
    let item = store_cat::get_item(&ctx.state.store, item_id).await?;
    match access::catalog::may_author(a, item.department_id) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

/// Whether the actor retires items (the service centre).
pub fn may_retire(ctx: &Ctx<'_>) -> AppResult<()> {
    match access::catalog::may_retire(actor(ctx)?) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

/// Whether the actor edits the draft `version_id` (its department's author):
/// asked before an upload or a new content is read.
pub async fn may_edit(ctx: &Ctx<'_>, version_id: i64) -> AppResult<()> {
    let a = actor(ctx)?;
    let v = store_cat::get_version(&ctx.state.store, version_id).await?;
    let item = store_cat::get_item(&ctx.state.store, v.item_id).await?;
    access::catalog::may_govern(a, GovernanceAction::Edit, v.state, item.department_id)
        .map_err(|_| AppError::from(GovernanceError::WrongRole))
}

/// Whether the actor imports items from a workbook (before the file is read).
pub fn may_import(ctx: &Ctx<'_>) -> AppResult<()> {
    let a = actor(ctx)?;
    if !access::catalog::may_import(a) {
        return Err(AppError::with_detail(Kind::Forbidden, "missing_role", "item_import"));
    }
    Ok(())
}

/// Retires an item (service centre), with a reason. Its versions stay readable.
pub async fn retire(ctx: &Ctx<'_>, item_id: i64, reason: &str, request: Option<i64>) -> AppResult<()> {
    let a = actor(ctx)?;
    if !access::catalog::may_retire(a) {
        return Err(AppError::forbidden());
    }
    crate::error::reason(reason)?;
    crate::governance::check_request(ctx, request).await?;
    let item = store_cat::get_item(&ctx.state.store, item_id).await?;
    let mut tx = ctx.state.store.begin().await?;
    store_cat::retire(&mut tx, item_id, reason, ctx.now()).await.map_err(AppError::unless_down(
        AppError::with_detail(Kind::Conflict, "wrong_state", ItemStatus::Retired.code()),
    ))?;
    let v = item.published_version_id.or(item.open_version_id).unwrap_or_default();
    record(
        ctx,
        &mut tx,
        Mark { item_id, version_id: v, action: "retire", from: &item.status, to: ItemStatus::Retired.code() },
        reason,
        json!({}),
        request,
    )
    .await?;
    crate::catalog::search::mark_changed(&mut tx, ctx.now()).await?;
    tx.commit().await?;
    crate::catalog::search::refresh_soon(ctx.state);
    Ok(())
}

/// Whether the actor may read an item that is not published: its department,
/// the reviewers, the service centre and supervision.
pub fn may_read_drafts(a: &zwfw_domain::admin::Actor, department_id: i64) -> bool {
    access::catalog::may_read_drafts(a, department_id)
}

/// The items a staff member lists: all of them, or their department's.
pub fn staff_item_filter(a: &zwfw_domain::admin::Actor) -> AppResult<ItemFilter> {
    let scope = access::catalog::item_list_scope(a).map_err(|r| AppError::refused(r, "item"))?;
    Ok(ItemFilter { department_ids: scope.map(|d| vec![d]), limit: 10_000, ..Default::default() })
}

/// The published catalogue with GB/T 39046 field names.
pub async fn export_gbt39046(st: &App) -> AppResult<Vec<serde_json::Value>> {
    let depts = store_admin::list_departments(&st.store).await?;
    let list = store_cat::list(&st.store, &ItemFilter { published_only: true, limit: 1_000_000, ..Default::default() })
        .await?;
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        let v = store_cat::get_version(&st.store, s.version_id).await?;
        let c = &v.content;
        let name_code = |id: i64| {
            depts.iter().find(|d| d.id == id).map(|d| (d.name.clone(), d.credit_code.clone())).unwrap_or_default()
        };
        let (dn, dc) = name_code(c.department_id);
        let co: Vec<(String, String)> = c.co_department_ids.iter().map(|d| name_code(*d)).collect();
        let names = zwfw_domain::catalog::ExportNames {
            impl_code: &s.impl_code,
            department: &dn,
            department_code: &dc,
            co_departments: &co,
        };
        out.push(c.to_gbt39046(&names));
    }
    Ok(out)
}

/// Where an attachment goes in an item's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// 空白表格 of material N (1-based)
    Form(usize),
    /// 示例样表 of material N
    Example(usize),
    /// 结果样本
    ResultSample,
}

impl Slot {
    pub fn parse(slot: &str, material: Option<usize>) -> AppResult<Slot> {
        match (slot, material) {
            ("form", Some(n)) if n >= 1 => Ok(Slot::Form(n)),
            ("example", Some(n)) if n >= 1 => Ok(Slot::Example(n)),
            ("result", _) => Ok(Slot::ResultSample),
            _ => Err(AppError::with_detail(Kind::BadInput, "bad_request", "slot")),
        }
    }
    fn allowed(self) -> &'static [zwfw_domain::files::FileKind] {
        use zwfw_domain::files::FileKind::*;
        match self {
            Slot::Form(_) | Slot::Example(_) => &[Pdf, Ofd, Docx, Xlsx, LegacyOffice],
            Slot::ResultSample => &[Pdf, Ofd, Png, Jpeg],
        }
    }
}

impl From<zwfw_domain::files::UploadError> for AppError {
    fn from(e: zwfw_domain::files::UploadError) -> Self {
        let status = match e {
            zwfw_domain::files::UploadError::TooLarge { .. } => Kind::TooLarge,
            _ => Kind::Invalid,
        };
        AppError::with_detail(status, "invalid_upload", crate::messages::upload_error_text(&e))
    }
}

/// Stores an attachment and sets it on a draft (which is edited with a reason).
pub async fn attach(ctx: &Ctx<'_>, version_id: i64, slot: Slot, file_name: &str, bytes: &[u8]) -> AppResult<String> {
    let st = ctx.state;
    // Nothing is stored for who may not edit the draft.
    may_edit(ctx, version_id).await?;
    let v = store_cat::get_version(&st.store, version_id).await?;
    let kind = zwfw_domain::files::check_upload(file_name, bytes, st.config.max_upload_bytes, slot.allowed())?;
    let mut content = v.content.clone();
    let target = match slot {
        Slot::Form(n) => content.materials.get_mut(n - 1).map(|m| &mut m.form_sm3),
        Slot::Example(n) => content.materials.get_mut(n - 1).map(|m| &mut m.example_sm3),
        Slot::ResultSample => Some(&mut content.result_sample_sm3),
    }
    .ok_or_else(|| AppError::not_found("material"))?;
    let sm3 = st.put_file(bytes.to_vec()).await?;
    *target = Some(sm3.clone());
    {
        let mut tx = st.store.begin().await?;
        let by = ctx.actor.map(|a| a.user_id);
        zwfw_store::files::record(&mut tx, &sm3, bytes.len() as i64, kind.extension(), by, ctx.now()).await?;
        tx.commit().await?;
    }
    let name: String = file_name.chars().take(80).collect();
    edit_draft(ctx, version_id, &content, &format!("上传附件：{name}"), None).await?;
    Ok(sm3)
}
