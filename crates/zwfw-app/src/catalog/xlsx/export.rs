//! The export: the workbook written from items, with the notes sheet.

use super::*;

pub(super) fn header_format() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new().set_bold().set_background_color("DDEBF7")
}

pub(super) fn sheet_with_headers(
    wb: &mut rust_xlsxwriter::Workbook,
    name: &str,
    cols: &[(&str, &str)],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = wb.add_worksheet().set_name(name)?;
    for (i, (h, _)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &header_format())?;
        ws.set_column_width(i as u16, 18)?;
    }
    Ok(())
}

/// The rules of the file, after the columns in the 说明 sheet.
pub(super) const NOTES: &[&str] = &[
    "导入规则：整个文件全部正确才会导入；任何一处错误都会列出所在工作表、行、列和原因，文件中的事项均不保存。导入的事项为草稿，须经法制审核和中心审批后发布。",
    "“申请材料”表和“办理流程”表的每一行以基本编码和实施主体统一社会信用代码对应“事项”表中的事项，行的先后即材料和环节的顺序。",
    "并联审批：在环节的“并联审批部门”列填写协办部门及其时限，本环节的办理部门为牵头部门。",
    "各列按第一行的列标题识别。早期模板的文件（“事项”表只到“申请表字段”列、“申请材料”表只到“材料要求”列、没有“办理流程”表）仍可导入：环节取“办理环节”列，缺少的列取默认值。",
    "附件（空白表格、示例样表、结果样本）以SM3摘要引用本系统文件库中已有的文件，文件本身不在工作簿中。",
];

pub(super) fn notes_sheet(wb: &mut rust_xlsxwriter::Workbook) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = wb.add_worksheet().set_name(NOTES_SHEET)?;
    ws.write_string_with_format(0, 0, "工作表", &header_format())?;
    ws.write_string_with_format(0, 1, "列", &header_format())?;
    ws.write_string_with_format(0, 2, "说明（带*为必填）", &header_format())?;
    let mut r = 1u32;
    for (sheet, cols) in [(ITEM_SHEET, ITEM_COLUMNS), (MATERIAL_SHEET, MATERIAL_COLUMNS), (STEP_SHEET, STEP_COLUMNS)] {
        for (i, (h, note)) in cols.iter().enumerate() {
            ws.write_string(r, 0, sheet)?;
            ws.write_string(r, 1, format!("{} {h}", col_letter(i)))?;
            ws.write_string(r, 2, *note)?;
            r += 1;
        }
    }
    for note in NOTES {
        r += 1;
        ws.write_string(r, 0, *note)?;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_width(1, 32)?;
    ws.set_column_width(2, 90)?;
    Ok(())
}

pub(super) fn yn(b: bool) -> String {
    if b { "1" } else { "0" }.into()
}

/// The credit codes of departments, by id (an unknown id gives a text the
/// import refuses, never an empty cell).
pub(super) struct Credits<'a>(pub(super) &'a [Department]);

impl Credits<'_> {
    pub(super) fn of(&self, id: i64) -> String {
        self.0.iter().find(|d| d.id == id).map(|d| d.credit_code.clone()).unwrap_or_else(|| format!("未知部门{id}"))
    }
}

