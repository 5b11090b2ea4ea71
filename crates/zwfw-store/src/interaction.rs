//! Public interaction (咨询/建议/投诉/纠错): submissions, their events,
//! the handlers departments name, and the notification outbox.

use crate::db::{Ex, Row};
use crate::{flag, RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::interaction::{Duty, Publication, State};
use zwfw_domain::outbox::Channel;
use zwfw_domain::{const_concat, sql_code};

/// A submission as stored (the query password's hash and the client address
/// are never serialized).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionRow {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub title: String,
    pub content: String,
    pub submitter_user_id: Option<i64>,
    pub submitter_name: String,
    pub mobile: String,
    pub anonymous: bool,
    pub no_publish: bool,
    pub item_id: Option<i64>,
    pub about_department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub accused_unit: String,
    pub accused_person: String,
    pub staff_conduct: bool,
    pub department_id: i64,
    pub department_name: String,
    pub state: String,
    pub received_at: i64,
    pub limit_days: i64,
    pub due: String,
    pub extended_days: i64,
    pub extension_reason: String,
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
    pub replied_by: Option<i64>,
    pub replier_name: Option<String>,
    pub publication: Option<String>,
    pub withhold_reason: Option<String>,
    /// `[{"sm3", "name", "kind", "size"}]`
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<zwfw_domain::files::Attachment>))]
    pub attachments: serde_json::Value,
    #[serde(skip)]
    pub query_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "i.*, d.name AS department_name";
const FROM: &str = "interactions i JOIN departments d ON d.id = i.department_id";

fn row(r: &Row) -> InteractionRow {
    InteractionRow {
        id: r.i64("id"),
        code: r.str("code"),
        kind: r.str("kind"),
        title: r.str("title"),
        content: r.str("content"),
        submitter_user_id: r.opt_i64("submitter_user_id"),
        submitter_name: r.str("submitter_name"),
        mobile: r.str("mobile"),
        anonymous: r.flag("anonymous"),
        no_publish: r.flag("no_publish"),
        item_id: r.opt_i64("item_id"),
        about_department_id: r.opt_i64("about_department_id"),
        region_id: r.opt_i64("region_id"),
        accused_unit: r.str("accused_unit"),
        accused_person: r.str("accused_person"),
        staff_conduct: r.flag("staff_conduct"),
        department_id: r.i64("department_id"),
        department_name: r.str("department_name"),
        state: r.str("state"),
        received_at: r.i64("received_at"),
        limit_days: r.i64("limit_days"),
        due: r.str("due"),
        extended_days: r.i64("extended_days"),
        extension_reason: r.str("extension_reason"),
        reply: r.opt_str("reply"),
        replied_at: r.opt_i64("replied_at"),
        replied_by: r.opt_i64("replied_by"),
        replier_name: r.opt_str("replier_name"),
        publication: r.opt_str("publication"),
        withhold_reason: r.opt_str("withhold_reason"),
        attachments: serde_json::from_str(&r.str("attachments")).unwrap_or(serde_json::Value::Array(vec![])),
        query_hash: r.str("query_hash"),
        created_at: r.i64("created_at"),
        updated_at: r.i64("updated_at"),
    }
}

/// A new submission, checked and routed by the layers above.
pub struct NewInteraction<'a> {
    pub code: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub content: &'a str,
    pub submitter_user_id: Option<i64>,
    pub submitter_name: &'a str,
    pub mobile: &'a str,
    pub anonymous: bool,
    pub no_publish: bool,
    pub item_id: Option<i64>,
    pub about_department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub accused_unit: &'a str,
    pub accused_person: &'a str,
    pub staff_conduct: bool,
    pub department_id: i64,
    pub limit_days: i64,
    pub due: &'a str,
    pub attachments: &'a str,
    pub query_hash: &'a str,
    pub client_addr: &'a str,
    pub idem_key: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, n: &NewInteraction<'_>, now_ms: i64) -> StoreResult<i64> {
    const SQL: &str = const_concat!(
        "INSERT INTO interactions (code, kind, title, content, submitter_user_id, submitter_name, mobile, anonymous, \
         no_publish, item_id, about_department_id, region_id, accused_unit, accused_person, staff_conduct, department_id, \
         state, received_at, limit_days, due, extended_days, extension_reason, attachments, query_hash, client_addr, \
         idem_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, ",
        sql_code!(State::Open),
        ", $17, $18, $19, 0, '', $20, $21, $22, $23, $17, $17) RETURNING id"
    );
    let r = crate::db::query(SQL)
        .bind(n.code)
        .bind(n.kind)
        .bind(n.title)
        .bind(n.content)
        .bind(n.submitter_user_id)
        .bind(n.submitter_name)
        .bind(n.mobile)
        .bind(flag(n.anonymous))
        .bind(flag(n.no_publish))
        .bind(n.item_id)
        .bind(n.about_department_id)
        .bind(n.region_id)
        .bind(n.accused_unit)
        .bind(n.accused_person)
        .bind(flag(n.staff_conduct))
        .bind(n.department_id)
        .bind(now_ms)
        .bind(n.limit_days)
        .bind(n.due)
        .bind(n.attachments)
        .bind(n.query_hash)
        .bind(n.client_addr)
        .bind(n.idem_key)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "idem_key"))?;
    Ok(r.i64("id"))
}

