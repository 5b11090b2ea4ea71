//! Where a material of an application comes from, besides an upload or the
//! applicant's e-materials library: the 人口库/法人库 (trust A), an
//! electronic licence the applicant holds (trust A, checked and written
//! into its 用证 log) or a 告知承诺 signed instead of the material (trust
//! D). The same for an application, a draft and a supplement. And, later,
//! a commitment the department finds unfulfilled: recorded, audited, the
//! applicant told, and a supervision finding (A09) opened.

use super::*;
use crate::documents::pdf::{self, Align, Block};
use zwfw_domain::cases::{check_sources, MaterialSource, SourceRefusal};
use zwfw_domain::catalog::Material;
use zwfw_domain::licenses::{usable_as_material, LicenseId, UseFacts};
use zwfw_domain::registry::{slip_accepted, RecordKind};
use zwfw_store::cases::NewMaterialOwned;
use zwfw_store::licenses::{self as sl, LicenseRow};

/// The source of a case material that is an electronic licence.
pub const LICENSE: &str = "license";
/// The source of a case material that is a 告知承诺.
pub const COMMITMENT: &str = "commitment";
/// The 用证 log's purpose for a use as an application material.
pub const USE_PURPOSE: &str = "application";

/// Who applies, as a material's source reads it.
pub(super) struct Applicant<'a> {
    /// natural | legal
    pub kind: &'a str,
    pub id_no: &'a str,
    pub name: &'a str,
    pub user_id: Option<i64>,
}

impl<'a> Applicant<'a> {
    pub fn of(row: &'a CaseRow) -> Applicant<'a> {
        Applicant {
            kind: &row.applicant_kind,
            id_no: &row.applicant_id_no,
            name: &row.applicant_name,
            user_id: row.applicant_user_id,
        }
    }
}

/// The ways one reference names (an upload, a library entry, the registry,
/// a licence, a commitment).
fn named(m: &MaterialRef) -> Vec<MaterialSource> {
    [
        (m.upload_id.is_some(), MaterialSource::Upload),
        (m.e_material_id.is_some(), MaterialSource::Library),
        (m.from_registry, MaterialSource::Registry),
        (m.license.is_some(), MaterialSource::License),
        (m.commitment, MaterialSource::Commitment),
    ]
    .into_iter()
    .filter_map(|(given, s)| given.then_some(s))
    .collect()
}

/// Checks the ways every material of one request is given, against what
/// its item allows (`zwfw_domain::cases::check_sources`): a refusal names
/// the material (its name is the detail), and nothing is stored.
pub(super) fn check_refs(who: &Applicant<'_>, content: &ItemContent, refs: &[MaterialRef]) -> AppResult<()> {
    let kind = registry_kind(who.kind);
    for m in refs {
        content.materials.get(m.material_no.wrapping_sub(1)).ok_or_else(|| invalid_no(m.material_no))?;
    }
    for (i, spec) in content.materials.iter().enumerate() {
        let given: Vec<Vec<MaterialSource>> = refs.iter().filter(|m| m.material_no == i + 1).map(named).collect();
        if given.is_empty() {
            continue;
        }
        check_sources(spec, kind, &given).map_err(|r| {
            let detail = match r {
                // A reference naming nothing: its number, as before.
                SourceRefusal::Nothing => (i + 1).to_string(),
                _ => spec.name.clone(),
            };
            unprocessable(r.code(), detail)
        })?;
    }
    Ok(())
}

fn invalid_no(material_no: usize) -> AppError {
    unprocessable("invalid_material", material_no.to_string())
}

/// The materials of an application, a draft or a supplement, each from the
/// one way it names, once the ways are found allowed ([`check_refs`]).
pub(super) async fn resolve_all(
    ctx: &Ctx<'_>,
    who: &Applicant<'_>,
    content: &ItemContent,
    refs: &[MaterialRef],
    trust_upload: TrustLevel,
) -> AppResult<Vec<(MaterialRef, NewMaterialOwned)>> {
    check_refs(who, content, refs)?;
    let mut out = Vec::with_capacity(refs.len());
    for m in refs {
        let spec = content.materials.get(m.material_no.wrapping_sub(1)).ok_or_else(|| invalid_no(m.material_no))?;
        out.push((m.clone(), resolve(ctx, who, content, m, spec, trust_upload).await?));
    }
    Ok(out)
}

/// A material from the one way it names: an upload, a library entry, the
/// registry, a licence or a commitment.
async fn resolve(
    ctx: &Ctx<'_>,
    who: &Applicant<'_>,
    content: &ItemContent,
    m: &MaterialRef,
    spec: &Material,
    trust_upload: TrustLevel,
) -> AppResult<NewMaterialOwned> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if m.from_registry {
        let kind = registry_kind(who.kind);
        return crate::registry::material::material(ctx, kind, who.id_no, who.name, &spec.name).await;
    }
    if let Some(identifier) = &m.license {
        return license_material(ctx, who, spec, identifier).await;
    }
    if m.commitment {
        return commitment_material(ctx, who, content, spec).await;
    }
    let owned = resolve_material(st, actor, who.user_id, m, &spec.name, trust_upload).await?;
    if let Some(license_id) = owned.license_id {
        // A library entry that is a licence counts as A only while the
        // licence does: checked like a licence named directly.
        let l = sl::get_license(st.store.pool(), license_id).await?;
        let ty = sl::get_type(st.store.pool(), l.type_id).await?;
        check_use(st, who, &l, &ty.code).await?;
    }
    Ok(owned)
}

