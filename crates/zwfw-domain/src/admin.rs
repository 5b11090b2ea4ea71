//! Organizations and people: roles, department kinds, account kinds and the
//! actor. Who may act on what is decided in [`crate::access`].

use crate::error::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};

/// The roles of DESIGN.md. A staff member holds one or more of them, always
/// inside one department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员
    SystemAdmin,
    /// 政务服务中心管理员
    CenterAdmin,
    /// 部门管理员
    DeptAdmin,
    /// 窗口人员
    Counter,
    /// 审批人员
    Reviewer,
    /// 部门负责人
    DeptHead,
    /// 监察人员
    Supervisor,
    /// 法制审核
    LegalReview,
    /// 运维人员: keeps the installation running (faults, backups, the
    /// exchange); acts for no department's business
    /// ([`crate::access::operator`]).
    Operator,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::SystemAdmin,
        Role::CenterAdmin,
        Role::DeptAdmin,
        Role::Counter,
        Role::Reviewer,
        Role::DeptHead,
        Role::Supervisor,
        Role::LegalReview,
        Role::Operator,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::CenterAdmin => "center_admin",
            Role::DeptAdmin => "dept_admin",
            Role::Counter => "counter",
            Role::Reviewer => "reviewer",
            Role::DeptHead => "dept_head",
            Role::Supervisor => "supervisor",
            Role::LegalReview => "legal_review",
            Role::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> DomainResult<Self> {
        Role::ALL.into_iter().find(|r| r.code() == s).ok_or_else(|| DomainError::UnknownRole(s.to_string()))
    }

    /// Roles that must use a second factor (TOTP) to sign in: who administers
    /// accounts, supervises, or keeps the installation (backups, drills, the
    /// paper fallback).
    pub fn requires_second_factor(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::CenterAdmin | Role::DeptAdmin | Role::Supervisor | Role::Operator)
    }

    /// Whether the role administers organizations and accounts across the whole
    /// deployment (not just its own department).
    pub fn is_global_admin(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::CenterAdmin)
    }
}

/// Parses a comma separated list of role codes; empty or duplicate entries are errors.
pub fn parse_roles(list: &[String]) -> DomainResult<Vec<Role>> {
    let mut roles = Vec::new();
    for s in list {
        let r = Role::parse(s.trim())?;
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    if roles.is_empty() {
        return Err(DomainError::Invalid { field: "roles", reason: "empty" });
    }
    roles.sort();
    Ok(roles)
}

/// The kind of a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 政务服务中心
    ServiceCenter,
    /// 监察机关
    Supervision,
    /// 信息中心
    ItCenter,
    /// 法制审核
    LegalAffairs,
    /// 审批部门
    Approval,
    /// 县区政府办
    CountyOffice,
}

impl DepartmentKind {
    pub const ALL: [DepartmentKind; 6] = [
        DepartmentKind::ServiceCenter,
        DepartmentKind::Supervision,
        DepartmentKind::ItCenter,
        DepartmentKind::LegalAffairs,
        DepartmentKind::Approval,
        DepartmentKind::CountyOffice,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DepartmentKind::ServiceCenter => "service_center",
            DepartmentKind::Supervision => "supervision",
            DepartmentKind::ItCenter => "it_center",
            DepartmentKind::LegalAffairs => "legal_affairs",
            DepartmentKind::Approval => "approval",
            DepartmentKind::CountyOffice => "county_office",
        }
    }

    pub fn parse(s: &str) -> DomainResult<Self> {
        DepartmentKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::UnknownDepartmentKind(s.to_string()))
    }
}

/// Kinds of public account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Staff,
    /// 自然人
    Person,
    /// 法人
    Company,
}

impl AccountKind {
    pub const fn code(self) -> &'static str {
        match self {
            AccountKind::Staff => "staff",
            AccountKind::Person => "person",
            AccountKind::Company => "company",
        }
    }
    pub fn parse(s: &str) -> DomainResult<Self> {
        match s {
            "staff" => Ok(AccountKind::Staff),
            "person" => Ok(AccountKind::Person),
            "company" => Ok(AccountKind::Company),
            _ => Err(DomainError::Invalid { field: "kind", reason: "unknown" }),
        }
    }
}

