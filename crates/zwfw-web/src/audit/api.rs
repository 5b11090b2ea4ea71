//! The audit trail over the API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::HeaderName;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

// ---------- audit ----------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// RFC 3339 instant, inclusive.
    pub from: Option<String>,
    /// RFC 3339 instant, exclusive.
    pub to: Option<String>,
    /// The account's user name, exactly.
    pub actor: Option<String>,
    /// A part of the person's name (at most 50 characters).
    pub person: Option<String>,
    /// The department acted for (an existing department's id).
    pub dept: Option<i64>,
    /// An action code (lower case letters and `_`), e.g. `case_accepted`.
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Records with a smaller sequence number (paging by cursor).
    pub before: Option<i64>,
    /// Page number from 1 (paging by page; the total is in `x-total-count`).
    pub page: Option<i64>,
    /// Records per page, 1–500 (default 50).
    pub limit: Option<i64>,
}

/// A field of what a record changed: its value before (when told) and after.
#[derive(Serialize, ToSchema)]
#[schema(as = AuditChange)]
pub struct ChangeView {
    /// The field's Chinese name.
    pub field: String,
    pub before: Option<String>,
    pub after: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditRecordView {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    /// The account's user name.
    pub actor_name: String,
    /// The person's name.
    pub person_name: Option<String>,
    pub actor_role: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub action: String,
    /// The action's Chinese name.
    pub action_label: String,
    pub object_type: String,
    pub object_id: String,
    /// JSON text describing what changed.
    pub detail: String,
    /// The detail field by field, in Chinese.
    pub changes: Vec<ChangeView>,
    pub reason: String,
    pub client_addr: String,
    pub hash: String,
}

#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditRecordView], headers(("x-total-count" = i64, description = "records the filters find"))), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "a filter out of range, e.g. an end day before the start", body = ErrorBody)), security(("bearer" = [])))]
pub async fn audit(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> WebResult<([(HeaderName, String); 1], Json<Vec<AuditRecordView>>)> {
    let t = |v: &Option<String>| -> WebResult<Option<i64>> {
        v.as_deref().map(zwfw_domain::time::parse_rfc3339).transpose().map_err(Into::into)
    };
    let query = zwfw_app::audit::AuditQuery {
        from_ms: t(&q.from)?,
        to_ms: t(&q.to)?,
        person: q.person,
        username: q.actor,
        department_id: q.dept,
        action: q.action,
        object_type: q.object_type,
        object_id: q.object_id,
        before_seq: q.before,
        page: q.page,
        per_page: q.limit,
        export: false,
    };
    let page = zwfw_app::audit::list(&ctx(&st, &ra), &query).await?;
    let records = page
        .rows
        .into_iter()
        .map(|r| {
            let e = r.record.entry;
            AuditRecordView {
                seq: r.record.seq,
                at: zwfw_domain::time::format_rfc3339(e.at_ms),
                actor_id: e.actor_id,
                actor_name: e.actor_name,
                person_name: r.person,
                actor_role: e.actor_role,
                department_id: e.department_id,
                department_name: r.department,
                action_label: zwfw_app::messages::audit::action_label(&e.action),
                action: e.action,
                object_type: e.object_type,
                object_id: e.object_id,
                changes: zwfw_app::audit::changes(&e.detail)
                    .into_iter()
                    .map(|c| ChangeView { field: c.field, before: c.before, after: c.after })
                    .collect(),
                detail: e.detail,
                reason: e.reason,
                client_addr: e.client_addr,
                hash: r.record.hash,
            }
        })
        .collect();
    Ok(([(HeaderName::from_static("x-total-count"), page.total.to_string())], Json(records)))
}

/// The audit endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().register(routes!(audit))
}
