//! Qualification before use (上岗资格; 六盘水 第十一条(二), 东莞 第十九条,
//! 承德 第二十二条): staff use the system only after training and a passed
//! examination. Trainings and examinations are recorded per role, with the
//! day, the content, the result and, for a passed examination, the last day
//! it is valid. A staff member acts in a role only on the days a passed
//! examination for it is valid: the roles an actor acts in are the roles
//! held that are qualified on the day ([`effective_roles`]). The 系统管理员
//! is exempt, so that someone can always start.

use crate::admin::{Actor, Role};
use crate::codes::code_list;
use chrono::NaiveDate;

code_list!(
    /// What was held.
    QualificationKind {
        /// 培训.
        Training = "training",
        /// 考试.
        Exam = "exam",
    }
);

code_list!(
    /// How it ended.
    QualificationResult {
        /// 合格 / 通过.
        Passed = "passed",
        /// 不合格 / 未通过.
        Failed = "failed",
        /// 待定: held, the result not yet known.
        Pending = "pending",
    }
);

/// Days before the end of a qualification when it is shown as expiring and
/// its holder and the centre are reminded.
pub const EXPIRY_WARNING_DAYS: i64 = 30;
/// The longest content (what the training or examination covered).
pub const MAX_CONTENT: usize = 500;
/// The highest score.
pub const MAX_SCORE: i64 = 100;
/// The longest a passed examination may be valid, in months from the day
/// it was held: a qualification is renewed by a new examination at least
/// this often.
pub const MAX_VALID_MONTHS: u32 = 60;

/// Whether acting in `role` needs a qualification: every business role;
/// the 系统管理员 is exempt.
pub fn needs_qualification(role: Role) -> bool {
    role != Role::SystemAdmin
}

/// A recorded training or examination, as the rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    pub role: Role,
    pub kind: QualificationKind,
    pub result: QualificationResult,
    pub held_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

impl Record {
    /// Whether this record qualifies for `role` on `day`: a passed
    /// examination for it, held on or before the day, valid through it.
    pub fn qualifies(&self, role: Role, day: NaiveDate) -> bool {
        self.role == role
            && self.kind == QualificationKind::Exam
            && self.result == QualificationResult::Passed
            && self.held_on <= day
            && self.valid_until.is_some_and(|u| day <= u)
    }
}

/// Whether a passed training for `role` was held on or before `on` (staff
/// are examined after they are trained).
fn trained(records: &[Record], role: Role, on: NaiveDate) -> bool {
    records.iter().any(|t| {
        t.role == role
            && t.kind == QualificationKind::Training
            && t.result == QualificationResult::Passed
            && t.held_on <= on
    })
}

/// The last day `role` stays qualified, counting from `day`: the latest end
/// of the passed examinations valid on that day, each after a passed
/// training for the role (none when none is).
pub fn valid_until(records: &[Record], role: Role, day: NaiveDate) -> Option<NaiveDate> {
    records
        .iter()
        .filter(|r| r.qualifies(role, day) && trained(records, role, r.held_on))
        .filter_map(|r| r.valid_until)
        .max()
}

/// The last day of the latest qualification for `role` that ended before
/// `day` (a training and a passed examination, as [`valid_until`] reads
/// them): when it lapsed.
fn lapsed_on(records: &[Record], role: Role, day: NaiveDate) -> Option<NaiveDate> {
    records
        .iter()
        .filter(|r| r.role == role && r.kind == QualificationKind::Exam && r.result == QualificationResult::Passed)
        .filter(|r| trained(records, role, r.held_on))
        .filter_map(|r| r.valid_until)
        .filter(|u| *u < day)
        .max()
}

/// Whether the holder of `role` may act in it on `day`.
pub fn qualified(records: &[Record], role: Role, day: NaiveDate) -> bool {
    !needs_qualification(role) || valid_until(records, role, day).is_some()
}

