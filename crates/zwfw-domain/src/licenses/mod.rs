//! 电子证照: licence types (证照目录), identifiers with their check
//! character, statuses and their changes, validity, and the canonical bytes
//! an issuer signs. Who may manage, issue, change and read licences is in
//! [`crate::access::licenses`].

mod ids;
pub mod qr;
mod signing;
mod status;

pub use ids::{check_char, check_holds, LicenseId, LicenseTypeCode, ROOT, SERIAL_MAX};
pub use signing::{until_text, LicenseMetadata, StatusRecord, METADATA_HEADER, STATUS_HEADER};
pub use status::{expired_on, HolderKind, JobState, LicenseChange, LicenseStatus, Validity};

use crate::error::{DomainError, DomainResult};

/// The most fields a licence type's template prints.
pub const TEMPLATE_MAX_FIELDS: usize = 30;

/// The fields a licence type's template prints, one name a line (or
/// separated by `|`): blanks dropped, each name 1–30 characters without
/// `=` or control characters, no name twice, at most 30.
pub fn template_fields(text: &str) -> DomainResult<Vec<String>> {
    let bad = |reason| DomainError::Invalid { field: "template", reason };
    let mut out: Vec<String> = vec![];
    for name in text.split(['\n', '|']).map(str::trim).filter(|n| !n.is_empty()) {
        if name.chars().count() > 30 || name.chars().any(|c| c == '=' || c.is_control()) {
            return Err(bad("name"));
        }
        if out.iter().any(|n| n == name) {
            return Err(bad("duplicate"));
        }
        out.push(name.to_string());
    }
    if out.len() > TEMPLATE_MAX_FIELDS {
        return Err(bad("too_many"));
    }
    Ok(out)
}

/// The holder's name as shown to someone else: a person's masked
/// (`张*`, [`crate::ids::mask_name`]); an organisation's name is public and
/// shown whole.
pub fn mask_holder(name: &str, kind: HolderKind) -> String {
    match kind {
        HolderKind::Legal => name.to_string(),
        HolderKind::Person => crate::ids::mask_name(name),
    }
}

/// The holder kind of a licence issued to an applicant: the licence type's
/// (自然人 or 法人), which the applicant must be. `None` when they disagree
/// (a 营业执照 is not issued to a natural person): issuance waits.
pub fn holder_kind_for(type_kind: HolderKind, applicant: crate::cases::ApplicantKind) -> Option<HolderKind> {
    let applicant_kind = match applicant {
        crate::cases::ApplicantKind::Natural => HolderKind::Person,
        crate::cases::ApplicantKind::Legal => HolderKind::Legal,
    };
    (applicant_kind == type_kind).then_some(type_kind)
}

#[cfg(test)]
mod tests;
