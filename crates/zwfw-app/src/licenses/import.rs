//! Import of existing licences (存量证照) by a system administrator: an
//! Excel workbook, a CSV file or JSON whose columns are those of the
//! national exchange table `up_lic_data`. All or nothing: every bad cell is
//! named (row, column, why) and nothing is stored while one remains. A
//! check character that does not match is only a warning (some deployed
//! systems compute it wrongly): such rows are kept only when the
//! administrator confirms, and the confirmation names the file by its SM3,
//! so that it holds for those exact bytes alone.
//!
//! An imported licence is signed at import by its issuing department's
//! current key over a record that says it was imported (`origin=imported`),
//! from which file and when, and whether its check character held
//! ([`zwfw_domain::licenses::import::ImportSeal`]); verification shows it
//! as imported. The signature attests the record the platform imported, not
//! the original licence file, which the platform never had.

use super::keys::{signer_of, Signer};
use super::manager;
use crate::error::{AppError, AppResult};
use crate::registry::extract::{self as tab, CellError, Format, Rows};
use crate::state::Ctx;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use zwfw_domain::access::licenses::may_manage_types;
use zwfw_domain::licenses::import::{
    check_row, same_version_key, ImportField, ImportSeal, ImportedLicense, ImportedUntil,
};
use zwfw_domain::licenses::{HolderKind, LicenseChange, LicenseId, LicenseStatus, Validity};
use zwfw_store::licenses::{self as store, KeyRow, TypeRow};

/// What a preview found: the file's SM3 (to confirm with), its rows and
/// the warnings that need a confirmation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseImportPreview)]
pub struct Preview {
    /// SM3 of the file, lower-case hex: give it as `confirm` to import this
    /// file despite its warnings.
    pub sm3: String,
    /// xlsx | csv | json
    pub format: String,
    /// The licences the file holds.
    pub rows: usize,
    /// Rows whose check character does not match (`license_check_mismatch`).
    pub warnings: Vec<CellError>,
}

/// What an import stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseImported)]
pub struct Imported {
    pub sm3: String,
    pub format: String,
    /// Licences stored (all the file's).
    pub imported: usize,
    /// Of them, with a check character that does not match (confirmed).
    pub check_mismatches: usize,
}

/// Why an import stored nothing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseImportReport)]
pub struct ImportReport {
    /// license_import_rejected (bad cells) | license_import_unconfirmed
    /// (warnings not confirmed for this file) | forbidden | login_required |
    /// bad_request …
    pub code: String,
    pub message: String,
    /// Every bad cell (license_import_rejected).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CellError>,
    /// The warnings to confirm (license_import_unconfirmed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<CellError>,
    /// The file's SM3 (license_import_unconfirmed): the value to confirm with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sm3: Option<String>,
}

impl ImportReport {
    pub fn of(e: AppError) -> ImportReport {
        ImportReport { code: e.code().into(), message: e.message(), errors: vec![], warnings: vec![], sm3: None }
    }
    fn rejected(errors: Vec<CellError>) -> ImportReport {
        ImportReport {
            code: "license_import_rejected".into(),
            message: crate::messages::error_text("license_import_rejected", Some(&errors.len().to_string())),
            errors,
            warnings: vec![],
            sm3: None,
        }
    }
}

fn file_error(code: &str, detail: Option<&str>) -> CellError {
    CellError {
        sheet: String::new(),
        row: 0,
        column: String::new(),
        code: code.into(),
        message: crate::messages::error_text(code, detail),
    }
}

/// One row read and checked on its own: a row whose identifier could be
/// read, with the licence when every other cell is right too (a row refused
/// for other cells is still checked for duplicates).
struct Row {
    sheet: String,
    row: usize,
    /// The column naming each field (letter and header, or the JSON key).
    columns: HashMap<ImportField, String>,
    /// The identifier as written.
    id: LicenseId,
    license: Option<ImportedLicense>,
    warning: Option<CellError>,
}

