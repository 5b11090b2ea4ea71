//! Misoperation correction (误操作更正, 六盘水 000 第八—十条 "误操作记录"): an
//! action recorded wrongly on a case is corrected by a written request of the
//! officer who recorded it (or the head of the case's department), the
//! consent of the head of the case's department, and the service centre,
//! which carries it out as a corrective event appended to the case. The
//! original event stays in the timeline, marked as corrected; the replay of
//! the events makes the case as the correction says; supervision is told.
//!
//! This module holds the kinds of correction, which event each may name and
//! what the corrective event restores. The request's states and their moves
//! are those of a deletion request ([`super::deletion::DeletionState`]:
//! requested → consented → performed, refused with a reason at either stage,
//! withdrawn before consent). Who takes each step is in
//! [`crate::access::correction`].

use crate::cases::{CaseState, Event, EventKind, Outcome};
use crate::codes::code_list;
use serde::{Deserialize, Serialize};

code_list!(
    /// What a correction corrects.
    CorrectionKind {
        /// 环节误通过: a step passed wrongly; the case goes back to that step.
        StepPassed = "step_passed",
        /// 申请人信息有误: the applicant's data recorded at application was
        /// wrong; the case's record takes the corrected values.
        ApplicantData = "applicant_data",
        /// 办结结论有误: a decision (准予 or 不予许可) concluded wrongly and
        /// not yet delivered; the case is back waiting for its decision.
        Conclusion = "conclusion",
    }
);

/// The applicant as a case records it at application (申请人信息): the
/// values an applicant-data correction replaces, checked as at application.
/// As a request gives it, a field left empty keeps the value recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CorrectionApplicant))]
#[serde(default)]
pub struct ApplicantRecord {
    /// natural (自然人) | legal (法人)
    pub kind: String,
    pub name: String,
    /// 身份证号 or 统一社会信用代码.
    pub id_no: String,
    pub mobile: String,
    pub address: String,
    pub email: String,
}

impl ApplicantRecord {
    /// The fields that differ in `to`, by their names (kind, name, id_no,
    /// mobile, address, email).
    pub fn changed(&self, to: &ApplicantRecord) -> Vec<&'static str> {
        [
            ("kind", self.kind != to.kind),
            ("name", self.name != to.name),
            ("id_no", self.id_no != to.id_no),
            ("mobile", self.mobile != to.mobile),
            ("address", self.address != to.address),
            ("email", self.email != to.email),
        ]
        .into_iter()
        .filter_map(|(f, d)| d.then_some(f))
        .collect()
    }

    /// Whether `to` names another person: the kind, the name or the number differ.
    pub fn identity_changed(&self, to: &ApplicantRecord) -> bool {
        self.kind != to.kind || self.name != to.name || self.id_no != to.id_no
    }

    /// The record as shown to readers: a natural person's name, number,
    /// mobile, address and e-mail masked (a legal person's name and credit
    /// code are public).
    pub fn masked(&self) -> ApplicantRecord {
        let legal = self.kind == "legal";
        let (name, id_no) = crate::ids::shown_holder(legal, &self.name, &self.id_no);
        ApplicantRecord {
            kind: self.kind.clone(),
            name,
            id_no,
            mobile: crate::outbox::masked_mobile(&self.mobile),
            address: crate::ids::mask_address(&self.address),
            email: if self.email.is_empty() { String::new() } else { crate::outbox::masked_email(&self.email) },
        }
    }
}

/// What an applicant-data correction changes: the values recorded before
/// (kept in the corrective event, so that the original stays visible) and
/// the corrected ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantChange {
    pub before: ApplicantRecord,
    pub after: ApplicantRecord,
}

/// The records a case's conclusion derived that name its applicant: a
/// licence (issued, or its issue under way), a 双公示 record, a 审管 push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Derived {
    pub license: bool,
    pub published: bool,
    /// A licence issued on the case has changed since (换发, 变更, 注销,
    /// 吊销, 过期): it lives its own life, the decision behind it is not
    /// corrected here.
    pub license_changed: bool,
}

