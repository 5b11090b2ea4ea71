//! A licence's status and its changes, and how long it is valid.

use crate::codes::code_list;
use crate::error::{DomainError, DomainResult};
use chrono::NaiveDate;

code_list!(
    /// The status of one version of a licence.
    LicenseStatus {
        /// 有效
        Valid = "valid": "有效",
        /// 已换发: a newer version replaced this one (换发 or 变更).
        Superseded = "superseded": "已换发",
        /// 已注销, on the holder's request or when it ended.
        Cancelled = "cancelled": "已注销",
        /// 已吊销 by the issuing department's decision.
        Revoked = "revoked": "已吊销",
        /// 已过期: its validity ended.
        Expired = "expired": "已过期",
        /// 已作废: issued under a decision corrected as a misoperation
        /// (办结结论有误) before it was delivered; it never took effect.
        Voided = "voided": "已作废",
    }
);

impl LicenseStatus {
    /// A licence the holder may use.
    pub const USABLE: &'static [LicenseStatus] = &[LicenseStatus::Valid];
    /// A licence that has not changed by its own routes since its issue:
    /// valid as issued, or voided with the decision it was issued under.
    pub const AS_ISSUED: &'static [LicenseStatus] = &[LicenseStatus::Valid, LicenseStatus::Voided];
    /// Statuses the expiry job looks at.
    pub const EXPIRING: &'static [LicenseStatus] = &[LicenseStatus::Valid];

    /// Whether a licence in this status may change to `next`: a valid one
    /// is superseded, cancelled, revoked, expires or is voided (its
    /// decision corrected); an expired one may still be cancelled (注销 of
    /// a licence whose term ended); the others are final.
    pub fn may_become(self, next: LicenseStatus) -> bool {
        use LicenseStatus::*;
        matches!((self, next), (Valid, Superseded | Cancelled | Revoked | Expired | Voided) | (Expired, Cancelled))
    }

    /// `Ok` when the change is allowed, else why not.
    pub fn change_to(self, next: LicenseStatus) -> DomainResult<LicenseStatus> {
        if self.may_become(next) {
            Ok(next)
        } else {
            Err(DomainError::Invalid { field: "license_status", reason: self.code() })
        }
    }
}

code_list!(
    /// What was done to a licence; each change is signed and audited.
    LicenseChange {
        /// 颁发 (version 001)
        Issued = "issued": "颁发",
        /// 换发: a new version replaces the old, same content renewed.
        Reissued = "reissued": "换发",
        /// 变更: a new version with changed content.
        Amended = "amended": "变更",
        /// 注销 on the holder's request, with a reason.
        Cancelled = "cancelled": "注销",
        /// 吊销 by decision, with its number.
        Revoked = "revoked": "吊销",
        /// 过期 at the end of its validity.
        Expired = "expired": "过期",
        /// 导入: an existing licence (存量证照) imported by an administrator,
        /// signed at import by its issuing department's key.
        Imported = "imported": "导入",
        /// 作废: the decision it was issued under was corrected (误操作更正
        /// of the conclusion, before delivery); taken by the service centre
        /// carrying out the correction, never a sanction.
        Voided = "voided": "作废",
    }
);

impl LicenseChange {
    /// The status the changed version takes (a new version is issued
    /// valid; the one it replaces becomes superseded).
    pub fn status_after(self) -> LicenseStatus {
        match self {
            LicenseChange::Issued | LicenseChange::Imported => LicenseStatus::Valid,
            LicenseChange::Reissued | LicenseChange::Amended => LicenseStatus::Superseded,
            LicenseChange::Cancelled => LicenseStatus::Cancelled,
            LicenseChange::Revoked => LicenseStatus::Revoked,
            LicenseChange::Expired => LicenseStatus::Expired,
            LicenseChange::Voided => LicenseStatus::Voided,
        }
    }
}

code_list!(
    /// Who holds a licence of a type (持证主体类别).
    HolderKind {
        Person = "person": "自然人",
        Legal = "legal": "法人",
    }
);

impl HolderKind {
    /// 持证主体代码类型 as up_lic_data writes it.
    pub fn code_type(self) -> &'static str {
        match self {
            HolderKind::Person => "公民身份号码",
            HolderKind::Legal => "统一社会信用代码",
        }
    }
}

/// How long a licence of a type is valid (有效期限范围): a number of years
/// from the day of issue, or long-term (长期).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    Years(u16),
    LongTerm,
}

impl Validity {
    /// From the stored number of years (`None` = long-term); 1 to 100.
    pub fn from_years(years: Option<i64>) -> DomainResult<Validity> {
        match years {
            None => Ok(Validity::LongTerm),
            Some(y @ 1..=100) => Ok(Validity::Years(y as u16)),
            Some(_) => Err(DomainError::Invalid { field: "validity_years", reason: "range" }),
        }
    }

    pub fn years(self) -> Option<i64> {
        match self {
            Validity::Years(y) => Some(i64::from(y)),
            Validity::LongTerm => None,
        }
    }

    /// The last valid day of a licence issued on `issued_on` (`None`:
    /// long-term): the day before the same date `years` later, so a
    /// five-year licence issued on 2025-03-10 is valid through 2030-03-09
    /// (one issued on 29 February runs through 28 February).
    pub fn valid_until(self, issued_on: NaiveDate) -> Option<NaiveDate> {
        match self {
            Validity::LongTerm => None,
            Validity::Years(y) => {
                use chrono::Datelike;
                let year = issued_on.year() + i32::from(y);
                // 29 February in a year without one: the term ends with 28 February.
                let same_day = issued_on.with_year(year).or_else(|| NaiveDate::from_ymd_opt(year, 3, 1));
                Some(same_day.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX))
            }
        }
    }

    /// 有效期限范围 as shown: `5年` or `长期`.
    pub fn label(self) -> String {
        match self {
            Validity::Years(y) => format!("{y}年"),
            Validity::LongTerm => "长期".into(),
        }
    }
}

/// Whether a licence valid through `valid_until` (a day in China time) has
/// expired on `today` (China time): it is valid through the whole of its
/// last day.
pub fn expired_on(valid_until: Option<NaiveDate>, today: NaiveDate) -> bool {
    valid_until.is_some_and(|last| today > last)
}

/// Whether a grant on `granted_on` may name `valid_until` as the last valid
/// day (有效期至): not a day before the grant, or the licence it issues
/// would be expired from its first day.
pub fn validity_end_allowed(valid_until: NaiveDate, granted_on: NaiveDate) -> bool {
    !expired_on(Some(valid_until), granted_on)
}

code_list!(
    /// The issuance job a grant writes.
    JobState {
        /// Waiting: the reason says for what (`no_key`, …).
        Pending = "pending",
        /// The licence was issued.
        Issued = "issued",
        /// Not issued: the grant was corrected (办结结论有误) first.
        Withdrawn = "withdrawn",
    }
);
