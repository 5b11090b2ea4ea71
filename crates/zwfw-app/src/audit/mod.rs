//! The audit trail as people read it: filters checked, records in pages with
//! the person's and the department's names, and what each record changed
//! field by field in Chinese.

use crate::error::{AppError, AppResult, Kind};
use crate::messages::audit::{field_label, value_label};
use crate::Ctx;
use serde::Serialize;
use serde_json::Value;
use zwfw_store::audit::{AuditFilter, AuditRow};

pub mod anchor;

/// Records per page unless asked otherwise; the most a page may ask for.
pub const PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 500;
/// The most records one CSV export holds.
pub const MAX_EXPORT: i64 = 10_000;

/// What a reader asks for; every field optional.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// From this instant (inclusive) to that (exclusive), milliseconds.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// A part of the person's name.
    pub person: Option<String>,
    /// The account's user name, exactly (the API's older filter).
    pub username: Option<String>,
    pub department_id: Option<i64>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Records with a smaller sequence number only.
    pub before_seq: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// The whole selection (up to [`MAX_EXPORT`] records) for a CSV export.
    pub export: bool,
}

/// One page of records.
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// One line of "what changed": a field, its value before (when the record
/// tells it) and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: String,
}

/// A filter's value that cannot be: a bad request naming the field.
fn bad_value(field: &'static str) -> AppError {
    AppError::with_detail(Kind::BadInput, "invalid_field", field)
}

/// Checks a query and turns it into the store's filter.
pub async fn filter(ctx: &Ctx<'_>, q: &AuditQuery) -> AppResult<AuditFilter> {
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(bad_value("page"));
    }
    let per_page = if q.export { MAX_EXPORT } else { q.per_page.unwrap_or(PER_PAGE) };
    if !(1..=MAX_PER_PAGE).contains(&per_page) && !q.export {
        return Err(bad_value("per_page"));
    }
    if let (Some(a), Some(b)) = (q.from_ms, q.to_ms) {
        if b < a {
            return Err(AppError::with_detail(Kind::BadInput, "invalid_date_range", ""));
        }
    }
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let action = text(&q.action);
    if action.as_deref().is_some_and(|a| a.len() > 64 || !a.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')) {
        return Err(bad_value("action"));
    }
    let person = text(&q.person);
    if person.as_deref().is_some_and(|p| p.chars().count() > 50) {
        return Err(bad_value("person"));
    }
    if let Some(d) = q.department_id {
        let known = zwfw_store::admin::list_departments(&ctx.state.store).await?;
        if !known.iter().any(|x| x.id == d) {
            return Err(bad_value("department_id"));
        }
    }
    Ok(AuditFilter {
        from_ms: q.from_ms,
        to_ms: q.to_ms,
        actor_name: text(&q.username),
        person,
        action,
        object_type: text(&q.object_type),
        object_id: text(&q.object_id),
        department_id: q.department_id,
        before_seq: q.before_seq,
        offset: (page - 1) * per_page,
        limit: per_page,
    })
}

/// A page of the trail, newest first, for a reader of the audit log.
pub async fn list(ctx: &Ctx<'_>, q: &AuditQuery) -> AppResult<AuditPage> {
    if !ctx.actor.is_some_and(zwfw_domain::access::staff::may_read_audit) {
        return Err(AppError::new(Kind::Forbidden, "forbidden"));
    }
    let f = filter(ctx, q).await?;
    let rows = zwfw_store::audit::list_named(&ctx.state.store, &f).await?;
    let total = zwfw_store::audit::count(&ctx.state.store, &f).await?;
    Ok(AuditPage { rows, total, page: q.page.unwrap_or(1), per_page: f.limit })
}

/// The actions the trail holds with their names, for a filter.
pub async fn actions(ctx: &Ctx<'_>) -> AppResult<Vec<(String, String)>> {
    let codes = zwfw_store::audit::actions(&ctx.state.store).await?;
    Ok(crate::messages::audit::action_options(&codes))
}