/// Why a licence cannot serve, as an error of the application.
async fn check_use(st: &App, who: &Applicant<'_>, l: &LicenseRow, wanted_type: &str) -> AppResult<()> {
    let v = crate::licenses::verify::view(st, l).await?;
    let ty = sl::get_type(st.store.pool(), l.type_id).await?;
    let facts = UseFacts {
        status: v.status,
        holder_user_id: l.holder_user_id,
        holder_code: &l.holder_code,
        type_code: &ty.code,
        signature_valid: v.signature_valid,
    };
    usable_as_material(&facts, who.user_id, who.id_no, wanted_type).map_err(|r| {
        let detail = if r.detail().is_empty() { l.identifier.clone() } else { r.detail().to_string() };
        AppError::with_detail(Kind::Invalid, r.code(), detail)
    })
}

/// The licence named by `identifier` as the material `spec` asks for.
async fn license_material(
    ctx: &Ctx<'_>,
    who: &Applicant<'_>,
    spec: &Material,
    identifier: &str,
) -> AppResult<NewMaterialOwned> {
    let st = ctx.state;
    let id = LicenseId::parse(identifier)?;
    let l = sl::by_identifier(st.store.pool(), &id.to_string())
        .await?
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "license_not_found", id.to_string()))?;
    check_use(st, who, &l, &spec.license_type_code).await?;
    let ty = sl::get_type(st.store.pool(), l.type_id).await?;
    let bytes = st.file(&l.file_sm3).await?;
    let size = bytes.map(|b| b.len() as i64).ok_or_else(|| AppError::Internal("licence file missing".into()))?;
    let mut tx = st.store.begin().await?;
    zwfw_store::files::record(&mut tx, &l.file_sm3, size, "pdf", None, ctx.now()).await?;
    tx.commit().await?;
    Ok(NewMaterialOwned {
        name: spec.name.clone(),
        file_sm3: l.file_sm3.clone(),
        file_name: format!("{}（电子证照 {}）.pdf", ty.name, l.identifier),
        kind: "pdf".into(),
        size,
        trust: TrustLevel::A.code().into(),
        source: LICENSE.into(),
        license_id: Some(l.id),
    })
}

