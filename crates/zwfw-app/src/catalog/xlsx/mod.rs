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

mod cells;
mod export;
mod import;

use cells::*;
pub use export::*;
pub use import::*;

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
    ("人生事件代码", "可空，多个用逗号分隔：birth 生育、schooling 上学、employment 就业、marriage 婚姻、housing 住房、documents 办证、social_security 社保、retirement 退休养老、start_business 开办企业、operation 经营、construction 工程建设"),
    ("监管部门统一社会信用代码", "审管交互：准予或不予许可后推送给的监管部门，多个用逗号分隔，须为系统中已有部门；留空即为实施主体"),
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
    pub const LIFE_EVENTS: usize = 53;
    pub const REGULATORS: usize = 54;
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
    ("证照类型代码", "可由申请人持有的该类型电子证照代替本材料时填写（21位），否则留空"),
    ("可告知承诺", "1是 0否，默认0：申请人可签署告知承诺书代替本材料"),
    (
        "可用人口库/法人库信息",
        "人口库 / 法人库 / 人口库或法人库（也可填 person、company、any）：申请人本人在该库的记录可生成信息核验单代替本材料；否则留空",
    ),
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
    pub const LICENSE_TYPE: usize = 17;
    pub const COMMITMENT: usize = 18;
    pub const REGISTRY: usize = 19;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_positions_match_the_headers() {
        assert_eq!(ITEM_COLUMNS.len(), ic::REGULATORS + 1);
        assert_eq!(MATERIAL_COLUMNS.len(), mc::REGISTRY + 1);
        assert_eq!(STEP_COLUMNS.len(), sc::JOINT + 1);
        let h = |cols: &[(&str, &str)], i: usize| header_name(cols[i].0).to_string();
        assert_eq!(h(ITEM_COLUMNS, ic::FORM_FIELDS), "申请表字段");
        assert_eq!(h(ITEM_COLUMNS, ic::CO_DEPTS), "共同实施部门统一社会信用代码");
        assert_eq!(h(ITEM_COLUMNS, ic::CHANNELS), "咨询方式");
        assert_eq!(h(ITEM_COLUMNS, ic::REGULATORS), "监管部门统一社会信用代码");
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
