//! Electronic supervision (电子监察, regulation 000 第五条): the coded rules,
//! the facts they find in cases and submissions, and the life of a finding
//! (整改) and of an oversight order (督办). GB/T 39046 表11 names the data.
//!
//! A rule looks at one object and says which facts hold for it today. A fact
//! is (rule, object, key): the same fact found twice is one finding, so the
//! store keeps them unique and evaluation can run as often as it likes.
//!
//! Time-based rules are written as day cutoffs ([`Cutoffs`]) so that the
//! store can select the few cases that crossed a threshold since the last
//! run with an index range; the per-object functions here then decide.

use crate::calendar::{Calendar, CalendarError};
use crate::cases::{CaseView, EventKind, Outcome};
use crate::catalog::ItemContent;
use crate::clock::CaseClock;
use crate::codes::code_list;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The rule codes. Their names live in the rules table (editable); the
/// defaults are in the web layer's message catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RuleCode {
    /// 预警: the promised deadline is at most `days` working days away.
    W01,
    /// 环节超时 while the case is within its promised limit.
    W02,
    /// 黄牌: promised limit exceeded.
    Y01,
    /// 黄牌: a complaint about staff conduct that supervision verified
    /// (投诉查实, regulation 001 第十二条); recorded by an officer, not evaluated.
    Y02,
    /// 红牌: legal limit exceeded.
    R01,
    /// 红牌: a yellow card not rectified within `days` working days.
    R02,
    /// 红牌: `count` yellow cards for one department in a calendar month.
    R03,
    /// Acceptance not decided within 5 working days (deemed accepted).
    A01,
    /// More than one supplement notice on one application.
    A02,
    /// Refusal, denial or void without a reason.
    A03,
    /// Fee charged differs from the item's fee standard.
    A04,
    /// Concluded without passing its steps, or steps out of order.
    A05,
    /// Special procedure longer than the item declares, or an extension
    /// without approval (or beyond the statutory ten days).
    A06,
    /// Item changed outside the governance flow; deletion of business data.
    A07,
    /// A consultation, complaint or bad-rating follow-up past its due day.
    A08,
}

impl RuleCode {
    pub const ALL: [RuleCode; 15] = [
        RuleCode::W01,
        RuleCode::W02,
        RuleCode::Y01,
        RuleCode::Y02,
        RuleCode::R01,
        RuleCode::R02,
        RuleCode::R03,
        RuleCode::A01,
        RuleCode::A02,
        RuleCode::A03,
        RuleCode::A04,
        RuleCode::A05,
        RuleCode::A06,
        RuleCode::A07,
        RuleCode::A08,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            RuleCode::W01 => "W01",
            RuleCode::W02 => "W02",
            RuleCode::Y01 => "Y01",
            RuleCode::Y02 => "Y02",
            RuleCode::R01 => "R01",
            RuleCode::R02 => "R02",
            RuleCode::R03 => "R03",
            RuleCode::A01 => "A01",
            RuleCode::A02 => "A02",
            RuleCode::A03 => "A03",
            RuleCode::A04 => "A04",
            RuleCode::A05 => "A05",
            RuleCode::A06 => "A06",
            RuleCode::A07 => "A07",
            RuleCode::A08 => "A08",
        }
    }

    pub fn parse(s: &str) -> Option<RuleCode> {
        RuleCode::ALL.into_iter().find(|c| c.code() == s)
    }

    /// The colour a fact of this rule carries.
    pub fn severity(self) -> Severity {
        match self {
            RuleCode::W01 | RuleCode::W02 => Severity::Warning,
            RuleCode::Y01 | RuleCode::Y02 => Severity::Yellow,
            RuleCode::R01 | RuleCode::R02 | RuleCode::R03 => Severity::Red,
            _ => Severity::Anomaly,
        }
    }

    /// The parameters a rule starts with.
    pub fn default_params(self) -> Params {
        let mut p = Params { days: None, count: None, reply_days: DEFAULT_REPLY_DAYS };
        match self {
            RuleCode::W01 => p.days = Some(1),
            RuleCode::R02 => p.days = Some(5),
            RuleCode::R03 => p.count = Some(3),
            _ => {}
        }
        p
    }

    /// GB/T 39046 表11 监察预警类型代码 (n1, no code list in the standard):
    /// 1 预警, 2 黄牌, 3 红牌, 4 异常.
    pub fn alert_type(self) -> u8 {
        match self.severity() {
            Severity::Warning => 1,
            Severity::Yellow => 2,
            Severity::Red => 3,
            Severity::Anomaly => 4,
        }
    }
}

code_list!(
    /// 预警 / 黄牌 / 红牌 / 异常 (a breach of procedure).
    Severity {
        Warning = "warning",
        Yellow = "yellow",
        Red = "red",
        Anomaly = "anomaly",
    }
);

impl Severity {
    /// Every finding but a warning asks for an explanation or a
    /// rectification by a due day; a warning is a reminder to the
    /// department. The indexes of findings by state and by rule hold these
    /// only (migration 0015).
    pub const NEEDS_REPLY: &'static [Severity] = &[Severity::Yellow, Severity::Red, Severity::Anomaly];

    /// See [`Severity::NEEDS_REPLY`].
    pub fn needs_reply(self) -> bool {
        Severity::NEEDS_REPLY.contains(&self)
    }
}

