//! `up_pro_result` (办件结果信息): one row when a case ends (办结, 退件,
//! 不予受理), and a new version of it with the 满意度 once the applicant rated.

use super::process::outcome_label;
use super::{CaseFacts, History};
use crate::cases::{EventKind, Outcome};
use crate::exchange::{result_type, Cell, Codes, FrontRow, Table};

/// The result row of the event that ended the case (the last of `h` that
/// ended it); `satisfaction` the A.8 level of the latest rating, if rated.
/// None when no event of `h` ended the case.
pub fn map(_codes: &Codes, case: &CaseFacts, h: History<'_>, satisfaction: Option<i64>) -> Option<FrontRow> {
    let e = h.iter().rev().find(|e| {
        matches!(e.kind, EventKind::Concluded { .. } | EventKind::Withdrawn { .. } | EventKind::Refused { .. })
    })?;
    let (outcome, reason, doc_no) = match &e.kind {
        EventKind::Concluded { outcome, reason, document_no, .. } => {
            (Some(*outcome), reason.as_str(), document_no.as_str())
        }
        EventKind::Withdrawn { reason } => (Some(Outcome::Returned), reason.as_str(), ""),
        EventKind::Refused { reason } => (None, reason.as_str(), ""),
        _ => return None,
    };
    let granted = outcome == Some(Outcome::Granted);
    let what = outcome.map_or("不予受理", outcome_label);
    let explain = if reason.trim().is_empty() { what.to_string() } else { format!("{what}：{}", reason.trim()) };
    Some(FrontRow {
        table: Table::ProResult,
        sub: 0,
        cells: vec![
            ("handle_user_name", Cell::opt(&e.actor_name)),
            // 是否快递递送结果: how the result went is known only later (送达); 0 at the conclusion.
            ("is_delivery_results", Cell::text("0")),
            ("project_no", Cell::text(&case.case_no)),
            ("result_cetr_name", if granted { Cell::opt(&case.result_name) } else { Cell::Null }),
            ("result_cetr_no", if granted { Cell::opt(doc_no) } else { Cell::Null }),
            ("result_date", Cell::at(e.at_ms)),
            ("result_explain", Cell::text(explain)),
            ("result_type", Cell::text(result_type(outcome))),
            ("satisfaction", satisfaction.map_or(Cell::Null, |l| Cell::text(l.to_string()))),
        ],
    })
}
