//! Import and export of the catalogue as an Excel workbook (.xlsx).
//!
//! The template has three data sheets: 事项 (one row per item, every field of
//! GB/T 39046 表4 the item carries), 申请材料 (one row per material) and
//! 办理流程 (one row per step: role, department, limit, 特殊环节 and the
//! co-departments of a joint review), the last two linked to their item by
//! 基本编码 and the implementing department's 统一社会信用代码; a sheet 说明
//! documents every column. Columns are found by their header, so a file of
//! the first template (item columns A–AA, material columns A–J, the steps in
//! the column 办理环节 and no 办理流程 sheet) still imports, the fields it lacks
//! taking their defaults.
//!
//! An export imports back to the same contents. Attachments travel as the SM3
//! of a file already in the file store, not as the file itself.
//!
//! An import is all or nothing: every bad cell is reported (sheet, row,
//! column, what is wrong, in Chinese; a rule across fields names every column
//! it concerns) and nothing is stored unless the whole file is right; the items
//! are created as drafts in one transaction, to go through legal review and
//! approval like any other change.

use crate::state::Ctx;
use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Cursor;
use zwfw_domain::admin::Role;
use zwfw_domain::catalog::{
    CaseType, CoReview, ExerciseLevel, HandlingMode, ItemContent, ItemError, ItemType, Material, ServiceObject, Step,
    SubjectNature,
};
use zwfw_domain::ids::CreditCode;
use zwfw_store::admin as store_admin;
use zwfw_store::admin::Department;

pub const ITEM_SHEET: &str = "事项";
pub const MATERIAL_SHEET: &str = "申请材料";
pub const STEP_SHEET: &str = "办理流程";
pub const NOTES_SHEET: &str = "说明";

/// Columns of the item sheet: (header, note for the 说明 sheet). A header
/// ending in * must be filled. The first 27 are those of the first template.
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
    (
        "办理环节",
        "简写格式，可代替“办理流程”表：每个环节写成“名称:角色代码:时限”，用分号分隔，如 受理:counter:1;审查:reviewer:6;决定:dept_head:3（办理部门为实施主体，不是特殊环节，没有并联审批）。已在“办理流程”表中列出环节的事项，本列留空",
    ),
    ("特别程序", "多个用逗号分隔，如 现场核查,专家评审"),
    ("常见问题", ""),
    (
        "申请表字段",
        "每个字段写成“名称:类型:必填/选填[:选项1、选项2]”，用分号分隔；类型为 文本、长文本、数字、日期、选项，如 经营场所:文本:必填;主体业态:选项:必填:餐饮服务经营者、单位食堂",
    ),
    ("权限划分", ""),
    ("行使内容", ""),
    ("法定办结时限说明", ""),
    ("承诺办结时限说明", ""),
    ("办理流程说明", "办理流程的文字说明；没有此列的旧模板按环节名称生成"),
    ("共同实施部门统一社会信用代码", "多个用逗号分隔，须为系统中已有部门"),
    ("承办机构", "部门内承办的处室，如 行政审批科"),
    ("中介服务", ""),
    ("数量限制", ""),
    ("结果类型", "证照 / 批文 / 其他"),
    ("结果领取方式", ""),
    ("结果样本SM3", "已上传文件的SM3摘要（64位十六进制），须已在本系统文件库中；新文件请留空，导入后在事项页面上传"),
    ("收费金额（元）", "最多两位小数，供电子监察核对收费；不定额的留空"),
    ("通办范围", "如 全市通办"),
    ("特别程序最长时限（工作日）", "整数；留空表示未规定"),
    ("延长审批顺延承诺时限", "1是 0否，默认0：延长审批时是否同时顺延承诺办结时限"),
    ("行政管辖", ""),
    ("是否支持预约办理", "1是 0否，默认0"),
    ("是否支持网上支付", "1是 0否，默认0"),
    ("是否支持物流快递", "1是 0否，默认0"),
    ("是否网办", "1是 0否；留空时按办理形式代码（含2或3为是）"),
    ("网办地址", ""),
    ("运行系统层级", "国家级 / 省级 / 市级"),
    ("交通指引", ""),
    ("到现场次数", "整数，默认1"),
    ("咨询方式", "如 电话、窗口、网上咨询"),
];

