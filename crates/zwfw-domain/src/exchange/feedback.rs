//! Quality feedback from the province (`dn_audit_abnormal` for the case
//! tables, `dn_lic_data_error` for licences): which of our rows a feedback
//! row concerns, which column it blames, and the corrections an
//! administrator sends with a new version of the row.

use super::{Cell, Codes, ColType, Column, FrontRow, Table};
use crate::codes::code_list;
use std::collections::BTreeMap;

code_list!(
    /// A feedback table the province writes into the 前置库.
    FeedbackSource {
        /// 事项办件异常数据: a rejected row of an `up_pro_*` table.
        AuditAbnormal = "dn_audit_abnormal": "办件异常数据",
        /// 电子证照共享异常数据: a rejected `up_lic_data` row.
        LicDataError = "dn_lic_data_error": "电子证照异常数据",
    }
);

/// Feedback rows read again below the cursor each time, so that a row the
/// province committed after a later one (an auto-increment key taken
/// earlier, committed later) is not passed over; rows already recorded
/// are recognised by their key and recorded once.
pub const REREAD_WINDOW: i64 = 200;

/// The outbox row and the sub-row (`sub`) a `row_guid` of this installation
/// names (`<prefix>-<outbox row>-<sub>`, see [`super::row_guid`]); None when
/// it is not one of ours.
pub fn parse_row_guid(codes: &Codes, guid: &str) -> Option<(i64, u32)> {
    let rest = guid.trim().strip_prefix(&codes.guid_prefix)?.strip_prefix('-')?;
    let (id, sub) = rest.split_once('-')?;
    let id: i64 = id.parse().ok().filter(|n| *n > 0)?;
    Some((id, sub.parse().ok()?))
}

/// The key that makes a `dn_lic_data_error` row recognisable when it is
/// read again (the table has no `row_guid` of its own): SM3 of what it
/// says, about which licence row, when.
pub fn lic_error_key(batch: &str, source_id: &str, cd_time: &str, remark: &str) -> String {
    crate::audit::sm3_hex(format!("{batch}\n{source_id}\n{cd_time}\n{remark}").as_bytes())
}

/// The column of `table` a feedback text blames: the longest national
/// column name, or 注释, it mentions (None when it names none).
pub fn blamed_column(table: Table, text: &str) -> Option<&'static Column> {
    let lower = text.to_ascii_lowercase();
    table
        .columns()
        .iter()
        .filter_map(|c| {
            let by_name = lower.contains(c.name).then_some(c.name.len());
            let by_comment = text.contains(c.comment).then_some(c.comment.chars().count());
            by_name.max(by_comment).map(|n| (n, c))
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, c)| c)
}

/// The corrections a row version carries: by sub-row and column, the value
/// an administrator entered (text as written; empty clears an optional
/// column). Stored as JSON with keys `<sub>:<column>`.
pub type Overrides = BTreeMap<String, String>;

/// The key of a correction of column `column` in sub-row `sub`.
pub fn override_key(sub: u32, column: &str) -> String {
    format!("{sub}:{column}")
}

/// The value an administrator entered for `column` of `table`, as the cell
/// it becomes, checked against the column: the error says what is wrong,
/// in Chinese.
pub fn override_cell(table: Table, column: &str, value: &str) -> Result<Cell, String> {
    let col = table
        .columns()
        .iter()
        .find(|c| c.name == column)
        .ok_or_else(|| format!("{column} 不是 {} 可以更正的字段", table.code()))?;
    let v = value.trim();
    if v.chars().any(|c| c.is_control()) {
        return Err(format!("{}（{}）含有控制字符", col.name, col.comment));
    }
    let cell = if v.is_empty() {
        if col.required {
            return Err(format!("{}（{}）必填，不能为空", col.name, col.comment));
        }
        Cell::Null
    } else {
        match col.ty {
            ColType::Varchar(_) | ColType::LongText => Cell::text(v),
            ColType::Int => Cell::Int(v.parse().map_err(|_| format!("{}（{}）应为整数", col.name, col.comment))?),
            ColType::Datetime => Cell::Time(
                parse_datetime(v)
                    .ok_or_else(|| format!("{}（{}）应为日期时间，如 2025-03-07 09:30:00", col.name, col.comment))?,
            ),
        }
    };
    super::check_cell(col, &cell)?;
    Ok(cell)
}

