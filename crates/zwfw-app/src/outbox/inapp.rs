//! In-app messages (站内消息) as their reader sees them: a page of them, the
//! unread count the menu shows, one or all marked read. A message is only
//! ever its own reader's: another's id is answered as not found.

use crate::error::{AppError, AppResult};
use crate::state::Ctx;
use serde::Serialize;
use zwfw_store::interaction as si;

/// Messages per page unless asked otherwise, and at most.
pub const PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// A page of the signed-in account's in-app messages, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = NotificationInbox)]
pub struct InboxPage {
    pub messages: Vec<si::Notification>,
    /// Unread messages in all.
    pub unread: i64,
    /// Messages in all.
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
}

fn reader(ctx: &Ctx<'_>) -> AppResult<i64> {
    ctx.actor.map(|a| a.user_id).ok_or_else(AppError::forbidden)
}

/// Page `page` (1-based, default 1) of `per_page` (default `PER_PAGE`, at
/// most `MAX_PER_PAGE`) messages.
pub async fn list(ctx: &Ctx<'_>, page: Option<i64>, per_page: Option<i64>) -> AppResult<InboxPage> {
    let user = reader(ctx)?;
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(PER_PAGE);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid("page"));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(AppError::invalid("per_page"));
    }
    crate::cases::notices::derive_logged(ctx.state).await;
    let (messages, total, unread) =
        si::notifications_page(&ctx.state.store, user, (page - 1) * per_page, per_page).await?;
    Ok(InboxPage { messages, unread, total, page, per_page })
}

/// How many messages are unread.
pub async fn unread(ctx: &Ctx<'_>) -> AppResult<i64> {
    let user = reader(ctx)?;
    crate::cases::notices::derive_if_behind(ctx.state).await;
    Ok(si::unread_count(&ctx.state.store, user).await?)
}

/// Marks one message read (again: no change) and gives its link;
/// `not_found` when it is not one of the reader's.
pub async fn mark_read(ctx: &Ctx<'_>, id: i64) -> AppResult<String> {
    let user = reader(ctx)?;
    let mut tx = ctx.state.store.begin().await?;
    let link =
        si::mark_one_read(&mut tx, user, id, ctx.now()).await?.ok_or_else(|| AppError::not_found("notification"))?;
    tx.commit().await?;
    Ok(link)
}

/// Marks every message read.
pub async fn mark_all_read(ctx: &Ctx<'_>) -> AppResult<()> {
    let user = reader(ctx)?;
    let mut tx = ctx.state.store.begin().await?;
    si::mark_read(&mut tx, user, ctx.now()).await?;
    tx.commit().await?;
    Ok(())
}
