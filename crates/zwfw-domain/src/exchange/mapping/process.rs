//! `up_pro_process` (办件过程信息): one row per recorded action on a case
//! from its acceptance on.

use super::{reported, CaseFacts, History};
use crate::cases::{EventKind, Outcome};
use crate::exchange::{Cell, Codes, FrontRow, Table};

/// The 业务动作 of an action: 通过, 退回 or 其他 (the configured codes).
pub fn action<'c>(codes: &'c Codes, kind: &EventKind) -> &'c str {
    use EventKind::*;
    match kind {
        Accepted | DeemedAccepted | StepPassed { .. } => &codes.action_pass,
        JointAnswered { agree: true, .. } | ExtensionDecided { approved: true, .. } => &codes.action_pass,
        Concluded { outcome: Outcome::Granted, .. } => &codes.action_pass,
        ReturnedToStep { .. } | Refused { .. } | Corrected { .. } => &codes.action_return,
        _ => &codes.action_other,
    }
}

/// What the action was, in words (the 备注, and the opinion when none was written).
pub fn label(kind: &EventKind) -> String {
    use EventKind::*;
    match kind {
        Submitted => "提交申请".into(),
        SupplementRequested { .. } => "一次性告知补正".into(),
        SupplementProvided => "补正材料".into(),
        Accepted => "受理".into(),
        DeemedAccepted => "逾期视为受理".into(),
        Refused { .. } => "不予受理".into(),
        StepPassed { .. } => "通过".into(),
        ReturnedToStep { step, .. } => format!("退回至第{}环节", step + 1),
        Transferred { .. } => "转办".into(),
        Urged { .. } => "催办".into(),
        ExtensionRequested { days, .. } => format!("申请延长审批{days}个工作日"),
        ExtensionDecided { approved: true, .. } => "批准延长审批".into(),
        ExtensionDecided { approved: false, .. } => "不批准延长审批".into(),
        SpecialStarted { kind, .. } => format!("启动特别程序（{kind}）"),
        SpecialEnded { .. } => "特别程序结束".into(),
        JointAnswered { agree: true, .. } => "并联审批：同意".into(),
        JointAnswered { agree: false, .. } => "并联审批：不同意".into(),
        JointTimedOut { .. } => "并联审批：逾期未答复".into(),
        Concluded { outcome, .. } => format!("办结（{}）", outcome_label(*outcome)),
        Delivered { method, .. } => format!("送达（{method}）"),
        Withdrawn { .. } => "撤回（退件）".into(),
        WithdrawalRequested { .. } => "申请撤回".into(),
        WithdrawalDeclined { .. } => "不同意撤回".into(),
        Corrected { event, .. } => format!("误操作更正：第{event}号记录"),
    }
}

pub(crate) fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Granted => "准予",
        Outcome::Denied => "不予许可",
        Outcome::Returned => "退件",
        Outcome::Voided => "作废",
        Outcome::Forwarded => "转报",
    }
}

/// The opinion written with an action, if any.
pub fn opinion(kind: &EventKind) -> &str {
    use EventKind::*;
    match kind {
        Refused { reason }
        | ReturnedToStep { reason, .. }
        | Transferred { reason, .. }
        | Withdrawn { reason }
        | ExtensionRequested { reason, .. }
        | SpecialStarted { reason, .. }
        | WithdrawalRequested { reason }
        | Concluded { reason, .. }
        | Corrected { reason, .. } => reason,
        StepPassed { opinion } | ExtensionDecided { opinion, .. } | JointAnswered { opinion, .. } => opinion,
        WithdrawalDeclined { opinion } => opinion,
        Urged { message } => message,
        SpecialEnded { result } => result,
        _ => "",
    }
}

/// The row of the action reported (the last event of `h`). The step began
/// with the action before it (环节开始时间) and ended with this one.
pub fn map(codes: &Codes, case: &CaseFacts, h: History<'_>) -> FrontRow {
    let e = reported(h);
    let start = h.len().checked_sub(2).map_or(e.at_ms, |i| h[i].at_ms);
    let written = opinion(&e.kind).trim();
    let explain = if written.is_empty() { label(&e.kind) } else { written.to_string() };
    let process_name = match &e.kind {
        EventKind::Accepted | EventKind::DeemedAccepted | EventKind::Refused { .. } => "受理".to_string(),
        _ if e.step_name.trim().is_empty() => label(&e.kind),
        _ => e.step_name.clone(),
    };
    let handler = if e.actor_name.trim().is_empty() { "系统" } else { e.actor_name.as_str() };
    FrontRow {
        table: Table::ProProcess,
        sub: 0,
        cells: vec![
            ("event_end_time", Cell::at(e.at_ms)),
            ("event_name", Cell::text(action(codes, &e.kind))),
            ("event_start_time", Cell::at(start)),
            ("handle_explain", Cell::text(explain)),
            ("handle_user_name", Cell::text(handler)),
            ("process_name", Cell::text(process_name)),
            ("project_no", Cell::text(&case.case_no)),
            ("remark", Cell::text(label(&e.kind))),
        ],
    }
}
