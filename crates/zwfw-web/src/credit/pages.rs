//! 双公示 pages: the public list of 行政许可 decisions (no sign-in) and the
//! deciding department's list with the 公示 form.

use crate::http::prelude::*;
use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::credit::{self as cr, ListQuery, PublishInput};
use zwfw_domain::credit::Category;

/// The query string of a list's filters (page left out), for the pager and the export link.
fn filter_query(q: &ListQuery) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("name", &q.name),
        ("code", &q.code),
        ("department_id", &q.department_id),
        ("from", &q.from),
        ("to", &q.to),
        ("state", &q.state),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
    .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The licensing authorities for the public filter (departments that
/// implement a published item).
async fn departments(st: &AppState, on: Option<&str>) -> Vec<Value> {
    cr::authorities(st)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, name)| context! { id => id, name => name, on => on == Some(id.to_string().as_str()) })
        .collect()
}

fn pager(base: &str, filters: &str, p: &cr::CreditPage) -> (Option<String>, Option<String>) {
    let sep = if filters.is_empty() { String::new() } else { format!("{filters}&") };
    let more = p.page * p.per_page < p.total;
    let next = more.then(|| format!("{base}?{sep}page={}", p.page + 1));
    let prev = (p.page > 1).then(|| format!("{base}?{sep}page={}", p.page - 1));
    (prev, next)
}

/// 行政许可信息公示: the published decisions, with the filters and the workbook.
pub async fn public_page(State(st): State<AppState>, Auth(ra): Auth, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let page = cr::public_list(&ctx(&st, &ra), &q).await;
    let filters = filter_query(&q);
    let depts = departments(&st, q.department_id.as_deref()).await;
    let export =
        format!("/credit/licensing/export{}", if filters.is_empty() { "".into() } else { format!("?{filters}") });
    render_result(&st, &ra, "credit_public.html", page, |p| {
        let (prev, next) = pager("/credit/licensing", &filters, &p);
        context! { p => Value::from_serialize(&p), q => Value::from_serialize(&q), departments => depts,
        export => export, prev => prev, next => next }
    })
}

/// The public list's workbook, from the page's 导出Excel link: a refusal
/// (a bad filter, the look-up limit) is answered as a page, not as the
/// API's JSON.
pub async fn public_export(State(st): State<AppState>, Auth(ra): Auth, PageQuery(q): PageQuery<ListQuery>) -> Response {
    match cr::public_workbook(&ctx(&st, &ra), &q).await {
        Ok(bytes) => super::api::xlsx(bytes),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// 双公示管理: the department's decisions by state, each pending one with its 公示 form.
pub async fn manage_page(
    SignedIn { st, ra, .. }: SignedIn,
    PageQuery(q): PageQuery<ListQuery>,
    PageQuery(done): PageQuery<DoneQuery>,
) -> Response {
    let page = cr::staff_list(&ctx(&st, &ra), &q).await;
    let flash = done.done.as_deref().map(|_| "已公示，记录已移入“已公示”并在信用信息公示页面向社会公开".to_string());
    render_manage(&st, &ra, &q, page, flash, None).await
}

async fn render_manage(
    st: &AppState,
    ra: &RequestAuth,
    q: &ListQuery,
    page: zwfw_app::AppResult<cr::CreditPage>,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    let state = q.state.clone().unwrap_or_else(|| "pending".into());
    let states: Vec<Value> = [("pending", "待公示"), ("published", "已公示"), ("all", "全部")]
        .iter()
        .map(|(code, label)| tab(format!("/credit/licensing/manage?state={code}"), *label, state == *code))
        .collect();
    let categories: Vec<Value> =
        Category::ALL.iter().map(|c| context! { code => c.code(), label => c.label() }).collect();
    let filters = filter_query(q);
    render_result(st, ra, "credit_manage.html", page, |p| {
        let (prev, next) = pager("/credit/licensing/manage", &filters, &p);
        context! { p => Value::from_serialize(&p), states => states, categories => categories, state => state,
        flash => flash, error => error, prev => prev, next => next }
    })
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    content: String,
}

/// 公示 from the department's list: back to the list with the outcome.
pub async fn publish_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(case_id): PagePath<i64>,
    form: LateForm<PublishForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let outcome = async {
        cr::check_publisher(&c, case_id).await?;
        let f = form.parse()?;
        let content = (!f.content.trim().is_empty()).then_some(f.content);
        cr::publish(&c, case_id, &PublishInput { category: f.category, content }).await?;
        Ok::<_, WebError>("/credit/licensing/manage?done=publish".to_string())
    }
    .await;
    let q = ListQuery::default();
    let reread = cr::staff_list(&c, &q);
    let (st, ra, q) = (&st, &ra, &q);
    after_act(
        st,
        ra,
        outcome,
        reread,
        |p, error| async move { render_manage(st, ra, q, Ok(p), None, Some(error)).await },
    )
    .await
}