/// Positions in [`ITEM_COLUMNS`].
mod ic {
    pub const NAME: usize = 0;
    pub const SUB_NAME: usize = 1;
    pub const BASIC_CODE: usize = 2;
    pub const ITEM_TYPE: usize = 3;
    pub const LEGAL_BASIS: usize = 4;
    pub const LEVEL: usize = 5;
    pub const CREDIT: usize = 6;
    pub const NATURE: usize = 7;
    pub const LEGAL: usize = 8;
    pub const PROMISED: usize = 9;
    pub const CASE_TYPE: usize = 10;
    pub const ACCEPTANCE: usize = 11;
    pub const RESULT: usize = 12;
    pub const FEE: usize = 13;
    pub const FEE_STANDARD: usize = 14;
    pub const FEE_BASIS: usize = 15;
    pub const OBJECTS: usize = 16;
    pub const THEMES: usize = 17;
    pub const MODES: usize = 18;
    pub const LOCATION: usize = 19;
    pub const HOURS: usize = 20;
    pub const ENQUIRY: usize = 21;
    pub const SUPERVISION: usize = 22;
    pub const STEPS: usize = 23;
    pub const SPECIAL: usize = 24;
    pub const FAQ: usize = 25;
    pub const FORM_FIELDS: usize = 26;
    pub const AUTHORITY: usize = 27;
    pub const CONTENT: usize = 28;
    pub const LEGAL_NOTE: usize = 29;
    pub const PROMISED_NOTE: usize = 30;
    pub const PROCESS: usize = 31;
    pub const CO_DEPTS: usize = 32;
    pub const OFFICE: usize = 33;
    pub const INTERMEDIARY: usize = 34;
    pub const QUANTITY: usize = 35;
    pub const RESULT_TYPE: usize = 36;
    pub const RESULT_DELIVERY: usize = 37;
    pub const RESULT_SAMPLE: usize = 38;
    pub const FEE_AMOUNT: usize = 39;
    pub const SCOPE: usize = 40;
    pub const SPECIAL_MAX: usize = 41;
    pub const EXTENSION: usize = 42;
    pub const JURISDICTION: usize = 43;
    pub const APPOINTMENT: usize = 44;
    pub const ONLINE_PAYMENT: usize = 45;
    pub const COURIER: usize = 46;
    pub const ONLINE: usize = 47;
    pub const ONLINE_URL: usize = 48;
    pub const SYSTEM_LEVEL: usize = 49;
    pub const TRAFFIC: usize = 50;
    pub const VISITS: usize = 51;
    pub const CHANNELS: usize = 52;
}

/// Columns of the material sheet. The first 10 are those of the first template.
pub const MATERIAL_COLUMNS: &[(&str, &str)] = &[
    ("基本编码*", "与事项表一致"),
    ("实施主体统一社会信用代码*", "与事项表一致"),
    ("材料名称*", "每行一项材料，按行的先后排列"),
    ("材料类型", "原件 / 复印件 / 原件和复印件 / 电子材料"),
    ("来源渠道", "申请人自备 / 政府部门核发 / 其他"),
    ("原件份数", "整数，默认1"),
    ("复印件份数", "整数，默认0"),
    ("是否必须", "1是 0否，默认1"),
    ("受理标准", ""),
    ("材料要求", ""),
    ("出具机构", ""),
    ("出具时间要求", ""),
    ("材料办理说明", ""),
    ("材料办理地点", ""),
    ("材料使用说明", ""),
    ("空白表格SM3", "已上传文件的SM3摘要，须已在本系统文件库中；新文件请留空，导入后上传"),
    ("示例样表SM3", "同上"),
];

/// Positions in [`MATERIAL_COLUMNS`].
mod mc {
    pub const BASIC_CODE: usize = 0;
    pub const CREDIT: usize = 1;
    pub const NAME: usize = 2;
    pub const KIND: usize = 3;
    pub const SOURCE: usize = 4;
    pub const ORIGINALS: usize = 5;
    pub const COPIES: usize = 6;
    pub const REQUIRED: usize = 7;
    pub const STANDARD: usize = 8;
    pub const REQUIREMENTS: usize = 9;
    pub const ISSUER: usize = 10;
    pub const ISSUE_TIME: usize = 11;
    pub const HOW: usize = 12;
    pub const WHERE: usize = 13;
    pub const USAGE: usize = 14;
    pub const FORM: usize = 15;
    pub const EXAMPLE: usize = 16;
}

/// Columns of the process sheet: one row per step, in the order of the process.
pub const STEP_COLUMNS: &[(&str, &str)] = &[
    ("基本编码*", "与事项表一致"),
    ("实施主体统一社会信用代码*", "与事项表一致"),
    ("环节名称*", "每行一个环节，按行的先后为办理顺序"),
    (
        "办理角色代码*",
        "counter 窗口人员、reviewer 审批人员、dept_head 部门负责人（也可填中文角色名）",
    ),
    ("办理时限（工作日）*", "整数；各环节之和不超过承诺办结时限"),
    ("办理部门统一社会信用代码", "留空即为实施主体；并联审批时为牵头部门"),
    ("特殊环节", "1是 0否，默认0：该环节可启动特别程序（听证、检测、专家评审等）"),
    (
        "并联审批部门",
        "并联审批的协办部门，每个写成“统一社会信用代码:时限”，用分号分隔；时限不超过本环节时限，协办部门不能与办理部门相同",
    ),
];

/// Positions in [`STEP_COLUMNS`].
mod sc {
    pub const BASIC_CODE: usize = 0;
    pub const CREDIT: usize = 1;
    pub const NAME: usize = 2;
    pub const ROLE: usize = 3;
    pub const DAYS: usize = 4;
    pub const DEPT: usize = 5;
    pub const SPECIAL: usize = 6;
    pub const JOINT: usize = 7;
}

