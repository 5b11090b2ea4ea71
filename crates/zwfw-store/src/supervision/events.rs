//! The events of a finding or an oversight order.

use super::json_of;
use crate::db::query;
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SupervisionEvent))]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub text: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<zwfw_domain::files::Attachment>))]
    pub files: serde_json::Value,
    pub at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn add_event(
    tx: &mut Tx,
    object_kind: &str,
    object_id: i64,
    kind: &str,
    actor_id: Option<i64>,
    actor_name: &str,
    text: &str,
    files: &str,
    now_ms: i64,
) -> StoreResult<()> {
    query(
        "INSERT INTO supervision_events (object_kind, object_id, kind, actor_id, actor_name, text, files, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(object_kind)
    .bind(object_id)
    .bind(kind)
    .bind(actor_id)
    .bind(actor_name)
    .bind(text)
    .bind(files)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn events(store: &Store, object_kind: &str, object_id: i64) -> StoreResult<Vec<EventRow>> {
    let rows = query("SELECT * FROM supervision_events WHERE object_kind = $1 AND object_id = $2 ORDER BY id")
        .bind(object_kind)
        .bind(object_id)
        .fetch_all(store.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| EventRow {
            id: r.i64("id"),
            kind: r.str("kind"),
            actor_id: r.opt_i64("actor_id"),
            actor_name: r.str("actor_name"),
            text: r.str("text"),
            files: json_of(&r.str("files")),
            at: r.i64("at"),
        })
        .collect())
}
