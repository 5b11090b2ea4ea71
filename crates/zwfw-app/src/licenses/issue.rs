//! Issuance: a grant (办结 准予) of an item whose result is a licence writes
//! an issuance job in the conclusion's own transaction; the job issues the
//! licence right after, or waits (and the case shows why) until the issuer
//! has a key, and the background job and a key's generation run it again.

use super::keys::{signer_of, Signer};
use super::types;
use crate::documents::pdf::{self, Align, Block, Column, Part, QrFigure, Table};
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use chrono::NaiveDate;
use serde_json::json;
use zwfw_domain::cases::{ApplicantKind, Event, EventKind, Outcome};
use zwfw_domain::ids::CreditCode;
use zwfw_domain::licenses::{
    holder_kind_for, until_text, HolderKind, JobState, LicenseChange, LicenseId, LicenseMetadata, LicenseStatus,
    LicenseTypeCode, Validity, HOLDER_SALT_LEN,
};
use zwfw_store::cases::{self as sc, CaseRow};
use zwfw_store::licenses::{self as store, KeyRow, TypeRow};
use zwfw_store::Tx;

/// Why an issuance waits (shown on the case).
pub mod waits {
    /// The issuing department has no signing key yet.
    pub const NO_KEY: &str = "no_key";
    /// No master key is configured to open the department's key.
    pub const MASTER_KEY: &str = "master_key_missing";
    /// The item is no longer linked to an active licence type.
    pub const NO_TYPE: &str = "no_type";
    /// The department handling the case does not issue this type.
    pub const NOT_ISSUER: &str = "issuer_not_allowed";
    /// The issuing department's 统一社会信用代码 is not valid.
    pub const ISSUER_CODE: &str = "issuer_code_invalid";
    /// The licence type is held by the other kind of holder than the
    /// applicant (自然人 / 法人).
    pub const HOLDER_KIND: &str = "holder_kind_mismatch";
    /// The last try failed (an error the log names); the job tries again.
    pub const FAILED: &str = "issue_failed";
}

/// Whether event `e` concludes a case with a grant.
pub fn is_grant(e: &EventKind) -> bool {
    matches!(e, EventKind::Concluded { outcome: Outcome::Granted, .. })
}

/// Writes the issuance job of a granted case in the grant's transaction.
pub async fn write_job(tx: &mut Tx, case_id: i64, now_ms: i64) -> AppResult<()> {
    store::insert_job(tx, case_id, "", now_ms).await?;
    Ok(())
}

/// Runs every pending issuance job; how many issued.
pub async fn run_pending(st: &App) -> AppResult<usize> {
    let mut n = 0;
    for case_id in store::pending_jobs(st.store.pool(), 500).await? {
        match issue_for_case(st, case_id).await {
            Ok(true) => n += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(case = case_id, error = %e.message(), "licence not issued");
                // The case says it failed (and that the job tries again).
                let mut tx = st.store.begin().await?;
                store::job_waits(&mut tx, case_id, waits::FAILED, st.now_ms()).await?;
                tx.commit().await?;
            }
        }
    }
    Ok(n)
}

/// 20 random upper-case letters and digits (流水号).
fn new_serial() -> String {
    use rand::Rng;
    const SYMBOLS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut rng = rand::rngs::OsRng;
    (0..20).map(|_| SYMBOLS[rng.gen_range(0..SYMBOLS.len())] as char).collect()
}

