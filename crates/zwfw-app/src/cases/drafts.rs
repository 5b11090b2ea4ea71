//! Drafts (草稿): an application saved before it is complete, edited (contact
//! details, form, materials added, replaced or taken off) and submitted once
//! complete. Only whoever may submit it sees it (`access::may_edit_draft`).

use super::*;

/// A change to a draft. What is absent stays as it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = CaseDraftInput)]
pub struct DraftInput {
    /// 联系电话 (unchanged when absent or empty).
    pub mobile: Option<String>,
    /// 联系地址.
    pub address: Option<String>,
    /// The application form (申请事项说明 and the item's fields): replaces the
    /// draft's when given; required fields may still be empty.
    #[schema(value_type = Option<Object>)]
    pub form: Option<serde_json::Map<String, serde_json::Value>>,
    /// Materials to add; one for a material the draft already holds replaces it.
    #[serde(default)]
    pub materials: Vec<MaterialRef>,
}

/// A draft as its author edits it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CaseDraft)]
pub struct Draft {
    pub case_id: i64,
    pub item_id: i64,
    pub applicant_mobile: String,
    pub applicant_address: String,
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
    /// The files the draft holds (1-based `material_no` in the item's list).
    pub materials: Vec<sc::MaterialRow>,
    /// The item's required materials the draft does not hold yet.
    pub missing: Vec<String>,
}

/// The draft's row and item, if `actor` may edit it (a stranger is told it
/// does not exist) and it is still a draft.
async fn editable(ctx: &Ctx<'_>, case_id: i64) -> AppResult<(CaseRow, Arc<ItemContent>)> {
    let st = ctx.state;
    let row = author_of(ctx, case_id).await?;
    still_draft(&row)?;
    let content = item_version(st, row.version_id).await?;
    Ok((row, content))
}

/// Whether the actor may edit and submit the draft (asked before the
/// changes sent are read; whether it is still a draft is asked after, a
/// repeated submission answering its first result).
pub async fn may_edit_draft(ctx: &Ctx<'_>, case_id: i64) -> AppResult<()> {
    author_of(ctx, case_id).await.map(|_| ())
}

/// The draft's row, if `actor` may edit it (a stranger is told it does not exist).
async fn author_of(ctx: &Ctx<'_>, case_id: i64) -> AppResult<CaseRow> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&ctx.state.store, case_id).await?;
    access::may_edit_draft(actor, &facts(&row)).map_err(refused)?;
    Ok(row)
}

fn still_draft(row: &CaseRow) -> AppResult<()> {
    match CaseState::parse(&row.p.state) {
        Some(CaseState::Draft) => Ok(()),
        Some(state) => Err(CaseError::WrongState { state }.into()),
        None => Err(AppError::Internal(format!("case state {}", row.p.state))),
    }
}

/// The required materials `have` lacks, by name.
pub(super) fn missing_materials(content: &ItemContent, have: &[sc::MaterialRow]) -> Vec<String> {
    content
        .materials
        .iter()
        .enumerate()
        .filter(|(i, m)| m.required && !have.iter().any(|h| h.material_no == *i as i64 + 1))
        .map(|(_, m)| m.name.clone())
        .collect()
}

async fn draft_of(st: &App, row: &CaseRow, content: &ItemContent) -> AppResult<Draft> {
    let materials = sc::materials(&st.store, row.id).await?;
    Ok(Draft {
        case_id: row.id,
        item_id: row.item_id,
        applicant_mobile: row.applicant_mobile.clone(),
        applicant_address: row.applicant_address.clone(),
        form: row.form.clone(),
        missing: missing_materials(content, &materials),
        materials,
    })
}

/// A draft, for its author to go on with.
pub async fn draft(ctx: &Ctx<'_>, case_id: i64) -> AppResult<Draft> {
    let (row, content) = editable(ctx, case_id).await?;
    draft_of(ctx.state, &row, &content).await
}

