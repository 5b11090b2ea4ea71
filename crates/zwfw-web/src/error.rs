//! The web layer's one error type. It maps every lower-layer error to an HTTP
//! status, a stable code and a Chinese message.

use crate::messages::error_text;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use zwfw_domain::DomainError;
use zwfw_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{code}")]
    Status { status: StatusCode, code: &'static str, detail: Option<String> },
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(status: StatusCode, code: &'static str) -> AppError {
        AppError::Status { status, code, detail: None }
    }
    pub fn with_detail(status: StatusCode, code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::Status { status, code, detail: Some(detail.into()) }
    }
    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden")
    }
    pub fn not_found(what: &'static str) -> AppError {
        AppError::with_detail(StatusCode::NOT_FOUND, "not_found", what)
    }
    pub fn bad(code: &'static str) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, code)
    }
    pub fn invalid(field: &'static str) -> AppError {
        AppError::Domain(DomainError::Invalid { field, reason: "format" })
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Domain(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            AppError::Store(StoreError::Duplicate(_)) | AppError::Store(StoreError::Conflict(_)) => {
                StatusCode::CONFLICT
            }
            AppError::Store(StoreError::Domain(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Status { status, .. } => *status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(d) | AppError::Store(StoreError::Domain(d)) => d.code(),
            AppError::Store(StoreError::NotFound(_)) => "not_found",
            AppError::Store(StoreError::Duplicate(_)) => "duplicate",
            AppError::Store(StoreError::Conflict(_)) => "conflict",
            AppError::Store(_) => "database_unavailable",
            AppError::Status { code, .. } => code,
            AppError::Internal(_) => "internal",
        }
    }

    /// The field or sub-reason, when there is one.
    pub fn detail(&self) -> Option<String> {
        match self {
            AppError::Domain(d) | AppError::Store(StoreError::Domain(d)) => d.detail().map(str::to_string),
            AppError::Store(StoreError::NotFound(w)) | AppError::Store(StoreError::Duplicate(w)) => Some(w.to_string()),
            AppError::Store(StoreError::Conflict(w)) => Some(w.to_string()),
            AppError::Status { detail, .. } => detail.clone(),
            _ => None,
        }
    }

    /// The message shown to people, in Chinese.
    pub fn message(&self) -> String {
        let text = error_text(self.code(), self.detail().as_deref());
        match (self.code(), self.detail()) {
            ("account_locked", Some(until)) => format!("{text}（锁定至 {until}）"),
            _ => text,
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

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ErrorBody { code: self.code().to_string(), message: self.message(), detail: self.detail() };
        (status, Json(body)).into_response()
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        AppError::with_detail(StatusCode::BAD_REQUEST, "bad_request", e.body_text())
    }
}
