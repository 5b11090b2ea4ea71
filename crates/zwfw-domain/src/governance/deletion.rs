//! Deletion by approved request (删除申请, 常州 003 第七条): the person who
//! entered a record asks in writing for its deletion, saying what is to be
//! deleted and why; the head of their department consents (or refuses with
//! a reason); the supervision office performs the deletion (or refuses with
//! a reason). Nothing is deleted any other way. A deleted record leaves the
//! business views and is kept, as it was, in an archive that supervision
//! reads with its request.
//!
//! This module holds the kinds of record that may be deleted and in which
//! state, the request's states and their moves. Who takes each step is in
//! [`crate::access::governance`].

use crate::codes::code_list;

code_list!(
    /// The kinds of record a deletion may be asked for.
    RecordKind {
        /// 办件草稿: an application registered at the counter and saved as a
        /// draft, never submitted (with the materials it holds). Once
        /// submitted a case is corrected, never deleted.
        CaseDraft = "case_draft",
        /// 配置/维护需求 not yet answered by the service centre.
        MaintenanceRequest = "maintenance_request",
        /// 草稿材料: one material attached to a counter draft, by the staff
        /// member who attached it, while the draft is never submitted.
        DraftMaterial = "draft_material",
        /// 事项草稿: a version of an item drafted by a staff member and never
        /// submitted to legal review (with the item itself when it was
        /// never published and has no other version).
        ItemDraft = "item_draft",
    }
);

code_list!(
    /// Where a deletion request stands.
    DeletionState {
        /// Asked by the record's author: waiting for the department head.
        Requested = "requested",
        /// Withdrawn by the author before the head's consent.
        Withdrawn = "withdrawn",
        /// The head consented: waiting for the supervision office.
        Consented = "consented",
        /// The head refused, with a reason.
        Declined = "declined",
        /// The supervision office deleted the record (kept in the archive).
        Performed = "performed",
        /// The supervision office refused, with a reason.
        Rejected = "rejected",
    }
);

/// The longest text of a request, a consent or a refusal, in characters.
pub const MAX_TEXT: usize = 2000;

/// Consent or refusal, at either stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Refuse,
}

impl Verdict {
    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim() {
            "approve" => Some(Verdict::Approve),
            "refuse" => Some(Verdict::Refuse),
            _ => None,
        }
    }
}

/// Why a move of a deletion request, or the request itself, is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeletionError {
    /// The record is not (or no longer) in a state in which it may be
    /// deleted: a submitted case, an answered request.
    #[error("the record may not be deleted in its present state")]
    NotDeletable,
    /// An open request for the record exists already.
    #[error("a deletion of the record is already asked for")]
    AlreadyRequested,
    /// The request is not waiting for this step.
    #[error("the request is not waiting for this step")]
    WrongStage,
}

/// What the rules read of a record: who entered it, in which department,
/// and whether its state allows a deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordFacts {
    pub kind: RecordKind,
    /// The person who entered it; none when the program or the public did.
    pub author_id: Option<i64>,
    /// The department it belongs to.
    pub department_id: i64,
    /// Its state allows a deletion (see [`case_draft_deletable`],
    /// [`maintenance_request_deletable`]).
    pub deletable: bool,
}

/// A case may be deleted only as a draft registered by staff at the
/// counter: never submitted, so nothing was decided, counted or reported
/// on it. An application the public saved online is its author's own and
/// no staff member entered it.
pub fn case_draft_deletable(state: &str, registered_by: Option<i64>) -> bool {
    state == "draft" && registered_by.is_some()
}

/// A material of a case may be deleted on its own only while the case is a
/// draft registered at the counter ([`case_draft_deletable`]) and a staff
/// member attached it (`added_by`: its author). A material of a submitted
/// case is part of what was decided on.
pub fn draft_material_deletable(case_state: &str, registered_by: Option<i64>, added_by: Option<i64>) -> bool {
    case_draft_deletable(case_state, registered_by) && added_by.is_some()
}

/// The actions on an item's version that leave it a draft never submitted:
/// created (with a new item or as a new version of one) and edited.
pub const DRAFTING_ACTIONS: [&str; 3] = ["create", "new_version", "edit"];

/// An item's version may be deleted while it is a draft (not withdrawn,
/// not in review, not published) that a staff member drafted
/// (`created_by`: its author) and that was never submitted (`actions`: the
/// actions recorded on it, each one of [`DRAFTING_ACTIONS`]). A version
/// once reviewed is part of the item's governance record: it is withdrawn,
/// never deleted.
pub fn item_draft_deletable<'a>(
    state: &str,
    created_by: Option<i64>,
    actions: impl IntoIterator<Item = &'a str>,
) -> bool {
    state == crate::catalog::VersionState::Draft.code()
        && created_by.is_some()
        && actions.into_iter().all(|a| DRAFTING_ACTIONS.contains(&a))
}

/// A maintenance request may be deleted while the centre has not answered it.
pub fn maintenance_request_deletable(state: &str) -> bool {
    state == crate::governance::RequestState::Submitted.code()
}

impl DeletionState {
    /// Still waiting for a step (the head's or the supervision office's).
    pub fn open(self) -> bool {
        matches!(self, DeletionState::Requested | DeletionState::Consented)
    }

    /// The state after the head's verdict.
    pub fn consent(self, v: Verdict) -> Result<DeletionState, DeletionError> {
        if self != DeletionState::Requested {
            return Err(DeletionError::WrongStage);
        }
        Ok(match v {
            Verdict::Approve => DeletionState::Consented,
            Verdict::Refuse => DeletionState::Declined,
        })
    }

