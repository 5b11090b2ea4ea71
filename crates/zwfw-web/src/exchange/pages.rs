//! 数据交换: the exchange monitor's page, reading the feedback now, and the
//! correction page of a rejected row.

use crate::http::prelude::*;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct MonitorQuery {
    pub done: Option<String>,
    pub recorded: Option<u32>,
    pub unknown: Option<u32>,
}

/// 数据交换监控: the backlog per table, the oldest waiting row's age, what
/// was delivered today, the rejected rows with the reason, the province's
/// feedback not corrected yet.
pub async fn exchange_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<MonitorQuery>) -> Response {
    monitor_view(&st, &ra, &q, None).await
}

async fn monitor_view(st: &AppState, ra: &RequestAuth, q: &MonitorQuery, error: Option<String>) -> Response {
    match zwfw_app::exchange::monitor(&ctx(st, ra)).await {
        Ok(m) => {
            let ages: Vec<String> = m.tables.iter().map(|t| t.oldest_age_s.map(age_text).unwrap_or_default()).collect();
            let c = context! { m => Value::from_serialize(&m), ages => ages, done => q.done, recorded => q.recorded,
            unknown => q.unknown, error => error };
            render(st, ra, "admin_exchange.html", c)
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

/// 立即读取反馈: reads the province's feedback tables now.
pub async fn poll_submit(SignedIn { st, ra, .. }: SignedIn) -> Response {
    match zwfw_app::exchange::feedback::poll_now(&ctx(&st, &ra)).await {
        Ok(r) => Redirect::to(&format!("/admin/exchange?done=poll&recorded={}&unknown={}", r.recorded, r.unknown))
            .into_response(),
        Err(e) => with_status(monitor_view(&st, &ra, &MonitorQuery::default(), Some(e.message())).await, e.status()),
    }
}

/// A rejected row: what was wrong, and the correction form.
pub async fn row_page(SignedIn { st, ra, .. }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    row_view(&st, &ra, id, None, None).await
}

async fn row_view(
    st: &AppState,
    ra: &RequestAuth,
    id: i64,
    error: Option<String>,
    form: Option<&ResendForm>,
) -> Response {
    match zwfw_app::exchange::feedback::row(&ctx(st, ra), id).await {
        Ok(v) => {
            let c = context! { v => Value::from_serialize(&v), error => error,
            column => form.map(|f| f.column.clone()), value => form.map(|f| f.value.clone()),
            reason => form.map(|f| f.reason.clone()) };
            render(st, ra, "admin_exchange_row.html", c)
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct ResendForm {
    #[serde(default)]
    column: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    reason: String,
}

/// 更正并重新报送: a new version of the row, with the correction.
pub async fn resend_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: super::FormBody<ResendForm>,
) -> Response {
    let f = match super::permitted(zwfw_app::exchange::feedback::may_resend(&ctx(&st, &ra)), form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input = zwfw_app::exchange::feedback::ResendInput {
        column: Some(f.column.clone()).filter(|c| !c.trim().is_empty()),
        value: f.value.clone(),
        sub: f.sub.as_deref().and_then(|s| s.trim().parse().ok()).unwrap_or(0),
        reason: f.reason.clone(),
    };
    match zwfw_app::exchange::feedback::resend(&ctx(&st, &ra), id, &input).await {
        Ok(_) => Redirect::to("/admin/exchange?done=resend").into_response(),
        Err(e) => with_status(row_view(&st, &ra, id, Some(e.message()), Some(&f)).await, e.status()),
    }
}

/// An age in words: 3 分钟, 2 小时 5 分钟, 1 天 3 小时.
fn age_text(s: i64) -> String {
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h) {
        (0, 0) if m == 0 => format!("{s} 秒"),
        (0, 0) => format!("{m} 分钟"),
        (0, _) => format!("{h} 小时 {m} 分钟"),
        _ => format!("{d} 天 {h} 小时"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_read_in_chinese() {
        assert_eq!(super::age_text(42), "42 秒");
        assert_eq!(super::age_text(125), "2 分钟");
        assert_eq!(super::age_text(7500), "2 小时 5 分钟");
        assert_eq!(super::age_text(97_200), "1 天 3 小时");
    }
}
