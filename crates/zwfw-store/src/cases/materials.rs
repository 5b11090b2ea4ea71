//! A case's materials, the applicant's e-materials library, and the register
//! of paper originals.

use crate::db::Row;
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseMaterial))]
pub struct MaterialRow {
    pub id: i64,
    pub material_no: i64,
    pub name: String,
    pub file_sm3: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
    pub trust: String,
    /// Where it came from: empty (an upload or the e-materials library),
    /// `registry` (drawn from the 人口库/法人库, trust A), `license` (an
    /// electronic licence the applicant holds, trust A) or `commitment`
    /// (告知承诺 signed instead of the material, trust D).
    pub source: String,
    /// The licence version it is (source `license`, or a library entry
    /// that is a licence).
    pub license_id: Option<i64>,
    pub e_material_id: Option<i64>,
    /// 0: with the application; 1, 2…: supplements.
    pub round: i64,
    pub added_by: Option<i64>,
    pub added_at: i64,
}

pub struct NewMaterial<'a> {
    pub material_no: i64,
    pub name: &'a str,
    pub file_sm3: &'a str,
    pub file_name: &'a str,
    pub kind: &'a str,
    pub size: i64,
    pub trust: &'a str,
    /// '', `registry`, `license` or `commitment` (see [`MaterialRow::source`]).
    pub source: &'a str,
    /// The licence version it is, if it is one.
    pub license_id: Option<i64>,
}

/// A material with owned fields, before it is attached.
#[derive(Debug, Clone)]
pub struct NewMaterialOwned {
    pub name: String,
    pub file_sm3: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
    pub trust: String,
    pub source: String,
    pub license_id: Option<i64>,
}

impl NewMaterialOwned {
    pub fn as_new(&self, material_no: i64) -> NewMaterial<'_> {
        NewMaterial {
            material_no,
            name: &self.name,
            file_sm3: &self.file_sm3,
            file_name: &self.file_name,
            kind: &self.kind,
            size: self.size,
            trust: &self.trust,
            source: &self.source,
            license_id: self.license_id,
        }
    }
}

