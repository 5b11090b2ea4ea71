//! The official documents of a case and their rendered files.

use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseDocument))]
pub struct DocumentRow {
    pub id: i64,
    pub event_seq: i64,
    pub kind: String,
    pub doc_no: String,
    pub file_sm3: String,
    pub created_at: i64,
    // Read as `false`; the case's reader sets it from the events
    // (`zwfw_domain::governance::correction::document_superseded`).
    /// The decision it was issued with was corrected (误操作更正, 办结结论有误):
    /// the document is no longer valid and is not served
    /// (`410 document_superseded`).
    pub superseded: bool,
}

pub async fn add_document(
    tx: &mut Tx,
    case_id: i64,
    event_seq: i64,
    kind: &str,
    doc_no: &str,
    sm3: &str,
    now_ms: i64,
) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO case_documents (case_id, event_seq, kind, doc_no, file_sm3, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(event_seq)
    .bind(kind)
    .bind(doc_no)
    .bind(sm3)
    .bind(now_ms)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "doc_no"))?;
    Ok(row.i64("id"))
}

pub async fn documents(store: &Store, case_id: i64) -> StoreResult<Vec<DocumentRow>> {
    crate::db::query(
        "SELECT id, event_seq, kind, doc_no, file_sm3, created_at FROM case_documents WHERE case_id = $1 ORDER BY event_seq",
    )
    .bind(case_id).all(store.pool(), |r| DocumentRow {
            id: r.i64("id"),
            event_seq: r.i64("event_seq"),
            kind: r.str("kind"),
            doc_no: r.str("doc_no"),
            file_sm3: r.str("file_sm3"),
            created_at: r.i64("created_at"),
            superseded: false,
        }).await
}

/// Records the rendered file of a document (once).
pub async fn set_document_file(tx: &mut Tx, id: i64, sm3: &str) -> StoreResult<()> {
    crate::db::query("UPDATE case_documents SET file_sm3 = $1 WHERE id = $2 AND file_sm3 = ''")
        .bind(sm3)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
