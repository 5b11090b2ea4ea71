//! Items, their versions and the governance events.

use crate::db::Row;
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::catalog::{ExerciseLevel, ItemContent, ItemStatus, LifeEvent, VersionState};
use zwfw_domain::{const_concat, sql_code};

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    pub impl_code: String,
    pub department_id: i64,
    /// active | retired
    pub status: String,
    pub published_version_id: Option<i64>,
    pub open_version_id: Option<i64>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    pub retire_reason: Option<String>,
}

fn item(r: &Row) -> Item {
    Item {
        id: r.i64("id"),
        impl_code: r.str("impl_code"),
        department_id: r.i64("department_id"),
        status: r.str("status"),
        published_version_id: r.opt_i64("published_version_id"),
        open_version_id: r.opt_i64("open_version_id"),
        created_at: r.i64("created_at"),
        retired_at: r.opt_i64("retired_at"),
        retire_reason: r.opt_str("retire_reason"),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub id: i64,
    pub item_id: i64,
    pub version_no: i64,
    pub state: VersionState,
    pub content: ItemContent,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
}

fn version(r: &Row) -> StoreResult<Version> {
    let content: ItemContent = serde_json::from_str(&r.str("content"))
        .map_err(|_| StoreError::Conflict("stored item content is unreadable"))?;
    Ok(Version {
        id: r.i64("id"),
        item_id: r.i64("item_id"),
        version_no: r.i64("version_no"),
        state: VersionState::parse(&r.str("state")).unwrap_or(VersionState::Draft),
        content,
        reason: r.str("reason"),
        created_by: r.opt_i64("created_by"),
        created_at: r.i64("created_at"),
        updated_at: r.i64("updated_at"),
        published_at: r.opt_i64("published_at"),
    })
}

/// Search helpers kept beside the JSON: `,1,2,` and `,开办企业,`.
fn joined(v: impl Iterator<Item = String>) -> String {
    let parts: Vec<String> = v.collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(",{},", parts.join(","))
    }
}

fn columns(c: &ItemContent) -> (String, String, String) {
    (
        serde_json::to_string(c).expect("serializable"),
        joined(c.service_objects.iter().map(|o| o.code().to_string())),
        joined(c.themes.iter().cloned()),
    )
}

/// Creates an item with its first version, a draft.
pub async fn create_item(
    tx: &mut Tx,
    impl_code: &str,
    content: &ItemContent,
    reason: &str,
    created_by: Option<i64>,
    now_ms: i64,
) -> StoreResult<(i64, i64)> {
    const SQL: &str = const_concat!(
        "INSERT INTO items (impl_code, department_id, status, created_at, updated_at) VALUES ($1, $2, ",
        sql_code!(ItemStatus::Active),
        ", $3, $3) RETURNING id"
    );
    let row = crate::db::query(SQL)
        .bind(impl_code)
        .bind(content.department_id)
        .bind(now_ms)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "impl_code"))?;
    let item_id = row.i64("id");
    let vid = insert_version(tx, item_id, 1, content, reason, created_by, now_ms).await?;
    crate::db::query("UPDATE items SET open_version_id = $1 WHERE id = $2")
        .bind(vid)
        .bind(item_id)
        .execute(tx.conn())
        .await?;
    Ok((item_id, vid))
}

async fn insert_version(
    tx: &mut Tx,
    item_id: i64,
    version_no: i64,
    content: &ItemContent,
    reason: &str,
    created_by: Option<i64>,
    now_ms: i64,
) -> StoreResult<i64> {
    let (json, objects, themes) = columns(content);
    const SQL: &str = const_concat!(
        "INSERT INTO item_versions (item_id, version_no, state, name, basic_code, department_id, service_objects, themes, content, reason, created_by, created_at, updated_at) \
         VALUES ($1, $2, ",
        sql_code!(VersionState::Draft),
        ", $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id"
    );
    let row = crate::db::query(SQL)
        .bind(item_id)
        .bind(version_no)
        .bind(&content.name)
        .bind(&content.basic_code)
        .bind(content.department_id)
        .bind(objects)
        .bind(themes)
        .bind(json)
        .bind(reason)
        .bind(created_by)
        .bind(now_ms)
        .fetch_one(tx.conn())
        .await?;
    Ok(row.i64("id"))
}

