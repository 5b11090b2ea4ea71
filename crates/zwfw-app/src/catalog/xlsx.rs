//! Import and export of the catalogue as an Excel workbook (.xlsx).
//!
//! The template has two sheets, 事项 (one row per item) and 申请材料 (one row
//! per material, linked to its item by 基本编码 and the implementing
//! department's 统一社会信用代码), and a sheet 说明 that documents every column.
//! An import is all or nothing: every bad cell is reported (sheet, row,
//! column, what is wrong, in Chinese) and nothing is stored unless the whole
//! file is right; the items are created as drafts in one transaction, to go
//! through legal review and approval like any other change.

use crate::state::Ctx;
use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use std::io::Cursor;
use zwfw_domain::admin::Role;
use zwfw_domain::catalog::{
    CaseType, ExerciseLevel, HandlingMode, ItemContent, ItemType, Material, ServiceObject, Step, SubjectNature,
};
use zwfw_domain::ids::CreditCode;
use zwfw_store::admin as store_admin;

pub const ITEM_SHEET: &str = "事项";
pub const MATERIAL_SHEET: &str = "申请材料";

/// Columns of the item sheet: (header, note for the 说明 sheet).
pub const ITEM_COLUMNS: &[(&str, &str)] = &[
    ("事项名称*", "不超过200字"),
    ("子项名称", ""),
    ("基本编码*", "6至12位数字或大写字母"),
    ("事项类型代码*", "GB/T 39046 A.1，如 01 行政许可、20 公共服务事项"),
    ("设定依据*", ""),
    ("行使层级代码*", "A.2：1国家级 2省级 3市级 4县级 5镇级 6村级 7分级管理"),
    ("实施主体统一社会信用代码*", "须为系统中已有部门"),
    ("实施主体性质代码*", "A.3：1法定机关 2授权组织 3受委托组织 9其他"),
    ("法定办结时限（工作日）*", "整数"),
    ("承诺办结时限（工作日）*", "整数，不超过法定时限；即办件填0"),
    ("办件类型代码*", "A.6：1即办件 2承诺件 9其他"),
    ("受理条件*", ""),
    ("结果名称*", ""),
    ("是否收费*", "1是 0否"),
    ("收费标准", "收费时必填"),
    ("收费依据", "收费时必填"),
    ("服务对象代码*", "A.4，多个用逗号分隔：1自然人 2企业法人 3事业法人 4社会组织法人 5行政机关 6其他组织"),
    ("服务主题", "多个用逗号分隔"),
    ("办理形式代码*", "A.5，多个用逗号分隔：1窗口办理 2电脑端网上办理 3移动端网上申请 4快递申请 9其他"),
    ("办理地点*", ""),
    ("办理时间*", ""),
    ("咨询电话*", ""),
    ("监督电话*", ""),
    ("办理环节*", "每个环节写成“名称:角色代码:时限”，用分号分隔，如 受理:counter:1;审查:reviewer:6;决定:dept_head:3"),
    ("特别程序", "多个用逗号分隔，如 现场核查,专家评审"),
    ("常见问题", ""),
    ("申请表字段", "每个字段写成“名称:类型:必填/选填[:选项1、选项2]”，用分号分隔；类型为 文本、长文本、数字、日期、选项，如 经营场所:文本:必填;主体业态:选项:必填:餐饮服务经营者、单位食堂"),
];

pub const MATERIAL_COLUMNS: &[(&str, &str)] = &[
    ("基本编码*", "与事项表一致"),
    ("实施主体统一社会信用代码*", "与事项表一致"),
    ("材料名称*", ""),
    ("材料类型", "原件 / 复印件 / 原件和复印件 / 电子材料"),
    ("来源渠道", "申请人自备 / 政府部门核发 / 其他"),
    ("原件份数", "整数，默认1"),
    ("复印件份数", "整数，默认0"),
    ("是否必须", "1是 0否，默认1"),
    ("受理标准", ""),
    ("材料要求", ""),
];

/// One bad cell (or row).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellError {
    pub sheet: String,
    /// Excel row number (the header is row 1).
    pub row: usize,
    /// Column letter and header, e.g. "D 事项类型代码".
    pub column: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub code: String,
    pub message: String,
    pub errors: Vec<CellError>,
}

fn col_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "1".into()
            } else {
                "0".into()
            }
        }
        other => other.to_string().trim().to_string(),
    }
}

