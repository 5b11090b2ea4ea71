//! Reading cells: column letters, cell text, the header layout, a row reader, departments by credit code, amounts in yuan, groups of rows and where an error is.

use super::*;

pub(super) fn col_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

pub(super) fn cell_text(d: &Data) -> String {
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

pub(super) fn header_name(h: &str) -> &str {
    h.trim().trim_end_matches('*').trim()
}

/// Where the columns of a sheet are in the file, found by their headers.
pub(super) struct Layout {
    pub(super) sheet: &'static str,
    pub(super) columns: &'static [(&'static str, &'static str)],
    /// The position of each column in a row of the range, if the file has it.
    pub(super) at: Vec<Option<usize>>,
    /// The first column of the range (rows are read from it).
    pub(super) first_col: usize,
    /// The Excel row number of the header.
    pub(super) header_row: usize,
}

impl Layout {
    pub(super) fn of(
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

    pub(super) fn label(&self, col: usize) -> String {
        let name = header_name(self.columns[col].0);
        match self.at[col] {
            Some(i) => format!("{} {name}", col_letter(self.first_col + i)),
            None => name.to_string(),
        }
    }

    pub(super) fn labels(&self, cols: &[usize]) -> String {
        cols.iter().map(|c| self.label(*c)).collect::<Vec<_>>().join("、")
    }

    /// One error per required column the file lacks.
    pub(super) fn missing(&self) -> Vec<CellError> {
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

    pub(super) fn error(&self, row: usize, cols: &[usize], message: impl Into<String>) -> CellError {
        CellError { sheet: self.sheet.into(), row, column: self.labels(cols), message: message.into() }
    }
}

pub(super) struct RowReader<'a> {
    pub(super) layout: &'a Layout,
    pub(super) row: usize,
    pub(super) cells: &'a [Data],
    pub(super) errors: &'a mut Vec<CellError>,
}

impl RowReader<'_> {
    /// The departments a cell names by 统一社会信用代码 (separated by commas,
    /// 、 or semicolons); each one the system lacks is reported.
    pub(super) fn departments(&mut self, col: usize, depts: &Departments<'_>) -> Vec<i64> {
        let mut out = Vec::new();
        let text = self.text(col);
        for credit in text.split([',', '，', '、', ';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
            match depts.find(&credit.to_ascii_uppercase()) {
                Ok(id) => out.push(id),
                Err(m) => self.err(col, m),
            }
        }
        out
    }

    pub(super) fn err(&mut self, col: usize, message: impl Into<String>) {
        self.errors.push(self.layout.error(self.row, &[col], message));
    }
    pub(super) fn present(&self, col: usize) -> bool {
        self.layout.at[col].is_some()
    }
    pub(super) fn text(&self, col: usize) -> String {
        self.layout.at[col].and_then(|i| self.cells.get(i)).map(cell_text).unwrap_or_default()
    }
    pub(super) fn required(&mut self, col: usize) -> String {
        let t = self.text(col);
        if t.is_empty() {
            self.err(col, "必填，不能为空");
        }
        t
    }
    pub(super) fn number(&mut self, col: usize, default: Option<u32>) -> u32 {
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
    pub(super) fn optional_number(&mut self, col: usize) -> Option<u32> {
        if self.text(col).is_empty() {
            return None;
        }
        Some(self.number(col, None))
    }
    pub(super) fn flag(&mut self, col: usize, default: Option<bool>) -> bool {
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
    pub(super) fn code<T: Copy>(&mut self, col: usize, parse: fn(&str) -> Option<T>, list: &str) -> Option<T> {
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
    pub(super) fn codes<T: Copy>(&mut self, col: usize, parse: fn(&str) -> Option<T>, list: &str) -> Vec<T> {
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
    pub(super) fn department(&mut self, col: usize, depts: &Departments<'_>) -> Option<i64> {
        let t = self.text(col).to_ascii_uppercase();
        if t.is_empty() {
            return None;
        }
        depts.find(&t).map_err(|m| self.err(col, m)).ok()
    }
    /// The SM3 of a file already in the file store (empty: `None`).
    pub(super) async fn file(&mut self, col: usize, store: &zwfw_store::Store) -> Option<String> {
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
pub(super) struct Departments<'a>(pub(super) &'a [Department]);

impl Departments<'_> {
    pub(super) fn find(&self, credit: &str) -> Result<i64, String> {
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

pub(super) fn list(t: &str) -> Vec<String> {
    t.split([',', '，', '、']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// An amount in yuan with at most two decimals, in fen.
pub(super) fn parse_yuan(t: &str) -> Option<i64> {
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

pub(super) fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

pub(super) fn role_of(t: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.code() == t || crate::messages::label("role", r.code()) == t)
}

/// Whether `role` may be a step's role: a working role
/// ([`zwfw_domain::access::operator::acts_at_steps`]).
pub(super) fn at_steps(role: Role) -> bool {
    zwfw_domain::access::operator::acts_at_steps(role)
}

/// Why `role` (written `text`) is not a step's role, in the import's words.
pub(super) fn not_at_steps(role: Role, text: &str) -> String {
    let label = crate::messages::label("role", role.code());
    format!("“{text}”（{label}）不办理事项的环节：环节的角色应为窗口人员、审批人员、部门负责人或法制审核")
}

/// The rows of a material or step sheet that belong to one item, keyed by
/// (基本编码, 统一社会信用代码).
pub(super) struct Group<T> {
    pub(super) rows: Vec<(usize, T)>,
    /// Some row has a bad cell (already reported).
    pub(super) bad: bool,
}

impl<T> Default for Group<T> {
    fn default() -> Self {
        Group { rows: Vec::new(), bad: false }
    }
}

pub(super) type Key = (String, String);

/// A step as its row says it (no department: the implementing department).
pub(super) struct StepRow {
    pub(super) step: Step,
    pub(super) department: Option<i64>,
}

/// Where an item's steps were written.
pub(super) enum StepOrigin {
    /// Rows of the 办理流程 sheet; whether each named its department.
    Sheet(Vec<(usize, bool)>),
    /// The column 办理环节 of the item sheet.
    Column,
}

/// Where a content's parts are in the file, to name the cells of a rule broken across fields.
pub(super) struct Place<'a> {
    pub(super) items: &'a Layout,
    pub(super) materials: &'a Layout,
    pub(super) steps: Option<&'a Layout>,
    pub(super) row: usize,
    pub(super) material_rows: Vec<usize>,
    pub(super) step_origin: StepOrigin,
}

impl Place<'_> {
    /// The step sheet row and layout of step `n` (0-based), when the steps came from that sheet.
    pub(super) fn step(&self, n: usize) -> Option<(&Layout, usize, bool)> {
        match (&self.step_origin, self.steps) {
            (StepOrigin::Sheet(rows), Some(l)) => rows.get(n).map(|(row, named)| (l, *row, *named)),
            _ => None,
        }
    }

    /// The cells concerned by a broken rule of the content.
    pub(super) fn locate(&self, e: &ItemError, c: &ItemContent) -> CellError {
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
            ItemError::StepRole { step } => match self.step(step - 1) {
                Some((l, row, _)) => l.error(row, &[sc::ROLE], text),
                None => item(&[ic::STEPS], text),
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
            ItemError::MaterialLicenseType { name } | ItemError::MaterialRegistry { name } => {
                let n = c.materials.iter().position(|m| &m.name == name).unwrap_or(0);
                let row = self.material_rows.get(n).copied().unwrap_or(0);
                let column =
                    if matches!(e, ItemError::MaterialRegistry { .. }) { mc::REGISTRY } else { mc::LICENSE_TYPE };
                self.materials.error(row, &[column], text)
            }
            ItemError::FormFieldDuplicate { .. } | ItemError::ChoiceWithoutOptions { .. } => {
                item(&[ic::FORM_FIELDS], text)
            }
        }
    }
}

/// The item column of a text field the content rules check.
pub(super) fn field_column(field: &str) -> usize {
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

pub(super) fn file_error(message: String) -> Vec<CellError> {
    vec![CellError { sheet: String::new(), row: 0, column: String::new(), message }]
}
