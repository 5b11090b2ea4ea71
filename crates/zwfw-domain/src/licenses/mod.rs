//! 电子证照: licence types (证照目录), identifiers with their check
//! character, statuses and their changes, validity, and the canonical bytes
//! an issuer signs. Who may manage, issue, change and read licences is in
//! [`crate::access::licenses`].

mod ids;
pub mod import;
pub mod qr;
mod signing;
mod status;

pub use ids::{check_char, check_holds, LicenseId, LicenseTypeCode, ROOT, SERIAL_MAX};
pub use signing::{
    is_public_encoding, salted_sm3, until_text, LicenseMetadata, StatusRecord, HOLDER_SALT_LEN, METADATA_HEADER,
    PUBLIC_METADATA_HEADER, STATUS_HEADER,
};
pub use status::{expired_on, validity_end_allowed, HolderKind, JobState, LicenseChange, LicenseStatus, Validity};

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

/// Why a licence cannot serve as a material of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseRefusal {
    /// The signature does not hold for the signed data: the licence was
    /// altered or forged.
    Signature,
    /// It is someone else's licence.
    OtherHolder,
    /// It is not of the licence type the material asks for.
    OtherType,
    /// It is not valid today (revoked, expired, superseded, cancelled).
    NotUsable(LicenseStatus),
}

impl UseRefusal {
    /// Stable code, part of the public API.
    pub fn code(self) -> &'static str {
        match self {
            UseRefusal::Signature => "license_signature_invalid",
            UseRefusal::OtherHolder => "license_not_held",
            UseRefusal::OtherType => "license_type_mismatch",
            UseRefusal::NotUsable(_) => "license_not_usable",
        }
    }

    /// The detail: the status for a licence that is not valid.
    pub fn detail(self) -> &'static str {
        match self {
            UseRefusal::NotUsable(s) => s.code(),
            _ => "",
        }
    }
}

/// The facts of a licence that its use as a material reads.
#[derive(Debug, Clone, Copy)]
pub struct UseFacts<'a> {
    /// Its status today (a valid one past its last day is expired).
    pub status: LicenseStatus,
    pub holder_user_id: Option<i64>,
    /// The holder's 身份证号 or 统一社会信用代码.
    pub holder_code: &'a str,
    pub type_code: &'a str,
    /// Whether the signature holds.
    pub signature_valid: bool,
}

/// Whether the applicant (their account, if any, and number) may present
/// this licence as the material asking for `wanted_type`: the signature
/// must hold, the licence be the applicant's (by account or by number), of
/// that type, and valid today.
pub fn usable_as_material(
    f: &UseFacts<'_>,
    applicant_user_id: Option<i64>,
    applicant_code: &str,
    wanted_type: &str,
) -> Result<(), UseRefusal> {
    if !f.signature_valid {
        return Err(UseRefusal::Signature);
    }
    let by_account = applicant_user_id.is_some() && f.holder_user_id == applicant_user_id;
    let by_number = !applicant_code.is_empty() && f.holder_code.eq_ignore_ascii_case(applicant_code);
    if !(by_account || by_number) {
        return Err(UseRefusal::OtherHolder);
    }
    if wanted_type.is_empty() || !f.type_code.eq_ignore_ascii_case(wanted_type) {
        return Err(UseRefusal::OtherType);
    }
    if !LicenseStatus::USABLE.contains(&f.status) {
        return Err(UseRefusal::NotUsable(f.status));
    }
    Ok(())
}
