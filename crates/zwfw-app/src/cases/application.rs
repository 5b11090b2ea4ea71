//! Applications: online and at the counter, with their materials, numbered and registered in one transaction.

use super::*;

// ---------- application ----------

/// The applicant, as a counter officer enters it (public users apply as themselves).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ApplicantInput {
    /// natural (自然人) | legal (法人)
    pub kind: String,
    pub name: String,
    /// 身份证号 for a natural person, 统一社会信用代码 for a legal person.
    pub id_no: String,
    pub mobile: String,
    #[serde(default)]
    pub address: String,
    /// Where notices go by e-mail (optional; online, the account's address
    /// when empty). Checked: `invalid_email` when it is not one.
    #[serde(default)]
    pub email: String,
}

/// One material of the application: an upload of the applicant's, or an entry of their e-materials library.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MaterialRef {
    /// 1-based number of the material in the item's list.
    pub material_no: usize,
    pub upload_id: Option<i64>,
    pub e_material_id: Option<i64>,
    /// Drawn from the 人口库 / 法人库 (the applicant's record, as a 信息核验单,
    /// trust A) instead of an upload: in an application, a draft or a
    /// supplement, when the
    /// registry holds the applicant's number.
    #[serde(default)]
    pub from_registry: bool,
    /// The identifier of an electronic licence the applicant holds, of the
    /// type the material names (`license_type_code`): used instead of an
    /// upload (trust A), checked (signature, holder, type, valid today)
    /// and written into the licence's 用证 log.
    #[serde(default)]
    pub license: Option<String>,
    /// 告知承诺: the applicant signs the item's commitment instead of
    /// providing the material (trust D); only for a material that allows it.
    #[serde(default)]
    pub commitment: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ApplicationInput {
    /// Required when counter staff register for an applicant; public users apply as themselves
    /// (their mobile and address may be given here).
    pub applicant: Option<ApplicantInput>,
    /// The application form: 申请事项说明 and any other fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub materials: Vec<MaterialRef>,
    /// Save as a draft instead of submitting.
    #[serde(default)]
    pub draft: bool,
    /// A repeated request with the same key returns the first result.
    pub idem_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CaseSubmitted)]
pub struct Submitted {
    pub case_id: i64,
    pub case_no: Option<String>,
    /// Shown once: with the case number it lets anyone follow the case without signing in.
    pub query_password: Option<String>,
    pub state: String,
    /// The request repeated an earlier one; nothing new was created.
    pub repeated: bool,
}

pub(super) fn unprocessable(code: &'static str, detail: impl Into<String>) -> AppError {
    AppError::with_detail(Kind::Invalid, code, detail)
}

/// Checks an identity: its kind, name, number and mobile.
pub(super) fn check_applicant(a: &ApplicantInput) -> AppResult<ApplicantInput> {
    let mut a = a.clone();
    a.name = a.name.trim().to_string();
    if a.name.is_empty() || a.name.chars().count() > 100 {
        return Err(unprocessable("invalid_applicant", "name"));
    }
    a.id_no = match ApplicantKind::parse(&a.kind) {
        Some(ApplicantKind::Natural) => ResidentId::parse(&a.id_no)?.as_str().to_string(),
        Some(ApplicantKind::Legal) => CreditCode::parse(&a.id_no)?.as_str().to_string(),
        None => return Err(unprocessable("invalid_applicant", "kind")),
    };
    a.mobile = Mobile::parse(&a.mobile)?.as_str().to_string();
    a.address = a.address.trim().chars().take(200).collect();
    a.email = crate::accounts::checked_email(&a.email)?.unwrap_or_default();
    Ok(a)
}

/// The application form as the item defines it, or the first problem.
pub(super) fn check_form(
    content: &ItemContent,
    given: &serde_json::Map<String, serde_json::Value>,
    draft: bool,
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    let values: Vec<(String, String)> = given
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
        .collect();
    let mut fields = content.form_fields.clone();
    if draft {
        fields.iter_mut().for_each(|f| f.required = false);
    }
    let kept = zwfw_domain::catalog::check_form(&fields, &values)
        .map_err(|e| AppError::with_detail(Kind::Invalid, "invalid_form", crate::messages::form_error_text(&e)))?;
    Ok(kept.into_iter().map(|(k, v)| (k, json!(v))).collect())
}