struct RowReader<'a> {
    sheet: &'static str,
    row: usize,
    cells: &'a [Data],
    columns: &'static [(&'static str, &'static str)],
    errors: &'a mut Vec<CellError>,
}

impl RowReader<'_> {
    fn err(&mut self, col: usize, message: impl Into<String>) {
        let header = self.columns.get(col).map(|c| c.0.trim_end_matches('*')).unwrap_or("");
        self.errors.push(CellError {
            sheet: self.sheet.into(),
            row: self.row,
            column: format!("{} {header}", col_letter(col)),
            message: message.into(),
        });
    }
    fn text(&self, col: usize) -> String {
        self.cells.get(col).map(cell_text).unwrap_or_default()
    }
    fn required(&mut self, col: usize) -> String {
        let t = self.text(col);
        if t.is_empty() {
            self.err(col, "必填，不能为空");
        }
        t
    }
    fn number(&mut self, col: usize, default: Option<u32>) -> u32 {
        let t = self.text(col);
        if t.is_empty() {
            if let Some(d) = default {
                return d;
            }
            self.err(col, "必填，应为整数");
            return 0;
        }
        match t.parse::<u32>() {
            Ok(n) if n <= 3650 => n,
            _ => {
                self.err(col, format!("“{t}”不是0到3650之间的整数"));
                0
            }
        }
    }
    fn flag(&mut self, col: usize, default: Option<bool>) -> bool {
        match (self.text(col).as_str(), default) {
            ("1" | "是", _) => true,
            ("0" | "否", _) => false,
            ("", Some(d)) => d,
            (t, _) => {
                let t = t.to_string();
                self.err(col, format!("“{t}”应为1（是）或0（否）"));
                false
            }
        }
    }
    fn code<T: Copy>(&mut self, col: usize, parse: fn(&str) -> Option<T>, list: &str) -> Option<T> {
        let t = self.required(col);
        if t.is_empty() {
            return None;
        }
        let v = parse(&t);
        if v.is_none() {
            self.err(col, format!("“{t}”不是{list}中的代码"));
        }
        v
    }
    fn codes<T: Copy>(&mut self, col: usize, parse: fn(&str) -> Option<T>, list: &str) -> Vec<T> {
        let t = self.required(col);
        let mut out = Vec::new();
        for part in t.split([',', '，', '、', ';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
            match parse(part) {
                Some(v) => out.push(v),
                None => self.err(col, format!("“{part}”不是{list}中的代码")),
            }
        }
        out
    }
}