pub async fn get(store: &Store, id: i64) -> StoreResult<InteractionRow> {
    get_via(store.pool(), id).await
}

async fn get_via(ex: Ex<'_>, id: i64) -> StoreResult<InteractionRow> {
    crate::db::query(format!("SELECT {COLS} FROM {FROM} WHERE i.id = $1")).bind(id).one(ex, "interaction", row).await
}

/// Reads a submission inside a write transaction, locked against other
/// writers until the transaction ends.
pub async fn lock(tx: &mut Tx, id: i64) -> StoreResult<InteractionRow> {
    crate::lock_row(tx, "interactions", id).await?;
    get_via(tx.conn(), id).await
}

pub async fn find_by_code(store: &Store, code: &str) -> StoreResult<Option<InteractionRow>> {
    crate::db::query(format!("SELECT {COLS} FROM {FROM} WHERE i.code = $1")).bind(code).maybe(store.pool(), row).await
}

pub async fn find_by_idem(store: &Store, key: &str) -> StoreResult<Option<InteractionRow>> {
    crate::db::query(format!("SELECT {COLS} FROM {FROM} WHERE i.idem_key = $1"))
        .bind(key)
        .maybe(store.pool(), row)
        .await
}

/// Submissions from one client address, or to one mobile number, since `since_ms`
/// (the flood limits read these, so they hold across app servers).
pub async fn count_recent(store: &Store, client_addr: &str, mobile: &str, since_ms: i64) -> StoreResult<(i64, i64)> {
    let a = crate::db::query("SELECT COUNT(*) AS n FROM interactions WHERE client_addr = $1 AND created_at >= $2")
        .bind(client_addr)
        .bind(since_ms)
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let m = if mobile.is_empty() {
        0
    } else {
        crate::db::query("SELECT COUNT(*) AS n FROM interactions WHERE mobile = $1 AND created_at >= $2")
            .bind(mobile)
            .bind(since_ms)
            .fetch_one(store.pool())
            .await?
            .i64("n")
    };
    Ok((a, m))
}

/// Moves the submission to another department (transfer or assignment).
pub async fn set_department(tx: &mut Tx, id: i64, department_id: i64, now_ms: i64) -> StoreResult<()> {
    crate::db::query("UPDATE interactions SET department_id = $1, updated_at = $2 WHERE id = $3")
        .bind(department_id)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_extension(tx: &mut Tx, id: i64, due: &str, days: i64, reason: &str, now_ms: i64) -> StoreResult<()> {
    crate::db::query(
        "UPDATE interactions SET due = $1, extended_days = extended_days + $2, \
         extension_reason = CASE WHEN extension_reason = '' THEN $3 ELSE extension_reason || '；' || $3 END, \
         updated_at = $4 WHERE id = $5",
    )
    .bind(due)
    .bind(days)
    .bind(reason)
    .bind(now_ms)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub struct Answer<'a> {
    pub reply: &'a str,
    pub by: i64,
    pub by_name: &'a str,
    pub publication: &'a str,
    pub withhold_reason: Option<&'a str>,
}

pub async fn set_answer(tx: &mut Tx, id: i64, a: &Answer<'_>, now_ms: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE interactions SET state = ",
        sql_code!(State::Answered),
        ", reply = $1, replied_at = $2, replied_by = $3, replier_name = $4, \
         publication = $5, withhold_reason = $6, updated_at = $2 WHERE id = $7 AND state = ",
        sql_code!(State::Open)
    );
    crate::db::query(SQL)
        .bind(a.reply)
        .bind(now_ms)
        .bind(a.by)
        .bind(a.by_name)
        .bind(a.publication)
        .bind(a.withhold_reason)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// An event of a submission (append-only).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = InteractionEvent))]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub kind: String,
    pub from_department_id: Option<i64>,
    pub to_department_id: Option<i64>,
    pub detail: String,
    pub reason: String,
}

