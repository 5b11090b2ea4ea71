//! The audit trail as a page and as CSV.

use crate::http::prelude::*;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use std::collections::HashMap;

// ---------- audit ----------

fn audit_filter(q: &HashMap<String, String>) -> WebResult<zwfw_store::audit::AuditFilter> {
    let day = |k: &str| -> WebResult<Option<i64>> {
        match q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => {
                let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| WebError::invalid("date"))?;
                let t = d.and_hms_opt(0, 0, 0).expect("midnight") - chrono::Duration::hours(8);
                Ok(Some(t.and_utc().timestamp_millis()))
            }
        }
    };
    let text = |k: &str| q.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(zwfw_store::audit::AuditFilter {
        from_ms: day("from")?,
        to_ms: day("to")?.map(|t| t + 86_400_000),
        actor_name: text("actor"),
        action: text("action"),
        object_type: text("object_type"),
        object_id: text("object_id"),
        department_id: None,
        before_seq: q.get("before").and_then(|s| s.parse().ok()),
        limit: 100,
    })
}

/// The filter of the query and at most `limit` records it selects, for those who may read the trail.
async fn records(
    st: &AppState,
    actor: &zwfw_domain::admin::Actor,
    q: &HashMap<String, String>,
    limit: i64,
) -> WebResult<(zwfw_store::audit::AuditFilter, Vec<zwfw_domain::audit::AuditRecord>)> {
    if !zwfw_domain::access::staff::may_read_audit(actor) {
        return Err(WebError::forbidden());
    }
    let f = zwfw_store::audit::AuditFilter { limit, ..audit_filter(q)? };
    let records = zwfw_store::audit::list(&st.store, &f).await?;
    Ok((f, records))
}

pub async fn audit_page(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> Response {
    let (f, records) = match records(&st, &s.actor, &q, 100).await {
        Ok(r) => r,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let next_before = (records.len() as i64 == f.limit).then(|| records.last().map(|r| r.seq)).flatten();
    let keep: Vec<(String, String)> =
        q.iter().filter(|(k, _)| k.as_str() != "before").map(|(k, v)| (k.clone(), v.clone())).collect();
    let query = serde_urlencoded::to_string(&keep).unwrap_or_default();
    let rows: Vec<Value> =
        records.iter().map(|r| context! { seq => r.seq, ..Value::from_serialize(&r.entry) }).collect();
    let g = |k: &str| q.get(k).cloned().unwrap_or_default();
    let fv = context! { from => g("from"), to => g("to"), actor => g("actor"), action => g("action"), object_type => g("object_type"), object_id => g("object_id") };
    render(&st, &ra, "audit.html", context! { records => rows, f => fv, query => query, next_before => next_before })
}

pub async fn audit_csv(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    PageQuery(q): PageQuery<HashMap<String, String>>,
) -> Response {
    let records = match records(&st, &s.actor, &q, 10_000).await {
        Ok((_, r)) => r,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let esc = |s: &str| {
        // Quote every field; neutralize spreadsheet formulas.
        let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("\u{feff}序号,时间,操作人,角色,部门,操作,对象类型,对象编号,内容,原因,地址,哈希\r\n");
    for r in &records {
        let e = &r.entry;
        let cols = [
            r.seq.to_string(),
            zwfw_domain::time::format_local(e.at_ms),
            e.actor_name.clone(),
            e.actor_role.clone(),
            e.department_id.map(|d| d.to_string()).unwrap_or_default(),
            e.action.clone(),
            e.object_type.clone(),
            e.object_id.clone(),
            e.detail.clone(),
            e.reason.clone(),
            e.client_addr.clone(),
            r.hash.clone(),
        ];
        out += &cols.iter().map(|c| esc(c)).collect::<Vec<_>>().join(",");
        out += "\r\n";
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
        ],
        out,
    )
        .into_response()
}
