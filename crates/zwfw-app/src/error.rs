//! The application layer's one error type: every lower-layer error and every
//! refusal of a use case, with a stable code, the kind of failure (which the
//! web layer maps to an HTTP status) and a Chinese message.

use crate::messages::error_text;
use zwfw_domain::access::Refusal;
use zwfw_domain::DomainError;
use zwfw_store::StoreError;

/// What kind of failure an error is, independent of any transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request is malformed (not a rule of the domain).
    BadInput,
    /// Nobody is signed in, or the credentials are wrong.
    Unauthenticated,
    /// The actor may not do this.
    Forbidden,
    /// The object does not exist, or the actor may not know it exists.
    NotFound,
    /// The object changed meanwhile, or the action was already taken.
    Conflict,
    /// The account or object is locked.
    Locked,
    /// The input breaks a rule of the domain.
    Invalid,
    /// The object exists but is no longer valid (a document superseded).
    Gone,
    /// The upload or body is too large.
    TooLarge,
    /// Too many attempts; try later.
    TooMany,
    /// A dependency (the database, a gateway) is unavailable.
    Unavailable,
    /// A defect.
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{code}")]
    Refused { kind: Kind, code: &'static str, detail: Option<String> },
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<zwfw_domain::admin::ReasonError> for AppError {
    fn from(e: zwfw_domain::admin::ReasonError) -> AppError {
        use zwfw_domain::admin::{Reason, ReasonError as E};
        match e {
            E::Required => AppError::with_detail(Kind::Invalid, "reason_required", "reason"),
            E::TooLong => AppError::with_detail(Kind::Invalid, "reason_too_long", Reason::MAX.to_string()),
            E::ControlCharacters => AppError::with_detail(Kind::Invalid, "reason_control_characters", "reason"),
        }
    }
}

/// The written reason of an administrator's action, checked ([`zwfw_domain::admin::Reason`]).
pub fn reason(text: &str) -> AppResult<zwfw_domain::admin::Reason> {
    Ok(zwfw_domain::admin::Reason::parse(text)?)
}

/// The department a list shows ([`zwfw_domain::access::list_department`]):
/// another department asked for (`?department_id=`) by a reader narrowed to
/// their own is refused, naming the parameter.
pub fn list_department(scope: Option<i64>, asked: Option<i64>) -> AppResult<Option<i64>> {
    zwfw_domain::access::list_department(scope, asked)
        .map_err(|r| AppError::with_detail(Kind::Forbidden, r.code(), "department_id"))
}

impl AppError {
    /// A refusal (a `Forbidden` one is told as `not_qualified` instead when
    /// it is for want of a qualification of the actor at work:
    /// [`crate::governance::qualifications::acting`]).
    pub fn new(kind: Kind, code: &'static str) -> AppError {
        AppError::refusal(kind, code, None)
    }
    pub fn with_detail(kind: Kind, code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::refusal(kind, code, Some(detail.into()))
    }
    fn refusal(kind: Kind, code: &'static str, detail: Option<String>) -> AppError {
        let told = (kind == Kind::Forbidden).then(|| crate::governance::qualifications::told_instead(code)).flatten();
        told.unwrap_or(AppError::Refused { kind, code, detail })
    }
    pub fn forbidden() -> AppError {
        AppError::new(Kind::Forbidden, "forbidden")
    }
    pub fn not_found(what: &'static str) -> AppError {
        AppError::with_detail(Kind::NotFound, "not_found", what)
    }
    /// For a look-up: "not found" (`what` names the object) when the store
    /// finds nothing; a failure of the database itself stays one (answered
    /// 503 `database_unavailable`, which a retry may change), never a refusal.
    pub fn missing<E: Into<AppError>>(what: &'static str) -> impl FnOnce(E) -> AppError {
        AppError::unless_down(AppError::not_found(what))
    }
    /// `instead` for a store's refusal (nothing found, a conflict, a
    /// uniqueness rule broken); a failure of the database itself
    /// (unreachable, timed out) stays one.
    pub fn unless_down<E: Into<AppError>>(instead: AppError) -> impl FnOnce(E) -> AppError {
        move |e| {
            let e = e.into();
            let unique = matches!(&e, AppError::Store(StoreError::Db(d)) if d.unique);
            if e.kind() == Kind::Unavailable && !unique {
                e
            } else {
                instead
            }
        }
    }
    pub fn bad(code: &'static str) -> AppError {
        AppError::new(Kind::BadInput, code)
    }
    /// An access rule's refusal: `not_party` is answered as "not found"
    /// (`what` names the object) so that the object's existence is not
    /// revealed; a bad transfer target is an invalid choice; every other
    /// refusal is "forbidden" with the refusal's stable code.
    pub fn refused(r: Refusal, what: &'static str) -> AppError {
        match r {
            r if r.hides_object() => AppError::not_found(what),
            Refusal::BadTransferTarget => AppError::with_detail(Kind::Invalid, "invalid_action", "to_user"),
            r => AppError::with_detail(Kind::Forbidden, r.code(), r.code()),
        }
    }
    pub fn invalid(field: &'static str) -> AppError {
        AppError::Domain(DomainError::Invalid { field, reason: "format" })
    }

    pub fn kind(&self) -> Kind {
        match self {
            AppError::Domain(_) => Kind::Invalid,
            AppError::Store(StoreError::NotFound(_)) => Kind::NotFound,
            AppError::Store(StoreError::Duplicate(_)) | AppError::Store(StoreError::Conflict(_)) => Kind::Conflict,
            AppError::Store(StoreError::Domain(_)) => Kind::Invalid,
            // A uniqueness rule the store did not name: the write conflicts
            // with a row there already (a retry does not change that), not
            // an unavailable database.
            AppError::Store(StoreError::Db(e)) if e.unique => Kind::Conflict,
            AppError::Store(_) => Kind::Unavailable,
            AppError::Refused { kind, .. } => *kind,
            AppError::Internal(_) => Kind::Internal,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(d) | AppError::Store(StoreError::Domain(d)) => d.code(),
            AppError::Store(StoreError::NotFound(_)) => "not_found",
            AppError::Store(StoreError::Duplicate(_)) => "duplicate",
            AppError::Store(StoreError::Conflict(_)) => "conflict",
            AppError::Store(StoreError::Db(e)) if e.unique => "conflict",
            AppError::Store(_) => "database_unavailable",
            AppError::Refused { code, .. } => code,
            AppError::Internal(_) => "internal",
        }
    }

    /// The field or sub-reason, when there is one.
    pub fn detail(&self) -> Option<String> {
        match self {
            AppError::Domain(d) | AppError::Store(StoreError::Domain(d)) => d.detail().map(str::to_string),
            AppError::Store(StoreError::NotFound(w)) | AppError::Store(StoreError::Duplicate(w)) => Some(w.to_string()),
            AppError::Store(StoreError::Conflict(w)) => Some(w.to_string()),
            AppError::Refused { detail, .. } => detail.clone(),
            _ => None,
        }
    }

    /// The message shown to people, in Chinese.
    pub fn message(&self) -> String {
        if self.kind() == Kind::Invalid {
            // A right-change row that does not fit its account, as asked
            // (as applied it is a conflict, told with the way out).
            if let Some(t) = crate::messages::rights_ask_text(self.code(), self.detail().as_deref()) {
                return t;
            }
        }
        let text = error_text(self.code(), self.detail().as_deref());
        match (self.code(), self.detail()) {
            ("account_locked", Some(until)) => format!("{text}（锁定至 {until}）"),
            _ => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zwfw_store::db::DbErr;

    #[test]
    fn a_look_up_keeps_a_failure_of_the_database() {
        let down = || StoreError::Db(DbErr { msg: "connection reset".into(), unique: false });
        let e = AppError::missing("upload")(StoreError::NotFound("upload"));
        assert_eq!((e.kind(), e.code(), e.detail().as_deref()), (Kind::NotFound, "not_found", Some("upload")));
        assert_eq!(e.message(), "所选文件不存在");
        let e = AppError::missing::<StoreError>("upload")(down());
        assert_eq!((e.kind(), e.code()), (Kind::Unavailable, "database_unavailable"));
        let conflict = || AppError::with_detail(Kind::Conflict, "open_version_exists", "version");
        let e = AppError::unless_down::<StoreError>(conflict())(down());
        assert_eq!(e.code(), "database_unavailable");
        let e =
            AppError::unless_down(conflict())(StoreError::Db(DbErr { msg: "item_versions_key".into(), unique: true }));
        assert_eq!((e.kind(), e.code()), (Kind::Conflict, "open_version_exists"), "a uniqueness rule is no outage");
        let e = AppError::unless_down(conflict())(AppError::not_found("license"));
        assert_eq!(e.code(), "open_version_exists");
    }

    #[test]
    fn a_uniqueness_rule_the_store_did_not_name_is_a_conflict() {
        let e = AppError::from(StoreError::Db(DbErr { msg: "UNIQUE constraint failed".into(), unique: true }));
        assert_eq!((e.kind(), e.code(), e.detail()), (Kind::Conflict, "conflict", None));
        assert_eq!(e.message(), "操作与当前状态冲突");
        let e = AppError::from(StoreError::Db(DbErr { msg: "connection reset".into(), unique: false }));
        assert_eq!((e.kind(), e.code()), (Kind::Unavailable, "database_unavailable"));
    }
}