/// One bad cell (or row).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellError {
    pub sheet: String,
    /// Excel row number (the header is row 1).
    pub row: usize,
    /// Column letter and header, e.g. "D 事项类型代码"; a rule across fields
    /// names every column it concerns, separated by 、.
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

fn header_name(h: &str) -> &str {
    h.trim().trim_end_matches('*').trim()
}

/// Where the columns of a sheet are in the file, found by their headers.
struct Layout {
    sheet: &'static str,
    columns: &'static [(&'static str, &'static str)],
    /// The position of each column in a row of the range, if the file has it.
    at: Vec<Option<usize>>,
    /// The first column of the range (rows are read from it).
    first_col: usize,
    /// The Excel row number of the header.
    header_row: usize,
}

impl Layout {
    fn of(
        sheet: &'static str,
        columns: &'static [(&'static str, &'static str)],
        range: &calamine::Range<Data>,
    ) -> Layout {
        let (first_row, first_col) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        let header: Vec<String> = range.rows().next().map(|r| r.iter().map(cell_text).collect()).unwrap_or_default();
        let at = columns
            .iter()
            .map(|(h, _)| header.iter().position(|x| !x.is_empty() && header_name(x) == header_name(h)))
            .collect();
        Layout { sheet, columns, at, first_col, header_row: first_row + 1 }
    }

    fn label(&self, col: usize) -> String {
        let name = header_name(self.columns[col].0);
        match self.at[col] {
            Some(i) => format!("{} {name}", col_letter(self.first_col + i)),
            None => name.to_string(),
        }
    }

    fn labels(&self, cols: &[usize]) -> String {
        cols.iter().map(|c| self.label(*c)).collect::<Vec<_>>().join("、")
    }

    /// One error per required column the file lacks.
    fn missing(&self) -> Vec<CellError> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(i, (h, _))| h.ends_with('*') && self.at[*i].is_none())
            .map(|(_, (h, _))| CellError {
                sheet: self.sheet.into(),
                row: self.header_row,
                column: String::new(),
                message: format!("缺少“{}”列，请使用下载的模板", header_name(h)),
            })
            .collect()
    }

    fn error(&self, row: usize, cols: &[usize], message: impl Into<String>) -> CellError {
        CellError { sheet: self.sheet.into(), row, column: self.labels(cols), message: message.into() }
    }
}

struct RowReader<'a> {
    layout: &'a Layout,
    row: usize,
    cells: &'a [Data],
    errors: &'a mut Vec<CellError>,
}

impl RowReader<'_> {
    fn err(&mut self, col: usize, message: impl Into<String>) {
        self.errors.push(self.layout.error(self.row, &[col], message));
    }
    fn present(&self, col: usize) -> bool {
        self.layout.at[col].is_some()
    }
    fn text(&self, col: usize) -> String {
        self.layout.at[col].and_then(|i| self.cells.get(i)).map(cell_text).unwrap_or_default()
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
    fn optional_number(&mut self, col: usize) -> Option<u32> {
        if self.text(col).is_empty() {
            return None;
        }
        Some(self.number(col, None))
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
    /// A department named by its credit code (empty: `None`).
    fn department(&mut self, col: usize, depts: &Departments<'_>) -> Option<i64> {
        let t = self.text(col).to_ascii_uppercase();
        if t.is_empty() {
            return None;
        }
        depts.find(&t).map_err(|m| self.err(col, m)).ok()
    }
    /// The SM3 of a file already in the file store (empty: `None`).
    async fn file(&mut self, col: usize, store: &zwfw_store::Store) -> Option<String> {
        let t = self.text(col).to_ascii_lowercase();
        if t.is_empty() {
            return None;
        }
        if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            self.err(col, format!("“{t}”不是SM3摘要（64位十六进制）"));
            return None;
        }
        if zwfw_store::files::kind_of(store, &t).await.is_err() {
            self.err(col, "本系统文件库中没有该文件：请清空本格，导入后在事项页面上传");
            return None;
        }
        Some(t)
    }
}

/// The departments of the installation, found by credit code.
struct Departments<'a>(&'a [Department]);

impl Departments<'_> {
    fn find(&self, credit: &str) -> Result<i64, String> {
        if CreditCode::parse(credit).is_err() {
            return Err(format!("“{credit}”不是有效的统一社会信用代码"));
        }
        self.0
            .iter()
            .find(|d| d.credit_code == credit)
            .map(|d| d.id)
            .ok_or_else(|| format!("系统中没有统一社会信用代码为{credit}的部门"))
    }
}

