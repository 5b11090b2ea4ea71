//! The audit trail over the API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
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
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Records with a smaller sequence number (paging).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditRecordView {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub department_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// JSON text describing what changed.
    pub detail: String,
    pub reason: String,
    pub client_addr: String,
    pub hash: String,
}

#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditRecordView]), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn audit(
    State(st): State<AppState>,
    Signed(s, _): Signed,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> WebResult<Json<Vec<AuditRecordView>>> {
    if !zwfw_domain::access::staff::may_read_audit(&s.actor) {
        return Err(WebError::forbidden());
    }
    let t = |v: &Option<String>| -> WebResult<Option<i64>> {
        v.as_deref().map(zwfw_domain::time::parse_rfc3339).transpose().map_err(Into::into)
    };
    let f = zwfw_store::audit::AuditFilter {
        from_ms: t(&q.from)?,
        to_ms: t(&q.to)?,
        actor_name: q.actor,
        action: q.action,
        object_type: q.object_type,
        object_id: q.object_id,
        department_id: None,
        before_seq: q.before,
        limit: q.limit.unwrap_or(100),
    };
    let records = zwfw_store::audit::list(&st.store, &f).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| AuditRecordView {
                seq: r.seq,
                at: zwfw_domain::time::format_rfc3339(r.entry.at_ms),
                actor_id: r.entry.actor_id,
                actor_name: r.entry.actor_name,
                actor_role: r.entry.actor_role,
                department_id: r.entry.department_id,
                action: r.entry.action,
                object_type: r.entry.object_type,
                object_id: r.entry.object_id,
                detail: r.entry.detail,
                reason: r.entry.reason,
                client_addr: r.entry.client_addr,
                hash: r.hash,
            })
            .collect(),
    ))
}

/// The audit endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().register(routes!(audit))
}
