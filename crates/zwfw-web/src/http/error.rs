//! The web layer's error: an application error answered over HTTP, with the
//! status its kind maps to, its stable code and its Chinese message.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::Json;
use serde::Serialize;
pub use zwfw_app::error::Kind;
use zwfw_app::AppError;
use zwfw_domain::DomainError;
use zwfw_store::StoreError;

/// An application error on its way out as an HTTP response.
#[derive(Debug)]
pub struct WebError(pub AppError);

pub type WebResult<T> = Result<T, WebError>;

/// Every error a handler meets converts with `?`.
macro_rules! from_app {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for WebError {
            fn from(e: $t) -> Self {
                WebError(AppError::from(e))
            }
        })*
    };
}

from_app!(
    AppError,
    DomainError,
    StoreError,
    zwfw_domain::calendar::CalendarError,
    zwfw_domain::cases::CaseError,
    zwfw_domain::catalog::ItemError,
    zwfw_domain::catalog::GovernanceError,
    zwfw_domain::files::UploadError,
    zwfw_domain::evaluation::ConfigError,
    zwfw_domain::interaction::InteractionError,
    zwfw_domain::rating::RatingError,
    zwfw_domain::supervision::SupervisionError,
);

impl From<axum::extract::rejection::JsonRejection> for WebError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        WebError::with_detail(Kind::BadInput, "bad_request", e.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for WebError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        // "Failed to deserialize query string: page: invalid digit found in string"
        let text = e.body_text();
        let detail = text.split_once(": ").map(|(_, d)| d.to_string()).unwrap_or(text);
        WebError::with_detail(Kind::BadInput, "bad_request", detail)
    }
}

impl From<axum::extract::rejection::PathRejection> for WebError {
    fn from(e: axum::extract::rejection::PathRejection) -> Self {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        let detail = match &e {
            PathRejection::FailedToDeserializePathParams(d) => match d.kind() {
                ErrorKind::ParseErrorAtKey { key, value, expected_type } => {
                    format!("{key}: cannot parse `{value}` as {expected_type}")
                }
                ErrorKind::ParseErrorAtIndex { index, value, expected_type } => {
                    format!("parameter {index}: cannot parse `{value}` as {expected_type}")
                }
                ErrorKind::InvalidUtf8InPathParam { key } => format!("{key}: invalid UTF-8"),
                _ => d.body_text(),
            },
            _ => e.body_text(),
        };
        WebError::with_detail(Kind::BadInput, "bad_request", detail)
    }
}

impl std::ops::Deref for WebError {
    type Target = AppError;
    fn deref(&self) -> &AppError {
        &self.0
    }
}

/// The HTTP status of an application error.
pub trait HttpStatus {
    fn status(&self) -> StatusCode;
}

impl HttpStatus for AppError {
    fn status(&self) -> StatusCode {
        status_of(self.kind())
    }
}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The HTTP status of each kind of failure.
pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::BadInput => StatusCode::BAD_REQUEST,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Locked => StatusCode::LOCKED,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::Gone => StatusCode::GONE,
        Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::TooMany => StatusCode::TOO_MANY_REQUESTS,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl WebError {
    pub fn new(kind: Kind, code: &'static str) -> WebError {
        WebError(AppError::new(kind, code))
    }
    pub fn with_detail(kind: Kind, code: &'static str, detail: impl Into<String>) -> WebError {
        WebError(AppError::with_detail(kind, code, detail))
    }
    pub fn forbidden() -> WebError {
        WebError(AppError::forbidden())
    }
    pub fn not_found(what: &'static str) -> WebError {
        WebError(AppError::not_found(what))
    }
    pub fn bad(code: &'static str) -> WebError {
        WebError(AppError::bad(code))
    }
    pub fn invalid(field: &'static str) -> WebError {
        WebError(AppError::Domain(DomainError::Invalid { field, reason: "format" }))
    }
    pub fn internal(what: impl Into<String>) -> WebError {
        WebError(AppError::Internal(what.into()))
    }
    pub fn status(&self) -> StatusCode {
        status_of(self.0.kind())
    }
    pub fn kind(&self) -> Kind {
        self.0.kind()
    }
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
    pub fn detail(&self) -> Option<String> {
        self.0.detail()
    }
    pub fn message(&self) -> String {
        self.0.message()
    }
    /// The store's error, when that is what failed.
    pub fn store(&self) -> Option<&StoreError> {
        match &self.0 {
            AppError::Store(s) => Some(s),
            _ => None,
        }
    }
}

/// The structured error body of the API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid_credit_code`.
    pub code: String,
    /// Human-readable message in Chinese.
    pub message: String,
    /// The field or sub-reason concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ErrorBody { code: self.code().to_string(), message: self.message(), detail: self.detail() };
        (status, Json(body)).into_response()
    }
}

impl From<WebError> for AppError {
    fn from(e: WebError) -> Self {
        e.0
    }
}
