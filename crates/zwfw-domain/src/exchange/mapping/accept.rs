//! `up_pro_accept` (办件受理信息): one row at acceptance (or deemed acceptance).

use super::{reported, CaseFacts, History};
use crate::exchange::{Cell, Codes, FrontRow, Table};

/// The acceptance row: `accept_doc_no` the 受理通知书's number when one was
/// issued, `promise_ms` the end of the promised day (承诺办结时间) as the
/// case's clock stood at acceptance.
pub fn map(
    codes: &Codes,
    case: &CaseFacts,
    h: History<'_>,
    accept_doc_no: Option<&str>,
    promise_ms: Option<i64>,
) -> FrontRow {
    let e = reported(h);
    let submitted =
        h.iter().find(|e| matches!(e.kind, crate::cases::EventKind::Submitted)).map_or(e.at_ms, |s| s.at_ms);
    let legal = case.is_legal_person();
    let (applyer_type, page_type) = if legal { ("2", &codes.credit_code) } else { ("1", &codes.id_card) };
    // A.5 办理形式: at the counter 1, online (computer) 2.
    let apply_type = if case.channel == "counter" { "1" } else { "2" };
    let handler = if matches!(e.kind, crate::cases::EventKind::DeemedAccepted) {
        "系统（逾期视为受理）"
    } else {
        e.actor_name.as_str()
    };
    FrontRow {
        table: Table::ProAccept,
        sub: 0,
        cells: vec![
            ("accept_date", Cell::at(e.at_ms)),
            ("accept_doc_no", Cell::opt(accept_doc_no.unwrap_or_default())),
            ("address", Cell::opt(&case.applicant_address)),
            ("apply_date", Cell::at(submitted)),
            ("apply_type", Cell::text(apply_type)),
            ("applyer_name", Cell::text(&case.applicant_name)),
            ("applyer_page_code", Cell::text(&case.applicant_id_no)),
            ("applyer_page_type", Cell::text(page_type)),
            ("applyer_type", Cell::text(applyer_type)),
            ("catalog_code", Cell::text(&case.basic_code)),
            ("contact_mobile", Cell::opt(&case.applicant_mobile)),
            ("contact_name", if legal { Cell::Null } else { Cell::opt(&case.applicant_name) }),
            ("handle_user_name", Cell::opt(handler)),
            ("org_code", Cell::text(&case.org_code)),
            ("org_name", Cell::text(&case.org_name)),
            ("project_name", Cell::text(format!("{}（{}）", case.item_name, case.applicant_name))),
            ("project_no", Cell::text(&case.case_no)),
            ("project_type", Cell::text(case.case_type.code())),
            ("promise_date", promise_ms.map_or(Cell::Null, Cell::at)),
            ("task_code", Cell::text(&case.impl_code)),
            ("task_name", Cell::text(&case.item_name)),
            ("task_version", Cell::Int(case.item_version)),
        ],
    }
}
