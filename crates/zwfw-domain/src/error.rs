//! The domain error type. Every variant has a stable code used by the API and
//! by the message catalogue that renders it in Chinese.

use thiserror::Error;

pub type DomainResult<T> = Result<T, DomainError>;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("invalid resident identity number: {0}")]
    InvalidResidentId(&'static str),
    #[error("invalid unified social credit code: {0}")]
    InvalidCreditCode(&'static str),
    #[error("invalid licence identifier: {0}")]
    InvalidLicenseId(&'static str),
    #[error("invalid licence type code: {0}")]
    InvalidLicenseTypeCode(&'static str),
    #[error("invalid administrative division code")]
    InvalidRegionCode,
    #[error("invalid mobile number")]
    InvalidMobile,
    #[error("weak password: {0}")]
    WeakPassword(&'static str),
    #[error("invalid value for {field}: {reason}")]
    Invalid { field: &'static str, reason: &'static str },
    #[error("unknown role code {0}")]
    UnknownRole(String),
    #[error("unknown department kind {0}")]
    UnknownDepartmentKind(String),
    #[error("invalid time: {0}")]
    InvalidTime(String),
}

impl DomainError {
    /// Stable machine-readable code, part of the public API.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::InvalidResidentId(_) => "invalid_resident_id",
            DomainError::InvalidCreditCode(_) => "invalid_credit_code",
            DomainError::InvalidLicenseId(_) => "invalid_license_id",
            DomainError::InvalidLicenseTypeCode(_) => "invalid_license_type_code",
            DomainError::InvalidRegionCode => "invalid_region_code",
            DomainError::InvalidMobile => "invalid_mobile",
            DomainError::WeakPassword(_) => "weak_password",
            DomainError::Invalid { .. } => "invalid_field",
            DomainError::UnknownRole(_) => "unknown_role",
            DomainError::UnknownDepartmentKind(_) => "unknown_department_kind",
            DomainError::InvalidTime(_) => "invalid_time",
        }
    }

    /// The detail that distinguishes variants sharing a code (a sub-reason or field).
    pub fn detail(&self) -> Option<&'static str> {
        match self {
            DomainError::InvalidResidentId(r)
            | DomainError::InvalidCreditCode(r)
            | DomainError::WeakPassword(r)
            | DomainError::InvalidLicenseId(r)
            | DomainError::InvalidLicenseTypeCode(r) => Some(r),
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