pub(super) fn idem(key: &Option<String>) -> AppResult<Option<String>> {
    match key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) if k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k.to_string())),
        Some(_) => Err(unprocessable("invalid_idem_key", "idem_key")),
        None => Ok(None),
    }
}

/// Submits (or saves as a draft) an application for a published item.
/// The published version of item `item_id` (`not_found` when there is none).
async fn published(st: &App, item_id: i64) -> AppResult<(zwfw_store::catalog::Item, i64, Arc<ItemContent>)> {
    let item = zwfw_store::catalog::get_item(&st.store, item_id).await?;
    match (ItemStatus::parse(&item.status), item.published_version_id) {
        (Some(ItemStatus::Active), Some(v)) => Ok((item, v, item_version(st, v).await?)),
        _ => Err(AppError::not_found("item")),
    }
}

/// Whether `actor` applies for the item: the public online (an item offered
/// online), the counter of the item's department for a walk-in applicant.
fn applies(actor: &Actor, content: &ItemContent) -> AppResult<()> {
    if actor.is_staff() {
        if !actor.has(Role::Counter) || actor.department_id != Some(content.department_id) {
            return Err(AppError::forbidden());
        }
    } else if !content.online {
        return Err(AppError::with_detail(Kind::Conflict, "not_online", "item"));
    }
    Ok(())
}

/// Whether the actor applies for item `item_id` (asked before the
/// application's form is read).
pub async fn may_apply(ctx: &Ctx<'_>, item_id: i64) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    applies(actor, &published(ctx.state, item_id).await?.2)
}

