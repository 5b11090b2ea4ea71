//! Extractors shared by the API: a JSON body whose rejection is the API's structured error.

use crate::http::prelude::*;
use axum::extract::FromRequest;

/// JSON body whose rejection is a structured error.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(WebError))]
pub struct ApiJson<T>(pub T);

/// The query of a page shown after an action: which action was done.
#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// A body carrying only the reason of a change.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ReasonInput {
    pub reason: String,
}