/// Working days a department has to explain or rectify a finding, by default.
pub const DEFAULT_REPLY_DAYS: u32 = 5;
/// 行政许可法 第四十二条: an extension is at most ten working days.
pub const MAX_EXTENSION_DAYS: u32 = 10;

/// A rule's parameters. Which ones a rule reads: W01 and R02 `days`, R03
/// `count`; every rule `reply_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default = "default_reply_days")]
    pub reply_days: u32,
}

fn default_reply_days() -> u32 {
    DEFAULT_REPLY_DAYS
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupervisionError {
    #[error("parameter {param} of {rule:?} must be between {min} and {max}")]
    ParamOutOfRange { rule: RuleCode, param: &'static str, min: u32, max: u32 },
    #[error("{rule:?} takes no parameter {param}")]
    ParamNotUsed { rule: RuleCode, param: &'static str },
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max}")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control characters")]
    ControlCharacters { field: &'static str },
    #[error("not possible while the finding or order is {0}")]
    WrongState(&'static str),
    #[error("a warning needs no reply")]
    NoReplyNeeded,
    #[error("days out of range")]
    BadDays,
    #[error("the rule is switched off")]
    RuleOff,
    #[error("only a complaint about staff conduct")]
    NotStaffConduct,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl Params {
    /// Checks the parameters a rule may carry and their ranges.
    pub fn check(&self, rule: RuleCode) -> Result<(), SupervisionError> {
        let range = |param: &'static str, v: Option<u32>, min: u32, max: u32| match v {
            Some(x) if (min..=max).contains(&x) => Ok(()),
            _ => Err(SupervisionError::ParamOutOfRange { rule, param, min, max }),
        };
        let unused = |param: &'static str, v: Option<u32>| match v {
            Some(_) => Err(SupervisionError::ParamNotUsed { rule, param }),
            None => Ok(()),
        };
        match rule {
            RuleCode::W01 => range("days", self.days, 0, 10)?,
            RuleCode::R02 => range("days", self.days, 1, 30)?,
            _ => unused("days", self.days)?,
        }
        match rule {
            RuleCode::R03 => range("count", self.count, 2, 100)?,
            _ => unused("count", self.count)?,
        }
        range("reply_days", Some(self.reply_days), 1, 30)
    }
}

/// A rule as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub code: RuleCode,
    pub enabled: bool,
    pub params: Params,
}

/// The configured rules, every code present (missing ones at their defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet(Vec<Rule>);

impl RuleSet {
    pub fn defaults() -> RuleSet {
        RuleSet(
            RuleCode::ALL.into_iter().map(|code| Rule { code, enabled: true, params: code.default_params() }).collect(),
        )
    }

    /// The set from stored rules; codes not stored keep their defaults.
    pub fn from_rules(rules: impl IntoIterator<Item = Rule>) -> RuleSet {
        let mut set = RuleSet::defaults();
        for r in rules {
            if let Some(slot) = set.0.iter_mut().find(|x| x.code == r.code) {
                *slot = r;
            }
        }
        set
    }

    pub fn get(&self, code: RuleCode) -> &Rule {
        self.0.iter().find(|r| r.code == code).expect("every code is present")
    }

    pub fn on(&self, code: RuleCode) -> bool {
        self.get(code).enabled
    }

    pub fn all(&self) -> &[Rule] {
        &self.0
    }
}

/// One fact a rule found: the same (rule, object, key) is the same fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub rule: RuleCode,
    /// Distinguishes repeated facts of one rule on one object (a step's
    /// deadline, a month); empty when the rule holds once per object.
    pub key: String,
    /// What was found, for the description (dates, counts).
    pub detail: serde_json::Value,
}

fn fact(rule: RuleCode, key: impl Into<String>, detail: serde_json::Value) -> Fact {
    Fact { rule, key: key.into(), detail }
}

/// The day thresholds of the time-based rules on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cutoffs {
    pub today: NaiveDate,
    /// W01 holds for a promised deadline on or before this day (and not before today).
    pub warn_until: NaiveDate,
}

impl Cutoffs {
    pub fn on(cal: &Calendar, rules: &RuleSet, today: NaiveDate) -> Result<Cutoffs, CalendarError> {
        let days = rules.get(RuleCode::W01).params.days.unwrap_or(1);
        Ok(Cutoffs { today, warn_until: cal.add_working_days(today, days)? })
    }
}

/// What the time-based rules read of an open case (its projection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    /// `in_progress`, `deciding`, `submitted`, … (the stored state code)
    pub state: String,
    pub suspended: bool,
    pub step_no: i64,
    pub step_due: Option<NaiveDate>,
    pub promised_due: Option<NaiveDate>,
    pub legal_due: Option<NaiveDate>,
    pub deemed_accepted: bool,
    pub supplement_notices: i64,
}

fn ymd(d: NaiveDate) -> String {
    crate::time::ymd(d)
}