pub async fn apply(ctx: &Ctx<'_>, item_id: i64, input: &ApplicationInput) -> AppResult<Submitted> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let (item, version_id, content) = published(st, item_id).await?;
    let key = idem(&input.idem_key)?;
    if let Some(k) = &key {
        if let Some(id) = sc::find_by_idem(&st.store, &scoped_key(actor, k)).await? {
            let c = sc::get_case(&st.store, id).await?;
            return Ok(Submitted {
                case_id: id,
                case_no: c.case_no,
                query_password: None,
                state: c.p.state,
                repeated: true,
            });
        }
    }
    // Who applies, through which channel.
    applies(actor, &content)?;
    let (applicant, applicant_user_id, channel, trust_upload) = if actor.is_staff() {
        let mut a =
            check_applicant(input.applicant.as_ref().ok_or_else(|| unprocessable("invalid_applicant", "kind"))?)?;
        // The name and number against the 人口库 / 法人库; its address when none is given.
        if let Some(r) = crate::registry::check_identity(ctx, registry_kind(&a.kind), &a.id_no, &a.name).await? {
            if a.address.is_empty() {
                a.address = r.address;
            }
        }
        let account = sc::find_applicant_account(&st.store, &a.id_no).await?;
        (a, account, "counter", TrustLevel::B)
    } else {
        let user = zwfw_store::admin::get_user(&st.store, actor.user_id).await?;
        let given = input.applicant.clone().unwrap_or_default();
        let (kind, id_no) = match user.kind {
            AccountKind::Company => (ApplicantKind::Legal.code(), user.credit_code.clone().unwrap_or_default()),
            _ => (ApplicantKind::Natural.code(), user.id_number.clone().unwrap_or_default()),
        };
        let mobile =
            if given.mobile.trim().is_empty() { user.mobile.clone().unwrap_or_default() } else { given.mobile };
        let mut a = check_applicant(&ApplicantInput {
            kind: kind.into(),
            name: user.display_name.clone(),
            id_no,
            mobile,
            address: given.address,
            email: given.email,
        })?;
        if a.address.is_empty() {
            if let Some(r) = crate::registry::own_record(ctx).await? {
                a.address = r.address;
            }
        }
        (a, Some(actor.user_id), "online", TrustLevel::C)
    };
    // The form: the item's fields, checked (a draft may leave required ones empty).
    let form = check_form(&content, &input.form, input.draft)?;
    // Materials: each must be the actor's upload or the applicant's library entry.
    let who = super::sources::Applicant {
        kind: &applicant.kind,
        id_no: &applicant.id_no,
        name: &applicant.name,
        user_id: applicant_user_id,
    };
    let mats = super::sources::resolve_all(ctx, &who, &content, &input.materials, trust_upload).await?;
    if !input.draft {
        let missing: Vec<String> = content
            .materials
            .iter()
            .enumerate()
            .filter(|(i, spec)| spec.required && !mats.iter().any(|(m, _)| m.material_no == i + 1))
            .map(|(_, spec)| spec.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(unprocessable("materials_missing", missing.join("、")));
        }
    }
    let password = query_password();
    let salt = crate::accounts::sessions::random_token(8);
    let now = ctx.now();
    let form = serde_json::Value::Object(form);
    let scoped = key.as_ref().map(|k| scoped_key(actor, k));
    let query_hash = hash_query(&salt, &password);
    let new_case = NewCase {
        item_id,
        version_id,
        item_name: &content.name,
        impl_code: &item.impl_code,
        department_id: content.department_id,
        applicant_user_id,
        applicant_kind: &applicant.kind,
        applicant_name: &applicant.name,
        applicant_id_no: &applicant.id_no,
        applicant_mobile: &applicant.mobile,
        applicant_address: &applicant.address,
        applicant_email: &applicant.email,
        form: &form,
        channel,
        registered_by: actor.is_staff().then_some(actor.user_id),
        query_hash: &query_hash,
        idem_key: scoped.as_deref(),
    };
    let created = |case_id: i64| {
        ctx.entry(
            "case_create",
            "case",
            case_id,
            json!({"item_id": item_id, "version_id": version_id, "channel": channel, "materials": mats.len()}),
            "",
        )
    };
    let duplicate = |e: zwfw_store::StoreError| match e {
        zwfw_store::StoreError::Duplicate(_) => AppError::with_detail(Kind::Conflict, "already_submitted", "idem_key"),
        e => e.into(),
    };
    if input.draft {
        let mut tx = st.store.begin().await?;
        let row = sc::insert_case(&mut tx, &new_case, now).await.map_err(duplicate)?;
        attach_materials(&mut tx, &row, &mats, 0, actor.user_id, now).await?;
        ctx.audit(&mut tx, created(row.id)).await?;
        tx.commit().await?;
        crate::metrics::Metrics::inc(&st.metrics.cases_created);
        super::sources::record_uses(ctx, &mats, row.id).await?;
        return Ok(Submitted {
            case_id: row.id,
            case_no: None,
            query_password: Some(password),
            state: row.p.state,
            repeated: false,
        });
    }
    // Registered and submitted at once: everything is decided on the draft
    // as it would be stored, then written in one go.
    let draft = sc::draft_row(&new_case, now);
    let mut w = prepare(ctx, &draft, &content, &CaseView::new(), submission(actor, now)).await?;
    if w.joint.is_some() || w.document.is_some() {
        return Err(AppError::Internal("a submission writes no joint review and no document".into()));
    }
    // The audit records' object is the new case, whose id the store fills in.
    w.first_audit = Some(created(0));
    let audit = w.audit_records();
    let materials: Vec<sc::RegisteredMaterial> = mats
        .iter()
        .map(|(m, owned)| sc::RegisteredMaterial {
            m: owned.as_new(m.material_no as i64),
            library: match (applicant_user_id, m.e_material_id) {
                (_, Some(id)) => sc::Library::Reuse(id),
                (Some(owner), None) => sc::Library::File { owner },
                (None, None) => sc::Library::Without,
            },
        })
        .collect();
    let day = zwfw_domain::clock::local_date(now);
    let (case_id, case_no) = sc::register(
        &st.store,
        &sc::Registration {
            case: &new_case,
            p: &w.p,
            serial: &case_serial(&item.impl_code, day),
            number_prefix: &dc::case_number_prefix(&item.impl_code, day),
            event: w.new_event(0, None),
            materials: &materials,
            by: actor.user_id,
            audit: &audit,
            now_ms: now,
        },
    )
    .await
    .map_err(duplicate)?;
    count_written(ctx, audit.len());
    crate::metrics::Metrics::inc(&st.metrics.cases_created);
    super::sources::record_uses(ctx, &mats, case_id).await?;
    Ok(Submitted { case_id, case_no: Some(case_no), query_password: Some(password), state: w.p.state, repeated: false })
}