/// Changes a draft: contact details, form and materials, in one transaction
/// with its audit record.
pub async fn update_draft(ctx: &Ctx<'_>, case_id: i64, input: &DraftInput) -> AppResult<Draft> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let (row, content) = editable(ctx, case_id).await?;
    let mobile = match input.mobile.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Mobile::parse(m)?.as_str().to_string(),
        None => row.applicant_mobile.clone(),
    };
    let address = match &input.address {
        Some(a) => text(a, 200),
        None => row.applicant_address.clone(),
    };
    let form = match &input.form {
        Some(f) => serde_json::Value::Object(check_form(&content, f, true)?),
        None => row.form.clone(),
    };
    let trust = if actor.is_staff() { TrustLevel::B } else { TrustLevel::C };
    let who = super::sources::Applicant::of(&row);
    let mats = super::sources::resolve_all(ctx, &who, &content, &input.materials, trust).await?;
    let held = sc::materials(&st.store, case_id).await?;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    sc::lock_case(&mut tx, case_id).await?;
    let row = sc::get_case_in(&mut tx, case_id).await?;
    still_draft(&row)?;
    sc::update_draft(&mut tx, case_id, &mobile, &address, &form, now).await?;
    let replaced: Vec<i64> =
        held.iter().filter(|h| mats.iter().any(|(m, _)| h.material_no == m.material_no as i64)).map(|h| h.id).collect();
    for id in &replaced {
        sc::remove_material(&mut tx, case_id, *id, now).await?;
    }
    attach_materials(&mut tx, &row, &mats, 0, actor.user_id, now).await?;
    let detail = json!({"form": input.form.is_some(), "added": mats.len(), "replaced": replaced});
    ctx.audit(&mut tx, ctx.entry("case_draft_update", "case", case_id, detail, "")).await?;
    tx.commit().await?;
    super::sources::record_uses(ctx, &mats, case_id).await?;
    let row = sc::get_case(&st.store, case_id).await?;
    draft_of(st, &row, &content).await
}

/// Takes a material off a draft (the file stays in the applicant's library).
pub async fn remove_draft_material(ctx: &Ctx<'_>, case_id: i64, material_id: i64) -> AppResult<Draft> {
    let st = ctx.state;
    let (_, content) = editable(ctx, case_id).await?;
    let mut tx = st.store.begin().await?;
    sc::lock_case(&mut tx, case_id).await?;
    let row = sc::get_case_in(&mut tx, case_id).await?;
    still_draft(&row)?;
    if !sc::remove_material(&mut tx, case_id, material_id, ctx.now()).await? {
        return Err(AppError::not_found("material"));
    }
    let detail = json!({"material": material_id});
    ctx.audit(&mut tx, ctx.entry("case_draft_material_remove", "case", case_id, detail, "")).await?;
    tx.commit().await?;
    draft_of(st, &row, &content).await
}

/// Submits a saved draft once it is complete: checked and numbered under the
/// case's lock, with a new query password (shown once, like an application's).
pub async fn submit_draft(ctx: &Ctx<'_>, case_id: i64, idem_key: Option<&str>) -> AppResult<Submitted> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let key = idem(&idem_key.map(str::to_string))?;
    let row0 = sc::get_case(&st.store, case_id).await?;
    let content = item_version(st, row0.version_id).await?;
    if !readable(actor, &row0, &content) {
        return Err(AppError::not_found("case"));
    }
    let mut tx = st.store.begin().await?;
    let scoped = key.map(|k| scoped_key(actor, &k));
    if let Some(k) = &scoped {
        if sc::event_by_idem(tx.conn(), case_id, k).await?.is_some() {
            drop(tx);
            let c = sc::get_case(&st.store, case_id).await?;
            return Ok(Submitted {
                case_id,
                case_no: c.case_no,
                query_password: None,
                state: c.p.state,
                repeated: true,
            });
        }
    }
    sc::lock_case(&mut tx, case_id).await?;
    let row = sc::get_case_in(&mut tx, case_id).await?;
    let view = current_view(tx.conn(), &row, &content).await?;
    access::may_act(actor, &facts(&row), &content, &view, &EventKind::Submitted).map_err(refused)?;
    if view.state != CaseState::Draft {
        return Err(CaseError::WrongState { state: view.state }.into());
    }
    let missing = missing_materials(&content, &sc::materials(&st.store, case_id).await?);
    if !missing.is_empty() {
        return Err(unprocessable("materials_missing", missing.join("、")));
    }
    check_form(&content, row.form.as_object().unwrap_or(&serde_json::Map::new()), false)?;
    let password = query_password();
    let salt = crate::accounts::sessions::random_token(8);
    sc::set_query_hash(&mut tx, case_id, &hash_query(&salt, &password)).await?;
    let (case_no, p) = submit_in(ctx, &mut tx, &row, &content, actor, scoped.as_deref()).await?;
    tx.commit().await?;
    Ok(Submitted { case_id, case_no: Some(case_no), query_password: Some(password), state: p.state, repeated: false })
}