/// The facts the projection of an open case shows today: W01, W02, Y01,
/// R01, A01 and A02. A suspended case's clock is stopped: no deadline rule
/// holds while the special procedure runs.
pub fn case_facts(rules: &RuleSet, c: &OpenCase, cut: &Cutoffs) -> Vec<Fact> {
    use serde_json::json;
    let mut out = vec![];
    let running = matches!(c.state.as_str(), "in_progress" | "deciding");
    if running && !c.suspended {
        if let Some(p) = c.promised_due {
            if p < cut.today {
                if rules.on(RuleCode::Y01) {
                    out.push(fact(RuleCode::Y01, "", json!({"due": ymd(p)})));
                }
            } else if p <= cut.warn_until && rules.on(RuleCode::W01) {
                // Keyed by the deadline: an extension that moves it gives a new warning.
                out.push(fact(RuleCode::W01, ymd(p), json!({"due": ymd(p)})));
            }
            if c.state == "in_progress" && p >= cut.today && rules.on(RuleCode::W02) {
                if let Some(s) = c.step_due.filter(|s| *s < cut.today) {
                    out.push(fact(
                        RuleCode::W02,
                        format!("{}:{}", c.step_no, ymd(s)),
                        json!({"step_no": c.step_no, "due": ymd(s)}),
                    ));
                }
            }
        }
        if let Some(l) = c.legal_due.filter(|l| *l < cut.today) {
            if rules.on(RuleCode::R01) {
                out.push(fact(RuleCode::R01, "", json!({"due": ymd(l)})));
            }
        }
    }
    if c.deemed_accepted && rules.on(RuleCode::A01) {
        out.push(fact(RuleCode::A01, "", json!({})));
    }
    if c.supplement_notices > 1 && rules.on(RuleCode::A02) {
        out.push(fact(RuleCode::A02, "", json!({"notices": c.supplement_notices})));
    }
    out
}

/// One stored event of a case, as the content rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenEvent {
    pub kind: EventKind,
    /// The step the case was at when the event was recorded.
    pub step_name: String,
}

