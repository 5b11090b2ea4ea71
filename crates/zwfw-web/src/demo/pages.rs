//! The demo clock, moved from the workbench (demo mode only).

use crate::http::prelude::*;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ClockForm {
    offset: String,
}

pub async fn clock_submit(SignedIn { st, ra, .. }: SignedIn, Form(f): Form<ClockForm>) -> Response {
    match crate::demo::api::move_clock(&ctx(&st, &ra), &f.offset).await {
        Ok(_) => see_other("/"),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}