/// What an issuance needs, or why it waits.
enum Ready {
    Go {
        ty: Box<TypeRow>,
        key: KeyRow,
        signer: Box<dyn Signer>,
        issuer: CreditCode,
        issuer_name: String,
        holder_kind: HolderKind,
    },
    Wait(&'static str),
}

async fn ready(st: &App, case: &CaseRow) -> AppResult<Ready> {
    let Some(ty) = types::of_item(st, case.item_id).await? else { return Ok(Ready::Wait(waits::NO_TYPE)) };
    if !ty.issuer_department_ids.is_empty() && !ty.issuer_department_ids.contains(&case.department_id) {
        return Ok(Ready::Wait(waits::NOT_ISSUER));
    }
    let type_kind =
        HolderKind::parse(&ty.holder_kind).ok_or_else(|| AppError::Internal("a licence type's holder kind".into()))?;
    let applicant = ApplicantKind::parse(&case.applicant_kind).unwrap_or(ApplicantKind::Natural);
    let Some(holder_kind) = holder_kind_for(type_kind, applicant) else { return Ok(Ready::Wait(waits::HOLDER_KIND)) };
    let dept = st.department(case.department_id).await?;
    let Ok(issuer) = CreditCode::parse(&dept.credit_code) else { return Ok(Ready::Wait(waits::ISSUER_CODE)) };
    let Some(key) = store::current_key(st.store.pool(), case.department_id).await? else {
        return Ok(Ready::Wait(waits::NO_KEY));
    };
    let signer = match signer_of(st, &key) {
        Ok(s) => s,
        Err(e) if e.code() == "master_key_missing" => return Ok(Ready::Wait(waits::MASTER_KEY)),
        Err(e) => return Err(e),
    };
    Ok(Ready::Go { ty: Box::new(ty), key, signer, issuer, issuer_name: dept.name.clone(), holder_kind })
}

/// The grant of a case: when, its number and the validity it named.
fn grant_of(events: &[sc::EventRow]) -> AppResult<(i64, String, Option<NaiveDate>)> {
    for r in events.iter().rev() {
        let e: Event = serde_json::from_value(r.body.clone()).map_err(|e| AppError::Internal(e.to_string()))?;
        if let EventKind::Concluded { outcome: Outcome::Granted, document_no, valid_until, .. } = e.kind {
            return Ok((e.at_ms, document_no, valid_until));
        }
    }
    Err(AppError::Internal("a licence job without a grant".into()))
}

/// The fields that name the holder itself: filled with the applicant's
/// name when the application form does not carry them (an application
/// names its applicant once, not again in every form).
const HOLDER_NAME_FIELDS: [&str; 7] = ["经营者名称", "名称", "姓名", "企业名称", "单位名称", "经营者", "持证人"];

/// A template field's text: the application form's value, else the
/// applicant's name for a field that names the holder, else empty.
fn field_value(form: &serde_json::Value, name: &str, applicant: &str) -> String {
    match form_value(form, name) {
        v if v.is_empty() && HOLDER_NAME_FIELDS.contains(&name) => applicant.to_string(),
        v => v,
    }
}

/// The text of a form's field, if the form has it.
fn form_value(form: &serde_json::Value, name: &str) -> String {
    match form.get(name) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// The licence file, laid out like a certificate inside a double frame:
/// A4, the shipped CJK font; the title and the licence number; a ruled
/// table of the holder, the template's fields (every one, in the type's
/// order), the validity and the item; the QR code (`qr_text`: the
/// verification address with the signed payload) beside the issuer and
/// the date of issue; the identifier and the verification address. A
/// person's 身份证号 is printed masked (the signed metadata hold it whole).
pub(super) fn render(m: &LicenseMetadata, template: &[String], qr_text: &str) -> AppResult<Vec<u8>> {
    let mut rows =
        vec![vec!["持证主体".to_string(), m.holder_name.clone()], vec![m.holder_code_type.clone(), printed_code(m)]];
    // The template's order; a field the metadata hold but the template no
    // longer names still prints, after them.
    let mut names: Vec<&String> = template.iter().filter(|n| m.fields.contains_key(*n)).collect();
    names.extend(m.fields.keys().filter(|n| !template.contains(n)));
    for name in names {
        let value = m.fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()).unwrap_or("—");
        rows.push(vec![name.clone(), value.to_string()]);
    }
    rows.push(vec![
        "有效期限".into(),
        format!("{} 至 {}", m.valid_from.format("%Y年%-m月%-d日"), until_cn(m.valid_until)),
    ]);
    // An imported licence (存量证照) has no item here.
    if !m.item_name.is_empty() {
        rows.push(vec!["关联事项".into(), format!("{}（{}）", m.item_name, m.item_code)]);
    }
    let parts = vec![
        Part::Text(Block::new(&m.name, 28.0, Align::Center).gap(12.0)),
        Part::Text(Block::new(format!("证照编号：{}", m.number), 11.0, Align::Center).gap(6.0)),
        Part::Rows(Table {
            columns: vec![Column::new("项目", 1.0, Align::Left), Column::new("内容", 2.8, Align::Left)],
            rows,
            size: 12.0,
            space_before: 22.0,
        }),
        Part::Qr(QrFigure {
            text: qr_text.to_string(),
            side: QR_SIDE,
            caption: "扫码核验".into(),
            beside: vec![
                Block::new("颁发机构（电子签章）", 10.0, Align::Right).gap(30.0),
                Block::new(&m.issuer_name, 15.0, Align::Right).gap(4.0),
                Block::new(m.issued_on.format("%Y年%-m月%-d日").to_string(), 12.0, Align::Right).gap(6.0),
            ],
            space_before: 28.0,
        }),
        Part::Text(Block::new(format!("电子证照标识：{}", m.id), 8.0, Align::Left).gap(16.0)),
        Part::Text(Block::new(
            format!("核验地址：{}", qr_text.split('?').next().unwrap_or_default()),
            8.0,
            Align::Left,
        )),
        Part::Text(Block::new(
            "本证照由颁发机构以SM2数字签名签发；扫描二维码或打开核验地址可核验真伪与状态，二维码内的签名亦可离线核验。",
            8.0,
            Align::Left,
        )),
    ];
    pdf::render_certificate(&m.name, &parts).map_err(|e| AppError::Internal(e.to_string()))
}

/// The side of the QR code on the licence, in points (about 4.6 cm).
const QR_SIDE: f32 = 130.0;

/// The holder's code as printed: a person's 身份证号 masked, a credit code whole.
fn printed_code(m: &LicenseMetadata) -> String {
    if m.holder_code_type == HolderKind::Person.code_type() {
        zwfw_domain::ids::mask_middle(&m.holder_code, 6, 4)
    } else {
        m.holder_code.clone()
    }
}

fn until_cn(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y年%-m月%-d日").to_string()).unwrap_or_else(|| until_text(None))
}

/// A licence ready to be written: its metadata signed, and its QR payload.
pub(super) struct Signed {
    pub metadata: LicenseMetadata,
    /// The size of the licence file, in bytes.
    pub file_size: i64,
    pub bytes: Vec<u8>,
    pub signature: [u8; 64],
    pub qr_payload: String,
    /// The salt of the holder digests in the signed text.
    pub holder_salt: [u8; HOLDER_SALT_LEN],
}

/// Signs the QR payload, renders the file with it, stores the file, and
/// signs the metadata with the file's SM3, in the public encoding
/// (`zwfw-license/2`) with a fresh random salt for the holder digests.
pub(super) async fn sign(
    st: &App,
    mut m: LicenseMetadata,
    template: &[String],
    signer: &dyn Signer,
) -> AppResult<Signed> {
    let qr_payload = super::qr::payload(&m, signer)?;
    let text = super::qr::text(st, &m.id.to_string(), &qr_payload);
    let file = {
        let (m, template) = (m.clone(), template.to_vec());
        tokio::task::spawn_blocking(move || render(&m, &template, &text))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??
    };
    let file_size = file.len() as i64;
    m.file_sm3 = st.put_file(file).await?;
    let mut holder_salt = [0u8; HOLDER_SALT_LEN];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut holder_salt);
    let bytes = m.public_signing_bytes(&holder_salt);
    let signature = signer.sign(&bytes)?;
    Ok(Signed { metadata: m, file_size, bytes, signature, qr_payload, holder_salt })
}