/// What a record's detail says, field by field: `{"before": …, "after": …}`
/// as before → after, `{"from": …, "to": …}` as a change of state, a case
/// event by its fields, anything else as values.
pub fn changes(detail: &str) -> Vec<Change> {
    let v: Value = match serde_json::from_str(detail) {
        Ok(v) => v,
        Err(_) if detail.trim().is_empty() => return vec![],
        Err(_) => return vec![Change { field: field_label("detail"), before: None, after: detail.to_string() }],
    };
    let Value::Object(map) = v else {
        return vec![Change { field: field_label("detail"), before: None, after: show("", &v) }];
    };
    let mut out = vec![];
    if let (Some(b), Some(a)) = (map.get("before"), map.get("after")) {
        match (b, a) {
            (Value::Object(bo), Value::Object(ao)) => {
                let mut keys: Vec<&String> = ao.keys().chain(bo.keys().filter(|k| !ao.contains_key(*k))).collect();
                keys.dedup();
                for k in keys {
                    let (before, after) = (bo.get(k).unwrap_or(&Value::Null), ao.get(k).unwrap_or(&Value::Null));
                    if before != after {
                        out.push(Change {
                            field: field_label(k),
                            before: Some(show(k, before)),
                            after: show(k, after),
                        });
                    }
                }
            }
            _ => out.push(Change { field: field_label("changed"), before: Some(show("", b)), after: show("", a) }),
        }
        rest(&map, &["before", "after"], &mut out);
        return out;
    }
    if let (Some(f), Some(t)) = (map.get("from"), map.get("to")) {
        let from = show("from", f);
        out.push(Change {
            field: field_label("state"),
            before: (!from.is_empty()).then_some(from),
            after: show("to", t),
        });
        rest(&map, &["from", "to"], &mut out);
        return out;
    }
    if let Some(Value::Object(event)) = map.get("event") {
        // Who, when, which department and role are the record's own columns.
        if let Some(Value::String(t)) = event.get("type") {
            out.push(Change { field: field_label("type"), before: None, after: value_label("type", t) });
        }
        rest(event, &["type", "actor_id", "at_ms", "department_id", "role"], &mut out);
        rest(&map, &["event", "seq"], &mut out);
        return out;
    }
    rest(&map, &[], &mut out);
    out
}

fn rest(map: &serde_json::Map<String, Value>, skip: &[&str], out: &mut Vec<Change>) {
    for (k, v) in map {
        if !skip.contains(&k.as_str()) {
            out.push(Change { field: field_label(k), before: None, after: show(k, v) });
        }
    }
}

/// A value as text: codes named, lists joined, nested fields labelled.
fn show(key: &str, v: &Value) -> String {
    match v {
        Value::Null => "（空）".to_string(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => "（空）".to_string(),
        Value::String(s) => value_label(key, s),
        Value::Array(a) if a.is_empty() => "（无）".to_string(),
        Value::Array(a) => a.iter().map(|x| show(key, x)).collect::<Vec<_>>().join("、"),
        Value::Object(o) => {
            o.iter().map(|(k, x)| format!("{}：{}", field_label(k), show(k, x))).collect::<Vec<_>>().join("；")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(field: &str, before: Option<&str>, after: &str) -> Change {
        Change { field: field.into(), before: before.map(str::to_string), after: after.into() }
    }

    #[test]
    fn before_and_after_become_one_line_per_changed_field() {
        let d = r#"{"before":{"name":"旧名","enabled":true,"params":{"days":3}},"after":{"name":"新名","enabled":true,"params":{"days":5}}}"#;
        assert_eq!(
            changes(d),
            vec![c("名称", Some("旧名"), "新名"), c("参数", Some("天数（工作日）：3"), "天数（工作日）：5")]
        );
    }

    #[test]
    fn a_change_of_state_and_a_case_event_read_in_chinese() {
        let d = r#"{"from":"draft","to":"legal_review","version_id":1}"#;
        assert_eq!(changes(d), vec![c("状态", Some("草稿"), "法制审核中"), c("事项版本", None, "1")]);
        let d = r#"{"event":{"actor_id":14,"at_ms":1,"department_id":1,"missing":["缺签字","复印件不清"],"role":"counter","type":"supplement_requested"},"seq":2}"#;
        assert_eq!(
            changes(d),
            vec![c("事件类型", None, "发出补正通知"), c("需补正的内容", None, "缺签字、复印件不清")]
        );
        let d = r#"{"code":"529900","level":"city","name":"示例市"}"#;
        assert_eq!(
            changes(d),
            vec![c("行政区划代码", None, "529900"), c("层级", None, "市"), c("名称", None, "示例市")]
        );
        assert_eq!(changes("not json"), vec![c("详情", None, "not json")]);
    }
}
