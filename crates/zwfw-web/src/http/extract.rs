//! Extractors shared by the API: a JSON body, a query and path parameters
//! whose rejection is the API's structured error (`bad_request`, with the
//! parameter or the body's fault as detail).

use crate::http::prelude::*;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// JSON body whose rejection is a structured error.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(WebError))]
pub struct ApiJson<T>(pub T);

/// Query parameters whose rejection is a structured error naming the parameter.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(WebError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters whose rejection is a structured error naming the parameter.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(WebError))]
pub struct ApiPath<T>(pub T);

/// Query parameters of a page: a bad one answers the error page (in Chinese,
/// with the status of the fault), as every other failure of a page does.
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequestParts<AppState> for PageQuery<T> {
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, st).await {
            Ok(axum::extract::Query(v)) => Ok(PageQuery(v)),
            Err(e) => Err(error_page(st, parts.extensions.get::<RequestAuth>(), &WebError::from(e).0)),
        }
    }
}

/// Path parameters of a page: a bad one answers the error page.
pub struct PagePath<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PagePath<T> {
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, st).await {
            Ok(axum::extract::Path(v)) => Ok(PagePath(v)),
            Err(e) => Err(error_page(st, parts.extensions.get::<RequestAuth>(), &WebError::from(e).0)),
        }
    }
}

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
