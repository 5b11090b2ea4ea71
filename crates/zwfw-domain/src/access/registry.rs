//! 人口库 / 法人库: the system administrators import extracts and read the
//! registry; counter staff look a number up when they register an
//! applicant; the public never browses it (a person's own record only
//! prefills their own application form).

use super::{first_held, Refusal};
use crate::admin::{Actor, Role};

/// What is done with the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistryAction {
    /// Import an extract (upload or watched folder) and see the import's report.
    Import,
    /// Read the lists of records (numbers masked).
    Browse,
    /// Look one number up (the counter, registering an applicant).
    LookUp,
}

impl RegistryAction {
    pub const ALL: [RegistryAction; 3] = [RegistryAction::Import, RegistryAction::Browse, RegistryAction::LookUp];
}

/// Who may do `action`, and in which role.
pub fn may(actor: &Actor, action: RegistryAction) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    let roles: &[Role] = match action {
        RegistryAction::Import | RegistryAction::Browse => &[Role::SystemAdmin],
        RegistryAction::LookUp => &[Role::Counter, Role::SystemAdmin],
    };
    first_held(actor, roles).ok_or(Refusal::MissingRole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::admin::AccountKind;

    /// Every role alone, and the public accounts, for every action: the
    /// role acted in or the refusal.
    #[test]
    fn the_whole_table() {
        use RegistryAction::*;
        let expect = |role: Option<Role>, action| -> Result<Role, Refusal> {
            match (role, action) {
                (None, _) => Err(Refusal::StaffOnly),
                (Some(Role::SystemAdmin), _) => Ok(Role::SystemAdmin),
                (Some(Role::Counter), LookUp) => Ok(Role::Counter),
                (Some(_), _) => Err(Refusal::MissingRole),
            }
        };
        let mut rows = 0;
        for action in RegistryAction::ALL {
            for role in Role::ALL {
                assert_eq!(may(&staff(1, 1, &[role]), action), expect(Some(role), action), "{role:?} {action:?}");
                rows += 1;
            }
            let mut company = person(9);
            company.kind = AccountKind::Company;
            for public in [person(9), company] {
                assert_eq!(may(&public, action), expect(None, action));
                rows += 1;
            }
            assert_eq!(may(&staff(1, 1, &[]), action), Err(Refusal::MissingRole));
        }
        assert_eq!(rows, RegistryAction::ALL.len() * (Role::ALL.len() + 2));
        assert_eq!(may(&staff(1, 1, &[Role::Counter, Role::SystemAdmin]), LookUp), Ok(Role::Counter));
    }
}