pub(super) fn item_row(c: &ItemContent, credits: &Credits<'_>) -> Vec<String> {
    let mut r = vec![String::new(); ITEM_COLUMNS.len()];
    r[ic::NAME] = c.name.clone();
    r[ic::SUB_NAME] = c.sub_name.clone();
    r[ic::BASIC_CODE] = c.basic_code.clone();
    r[ic::ITEM_TYPE] = c.item_type.code().into();
    r[ic::LEGAL_BASIS] = c.legal_basis.clone();
    r[ic::LEVEL] = c.exercise_level.code().into();
    r[ic::CREDIT] = credits.of(c.department_id);
    r[ic::NATURE] = c.subject_nature.code().into();
    r[ic::LEGAL] = c.legal_limit_days.to_string();
    r[ic::PROMISED] = c.promised_limit_days.to_string();
    r[ic::CASE_TYPE] = c.case_type.code().into();
    r[ic::ACCEPTANCE] = c.acceptance_conditions.clone();
    r[ic::RESULT] = c.result_name.clone();
    r[ic::FEE] = yn(c.fee);
    r[ic::FEE_STANDARD] = c.fee_standard.clone();
    r[ic::FEE_BASIS] = c.fee_basis.clone();
    r[ic::OBJECTS] = c.service_objects.iter().map(|o| o.code()).collect::<Vec<_>>().join(",");
    r[ic::THEMES] = c.themes.join(",");
    r[ic::MODES] = c.handling_modes.iter().map(|m| m.code()).collect::<Vec<_>>().join(",");
    r[ic::LOCATION] = c.location.clone();
    r[ic::HOURS] = c.office_hours.clone();
    r[ic::ENQUIRY] = c.enquiry_phone.clone();
    r[ic::SUPERVISION] = c.supervision_phone.clone();
    // ic::STEPS stays empty: the steps are rows of the 办理流程 sheet.
    r[ic::SPECIAL] = c.special_procedures.join(",");
    r[ic::FAQ] = c.faq.clone();
    r[ic::FORM_FIELDS] = c.form_fields.iter().map(|f| f.parts().join(":")).collect::<Vec<_>>().join(";");
    r[ic::AUTHORITY] = c.authority_division.clone();
    r[ic::CONTENT] = c.content_exercised.clone();
    r[ic::LEGAL_NOTE] = c.legal_limit_note.clone();
    r[ic::PROMISED_NOTE] = c.promised_limit_note.clone();
    r[ic::PROCESS] = c.process_description.clone();
    r[ic::CO_DEPTS] = c.co_department_ids.iter().map(|id| credits.of(*id)).collect::<Vec<_>>().join(",");
    r[ic::REGULATORS] = c.regulator_department_ids.iter().map(|id| credits.of(*id)).collect::<Vec<_>>().join(",");
    r[ic::OFFICE] = c.handling_office.clone();
    r[ic::INTERMEDIARY] = c.intermediary_services.clone();
    r[ic::QUANTITY] = c.quantity_limit.clone();
    r[ic::RESULT_TYPE] = c.result_type.clone();
    r[ic::RESULT_DELIVERY] = c.result_delivery.clone();
    r[ic::RESULT_SAMPLE] = c.result_sample_sm3.clone().unwrap_or_default();
    r[ic::FEE_AMOUNT] = c.fee_amount_fen.map(format_yuan).unwrap_or_default();
    r[ic::SCOPE] = c.scope.clone();
    r[ic::SPECIAL_MAX] = c.special_procedure_max_days.map(|d| d.to_string()).unwrap_or_default();
    r[ic::EXTENSION] = yn(c.extension_moves_promised);
    r[ic::JURISDICTION] = c.jurisdiction.clone();
    r[ic::APPOINTMENT] = yn(c.appointment);
    r[ic::ONLINE_PAYMENT] = yn(c.online_payment);
    r[ic::COURIER] = yn(c.courier);
    r[ic::ONLINE] = yn(c.online);
    r[ic::ONLINE_URL] = c.online_url.clone();
    r[ic::SYSTEM_LEVEL] = c.system_level.clone();
    r[ic::TRAFFIC] = c.traffic_guide.clone();
    r[ic::VISITS] = c.visits.to_string();
    r[ic::CHANNELS] = c.enquiry_channels.clone();
    r[ic::LIFE_EVENTS] = c.life_events.iter().map(|e| e.code()).collect::<Vec<_>>().join(",");
    r
}