/// Who is acting: enough to decide authorization without touching storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub kind: AccountKind,
    pub department_id: Option<i64>,
    /// The roles acted in (for staff: those held and qualified today).
    pub roles: Vec<Role>,
    /// The roles held but not acted in today for want of a valid
    /// qualification (上岗资格): set where the session's actor is built
    /// ([`crate::governance::qualification::effective_actor`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unqualified: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_global_admin(&self) -> bool {
        self.roles.iter().any(|r| r.is_global_admin())
    }

    pub fn is_staff(&self) -> bool {
        self.kind == AccountKind::Staff
    }

    /// A staff member who acts in no role today: holding none, or
    /// qualified (上岗资格) in none of those held. They act for no
    /// department and are offered no business page.
    pub fn acts_in_no_role(&self) -> bool {
        self.is_staff() && self.roles.is_empty()
    }

    /// A staff member who acts in no role because no role held is
    /// qualified today: what refuses them is the missing qualification.
    pub fn qualified_in_no_role(&self) -> bool {
        self.acts_in_no_role() && !self.unqualified.is_empty()
    }

    /// The role shown in the audit trail: the most powerful one held.
    pub fn primary_role(&self) -> Option<Role> {
        self.roles.iter().min().copied()
    }

    // The rules below are written in `crate::access::staff`; these are the
    // same rules asked of the actor.

    /// May manage regions and departments.
    pub fn can_manage_organizations(&self) -> bool {
        crate::access::staff::may_manage_organizations(self)
    }

    /// May read the organization tree (every staff member may).
    pub fn can_read_organizations(&self) -> bool {
        crate::access::staff::may_read_organizations(self)
    }

    /// May create or change staff accounts in `department_id`: global admins
    /// anywhere, department admins in their own department only.
    pub fn can_manage_staff_in(&self, department_id: i64) -> bool {
        crate::access::staff::may_manage_staff_in(self, department_id)
    }

    /// May see staff accounts of `department_id`: managers as above, the
    /// supervision bureau everywhere (it reads everything and changes nothing).
    pub fn can_read_staff_in(&self, department_id: i64) -> bool {
        crate::access::staff::may_read_staff_in(self, department_id)
    }

    /// May grant `role` to somebody: a system admin every role; the service
    /// centre and department admins the working roles only.
    pub fn can_grant(&self, role: Role) -> bool {
        crate::access::staff::may_grant_role(self, role)
    }

    /// May read the audit trail.
    pub fn can_read_audit(&self) -> bool {
        crate::access::staff::may_read_audit(self)
    }

    /// May move the demo clock.
    pub fn can_control_clock(&self) -> bool {
        crate::access::staff::may_control_clock(self)
    }
}

/// A staff member of `dept` with `roles`, for the domain's tests.
#[cfg(test)]
pub(crate) fn test_staff(dept: i64, roles: &[Role]) -> Actor {
    Actor {
        user_id: 1,
        username: "u".into(),
        display_name: "u".into(),
        kind: AccountKind::Staff,
        department_id: Some(dept),
        roles: roles.to_vec(),
        unqualified: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_staff as staff;

    #[test]
    fn role_codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), r);
        }
        for k in DepartmentKind::ALL {
            assert_eq!(DepartmentKind::parse(k.code()).unwrap(), k);
        }
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn department_scope() {
        let admin_a = staff(1, &[Role::DeptAdmin]);
        assert!(admin_a.can_manage_staff_in(1));
        assert!(!admin_a.can_manage_staff_in(2));
        assert!(!admin_a.can_grant(Role::SystemAdmin));
        assert!(!admin_a.can_grant(Role::Supervisor));
        assert!(!admin_a.can_grant(Role::LegalReview));
        assert!(!admin_a.can_grant(Role::DeptAdmin));
        assert!(admin_a.can_grant(Role::Reviewer));
        let sup = staff(9, &[Role::Supervisor]);
        assert!(sup.can_read_staff_in(2));
        assert!(!sup.can_manage_staff_in(2));
        assert!(!sup.can_manage_organizations());
        let reviewer = staff(1, &[Role::Reviewer]);
        assert!(!reviewer.can_read_staff_in(1));
        assert!(!reviewer.can_grant(Role::Reviewer));
        let sys = staff(3, &[Role::SystemAdmin]);
        assert!(sys.can_manage_staff_in(1) && sys.can_grant(Role::Supervisor));
    }

    #[test]
    fn parse_role_lists() {
        let r = parse_roles(&["reviewer".into(), "counter".into(), "reviewer".into()]).unwrap();
        assert_eq!(r, vec![Role::Counter, Role::Reviewer]);
        assert!(parse_roles(&[]).is_err());
        assert!(parse_roles(&["boss".into()]).is_err());
    }
}