/// The number the next version of `item_id` takes: one past every number
/// the item ever gave, a deleted draft's (kept in the archive of
/// deletions) included, so that a number never names two versions.
async fn next_version_no(tx: &mut Tx, item_id: i64) -> StoreResult<i64> {
    let kept = crate::db::query("SELECT COALESCE(MAX(version_no), 0) AS n FROM item_versions WHERE item_id = $1")
        .bind(item_id)
        .fetch_one(tx.conn())
        .await?
        .i64("n");
    // Deleted drafts are few: their archived rows are read whole.
    let deleted = crate::db::query("SELECT row_data FROM deleted_records WHERE table_name = 'item_versions'")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.str("row_data")).ok())
        .filter(|v| v["item_id"].as_i64() == Some(item_id))
        .filter_map(|v| v["version_no"].as_i64())
        .max()
        .unwrap_or(0);
    Ok(kept.max(deleted) + 1)
}

/// Opens a new draft version from `content`; refused while another version is open.
pub async fn open_new_version(
    tx: &mut Tx,
    item_id: i64,
    content: &ItemContent,
    reason: &str,
    created_by: Option<i64>,
    now_ms: i64,
) -> StoreResult<i64> {
    let version_no = next_version_no(tx, item_id).await?;
    let vid = insert_version(tx, item_id, version_no, content, reason, created_by, now_ms).await?;
    const SQL: &str = const_concat!(
        "UPDATE items SET open_version_id = $1, updated_at = $2 WHERE id = $3 AND open_version_id IS NULL AND status = ",
        sql_code!(ItemStatus::Active)
    );
    let r = crate::db::query(SQL).bind(vid).bind(now_ms).bind(item_id).execute(tx.conn()).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("item_has_open_version"));
    }
    Ok(vid)
}

/// Replaces the content of a draft (only a version whose content may change,
/// [`VersionState::EDITABLE`]: the guard of migration 0013 says the same).
pub async fn update_draft(
    tx: &mut Tx,
    version_id: i64,
    content: &ItemContent,
    reason: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let (json, objects, themes) = columns(content);
    const SQL: &str = const_concat!(
        "UPDATE item_versions SET content = $1, name = $2, basic_code = $3, department_id = $4, service_objects = $5, themes = $6, \
         reason = $7, updated_at = $8 WHERE id = $9 AND state IN (",
        zwfw_domain::sql_list!(VersionState, VersionState::EDITABLE),
        ")"
    );
    crate::db::query(SQL)
        .bind(json)
        .bind(&content.name)
        .bind(&content.basic_code)
        .bind(content.department_id)
        .bind(objects)
        .bind(themes)
        .bind(reason)
        .bind(now_ms)
        .bind(version_id)
        .execute(tx.conn())
        .await?
        .or(StoreError::Conflict("version_not_draft"))
}

/// Moves a version from `from` to `to`; fails if someone moved it first.
pub async fn move_version(
    tx: &mut Tx,
    version_id: i64,
    from: VersionState,
    to: VersionState,
    now_ms: i64,
) -> StoreResult<()> {
    crate::db::query("UPDATE item_versions SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4")
        .bind(to.code())
        .bind(now_ms)
        .bind(version_id)
        .bind(from.code())
        .execute(tx.conn())
        .await?
        .or(StoreError::Conflict("version_state_changed"))
}

