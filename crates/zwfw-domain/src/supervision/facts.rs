//! The facts the rules find: in open cases (by day cutoffs), in a case's
//! history and clock, and in submissions, follow-ups, the audit trail and
//! the data guards.

use super::{text, RuleCode, RuleSet, SupervisionError, MAX_EXTENSION_DAYS};
use crate::calendar::{Calendar, CalendarError};
use crate::cases::{CaseView, EventKind, Outcome};
use crate::catalog::ItemContent;
use crate::clock::CaseClock;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

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
    last_day_past(cal, today, r.params.days.unwrap_or(5)).map(Some)
}

/// The last day from which more than `days` working days have passed by `today`.
fn last_day_past(cal: &Calendar, today: NaiveDate, days: u32) -> Result<NaiveDate, CalendarError> {
    let days = i64::from(days);
    let mut d = today;
    while cal.working_days_between(d, today)? <= days {
        d = d.pred_opt().ok_or(CalendarError::YearMissing { year: d.year() - 1 })?;
    }
    Ok(d)
}

/// A11: the oldest row of national table `table` waiting for the 前置库
/// (written at `oldest_ms`) has waited more than `hours` by `now_ms`. Keyed
/// by the table: the object is the row, so a later row stuck as long is a
/// new finding.
pub fn exchange_backlog(rules: &RuleSet, table: &str, oldest_ms: i64, now_ms: i64) -> Option<Fact> {
    let r = rules.get(RuleCode::A11);
    let hours = i64::from(r.params.hours.unwrap_or(24));
    let waited = (now_ms - oldest_ms) / 3_600_000;
    (r.enabled && now_ms - oldest_ms > hours * 3_600_000).then(|| {
        fact(
            RuleCode::A11,
            format!("backlog:{table}"),
            serde_json::json!({"kind": "backlog", "table": table, "hours": hours, "waited_hours": waited}),
        )
    })
}

