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

/// A JSON body read only when the handler asks for it, after it decided
/// whether the caller may act at all: a caller who may not is answered 403
/// whatever the body, never an error about it. [`LateJson::parse`] answers
/// the same structured errors as [`ApiJson`].
pub struct LateJson<T> {
    bytes: axum::body::Bytes,
    json_type: bool,
    _of: std::marker::PhantomData<fn() -> T>,
}

impl<T, S: Send + Sync> FromRequest<S> for LateJson<T> {
    type Rejection = WebError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WebError> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .is_some_and(|m| m.starts_with("application/") && (m == "application/json" || m.ends_with("+json")));
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::with_detail(Kind::BadInput, "bad_request", e.body_text()))?;
        Ok(LateJson { bytes, json_type, _of: std::marker::PhantomData })
    }
}

impl<T: serde::de::DeserializeOwned> LateJson<T> {
    /// The body, as [`ApiJson`] would have read it.
    pub fn parse(self) -> Result<T, WebError> {
        if !self.json_type {
            return Err(WebError::with_detail(
                Kind::BadInput,
                "bad_request",
                "Expected request with `Content-Type: application/json`",
            ));
        }
        axum::Json::<T>::from_bytes(&self.bytes).map(|j| j.0).map_err(WebError::from)
    }
}

/// A urlencoded form (`axum::Form`) whose fault — a wrong content type, a
/// field that does not parse — is answered only when the handler asks for
/// the form, after it decided whether the caller may act: a caller who may
/// not is answered 403 (or not found) whatever the body.
pub struct LateForm<T>(Result<T, WebError>);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for LateForm<T> {
    type Rejection = std::convert::Infallible;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(LateForm(
            axum::Form::<T>::from_request(req, state)
                .await
                .map(|f| f.0)
                .map_err(|e| WebError::with_detail(Kind::BadInput, "bad_request", e.body_text())),
        ))
    }
}

impl<T> LateForm<T> {
    /// The form, or the fault of the request.
    pub fn parse(self) -> Result<T, WebError> {
        self.0
    }
}

/// A multipart body (`axum::extract::Multipart`) whose fault (not a
/// multipart request, no boundary) is answered only when the handler opens
/// it, after it decided whether the caller may act (see [`LateForm`]).
pub struct LateMultipart(Result<axum::extract::Multipart, WebError>);

impl<S: Send + Sync> FromRequest<S> for LateMultipart {
    type Rejection = std::convert::Infallible;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(LateMultipart(
            axum::extract::Multipart::from_request(req, state)
                .await
                .map_err(|e| WebError::with_detail(Kind::BadInput, "bad_request", e.body_text())),
        ))
    }
}

impl LateMultipart {
    /// The multipart body, or the fault of the request.
    pub fn open(self) -> Result<axum::extract::Multipart, WebError> {
        self.0
    }
}

/// Query parameters whose rejection is a structured error naming the parameter.
/// A parameter sent empty (`?department=`) is taken as absent: no filter.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ApiQuery(non_empty_query(&parts.uri).map_err(WebError::from)?))
    }
}

/// The query of `uri` deserialized with its empty parameters taken as
/// absent: a form's select left at 全部 sends `department=` and means "no
/// filter". A query that needs a parameter even when empty is read as sent.
fn non_empty_query<T: serde::de::DeserializeOwned>(
    uri: &axum::http::Uri,
) -> Result<T, axum::extract::rejection::QueryRejection> {
    let as_sent = || axum::extract::Query::<T>::try_from_uri(uri).map(|q| q.0);
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or_default()) else {
        return as_sent();
    };
    if pairs.iter().all(|(_, v)| !v.trim().is_empty()) {
        return as_sent();
    }
    let kept: Vec<&(String, String)> = pairs.iter().filter(|(_, v)| !v.trim().is_empty()).collect();
    let without: Option<axum::http::Uri> =
        serde_urlencoded::to_string(&kept).ok().and_then(|q| format!("/?{q}").parse().ok());
    match without.map(|u| axum::extract::Query::<T>::try_from_uri(&u)) {
        Some(Ok(q)) => Ok(q.0),
        _ => as_sent(),
    }
}

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
        match non_empty_query::<T>(&parts.uri) {
            Ok(v) => Ok(PageQuery(v)),
            Err(e) => Err(error_page(st, parts.extensions.get::<RequestAuth>(), &page_query_error(e))),
        }
    }
}

/// A page's bad query parameter, in words a visitor understands: which
/// condition (筛选条件) has a value the page does not know.
fn page_query_error(e: axum::extract::rejection::QueryRejection) -> zwfw_app::AppError {
    let WebError(err) = WebError::from(e);
    let key = err.detail().and_then(|d| d.split_once(':').map(|(k, _)| k.trim().to_string()));
    match key {
        Some(k) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            zwfw_app::AppError::with_detail(Kind::BadInput, "bad_filter", k)
        }
        _ => zwfw_app::AppError::new(Kind::BadInput, "bad_filter"),
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