/// Publishes an approved version: the previous one is superseded.
pub async fn publish(tx: &mut Tx, item_id: i64, version_id: i64, now_ms: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE item_versions SET state = ",
        sql_code!(VersionState::Superseded),
        ", updated_at = $1 WHERE item_id = $2 AND state = ",
        sql_code!(VersionState::Published)
    );
    crate::db::query(SQL).bind(now_ms).bind(item_id).execute(tx.conn()).await?;
    move_version(tx, version_id, VersionState::CenterApproval, VersionState::Published, now_ms).await?;
    crate::db::query("UPDATE item_versions SET published_at = $1 WHERE id = $2")
        .bind(now_ms)
        .bind(version_id)
        .execute(tx.conn())
        .await?;
    crate::db::query(
        "UPDATE items SET published_version_id = $1, open_version_id = NULL, updated_at = $2 WHERE id = $3",
    )
    .bind(version_id)
    .bind(now_ms)
    .bind(item_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Closes the open version (withdrawn draft).
pub async fn close_open_version(tx: &mut Tx, item_id: i64, now_ms: i64) -> StoreResult<()> {
    crate::db::query("UPDATE items SET open_version_id = NULL, updated_at = $1 WHERE id = $2")
        .bind(now_ms)
        .bind(item_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn retire(tx: &mut Tx, item_id: i64, reason: &str, now_ms: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE items SET status = ",
        sql_code!(ItemStatus::Retired),
        ", retired_at = $1, retire_reason = $2, updated_at = $1 WHERE id = $3 AND status = ",
        sql_code!(ItemStatus::Active)
    );
    crate::db::query(SQL)
        .bind(now_ms)
        .bind(reason)
        .bind(item_id)
        .execute(tx.conn())
        .await?
        .or(StoreError::Conflict("item_retired"))
}

#[allow(clippy::too_many_arguments)]
pub async fn add_event(
    tx: &mut Tx,
    item_id: i64,
    version_id: i64,
    action: &str,
    from: &str,
    to: &str,
    actor_id: Option<i64>,
    actor_name: &str,
    reason: &str,
    now_ms: i64,
) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO item_events (item_id, version_id, action, from_state, to_state, actor_id, actor_name, reason, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(item_id)
    .bind(version_id)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(actor_id)
    .bind(actor_name)
    .bind(reason)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CatalogEvent))]
pub struct Event {
    pub version_id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub actor_name: String,
    pub reason: String,
    pub at: i64,
}

pub async fn events(store: &Store, item_id: i64) -> StoreResult<Vec<Event>> {
    crate::db::query("SELECT * FROM item_events WHERE item_id = $1 ORDER BY id")
        .bind(item_id)
        .all(store.pool(), |r| Event {
            version_id: r.i64("version_id"),
            action: r.str("action"),
            from_state: r.str("from_state"),
            to_state: r.str("to_state"),
            actor_name: r.str("actor_name"),
            reason: r.str("reason"),
            at: r.i64("at"),
        })
        .await
}

pub async fn get_item(store: &Store, id: i64) -> StoreResult<Item> {
    crate::db::query("SELECT * FROM items WHERE id = $1").bind(id).one(store.pool(), "item", item).await
}

pub async fn find_item_by_code(store: &Store, impl_code: &str) -> StoreResult<Option<Item>> {
    crate::db::query("SELECT * FROM items WHERE impl_code = $1").bind(impl_code).maybe(store.pool(), item).await
}

pub async fn get_version(store: &Store, id: i64) -> StoreResult<Version> {
    let row =
        crate::db::query("SELECT * FROM item_versions WHERE id = $1").bind(id).fetch_optional(store.pool()).await?;
    version(row.as_ref().ok_or(StoreError::NotFound("version"))?)
}

pub async fn versions(store: &Store, item_id: i64) -> StoreResult<Vec<Version>> {
    let rows = crate::db::query("SELECT * FROM item_versions WHERE item_id = $1 ORDER BY version_no")
        .bind(item_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(version).collect()
}

/// The published version of every active item, in one statement.
pub async fn published_versions(store: &Store) -> StoreResult<Vec<Version>> {
    const SQL: &str = const_concat!(
        "SELECT v.* FROM items i JOIN item_versions v ON v.id = i.published_version_id WHERE i.status = ",
        sql_code!(ItemStatus::Active),
        " ORDER BY i.id"
    );
    let rows = crate::db::query(SQL).fetch_all(store.pool()).await?;
    rows.iter().map(version).collect()
}

/// A line of an item list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemSummary {
    pub item_id: i64,
    pub impl_code: String,
    pub status: String,
    pub department_id: i64,
    pub version_id: i64,
    pub version_no: i64,
    pub state: String,
    pub name: String,
    pub basic_code: String,
    pub published_at: Option<i64>,
}

/// Filters of the public guide and the admin list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub department_ids: Option<Vec<i64>>,
    /// A.4 code
    pub service_object: Option<String>,
    pub theme: Option<String>,
    /// 行使层级 (A.2 code).
    pub level: Option<ExerciseLevel>,
    /// 人生事件.
    pub life_event: Option<LifeEvent>,
    /// Only published, active items (the public guide).
    pub published_only: bool,
    pub limit: i64,
}