impl Row {
    fn cell(&self, field: ImportField, code: &str, detail: Option<&str>) -> CellError {
        CellError {
            sheet: self.sheet.clone(),
            row: self.row,
            column: self.columns.get(&field).cloned().unwrap_or_else(|| field.key().to_string()),
            code: code.into(),
            message: crate::messages::error_text(code, detail),
        }
    }
}

/// Checks a row whose cells `get` gives; keeps it, or names its every bad cell.
fn take(
    sheet: &str,
    row: usize,
    columns: HashMap<ImportField, String>,
    get: &dyn Fn(ImportField) -> String,
    out: &mut Vec<Row>,
    errors: &mut Vec<CellError>,
) {
    let column = |f: ImportField| columns.get(&f).cloned().unwrap_or_else(|| format!("{} {}", f.key(), f.header()));
    let cell = |f: ImportField, code: &str, detail: &str| CellError {
        sheet: sheet.into(),
        row,
        column: column(f),
        code: code.into(),
        message: crate::messages::error_text(code, (!detail.is_empty()).then_some(detail)),
    };
    match check_row(get) {
        Ok((license, warning)) => {
            let warning = warning.map(|w| cell(w.field, w.code, &w.detail));
            out.push(Row {
                sheet: sheet.into(),
                row,
                columns,
                id: license.id.clone(),
                license: Some(license),
                warning,
            });
        }
        Err(refused) => {
            errors.extend(refused.problems.into_iter().map(|p| cell(p.field, p.code, &p.detail)));
            if let Some(id) = refused.id {
                out.push(Row { sheet: sheet.into(), row, columns, id, license: None, warning: None });
            }
        }
    }
}

fn read_table(sheet: &str, rows: Rows, out: &mut Vec<Row>, errors: &mut Vec<CellError>) {
    let mut rows = rows.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header_row, header)) = rows.next() else { return };
    let fields: Vec<Option<ImportField>> = header.iter().map(|h| ImportField::from_header(h)).collect();
    if !fields.contains(&Some(ImportField::SourceId)) {
        errors.push(CellError {
            sheet: sheet.into(),
            row: header_row,
            ..file_error("license_import_no_columns", None)
        });
        return;
    }
    let columns: HashMap<ImportField, String> = fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.map(|f| (f, format!("{} {}", tab::column_letter(i), header[i].trim()))))
        .collect();
    for (row, cells) in rows {
        let get = |f: ImportField| {
            fields.iter().position(|x| *x == Some(f)).and_then(|i| cells.get(i)).cloned().unwrap_or_default()
        };
        take(sheet, row, columns.clone(), &get, out, errors);
    }
}

fn read_json(bytes: &[u8], out: &mut Vec<Row>, errors: &mut Vec<CellError>) {
    let value: Option<serde_json::Value> = serde_json::from_slice(bytes).ok();
    let (sheet, list) = match &value {
        Some(serde_json::Value::Array(list)) => ("", list),
        Some(serde_json::Value::Object(top)) => match top.get("up_lic_data") {
            Some(serde_json::Value::Array(list)) => ("up_lic_data", list),
            _ => return errors.push(file_error("license_import_unreadable", Some("json"))),
        },
        _ => return errors.push(file_error("license_import_unreadable", Some("json"))),
    };
    for (i, v) in list.iter().enumerate() {
        let Some(obj) = v.as_object() else {
            errors.push(CellError { sheet: sheet.into(), row: i + 1, ..file_error("license_import_unreadable", None) });
            continue;
        };
        let columns: HashMap<ImportField, String> =
            obj.keys().filter_map(|k| ImportField::from_header(k).map(|f| (f, k.clone()))).collect();
        let get = |f: ImportField| {
            let value = columns.get(&f).and_then(|k| obj.get(k));
            match value {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            }
        };
        take(sheet, i + 1, columns.clone(), &get, out, errors);
    }
}