pub struct NewEvent<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub kind: &'a str,
    pub from_department_id: Option<i64>,
    pub to_department_id: Option<i64>,
    pub detail: &'a str,
    pub reason: &'a str,
}

pub async fn add_event(tx: &mut Tx, interaction_id: i64, e: &NewEvent<'_>, now_ms: i64) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO interaction_events (interaction_id, at, actor_id, actor_name, kind, from_department_id, \
         to_department_id, detail, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(interaction_id)
    .bind(now_ms)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.kind)
    .bind(e.from_department_id)
    .bind(e.to_department_id)
    .bind(e.detail)
    .bind(e.reason)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn events(store: &Store, interaction_id: i64) -> StoreResult<Vec<EventRow>> {
    crate::db::query("SELECT * FROM interaction_events WHERE interaction_id = $1 ORDER BY id")
        .bind(interaction_id)
        .all(store.pool(), |r| EventRow {
            id: r.i64("id"),
            at: r.i64("at"),
            actor_id: r.opt_i64("actor_id"),
            actor_name: r.str("actor_name"),
            kind: r.str("kind"),
            from_department_id: r.opt_i64("from_department_id"),
            to_department_id: r.opt_i64("to_department_id"),
            detail: r.str("detail"),
            reason: r.str("reason"),
        })
        .await
}

/// Which submissions a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Handled by this department.
    pub department_id: Option<i64>,
    /// Submitted by this account.
    pub submitter_user_id: Option<i64>,
    /// Published answers only (the public list).
    pub public_only: bool,
    /// Complaints about staff conduct only (the supervision bureau's list).
    pub staff_conduct_only: bool,
    pub kind: Option<String>,
    pub state: Option<String>,
    /// Words searched in the title, content and reply.
    pub q: Option<String>,
    /// Open and due before this day (overdue).
    pub due_before: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// A page of submissions and the total matching.
pub async fn list(store: &Store, f: &Filter) -> StoreResult<(Vec<InteractionRow>, i64)> {
    enum V {
        I(i64),
        S(String),
    }
    let mut wh = String::from(" WHERE 1 = 1");
    let mut vals: Vec<V> = vec![];
    let next = |v: V, vals: &mut Vec<V>| {
        vals.push(v);
        format!("${}", vals.len())
    };
    if let Some(d) = f.department_id {
        wh += &format!(" AND i.department_id = {}", next(V::I(d), &mut vals));
    }
    if let Some(u) = f.submitter_user_id {
        wh += &format!(" AND i.submitter_user_id = {}", next(V::I(u), &mut vals));
    }
    if f.public_only {
        wh += const_concat!(" AND i.publication = ", sql_code!(Publication::Public));
    }
    if f.staff_conduct_only {
        wh += " AND i.staff_conduct = 1";
    }
    if let Some(k) = f.kind.as_ref().filter(|k| !k.is_empty()) {
        wh += &format!(" AND i.kind = {}", next(V::S(k.clone()), &mut vals));
    }
    if let Some(s) = f.state.as_ref().filter(|s| !s.is_empty()) {
        wh += &format!(" AND i.state = {}", next(V::S(s.clone()), &mut vals));
    }
    if let Some(d) = &f.due_before {
        let open = sql_code!(State::Open);
        wh += &format!(" AND i.state = {open} AND i.due < {}", next(V::S(d.clone()), &mut vals));
    }
    for word in f.q.as_deref().unwrap_or("").split_whitespace().take(5) {
        let like = format!("%{}%", word.replace(['%', '_', '\\'], ""));
        let a = next(V::S(like.clone()), &mut vals);
        let b = next(V::S(like.clone()), &mut vals);
        let c = next(V::S(like), &mut vals);
        wh += &format!(" AND (i.title LIKE {a} OR i.content LIKE {b} OR COALESCE(i.reply, '') LIKE {c})");
    }
    let order = if f.public_only { "i.replied_at DESC, i.id DESC" } else { "i.state, i.due, i.id" };
    let bind_all = |sql: String, vals: &[V]| {
        let mut q = crate::db::query(sql);
        for v in vals {
            q = match v {
                V::I(i) => q.bind(*i),
                V::S(s) => q.bind(s.clone()),
            };
        }
        q
    };
    let total =
        bind_all(format!("SELECT COUNT(*) AS n FROM {FROM}{wh}"), &vals).fetch_one(store.pool()).await?.i64("n");
    let sql = format!(
        "SELECT {COLS} FROM {FROM}{wh} ORDER BY {order} LIMIT {} OFFSET {}",
        f.limit.clamp(1, 200),
        f.offset.max(0)
    );
    let rows = bind_all(sql, &vals).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

// ---------- handlers (第七条) ----------

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = InteractionHandler))]
pub struct HandlerRow {
    pub id: i64,
    pub department_id: i64,
    pub user_id: i64,
    pub name: String,
    /// lead (负责人) | staff (具体工作人员)
    pub duty: String,
    pub mobile: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
}

