//! The demo clock, moved from the workbench (demo mode only).

use crate::http::prelude::*;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ClockForm {
    offset: String,
}

pub async fn clock_submit(
    SignedIn { st, ra, .. }: SignedIn,
    form: crate::http::extract::LateForm<ClockForm>,
) -> Response {
    // Who may not move the clock is refused whatever was sent.
    if let Err(e) = crate::demo::api::may_move_clock(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &e);
    }
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match crate::demo::api::move_clock(&ctx(&st, &ra), &f.offset).await {
        Ok(_) => see_other("/"),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}
