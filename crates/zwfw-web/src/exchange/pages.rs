//! 数据交换: the exchange monitor's page.

use crate::http::prelude::*;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;

/// 数据交换监控: the backlog per table, the oldest waiting row's age, what
/// was delivered today, the rejected rows with the reason.
pub async fn exchange_page(SignedIn { st, ra, .. }: SignedIn) -> Response {
    match zwfw_app::exchange::monitor(&ctx(&st, &ra)).await {
        Ok(m) => {
            let ages: Vec<String> = m.tables.iter().map(|t| t.oldest_age_s.map(age_text).unwrap_or_default()).collect();
            let c = context! { m => Value::from_serialize(&m), ages => ages };
            render(&st, &ra, "admin_exchange.html", c)
        }
        Err(e) => error_page(&st, Some(&ra), &e),
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