/// The kind of base record an applicant of `kind` (natural | legal) has.
pub fn registry_kind(kind: &str) -> zwfw_domain::registry::RecordKind {
    match ApplicantKind::parse(kind) {
        Some(ApplicantKind::Legal) => zwfw_domain::registry::RecordKind::Company,
        _ => zwfw_domain::registry::RecordKind::Person,
    }
}

/// The serial a case's number is taken from: the item's, for the day.
pub(super) fn case_serial(impl_code: &str, day: chrono::NaiveDate) -> String {
    format!("case:{impl_code}:{}", day.format("%Y%m%d"))
}

pub(super) fn scoped_key(actor: &Actor, key: &str) -> String {
    format!("{}:{key}", actor.user_id)
}

pub(super) async fn resolve_material(
    st: &App,
    actor: &Actor,
    applicant: Option<i64>,
    m: &MaterialRef,
    name: &str,
    trust_upload: TrustLevel,
) -> AppResult<sc::NewMaterialOwned> {
    match (m.upload_id, m.e_material_id) {
        (Some(u), None) => {
            let up = sc::get_upload(&st.store, u).await.map_err(AppError::missing("upload"))?;
            if up.owner_user_id != actor.user_id {
                return Err(AppError::not_found("upload"));
            }
            Ok(sc::NewMaterialOwned {
                name: name.to_string(),
                file_sm3: up.file_sm3,
                file_name: up.file_name,
                kind: up.kind,
                size: up.size,
                trust: trust_upload.code().to_string(),
                source: String::new(),
                license_id: None,
            })
        }
        (None, Some(e)) => {
            let em = sc::get_e_material(&st.store, e).await.map_err(AppError::missing("e_material"))?;
            if Some(em.owner_user_id) != applicant {
                return Err(AppError::not_found("e_material"));
            }
            Ok(sc::NewMaterialOwned {
                name: name.to_string(),
                file_sm3: em.file_sm3,
                file_name: em.file_name,
                kind: em.kind,
                size: em.size,
                trust: em.trust,
                source: String::new(),
                license_id: em.license_id,
            })
        }
        _ => Err(unprocessable("invalid_material", m.material_no.to_string())),
    }
}

/// Attaches materials to a case; an applicant with an account keeps them in
/// their e-materials library.
pub(super) async fn attach_materials(
    tx: &mut zwfw_store::Tx,
    row: &CaseRow,
    mats: &[(MaterialRef, sc::NewMaterialOwned)],
    round: i64,
    by: i64,
    now: i64,
) -> AppResult<()> {
    for (m, owned) in mats {
        let nm = owned.as_new(m.material_no as i64);
        let emat = match (row.applicant_user_id, m.e_material_id) {
            (_, Some(id)) => Some(id),
            (Some(owner), None) => Some(sc::file_e_material(tx, owner, &nm, Some(row.id), now).await?),
            (None, None) => None,
        };
        sc::add_material(tx, row.id, &nm, emat, round, Some(by), now).await?;
    }
    Ok(())
}

/// Numbers a saved draft and appends its `Submitted` event. The row every
/// submission of the item that day shares (the serial) is taken last, to be
/// held for as short as possible.
pub(super) async fn submit_in(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    row: &CaseRow,
    content: &ItemContent,
    actor: &Actor,
    idem_key: Option<&str>,
) -> AppResult<(String, Projection)> {
    let now = ctx.now();
    let w = prepare(ctx, row, content, &CaseView::new(), submission(actor, now)).await?;
    let p = w.p.clone();
    if !write_prepared(ctx, tx, row.id, &row.p, w, idem_key).await? {
        return Err(already_handled_plain());
    }
    // The day's serial is taken last: every application of the item that
    // day waits for its row until this transaction commits.
    let day = zwfw_domain::clock::local_date(now);
    let serial = sc::next_serial(tx, &case_serial(&row.impl_code, day)).await?;
    let no = dc::case_number(&row.impl_code, day, serial);
    sc::set_case_no(tx, row.id, &no).await?;
    Ok((no, p))
}
