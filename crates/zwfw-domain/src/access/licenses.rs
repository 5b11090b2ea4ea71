//! 电子证照: the system administrators keep the licence types (证照目录)
//! and the issuing departments' signing keys; the issuing department
//! changes its licences (its head revokes, its staff record the holder's
//! request to cancel and reissue); the holder and the overseers read them;
//! anyone verifies one.

use super::{first_held, in_department, is_overseer, Refusal};
use crate::admin::{Actor, Role};

/// The plain facts of a licence that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LicenseFacts {
    /// The department that issued it.
    pub issuer_department_id: i64,
    /// The holder's account, when the holder has one.
    pub holder_user_id: Option<i64>,
}

/// Who keeps the licence types: the system administrators.
pub fn may_manage_types(actor: &Actor) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    first_held(actor, &[Role::SystemAdmin]).ok_or(Refusal::MissingRole)
}

/// Who generates and rotates an issuing department's signing key: the
/// system administrators (the private key is never shown to anyone).
pub fn may_manage_keys(actor: &Actor) -> Result<Role, Refusal> {
    may_manage_types(actor)
}

/// Who revokes (吊销) a licence: the head of the issuing department.
pub fn may_revoke(actor: &Actor, f: &LicenseFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !in_department(actor, f.issuer_department_id) {
        return Err(Refusal::NotInDepartment);
    }
    first_held(actor, &[Role::DeptHead]).ok_or(Refusal::NeedsDeptHead)
}

/// Who cancels (注销) a licence on the holder's request, or reissues or
/// amends it (换发, 变更): the issuing department's counter, reviewers or
/// head. The holder asks the department; the holder does not act here.
pub fn may_change(actor: &Actor, f: &LicenseFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !in_department(actor, f.issuer_department_id) {
        return Err(Refusal::NotInDepartment);
    }
    first_held(actor, &[Role::DeptHead, Role::Reviewer, Role::Counter]).ok_or(Refusal::MissingRole)
}

/// Who reads a licence in full (its holder's details and its history): the
/// holder, the issuing department's staff and the overseers.
pub fn may_read(actor: &Actor, f: &LicenseFacts) -> bool {
    f.holder_user_id == Some(actor.user_id) || in_department(actor, f.issuer_department_id) || is_overseer(actor)
}

/// Who receives, with a verification, the exact text that was signed:
/// anyone when it is in the public encoding (`zwfw-license/2`, the holder's
/// details as salted digests); otherwise (`zwfw-license/1` and imported
/// records, which name the holder in full, with their ID number) those who
/// read the licence in full. Anyone else gets the verdict, the masked
/// holder and the signature without it.
pub fn may_read_signed_text(actor: Option<&Actor>, f: &LicenseFacts, public_encoding: bool) -> bool {
    public_encoding || actor.is_some_and(|a| may_read(a, f))
}

/// Verification (the status, the masked holder, the signature) is public:
/// anyone, signed in or not.
pub fn may_verify(_actor: Option<&Actor>) -> bool {
    true
}

/// Who reads a licence's 用证 log (who verified or used it, from where):
/// the holder alone. Anyone else is answered as if the licence were not
/// there.
pub fn may_read_uses(actor: &Actor, f: &LicenseFacts) -> Result<(), Refusal> {
    if f.holder_user_id == Some(actor.user_id) {
        Ok(())
    } else {
        Err(Refusal::NotParty)
    }
}

/// Who downloads a licence's file (the PDF with its QR code) and sees its
/// QR code: the holder and the issuing department's staff. Anyone else is
/// answered as if the licence were not there (the public verification page
/// shows what others may know).
pub fn may_download_file(actor: &Actor, f: &LicenseFacts) -> Result<(), Refusal> {
    if f.holder_user_id == Some(actor.user_id) || in_department(actor, f.issuer_department_id) {
        Ok(())
    } else {
        Err(Refusal::NotParty)
    }
}

/// Whose licences a staff member lists on 电子证照 (`/work/licenses`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    /// The licences the actor's department issued.
    Department(i64),
    /// Every department's (the overseers, who read and change nothing).
    All,
}

/// Who lists the issued licences: the staff of a department its own
/// department's, the overseers (supervision bureau, global administrators)
/// every department's; the public their own on 我的证照, not here.
pub fn list_scope(actor: &Actor) -> Result<ListScope, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if is_overseer(actor) {
        return Ok(ListScope::All);
    }
    super::acting_department(actor).map(ListScope::Department).ok_or(Refusal::Forbidden)
}

/// A change of a licence a staff member asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseAction {
    /// 换发: a new version, same content.
    Reissue,
    /// 变更: a new version with changed fields.
    Amend,
    /// 注销 on the holder's request.
    Cancel,
    /// 吊销 by decision.
    Revoke,
}

impl LicenseAction {
    pub const ALL: [LicenseAction; 4] =
        [LicenseAction::Reissue, LicenseAction::Amend, LicenseAction::Cancel, LicenseAction::Revoke];