    /// The state after the supervision office's verdict.
    pub fn perform(self, v: Verdict) -> Result<DeletionState, DeletionError> {
        if self != DeletionState::Consented {
            return Err(DeletionError::WrongStage);
        }
        Ok(match v {
            Verdict::Approve => DeletionState::Performed,
            Verdict::Refuse => DeletionState::Rejected,
        })
    }

    /// The state once the author withdraws: only before the head's consent.
    pub fn withdraw(self) -> Result<DeletionState, DeletionError> {
        if self != DeletionState::Requested {
            return Err(DeletionError::WrongStage);
        }
        Ok(DeletionState::Withdrawn)
    }
}

/// Whether a new request for the record may be made: the record allows it
/// and no request for it is open.
pub fn may_be_requested(record: &RecordFacts, open_request: bool) -> Result<(), DeletionError> {
    if !record.deletable {
        return Err(DeletionError::NotDeletable);
    }
    if open_request {
        return Err(DeletionError::AlreadyRequested);
    }
    Ok(())
}

/// A column of an archived row as shown: the applicant's personal data
/// masked, the query password's hash withheld; anything else as it was.
pub fn shown_archived(column: &str, value: &str) -> String {
    use crate::ids::{mask_address, mask_middle, mask_name};
    match column {
        "applicant_name" => mask_name(value),
        "applicant_id_no" => mask_middle(value, 3, 4),
        "applicant_mobile" => crate::outbox::masked_mobile(value),
        "applicant_email" => crate::outbox::masked_email(value),
        "applicant_address" => mask_address(value),
        "query_hash" | "idem_key" if !value.is_empty() => "******".to_string(),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeletionState as S;

    #[test]
    fn a_request_is_consented_then_performed_or_refused_at_either_stage() {
        assert_eq!(S::Requested.consent(Verdict::Approve), Ok(S::Consented));
        assert_eq!(S::Requested.consent(Verdict::Refuse), Ok(S::Declined));
        assert_eq!(S::Consented.perform(Verdict::Approve), Ok(S::Performed));
        assert_eq!(S::Consented.perform(Verdict::Refuse), Ok(S::Rejected));
        assert_eq!(S::Requested.withdraw(), Ok(S::Withdrawn));
        for s in [S::Withdrawn, S::Consented, S::Declined, S::Performed, S::Rejected] {
            assert_eq!(s.consent(Verdict::Approve), Err(DeletionError::WrongStage), "{s:?}");
            assert_eq!(s.withdraw(), Err(DeletionError::WrongStage), "{s:?}");
        }
        for s in [S::Requested, S::Withdrawn, S::Declined, S::Performed, S::Rejected] {
            assert_eq!(s.perform(Verdict::Approve), Err(DeletionError::WrongStage), "{s:?}");
        }
        let open: Vec<_> = S::ALL.iter().filter(|s| s.open()).collect();
        assert_eq!(open, [&S::Requested, &S::Consented]);
        assert_eq!(Verdict::parse(" refuse "), Some(Verdict::Refuse));
        assert_eq!(Verdict::parse("delete"), None);
    }

    #[test]
    fn only_a_counter_draft_and_an_unanswered_request_are_deletable() {
        assert!(case_draft_deletable("draft", Some(3)));
        assert!(!case_draft_deletable("draft", None), "the public's own draft");
        for s in ["submitted", "accepted", "concluded", "refused"] {
            assert!(!case_draft_deletable(s, Some(3)), "{s}");
        }
        assert!(draft_material_deletable("draft", Some(3), Some(3)));
        assert!(!draft_material_deletable("draft", Some(3), None), "attached by nobody on the staff");
        assert!(!draft_material_deletable("draft", None, Some(3)), "the public's own draft");
        assert!(!draft_material_deletable("submitted", Some(3), Some(3)), "a submitted case's material");
        assert!(item_draft_deletable("draft", Some(3), ["create", "edit"]));
        assert!(item_draft_deletable("draft", Some(3), ["new_version"]));
        assert!(!item_draft_deletable("draft", Some(3), ["create", "submit", "send_back"]), "once reviewed");
        assert!(!item_draft_deletable("draft", None, ["create"]), "drafted by nobody on the staff");
        for s in ["legal_review", "center_approval", "published", "withdrawn"] {
            assert!(!item_draft_deletable(s, Some(3), ["create"]), "{s}");
        }
        assert!(maintenance_request_deletable("submitted"));
        for s in ["accepted", "refused", "done"] {
            assert!(!maintenance_request_deletable(s), "{s}");
        }
        let f = RecordFacts { kind: RecordKind::CaseDraft, author_id: Some(3), department_id: 1, deletable: true };
        assert_eq!(may_be_requested(&f, false), Ok(()));
        assert_eq!(may_be_requested(&f, true), Err(DeletionError::AlreadyRequested));
        let gone = RecordFacts { deletable: false, ..f };
        assert_eq!(may_be_requested(&gone, false), Err(DeletionError::NotDeletable));
        assert_eq!(RecordKind::parse("case_draft"), Some(RecordKind::CaseDraft));
        assert_eq!(RecordKind::parse("case"), None);
    }

    #[test]
    fn an_archived_row_shows_personal_data_masked() {
        assert_eq!(shown_archived("applicant_name", "张三丰"), "张**");
        assert_eq!(shown_archived("applicant_mobile", "13812345678"), "138****5678");
        assert_eq!(shown_archived("applicant_id_no", "110101199003074514"), "110***********4514");
        assert_eq!(shown_archived("query_hash", "abc"), "******");
        assert_eq!(shown_archived("item_name", "食品经营许可"), "食品经营许可");
    }
}