/// The rows of a file that are right on their own, and every bad cell of
/// the others.
fn read(format: Format, bytes: &[u8]) -> (Vec<Row>, Vec<CellError>) {
    let (mut out, mut errors) = (vec![], vec![]);
    match format {
        Format::Xlsx => {
            for sheet in tab::xlsx_sheets(bytes) {
                match sheet {
                    Ok((name, rows)) if tab::has_header(&rows, |h| ImportField::from_header(h).is_some()) => {
                        read_table(&name, rows, &mut out, &mut errors)
                    }
                    Ok(_) => {}
                    Err(name) => {
                        errors.push(CellError { sheet: name, ..file_error("license_import_unreadable", Some("xlsx")) })
                    }
                }
            }
        }
        Format::Csv => match tab::csv_table(bytes) {
            Some(rows) => read_table("", rows, &mut out, &mut errors),
            None => errors.push(file_error("license_import_unreadable", Some("encoding"))),
        },
        Format::Json => read_json(bytes, &mut out, &mut errors),
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(file_error("license_import_empty", None));
    }
    (out, errors)
}

/// A row ready to be stored: its licence, type, issuing department and key.
struct Ready {
    row: Row,
    license: ImportedLicense,
    ty: TypeRow,
    department_id: i64,
    key: KeyRow,
}

/// Checks the rows against the catalogue of types, the departments, their
/// keys, the other rows and the licences already stored. Every problem of
/// a row is reported: a row refused for its cells is still found a
/// duplicate of another, or already stored.
async fn check_stored(ctx: &Ctx<'_>, rows: Vec<Row>) -> AppResult<Result<Vec<Ready>, Vec<CellError>>> {
    let st = ctx.state;
    let types = store::list_types(st.store.pool()).await?;
    let mut departments: HashMap<String, Option<(i64, Option<KeyRow>)>> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut stored: HashMap<String, bool> = HashMap::new();
    let (mut ready, mut errors) = (vec![], vec![]);
    for mut row in rows {
        let mut bad = vec![];
        // The type and the issuing department the identifier names (a
        // licence's cells name the same, or the row was refused).
        let ty = types.iter().find(|t| t.code == row.id.type_code().as_str());
        let issuer = row.id.issuer().as_str().to_string();
        if !departments.contains_key(&issuer) {
            let found = match zwfw_store::admin::find_department_by_code(&st.store, &issuer).await? {
                Some(d) => Some((d.id, store::current_key(st.store.pool(), d.id).await?)),
                None => None,
            };
            departments.insert(issuer.clone(), found);
        }
        let dept = departments[&issuer].clone();
        if let Some(l) = &row.license {
            match ty {
                None => bad.push(row.cell(ImportField::TypeCode, "license_import_unknown_type", None)),
                Some(t) if t.holder_kind != l.holder_kind.code() => {
                    bad.push(row.cell(ImportField::HolderCode, "license_import_holder_kind", Some(&t.holder_kind)))
                }
                Some(_) => {}
            }
            match &dept {
                None => bad.push(row.cell(ImportField::IssueDeptCode, "license_import_unknown_issuer", None)),
                Some((_, None)) => bad.push(row.cell(ImportField::IssueDeptCode, "license_import_no_key", None)),
                Some(_) => {}
            }
        }
        let key = same_version_key(&row.id);
        match seen.get(&key) {
            Some(first) => {
                bad.push(row.cell(ImportField::SourceId, "license_import_duplicate", Some(&first.to_string())))
            }
            None => {
                seen.insert(key.clone(), row.row);
            }
        }
        if let (Some(t), Some((d, _))) = (ty, &dept) {
            let taken = match stored.get(&key) {
                Some(taken) => *taken,
                None => {
                    let id = &row.id;
                    let taken = store::version_taken(st.store.pool(), t.id, *d, id.serial(), i64::from(id.version()))
                        .await?
                        .is_some();
                    stored.insert(key, taken);
                    taken
                }
            };
            if taken {
                bad.push(row.cell(ImportField::SourceId, "license_import_exists", None));
            }
        }
        match (bad.is_empty(), row.license.take(), ty, dept) {
            (true, Some(license), Some(t), Some((department_id, Some(key)))) => {
                ready.push(Ready { row, license, ty: t.clone(), department_id, key })
            }
            _ => errors.extend(bad),
        }
    }
    Ok(if errors.is_empty() { Ok(ready) } else { Err(errors) })
}