fn list(t: &str) -> Vec<String> {
    t.split([',', '，', '、']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// Parses the workbook into contents (keyed by row), collecting every error.
async fn parse(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Vec<(usize, ItemContent, String)>, Vec<CellError>> {
    let mut errors = Vec::new();
    let mut wb: Xlsx<_> = match Xlsx::new(Cursor::new(bytes.to_vec())) {
        Ok(w) => w,
        Err(_) => {
            return Err(vec![CellError {
                sheet: String::new(),
                row: 0,
                column: String::new(),
                message: "文件不是有效的Excel工作簿（.xlsx），请使用下载的模板".into(),
            }])
        }
    };
    let sheet = |wb: &mut Xlsx<_>, name: &str| wb.worksheet_range(name).ok();
    let (Some(items), Some(mats)) = (sheet(&mut wb, ITEM_SHEET), sheet(&mut wb, MATERIAL_SHEET)) else {
        return Err(vec![CellError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            message: format!("工作簿须包含“{ITEM_SHEET}”和“{MATERIAL_SHEET}”两个工作表，请使用下载的模板"),
        }]);
    };
    let depts = store_admin::list_departments(&ctx.state.store).await.unwrap_or_default();

    // Materials first, grouped by (basic code, credit code).
    let mut materials: std::collections::HashMap<(String, String), Vec<Material>> = Default::default();
    for (i, row) in items_rows(&mats) {
        let mut r =
            RowReader { sheet: MATERIAL_SHEET, row: i, cells: row, columns: MATERIAL_COLUMNS, errors: &mut errors };
        let key = (r.required(0), r.required(1).to_ascii_uppercase());
        let m = Material {
            name: r.required(2),
            kind: r.text(3),
            source: r.text(4),
            originals: r.number(5, Some(1)),
            copies: r.number(6, Some(0)),
            required: r.flag(7, Some(true)),
            acceptance_standard: r.text(8),
            requirements: r.text(9),
            ..Default::default()
        };
        materials.entry(key).or_default().push(m);
    }

    let mut out = Vec::new();
    let mut seen_codes = std::collections::HashSet::new();
    for (i, row) in items_rows(&items) {
        let before = errors.len();
        let mut r = RowReader { sheet: ITEM_SHEET, row: i, cells: row, columns: ITEM_COLUMNS, errors: &mut errors };
        let name = r.required(0);
        let basic_code = r.required(2);
        let item_type = r.code(3, ItemType::parse, "事项类型代码（A.1）");
        let legal_basis = r.required(4);
        let level = r.code(5, ExerciseLevel::parse, "行使层级代码（A.2）");
        let credit = r.required(6).to_ascii_uppercase();
        let dept = if credit.is_empty() {
            None
        } else {
            match CreditCode::parse(&credit) {
                Err(_) => {
                    r.err(6, format!("“{credit}”不是有效的统一社会信用代码"));
                    None
                }
                Ok(_) => match depts.iter().find(|d| d.credit_code == credit) {
                    None => {
                        r.err(6, format!("系统中没有统一社会信用代码为{credit}的部门"));
                        None
                    }
                    Some(d) if ctx.actor.is_some_and(|a| !zwfw_domain::catalog::may_author(a, d.id)) => {
                        r.err(6, "您无权为该部门录入事项");
                        None
                    }
                    Some(d) => Some(d.id),
                },
            }
        };
        let nature = r.code(7, SubjectNature::parse, "实施主体性质代码（A.3）");
        let legal = r.number(8, None);
        let promised = r.number(9, None);
        let case_type = r.code(10, CaseType::parse, "办件类型代码（A.6）");
        let acceptance = r.required(11);
        let result = r.required(12);
        let fee = r.flag(13, None);
        let objects = r.codes(16, ServiceObject::parse, "服务对象代码（A.4）");
        let modes = r.codes(18, HandlingMode::parse, "办理形式代码（A.5）");
        let location = r.required(19);
        let hours = r.required(20);
        let enquiry = r.required(21);
        let supervision = r.required(22);
        let steps_text = r.required(23);
        let mut steps = Vec::new();
        for part in steps_text.split([';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
            let f: Vec<&str> = part.split([':', '：']).map(str::trim).collect();
            match (f.as_slice(), dept) {
                ([n, role, days], Some(d)) => match (Role::parse(role), days.parse::<u32>()) {
                    (Ok(role), Ok(days)) => steps.push(Step {
                        name: n.to_string(),
                        department_id: d,
                        role,
                        limit_days: days,
                        may_suspend: false,
                        joint: vec![],
                    }),
                    _ => r.err(23, format!("环节“{part}”的角色代码或时限不正确")),
                },
                ([_, _, _], None) => {}
                _ => r.err(23, format!("环节“{part}”应写成“名称:角色代码:时限”")),
            }
        }
        let mut form_fields = Vec::new();
        for part in r.text(26).split([';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
            let f: Vec<&str> = part.split([':', '：']).collect();
            match zwfw_domain::catalog::FormField::from_parts(&f) {
                Some(field) => form_fields.push(field),
                None => r.err(26, format!("申请表字段“{part}”应写成“名称:类型:必填/选填[:选项]”")),
            }
        }
        let key = (basic_code.clone(), credit.clone());
        let mats = materials.remove(&key).unwrap_or_default();
        if mats.is_empty() && !basic_code.is_empty() {
            r.err(2, format!("“{MATERIAL_SHEET}”表中没有该事项（基本编码{basic_code}）的材料"));
        }
        if errors.len() > before {
            continue;
        }
        let (Some(item_type), Some(level), Some(dept), Some(nature), Some(case_type)) =
            (item_type, level, dept, nature, case_type)
        else {
            continue;
        };
        let content = ItemContent {
            name,
            sub_name: cell_text(row.get(1).unwrap_or(&Data::Empty)),
            basic_code,
            item_type,
            legal_basis,
            exercise_level: level,
            authority_division: String::new(),
            content_exercised: String::new(),
            department_id: dept,
            subject_nature: nature,
            legal_limit_days: legal,
            legal_limit_note: String::new(),
            promised_limit_days: promised,
            promised_limit_note: String::new(),
            case_type,
            acceptance_conditions: acceptance,
            process_description: steps.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(" → "),
            co_department_ids: vec![],
            handling_office: String::new(),
            intermediary_services: String::new(),
            quantity_limit: String::new(),
            result_name: result,
            result_type: String::new(),
            result_delivery: String::new(),
            result_sample_sm3: None,
            fee,
            fee_standard: cell_text(row.get(14).unwrap_or(&Data::Empty)),
            fee_amount_fen: None,
            fee_basis: cell_text(row.get(15).unwrap_or(&Data::Empty)),
            scope: String::new(),
            service_objects: objects,
            themes: list(&cell_text(row.get(17).unwrap_or(&Data::Empty))),
            handling_modes: modes,
            special_procedures: list(&cell_text(row.get(24).unwrap_or(&Data::Empty))),
            special_procedure_max_days: None,
            extension_moves_promised: false,
            jurisdiction: String::new(),
            appointment: false,
            online_payment: false,
            courier: false,
            online: modes_online(&cell_text(row.get(18).unwrap_or(&Data::Empty))),
            online_url: String::new(),
            system_level: String::new(),
            location,
            traffic_guide: String::new(),
            office_hours: hours,
            visits: 1,
            enquiry_channels: String::new(),
            enquiry_phone: enquiry,
            supervision_phone: supervision,
            faq: cell_text(row.get(25).unwrap_or(&Data::Empty)),
            materials: mats,
            steps,
            form_fields,
        };
        if let Err(e) = content.validate() {
            errors.push(CellError {
                sheet: ITEM_SHEET.into(),
                row: i,
                column: "—".into(),
                message: crate::messages::item_error_text(&e),
            });
            continue;
        }
        let code = match crate::catalog::checked_code(ctx, &content).await {
            Ok(c) => c,
            Err(e) => {
                errors.push(CellError { sheet: ITEM_SHEET.into(), row: i, column: "—".into(), message: e.message() });
                continue;
            }
        };
        if !seen_codes.insert(code.clone()) {
            errors.push(CellError {
                sheet: ITEM_SHEET.into(),
                row: i,
                column: "C 基本编码".into(),
                message: "同一部门同一行使层级的基本编码在文件中重复".into(),
            });
            continue;
        }
        if zwfw_store::catalog::find_item_by_code(&ctx.state.store, &code).await.ok().flatten().is_some() {
            errors.push(CellError {
                sheet: ITEM_SHEET.into(),
                row: i,
                column: "C 基本编码".into(),
                message: format!("实施编码{code}的事项已存在，请通过“发起变更”修改"),
            });
            continue;
        }
        out.push((i, content, code));
    }
    for ((basic, credit), _) in materials {
        errors.push(CellError {
            sheet: MATERIAL_SHEET.into(),
            row: 0,
            column: "A 基本编码".into(),
            message: format!("材料对应的事项（基本编码{basic}，实施主体{credit}）不在“{ITEM_SHEET}”表中"),
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(CellError {
            sheet: ITEM_SHEET.into(),
            row: 2,
            column: String::new(),
            message: "文件中没有事项".into(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn modes_online(t: &str) -> bool {
    t.contains('2') || t.contains('3')
}

/// Data rows with their Excel row numbers, skipping the header and empty rows.
fn items_rows(range: &calamine::Range<Data>) -> Vec<(usize, &[Data])> {
    let start = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    range
        .rows()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|(i, r)| (start + i + 1, r))
        .collect()
}

/// Imports a workbook: all items as drafts in one transaction, or nothing.
pub async fn import(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<usize, ImportReport> {
    let reject = |errors: Vec<CellError>| ImportReport {
        code: "import_rejected".into(),
        message: format!("导入未执行：发现{}处错误，请修改后重新导入（文件中的事项均未保存）", errors.len()),
        errors,
    };
    if !ctx.actor.is_some_and(|a| a.is_global_admin() || a.has(Role::DeptAdmin)) {
        return Err(ImportReport {
            code: "forbidden".into(),
            message: crate::messages::error_text("forbidden", None),
            errors: vec![],
        });
    }
    let rows = parse(ctx, bytes).await.map_err(reject)?;
    let store = &ctx.state.store;
    let result = async {
        let mut tx = store.begin().await?;
        for (_, content, code) in &rows {
            crate::catalog::create_item_in(ctx, &mut tx, code, content, "Excel批量导入").await?;
        }
        tx.commit().await?;
        Ok::<_, crate::AppError>(rows.len())
    }
    .await;
    result.map_err(|e| {
        reject(vec![CellError { sheet: String::new(), row: 0, column: String::new(), message: e.message() }])
    })
}

fn header_format() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new().set_bold().set_background_color("DDEBF7")
}

fn sheet_with_headers(
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

fn notes_sheet(wb: &mut rust_xlsxwriter::Workbook) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = wb.add_worksheet().set_name("说明")?;
    ws.write_string_with_format(0, 0, "工作表", &header_format())?;
    ws.write_string_with_format(0, 1, "列", &header_format())?;
    ws.write_string_with_format(0, 2, "说明（带*为必填）", &header_format())?;
    let mut r = 1u32;
    for (sheet, cols) in [(ITEM_SHEET, ITEM_COLUMNS), (MATERIAL_SHEET, MATERIAL_COLUMNS)] {
        for (h, note) in cols {
            ws.write_string(r, 0, sheet)?;
            ws.write_string(r, 1, *h)?;
            ws.write_string(r, 2, *note)?;
            r += 1;
        }
    }
    ws.write_string(r + 1, 0, "导入规则：整个文件全部正确才会导入；任何一处错误都会列出所在工作表、行、列和原因，文件中的事项均不保存。导入的事项为草稿，须经法制审核和中心审批后发布。")?;
    ws.set_column_width(0, 12)?;
    ws.set_column_width(1, 28)?;
    ws.set_column_width(2, 90)?;
    Ok(())
}

fn item_row(c: &ItemContent, credit: &str) -> Vec<String> {
    let roles =
        c.steps.iter().map(|s| format!("{}:{}:{}", s.name, s.role.code(), s.limit_days)).collect::<Vec<_>>().join(";");
    vec![
        c.name.clone(),
        c.sub_name.clone(),
        c.basic_code.clone(),
        c.item_type.code().into(),
        c.legal_basis.clone(),
        c.exercise_level.code().into(),
        credit.into(),
        c.subject_nature.code().into(),
        c.legal_limit_days.to_string(),
        c.promised_limit_days.to_string(),
        c.case_type.code().into(),
        c.acceptance_conditions.clone(),
        c.result_name.clone(),
        if c.fee { "1".into() } else { "0".into() },
        c.fee_standard.clone(),
        c.fee_basis.clone(),
        c.service_objects.iter().map(|o| o.code()).collect::<Vec<_>>().join(","),
        c.themes.join(","),
        c.handling_modes.iter().map(|m| m.code()).collect::<Vec<_>>().join(","),
        c.location.clone(),
        c.office_hours.clone(),
        c.enquiry_phone.clone(),
        c.supervision_phone.clone(),
        roles,
        c.special_procedures.join(","),
        c.faq.clone(),
        c.form_fields.iter().map(|f| f.parts().join(":")).collect::<Vec<_>>().join(";"),
    ]
}

fn material_row(c: &ItemContent, credit: &str, m: &Material) -> Vec<String> {
    vec![
        c.basic_code.clone(),
        credit.into(),
        m.name.clone(),
        m.kind.clone(),
        m.source.clone(),
        m.originals.to_string(),
        m.copies.to_string(),
        if m.required { "1".into() } else { "0".into() },
        m.acceptance_standard.clone(),
        m.requirements.clone(),
    ]
}

/// A workbook in the import format: the template (with one example) or the
/// whole published catalogue.
pub fn workbook(items: &[(ItemContent, String)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    sheet_with_headers(&mut wb, ITEM_SHEET, ITEM_COLUMNS)?;
    sheet_with_headers(&mut wb, MATERIAL_SHEET, MATERIAL_COLUMNS)?;
    notes_sheet(&mut wb)?;
    let mut mrow = 1u32;
    for (i, (c, credit)) in items.iter().enumerate() {
        let ws = wb.worksheet_from_name(ITEM_SHEET)?;
        for (col, v) in item_row(c, credit).iter().enumerate() {
            ws.write_string(i as u32 + 1, col as u16, v)?;
        }
        let ws = wb.worksheet_from_name(MATERIAL_SHEET)?;
        for m in &c.materials {
            for (col, v) in material_row(c, credit, m).iter().enumerate() {
                ws.write_string(mrow, col as u16, v)?;
            }
            mrow += 1;
        }
    }
    wb.save_to_buffer()
}