fn parse_datetime(v: &str) -> Option<chrono::NaiveDateTime> {
    let v = v.replace('T', " ");
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(&v, f).ok())
        .or_else(|| chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
}

/// Applies a version's corrections to its mapped rows (each to the sub-row
/// and column it names).
pub fn apply_overrides(rows: &mut [FrontRow], overrides: &Overrides) -> Result<(), String> {
    for (key, value) in overrides {
        let (sub, column) = key.split_once(':').ok_or_else(|| format!("更正 {key} 的格式不对"))?;
        let sub: u32 = sub.parse().map_err(|_| format!("更正 {key} 的格式不对"))?;
        let Some(row) = rows.iter_mut().find(|r| r.sub == sub) else { continue };
        let cell = override_cell(row.table, column, value)?;
        let name = row.table.columns().iter().find(|c| c.name == column).map(|c| c.name).unwrap_or_default();
        match row.cells.iter_mut().find(|(n, _)| *n == column) {
            Some(slot) => slot.1 = cell,
            None => row.cells.push((name, cell)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_row_guids_are_recognised() {
        let codes = Codes::default();
        assert_eq!(parse_row_guid(&codes, &super::super::row_guid(&codes, 42, 3)), Some((42, 3)));
        assert_eq!(parse_row_guid(&codes, "zwfw-42-0"), Some((42, 0)));
        for other in ["other-42-0", "zwfw-x-0", "zwfw-42", "zwfw--1-0", "zwfw-0-0", ""] {
            assert_eq!(parse_row_guid(&codes, other), None, "{other}");
        }
    }

    #[test]
    fn the_blamed_column_is_found_by_name_or_comment() {
        let c = blamed_column(Table::ProAccept, "申请人证件号码 与申请人类型不符").unwrap();
        assert_eq!(c.name, "applyer_page_code", "the longest comment mentioned wins over 申请人");
        assert_eq!(blamed_column(Table::ProAccept, "ORG_CODE 非法").unwrap().name, "org_code");
        assert!(blamed_column(Table::ProResult, "数据重复").is_none());
    }

    #[test]
    fn corrections_are_checked_and_applied() {
        assert_eq!(override_cell(Table::ProAccept, "applyer_name", " 明达 "), Ok(Cell::text("明达")));
        assert!(override_cell(Table::ProAccept, "applyer_name", "").unwrap_err().contains("必填"));
        assert!(override_cell(Table::ProAccept, "zip_code", "1234567").unwrap_err().contains("varchar(6)"));
        assert_eq!(override_cell(Table::ProAccept, "zip_code", ""), Ok(Cell::Null));
        assert!(override_cell(Table::ProAccept, "task_version", "二").unwrap_err().contains("整数"));
        assert!(override_cell(Table::ProAccept, "row_guid", "x").unwrap_err().contains("不是"));
        let t = override_cell(Table::ProAccept, "accept_date", "2025-03-07T09:30").unwrap();
        assert_eq!(t.show(), "2025-03-07 09:30:00");

        let mut rows = vec![
            FrontRow { table: Table::ProMaterial, sub: 0, cells: vec![("material_name", Cell::text("甲"))] },
            FrontRow { table: Table::ProMaterial, sub: 1, cells: vec![("material_name", Cell::text("乙"))] },
        ];
        let o: Overrides = [(override_key(1, "material_name"), "丙".to_string())].into_iter().collect();
        apply_overrides(&mut rows, &o).unwrap();
        assert_eq!(
            (rows[0].get("material_name"), rows[1].get("material_name")),
            (Some(&Cell::text("甲")), Some(&Cell::text("丙")))
        );
        let bad: Overrides = [("x".to_string(), "1".to_string())].into_iter().collect();
        assert!(apply_overrides(&mut rows, &bad).is_err());
    }
}