/// Reads and checks a file: its SM3, format and ready rows, or the report.
async fn prepare(ctx: &Ctx<'_>, file_name: &str, bytes: &[u8]) -> Result<(String, Format, Vec<Ready>), ImportReport> {
    manager(ctx, may_manage_types).map_err(ImportReport::of)?;
    let format = Format::of(file_name, bytes)
        .ok_or_else(|| ImportReport::rejected(vec![file_error("license_import_format", None)]))?;
    let (rows, mut errors) = read(format, bytes);
    match check_stored(ctx, rows).await.map_err(ImportReport::of)? {
        Ok(ready) if errors.is_empty() => return Ok((zwfw_domain::audit::sm3_hex(bytes), format, ready)),
        Ok(_) => {}
        Err(more) => errors.extend(more),
    }
    // Each sheet's cells in the order of its rows.
    let sheets: Vec<String> = errors.iter().fold(vec![], |mut v, e| {
        if !v.contains(&e.sheet) {
            v.push(e.sheet.clone());
        }
        v
    });
    errors.sort_by_key(|e| (sheets.iter().position(|s| *s == e.sheet), e.row));
    Err(ImportReport::rejected(errors))
}

fn warnings(ready: &[Ready]) -> Vec<CellError> {
    ready.iter().filter_map(|r| r.row.warning.clone()).collect()
}

/// Reads and checks a file without storing anything: its SM3, its rows and
/// the warnings to confirm, or every bad cell.
pub async fn preview(ctx: &Ctx<'_>, file_name: &str, bytes: &[u8]) -> Result<Preview, ImportReport> {
    let (sm3, format, ready) = prepare(ctx, file_name, bytes).await?;
    Ok(Preview { sm3, format: format.code().into(), rows: ready.len(), warnings: warnings(&ready) })
}

/// Imports a file: every licence or none. With rows whose check character
/// does not match, `confirm` must be the file's SM3 (from the preview).
pub async fn import(
    ctx: &Ctx<'_>,
    file_name: &str,
    bytes: &[u8],
    confirm: Option<&str>,
) -> Result<Imported, ImportReport> {
    let (sm3, format, ready) = prepare(ctx, file_name, bytes).await?;
    let warned = warnings(&ready);
    if !warned.is_empty() && confirm.map(|c| c.trim().to_ascii_lowercase()) != Some(sm3.clone()) {
        return Err(ImportReport {
            code: "license_import_unconfirmed".into(),
            message: crate::messages::error_text("license_import_unconfirmed", Some(&warned.len().to_string())),
            errors: vec![],
            warnings: warned,
            sm3: Some(sm3),
        });
    }
    let name: String = file_name.chars().filter(|c| !c.is_control()).take(100).collect();
    store_all(ctx, &ready, &sm3, &name, format).await.map_err(ImportReport::of)?;
    Ok(Imported { sm3, format: format.code().into(), imported: ready.len(), check_mismatches: warned.len() })
}

