//! The national exchange tables this platform writes into the 前置库 (and
//! the two feedback tables it creates beside them): their names and columns
//! exactly as the national interface declares them (see
//! `docs/areas/exchange.md`), the envelope every row carries, and the check
//! of a row against the columns' types and lengths.

use crate::codes::code_list;

code_list!(
    /// A national table the platform reports into.
    Table {
        /// 办件受理信息
        ProAccept = "up_pro_accept": "办件受理信息",
        /// 办件过程信息
        ProProcess = "up_pro_process": "办件过程信息",
        /// 特别程序信息
        ProSpecialProcedure = "up_pro_special_procedure": "特别程序信息",
        /// 材料目录信息
        ProMaterial = "up_pro_material": "材料目录信息",
        /// 办件结果信息
        ProResult = "up_pro_result": "办件结果信息",
        /// 电子证照目录信息
        LicData = "up_lic_data": "电子证照目录信息",
    }
);

/// A column's type in the national DDL (MySQL spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// `varchar(n)`: at most n characters.
    Varchar(u32),
    /// `datetime` (local time, Asia/Shanghai).
    Datetime,
    /// `int(n)`.
    Int,
    /// `longtext`.
    LongText,
}

impl ColType {
    /// The type as MySQL/MariaDB DDL writes it.
    pub fn mysql(self) -> String {
        match self {
            ColType::Varchar(n) => format!("varchar({n})"),
            ColType::Datetime => "datetime".into(),
            ColType::Int => "int(10)".into(),
            ColType::LongText => "longtext".into(),
        }
    }

    /// The type as PostgreSQL DDL writes it.
    pub fn postgres(self) -> String {
        match self {
            ColType::Varchar(n) => format!("varchar({n})"),
            ColType::Datetime => "timestamp".into(),
            ColType::Int => "integer".into(),
            ColType::LongText => "text".into(),
        }
    }

    /// The base type name as `information_schema.columns.data_type` gives it
    /// (MySQL/MariaDB, PostgreSQL) and the character length, if any.
    pub fn schema_name(self, postgres: bool) -> (&'static str, Option<i64>) {
        match (self, postgres) {
            (ColType::Varchar(n), false) => ("varchar", Some(i64::from(n))),
            (ColType::Varchar(n), true) => ("character varying", Some(i64::from(n))),
            (ColType::Datetime, false) => ("datetime", None),
            (ColType::Datetime, true) => ("timestamp without time zone", None),
            (ColType::Int, false) => ("int", None),
            (ColType::Int, true) => ("integer", None),
            (ColType::LongText, false) => ("longtext", None),
            (ColType::LongText, true) => ("text", None),
        }
    }
}

/// One column of a national table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColType,
    /// `NOT NULL` in the national DDL.
    pub required: bool,
    /// The national 注释.
    pub comment: &'static str,
}

const fn c(name: &'static str, ty: ColType, required: bool, comment: &'static str) -> Column {
    Column { name, ty, required, comment }
}

use ColType::{Datetime as DT, Int, LongText as LT, Varchar as V};

/// The envelope columns (同步字段), in the national order.
pub const ROW_GUID: Column = c("row_guid", V(50), true, "记录唯一标识");
pub const SYNC: [Column; 4] = [
    c("cd_batch", V(32), true, "批次号"),
    c("cd_operation", V(2), true, "同步类型"),
    c("cd_time", DT, true, "同步时间"),
    c("data_source", V(3), true, "数据来源"),
];

const ACCEPT: &[Column] = &[
    c("accept_date", DT, true, "受理时间"),
    c("accept_doc_no", V(50), false, "受理文书编号"),
    c("address", V(1000), false, "通讯地址"),
    c("apply_date", DT, true, "申请时间"),
    c("apply_type", V(2), true, "申请类型"),
    c("applyer_name", V(100), true, "申请人名称"),
    c("applyer_page_code", V(500), true, "申请人证件号码"),
    c("applyer_page_type", V(70), true, "申请人证件类型"),
    c("applyer_type", V(2), true, "申请人类型"),
    c("catalog_code", V(12), true, "基本编码"),
    c("contact_code", V(50), false, "联系人/代理人证件号码"),
    c("contact_mobile", V(11), false, "联系人手机号码"),
    c("contact_name", V(100), false, "联系人/代理人姓名"),
    c("contact_type", V(6), false, "联系人/代理人证件类型"),
    c("handle_user_name", V(100), false, "受理人员"),
    c("legal", V(100), false, "法定代表人"),
    c("local_catalog_code", V(50), false, "地方基本编码"),
    c("local_task_code", V(50), false, "地方实施编码"),
    c("org_code", V(18), true, "受理部门编码"),
    c("org_name", V(100), true, "受理部门"),
    c("project_name", V(1000), false, "办理摘要"),
    c("project_no", V(50), true, "办件编号"),
    c("project_type", V(2), true, "办理类型"),
    c("promise_date", DT, false, "承诺办结时间"),
    c("task_code", V(36), true, "实施编码"),
    c("task_handle_item", V(50), false, "业务办理项编码"),
    c("task_name", V(1000), true, "事项名称"),
    c("task_version", Int, true, "事项版本"),
    c("zip_code", V(6), false, "邮编"),
];