/// The handlers of a department, current first, then the history.
pub async fn handlers(store: &Store, department_id: i64) -> StoreResult<Vec<HandlerRow>> {
    crate::db::query(
        "SELECT h.*, u.display_name AS name FROM interaction_handlers h JOIN users u ON u.id = h.user_id \
         WHERE h.department_id = $1 ORDER BY CASE WHEN h.ended_at IS NULL THEN 0 ELSE 1 END, h.id DESC",
    )
    .bind(department_id)
    .all(store.pool(), handler_row)
    .await
}

/// The handlers on duty in every department, leads first.
pub async fn current_handlers(store: &Store) -> StoreResult<Vec<HandlerRow>> {
    const SQL: &str = const_concat!(
        "SELECT h.*, u.display_name AS name FROM interaction_handlers h JOIN users u ON u.id = h.user_id \
         WHERE h.ended_at IS NULL ORDER BY h.department_id, CASE WHEN h.duty = ",
        sql_code!(Duty::Lead),
        " THEN 0 ELSE 1 END, h.id"
    );
    crate::db::query(SQL).all(store.pool(), handler_row).await
}

fn handler_row(r: &crate::db::Row) -> HandlerRow {
    HandlerRow {
        id: r.i64("id"),
        department_id: r.i64("department_id"),
        user_id: r.i64("user_id"),
        name: r.str("name"),
        duty: r.str("duty"),
        mobile: r.str("mobile"),
        started_at: r.i64("started_at"),
        ended_at: r.opt_i64("ended_at"),
        end_reason: r.opt_str("end_reason"),
    }
}

