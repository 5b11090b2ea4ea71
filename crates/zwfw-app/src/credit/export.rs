//! The workbook of published records: the national columns in their order.

use super::CreditView;

/// The columns, as the national 行政许可 table names them.
pub const COLUMNS: [&str; 22] = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "法定代表人",
    "证件类型",
    "证件号码",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "公示日期",
    "备注",
];

fn cells(v: &CreditView) -> [String; 22] {
    let note = match &v.invalid_on {
        Some(on) => format!("{on}起无效（{}）", v.invalid_reason),
        None => String::new(),
    };
    [
        v.holder_name.clone(),
        v.holder_category.clone(),
        v.credit_code.clone(),
        v.legal_rep.clone(),
        v.id_type.clone(),
        v.id_number.clone(),
        v.document_name.clone(),
        v.document_no.clone(),
        v.category_label.clone(),
        v.certificate_name.clone(),
        v.license_no.clone(),
        v.content.clone(),
        v.decided_on.clone(),
        v.valid_from.clone(),
        v.valid_to.clone(),
        v.authority.clone(),
        v.authority_code.clone(),
        v.status_label.clone(),
        v.source_unit.clone(),
        v.source_unit_code.clone(),
        v.published_on.clone().unwrap_or_default(),
        note,
    ]
}

/// The records as an .xlsx workbook, one row each, every cell text (codes
/// and dates keep their leading zeros).
pub fn workbook(rows: &[CreditView]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let head = Format::new().set_bold().set_background_color("DDEBF7");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("行政许可")?;
    for (c, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, 18.0)?;
    }
    for (r, v) in rows.iter().enumerate() {
        for (c, text) in cells(v).iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}