/// The 告知承诺书 the applicant signs instead of the material `spec`.
async fn commitment_material(
    ctx: &Ctx<'_>,
    who: &Applicant<'_>,
    content: &ItemContent,
    spec: &Material,
) -> AppResult<NewMaterialOwned> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let now = ctx.now();
    let text = crate::messages::commitment_text(&content.name, &spec.name);
    let blocks = vec![
        Block::new("告知承诺书", 18.0, Align::Center),
        Block::para(format!("事项：{}", content.name)).gap(16.0),
        Block::para(format!("承诺替代的申请材料：{}", spec.name)),
        Block::para(format!("申请人：{}", who.name)),
        Block::para(text).gap(12.0),
        Block::para(format!("签署人：{}", actor.display_name)).gap(16.0),
        Block::para(format!("签署时间：{}", zwfw_domain::time::format_local(now))),
        Block::para("本承诺书由申请人在政务服务平台勾选确认签署，可信等级为D级（告知承诺）。").gap(12.0),
    ];
    let bytes = pdf::render("告知承诺书", &blocks).map_err(|e| AppError::Internal(format!("commitment: {e:?}")))?;
    let size = bytes.len() as i64;
    let sm3 = st.put_file(bytes).await?;
    let mut tx = st.store.begin().await?;
    zwfw_store::files::record(&mut tx, &sm3, size, "pdf", Some(actor.user_id), now).await?;
    tx.commit().await?;
    Ok(NewMaterialOwned {
        name: spec.name.clone(),
        file_sm3: sm3,
        file_name: "告知承诺书.pdf".into(),
        kind: "pdf".into(),
        size,
        trust: TrustLevel::D.code().into(),
        source: COMMITMENT.into(),
        license_id: None,
    })
}

/// Writes each licence used into its 用证 log, once the case holds it.
pub(super) async fn record_uses(
    ctx: &Ctx<'_>,
    mats: &[(MaterialRef, NewMaterialOwned)],
    _case_id: i64,
) -> AppResult<()> {
    let st = ctx.state;
    for (_, owned) in mats {
        let Some(license_id) = owned.license_id else { continue };
        let l = sl::get_license(st.store.pool(), license_id).await?;
        sl::record_use(
            &st.store,
            l.id,
            &l.identifier,
            USE_PURPOSE,
            ctx.actor.map(|a| a.user_id),
            &ctx.client_addr,
            ctx.now(),
        )
        .await?;
    }
    Ok(())
}

// ---------- what the apply form offers ----------

/// What an applicant may use for one material instead of an upload.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaterialOption)]
pub struct MaterialOption {
    /// 1-based number of the material in the item's list.
    pub material_no: usize,
    pub name: String,
    /// The licence type the material is (证照类型代码), if any.
    pub license_type_code: String,
    /// The applicant's licences of that type valid today (give one's
    /// `identifier` as `materials[].license`).
    pub licenses: Vec<crate::licenses::holder::HeldLicense>,
    /// Which 人口库/法人库 record may stand for the material: `person`,
    /// `company`, `any` (the applicant's own, whichever kind) or empty (none).
    pub registry: String,
    /// Whether the signed-in applicant may use their record for it
    /// (`materials[].from_registry`): the registry holds it and it is of the
    /// kind the material takes. Never for staff (a counter registration
    /// names its materials itself).
    pub registry_usable: bool,
    /// Whether a 告知承诺 may replace the material (`materials[].commitment`).
    pub commitment: bool,
    /// The text the applicant commits to (empty when not allowed).
    pub commitment_text: String,
}

/// For each material of a published item: the signed-in applicant's usable
/// licences and whether a commitment may replace it.
pub async fn material_options(ctx: &Ctx<'_>, item_id: i64) -> AppResult<Vec<MaterialOption>> {
    let st = ctx.state;
    ctx.actor.ok_or_else(AppError::forbidden)?;
    let item = zwfw_store::catalog::get_item(&st.store, item_id).await?;
    let version_id = match (zwfw_domain::catalog::ItemStatus::parse(&item.status), item.published_version_id) {
        (Some(ItemStatus::Active), Some(v)) => v,
        _ => return Err(AppError::not_found("item")),
    };
    let content = item_version(st, version_id).await?;
    options_of(ctx, &content).await
}

