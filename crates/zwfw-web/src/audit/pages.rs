//! The audit trail as a page and as CSV.

use crate::http::prelude::*;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::audit::{changes, AuditQuery};
use zwfw_app::messages::audit::{action_label, role_label};
use zwfw_app::messages::label;

/// The page's filters, as the form sends them (every field may be empty).
#[derive(Deserialize, Default, serde::Serialize)]
pub struct AuditForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    dept: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object_type: String,
    #[serde(default)]
    object_id: String,
    #[serde(default, skip_serializing)]
    page: String,
}

impl AuditForm {
    fn query(&self) -> WebResult<AuditQuery> {
        let day = |s: &str| -> WebResult<Option<chrono::NaiveDate>> {
            Ok(Some(s.trim()).filter(|s| !s.is_empty()).map(zwfw_app::calendar::parse_date).transpose()?)
        };
        let (from, to) = (day(&self.from)?, day(&self.to)?);
        let (from_ms, to_ms) = zwfw_domain::clock::days_span_ms(from, to)
            .ok_or_else(|| WebError::with_detail(Kind::BadInput, "invalid_date_range", ""))?;
        let num = |s: &str, field: &'static str| -> WebResult<Option<i64>> {
            Some(s.trim())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().map_err(|_| WebError::with_detail(Kind::BadInput, "invalid_field", field)))
                .transpose()
        };
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(AuditQuery {
            from_ms,
            to_ms,
            person: text(&self.person),
            department_id: num(&self.dept, "department_id")?,
            action: text(&self.action),
            object_type: text(&self.object_type),
            object_id: text(&self.object_id),
            page: num(&self.page, "page")?,
            ..AuditQuery::default()
        })
    }
}

/// A record as the page and the export show it.
fn row_view(r: &zwfw_store::audit::AuditRow) -> Value {
    let e = &r.record.entry;
    context! {
        seq => r.record.seq,
        at_ms => e.at_ms,
        person => r.person.clone().unwrap_or_else(|| e.actor_name.clone()),
        username => e.actor_name,
        role => role_label(&e.actor_role),
        department => r.department,
        action => action_label(&e.action),
        object => format!("{} {}", label("object", &e.object_type), e.object_id),
        changes => changes(&e.detail),
        reason => e.reason,
        client_addr => e.client_addr,
    }
}

pub async fn audit_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(form): PageQuery<AuditForm>) -> Response {
    let c = ctx(&st, &ra);
    let result = async {
        let q = form.query()?;
        let page = zwfw_app::audit::list(&c, &q).await?;
        let actions = zwfw_app::audit::actions(&c).await?;
        let departments = zwfw_store::admin::list_departments(&st.store).await.map_err(zwfw_app::AppError::from)?;
        Ok::<_, WebError>((page, actions, departments))
    }
    .await;
    let (page, actions, departments) = match result {
        Ok(x) => x,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let keep = serde_urlencoded::to_string(&form).unwrap_or_default();
    let pages = (page.total + page.per_page - 1) / page.per_page;
    let rows: Vec<Value> = page.rows.iter().map(row_view).collect();
    let actions: Vec<Value> =
        actions.into_iter().map(|(code, name)| context! { on => code == form.action.trim(), code, name }).collect();
    let departments: Vec<Value> = departments
        .iter()
        .map(|d| context! { id => d.id, name => d.name, on => form.dept.trim() == d.id.to_string() })
        .collect();
    render(
        &st,
        &ra,
        "audit.html",
        context! {
            records => rows, f => Value::from_serialize(&form), keep => keep, actions => actions,
            departments => departments, total => page.total, page => page.page, pages => pages,
        },
    )
}

pub async fn audit_csv(SignedIn { st, ra, .. }: SignedIn, PageQuery(form): PageQuery<AuditForm>) -> Response {
    let c = ctx(&st, &ra);
    let page = match async {
        let q = AuditQuery { export: true, ..form.query()? };
        Ok::<_, WebError>(zwfw_app::audit::list(&c, &q).await?)
    }
    .await
    {
        Ok(p) => p,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let esc = |s: &str| {
        // Quote every field; neutralize spreadsheet formulas.
        let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from(
        "\u{feff}序号,时间,操作人,账号,角色,部门,操作,对象类型,对象编号,变更内容,原始记录,原因,地址,哈希\r\n",
    );
    for r in &page.rows {
        let e = &r.record.entry;
        let what = changes(&e.detail)
            .iter()
            .map(|c| match &c.before {
                Some(b) => format!("{}：{} → {}", c.field, b, c.after),
                None => format!("{}：{}", c.field, c.after),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let cols = [
            r.record.seq.to_string(),
            zwfw_domain::time::format_local(e.at_ms),
            r.person.clone().unwrap_or_default(),
            e.actor_name.clone(),
            role_label(&e.actor_role),
            r.department.clone().unwrap_or_default(),
            action_label(&e.action),
            label("object", &e.object_type),
            e.object_id.clone(),
            what,
            e.detail.clone(),
            e.reason.clone(),
            e.client_addr.clone(),
            r.record.hash.clone(),
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
