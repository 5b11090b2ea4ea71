//! `up_pro_special_procedure` (特别程序信息): one row when a special
//! procedure ends, and one when an extension (延长审批, A.7 code 1) is
//! approved; both carry their start and end.

use super::{reported, CaseFacts, History};
use crate::cases::EventKind;
use crate::exchange::{Cell, Codes, FrontRow, Table};

/// The row of the special procedure or extension that the reported event
/// (the last of `h`) closes; None when the event closes neither.
pub fn map(_codes: &Codes, case: &CaseFacts, h: History<'_>) -> Option<FrontRow> {
    let e = reported(h);
    let earlier = &h[..h.len() - 1];
    let (special_type, name, reason, start, result, explain) = match &e.kind {
        EventKind::SpecialEnded { result } => {
            let s = earlier.iter().rev().find(|x| matches!(x.kind, EventKind::SpecialStarted { .. }))?;
            let EventKind::SpecialStarted { kind, reason } = &s.kind else { return None };
            ("2", kind.clone(), reason.clone(), s, result.clone(), String::new())
        }
        EventKind::ExtensionDecided { approved: true, opinion } => {
            let s = earlier.iter().rev().find(|x| matches!(x.kind, EventKind::ExtensionRequested { .. }))?;
            let EventKind::ExtensionRequested { days, reason } = &s.kind else { return None };
            ("1", "延长审批".to_string(), reason.clone(), s, format!("批准延长{days}个工作日"), opinion.clone())
        }
        _ => return None,
    };
    Some(FrontRow {
        table: Table::ProSpecialProcedure,
        sub: 0,
        cells: vec![
            ("applyer_user_name", Cell::opt(&start.actor_name)),
            ("end_time", Cell::at(e.at_ms)),
            ("handle_user", Cell::opt(&e.actor_name)),
            ("project_no", Cell::text(&case.case_no)),
            ("result", Cell::opt(result)),
            ("special_explain", Cell::opt(explain)),
            ("special_name", Cell::text(name)),
            ("special_reason", Cell::text(reason)),
            ("special_time", Cell::at(start.at_ms)),
            ("special_type", Cell::text(special_type)),
        ],
    })
}