/// What may serve for each material of `content`: the signed-in
/// applicant's usable licences of its type (none for staff: a counter
/// registration names the licence itself), and the commitment it allows.
pub async fn options_of(ctx: &Ctx<'_>, content: &ItemContent) -> AppResult<Vec<MaterialOption>> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let held = if actor.is_staff() { vec![] } else { crate::licenses::holder::usable(ctx).await? };
    // The kind of the applicant's own record, when the registry holds one.
    let record = match actor.is_staff() {
        true => None,
        false => crate::registry::own_record(ctx).await?.and_then(|r| RecordKind::parse(&r.kind)),
    };
    Ok(content
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| MaterialOption {
            material_no: i + 1,
            name: m.name.clone(),
            license_type_code: m.license_type_code.clone(),
            licenses: if m.license_type_code.is_empty() {
                vec![]
            } else {
                held.iter()
                    .filter(|(code, _)| code.eq_ignore_ascii_case(&m.license_type_code))
                    .map(|(_, h)| h.clone())
                    .collect()
            },
            registry: m.registry.clone(),
            registry_usable: record.is_some_and(|k| slip_accepted(&m.registry, k)),
            commitment: m.commitment,
            commitment_text: if m.commitment {
                crate::messages::commitment_text(&content.name, &m.name)
            } else {
                String::new()
            },
        })
        .collect())
}

// ---------- what the case shows of them ----------

/// The live verification of a material that is a licence.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaterialLicenseCheck)]
pub struct LicenseCheck {
    pub identifier: String,
    /// valid | superseded | cancelled | revoked | expired, today.
    pub status: zwfw_domain::licenses::LicenseStatus,
    pub status_label: String,
    /// Whether the issuer's signature holds.
    pub signature_valid: bool,
    pub verify_url: String,
}

/// A 告知承诺 of a case: who signed it and when, and whether the
/// department found it unfulfilled.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaterialCommitment)]
pub struct CommitmentView {
    pub signed_by: String,
    pub signed_at: i64,
    pub text: String,
    pub unfulfilled: Option<sc::BreachRow>,
}

/// What a case shows beside one of its materials.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CaseMaterialCheck)]
pub struct MaterialCheck {
    pub material_id: i64,
    pub license: Option<LicenseCheck>,
    pub commitment: Option<CommitmentView>,
}

/// The checks of a case's licence and commitment materials.
pub(super) async fn checks(
    st: &App,
    row: &CaseRow,
    content: &ItemContent,
    materials: &[sc::MaterialRow],
) -> AppResult<Vec<MaterialCheck>> {
    let mut out = vec![];
    let breaches =
        if materials.iter().any(|m| m.source == COMMITMENT) { sc::breaches(&st.store, row.id).await? } else { vec![] };
    for m in materials {
        let license = match m.license_id {
            Some(id) => {
                let l = sl::get_license(st.store.pool(), id).await?;
                let v = crate::licenses::verify::view(st, &l).await?;
                Some(LicenseCheck {
                    identifier: l.identifier.clone(),
                    status: v.status,
                    status_label: v.status_label,
                    signature_valid: v.signature_valid,
                    verify_url: crate::licenses::verify_path(&l.identifier),
                })
            }
            None => None,
        };
        let commitment = if m.source == COMMITMENT {
            let signed_by = match m.added_by {
                Some(u) => zwfw_store::admin::get_user(&st.store, u).await?.display_name,
                None => String::new(),
            };
            Some(CommitmentView {
                signed_by,
                signed_at: m.added_at,
                text: crate::messages::commitment_text(&content.name, &m.name),
                unfulfilled: breaches.iter().find(|b| b.material_id == m.id).cloned(),
            })
        } else {
            None
        };
        if license.is_some() || commitment.is_some() {
            out.push(MaterialCheck { material_id: m.id, license, commitment });
        }
    }
    Ok(out)
}

