//! What a person sets in their own profile: the e-mail address notices go
//! to (optional, checked), audited.

use crate::accounts::sessions::SessionCtx;
use crate::error::{AppError, AppResult, Kind};
use crate::state::Ctx;
use serde_json::json;
use zwfw_domain::outbox::{masked_email, parse_email, EmailError};

/// The stable detail of an address that is not one.
fn detail(e: EmailError) -> &'static str {
    match e {
        EmailError::TooLong => "too_long",
        EmailError::Shape => "shape",
        EmailError::Character => "character",
        EmailError::Domain => "domain",
    }
}

/// An address as given, checked: None when empty (no e-mail), else the
/// address or `invalid_email` with why.
pub fn checked_email(text: &str) -> AppResult<Option<String>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_email(text).map(Some).map_err(|e| AppError::with_detail(Kind::Invalid, "invalid_email", detail(e)))
}

/// Sets (or, with an empty text, clears) the signed-in person's own e-mail
/// address. Notices by e-mail go to it from then on.
pub async fn set_own_email(ctx: &Ctx<'_>, s: &SessionCtx, email: &str) -> AppResult<Option<String>> {
    let email = checked_email(email)?;
    if email == s.user.email {
        return Ok(email);
    }
    let mut tx = ctx.state.store.begin().await?;
    zwfw_store::admin::set_email(&mut tx, s.user.id, email.as_deref(), ctx.now()).await?;
    let shown = |e: &Option<String>| e.as_deref().map(masked_email);
    let e = ctx.entry("email_set", "user", s.user.id, json!({"email": [shown(&s.user.email), shown(&email)]}), "");
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(email)
}