fn list(t: &str) -> Vec<String> {
    t.split([',', '，', '、']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// An amount in yuan with at most two decimals, in fen.
fn parse_yuan(t: &str) -> Option<i64> {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty()
        || int.len() > 12
        || frac.len() > 2
        || !(int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(int.parse::<i64>().ok()? * 100 + frac)
}

fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

fn role_of(t: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.code() == t || crate::messages::label("role", r.code()) == t)
}

/// The rows of a material or step sheet that belong to one item, keyed by
/// (基本编码, 统一社会信用代码).
struct Group<T> {
    rows: Vec<(usize, T)>,
    /// Some row has a bad cell (already reported).
    bad: bool,
}

impl<T> Default for Group<T> {
    fn default() -> Self {
        Group { rows: Vec::new(), bad: false }
    }
}

type Key = (String, String);

/// A step as its row says it (no department: the implementing department).
struct StepRow {
    step: Step,
    department: Option<i64>,
}

/// Where an item's steps were written.
enum StepOrigin {
    /// Rows of the 办理流程 sheet; whether each named its department.
    Sheet(Vec<(usize, bool)>),
    /// The column 办理环节 of the item sheet.
    Column,
}

/// Where a content's parts are in the file, to name the cells of a rule broken across fields.
struct Place<'a> {
    items: &'a Layout,
    materials: &'a Layout,
    steps: Option<&'a Layout>,
    row: usize,
    material_rows: Vec<usize>,
    step_origin: StepOrigin,
}

impl Place<'_> {
    /// The step sheet row and layout of step `n` (0-based), when the steps came from that sheet.
    fn step(&self, n: usize) -> Option<(&Layout, usize, bool)> {
        match (&self.step_origin, self.steps) {
            (StepOrigin::Sheet(rows), Some(l)) => rows.get(n).map(|(row, named)| (l, *row, *named)),
            _ => None,
        }
    }

    /// The cells concerned by a broken rule of the content.
    fn locate(&self, e: &ItemError, c: &ItemContent) -> CellError {
        let text = crate::messages::item_error_text(e);
        let item = |cols: &[usize], message: String| self.items.error(self.row, cols, message);
        match e {
            ItemError::Required { field } | ItemError::TooLong { field, .. } => {
                let bad = |s: &str, max: usize| s.trim().is_empty() || s.chars().count() > max;
                match *field {
                    "material_name" => {
                        let n = c.materials.iter().position(|m| bad(&m.name, 200)).unwrap_or(0);
                        let row = self.material_rows.get(n).copied().unwrap_or(0);
                        self.materials.error(row, &[mc::NAME], text)
                    }
                    "step_name" => {
                        let n = c.steps.iter().position(|s| bad(&s.name, 50)).unwrap_or(0);
                        match self.step(n) {
                            Some((l, row, _)) => l.error(row, &[sc::NAME], text),
                            None => item(&[ic::STEPS], text),
                        }
                    }
                    f => item(&[field_column(f)], text),
                }
            }
            ItemError::BasicCode => item(&[ic::BASIC_CODE], text),
            ItemError::PromisedOverLegal { .. } => item(&[ic::LEGAL, ic::PROMISED], text),
            ItemError::SameDayLimit => item(&[ic::CASE_TYPE, ic::PROMISED], text),
            ItemError::StepsOverPromised { .. } => match (self.step(0), self.step(c.steps.len().saturating_sub(1))) {
                (Some((l, first, _)), Some((_, last, _))) => CellError {
                    column: format!(
                        "{}；“{STEP_SHEET}”表第{first}—{last}行 {}",
                        self.items.label(ic::PROMISED),
                        l.label(sc::DAYS)
                    ),
                    ..item(&[], text)
                },
                _ => item(&[ic::PROMISED, ic::STEPS], text),
            },
            ItemError::JointOverStep { step } => match self.step(step - 1) {
                Some((l, row, _)) => l.error(row, &[sc::DAYS, sc::JOINT], text),
                None => item(&[ic::STEPS], text),
            },
            ItemError::JointDuplicate { step } => match (self.step(step - 1), c.steps.get(step - 1)) {
                (Some((l, row, named)), Some(s)) => {
                    // The lead department among the co-departments, or one co-department twice.
                    if !s.joint.iter().any(|j| j.department_id == s.department_id) {
                        return l.error(row, &[sc::JOINT], text);
                    }
                    let text = if named {
                        text
                    } else {
                        format!(
                            "{text}（本环节未填办理部门，即为实施主体：“{ITEM_SHEET}”表第{}行 {}）",
                            self.row,
                            self.items.label(ic::CREDIT)
                        )
                    };
                    l.error(row, &[sc::DEPT, sc::JOINT], text)
                }
                _ => item(&[ic::STEPS], text),
            },
            ItemError::Empty { field } => item(
                &[match *field {
                    "service_objects" => ic::OBJECTS,
                    "handling_modes" => ic::MODES,
                    "steps" => ic::STEPS,
                    _ => ic::BASIC_CODE,
                }],
                text,
            ),
            ItemError::FeeWithoutStandard => item(&[ic::FEE, ic::FEE_STANDARD, ic::FEE_BASIS], text),
            ItemError::FormFieldDuplicate { .. } | ItemError::ChoiceWithoutOptions { .. } => {
                item(&[ic::FORM_FIELDS], text)
            }
        }
    }
}