/// Issues the licence of a granted case whose job is pending: true when
/// issued now; false when it was issued before or still waits (the reason
/// is recorded on the job).
pub async fn issue_for_case(st: &App, case_id: i64) -> AppResult<bool> {
    let Some(job) = store::job(st.store.pool(), case_id).await? else { return Ok(false) };
    if job.license_id.is_some() || job.state != JobState::Pending.code() {
        return Ok(false);
    }
    // The licence joins the records the grant pushed to the regulators and
    // its 双公示 record, which the derivation writes after the grant: issued
    // only once they exist (else the job waits and is run again).
    if !crate::handover::conclusion_pushed(st, case_id).await? {
        crate::cases::notices::derive(st).await?;
        if !crate::handover::conclusion_pushed(st, case_id).await? {
            return Ok(false);
        }
    }
    let case = sc::get_case(&st.store, case_id).await?;
    let (ty, key, signer, issuer, issuer_name, kind) = match ready(st, &case).await? {
        Ready::Go { ty, key, signer, issuer, issuer_name, holder_kind } => {
            (ty, key, signer, issuer, issuer_name, holder_kind)
        }
        Ready::Wait(reason) => {
            if job.reason != reason {
                let mut tx = st.store.begin().await?;
                store::job_waits(&mut tx, case_id, reason, st.now_ms()).await?;
                tx.commit().await?;
            }
            return Ok(false);
        }
    };
    let (granted_at, document_no, named_until) = grant_of(&sc::events(&st.store, case_id).await?)?;
    let issued_on = zwfw_domain::clock::local_date(granted_at);
    let validity = Validity::from_years(ty.validity_years)?;
    let valid_until = named_until.or_else(|| validity.valid_until(issued_on));
    let content = crate::cases::item_version(st, case.version_id).await?;
    let serial = new_serial();
    let id = LicenseId::new(LicenseTypeCode::parse(&ty.code)?, issuer.clone(), &serial, 1)?;
    let metadata = LicenseMetadata {
        number: if document_no.trim().is_empty() { serial.clone() } else { document_no },
        id,
        name: ty.name.clone(),
        type_name: ty.name.clone(),
        define_authority: ty.define_authority.clone(),
        issuer_name,
        issued_on,
        holder_name: case.applicant_name.clone(),
        holder_code: case.applicant_id_no.clone(),
        holder_code_type: kind.code_type().into(),
        area_code: issuer.region_code().to_string(),
        valid_from: issued_on,
        valid_until,
        item_name: content.name.clone(),
        item_code: case.impl_code.clone(),
        case_no: case.case_no.clone().unwrap_or_default(),
        file_sm3: String::new(),
        fields: ty.template.iter().map(|f| (f.clone(), field_value(&case.form, f, &case.applicant_name))).collect(),
    };
    let signed = sign(st, metadata, &ty.template, signer.as_ref()).await?;
    let ctx = Ctx { state: st, actor: None, client_addr: "job".into() };
    let mut tx = st.store.begin().await?;
    match store::lock_job(&mut tx, case_id).await? {
        Some(j) if j.license_id.is_none() && j.state == JobState::Pending.code() => {}
        _ => return Ok(false),
    }
    let license_id = write_version(&ctx, &mut tx, &signed, &key, &ty, &case, kind, LicenseChange::Issued, "").await?;
    store::job_issued(&mut tx, case_id, license_id, ctx.now()).await?;
    crate::handover::attach_license(&mut tx, case_id, license_id).await?;
    let valid_from = zwfw_domain::time::ymd(signed.metadata.valid_from);
    let valid_until = signed.metadata.valid_until.map(zwfw_domain::time::ymd);
    crate::credit::attach_license(&mut tx, case_id, &ty.name, &valid_from, valid_until.as_deref()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Writes a signed licence version, its history entry and its audit record.
#[allow(clippy::too_many_arguments)]
pub(super) async fn write_version(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    s: &Signed,
    key: &KeyRow,
    ty: &TypeRow,
    case: &CaseRow,
    kind: HolderKind,
    change: LicenseChange,
    note: &str,
) -> AppResult<i64> {
    let m = &s.metadata;
    let identifier = m.id.to_string();
    let signed_data = String::from_utf8(s.bytes.clone()).map_err(|e| AppError::Internal(e.to_string()))?;
    let signature = hex::encode(s.signature);
    let valid_from = zwfw_domain::time::ymd(m.valid_from);
    let valid_until = m.valid_until.map(zwfw_domain::time::ymd);
    let hidden = m.hidden_fields();
    let hidden_fields = if hidden.is_empty() { String::new() } else { json!(hidden).to_string() };
    let license_id = store::insert_license(
        tx,
        &store::NewLicense {
            identifier: &identifier,
            serial: m.id.serial(),
            version: i64::from(m.id.version()),
            type_id: ty.id,
            issuer_department_id: case.department_id,
            key_id: key.id,
            case_id: Some(case.id),
            item_id: Some(case.item_id),
            holder_user_id: case.applicant_user_id,
            holder_kind: kind.code(),
            holder_name: &m.holder_name,
            holder_code: &m.holder_code,
            valid_from: &valid_from,
            valid_until: valid_until.as_deref(),
            issued_at: ctx.now(),
            signed_data: &signed_data,
            signature: &signature,
            file_sm3: &m.file_sm3,
            origin: "issued",
            qr_payload: &s.qr_payload,
            holder_salt: &hex::encode(s.holder_salt),
            hidden_fields: &hidden_fields,
        },
    )
    .await?;
    let detail = json!({"identifier": identifier, "case_id": case.id, "type": ty.code, "key_id": key.id,
        "file_sm3": m.file_sm3, "valid_until": until_text(m.valid_until)});
    let signed = SignedChange {
        change,
        status: LicenseStatus::Valid,
        note,
        key_id: key.id,
        signed_data: &signed_data,
        signature: &signature,
    };
    record_change(tx, ctx, license_id, &signed, detail).await?;
    // The province's licence catalogue (up_lic_data) hears of the version
    // with it.
    zwfw_store::exchange::enqueue_license(tx, case.id, license_id, ctx.now()).await?;
    crate::exchange::wake();
    // The result enters the holder's 电子要件库 as trust A, to be used again
    // in later applications.
    if let Some(owner) = case.applicant_user_id {
        let file_name = format!("{}（电子证照 {}）.pdf", ty.name, identifier);
        let m = zwfw_store::cases::NewMaterial {
            material_no: 0,
            name: &ty.name,
            file_sm3: &m.file_sm3,
            file_name: &file_name,
            kind: "pdf",
            size: s.file_size,
            trust: zwfw_domain::cases::TrustLevel::A.code(),
            source: "license",
            license_id: Some(license_id),
        };
        zwfw_store::files::record(tx, m.file_sm3, s.file_size, "pdf", None, ctx.now()).await?;
        zwfw_store::cases::file_e_material(tx, owner, &m, Some(case.id), ctx.now()).await?;
    }
    Ok(license_id)
}

/// A signed change of a licence: what its event row records.
pub(super) struct SignedChange<'a> {
    pub change: LicenseChange,
    pub status: LicenseStatus,
    pub note: &'a str,
    pub key_id: i64,
    pub signed_data: &'a str,
    pub signature: &'a str,
}

/// Writes a signed change's event row and its audit record, by the actor (or
/// the system, for a job).
pub(super) async fn record_change(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    license_id: i64,
    c: &SignedChange<'_>,
    detail: serde_json::Value,
) -> AppResult<()> {
    let actor_name = ctx.actor.map(|a| a.display_name.clone()).unwrap_or_else(|| "系统".into());
    let row = store::NewEvent {
        license_id,
        change: c.change.code(),
        status: c.status.code(),
        at: ctx.now(),
        actor_id: ctx.actor.map(|a| a.user_id),
        actor_name: &actor_name,
        note: c.note,
        key_id: c.key_id,
        signed_data: c.signed_data,
        signature: c.signature,
    };
    store::insert_event(tx, &row).await?;
    ctx.audit(tx, ctx.entry(&format!("license_{}", c.change.code()), "license", license_id, detail, c.note)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::field_value;

    #[test]
    fn a_field_naming_the_holder_is_the_applicant_unless_the_form_says_otherwise() {
        let form = serde_json::json!({"经营场所": "示例市市民大道 1 号", "名称": "明达餐厅"});
        assert_eq!(field_value(&form, "经营者名称", "示例市明达餐饮有限公司"), "示例市明达餐饮有限公司");
        assert_eq!(field_value(&form, "名称", "示例市明达餐饮有限公司"), "明达餐厅", "the form's own value");
        assert_eq!(field_value(&form, "经营场所", "示例市明达餐饮有限公司"), "示例市市民大道 1 号");
        assert_eq!(field_value(&form, "经营项目", "示例市明达餐饮有限公司"), "", "not a holder field");
    }
}