/// The longest text of a request, a consent or a refusal, in characters.
pub const MAX_TEXT: usize = 2000;

/// Why a correction of an event is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    /// No event of that number was recorded on the case.
    #[error("no such event on the case")]
    NoSuchEvent,
    /// The event is of another kind than the correction says.
    #[error("the event is of another kind")]
    WrongKind,
    /// The event is corrected already.
    #[error("the event is corrected already")]
    AlreadyCorrected,
    /// The event no longer decides where the case stands: a later step
    /// moved the case on or back, or the case is ended.
    #[error("the event may no longer be corrected")]
    NotCorrectable,
    /// An open request names the event already.
    #[error("a correction of the event is already asked for")]
    AlreadyRequested,
    /// A licence was issued (or is being issued) under the applicant's
    /// data: it is changed by its own route (换发, 吊销), not here.
    #[error("a licence names the applicant")]
    LicenseIssued,
    /// The conclusion's 双公示 record or 审管 push names the applicant.
    #[error("published records name the applicant")]
    RecordsDerived,
    /// The decision was delivered (送达): it binds, and is changed by
    /// 撤销 or 变更 (行政许可法 第六十九条), not corrected.
    #[error("the decision was delivered")]
    Delivered,
    /// A licence issued under the decision changed since.
    #[error("the licence issued under the decision changed since")]
    LicenseChanged,
}

/// What a step's correction gives back to the case: the joint-review
/// answers recorded at the step before the wrong pass (the pass cleared them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reopened {
    pub joint_answers: Vec<(i64, bool)>,
    pub joint_missing: Vec<i64>,
}

/// Whether an event moves a case to a step (acceptance, pass, return, a
/// step's correction): what came before it belongs to another step.
fn enters_step(k: &EventKind) -> bool {
    matches!(
        k,
        EventKind::Accepted
            | EventKind::DeemedAccepted
            | EventKind::StepPassed { .. }
            | EventKind::ReturnedToStep { .. }
            | EventKind::Corrected { what: CorrectionKind::StepPassed, .. }
    )
}

/// The sequence numbers of the events corrected on a case, with the request
/// each was corrected under (read by the timeline).
pub fn corrected(events: &[(i64, &Event)]) -> Vec<(i64, i64)> {
    events
        .iter()
        .filter_map(|(_, e)| match &e.kind {
            EventKind::Corrected { event, request, .. } => Some((*event, *request)),
            _ => None,
        })
        .collect()
}

impl CorrectionKind {
    /// Whether a correction of this kind strikes out the event it names (a
    /// step pass or a decision undone) rather than amending it (wrong
    /// applicant data: the acceptance itself stands).
    pub fn strikes_out(self) -> bool {
        !matches!(self, CorrectionKind::ApplicantData)
    }
}

/// The events a correction struck out on a case, with the request each was
/// corrected under. A document numbered with one of them (the 准予/不予
/// 许可决定书 of a decision corrected) is superseded: it stays listed,
/// marked 结论已更正，本文书不再有效, and is served to nobody as valid.
pub fn struck_out(events: &[(i64, &Event)]) -> Vec<(i64, i64)> {
    events
        .iter()
        .filter_map(|(_, e)| match &e.kind {
            EventKind::Corrected { event, request, what, .. } if what.strikes_out() => Some((*event, *request)),
            _ => None,
        })
        .collect()
}

/// Whether a document numbered with event `doc_seq` is superseded by a
/// correction ([`struck_out`]).
pub fn document_superseded(events: &[(i64, &Event)], doc_seq: i64) -> bool {
    struck_out(events).iter().any(|(seq, _)| *seq == doc_seq)
}