/// The roles an actor acts in on `day`: the roles held ∩ the roles
/// qualified that day (and the exempt ones).
pub fn effective_roles(held: &[Role], records: &[Record], day: NaiveDate) -> Vec<Role> {
    held.iter().copied().filter(|r| qualified(records, *r, day)).collect()
}

/// The roles held that lack a valid qualification on `day`.
pub fn unqualified_roles(held: &[Role], records: &[Record], day: NaiveDate) -> Vec<Role> {
    held.iter().copied().filter(|r| !qualified(records, *r, day)).collect()
}

/// The actor as it acts on `day`: a staff member's roles cut down to those
/// qualified that day. A staff member left with no role acts for no
/// department either, so that every rule reading the department (its
/// cases, pushes, lists) refuses them: they use the system only once
/// qualified. An operator acting in no other role acts for no department
/// ([`crate::access::operator::operates_only`]). Public accounts hold no
/// role and are not changed.
pub fn effective_actor(mut actor: Actor, records: &[Record], day: NaiveDate) -> Actor {
    if actor.is_staff() {
        actor.unqualified = unqualified_roles(&actor.roles, records, day);
        actor.roles = effective_roles(&actor.roles, records, day);
        if actor.roles.is_empty() || crate::access::operator::operates_only(&actor) {
            actor.department_id = None;
        }
    }
    actor
}

/// Where a held role stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// No qualification needed (系统管理员).
    Exempt,
    /// Qualified through `until`, more than [`EXPIRY_WARNING_DAYS`] away.
    Qualified { until: NaiveDate },
    /// Qualified through `until`, within [`EXPIRY_WARNING_DAYS`].
    Expiring { until: NaiveDate },
    /// Not qualified: its qualification ended on `on` (the last valid day).
    Expired { on: NaiveDate },
    /// Not qualified: no training and passed examination valid that day,
    /// and none ever.
    Missing,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::Exempt => "exempt",
            Standing::Qualified { .. } => "qualified",
            Standing::Expiring { .. } => "expiring",
            Standing::Expired { .. } => "expired",
            Standing::Missing => "missing",
        }
    }

    pub fn until(self) -> Option<NaiveDate> {
        match self {
            Standing::Qualified { until } | Standing::Expiring { until } => Some(until),
            _ => None,
        }
    }

    /// The last day of a qualification that lapsed.
    pub fn lapsed_on(self) -> Option<NaiveDate> {
        match self {
            Standing::Expired { on } => Some(on),
            _ => None,
        }
    }

    /// Whether the role may not be acted in.
    pub fn blocks(self) -> bool {
        matches!(self, Standing::Missing | Standing::Expired { .. })
    }

    /// Whether an administrator is to look at it: not qualified, or expiring.
    pub fn needs_attention(self) -> bool {
        matches!(self, Standing::Missing | Standing::Expired { .. } | Standing::Expiring { .. })
    }
}

/// Where `role` stands on `day`.
pub fn standing(records: &[Record], role: Role, day: NaiveDate) -> Standing {
    if !needs_qualification(role) {
        return Standing::Exempt;
    }
    match valid_until(records, role, day) {
        None => match lapsed_on(records, role, day) {
            Some(on) => Standing::Expired { on },
            None => Standing::Missing,
        },
        Some(until) if (until - day).num_days() <= EXPIRY_WARNING_DAYS => Standing::Expiring { until },
        Some(until) => Standing::Qualified { until },
    }
}

/// What a role without any qualification (`Standing::Missing`) lacks, so
/// that the administrator knows what to record next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lack {
    /// Neither a passed training nor a passed examination.
    Both,
    /// Trained, but no passed examination valid on the day held on or after
    /// the training.
    Exam,
    /// A passed examination valid on the day, but no passed training held
    /// on or before it (staff are examined after they are trained).
    Training,
}

impl Lack {
    pub fn code(self) -> &'static str {
        match self {
            Lack::Both => "training_and_exam",
            Lack::Exam => "exam",
            Lack::Training => "training",
        }
    }
}