/// The facts a case's recorded history shows: A03 (a refusal, denial or
/// void without a reason), A04 (fee), A05 (conclusion without its steps or
/// steps out of order), A06 (special procedure too long, extension without
/// approval). The events are read as stored, without the checks that
/// [`crate::cases::apply`] makes, because data imported or exchanged did not
/// pass them.
pub fn history_facts(
    cal: &Calendar,
    rules: &RuleSet,
    item: &ItemContent,
    events: &[SeenEvent],
    view: Option<&CaseView>,
    fee_charged_fen: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<Fact>, CalendarError> {
    use serde_json::json;
    let mut out = vec![];
    let mut step = 0usize;
    let mut out_of_order = false;
    for (i, e) in events.iter().enumerate() {
        match &e.kind {
            EventKind::Refused { reason } if reason.trim().is_empty() => {
                out.push(fact(RuleCode::A03, format!("event{i}"), json!({"event": "refused"})));
            }
            EventKind::Concluded { outcome, reason, .. } => {
                let silent = reason.trim().is_empty();
                match outcome {
                    Outcome::Denied if silent => {
                        out.push(fact(RuleCode::A03, format!("event{i}"), json!({"event": "denied"})))
                    }
                    Outcome::Voided if silent => {
                        out.push(fact(RuleCode::A03, format!("event{i}"), json!({"event": "voided"})))
                    }
                    _ => {}
                }
                if matches!(outcome, Outcome::Granted | Outcome::Denied) && step < item.steps.len() {
                    out.push(fact(RuleCode::A05, "steps", json!({"passed": step, "steps": item.steps.len()})));
                }
            }
            EventKind::StepPassed { .. } => {
                match item.steps.get(step) {
                    Some(s) if s.name == e.step_name => {}
                    _ => out_of_order = true,
                }
                step += 1;
            }
            EventKind::ReturnedToStep { step: to, .. } => step = (*to).min(step),
            _ => {}
        }
    }
    if out_of_order {
        out.push(fact(RuleCode::A05, "order", json!({})));
    }
    if let Some(charged) = fee_charged_fen {
        let standard = if item.fee { item.fee_amount_fen } else { Some(0) };
        if let Some(std) = standard.filter(|s| *s != charged) {
            out.push(fact(RuleCode::A04, "", json!({"charged_fen": charged, "standard_fen": std})));
        }
    }
    if let Some(clock) = view.and_then(|v| v.clock.as_ref()) {
        out.extend(clock_facts(cal, item, clock, today)?);
    }
    out.retain(|f| rules.on(f.rule));
    Ok(out)
}

/// A06 from a case's clock: each special procedure longer than the item
/// declares (a running one counted up to today), and each extension without
/// an approver or beyond ten working days.
pub fn clock_facts(
    cal: &Calendar,
    item: &ItemContent,
    clock: &CaseClock,
    today: NaiveDate,
) -> Result<Vec<Fact>, CalendarError> {
    use serde_json::json;
    let mut out = vec![];
    if let Some(max) = item.special_procedure_max_days {
        for s in &clock.suspensions {
            let end = s.end.unwrap_or(today);
            let days = cal.working_days_between(s.start, end)?;
            if days > i64::from(max) {
                out.push(fact(
                    RuleCode::A06,
                    format!("special:{}", ymd(s.start)),
                    json!({"kind": s.kind, "days": days, "max": max, "running": s.end.is_none()}),
                ));
            }
        }
    }
    for x in &clock.extensions {
        if x.approved_by.trim().is_empty() || x.days > MAX_EXTENSION_DAYS {
            out.push(fact(
                RuleCode::A06,
                format!("extension:{}", ymd(x.on)),
                json!({"days": x.days, "approved": !x.approved_by.trim().is_empty()}),
            ));
        }
    }
    Ok(out)
}

/// R02: a yellow card still not rectified `days` working days after it was
/// found.
pub fn unrectified(
    cal: &Calendar,
    rules: &RuleSet,
    found_on: NaiveDate,
    closed: bool,
    today: NaiveDate,
) -> Result<Option<Fact>, CalendarError> {
    let r = rules.get(RuleCode::R02);
    let days = r.params.days.unwrap_or(5);
    if !r.enabled || closed || cal.working_days_between(found_on, today)? <= i64::from(days) {
        return Ok(None);
    }
    Ok(Some(fact(RuleCode::R02, "", serde_json::json!({"found_on": ymd(found_on), "days": days}))))
}

/// The last day a yellow card may have been found on for R02 to hold today
/// if it is still not rectified (`None` when R02 is off): cards found on or
/// before it are past their `days` working days.
pub fn unrectified_until(
    cal: &Calendar,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, CalendarError> {
    let r = rules.get(RuleCode::R02);
    if !r.enabled {
        return Ok(None);
    }
    let days = i64::from(r.params.days.unwrap_or(5));
    let mut d = today;
    while cal.working_days_between(d, today)? <= days {
        d = d.pred_opt().ok_or(CalendarError::YearMissing { year: d.year() - 1 })?;
    }
    Ok(Some(d))
}

/// R03: a department's yellow cards in one calendar month reached `count`.
pub fn repeated_yellow(rules: &RuleSet, month: NaiveDate, yellow_cards: i64) -> Option<Fact> {
    let r = rules.get(RuleCode::R03);
    let count = i64::from(r.params.count.unwrap_or(3));
    (r.enabled && yellow_cards >= count).then(|| {
        let m = format!("{:04}-{:02}", month.year(), month.month());
        fact(RuleCode::R03, m.clone(), serde_json::json!({"month": m, "count": yellow_cards}))
    })
}

/// A submission supervision may record as Y02: a complaint about staff conduct.
pub fn is_conduct_complaint(kind: &str, staff_conduct: bool) -> bool {
    kind == crate::interaction::Kind::Complaint.code() && staff_conduct
}

/// Y02: a complaint about staff conduct that a supervision officer verified,
/// with what was found. Only a complaint marked as about staff conduct.
pub fn conduct_fact(rules: &RuleSet, kind: &str, staff_conduct: bool, found: &str) -> Result<Fact, SupervisionError> {
    if !is_conduct_complaint(kind, staff_conduct) {
        return Err(SupervisionError::NotStaffConduct);
    }
    if !rules.on(RuleCode::Y02) {
        return Err(SupervisionError::RuleOff);
    }
    let found = text("found", found, 2000)?;
    Ok(fact(RuleCode::Y02, "", serde_json::json!({"found": found})))
}

/// A08: a submission or a bad rating's follow-up still unanswered after its due day.
pub fn overdue_answer(rules: &RuleSet, what: &str, due: NaiveDate, answered: bool, today: NaiveDate) -> Option<Fact> {
    (rules.on(RuleCode::A08) && !answered && due < today)
        .then(|| fact(RuleCode::A08, what, serde_json::json!({"due": ymd(due)})))
}

/// A07 from the audit trail: a record altered, removed, moved or cut off is
/// a change made around the program (the program itself only appends).
pub fn audit_fact(rules: &RuleSet, d: &crate::audit::ChainDefect) -> Option<Fact> {
    let seq = d.seq();
    let detail = serde_json::to_value(d).unwrap_or_default();
    let kind = detail.get("kind").and_then(|k| k.as_str()).unwrap_or("defect").to_string();
    rules.on(RuleCode::A07).then(|| fact(RuleCode::A07, format!("audit:{kind}:{seq}"), detail))
}

/// A07 from the database's guards: business data deleted, an append-only
/// record rewritten, or an item version edited after it left draft — by
/// hand in the database, since the program does none of these; or any row
/// of business data edited on a connection that is not the program's (`edit`). `id` is
/// the guard's record; `at_ms` when the database saw the change.
pub fn data_fact(rules: &RuleSet, id: i64, table: &str, op: &str, key: &str, at_ms: i64) -> Option<Fact> {
    let kind = match op {
        "update" => "data_updated",
        "edit" => "data_edited",
        _ => "data_deleted",
    };
    let detail = serde_json::json!({"kind": kind, "table": table, "op": op, "key": key, "at": at_ms});
    rules.on(RuleCode::A07).then(|| fact(RuleCode::A07, format!("data:{id}"), detail))
}

/// A07: a guard trigger is missing (dropped, or its table replaced), so
/// changes around the program could pass unseen. Found once per guard.
pub fn guard_fact(rules: &RuleSet, guard: &str) -> Option<Fact> {
    let detail = serde_json::json!({"kind": "guard_missing", "guard": guard});
    rules.on(RuleCode::A07).then(|| fact(RuleCode::A07, format!("guard:{guard}"), detail))
}

// ---------- findings (整改) ----------

/// 监察编号: `SV`, the day found and a daily serial of at least six digits (an..20).
pub fn finding_number(day: NaiveDate, serial: i64) -> String {
    format!("SV{}{serial:06}", day.format("%Y%m%d"))
}

/// 督办编号: `DB`, the day issued and a daily serial.
pub fn order_number(day: NaiveDate, serial: i64) -> String {
    format!("DB{}{serial:04}", day.format("%Y%m%d"))
}

code_list!(
    /// Where a finding stands.
    FindingState {
        /// A warning sent to the department: no reply asked.
        Noted = "noted",
        /// Waiting for the department's explanation or rectification.
        Open = "open",
        /// Replied: waiting for the supervision officer.
        Replied = "replied",
        Closed = "closed",
    }
);

impl FindingState {
    /// Not closed yet (未办结): what the department and the dashboard count.
    pub const ACTIVE: &'static [FindingState] = &[FindingState::Noted, FindingState::Open, FindingState::Replied];
    /// The code that names [`FindingState::ACTIVE`] where a list of
    /// findings is filtered by state.
    pub const ACTIVE_CODE: &'static str = "active";

    /// Whether a warning can be in this state (it is noted, then closed;
    /// it never asks for a reply).
    pub fn open_to_warnings(self) -> bool {
        matches!(self, FindingState::Noted | FindingState::Closed)
    }

    /// The state a new finding starts in.
    pub fn initial(severity: Severity) -> FindingState {
        if severity.needs_reply() {
            FindingState::Open
        } else {
            FindingState::Noted
        }
    }
}

/// What can be done with a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingAction {
    /// The department explains or rectifies (整改回复).
    Reply,
    /// The supervision officer accepts the reply: closed.
    Accept,
    /// The supervision officer rejects the reply: open again, with a new due day.
    Reject,
    /// The supervision officer closes a warning, or an open finding with a reason.
    Close,
}

pub const MAX_TEXT: usize = 2000;

/// Checks a required free text: the rule of [`crate::interaction::text`].
pub fn text(field: &'static str, s: &str, max: usize) -> Result<String, SupervisionError> {
    use crate::interaction::InteractionError as E;
    crate::interaction::text(field, s, max).map_err(|e| match e {
        E::TooLong { field, max } => SupervisionError::TooLong { field, max },
        E::ControlCharacters { field } => SupervisionError::ControlCharacters { field },
        _ => SupervisionError::Empty { field },
    })
}

/// The state after `action`, or why not.
pub fn finding_next(state: FindingState, action: FindingAction) -> Result<FindingState, SupervisionError> {
    use FindingAction as A;
    use FindingState as S;
    match (state, action) {
        (S::Noted, A::Reply) => Err(SupervisionError::NoReplyNeeded),
        (S::Open, A::Reply) => Ok(S::Replied),
        (S::Replied, A::Accept) => Ok(S::Closed),
        (S::Replied, A::Reject) => Ok(S::Open),
        (S::Noted | S::Open, A::Close) => Ok(S::Closed),
        (s, _) => Err(SupervisionError::WrongState(s.code())),
    }
}

// ---------- oversight orders (督办) ----------

code_list!(
    /// Where an oversight order (督办) stands.
    OrderState {
        /// Sent to the department head: waiting for the answer.
        Issued = "issued",
        /// Answered: waiting for the supervision officer.
        Answered = "answered",
        Closed = "closed",
    }
);

impl OrderState {
    /// Not closed yet: what the dashboard counts.
    pub const ACTIVE: &'static [OrderState] = &[OrderState::Issued, OrderState::Answered];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Answer,
    Accept,
    Reject,
}

pub fn order_next(state: OrderState, action: OrderAction) -> Result<OrderState, SupervisionError> {
    use OrderAction as A;
    use OrderState as S;
    match (state, action) {
        (S::Issued, A::Answer) => Ok(S::Answered),
        (S::Answered, A::Accept) => Ok(S::Closed),
        (S::Answered, A::Reject) => Ok(S::Issued),
        (s, _) => Err(SupervisionError::WrongState(s.code())),
    }
}

/// Working days an order may give, and the due day they make.
pub fn order_due(cal: &Calendar, today: NaiveDate, days: u32) -> Result<NaiveDate, SupervisionError> {
    if !(1..=20).contains(&days) {
        return Err(SupervisionError::BadDays);
    }
    Ok(cal.add_working_days(today, days)?)
}

/// An unanswered order past its due day escalates one level and gets the
/// same number of working days again from today. `None` while not due.
pub fn escalation(
    cal: &Calendar,
    state: OrderState,
    due: NaiveDate,
    days: u32,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, CalendarError> {
    if state != OrderState::Issued || due >= today {
        return Ok(None);
    }
    cal.add_working_days(today, days.max(1)).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{shipped_years, Calendar};
    use crate::catalog::example;
    use crate::clock::{Extension, Suspension};

    fn cal() -> Calendar {
        Calendar::new(shipped_years()).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn open(promised: &str, legal: &str, step: &str) -> OpenCase {
        OpenCase {
            state: "in_progress".into(),
            suspended: false,
            step_no: 1,
            step_due: Some(d(step)),
            promised_due: Some(d(promised)),
            legal_due: Some(d(legal)),
            deemed_accepted: false,
            supplement_notices: 0,
        }
    }

    fn codes(f: &[Fact]) -> Vec<&'static str> {
        f.iter().map(|x| x.rule.code()).collect()
    }

    #[test]
    fn deadline_rules_cross_on_the_right_days() {
        let cal = cal();
        let rules = RuleSet::defaults();
        // Promised due Friday 2025-10-10 (after the National Day week), legal 2025-10-24, step due 2025-10-09.
        let c = open("2025-10-10", "2025-10-24", "2025-10-09");
        let on = |day: &str| codes(&case_facts(&rules, &c, &Cutoffs::on(&cal, &rules, d(day)).unwrap()));
        // 2025-09-30: next working day is 10-09 (holidays 10-01..10-08), so 10-10 is two working days away.
        assert_eq!(on("2025-09-30"), Vec::<&str>::new());
        // On a holiday (10-05) the next working day is 10-09: 10-10 is 2 working days away still.
        assert_eq!(on("2025-10-05"), Vec::<&str>::new());
        // 10-09: one working day left → W01; the step is due that day, not yet overdue.
        assert_eq!(on("2025-10-09"), vec!["W01"]);
        // 10-10: the deadline day → still W01 (0 left), the step is now overdue → W02.
        assert_eq!(on("2025-10-10"), vec!["W01", "W02"]);
        // The weekend after: promised limit exceeded → Y01; W02 only while within the limit.
        assert_eq!(on("2025-10-11"), vec!["Y01"]);
        assert_eq!(on("2025-10-25"), vec!["Y01", "R01"]);
        // A suspended case's clock is stopped.
        let mut s = c.clone();
        s.suspended = true;
        assert!(case_facts(&rules, &s, &Cutoffs::on(&cal, &rules, d("2025-10-25")).unwrap()).is_empty());
        // W01 with 3 days: 10-09 + 3 = 10-14 ≥ 10-10.
        let mut wider = rules.clone();
        wider.0[0].params.days = Some(3);
        let facts = case_facts(&wider, &c, &Cutoffs::on(&cal, &wider, d("2025-09-30")).unwrap());
        assert_eq!(codes(&facts), vec!["W01"]);
        assert_eq!(facts[0].key, "2025-10-10", "keyed by the deadline it warns of");
        // A disabled rule finds nothing.
        let mut off = rules.clone();
        off.0.iter_mut().find(|r| r.code == RuleCode::Y01).unwrap().enabled = false;
        assert_eq!(
            codes(&case_facts(&off, &c, &Cutoffs::on(&cal, &off, d("2025-10-11")).unwrap())),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn acceptance_and_supplement_rules() {
        let cal = cal();
        let rules = RuleSet::defaults();
        let cut = Cutoffs::on(&cal, &rules, d("2025-10-10")).unwrap();
        let mut c = open("2025-12-01", "2025-12-30", "2025-11-01");
        c.deemed_accepted = true;
        assert_eq!(codes(&case_facts(&rules, &c, &cut)), vec!["A01"]);
        c.deemed_accepted = false;
        c.state = "submitted".into();
        c.supplement_notices = 1;
        assert!(case_facts(&rules, &c, &cut).is_empty(), "one notice is the rule");
        c.supplement_notices = 2;
        assert_eq!(codes(&case_facts(&rules, &c, &cut)), vec!["A02"]);
    }

    fn ev(kind: EventKind, step: &str) -> SeenEvent {
        SeenEvent { kind, step_name: step.into() }
    }

    #[test]
    fn history_rules_read_events_as_stored() {
        let cal = cal();
        let rules = RuleSet::defaults();
        let item = example(1);
        let names: Vec<String> = item.steps.iter().map(|s| s.name.clone()).collect();
        let today = d("2025-10-10");
        let pass = |s: &str| ev(EventKind::StepPassed { opinion: "同意".into() }, s);
        let grant = ev(
            EventKind::Concluded {
                outcome: Outcome::Granted,
                reason: String::new(),
                document_no: "X1".into(),
                valid_until: None,
                fee_fen: None,
            },
            "决定",
        );
        let mut good: Vec<SeenEvent> = names.iter().map(|n| pass(n)).collect();
        good.push(grant.clone());
        assert!(history_facts(&cal, &rules, &item, &good, None, None, today).unwrap().is_empty());
        // Granted after only the first step.
        let short = vec![pass(&names[0]), grant.clone()];
        let f = history_facts(&cal, &rules, &item, &short, None, None, today).unwrap();
        assert_eq!(codes(&f), vec!["A05"]);
        assert_eq!(f[0].key, "steps");
        // Steps passed in the wrong order.
        let mut swapped: Vec<SeenEvent> = names.iter().rev().map(|n| pass(n)).collect();
        swapped.push(grant);
        assert_eq!(codes(&history_facts(&cal, &rules, &item, &swapped, None, None, today).unwrap()), vec!["A05"]);
        // A denial and a refusal without reason.
        let silent = vec![
            ev(EventKind::Refused { reason: " ".into() }, "预审"),
            ev(
                EventKind::Concluded {
                    outcome: Outcome::Voided,
                    reason: String::new(),
                    document_no: String::new(),
                    valid_until: None,
                    fee_fen: None,
                },
                "预审",
            ),
        ];
        let f = history_facts(&cal, &rules, &item, &silent, None, None, today).unwrap();
        assert_eq!(codes(&f), vec!["A03", "A03"]);
        assert_ne!(f[0].key, f[1].key, "two events, two facts");
        // Fee: the example item charges nothing, so any fee differs.
        assert_eq!(codes(&history_facts(&cal, &rules, &item, &[], None, Some(500), today).unwrap()), vec!["A04"]);
        assert!(history_facts(&cal, &rules, &item, &[], None, Some(0), today).unwrap().is_empty());
        let mut paid = item.clone();
        paid.fee = true;
        paid.fee_amount_fen = Some(2000);
        assert!(history_facts(&cal, &rules, &paid, &[], None, Some(2000), today).unwrap().is_empty());
        assert_eq!(codes(&history_facts(&cal, &rules, &paid, &[], None, Some(3000), today).unwrap()), vec!["A04"]);
    }

    #[test]
    fn special_procedures_and_extensions() {
        let cal = cal();
        let item = example(1); // declares at most 10 working days of special procedure
        let mut clock =
            CaseClock::new(crate::time::parse_rfc3339("2025-09-01T09:00:00+08:00").unwrap(), 10, 20).unwrap();
        clock.suspensions.push(Suspension {
            kind: "现场核查".into(),
            start: d("2025-11-03"),
            end: Some(d("2025-11-17")),
            reason: "核查".into(),
        });
        // (11-03, 11-17] = 10 working days: allowed.
        assert!(clock_facts(&cal, &item, &clock, d("2025-12-10")).unwrap().is_empty());
        clock.suspensions[0].end = Some(d("2025-11-18"));
        let f = clock_facts(&cal, &item, &clock, d("2025-12-10")).unwrap();
        assert_eq!(codes(&f), vec!["A06"]);
        assert_eq!(f[0].detail["days"], 11);
        // A running one counts up to today.
        clock.suspensions[0].end = None;
        assert!(clock_facts(&cal, &item, &clock, d("2025-11-17")).unwrap().is_empty());
        assert_eq!(codes(&clock_facts(&cal, &item, &clock, d("2025-11-18")).unwrap()), vec!["A06"]);
        clock.suspensions.clear();
        clock.extensions.push(Extension {
            days: 10,
            applies_to_promised: false,
            approved_by: "12".into(),
            reason: "复杂".into(),
            on: d("2025-09-10"),
        });
        assert!(clock_facts(&cal, &item, &clock, d("2025-10-10")).unwrap().is_empty());
        clock.extensions[0].approved_by = String::new();
        assert_eq!(codes(&clock_facts(&cal, &item, &clock, d("2025-10-10")).unwrap()), vec!["A06"]);
        clock.extensions[0].approved_by = "12".into();
        clock.extensions[0].days = 15;
        assert_eq!(codes(&clock_facts(&cal, &item, &clock, d("2025-10-10")).unwrap()), vec!["A06"]);
    }

    #[test]
    fn repeated_and_unrectified_cards() {
        let cal = cal();
        let rules = RuleSet::defaults();
        // Found Friday 10-10; Saturday 10-11 is a make-up working day, so the
        // fifth working day after is 10-16 and R02 holds from 10-17.
        assert_eq!(unrectified(&cal, &rules, d("2025-10-10"), false, d("2025-10-16")).unwrap(), None);
        let f = unrectified(&cal, &rules, d("2025-10-10"), false, d("2025-10-17")).unwrap().unwrap();
        assert_eq!(f.rule, RuleCode::R02);
        assert_eq!(unrectified(&cal, &rules, d("2025-10-10"), true, d("2025-11-20")).unwrap(), None);
        // The same threshold as a day: on 10-17 the cards found on or before 10-10 are due.
        assert_eq!(unrectified_until(&cal, &rules, d("2025-10-17")).unwrap(), Some(d("2025-10-10")));
        assert_eq!(unrectified_until(&cal, &rules, d("2025-10-16")).unwrap(), Some(d("2025-10-09")));
        // Over a weekend nothing new falls due: 10-18 and 10-19 give 10-10 too.
        assert_eq!(unrectified_until(&cal, &rules, d("2025-10-19")).unwrap(), Some(d("2025-10-10")));
        assert_eq!(repeated_yellow(&rules, d("2025-10-10"), 2), None);
        let f = repeated_yellow(&rules, d("2025-10-10"), 3).unwrap();
        assert_eq!((f.rule, f.key.as_str()), (RuleCode::R03, "2025-10"));
        assert_eq!(overdue_answer(&rules, "", d("2025-10-10"), false, d("2025-10-10")), None);
        assert!(overdue_answer(&rules, "", d("2025-10-10"), false, d("2025-10-11")).is_some());
        assert_eq!(overdue_answer(&rules, "", d("2025-10-10"), true, d("2025-10-11")), None);
    }

    #[test]
    fn audit_defects_are_a07_once_each() {
        use crate::audit::ChainDefect;
        let rules = RuleSet::defaults();
        let a = audit_fact(&rules, &ChainDefect::Altered { seq: 7 }).unwrap();
        assert_eq!((a.rule, a.key.as_str()), (RuleCode::A07, "audit:altered:7"));
        let d = data_fact(&rules, 3, "case_events", "update", "12:4", 1_000).unwrap();
        assert_eq!((d.key.as_str(), d.detail["kind"].as_str()), ("data:3", Some("data_updated")));
        let d = data_fact(&rules, 4, "cases", "truncate", "*", 1_000).unwrap();
        assert_eq!(d.detail["kind"], "data_deleted", "a truncation removes data");
        let e = data_fact(&rules, 5, "cases", "edit", "12", 1_000).unwrap();
        assert_eq!((e.key.as_str(), e.detail["kind"].as_str()), ("data:5", Some("data_edited")));
        assert_eq!(guard_fact(&rules, "zwfw_guard_del_cases").unwrap().key, "guard:zwfw_guard_del_cases");
        let r = audit_fact(&rules, &ChainDefect::Removed { from_seq: 9, to_seq: 12 }).unwrap();
        assert_eq!(r.key, "audit:removed:9");
        assert_eq!(r.detail["to_seq"], 12);
        let mut off = rules.clone();
        off.0.iter_mut().find(|r| r.code == RuleCode::A07).unwrap().enabled = false;
        assert_eq!(audit_fact(&off, &ChainDefect::Altered { seq: 7 }), None);
    }

    #[test]
    fn parameters_are_checked() {
        for code in RuleCode::ALL {
            code.default_params().check(code).unwrap();
        }
        let mut p = RuleCode::W01.default_params();
        p.days = Some(11);
        assert!(matches!(p.check(RuleCode::W01), Err(SupervisionError::ParamOutOfRange { param: "days", .. })));
        p.days = Some(2);
        assert!(matches!(p.check(RuleCode::Y01), Err(SupervisionError::ParamNotUsed { param: "days", .. })));
        let mut r = RuleCode::R03.default_params();
        r.count = Some(1);
        assert!(r.check(RuleCode::R03).is_err());
        r.count = Some(4);
        r.reply_days = 0;
        assert!(r.check(RuleCode::R03).is_err());
        let stored: Params = serde_json::from_str(r#"{"days":2}"#).unwrap();
        assert_eq!(stored.reply_days, DEFAULT_REPLY_DAYS);
    }

    #[test]
    fn a_verified_conduct_complaint_is_one_yellow_fact() {
        let rules = RuleSet::defaults();
        let f = conduct_fact(&rules, "complaint", true, " 经核实属实 ").unwrap();
        assert_eq!((f.rule, f.key.as_str(), f.rule.severity()), (RuleCode::Y02, "", Severity::Yellow));
        assert_eq!(f.detail["found"], "经核实属实");
        assert_eq!(conduct_fact(&rules, "complaint", false, "x"), Err(SupervisionError::NotStaffConduct));
        assert_eq!(conduct_fact(&rules, "consultation", true, "x"), Err(SupervisionError::NotStaffConduct));
        assert_eq!(conduct_fact(&rules, "complaint", true, " "), Err(SupervisionError::Empty { field: "found" }));
        let off =
            RuleSet::from_rules([Rule { code: RuleCode::Y02, enabled: false, params: RuleCode::Y02.default_params() }]);
        assert_eq!(conduct_fact(&off, "complaint", true, "x"), Err(SupervisionError::RuleOff));
        assert_eq!(RuleCode::Y02.default_params().check(RuleCode::Y02), Ok(()));
    }

    #[test]
    fn finding_and_order_lifecycles() {
        use FindingAction as A;
        use FindingState as S;
        assert_eq!(FindingState::initial(Severity::Warning), S::Noted);
        assert_eq!(FindingState::initial(Severity::Yellow), S::Open);
        assert_eq!(finding_next(S::Noted, A::Reply), Err(SupervisionError::NoReplyNeeded));
        assert_eq!(finding_next(S::Open, A::Reply), Ok(S::Replied));
        assert_eq!(finding_next(S::Open, A::Accept), Err(SupervisionError::WrongState("open")));
        assert_eq!(finding_next(S::Replied, A::Reject), Ok(S::Open));
        assert_eq!(finding_next(S::Replied, A::Accept), Ok(S::Closed));
        assert!(finding_next(S::Closed, A::Close).is_err());
        assert!(finding_next(S::Replied, A::Close).is_err(), "a reply is decided, not closed over");
        assert_eq!(order_next(OrderState::Issued, OrderAction::Answer), Ok(OrderState::Answered));
        assert!(order_next(OrderState::Issued, OrderAction::Accept).is_err());
        assert_eq!(order_next(OrderState::Answered, OrderAction::Reject), Ok(OrderState::Issued));
        let cal = cal();
        assert_eq!(order_due(&cal, d("2025-09-30"), 2).unwrap(), d("2025-10-10"));
        assert_eq!(order_due(&cal, d("2025-09-30"), 0), Err(SupervisionError::BadDays));
        assert_eq!(escalation(&cal, OrderState::Issued, d("2025-10-10"), 2, d("2025-10-10")).unwrap(), None);
        assert_eq!(
            escalation(&cal, OrderState::Issued, d("2025-10-10"), 2, d("2025-10-11")).unwrap(),
            Some(d("2025-10-14"))
        );
        assert_eq!(escalation(&cal, OrderState::Answered, d("2025-10-10"), 2, d("2025-10-11")).unwrap(), None);
        assert_eq!(finding_number(d("2025-10-10"), 42), "SV20251010000042");
        assert!(finding_number(d("2025-10-10"), 42).len() <= 20);
        assert_eq!(order_number(d("2025-10-10"), 3), "DB202510100003");
    }
}