    pub fn code(self) -> &'static str {
        match self {
            LicenseAction::Reissue => "reissue",
            LicenseAction::Amend => "amend",
            LicenseAction::Cancel => "cancel",
            LicenseAction::Revoke => "revoke",
        }
    }

    pub fn parse(s: &str) -> Option<LicenseAction> {
        LicenseAction::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// Who takes `action` on a licence: 吊销 the issuing department's head,
/// the others its counter, reviewers or head.
pub fn may_act(actor: &Actor, f: &LicenseFacts, action: LicenseAction) -> Result<Role, Refusal> {
    match action {
        LicenseAction::Revoke => may_revoke(actor, f),
        LicenseAction::Reissue | LicenseAction::Amend | LicenseAction::Cancel => may_change(actor, f),
    }
}

/// Who reads a licence's staff page: its holder's details, its history and
/// its 用证 records as the issuing department may know them (when, for
/// what, which department used it — never which visitor or person verified
/// it, that is the holder's alone, [`may_read_uses`]): the issuing
/// department's staff and the overseers (who change nothing).
pub fn may_read_as_issuer(actor: &Actor, f: &LicenseFacts) -> bool {
    in_department(actor, f.issuer_department_id) || is_overseer(actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;

    #[test]
    fn the_file_is_the_holders_and_the_issuing_departments() {
        let f = LicenseFacts { issuer_department_id: 1, holder_user_id: Some(9) };
        assert_eq!(may_download_file(&person(9), &f), Ok(()));
        assert_eq!(may_download_file(&staff(3, 1, &[Role::Counter]), &f), Ok(()));
        assert_eq!(may_download_file(&staff(4, 1, &[Role::DeptHead]), &f), Ok(()));
        assert_eq!(may_download_file(&person(8), &f), Err(Refusal::NotParty));
        assert_eq!(may_download_file(&staff(5, 2, &[Role::DeptHead]), &f), Err(Refusal::NotParty));
        assert_eq!(may_download_file(&staff(6, 3, &[Role::Supervisor]), &f), Err(Refusal::NotParty));
        let none = LicenseFacts { issuer_department_id: 1, holder_user_id: None };
        assert_eq!(may_download_file(&person(9), &none), Err(Refusal::NotParty));
    }

    #[test]
    fn the_public_signed_text_is_anyones_the_full_one_the_readers() {
        let f = LicenseFacts { issuer_department_id: 1, holder_user_id: Some(9) };
        assert!(may_read_signed_text(None, &f, true));
        assert!(may_read_signed_text(Some(&person(8)), &f, true));
        assert!(!may_read_signed_text(None, &f, false));
        assert!(!may_read_signed_text(Some(&person(8)), &f, false));
        assert!(!may_read_signed_text(Some(&staff(5, 2, &[Role::DeptHead])), &f, false));
        assert!(may_read_signed_text(Some(&person(9)), &f, false));
        assert!(may_read_signed_text(Some(&staff(3, 1, &[Role::Counter])), &f, false));
        assert!(may_read_signed_text(Some(&staff(6, 3, &[Role::Supervisor])), &f, false));
    }

    #[test]
    fn only_the_holder_reads_the_use_log() {
        let f = LicenseFacts { issuer_department_id: 1, holder_user_id: Some(9) };
        assert_eq!(may_read_uses(&person(9), &f), Ok(()));
        assert_eq!(may_read_uses(&person(8), &f), Err(Refusal::NotParty));
        assert_eq!(may_read_uses(&staff(1, 1, &[Role::DeptHead]), &f), Err(Refusal::NotParty));
        assert_eq!(may_read_uses(&staff(2, 3, &[Role::Supervisor]), &f), Err(Refusal::NotParty));
        let none = LicenseFacts { issuer_department_id: 1, holder_user_id: None };
        assert_eq!(may_read_uses(&person(9), &none), Err(Refusal::NotParty));
    }
    #[test]
    fn the_list_is_the_departments_and_the_overseers_read_all() {
        assert_eq!(list_scope(&staff(3, 1, &[Role::Counter])), Ok(ListScope::Department(1)));
        assert_eq!(list_scope(&staff(4, 2, &[Role::LegalReview])), Ok(ListScope::Department(2)));
        assert_eq!(list_scope(&staff(6, 3, &[Role::Supervisor])), Ok(ListScope::All));
        assert_eq!(list_scope(&person(9)), Err(Refusal::StaffOnly));
    }

    #[test]
    fn each_change_by_the_roles_of_the_issuing_department() {
        let f = LicenseFacts { issuer_department_id: 1, holder_user_id: Some(9) };
        for a in LicenseAction::ALL {
            assert_eq!(LicenseAction::parse(a.code()), Some(a));
            let head = may_act(&staff(1, 1, &[Role::DeptHead]), &f, a);
            assert_eq!(head, Ok(Role::DeptHead), "{a:?}");
            let counter = may_act(&staff(2, 1, &[Role::Counter]), &f, a);
            let expect = if a == LicenseAction::Revoke { Err(Refusal::NeedsDeptHead) } else { Ok(Role::Counter) };
            assert_eq!(counter, expect, "{a:?}");
            assert!(may_act(&staff(3, 1, &[Role::DeptAdmin]), &f, a).is_err(), "{a:?}");
            assert_eq!(may_act(&staff(4, 2, &[Role::DeptHead]), &f, a), Err(Refusal::NotInDepartment), "{a:?}");
            assert_eq!(may_act(&person(9), &f, a), Err(Refusal::StaffOnly), "{a:?}");
        }
        assert_eq!(LicenseAction::parse("delete"), None);
        assert!(may_read_as_issuer(&staff(2, 1, &[Role::Counter]), &f));
        assert!(may_read_as_issuer(&staff(6, 3, &[Role::Supervisor]), &f));
        assert!(!may_read_as_issuer(&staff(5, 2, &[Role::DeptHead]), &f));
        assert!(!may_read_as_issuer(&person(9), &f));
    }
}