/// What `role` lacks on `day` when it [`standing`] is `Missing`; `None`
/// otherwise.
pub fn lacking(records: &[Record], role: Role, day: NaiveDate) -> Option<Lack> {
    if standing(records, role, day) != Standing::Missing {
        return None;
    }
    let exam = records.iter().any(|r| r.qualifies(role, day));
    let training = trained(records, role, day);
    Some(match (training, exam) {
        (false, false) => Lack::Both,
        (true, _) => Lack::Exam,
        (false, true) => Lack::Training,
    })
}

/// Why a training or examination is not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QualificationError {
    /// Held after today: only what took place is recorded.
    #[error("dated in the future")]
    FutureDate,
    /// The last valid day is before the day it was held.
    #[error("valid until before the date")]
    ValidUntilBeforeDate,
    /// A passed examination states how long it is valid.
    #[error("valid until required")]
    ValidUntilRequired,
    /// The person does not hold the role.
    #[error("role not held")]
    RoleNotHeld,
    /// The 系统管理员 needs no qualification.
    #[error("role exempt")]
    RoleExempt,
    /// A score outside 0–100.
    #[error("score out of range")]
    ScoreOutOfRange,
    /// Valid beyond [`MAX_VALID_MONTHS`] after the examination.
    #[error("valid for too long")]
    ValidTooLong,
    /// Only a passed examination is valid until a day.
    #[error("valid until given for what is not a passed examination")]
    ValidUntilNotAllowed,
}

/// A training or examination to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub role: Role,
    pub kind: QualificationKind,
    pub result: QualificationResult,
    pub held_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub score: Option<i64>,
}

impl Entry {
    /// Checks the entry against the roles the person holds and today.
    pub fn check(&self, held: &[Role], today: NaiveDate) -> Result<(), QualificationError> {
        if !needs_qualification(self.role) {
            return Err(QualificationError::RoleExempt);
        }
        if !held.contains(&self.role) {
            return Err(QualificationError::RoleNotHeld);
        }
        if self.held_on > today {
            return Err(QualificationError::FutureDate);
        }
        if let Some(u) = self.valid_until {
            if self.kind != QualificationKind::Exam || self.result != QualificationResult::Passed {
                return Err(QualificationError::ValidUntilNotAllowed);
            }
            if u < self.held_on {
                return Err(QualificationError::ValidUntilBeforeDate);
            }
            if self.held_on.checked_add_months(chrono::Months::new(MAX_VALID_MONTHS)).is_none_or(|max| u > max) {
                return Err(QualificationError::ValidTooLong);
            }
        }
        if self.kind == QualificationKind::Exam
            && self.result == QualificationResult::Passed
            && self.valid_until.is_none()
        {
            return Err(QualificationError::ValidUntilRequired);
        }
        if self.score.is_some_and(|s| !(0..=MAX_SCORE).contains(&s)) {
            return Err(QualificationError::ScoreOutOfRange);
        }
        Ok(())
    }
}