const PROCESS: &[Column] = &[
    c("event_end_time", DT, true, "环节结束时间"),
    c("event_name", V(2), true, "业务动作"),
    c("event_start_time", DT, true, "环节开始时间"),
    c("handle_explain", V(2000), true, "办理意见"),
    c("handle_user_name", V(100), true, "受理人员"),
    c("process_name", V(1000), true, "办理环节名称"),
    c("project_no", V(50), true, "办件编号"),
    c("remark", LT, false, "备注"),
];

const RESULT: &[Column] = &[
    c("handle_user_name", V(100), false, "受理人员"),
    c("is_delivery_results", V(2), true, "是否快递递送结果"),
    c("project_no", V(50), true, "办件编号"),
    c("remark", V(1000), false, "备注"),
    c("result_cetr_name", LT, false, "结果证照名称"),
    c("result_cetr_no", V(2000), false, "结果证照编号"),
    c("result_date", DT, true, "办结时间"),
    c("result_explain", V(2000), false, "办件结果描述"),
    c("result_type", V(2), true, "办结结果"),
    c("satisfaction", V(2), false, "满意度"),
];

const SPECIAL: &[Column] = &[
    c("applyer_user_name", V(100), false, "申请人"),
    c("end_time", DT, true, "特别程序结束时间"),
    c("handle_user", V(100), false, "办理人"),
    c("project_no", V(50), true, "办件编号"),
    c("remark", V(1000), false, "备注"),
    c("result", V(2000), false, "特别程序结果"),
    c("special_explain", V(2000), false, "特别程序办理意见"),
    c("special_name", V(1000), true, "特别程序种类名称"),
    c("special_reason", V(2000), true, "特别程序启动理由或依据"),
    c("special_time", DT, true, "特别程序开始时间"),
    c("special_type", V(2), true, "特别程序种类"),
];

const MATERIAL: &[Column] = &[
    c("get_name", V(5), false, "收取数量"),
    c("get_type", V(2), false, "收取方式"),
    c("material_attach_name", V(200), false, "附件名称"),
    c("material_name", V(200), true, "材料名称"),
    c("project_no", V(50), true, "办件编号"),
    c("remark", V(1000), false, "备注"),
];

const LIC_DATA: &[Column] = &[
    c("certificate_area_code", V(32), true, "证照所属管辖属地编码"),
    c("certificate_holder", LT, true, "持证主体"),
    c("certificate_holder_code", LT, true, "持证主体代码"),
    c("certificate_holder_type", V(2000), false, "持证主体代码类型"),
    c("certificate_name", V(512), true, "证照名称"),
    c("certificate_number", V(128), true, "证照编码"),
    c("certificate_source_id", V(128), true, "电子证照源标识"),
    c("certificate_type", V(256), true, "证照类型名称"),
    c("certificate_type_code", V(64), true, "证照类型代码"),
    c("issue_date", V(32), true, "证照颁发日期"),
    c("issue_dept", LT, true, "证照颁发机构"),
    c("issue_dept_code", LT, true, "证照颁发机构代码"),
];

impl Table {
    /// The business columns, in the national (alphabetical) order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::ProAccept => ACCEPT,
            Table::ProProcess => PROCESS,
            Table::ProSpecialProcedure => SPECIAL,
            Table::ProMaterial => MATERIAL,
            Table::ProResult => RESULT,
            Table::LicData => LIC_DATA,
        }
    }

    /// Whether the table carries `row_guid` (`up_lic_data` does not).
    pub fn has_row_guid(self) -> bool {
        self != Table::LicData
    }

    /// Every column of the table: the business columns, then `row_guid`
    /// (where the table has it) and the four sync columns.
    pub fn all_columns(self) -> Vec<Column> {
        let mut out = self.columns().to_vec();
        if self.has_row_guid() {
            out.push(ROW_GUID);
        }
        out.extend(SYNC);
        out
    }

    /// The columns that make a delivered row recognisable when it is sent
    /// again: `row_guid`, or for `up_lic_data` (which has none) the batch
    /// and the licence's source identifier.
    pub fn key_columns(self) -> &'static [&'static str] {
        if self.has_row_guid() {
            &["row_guid"]
        } else {
            &["cd_batch", "certificate_source_id"]
        }
    }
}