/// Signs and stores every row in one transaction, each audited, and the
/// import itself.
async fn store_all(ctx: &Ctx<'_>, ready: &[Ready], sm3: &str, file_name: &str, format: Format) -> AppResult<()> {
    let st = ctx.state;
    let now = ctx.now();
    let mut signers: HashMap<i64, Box<dyn Signer>> = HashMap::new();
    for r in ready {
        if let std::collections::hash_map::Entry::Vacant(e) = signers.entry(r.key.id) {
            e.insert(signer_of(st, &r.key)?);
        }
    }
    let mut tx = st.store.begin().await?;
    for r in ready {
        let l = &r.license;
        let valid_until = match l.valid_until {
            ImportedUntil::Day(d) => Some(d),
            ImportedUntil::LongTerm => None,
            ImportedUntil::Unstated => Validity::from_years(r.ty.validity_years)?.valid_until(l.issued_on),
        };
        let seal =
            ImportSeal { license: l, define_authority: &r.ty.define_authority, valid_until, file_sm3: sm3, at_ms: now };
        let bytes = seal.signing_bytes();
        let signature = hex::encode(signers[&r.key.id].sign(&bytes)?);
        let signed_data = String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))?;
        let identifier = l.id.to_string();
        let valid_from = zwfw_domain::time::ymd(l.valid_from);
        let until = valid_until.map(zwfw_domain::time::ymd);
        let holder_user_id = zwfw_store::admin::find_user_by_number(tx.conn(), &l.holder_code).await?;
        let license_id = store::insert_license(
            &mut tx,
            &store::NewLicense {
                identifier: &identifier,
                serial: l.id.serial(),
                version: i64::from(l.id.version()),
                type_id: r.ty.id,
                issuer_department_id: r.department_id,
                key_id: r.key.id,
                case_id: None,
                item_id: None,
                holder_user_id,
                holder_kind: l.holder_kind.code(),
                holder_name: &l.holder_name,
                holder_code: &l.holder_code,
                valid_from: &valid_from,
                valid_until: until.as_deref(),
                issued_at: now,
                signed_data: &signed_data,
                signature: &signature,
                file_sm3: "",
                origin: "imported",
                holder_salt: "",
                hidden_fields: "",
                qr_payload: "",
            },
        )
        .await?;
        let detail = json!({"identifier": identifier, "type": r.ty.code, "key_id": r.key.id, "file_sm3": sm3,
            "check_character_valid": l.id.check_valid(), "row": r.row.row});
        let signed = super::issue::SignedChange {
            change: LicenseChange::Imported,
            status: LicenseStatus::Valid,
            note: "",
            key_id: r.key.id,
            signed_data: &signed_data,
            signature: &signature,
        };
        super::issue::record_change(&mut tx, ctx, license_id, &signed, detail).await?;
    }
    let kinds = ready.iter().filter(|r| r.license.holder_kind == HolderKind::Person).count();
    let detail = json!({"file": file_name, "format": format.code(), "sm3": sm3, "count": ready.len(),
        "check_mismatches": ready.iter().filter(|r| r.row.warning.is_some()).count(), "person_holders": kinds});
    ctx.audit(&mut tx, ctx.entry("license_import", "license", sm3, detail, "")).await?;
    tx.commit().await?;
    Ok(())
}

/// The page's first step: the preview, the file kept in the file store
/// (by its SM3) when it can be imported, so that the confirmation names it.
pub async fn preview_kept(ctx: &Ctx<'_>, file_name: &str, bytes: Vec<u8>) -> Result<Preview, ImportReport> {
    let p = preview(ctx, file_name, &bytes).await?;
    let kept = ctx.state.put_file(bytes).await.map_err(ImportReport::of)?;
    debug_assert_eq!(kept, p.sm3);
    Ok(p)
}

/// The page's second step: the file kept at the preview, named by its SM3
/// and format, imported; `confirmed` when the administrator confirmed the
/// warnings for it.
pub async fn import_kept(ctx: &Ctx<'_>, sm3: &str, format: &str, confirmed: bool) -> Result<Imported, ImportReport> {
    manager(ctx, may_manage_types).map_err(ImportReport::of)?;
    let sm3 = sm3.trim().to_ascii_lowercase();
    let gone = || ImportReport::of(AppError::with_detail(crate::error::Kind::NotFound, "not_found", "file"));
    if sm3.len() != 64 || !sm3.bytes().all(|c| c.is_ascii_hexdigit()) || !["xlsx", "csv", "json"].contains(&format) {
        return Err(gone());
    }
    let bytes = ctx.state.file(&sm3).await.map_err(ImportReport::of)?;
    let bytes = bytes.ok_or_else(gone)?;
    import(ctx, &format!("import.{format}"), &bytes, confirmed.then_some(sm3.as_str())).await
}
