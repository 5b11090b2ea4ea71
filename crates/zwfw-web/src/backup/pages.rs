//! 数据备份: the system administrator's page of backups and restore drills.

use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::backup::schedule;

#[derive(Deserialize)]
pub struct BackupsQuery {
    done: Option<String>,
}

/// 数据备份: the settings, what is wrong now, the backups and the drills.
pub async fn backups_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<BackupsQuery>) -> Response {
    let flash = match q.done.as_deref() {
        Some("backup") => Some("数据备份已完成。"),
        Some("backup_failed") => Some("数据备份未成功，原因见下方备份记录。"),
        Some("drill") => Some("恢复演练已完成，结果见下方演练记录。"),
        _ => None,
    };
    backups_view(&st, &ra, flash, None).await
}

async fn backups_view(st: &AppState, ra: &RequestAuth, flash: Option<&str>, error: Option<String>) -> Response {
    match schedule::overview(&ctx(st, ra)).await {
        Ok(v) => {
            let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
            let c = context! { v => Value::from_serialize(&v), flash => flash, error => error };
            with_status(render(st, ra, "admin_backups.html", c), status)
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

/// 立即备份 (CSRF-checked form, audited).
pub async fn back_up_now(SignedIn { st, ra, .. }: SignedIn) -> Response {
    match schedule::back_up_now(&ctx(&st, &ra), "manual").await {
        Ok(b) if b.outcome == "ok" => Redirect::to("/admin/backups?done=backup").into_response(),
        Ok(_) => Redirect::to("/admin/backups?done=backup_failed").into_response(),
        Err(e) if e.kind() == zwfw_app::Kind::Forbidden => error_page(&st, Some(&ra), &e),
        Err(e) => with_status(backups_view(&st, &ra, None, Some(e.message())).await, e.status()),
    }
}

/// 立即演练 (CSRF-checked form, audited).
pub async fn drill_now(SignedIn { st, ra, .. }: SignedIn) -> Response {
    match schedule::drill(&ctx(&st, &ra), "manual", None).await {
        Ok(_) => Redirect::to("/admin/backups?done=drill").into_response(),
        Err(e) if e.kind() == zwfw_app::Kind::Forbidden => error_page(&st, Some(&ra), &e),
        Err(e) => with_status(backups_view(&st, &ra, None, Some(e.message())).await, e.status()),
    }
}