pub async fn add_handler(
    tx: &mut Tx,
    department_id: i64,
    user_id: i64,
    duty: &str,
    mobile: &str,
    by: Option<i64>,
    now_ms: i64,
) -> StoreResult<i64> {
    let r = crate::db::query(
        "INSERT INTO interaction_handlers (department_id, user_id, duty, mobile, started_at, started_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(department_id)
    .bind(user_id)
    .bind(duty)
    .bind(mobile)
    .bind(now_ms)
    .bind(by)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

/// The handler rows of `user_id` on duty (not ended), in any department.
pub async fn open_handlers_of(ex: Ex<'_>, user_id: i64) -> StoreResult<Vec<HandlerRow>> {
    crate::db::query(
        "SELECT h.*, u.display_name AS name FROM interaction_handlers h JOIN users u ON u.id = h.user_id \
         WHERE h.user_id = $1 AND h.ended_at IS NULL ORDER BY h.id",
    )
    .bind(user_id)
    .all(ex, handler_row)
    .await
}

/// Ends a current handler row; false when it was not current.
pub async fn end_handler(
    tx: &mut Tx,
    department_id: i64,
    id: i64,
    by: Option<i64>,
    reason: &str,
    now_ms: i64,
) -> StoreResult<bool> {
    let r = crate::db::query(
        "UPDATE interaction_handlers SET ended_at = $1, ended_by = $2, end_reason = $3 \
         WHERE id = $4 AND department_id = $5 AND ended_at IS NULL",
    )
    .bind(now_ms)
    .bind(by)
    .bind(reason)
    .bind(id)
    .bind(department_id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

// ---------- notifications (the outbox) ----------

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub channel: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub struct NewNotification<'a> {
    pub user_id: Option<i64>,
    pub mobile: Option<&'a str>,
    /// inapp | sms
    pub channel: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

pub async fn notify(tx: &mut Tx, n: &NewNotification<'_>, now_ms: i64) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO notifications (user_id, mobile, channel, title, body, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(n.user_id)
    .bind(n.mobile)
    .bind(n.channel)
    .bind(n.title)
    .bind(n.body)
    .bind(n.link)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The same in-app message to each of `users`.
pub async fn notify_users(
    tx: &mut Tx,
    users: &[i64],
    title: &str,
    body: &str,
    link: &str,
    now_ms: i64,
) -> StoreResult<()> {
    for u in users {
        let n = NewNotification { user_id: Some(*u), mobile: None, channel: Channel::InApp.code(), title, body, link };
        notify(tx, &n, now_ms).await?;
    }
    Ok(())
}

/// An account's in-app messages, newest first, and how many are unread.
pub async fn notifications(store: &Store, user_id: i64, limit: i64) -> StoreResult<(Vec<Notification>, i64)> {
    let (rows, _, unread) = notifications_page(store, user_id, 0, limit).await?;
    Ok((rows, unread))
}

fn notification(r: &crate::db::Row) -> Notification {
    Notification {
        id: r.i64("id"),
        channel: r.str("channel"),
        title: r.str("title"),
        body: r.str("body"),
        link: r.str("link"),
        created_at: r.i64("created_at"),
        read_at: r.opt_i64("read_at"),
    }
}

/// A page of an account's in-app messages (newest first, `limit` from
/// `offset`), how many there are, and how many are unread.
pub async fn notifications_page(
    store: &Store,
    user_id: i64,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<Notification>, i64, i64)> {
    let inapp = sql_code!(Channel::InApp);
    let rows = crate::db::query(format!(
        "SELECT * FROM notifications WHERE user_id = $1 AND channel = {inapp} ORDER BY id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 200),
        offset.max(0)
    ))
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    const COUNTS: &str = const_concat!(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) AS unread \
         FROM notifications WHERE user_id = $1 AND channel = ",
        sql_code!(Channel::InApp)
    );
    let c = crate::db::query(COUNTS).bind(user_id).fetch_one(store.pool()).await?;
    Ok((rows.iter().map(notification).collect(), c.i64("n"), c.i64("unread")))
}

/// How many in-app messages of an account are unread.
pub async fn unread_count(store: &Store, user_id: i64) -> StoreResult<i64> {
    const UNREAD: &str = const_concat!(
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL AND channel = ",
        sql_code!(Channel::InApp)
    );
    Ok(crate::db::query(UNREAD).bind(user_id).fetch_one(store.pool()).await?.i64("n"))
}

/// Marks in-app message `id` of account `user_id` read; its link, or None
/// when the account has no such message.
pub async fn mark_one_read(tx: &mut Tx, user_id: i64, id: i64, now_ms: i64) -> StoreResult<Option<String>> {
    const FIND: &str = const_concat!(
        "SELECT link FROM notifications WHERE id = $1 AND user_id = $2 AND channel = ",
        sql_code!(Channel::InApp)
    );
    let Some(row) = crate::db::query(FIND).bind(id).bind(user_id).fetch_optional(tx.conn()).await? else {
        return Ok(None);
    };
    crate::db::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(Some(row.str("link")))
}

pub async fn mark_read(tx: &mut Tx, user_id: i64, now_ms: i64) -> StoreResult<u64> {
    const SQL: &str = const_concat!(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND channel = ",
        sql_code!(Channel::InApp)
    );
    let r = crate::db::query(SQL).bind(now_ms).bind(user_id).execute(tx.conn()).await?;
    Ok(r.rows_affected())
}

/// Messages waiting for a channel other than in-app (for its sender; given-up ones not counted).
pub async fn pending(store: &Store, channel: &str) -> StoreResult<i64> {
    const SQL: &str = const_concat!(
        "SELECT COUNT(*) AS n FROM notifications WHERE ",
        crate::outbox::OUTSIDE,
        " AND channel = $1 AND sent_at IS NULL AND failed_at IS NULL"
    );
    Ok(crate::db::query(SQL).bind(channel).fetch_one(store.pool()).await?.i64("n"))
}
