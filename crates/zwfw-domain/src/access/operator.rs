//! 运维人员 (operators): the people who keep the installation running
//! (六盘水 第六条: the information office's technical support, the
//! monitoring of the equipment, backups, emergency handling; 东莞 第十九条:
//! 维护人员 are trained and examined before they start).
//!
//! What an operator does, each rule written in its own area and asking
//! [`is_operator`]:
//!
//! - faults (故障): reads every fault, acknowledges it, records its cause,
//!   clears it, prints and sends the paper notice, and is told of a new
//!   fault ([`super::faults`]);
//! - backups (数据备份): reads the backups and the restore drills, makes a
//!   backup and a drill now; the files stay in the backup directory, never
//!   handed out ([`super::staff::may_operate_backups`]);
//! - the exchange (数据交换): reads its status (backlog, deliveries,
//!   failures), never its rows, which carry case data
//!   ([`super::staff::may_monitor_exchange`],
//!   [`super::staff::may_read_exchange_rows`]);
//! - the configuration and maintenance requests (配置/维护需求) the centre
//!   carries out: reads every request, answers none and makes no change
//!   under one ([`super::governance`]);
//! - like every staff member: reports a fault, reads the organization tree,
//!   their own qualifications, notices and account.
//!
//! What an operator does not: an operator acts for no department
//! ([`operates_only`]): they read no case, push, licence, rating,
//! interaction, credit record or registry entry, no staff or public
//! account, no audit record, no SMS outbox, take no approval action
//! (cases, items, requests, deletions, rights) and grant nothing. Holding
//! the role is decided by the service centre on a rights request
//! ([`super::rights`]), and the role acts only with a valid qualification
//! (上岗资格), like every business role.

use crate::admin::{Actor, Role};

/// A staff member acting as operator (运维人员).
pub fn is_operator(actor: &Actor) -> bool {
    actor.is_staff() && actor.has(Role::Operator)
}

/// A staff member acting as operator and in no other role: they act for no
/// department ([`super::in_department`] is false for them, and the
/// session's actor carries no department), so that no rule that lets a
/// department's staff read its business lets them read it.
pub fn operates_only(actor: &Actor) -> bool {
    is_operator(actor) && actor.roles.iter().all(|r| *r == Role::Operator)
}

/// The roles a row of a rights request concerns (held before, added, taken
/// away): whether one is the operator's. Granting, taking away or changing
/// the rights of an operator is decided by the service centre
/// ([`super::rights::may_decide`]).
pub fn concerns_operator<'a>(roles: impl IntoIterator<Item = &'a Role>) -> bool {
    roles.into_iter().any(|r| *r == Role::Operator)
}

/// Whether a step of an item may be given to `role`: the working roles
/// (窗口人员, 审批人员, 部门负责人, 法制审核) only — not the operator, who acts for
/// no department, nor the administrators and supervision, who configure
/// and watch the handling but take no step of it.
pub fn acts_at_steps(role: Role) -> bool {
    matches!(role, Role::Counter | Role::Reviewer | Role::DeptHead | Role::LegalReview)
}
