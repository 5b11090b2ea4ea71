//! What a county reported in its offline packages, counted for the city's
//! supervision (常州 003 第六条): the cases it received, concluded, granted
//! and denied, and whether they were concluded within the promised time,
//! read from the national rows it sent (`up_pro_accept`, `up_pro_result`).

use super::{Cell, FrontRow, Table};
use chrono::NaiveDateTime;
use serde::Serialize;
use std::collections::BTreeMap;

/// `result_type` 办结结果 of a grant (出证办结) and of a denial (不予许可).
const GRANTED: &str = "0";
const DENIED: &str = "1";

/// The figures of one sender's reported cases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReportedCases))]
pub struct Reported {
    /// Cases reported as received: accepted, or refused at acceptance.
    pub received: i64,
    /// Cases reported as concluded (every outcome: 准予, 不予许可, 不予受理, 退件 …).
    pub concluded: i64,
    /// Concluded with 准予 (出证办结).
    pub granted: i64,
    /// Concluded with 不予许可.
    pub denied: i64,
    /// Concluded by the promised time (承诺办结时间).
    pub on_time: i64,
    /// Concluded after the promised time.
    pub overdue: i64,
    /// Not concluded and past the promised time now.
    pub open_overdue: i64,
}

#[derive(Default)]
struct Case {
    promised: Option<NaiveDateTime>,
    /// The latest reported result: its 办结结果 and time.
    result: Option<(String, Option<NaiveDateTime>)>,
}

fn text<'a>(row: &'a FrontRow, column: &str) -> Option<&'a str> {
    row.cells.iter().find(|(n, _)| *n == column).and_then(|(_, c)| match c {
        Cell::Text(s) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    })
}

fn time(row: &FrontRow, column: &str) -> Option<NaiveDateTime> {
    row.cells.iter().find(|(n, _)| *n == column).and_then(|(_, c)| match c {
        Cell::Time(t) => Some(*t),
        _ => None,
    })
}

/// Counts the cases of `rows` (a sender's reported rows, oldest first; a
/// later result of a case, such as the version with the rating, replaces
/// an earlier one) as they stand at `now` (local time). Rows of other
/// tables and rows without a 办件编号 are passed over.
pub fn tally<'a>(rows: impl IntoIterator<Item = &'a FrontRow>, now: NaiveDateTime) -> Reported {
    let mut cases: BTreeMap<&str, Case> = BTreeMap::new();
    for row in rows {
        let Some(no) = text(row, "project_no") else { continue };
        match row.table {
            Table::ProAccept => {
                let promised = time(row, "promise_date");
                let c = cases.entry(no).or_default();
                c.promised = promised.or(c.promised);
            }
            Table::ProResult => {
                let result =
                    (text(row, "result_type").unwrap_or_default().trim().to_string(), time(row, "result_date"));
                cases.entry(no).or_default().result = Some(result);
            }
            _ => {}
        }
    }
    let mut r = Reported { received: cases.len() as i64, ..Reported::default() };
    for c in cases.values() {
        match &c.result {
            Some((kind, at)) => {
                r.concluded += 1;
                r.granted += i64::from(kind == GRANTED);
                r.denied += i64::from(kind == DENIED);
                if let (Some(promised), Some(at)) = (c.promised, at) {
                    if *at <= promised {
                        r.on_time += 1;
                    } else {
                        r.overdue += 1;
                    }
                }
            }
            None => r.open_overdue += i64::from(c.promised.is_some_and(|p| p < now)),
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn accept(no: &str, promised: &str) -> FrontRow {
        FrontRow {
            table: Table::ProAccept,
            sub: 0,
            cells: vec![("project_no", Cell::text(no)), ("promise_date", Cell::Time(at(promised)))],
        }
    }

    fn result(no: &str, kind: &str, when: &str) -> FrontRow {
        FrontRow {
            table: Table::ProResult,
            sub: 0,
            cells: vec![
                ("project_no", Cell::text(no)),
                ("result_type", Cell::text(kind)),
                ("result_date", Cell::Time(at(when))),
            ],
        }
    }

    #[test]
    fn cases_are_counted_once_by_their_number_and_their_last_result() {
        let rows = vec![
            accept("A", "2025-03-24 23:59:59"),
            result("A", "0", "2025-03-07 11:00:00"),
            // The rated version of A's result: the same case.
            result("A", "0", "2025-03-07 11:00:00"),
            accept("B", "2025-03-10 23:59:59"),
            result("B", "1", "2025-03-12 09:00:00"),
            // Refused at acceptance: received and concluded, no promised time.
            result("C", "6", "2025-03-03 12:00:00"),
            accept("D", "2025-03-20 23:59:59"),
            accept("E", "2025-04-30 23:59:59"),
            FrontRow { table: Table::ProProcess, sub: 0, cells: vec![("project_no", Cell::text("F"))] },
        ];
        let r = tally(&rows, at("2025-04-01 09:00:00"));
        assert_eq!(
            r,
            Reported { received: 5, concluded: 3, granted: 1, denied: 1, on_time: 1, overdue: 1, open_overdue: 1 }
        );
        assert_eq!(tally(&rows[..0], at("2025-04-01 09:00:00")), Reported::default());
    }
}