// ---------- a commitment found unfulfilled ----------

/// The department's finding that a commitment was not kept.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UnfulfilledInput {
    /// Why (what the check found), required.
    pub reason: String,
}

/// Marks a case's commitment unfulfilled: the case's department only
/// (`access::cases::may_mark_commitment`). Opens a supervision finding
/// (A09, when the rule is on), records the mark once, audits it and tells
/// the applicant.
/// The actor who may mark the case's commitments unfulfilled, with the case.
async fn marker<'a>(ctx: &'a Ctx<'_>, case_id: i64) -> AppResult<(&'a Actor, sc::CaseRow)> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&st.store, case_id).await?;
    let content = item_version(st, row.version_id).await?;
    if !readable(actor, &row, &content) {
        return Err(AppError::not_found("case"));
    }
    access::may_mark_commitment(actor, &facts(&row)).map_err(refused)?;
    Ok((actor, row))
}

/// Whether the actor may mark the case's commitments unfulfilled (asked
/// before the form is read).
pub async fn may_mark_unfulfilled(ctx: &Ctx<'_>, case_id: i64) -> AppResult<()> {
    marker(ctx, case_id).await.map(|_| ())
}

pub async fn mark_unfulfilled(
    ctx: &Ctx<'_>,
    case_id: i64,
    material_id: i64,
    input: &UnfulfilledInput,
) -> AppResult<sc::BreachRow> {
    let st = ctx.state;
    let (actor, row) = marker(ctx, case_id).await?;
    let m = sc::materials(&st.store, case_id)
        .await?
        .into_iter()
        .find(|m| m.id == material_id && m.source == COMMITMENT)
        .ok_or_else(|| AppError::not_found("commitment"))?;
    if row.p.state == CaseState::Draft.code() {
        return Err(AppError::with_detail(Kind::Conflict, "case_is_draft", "commitment"));
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(unprocessable("reason_required", "请填写核查情况（承诺未履行的事实）"));
    }
    if reason.chars().count() > 2000 {
        return Err(unprocessable("reason_too_long", "2000"));
    }
    if sc::breaches(&st.store, case_id).await?.iter().any(|b| b.material_id == m.id) {
        return Err(AppError::with_detail(Kind::Conflict, "commitment_already_marked", m.id.to_string()));
    }
    let finding_no = crate::supervision::commitment_finding(st, &row, m.material_no, &m.name, reason).await?;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let breach = sc::NewBreach {
        case_id,
        material_id: m.id,
        material_no: m.material_no,
        reason,
        marked_by: actor.user_id,
        marked_name: &actor.display_name,
        finding_no: finding_no.as_deref().unwrap_or(""),
    };
    let id = sc::add_breach(&mut tx, &breach, now).await.map_err(|e| match e {
        zwfw_store::StoreError::Duplicate(_) => {
            AppError::with_detail(Kind::Conflict, "commitment_already_marked", m.id.to_string())
        }
        e => e.into(),
    })?;
    let detail = json!({"material_id": m.id, "material_no": m.material_no, "material": m.name,
        "finding_no": finding_no.clone().unwrap_or_default()});
    ctx.audit(&mut tx, ctx.entry("commitment_unfulfilled", "case", case_id, detail, reason)).await?;
    if let Some(user) = row.applicant_user_id {
        let (title, body) = crate::messages::commitment_unfulfilled_notice(&row.item_name, &m.name, reason);
        zwfw_store::interaction::notify_users(&mut tx, &[user], &title, &body, &format!("/cases/{case_id}"), now)
            .await?;
    }
    tx.commit().await?;
    sc::breaches(&st.store, case_id)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| AppError::Internal("the mark was not recorded".into()))
}
