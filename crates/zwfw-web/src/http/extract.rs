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
pub struct ApiPath<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, st: &S) -> Result<Self, WebError> {
        match axum::extract::Path::<T>::from_request_parts(parts, st).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(path_error(parts, e)),
        }
    }
}

/// The fault of a path parameter, naming it. Parameters read as a tuple
/// (`/cases/{id}/documents/{doc_id}`) are told by position: the name is
/// taken from the route's pattern.
fn path_error(parts: &Parts, e: axum::extract::rejection::PathRejection) -> WebError {
    use axum::extract::path::ErrorKind;
    use axum::extract::rejection::PathRejection;
    let PathRejection::FailedToDeserializePathParams(d) = &e else { return WebError::from(e) };
    let names: Vec<&str> = parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().split('{').skip(1).filter_map(|p| p.split('}').next()).collect())
        .unwrap_or_default();
    let fault = match d.kind() {
        ErrorKind::ParseErrorAtIndex { index, value, expected_type } => Some((*index, value.clone(), *expected_type)),
        ErrorKind::ParseError { value, expected_type } if names.len() == 1 => Some((0, value.clone(), *expected_type)),
        _ => None,
    };
    match fault.and_then(|(i, value, ty)| names.get(i).map(|name| format!("{name}: cannot parse `{value}` as {ty}"))) {
        Some(detail) => WebError::with_detail(Kind::BadInput, "bad_request", detail),
        None => WebError::from(e),
    }
}

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
            Err(e) => Err(error_page(st, parts.extensions.get::<RequestAuth>(), &path_error(parts, e))),
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