/// The last day a rejection may have been recorded on for A11 to hold
/// today if it is still not corrected (`None` when A11 is off).
pub fn exchange_rejection_until(
    cal: &Calendar,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, CalendarError> {
    let r = rules.get(RuleCode::A11);
    if !r.enabled {
        return Ok(None);
    }
    last_day_past(cal, today, r.params.days.unwrap_or(5)).map(Some)
}

/// A11: a row rejected on `rejected_on` (by the province's feedback, or by
/// the exporter's checks: `by_province`) and not corrected and sent again
/// more than `days` working days later. `table` the national table,
/// `reason` what was wrong.
pub fn exchange_rejection(
    cal: &Calendar,
    rules: &RuleSet,
    table: &str,
    rejected_on: NaiveDate,
    by_province: bool,
    reason: &str,
    today: NaiveDate,
) -> Result<Option<Fact>, CalendarError> {
    let r = rules.get(RuleCode::A11);
    let days = r.params.days.unwrap_or(5);
    if !r.enabled || cal.working_days_between(rejected_on, today)? <= i64::from(days) {
        return Ok(None);
    }
    let reason: String = reason.chars().take(300).collect();
    Ok(Some(fact(
        RuleCode::A11,
        "rejected",
        serde_json::json!({"kind": "rejected", "table": table, "rejected_on": ymd(rejected_on), "days": days,
            "by_province": by_province, "reason": reason}),
    )))
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

/// A09: a 告知承诺 the case's department found unfulfilled: the material
/// (its number is the key, so each commitment of a case is one finding)
/// and the department's reason.
pub fn commitment_fact(
    rules: &RuleSet,
    material_no: i64,
    material: &str,
    reason: &str,
) -> Result<Fact, SupervisionError> {
    if !rules.on(RuleCode::A09) {
        return Err(SupervisionError::RuleOff);
    }
    let reason = text("reason", reason, 2000)?;
    Ok(fact(RuleCode::A09, material_no.to_string(), serde_json::json!({"material": material, "reason": reason})))
}

/// The last day to claim for which W03 warns today: `days` working days
/// ahead (default 1); today when W03 is off (Y03 reads the days before).
pub fn unclaimed_until(cal: &Calendar, rules: &RuleSet, today: NaiveDate) -> Result<NaiveDate, CalendarError> {
    let r = rules.get(RuleCode::W03);
    if r.enabled {
        cal.add_working_days(today, r.params.days.unwrap_or(1))
    } else {
        Ok(today)
    }
}

/// 审管交互: a pushed record still unclaimed. Y03 once its last day `due` has
/// passed; W03 while the last day is within the warning days (`warn_until`,
/// see [`unclaimed_until`]), keyed by that day.
pub fn unclaimed_fact(rules: &RuleSet, due: NaiveDate, today: NaiveDate, warn_until: NaiveDate) -> Option<Fact> {
    let detail = serde_json::json!({"due": ymd(due)});
    if due < today {
        rules.on(RuleCode::Y03).then(|| fact(RuleCode::Y03, "", detail))
    } else if due <= warn_until {
        rules.on(RuleCode::W03).then(|| fact(RuleCode::W03, ymd(due), detail))
    } else {
        None
    }
}

/// A08: a submission or a bad rating's follow-up still unanswered after its due day.
pub fn overdue_answer(rules: &RuleSet, what: &str, due: NaiveDate, answered: bool, today: NaiveDate) -> Option<Fact> {
    (rules.on(RuleCode::A08) && !answered && due < today)
        .then(|| fact(RuleCode::A08, what, serde_json::json!({"due": ymd(due)})))
}

/// A13: a configuration or maintenance request submitted on `submitted_on`
/// and still unanswered after its last day to answer (`days` working days
/// later, see [`crate::governance::answer_due`]). One finding per request.
pub fn unanswered_request(
    cal: &Calendar,
    rules: &RuleSet,
    submitted_on: NaiveDate,
    state: crate::governance::RequestState,
    today: NaiveDate,
) -> Result<Option<Fact>, CalendarError> {
    let r = rules.get(RuleCode::A13);
    if !r.enabled || state.answered() {
        return Ok(None);
    }
    let days = r.params.days.unwrap_or(crate::governance::DEFAULT_ANSWER_DAYS);
    let due = crate::governance::answer_due(cal, submitted_on, days)?;
    Ok(crate::governance::unanswered_overdue(state, due, today).then(|| {
        fact(RuleCode::A13, "", serde_json::json!({"submitted": ymd(submitted_on), "due": ymd(due), "days": days}))
    }))
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

/// A10: a lapse of continuity (no good backup for 26 hours, a failed or
/// missing restore drill), found once per lapse.
pub fn continuity_fact(rules: &RuleSet, lapse: &crate::backup::Lapse) -> Option<Fact> {
    use crate::backup::Lapse;
    let detail = match lapse {
        Lapse::NoBackup { since } => serde_json::json!({"kind": "no_backup", "since": since}),
        Lapse::Stale { at, .. } => serde_json::json!({"kind": "stale", "at": at}),
        Lapse::DrillFailed { at, .. } => serde_json::json!({"kind": "drill_failed", "at": at}),
        Lapse::NoDrillPassed { last } => serde_json::json!({"kind": "no_drill", "at": last.map(|l| l.1)}),
    };
    rules.on(RuleCode::A10).then(|| fact(RuleCode::A10, lapse.key(), detail))
}

/// A07: a guard trigger is missing (dropped, or its table replaced), so
/// changes around the program could pass unseen. Found once per guard.
pub fn guard_fact(rules: &RuleSet, guard: &str) -> Option<Fact> {
    let detail = serde_json::json!({"kind": "guard_missing", "guard": guard});
    rules.on(RuleCode::A07).then(|| fact(RuleCode::A07, format!("guard:{guard}"), detail))
}

/// A12: a 行政许可 decision taken on `decided_on` and still not published
/// after its last day `due` (seven working days after the decision).
pub fn unpublished_fact(rules: &RuleSet, decided_on: NaiveDate, due: NaiveDate, today: NaiveDate) -> Option<Fact> {
    let detail = serde_json::json!({"decided_on": ymd(decided_on), "due": ymd(due)});
    (due < today && rules.on(RuleCode::A12)).then(|| fact(RuleCode::A12, "", detail))
}