/// Whether event `seq` of a case in `state` (its events with their numbers,
/// in order) may be corrected as `kind`, and what the correction restores;
/// `derived` says which records the case's conclusion derived.
///
/// A wrong step pass is corrected only while it still decides where the
/// case stands: the latest step pass, with no return or correction after it,
/// on a case in progress or waiting for its decision.
///
/// Wrong applicant data names the case's acceptance (受理, or 逾期视为受理),
/// which took the application's data as the case's record. It is corrected
/// at any stage of the case, again if need be, as long as no licence, 双公示
/// record or 审管 push names the applicant.
///
/// A wrong conclusion names the case's decision (办结 准予 or 不予许可) while
/// it has not taken effect outside: the case concluded and not delivered,
/// the decision not corrected already, and no licence issued under it
/// changed since. Other conclusions (退件, 作废, 转报) are not decisions on
/// the matter and are not corrected this way.
pub fn check(
    events: &[(i64, &Event)],
    state: CaseState,
    seq: i64,
    kind: CorrectionKind,
    derived: Derived,
) -> Result<Reopened, CorrectionError> {
    let at = events.iter().position(|(s, _)| *s == seq).ok_or(CorrectionError::NoSuchEvent)?;
    let named = &events[at].1.kind;
    match kind {
        CorrectionKind::StepPassed => {
            if !matches!(named, EventKind::StepPassed { .. }) {
                return Err(CorrectionError::WrongKind);
            }
        }
        CorrectionKind::ApplicantData => {
            if !matches!(named, EventKind::Accepted | EventKind::DeemedAccepted) {
                return Err(CorrectionError::WrongKind);
            }
            if derived.license {
                return Err(CorrectionError::LicenseIssued);
            }
            if derived.published {
                return Err(CorrectionError::RecordsDerived);
            }
            return Ok(Reopened::default());
        }
        CorrectionKind::Conclusion => {
            if !matches!(named, EventKind::Concluded { outcome: Outcome::Granted | Outcome::Denied, .. }) {
                return Err(CorrectionError::WrongKind);
            }
            if corrected(events).iter().any(|(s, _)| *s == seq) {
                return Err(CorrectionError::AlreadyCorrected);
            }
            return match state {
                CaseState::Delivered => Err(CorrectionError::Delivered),
                CaseState::Concluded if derived.license_changed => Err(CorrectionError::LicenseChanged),
                CaseState::Concluded => Ok(Reopened::default()),
                _ => Err(CorrectionError::NotCorrectable),
            };
        }
    }
    if corrected(events).iter().any(|(s, _)| *s == seq) {
        return Err(CorrectionError::AlreadyCorrected);
    }
    if !matches!(state, CaseState::InProgress | CaseState::Deciding) {
        return Err(CorrectionError::NotCorrectable);
    }
    if events[at + 1..].iter().any(|(_, e)| enters_step(&e.kind)) {
        return Err(CorrectionError::NotCorrectable);
    }
    // The joint answers given at the step before its wrong pass.
    let mut r = Reopened::default();
    for (_, e) in events[..at].iter().rev() {
        match &e.kind {
            k if enters_step(k) => break,
            EventKind::JointAnswered { department_id, agree, .. } => {
                r.joint_answers.insert(0, (*department_id, *agree))
            }
            EventKind::JointTimedOut { departments } => {
                r.joint_missing.splice(0..0, departments.iter().copied());
            }
            _ => {}
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventKind) -> Event {
        Event { at_ms: 0, actor_id: Some(1), role: None, department_id: Some(2), kind, backfill: None }
    }

    fn pass() -> EventKind {
        EventKind::StepPassed { opinion: "同意".into() }
    }

    fn correction_of(event: i64, what: CorrectionKind) -> EventKind {
        EventKind::Corrected {
            event,
            what,
            request: 9,
            reason: "误操作".into(),
            joint_answers: vec![],
            joint_missing: vec![],
            applicant: None,
        }
    }

    #[test]
    fn a_document_of_an_event_struck_out_is_superseded() {
        let list = [
            ev(EventKind::Accepted),
            ev(pass()),
            ev(correction_of(1, CorrectionKind::ApplicantData)),
            ev(correction_of(2, CorrectionKind::Conclusion)),
        ];
        let events: Vec<(i64, &Event)> = list.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        assert_eq!(struck_out(&events), [(2, 9)]);
        assert!(document_superseded(&events, 2), "the decision corrected");
        assert!(!document_superseded(&events, 1), "the acceptance stands, its data amended");
        assert!(!document_superseded(&events, 3));
    }

    #[test]
    fn only_the_latest_pass_still_in_force_is_corrected() {
        let joint = EventKind::JointAnswered { department_id: 7, agree: true, opinion: "同意".into() };
        let list = [
            ev(EventKind::Submitted),
            ev(EventKind::Accepted),
            ev(pass()),
            ev(joint),
            ev(EventKind::JointTimedOut { departments: vec![8] }),
            ev(pass()),
            ev(EventKind::Urged { message: "请加快".into() }),
        ];
        let events: Vec<(i64, &Event)> = list.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        let s = CaseState::InProgress;
        let k = CorrectionKind::StepPassed;
        assert_eq!(
            check(&events, s, 6, k, Derived::default()),
            Ok(Reopened { joint_answers: vec![(7, true)], joint_missing: vec![8] }),
            "the answers of the step before its pass come back"
        );
        assert_eq!(
            check(&events, s, 3, k, Derived::default()),
            Err(CorrectionError::NotCorrectable),
            "a later pass moved the case on"
        );
        let data = EventKind::Corrected {
            event: 2,
            what: CorrectionKind::ApplicantData,
            request: 9,
            reason: "姓名录错".into(),
            joint_answers: vec![],
            joint_missing: vec![],
            applicant: Some(Box::new(ApplicantChange {
                before: ApplicantRecord::default(),
                after: ApplicantRecord { name: "李四".into(), ..Default::default() },
            })),
        };
        let mut fixed = list.to_vec();
        fixed.push(ev(data));
        let events2: Vec<(i64, &Event)> = fixed.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        assert!(check(&events2, s, 6, k, Derived::default()).is_ok(), "the applicant's data corrected since");
        assert_eq!(check(&events, s, 99, k, Derived::default()), Err(CorrectionError::NoSuchEvent));
        assert_eq!(check(&events, s, 7, k, Derived::default()), Err(CorrectionError::WrongKind));
        assert_eq!(
            check(&events, CaseState::Concluded, 6, k, Derived::default()),
            Err(CorrectionError::NotCorrectable)
        );
        let mut more = list.to_vec();
        more.push(ev(EventKind::ReturnedToStep { step: 0, reason: "补充".into() }));
        let events: Vec<(i64, &Event)> = more.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        assert_eq!(check(&events, s, 6, k, Derived::default()), Err(CorrectionError::NotCorrectable), "returned since");
        let fix = EventKind::Corrected {
            event: 6,
            what: CorrectionKind::StepPassed,
            request: 1,
            reason: "误点通过".into(),
            joint_answers: vec![],
            joint_missing: vec![],
            applicant: None,
        };
        let mut done = list.to_vec();
        done.push(ev(fix));
        let events: Vec<(i64, &Event)> = done.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        assert_eq!(check(&events, s, 6, k, Derived::default()), Err(CorrectionError::AlreadyCorrected));
        assert_eq!(check(&events, s, 3, k, Derived::default()), Err(CorrectionError::NotCorrectable));
        assert_eq!(corrected(&events), [(6, 1)]);
    }

    #[test]
    fn applicant_data_names_the_acceptance_until_a_licence_or_a_publication_names_the_applicant() {
        let list = [ev(EventKind::Submitted), ev(EventKind::Accepted), ev(pass())];
        let events: Vec<(i64, &Event)> = list.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        let k = CorrectionKind::ApplicantData;
        let none = Derived::default();
        assert_eq!(check(&events, CaseState::InProgress, 2, k, none), Ok(Reopened::default()));
        assert_eq!(check(&events, CaseState::Concluded, 2, k, none), Ok(Reopened::default()), "concluded too");
        assert_eq!(check(&events, CaseState::InProgress, 1, k, none), Err(CorrectionError::WrongKind));
        assert_eq!(check(&events, CaseState::InProgress, 3, k, none), Err(CorrectionError::WrongKind));
        assert_eq!(check(&events, CaseState::InProgress, 9, k, none), Err(CorrectionError::NoSuchEvent));
        let licensed = Derived { license: true, published: true, ..Default::default() };
        assert_eq!(check(&events, CaseState::Concluded, 2, k, licensed), Err(CorrectionError::LicenseIssued));
        let published = Derived { license: false, published: true, ..Default::default() };
        assert_eq!(check(&events, CaseState::Concluded, 2, k, published), Err(CorrectionError::RecordsDerived));
    }

    #[test]
    fn a_conclusion_is_corrected_once_while_concluded_and_not_delivered() {
        let grant = EventKind::Concluded {
            outcome: crate::cases::Outcome::Granted,
            reason: String::new(),
            document_no: "示〔2025〕1号".into(),
            valid_until: None,
            fee_fen: None,
        };
        let void = EventKind::Concluded {
            outcome: crate::cases::Outcome::Voided,
            reason: "重复申请".into(),
            document_no: String::new(),
            valid_until: None,
            fee_fen: None,
        };
        let list = [ev(EventKind::Submitted), ev(EventKind::Accepted), ev(pass()), ev(grant), ev(void)];
        let events: Vec<(i64, &Event)> = list.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        let k = CorrectionKind::Conclusion;
        let none = Derived::default();
        assert_eq!(check(&events, CaseState::Concluded, 4, k, none), Ok(Reopened::default()));
        assert_eq!(check(&events, CaseState::Concluded, 3, k, none), Err(CorrectionError::WrongKind), "a step pass");
        assert_eq!(
            check(&events, CaseState::Concluded, 5, k, none),
            Err(CorrectionError::WrongKind),
            "作废 is no decision"
        );
        assert_eq!(check(&events, CaseState::Delivered, 4, k, none), Err(CorrectionError::Delivered));
        assert_eq!(check(&events, CaseState::Deciding, 4, k, none), Err(CorrectionError::NotCorrectable));
        let changed = Derived { license: true, license_changed: true, ..Default::default() };
        assert_eq!(check(&events, CaseState::Concluded, 4, k, changed), Err(CorrectionError::LicenseChanged));
        let issued = Derived { license: true, published: true, ..Default::default() };
        assert_eq!(check(&events, CaseState::Concluded, 4, k, issued), Ok(Reopened::default()), "undone with it");
        let fix = EventKind::Corrected {
            event: 4,
            what: k,
            request: 1,
            reason: "误点准予".into(),
            joint_answers: vec![],
            joint_missing: vec![],
            applicant: None,
        };
        let mut done = list[..4].to_vec();
        done.push(ev(fix));
        let events: Vec<(i64, &Event)> = done.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        assert_eq!(check(&events, CaseState::Deciding, 4, k, none), Err(CorrectionError::AlreadyCorrected));
        assert!(
            check(&events, CaseState::Deciding, 3, CorrectionKind::StepPassed, none).is_ok(),
            "the pass still may be"
        );
    }

    #[test]
    fn an_applicant_record_tells_what_changed_and_shows_itself_masked() {
        let a = ApplicantRecord {
            kind: "natural".into(),
            name: "张三".into(),
            id_no: "110101199003077777".into(),
            mobile: "13800138000".into(),
            address: "示例市城关区人民路66号".into(),
            email: String::new(),
        };
        let b = ApplicantRecord { name: "张三丰".into(), mobile: "13900139000".into(), ..a.clone() };
        assert_eq!(a.changed(&b), ["name", "mobile"]);
        assert!(a.identity_changed(&b));
        assert!(!a.identity_changed(&ApplicantRecord { address: "别处".into(), ..a.clone() }));
        let m = a.masked();
        assert_eq!((m.name.as_str(), m.mobile.as_str()), ("张*", "138****8000"));
        assert!(!m.id_no.contains("19900307") && !m.address.contains("人民路"), "{m:?}");
    }
}