pub(super) fn material_row(c: &ItemContent, credit: &str, m: &Material) -> Vec<String> {
    let mut r = vec![String::new(); MATERIAL_COLUMNS.len()];
    r[mc::BASIC_CODE] = c.basic_code.clone();
    r[mc::CREDIT] = credit.into();
    r[mc::NAME] = m.name.clone();
    r[mc::KIND] = m.kind.clone();
    r[mc::SOURCE] = m.source.clone();
    r[mc::ORIGINALS] = m.originals.to_string();
    r[mc::COPIES] = m.copies.to_string();
    r[mc::REQUIRED] = yn(m.required);
    r[mc::STANDARD] = m.acceptance_standard.clone();
    r[mc::REQUIREMENTS] = m.requirements.clone();
    r[mc::ISSUER] = m.issuer.clone();
    r[mc::ISSUE_TIME] = m.issue_time_requirement.clone();
    r[mc::HOW] = m.how_to_obtain.clone();
    r[mc::WHERE] = m.where_to_obtain.clone();
    r[mc::USAGE] = m.usage_notes.clone();
    r[mc::FORM] = m.form_sm3.clone().unwrap_or_default();
    r[mc::EXAMPLE] = m.example_sm3.clone().unwrap_or_default();
    r[mc::LICENSE_TYPE] = m.license_type_code.clone();
    r[mc::COMMITMENT] = yn(m.commitment);
    r[mc::REGISTRY] =
        zwfw_domain::registry::SlipKind::parse(&m.registry).map(|k| k.label().to_string()).unwrap_or_default();
    r
}

pub(super) fn step_row(c: &ItemContent, credit: &str, s: &Step, credits: &Credits<'_>) -> Vec<String> {
    let mut r = vec![String::new(); STEP_COLUMNS.len()];
    r[sc::BASIC_CODE] = c.basic_code.clone();
    r[sc::CREDIT] = credit.into();
    r[sc::NAME] = s.name.clone();
    r[sc::ROLE] = s.role.code().into();
    r[sc::DAYS] = s.limit_days.to_string();
    if s.department_id != c.department_id {
        r[sc::DEPT] = credits.of(s.department_id);
    }
    r[sc::SPECIAL] = yn(s.may_suspend);
    r[sc::JOINT] = s
        .joint
        .iter()
        .map(|j| format!("{}:{}", credits.of(j.department_id), j.limit_days))
        .collect::<Vec<_>>()
        .join(";");
    r
}

/// A workbook in the import format: the template (with one example) or the
/// whole published catalogue. `departments` gives the credit codes the file
/// names departments by.
pub fn workbook(items: &[ItemContent], departments: &[Department]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let credits = Credits(departments);
    let mut wb = rust_xlsxwriter::Workbook::new();
    sheet_with_headers(&mut wb, ITEM_SHEET, ITEM_COLUMNS)?;
    sheet_with_headers(&mut wb, MATERIAL_SHEET, MATERIAL_COLUMNS)?;
    sheet_with_headers(&mut wb, STEP_SHEET, STEP_COLUMNS)?;
    notes_sheet(&mut wb)?;
    let write = |wb: &mut rust_xlsxwriter::Workbook, sheet: &str, row: u32, cells: Vec<String>| {
        let ws = wb.worksheet_from_name(sheet)?;
        for (col, v) in cells.iter().enumerate() {
            ws.write_string(row, col as u16, v)?;
        }
        Ok::<_, rust_xlsxwriter::XlsxError>(())
    };
    let (mut mrow, mut srow) = (1u32, 1u32);
    for (i, c) in items.iter().enumerate() {
        let credit = credits.of(c.department_id);
        write(&mut wb, ITEM_SHEET, i as u32 + 1, item_row(c, &credits))?;
        for m in &c.materials {
            write(&mut wb, MATERIAL_SHEET, mrow, material_row(c, &credit, m))?;
            mrow += 1;
        }
        for s in &c.steps {
            write(&mut wb, STEP_SHEET, srow, step_row(c, &credit, s, &credits))?;
            srow += 1;
        }
    }
    wb.save_to_buffer()
}