/// A feedback table the province writes back (created if missing so that
/// the province's collector finds it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackTable {
    pub name: &'static str,
    pub columns: &'static [Column],
}

const AUDIT_ABNORMAL: &[Column] = &[
    c("row_guid", V(50), true, "记录唯一标识"),
    c("cd_time", DT, true, "同步时间"),
    c("err_type", V(100), true, "异常类型"),
    c("remark", V(1000), false, "备注"),
    c("table_cd_batch", V(32), true, "批次号"),
    c("table_cd_source", V(10), true, "数据来源"),
    c("table_cd_time", DT, true, "上传日期"),
    c("table_name", V(50), true, "数据表中文名"),
    c("table_row_guid", V(50), true, "数据表主键"),
    c("table_sql_name", V(50), true, "数据表英文名"),
    c("table_update_time", DT, true, "进入汇聚区日期"),
];

/// `dn_audit_abnormal` and `dn_lic_data_error`.
pub fn feedback_tables() -> Vec<(&'static str, Vec<Column>)> {
    let mut lic = LIC_DATA.to_vec();
    lic.push(c("error_remark", V(512), true, "异常说明"));
    lic.extend(SYNC);
    vec![("dn_audit_abnormal", AUDIT_ABNORMAL.to_vec()), ("dn_lic_data_error", lic)]
}

/// A value of a front-database column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    /// Local time (Asia/Shanghai), as `datetime` holds it.
    Time(chrono::NaiveDateTime),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// Empty text as NULL (an optional column left unfilled).
    pub fn opt(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.trim().is_empty() {
            Cell::Null
        } else {
            Cell::Text(s)
        }
    }

    /// An instant (UTC milliseconds) as the local time a `datetime` holds.
    pub fn at(ms: i64) -> Cell {
        use chrono::TimeZone;
        let t = crate::time::shanghai().timestamp_millis_opt(ms).single().map(|t| t.naive_local());
        t.map(Cell::Time).unwrap_or(Cell::Null)
    }

    /// The value as the golden files show it.
    pub fn show(&self) -> String {
        match self {
            Cell::Null => "NULL".into(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Time(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

/// One row for a national table: its business columns (in any order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontRow {
    pub table: Table,
    /// Which of the outbox row's rows this is (materials: one per material).
    pub sub: u32,
    pub cells: Vec<(&'static str, Cell)>,
}

impl FrontRow {
    pub fn get(&self, col: &str) -> Option<&Cell> {
        self.cells.iter().find(|(n, _)| *n == col).map(|(_, v)| v)
    }
}

/// Checks a row against its table's columns: every column known, the
/// required ones filled, text within its length. The error names the
/// column and what is wrong, in Chinese (shown on the monitor).
pub fn check_row(row: &FrontRow) -> Result<(), String> {
    let cols = row.table.columns();
    for (name, v) in &row.cells {
        let col =
            cols.iter().find(|c| c.name == *name).ok_or_else(|| format!("{name}: 不是 {} 的字段", row.table.code()))?;
        check_cell(col, v)?;
    }
    for col in cols.iter().filter(|c| c.required) {
        if matches!(row.get(col.name), None | Some(Cell::Null)) {
            return Err(format!("{}（{}）必填，但没有值", col.name, col.comment));
        }
    }
    Ok(())
}

/// Checks one value against its column.
pub fn check_cell(col: &Column, v: &Cell) -> Result<(), String> {
    match (col.ty, v) {
        (_, Cell::Null) => Ok(()),
        (ColType::Varchar(n), Cell::Text(s)) => {
            let len = s.chars().count();
            if len > n as usize {
                Err(format!("{}（{}）长 {len} 个字符，超过 varchar({n})", col.name, col.comment))
            } else {
                Ok(())
            }
        }
        (ColType::LongText, Cell::Text(_)) | (ColType::Int, Cell::Int(_)) | (ColType::Datetime, Cell::Time(_)) => {
            Ok(())
        }
        (ty, _) => Err(format!("{}（{}）的值类型不是 {}", col.name, col.comment, ty.mysql())),
    }
}