/// The item column of a text field the content rules check.
fn field_column(field: &str) -> usize {
    match field {
        "name" => ic::NAME,
        "sub_name" => ic::SUB_NAME,
        "legal_basis" => ic::LEGAL_BASIS,
        "acceptance_conditions" => ic::ACCEPTANCE,
        "result_name" => ic::RESULT,
        "location" => ic::LOCATION,
        "office_hours" => ic::HOURS,
        "enquiry_phone" => ic::ENQUIRY,
        "supervision_phone" => ic::SUPERVISION,
        "faq" => ic::FAQ,
        "form_field" | "form_fields" => ic::FORM_FIELDS,
        _ => ic::NAME,
    }
}

fn file_error(message: String) -> Vec<CellError> {
    vec![CellError { sheet: String::new(), row: 0, column: String::new(), message }]
}

/// Parses the workbook into contents (keyed by row), collecting every error.
async fn parse(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Vec<(usize, ItemContent, String)>, Vec<CellError>> {
    let store = &ctx.state.store;
    let mut errors = Vec::new();
    let Ok(mut wb) = Xlsx::new(Cursor::new(bytes.to_vec())) else {
        return Err(file_error("文件不是有效的Excel工作簿（.xlsx），请使用下载的模板".into()));
    };
    let (Ok(items), Ok(mats)) = (wb.worksheet_range(ITEM_SHEET), wb.worksheet_range(MATERIAL_SHEET)) else {
        return Err(file_error(format!("工作簿须包含“{ITEM_SHEET}”和“{MATERIAL_SHEET}”两个工作表，请使用下载的模板")));
    };
    let step_range = if wb.sheet_names().iter().any(|n| n == STEP_SHEET) {
        match wb.worksheet_range(STEP_SHEET) {
            Ok(r) => Some(r),
            Err(_) => return Err(file_error(format!("无法读取“{STEP_SHEET}”工作表"))),
        }
    } else {
        None
    };
    let item_layout = Layout::of(ITEM_SHEET, ITEM_COLUMNS, &items);
    let mat_layout = Layout::of(MATERIAL_SHEET, MATERIAL_COLUMNS, &mats);
    let step_layout = step_range.as_ref().map(|r| Layout::of(STEP_SHEET, STEP_COLUMNS, r));
    errors.extend(item_layout.missing());
    errors.extend(mat_layout.missing());
    if let Some(l) = &step_layout {
        errors.extend(l.missing());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let dept_list = store_admin::list_departments(store).await.unwrap_or_default();
    let depts = Departments(&dept_list);

    // Materials and steps first, grouped by (basic code, credit code).
    let mut materials: HashMap<Key, Group<Material>> = HashMap::new();
    for (i, row) in data_rows(&mats) {
        let before = errors.len();
        let mut r = RowReader { layout: &mat_layout, row: i, cells: row, errors: &mut errors };
        let key = (r.required(mc::BASIC_CODE), r.required(mc::CREDIT).to_ascii_uppercase());
        let m = Material {
            name: r.required(mc::NAME),
            kind: r.text(mc::KIND),
            source: r.text(mc::SOURCE),
            issuer: r.text(mc::ISSUER),
            issue_time_requirement: r.text(mc::ISSUE_TIME),
            how_to_obtain: r.text(mc::HOW),
            where_to_obtain: r.text(mc::WHERE),
            usage_notes: r.text(mc::USAGE),
            acceptance_standard: r.text(mc::STANDARD),
            requirements: r.text(mc::REQUIREMENTS),
            originals: r.number(mc::ORIGINALS, Some(1)),
            copies: r.number(mc::COPIES, Some(0)),
            required: r.flag(mc::REQUIRED, Some(true)),
            form_sm3: r.file(mc::FORM, store).await,
            example_sm3: r.file(mc::EXAMPLE, store).await,
        };
        let g = materials.entry(key).or_default();
        g.rows.push((i, m));
        g.bad |= errors.len() > before;
    }
    let mut steps_of: HashMap<Key, Group<StepRow>> = HashMap::new();
    if let (Some(range), Some(layout)) = (&step_range, &step_layout) {
        for (i, row) in data_rows(range) {
            let before = errors.len();
            let mut r = RowReader { layout, row: i, cells: row, errors: &mut errors };
            let key = (r.required(sc::BASIC_CODE), r.required(sc::CREDIT).to_ascii_uppercase());
            let name = r.required(sc::NAME);
            let role_text = r.required(sc::ROLE);
            let role = role_of(&role_text);
            if role.is_none() && !role_text.is_empty() {
                r.err(sc::ROLE, format!("“{role_text}”不是角色代码（如 counter、reviewer、dept_head）"));
            }
            let limit_days = r.number(sc::DAYS, None);
            let department = r.department(sc::DEPT, &depts);
            let may_suspend = r.flag(sc::SPECIAL, Some(false));
            let mut joint = Vec::new();
            for part in r.text(sc::JOINT).split([';', '；', ',', '，', '、']).map(str::trim).filter(|p| !p.is_empty())
            {
                let Some((credit, days)) = part.split_once([':', '：']) else {
                    r.err(sc::JOINT, format!("“{part}”应写成“统一社会信用代码:时限”"));
                    continue;
                };
                let credit = credit.trim().to_ascii_uppercase();
                match (depts.find(&credit), days.trim().parse::<u32>()) {
                    (Ok(id), Ok(days)) => joint.push(CoReview { department_id: id, limit_days: days }),
                    (Err(m), _) => r.err(sc::JOINT, m),
                    (_, Err(_)) => r.err(sc::JOINT, format!("“{part}”的时限“{}”不是整数", days.trim())),
                }
            }
            let step = Step {
                name,
                department_id: department.unwrap_or_default(),
                role: role.unwrap_or(Role::Reviewer),
                limit_days,
                may_suspend,
                joint,
            };
            let g = steps_of.entry(key).or_default();
            g.rows.push((i, StepRow { step, department }));
            g.bad |= errors.len() > before;
        }
    }

    let mut out = Vec::new();
    let mut seen_codes = std::collections::HashSet::new();
    for (i, row) in data_rows(&items) {
        let before = errors.len();
        let mut r = RowReader { layout: &item_layout, row: i, cells: row, errors: &mut errors };
        let name = r.required(ic::NAME);
        let basic_code = r.required(ic::BASIC_CODE);
        let item_type = r.code(ic::ITEM_TYPE, ItemType::parse, "事项类型代码（A.1）");
        let legal_basis = r.required(ic::LEGAL_BASIS);
        let level = r.code(ic::LEVEL, ExerciseLevel::parse, "行使层级代码（A.2）");
        let credit = r.required(ic::CREDIT).to_ascii_uppercase();
        let dept = if credit.is_empty() {
            None
        } else {
            match depts.find(&credit) {
                Err(m) => {
                    r.err(ic::CREDIT, m);
                    None
                }
                Ok(d) if ctx.actor.is_some_and(|a| !zwfw_domain::access::catalog::may_author(a, d)) => {
                    r.err(ic::CREDIT, "您无权为该部门录入事项");
                    None
                }
                Ok(d) => Some(d),
            }
        };
        let nature = r.code(ic::NATURE, SubjectNature::parse, "实施主体性质代码（A.3）");
        let legal = r.number(ic::LEGAL, None);
        let promised = r.number(ic::PROMISED, None);
        let case_type = r.code(ic::CASE_TYPE, CaseType::parse, "办件类型代码（A.6）");
        let acceptance = r.required(ic::ACCEPTANCE);
        let result = r.required(ic::RESULT);
        let fee = r.flag(ic::FEE, None);
        let objects = r.codes(ic::OBJECTS, ServiceObject::parse, "服务对象代码（A.4）");
        let modes_text = r.text(ic::MODES);
        let modes = r.codes(ic::MODES, HandlingMode::parse, "办理形式代码（A.5）");
        let location = r.required(ic::LOCATION);
        let hours = r.required(ic::HOURS);
        let enquiry = r.required(ic::ENQUIRY);
        let supervision = r.required(ic::SUPERVISION);
        let mut form_fields = Vec::new();
        for part in r.text(ic::FORM_FIELDS).split([';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
            let f: Vec<&str> = part.split([':', '：']).collect();
            match zwfw_domain::catalog::FormField::from_parts(&f) {
                Some(field) => form_fields.push(field),
                None => r.err(ic::FORM_FIELDS, format!("申请表字段“{part}”应写成“名称:类型:必填/选填[:选项]”")),
            }
        }
        let mut co_department_ids = Vec::new();
        for credit in r.text(ic::CO_DEPTS).split([',', '，', '、', ';', '；']).map(str::trim).filter(|p| !p.is_empty())
        {
            match depts.find(&credit.to_ascii_uppercase()) {
                Ok(id) => co_department_ids.push(id),
                Err(m) => r.err(ic::CO_DEPTS, m),
            }
        }
        let fee_amount_text = r.text(ic::FEE_AMOUNT);
        let fee_amount_fen = if fee_amount_text.is_empty() {
            None
        } else {
            let v = parse_yuan(&fee_amount_text);
            if v.is_none() {
                r.err(ic::FEE_AMOUNT, format!("“{fee_amount_text}”不是金额（元，最多两位小数）"));
            }
            v
        };
        let special_procedure_max_days = r.optional_number(ic::SPECIAL_MAX);
        let extension_moves_promised = r.flag(ic::EXTENSION, Some(false));
        let appointment = r.flag(ic::APPOINTMENT, Some(false));
        let online_payment = r.flag(ic::ONLINE_PAYMENT, Some(false));
        let courier = r.flag(ic::COURIER, Some(false));
        let online = r.flag(ic::ONLINE, Some(modes_online(&modes_text)));
        let visits = r.number(ic::VISITS, Some(1));
        let result_sample_sm3 = r.file(ic::RESULT_SAMPLE, store).await;

        let key = (basic_code.clone(), credit.clone());
        let mats = materials.remove(&key).unwrap_or_default();
        if mats.rows.is_empty() && !basic_code.is_empty() {
            r.err(ic::BASIC_CODE, format!("“{MATERIAL_SHEET}”表中没有该事项（基本编码{basic_code}）的材料"));
        }
        let step_rows = steps_of.remove(&key);
        let inline = r.text(ic::STEPS);
        let mut steps = Vec::new();
        let mut steps_bad = false;
        let step_origin = match step_rows {
            Some(g) if inline.is_empty() => {
                steps_bad = g.bad;
                let origin = StepOrigin::Sheet(g.rows.iter().map(|(row, s)| (*row, s.department.is_some())).collect());
                steps = g
                    .rows
                    .into_iter()
                    .map(|(_, s)| Step { department_id: s.department.or(dept).unwrap_or_default(), ..s.step })
                    .collect();
                origin
            }
            Some(_) => {
                r.err(ic::STEPS, format!("该事项的环节已在“{STEP_SHEET}”表中列出，本列须留空（环节只在一处填写）"));
                StepOrigin::Column
            }
            None if inline.is_empty() => {
                r.err(
                    ic::STEPS,
                    format!("该事项没有环节：请在“{STEP_SHEET}”表中逐行填写，或在本列按“名称:角色代码:时限”填写"),
                );
                StepOrigin::Column
            }
            None => {
                for part in inline.split([';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
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
                            _ => r.err(ic::STEPS, format!("环节“{part}”的角色代码或时限不正确")),
                        },
                        ([_, _, _], None) => {}
                        _ => r.err(ic::STEPS, format!("环节“{part}”应写成“名称:角色代码:时限”")),
                    }
                }
                StepOrigin::Column
            }
        };
        let process_description = if r.present(ic::PROCESS) {
            r.text(ic::PROCESS)
        } else {
            steps.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(" → ")
        };
        if errors.len() > before || mats.bad || steps_bad {
            continue;
        }
        let (Some(item_type), Some(level), Some(dept), Some(nature), Some(case_type)) =
            (item_type, level, dept, nature, case_type)
        else {
            continue;
        };
        let r = RowReader { layout: &item_layout, row: i, cells: row, errors: &mut errors };
        let content = ItemContent {
            name,
            sub_name: r.text(ic::SUB_NAME),
            basic_code,
            item_type,
            legal_basis,
            exercise_level: level,
            authority_division: r.text(ic::AUTHORITY),
            content_exercised: r.text(ic::CONTENT),
            department_id: dept,
            subject_nature: nature,
            legal_limit_days: legal,
            legal_limit_note: r.text(ic::LEGAL_NOTE),
            promised_limit_days: promised,
            promised_limit_note: r.text(ic::PROMISED_NOTE),
            case_type,
            acceptance_conditions: acceptance,
            process_description,
            co_department_ids,
            handling_office: r.text(ic::OFFICE),
            intermediary_services: r.text(ic::INTERMEDIARY),
            quantity_limit: r.text(ic::QUANTITY),
            result_name: result,
            result_type: r.text(ic::RESULT_TYPE),
            result_delivery: r.text(ic::RESULT_DELIVERY),
            result_sample_sm3,
            fee,
            fee_standard: r.text(ic::FEE_STANDARD),
            fee_amount_fen,
            fee_basis: r.text(ic::FEE_BASIS),
            scope: r.text(ic::SCOPE),
            service_objects: objects,
            themes: list(&r.text(ic::THEMES)),
            handling_modes: modes,
            special_procedures: list(&r.text(ic::SPECIAL)),
            special_procedure_max_days,
            extension_moves_promised,
            jurisdiction: r.text(ic::JURISDICTION),
            appointment,
            online_payment,
            courier,
            online,
            online_url: r.text(ic::ONLINE_URL),
            system_level: r.text(ic::SYSTEM_LEVEL),
            location,
            traffic_guide: r.text(ic::TRAFFIC),
            office_hours: hours,
            visits,
            enquiry_channels: r.text(ic::CHANNELS),
            enquiry_phone: enquiry,
            supervision_phone: supervision,
            faq: r.text(ic::FAQ),
            materials: mats.rows.iter().map(|(_, m)| m.clone()).collect(),
            steps,
            form_fields,
        };
        if let Err(e) = content.validate() {
            let place = Place {
                items: &item_layout,
                materials: &mat_layout,
                steps: step_layout.as_ref(),
                row: i,
                material_rows: mats.rows.iter().map(|(row, _)| *row).collect(),
                step_origin,
            };
            errors.push(place.locate(&e, &content));
            continue;
        }
        let code = match crate::catalog::checked_code(ctx, &content).await {
            Ok(c) => c,
            Err(e) => {
                errors.push(item_layout.error(i, &[ic::CREDIT], e.message()));
                continue;
            }
        };
        if !seen_codes.insert(code.clone()) {
            errors.push(item_layout.error(
                i,
                &[ic::BASIC_CODE, ic::LEVEL, ic::CREDIT],
                "同一部门同一行使层级的基本编码在文件中重复",
            ));
            continue;
        }
        if zwfw_store::catalog::find_item_by_code(store, &code).await.ok().flatten().is_some() {
            errors.push(item_layout.error(
                i,
                &[ic::BASIC_CODE],
                format!("实施编码{code}的事项已存在，请通过“发起变更”修改"),
            ));
            continue;
        }
        out.push((i, content, code));
    }
    let orphan = |layout: &Layout, row: usize, (basic, credit): &Key| {
        layout.error(row, &[0, 1], format!("对应的事项（基本编码{basic}，实施主体{credit}）不在“{ITEM_SHEET}”表中"))
    };
    let mut orphans: Vec<CellError> =
        materials.iter().filter_map(|(k, g)| g.rows.first().map(|(row, _)| orphan(&mat_layout, *row, k))).collect();
    if let Some(l) = &step_layout {
        orphans.extend(steps_of.iter().filter_map(|(k, g)| g.rows.first().map(|(row, _)| orphan(l, *row, k))));
    }
    orphans.sort_by(|a, b| (&a.sheet, a.row).cmp(&(&b.sheet, b.row)));
    errors.extend(orphans);
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
fn data_rows(range: &calamine::Range<Data>) -> Vec<(usize, &[Data])> {
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
    if !ctx.actor.is_some_and(zwfw_domain::access::catalog::may_import) {
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

/// The rules of the file, after the columns in the 说明 sheet.
const NOTES: &[&str] = &[
    "导入规则：整个文件全部正确才会导入；任何一处错误都会列出所在工作表、行、列和原因，文件中的事项均不保存。导入的事项为草稿，须经法制审核和中心审批后发布。",
    "“申请材料”表和“办理流程”表的每一行以基本编码和实施主体统一社会信用代码对应“事项”表中的事项，行的先后即材料和环节的顺序。",
    "并联审批：在环节的“并联审批部门”列填写协办部门及其时限，本环节的办理部门为牵头部门。",
    "各列按第一行的列标题识别。早期模板的文件（“事项”表只到“申请表字段”列、“申请材料”表只到“材料要求”列、没有“办理流程”表）仍可导入：环节取“办理环节”列，缺少的列取默认值。",
    "附件（空白表格、示例样表、结果样本）以SM3摘要引用本系统文件库中已有的文件，文件本身不在工作簿中。",
];

fn notes_sheet(wb: &mut rust_xlsxwriter::Workbook) -> Result<(), rust_xlsxwriter::XlsxError> {
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

fn yn(b: bool) -> String {
    if b { "1" } else { "0" }.into()
}

/// The credit codes of departments, by id (an unknown id gives a text the
/// import refuses, never an empty cell).
struct Credits<'a>(&'a [Department]);

impl Credits<'_> {
    fn of(&self, id: i64) -> String {
        self.0.iter().find(|d| d.id == id).map(|d| d.credit_code.clone()).unwrap_or_else(|| format!("未知部门{id}"))
    }
}

fn item_row(c: &ItemContent, credits: &Credits<'_>) -> Vec<String> {
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
    r
}

fn material_row(c: &ItemContent, credit: &str, m: &Material) -> Vec<String> {
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
    r
}

fn step_row(c: &ItemContent, credit: &str, s: &Step, credits: &Credits<'_>) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_positions_match_the_headers() {
        assert_eq!(ITEM_COLUMNS.len(), ic::CHANNELS + 1);
        assert_eq!(MATERIAL_COLUMNS.len(), mc::EXAMPLE + 1);
        assert_eq!(STEP_COLUMNS.len(), sc::JOINT + 1);
        let h = |cols: &[(&str, &str)], i: usize| header_name(cols[i].0).to_string();
        assert_eq!(h(ITEM_COLUMNS, ic::FORM_FIELDS), "申请表字段");
        assert_eq!(h(ITEM_COLUMNS, ic::CO_DEPTS), "共同实施部门统一社会信用代码");
        assert_eq!(h(ITEM_COLUMNS, ic::CHANNELS), "咨询方式");
        assert_eq!(h(MATERIAL_COLUMNS, mc::REQUIREMENTS), "材料要求");
        assert_eq!(h(STEP_COLUMNS, sc::JOINT), "并联审批部门");
        let mut names: Vec<String> = ITEM_COLUMNS.iter().map(|c| header_name(c.0).to_string()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ITEM_COLUMNS.len(), "headers are unique");
    }

    #[test]
    fn amounts_in_yuan() {
        assert_eq!(parse_yuan("80"), Some(8000));
        assert_eq!(parse_yuan("80.5"), Some(8050));
        assert_eq!(parse_yuan("0.05"), Some(5));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-1"), None);
        assert_eq!(parse_yuan(".5"), None);
        for fen in [0, 5, 8000, 8050, 123_456_789] {
            assert_eq!(parse_yuan(&format_yuan(fen)), Some(fen));
        }
    }
}