/// The written reason of an administrator's action, as the audit trail keeps
/// it: trimmed (of blanks and of the invisible format characters around it),
/// not empty, at most [`Reason::MAX`] characters, and no control characters
/// but line breaks and tabs (so never NUL, and never a reason made only of
/// invisible characters: blanks, zero-width spaces and joiners, direction
/// marks, the word joiner, the byte-order mark). Every administrator action
/// takes its reason through this type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

/// Why a reason is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("a written reason is required")]
    Required,
    #[error("the reason is longer than {} characters", Reason::MAX)]
    TooLong,
    #[error("the reason contains control characters")]
    ControlCharacters,
}

impl Reason {
    /// The longest reason, in characters.
    pub const MAX: usize = 500;

    pub fn parse(text: &str) -> Result<Reason, ReasonError> {
        let t = text.trim_matches(|c: char| c.is_whitespace() || invisible(c));
        if t.is_empty() {
            return Err(ReasonError::Required);
        }
        if t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(ReasonError::ControlCharacters);
        }
        if t.chars().count() > Reason::MAX {
            return Err(ReasonError::TooLong);
        }
        Ok(Reason(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A format character that shows nothing (Unicode category Cf, which
/// `char::is_control` does not cover): the soft hyphen, the zero-width
/// space, non-joiner and joiner, the direction marks (U+200B–U+200F), the
/// word joiner and the invisible operators (U+2060–U+2064), the byte-order
/// mark (U+FEFF), the Mongolian vowel separator (U+180E).
pub(crate) fn invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn reasons_of_control_characters_or_with_nul_are_refused() {
        assert_eq!(Reason::parse("  人员调岗\n经主任批准 ").unwrap().as_str(), "人员调岗\n经主任批准");
        assert_eq!(Reason::parse(" \t\n "), Err(ReasonError::Required));
        for bad in ["\u{1}\u{2}\u{7f}", "\u{0}", "调岗\u{0}", " \u{1b}[2J ", "\u{85}\u{9f}"] {
            assert_eq!(Reason::parse(bad), Err(ReasonError::ControlCharacters), "{bad:?}");
        }
        assert_eq!(Reason::parse(&"理".repeat(501)), Err(ReasonError::TooLong));
        assert!(Reason::parse(&"理".repeat(500)).is_ok());
    }

    #[test]
    fn reasons_made_only_of_invisible_characters_are_refused() {
        for blank in
            ["\u{200b}", " \u{200b}\u{200c}\u{200d} ", "\u{200e}\u{200f}", "\u{feff}", "\u{2060}", "\u{ad}\u{3000}"]
        {
            assert_eq!(Reason::parse(blank), Err(ReasonError::Required), "{blank:?}");
        }
        // Around a written reason they are trimmed like blanks; inside it they stay.
        assert_eq!(Reason::parse("\u{feff}人员调岗\u{200b} ").unwrap().as_str(), "人员调岗");
        assert_eq!(Reason::parse("人员\u{200d}调岗").unwrap().as_str(), "人员\u{200d}调岗");
    }
}