/// Items with, for each, the version that matters: the published one for the
/// public, the open one (or else the published one) for administrators.
pub async fn list(store: &Store, f: &ItemFilter) -> StoreResult<Vec<ItemSummary>> {
    let join = if f.published_only {
        "v.id = i.published_version_id"
    } else {
        "v.id = COALESCE(i.open_version_id, i.published_version_id)"
    };
    let mut sql = format!(
        "SELECT i.id AS item_id, i.impl_code, i.status, i.department_id, v.id AS version_id, v.version_no, v.state, v.name, v.basic_code, v.published_at \
         FROM items i JOIN item_versions v ON {join} WHERE 1 = 1"
    );
    if f.published_only {
        sql += const_concat!(" AND i.status = ", sql_code!(ItemStatus::Active));
    }
    let mut n = 0;
    let mut p = || {
        n += 1;
        format!("${n}")
    };
    if let Some(ids) = &f.department_ids {
        // ids are integers, never user text
        let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        sql += &format!(" AND i.department_id IN ({})", if list.is_empty() { "-1".into() } else { list.join(",") });
    }
    if f.service_object.is_some() {
        sql += &format!(" AND v.service_objects LIKE {}", p());
    }
    if f.theme.is_some() {
        sql += &format!(" AND v.themes LIKE {}", p());
    }
    // The level and the life events are found in the content as serde_json
    // writes it: `"exercise_level":"3"` cannot occur inside a string (its
    // quotes would be escaped), and `life_events` is the content's last
    // field, so a code after its opening bracket is one of its codes.
    if f.level.is_some() {
        sql += &format!(" AND v.content LIKE {}", p());
    }
    if f.life_event.is_some() {
        sql += &format!(" AND v.content LIKE {}", p());
    }
    sql += &format!(" ORDER BY i.department_id, v.name LIMIT {}", p());
    let mut q = crate::db::query(&sql);
    if let Some(o) = &f.service_object {
        q = q.bind(format!("%,{o},%"));
    }
    if let Some(t) = &f.theme {
        q = q.bind(format!("%,{t},%"));
    }
    if let Some(l) = f.level {
        q = q.bind(format!("%\"exercise_level\":\"{}\"%", l.code()));
    }
    if let Some(e) = f.life_event {
        q = q.bind(format!("%\"life_events\":[%\"{}\"%", e.code()));
    }
    q = q.bind(if f.limit <= 0 { 1000 } else { f.limit });
    let rows = q.fetch_all(store.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| ItemSummary {
            item_id: r.i64("item_id"),
            impl_code: r.str("impl_code"),
            status: r.str("status"),
            department_id: r.i64("department_id"),
            version_id: r.i64("version_id"),
            version_no: r.i64("version_no"),
            state: r.str("state"),
            name: r.str("name"),
            basic_code: r.str("basic_code"),
            published_at: r.opt_i64("published_at"),
        })
        .collect())
}

/// A published item and how many applications it had since a time.
#[derive(Debug, Clone, Serialize)]
pub struct HotItem {
    pub item_id: i64,
    pub name: String,
    pub applications: i64,
}

/// The published items most applied for since `since_ms` (the portal's 热门事项).
pub async fn most_applied(store: &Store, since_ms: i64, limit: i64) -> StoreResult<Vec<HotItem>> {
    const SQL: &str = const_concat!(
        "SELECT i.id AS item_id, v.name, COUNT(*) AS n FROM cases c JOIN items i ON i.id = c.item_id \
         JOIN item_versions v ON v.id = i.published_version_id WHERE i.status = ",
        sql_code!(ItemStatus::Active),
        " AND c.created_at >= $1 GROUP BY i.id, v.name ORDER BY n DESC, i.id LIMIT $2"
    );
    let rows = crate::db::query(SQL).bind(since_ms).bind(limit.clamp(1, 100)).fetch_all(store.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| HotItem { item_id: r.i64("item_id"), name: r.str("name"), applications: r.i64("n") })
        .collect())
}

/// The 服务主题 of the published items, each with how many items carry it,
/// the most common first.
pub async fn published_themes(store: &Store) -> StoreResult<Vec<(String, i64)>> {
    const SQL: &str = const_concat!(
        "SELECT v.themes FROM items i JOIN item_versions v ON v.id = i.published_version_id WHERE i.status = ",
        sql_code!(ItemStatus::Active)
    );
    let rows = crate::db::query(SQL).fetch_all(store.pool()).await?;
    let mut counts: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for r in &rows {
        for t in r.str("themes").split(',').filter(|t| !t.is_empty()) {
            *counts.entry(t.to_string()).or_default() += 1;
        }
    }
    let mut out: Vec<(String, i64)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}