pub async fn add_material(
    tx: &mut Tx,
    case_id: i64,
    m: &NewMaterial<'_>,
    e_material_id: Option<i64>,
    round: i64,
    by: Option<i64>,
    now_ms: i64,
) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO case_materials (case_id, material_no, name, file_sm3, file_name, kind, size, trust, e_material_id, round, added_by, added_at, source, license_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(case_id)
    .bind(m.material_no)
    .bind(m.name)
    .bind(m.file_sm3)
    .bind(m.file_name)
    .bind(m.kind)
    .bind(m.size)
    .bind(m.trust)
    .bind(e_material_id)
    .bind(round)
    .bind(by)
    .bind(now_ms)
    .bind(m.source)
    .bind(m.license_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Takes a material off a draft (its row stays, marked removed). False when
/// the case has no such material (or it was removed already).
pub async fn remove_material(tx: &mut Tx, case_id: i64, material_id: i64, now_ms: i64) -> StoreResult<bool> {
    let r = crate::db::query(
        "UPDATE case_materials SET removed_at = $1 WHERE id = $2 AND case_id = $3 AND removed_at IS NULL",
    )
    .bind(now_ms)
    .bind(material_id)
    .bind(case_id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn materials(store: &Store, case_id: i64) -> StoreResult<Vec<MaterialRow>> {
    materials_via(store.pool(), case_id).await
}

/// The columns of a case's material as [`material_row`] reads them.
const MATERIAL_COLS: &str = "id, material_no, name, file_sm3, file_name, kind, size, trust, source, license_id, \
                             e_material_id, round, added_by, added_at";

fn material_row(r: &Row) -> MaterialRow {
    MaterialRow {
        id: r.i64("id"),
        material_no: r.i64("material_no"),
        name: r.str("name"),
        file_sm3: r.str("file_sm3"),
        file_name: r.str("file_name"),
        kind: r.str("kind"),
        size: r.i64("size"),
        trust: r.str("trust"),
        source: r.str("source"),
        license_id: r.opt_i64("license_id"),
        e_material_id: r.opt_i64("e_material_id"),
        round: r.i64("round"),
        added_by: r.opt_i64("added_by"),
        added_at: r.i64("added_at"),
    }
}

/// [`materials`] in a transaction, or on the store.
pub async fn materials_via(ex: crate::db::Ex<'_>, case_id: i64) -> StoreResult<Vec<MaterialRow>> {
    crate::db::query(format!(
        "SELECT {MATERIAL_COLS} FROM case_materials WHERE case_id = $1 AND removed_at IS NULL ORDER BY material_no, id"
    ))
    .bind(case_id)
    .all(ex, material_row)
    .await
}

/// The materials in force of the cases `ids`, each with its case, in one
/// statement (by case, then as [`materials`] orders them).
pub async fn materials_of_cases(store: &Store, ids: &[i64]) -> StoreResult<Vec<(i64, MaterialRow)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut args = vec![];
    let list = crate::db::id_list(ids, &mut args);
    crate::db::query_with(
        format!(
            "SELECT case_id, {MATERIAL_COLS} FROM case_materials WHERE case_id IN ({list}) AND removed_at IS NULL \
             ORDER BY case_id, material_no, id"
        ),
        args,
    )
    .all(store.pool(), |r| (r.i64("case_id"), material_row(r)))
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct EMaterial {
    pub id: i64,
    pub owner_user_id: i64,
    pub name: String,
    pub file_sm3: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
    pub trust: String,
    pub source_case_id: Option<i64>,
    /// The licence version this entry is, if it is one (trust A).
    pub license_id: Option<i64>,
    pub created_at: i64,
}

fn e_material(r: &Row) -> EMaterial {
    EMaterial {
        id: r.i64("id"),
        owner_user_id: r.i64("owner_user_id"),
        name: r.str("name"),
        file_sm3: r.str("file_sm3"),
        file_name: r.str("file_name"),
        kind: r.str("kind"),
        size: r.i64("size"),
        trust: r.str("trust"),
        source_case_id: r.opt_i64("source_case_id"),
        license_id: r.opt_i64("license_id"),
        created_at: r.i64("created_at"),
    }
}

const EMAT_COLS: &str =
    "id, owner_user_id, name, file_sm3, file_name, kind, size, trust, source_case_id, license_id, created_at";

/// Files a material in the owner's library (once per content and name);
/// a better trust level replaces a weaker one. Returns its id.
pub async fn file_e_material(
    tx: &mut Tx,
    owner: i64,
    m: &NewMaterial<'_>,
    source_case_id: Option<i64>,
    now_ms: i64,
) -> StoreResult<i64> {
    crate::db::query(
        "INSERT INTO e_materials (owner_user_id, name, file_sm3, file_name, kind, size, trust, source_case_id, created_at, license_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (owner_user_id, file_sm3, name) DO NOTHING",
    )
    .bind(owner)
    .bind(m.name)
    .bind(m.file_sm3)
    .bind(m.file_name)
    .bind(m.kind)
    .bind(m.size)
    .bind(m.trust)
    .bind(source_case_id)
    .bind(now_ms)
    .bind(m.license_id)
    .execute(tx.conn())
    .await?;
    if let Some(license_id) = m.license_id {
        crate::db::query(
            "UPDATE e_materials SET license_id = $1 WHERE owner_user_id = $2 AND file_sm3 = $3 AND name = $4 \
             AND license_id IS NULL",
        )
        .bind(license_id)
        .bind(owner)
        .bind(m.file_sm3)
        .bind(m.name)
        .execute(tx.conn())
        .await?;
    }
    crate::db::query(
        "UPDATE e_materials SET trust = $1 WHERE owner_user_id = $2 AND file_sm3 = $3 AND name = $4 AND trust > $1",
    )
    .bind(m.trust)
    .bind(owner)
    .bind(m.file_sm3)
    .bind(m.name)
    .execute(tx.conn())
    .await?;
    let row = crate::db::query("SELECT id FROM e_materials WHERE owner_user_id = $1 AND file_sm3 = $2 AND name = $3")
        .bind(owner)
        .bind(m.file_sm3)
        .bind(m.name)
        .fetch_one(tx.conn())
        .await?;
    Ok(row.i64("id"))
}

pub async fn e_materials(store: &Store, owner: i64) -> StoreResult<Vec<EMaterial>> {
    crate::db::query(format!(
        "SELECT {EMAT_COLS} FROM e_materials WHERE owner_user_id = $1 ORDER BY name, created_at DESC"
    ))
    .bind(owner)
    .all(store.pool(), e_material)
    .await
}

pub async fn get_e_material(store: &Store, id: i64) -> StoreResult<EMaterial> {
    crate::db::query(format!("SELECT {EMAT_COLS} FROM e_materials WHERE id = $1"))
        .bind(id)
        .one(store.pool(), "e_material", e_material)
        .await
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseOriginal))]
pub struct OriginalRow {
    pub id: i64,
    pub name: String,
    pub copies: i64,
    pub received_at: i64,
    pub received_by: i64,
    pub returned_at: Option<i64>,
    pub returned_by: Option<i64>,
    pub note: String,
}

pub async fn receive_original(
    tx: &mut Tx,
    case_id: i64,
    name: &str,
    copies: i64,
    by: i64,
    note: &str,
    now_ms: i64,
) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO case_originals (case_id, name, copies, received_at, received_by, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(name)
    .bind(copies)
    .bind(now_ms)
    .bind(by)
    .bind(note)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.i64("id"))
}

/// Records the return of an original; false if it was already returned.
pub async fn return_original(tx: &mut Tx, case_id: i64, id: i64, by: i64, now_ms: i64) -> StoreResult<bool> {
    let r = crate::db::query(
        "UPDATE case_originals SET returned_at = $1, returned_by = $2 WHERE id = $3 AND case_id = $4 AND returned_at IS NULL",
    )
    .bind(now_ms)
    .bind(by)
    .bind(id)
    .bind(case_id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn originals(store: &Store, case_id: i64) -> StoreResult<Vec<OriginalRow>> {
    crate::db::query(
        "SELECT id, name, copies, received_at, received_by, returned_at, returned_by, note FROM case_originals WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id).all(store.pool(), |r| OriginalRow {
            id: r.i64("id"),
            name: r.str("name"),
            copies: r.i64("copies"),
            received_at: r.i64("received_at"),
            received_by: r.i64("received_by"),
            returned_at: r.opt_i64("returned_at"),
            returned_by: r.opt_i64("returned_by"),
            note: r.str("note"),
        }).await
}

// ---------- 告知承诺 found unfulfilled ----------

/// A commitment (告知承诺) the case's department found unfulfilled.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CommitmentBreach))]
pub struct BreachRow {
    pub id: i64,
    pub case_id: i64,
    /// The case material that is the commitment.
    pub material_id: i64,
    pub material_no: i64,
    pub reason: String,
    pub marked_by: i64,
    pub marked_name: String,
    pub marked_at: i64,
    /// The supervision finding it opened (监察编号; empty when rule A09 is off).
    pub finding_no: String,
}

fn breach_row(r: &Row) -> BreachRow {
    BreachRow {
        id: r.i64("id"),
        case_id: r.i64("case_id"),
        material_id: r.i64("material_id"),
        material_no: r.i64("material_no"),
        reason: r.str("reason"),
        marked_by: r.i64("marked_by"),
        marked_name: r.str("marked_name"),
        marked_at: r.i64("marked_at"),
        finding_no: r.str("finding_no"),
    }
}

/// A commitment found unfulfilled, as recorded.
pub struct NewBreach<'a> {
    pub case_id: i64,
    pub material_id: i64,
    pub material_no: i64,
    pub reason: &'a str,
    pub marked_by: i64,
    pub marked_name: &'a str,
    pub finding_no: &'a str,
}

/// Records a commitment found unfulfilled; a commitment is marked once
/// (`Duplicate("commitment_breach")` the second time).
pub async fn add_breach(tx: &mut Tx, b: &NewBreach<'_>, now_ms: i64) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO commitment_breaches (case_id, material_id, material_no, reason, marked_by, marked_name, \
         marked_at, finding_no) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(b.case_id)
    .bind(b.material_id)
    .bind(b.material_no)
    .bind(b.reason)
    .bind(b.marked_by)
    .bind(b.marked_name)
    .bind(now_ms)
    .bind(b.finding_no)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| crate::StoreError::unique_as(e, "commitment_breach"))?;
    Ok(row.i64("id"))
}

/// The commitments of a case found unfulfilled, in the order marked.
pub async fn breaches(store: &Store, case_id: i64) -> StoreResult<Vec<BreachRow>> {
    crate::db::query("SELECT * FROM commitment_breaches WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .all(store.pool(), breach_row)
        .await
}