/// Whether the holder of a qualification valid through `until` is reminded
/// on `today`: within [`EXPIRY_WARNING_DAYS`] of its end, not yet past it.
pub fn due_for_reminder(until: NaiveDate, today: NaiveDate) -> bool {
    today <= until && (until - today).num_days() <= EXPIRY_WARNING_DAYS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::test_staff;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn exam(role: Role, on: &str, until: &str, result: QualificationResult) -> Record {
        Record { role, kind: QualificationKind::Exam, result, held_on: d(on), valid_until: Some(d(until)) }
    }

    fn training(role: Role, on: &str) -> Record {
        Record {
            role,
            kind: QualificationKind::Training,
            result: QualificationResult::Passed,
            held_on: d(on),
            valid_until: None,
        }
    }

    #[test]
    fn what_a_role_without_qualification_lacks() {
        use QualificationResult::*;
        let day = d("2026-06-01");
        let c = Role::Counter;
        assert_eq!(lacking(&[], c, day), Some(Lack::Both));
        let exam_only = [exam(c, "2026-05-01", "2027-04-30", Passed)];
        assert_eq!(lacking(&exam_only, c, day), Some(Lack::Training));
        let trained_only = [training(c, "2026-05-01")];
        assert_eq!(lacking(&trained_only, c, day), Some(Lack::Exam));
        let exam_then_training = [exam(c, "2026-04-01", "2027-03-31", Passed), training(c, "2026-05-01")];
        assert_eq!(lacking(&exam_then_training, c, day), Some(Lack::Exam));
        let failed = [training(c, "2026-04-01"), exam(c, "2026-05-01", "2027-04-30", Failed)];
        assert_eq!(lacking(&failed, c, day), Some(Lack::Exam));
        let qualified = [training(c, "2026-04-01"), exam(c, "2026-05-01", "2027-04-30", Passed)];
        assert_eq!(lacking(&qualified, c, day), None);
        assert_eq!(lacking(&qualified, c, d("2027-05-01")), None, "expired is told by its date");
        assert_eq!(lacking(&[], Role::SystemAdmin, day), None);
    }

    #[test]
    fn a_role_is_acted_in_only_while_a_passed_examination_is_valid() {
        use QualificationResult::*;
        let records = [
            training(Role::Counter, "2026-01-04"),
            exam(Role::Counter, "2026-01-05", "2026-12-31", Passed),
            exam(Role::Reviewer, "2026-01-05", "2027-12-31", Failed),
            training(Role::Reviewer, "2026-01-04"),
        ];
        let held = [Role::Counter, Role::Reviewer, Role::SystemAdmin];
        assert_eq!(effective_roles(&held, &records, d("2026-06-01")), [Role::Counter, Role::SystemAdmin]);
        assert_eq!(unqualified_roles(&held, &records, d("2026-06-01")), [Role::Reviewer]);
        // Before the examination, and after its last day: not qualified.
        assert_eq!(effective_roles(&held, &records, d("2026-01-04")), [Role::SystemAdmin]);
        assert!(qualified(&records, Role::Counter, d("2026-12-31")), "the last day itself");
        assert!(!qualified(&records, Role::Counter, d("2027-01-01")));
        // A pending examination does not qualify.
        let pending = [training(Role::Counter, "2026-01-04"), exam(Role::Counter, "2026-01-05", "2026-12-31", Pending)];
        assert!(!qualified(&pending, Role::Counter, d("2026-02-01")));
        // Nor a passed examination without training, or trained only after it.
        let untrained = [exam(Role::Counter, "2026-01-05", "2026-12-31", Passed)];
        assert!(!qualified(&untrained, Role::Counter, d("2026-02-01")));
        let late = [exam(Role::Counter, "2026-01-05", "2026-12-31", Passed), training(Role::Counter, "2026-01-06")];
        assert!(!qualified(&late, Role::Counter, d("2026-02-01")));
        // The actor acts in the qualified roles only; a person is unchanged.
        let a = effective_actor(test_staff(1, &held), &records, d("2026-06-01"));
        assert_eq!(a.roles, [Role::Counter, Role::SystemAdmin]);
        assert!(a.department_id.is_some());
        // Qualified in no role: no role, and no department's business.
        let none = effective_actor(test_staff(1, &[Role::Reviewer]), &records, d("2026-06-01"));
        assert_eq!((none.roles.len(), none.department_id), (0, None));
        assert_eq!(none.unqualified, [Role::Reviewer]);
        assert!(none.acts_in_no_role() && none.qualified_in_no_role());
        assert!(!a.acts_in_no_role() && !a.qualified_in_no_role());
        assert_eq!(a.unqualified, [Role::Reviewer], "held, not acted in");
        // Holding no role at all is acting in none, but not for want of a qualification.
        let roleless = effective_actor(test_staff(1, &[]), &records, d("2026-06-01"));
        assert!(roleless.acts_in_no_role() && !roleless.qualified_in_no_role());
    }

    #[test]
    fn standing_warns_thirty_days_before_the_end() {
        let records = [
            training(Role::Counter, "2025-01-04"),
            exam(Role::Counter, "2025-01-05", "2026-06-30", QualificationResult::Passed),
            exam(Role::Counter, "2026-01-05", "2026-07-15", QualificationResult::Passed),
        ];
        assert_eq!(standing(&records, Role::Counter, d("2026-06-01")), Standing::Qualified { until: d("2026-07-15") });
        assert_eq!(standing(&records, Role::Counter, d("2026-06-15")), Standing::Expiring { until: d("2026-07-15") });
        // Past its last day: expired on that day, not "never obtained".
        assert_eq!(standing(&records, Role::Counter, d("2026-07-16")), Standing::Expired { on: d("2026-07-15") });
        assert!(standing(&records, Role::Counter, d("2026-07-16")).blocks());
        assert_eq!(standing(&records[..1], Role::Counter, d("2026-07-16")), Standing::Missing);
        assert_eq!(standing(&[], Role::SystemAdmin, d("2026-07-16")), Standing::Exempt);
        assert!(Standing::Missing.needs_attention() && !Standing::Exempt.needs_attention());
        assert!(!due_for_reminder(d("2026-07-15"), d("2026-06-14")));
        assert!(due_for_reminder(d("2026-07-15"), d("2026-06-15")));
        assert!(due_for_reminder(d("2026-07-15"), d("2026-07-15")));
        assert!(!due_for_reminder(d("2026-07-15"), d("2026-07-16")));
    }

    #[test]
    fn bad_entries_are_refused_with_their_reason() {
        use QualificationError as E;
        let today = d("2026-06-01");
        let ok = Entry {
            role: Role::Counter,
            kind: QualificationKind::Exam,
            result: QualificationResult::Passed,
            held_on: d("2026-05-20"),
            valid_until: Some(d("2028-05-19")),
            score: Some(92),
        };
        let held = [Role::Counter];
        assert_eq!(ok.check(&held, today), Ok(()));
        assert_eq!(Entry { held_on: d("2026-06-02"), ..ok }.check(&held, today), Err(E::FutureDate));
        assert_eq!(
            Entry { valid_until: Some(d("2026-05-19")), ..ok }.check(&held, today),
            Err(E::ValidUntilBeforeDate)
        );
        assert_eq!(Entry { valid_until: None, ..ok }.check(&held, today), Err(E::ValidUntilRequired));
        assert_eq!(Entry { role: Role::Reviewer, ..ok }.check(&held, today), Err(E::RoleNotHeld));
        // Five years at most; a date only on a passed examination.
        assert_eq!(Entry { valid_until: Some(d("2031-05-20")), ..ok }.check(&held, today), Ok(()));
        assert_eq!(Entry { valid_until: Some(d("2031-05-21")), ..ok }.check(&held, today), Err(E::ValidTooLong));
        assert_eq!(Entry { valid_until: Some(d("9999-12-31")), ..ok }.check(&held, today), Err(E::ValidTooLong));
        let failed = Entry { result: QualificationResult::Failed, ..ok };
        assert_eq!(failed.check(&held, today), Err(E::ValidUntilNotAllowed));
        assert_eq!(Entry { valid_until: None, ..failed }.check(&held, today), Ok(()));
        let trained = Entry { kind: QualificationKind::Training, valid_until: None, ..ok };
        assert_eq!(trained.check(&held, today), Ok(()));
        assert_eq!(
            Entry { valid_until: Some(d("2027-01-01")), ..trained }.check(&held, today),
            Err(E::ValidUntilNotAllowed)
        );
        assert_eq!(Entry { role: Role::SystemAdmin, ..ok }.check(&[Role::SystemAdmin], today), Err(E::RoleExempt));
        assert_eq!(Entry { score: Some(101), ..ok }.check(&held, today), Err(E::ScoreOutOfRange));
        // A pending examination or a training needs no end.
        let pending = Entry { result: QualificationResult::Pending, valid_until: None, score: None, ..ok };
        assert_eq!(pending.check(&held, today), Ok(()));
        assert_eq!(Entry { kind: QualificationKind::Training, ..pending }.check(&held, today), Ok(()));
    }
}
