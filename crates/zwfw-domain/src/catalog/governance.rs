//! The change-governance flow of item versions (draft → legal review →
//! service-centre approval → published), who may author, and the
//! field-by-field difference between two versions.

use super::ItemContent;
use crate::admin::Actor;
use crate::codes::code_list;
use serde::{Deserialize, Serialize};
use thiserror::Error;

code_list!(
    /// The state of a version in the change-governance flow.
    VersionState {
        /// 草稿: being written by the department.
        Draft = "draft",
        /// 法制审核: with the legal reviewers.
        LegalReview = "legal_review",
        /// 中心审批: with the service centre.
        CenterApproval = "center_approval",
        /// 已发布: in force (until a newer version is published). Never changes.
        Published = "published",
        /// 已被替代: an older published version.
        Superseded = "superseded",
        /// 已撤回: a draft abandoned by its department.
        Withdrawn = "withdrawn",
    }
);

impl VersionState {
    /// Still open in the flow (at most one open version per item).
    pub const OPEN: &'static [VersionState] =
        &[VersionState::Draft, VersionState::LegalReview, VersionState::CenterApproval];
    /// The states in which a version's content may change: a draft only.
    /// Any other change of content is an edit made around the program,
    /// which the guard of migration 0013 records.
    pub const EDITABLE: &'static [VersionState] = &[VersionState::Draft];

    /// Still open in the flow (at most one open version per item).
    pub fn is_open(self) -> bool {
        VersionState::OPEN.contains(&self)
    }
    /// Whether its content may change (see [`VersionState::EDITABLE`]).
    pub fn is_editable(self) -> bool {
        VersionState::EDITABLE.contains(&self)
    }
}

code_list!(
    /// Whether an item is still offered (在用) or was retired (已取消); a
    /// retired item takes no new application and no new version.
    ItemStatus {
        Active = "active",
        Retired = "retired",
    }
);

/// What an officer does to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GovernanceAction {
    /// The department edits its draft.
    Edit,
    /// The department submits the draft to legal review.
    Submit,
    /// Legal review passes it to the service centre.
    PassLegalReview,
    /// The service centre approves: the version is published.
    Approve,
    /// Legal review or the service centre sends it back to the department.
    SendBack,
    /// The department abandons its draft.
    Withdraw,
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GovernanceError {
    #[error("this action is not possible while the version is {state:?}")]
    WrongState { state: VersionState },
    #[error("the actor does not hold the role this step needs")]
    WrongRole,
    #[error("a written reason is required")]
    ReasonRequired,
}

/// Whether `actor` may act for the implementing department `department_id`:
/// the rule is [`crate::access::catalog::may_author`].
pub fn may_author(actor: &Actor, department_id: i64) -> bool {
    crate::access::catalog::may_author(actor, department_id)
}

/// Whether `actor` reads every item, drafts included: the rule is
/// [`crate::access::catalog::sees_all_items`].
pub fn sees_all_items(actor: &Actor) -> bool {
    crate::access::catalog::sees_all_items(actor)
}

/// The next state of a version after `action` by `actor`, or why not.
pub fn transition(
    state: VersionState,
    action: GovernanceAction,
    actor: &Actor,
    department_id: i64,
    reason: &str,
) -> Result<VersionState, GovernanceError> {
    use GovernanceAction::*;
    use VersionState::*;
    if reason.trim().is_empty() {
        return Err(GovernanceError::ReasonRequired);
    }
    let (from_ok, to) = match action {
        Edit => (state.is_editable(), Draft),
        Submit => (state == Draft, LegalReview),
        Withdraw => (state == Draft, Withdrawn),
        PassLegalReview => (state == LegalReview, CenterApproval),
        Approve => (state == CenterApproval, Published),
        SendBack => (matches!(state, LegalReview | CenterApproval), Draft),
    };
    if !from_ok {
        return Err(GovernanceError::WrongState { state });
    }
    crate::access::catalog::may_govern(actor, action, state, department_id).map_err(|_| GovernanceError::WrongRole)?;
    Ok(to)
}

/// One changed field between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ItemFieldChange))]
pub struct FieldChange {
    /// Path of the field, e.g. `promised_limit_days`, `materials[2].name`.
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

fn walk(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<FieldChange>) {
    use serde_json::Value::*;
    match (a, b) {
        (Object(x), Object(y)) => {
            let mut keys: Vec<&std::string::String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                walk(&p, x.get(k).unwrap_or(&Null), y.get(k).unwrap_or(&Null), out);
            }
        }
        (Array(x), Array(y)) if x.iter().chain(y).any(|v| v.is_object()) => {
            for i in 0..x.len().max(y.len()) {
                walk(&format!("{path}[{}]", i + 1), x.get(i).unwrap_or(&Null), y.get(i).unwrap_or(&Null), out);
            }
        }
        _ if a != b => out.push(FieldChange { field: path.to_string(), before: a.clone(), after: b.clone() }),
        _ => {}
    }
}

/// The fields that differ between two versions' contents.
pub fn diff(a: &ItemContent, b: &ItemContent) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", &serde_json::to_value(a).unwrap_or_default(), &serde_json::to_value(b).unwrap_or_default(), &mut out);
    out
}
