//! Who takes part in a case and how the application reached the department.

use crate::admin::Role;
use crate::catalog::ItemContent;
use serde::{Deserialize, Serialize};

/// The role an actor acts in for an action that `wanted` roles may take:
/// the first of them the actor holds.
pub fn acting_role(actor: &crate::admin::Actor, wanted: &[Role]) -> Option<Role> {
    wanted.iter().copied().find(|r| actor.has(*r))
}

/// Who takes part in a case, for deciding who may read it.
#[derive(Debug, Clone, Default)]
pub struct Parties {
    pub applicant_user_id: Option<i64>,
    /// The implementing department and every department named by a step or a joint review.
    pub departments: Vec<i64>,
}

/// Applicants read their own cases, staff their department's cases and those
/// they take part in, supervision reads everything. The rule is
/// [`crate::access::cases::may_read`]; this is the same rule for callers
/// that hold the parties only.
pub fn may_read(actor: &crate::admin::Actor, p: &Parties) -> bool {
    crate::access::cases::reads(actor, p.applicant_user_id, &p.departments)
}

impl Parties {
    pub fn of(item: &ItemContent, applicant_user_id: Option<i64>) -> Parties {
        Parties { applicant_user_id, departments: item.department_ids() }
    }
}

/// How an application reached the department: online by the applicant
/// himself, or registered at the counter for a walk-in applicant (who may
/// also hold an account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网上申报: submitted by the applicant's own account.
    Online,
    /// 窗口受理: registered by counter staff.
    Counter,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Counter => "counter",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "online" => Some(Channel::Online),
            "counter" => Some(Channel::Counter),
            _ => None,
        }
    }
}
