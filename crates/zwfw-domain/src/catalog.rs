//! The service-item catalogue (事项管理): the item model of GB/T 39046 表4
//! and the guide elements of the provincial rules (承德 第十条), the national
//! code lists A.1–A.6, the item's process, and the change-governance flow
//! (draft → legal review → service-centre approval → published).

use crate::admin::{Actor, Role};
use crate::calendar::check_step_limits;
use crate::codes::code_list;
use crate::ids::CreditCode;
use serde::{Deserialize, Serialize};
use thiserror::Error;

code_list!(
    /// A.1 事项类型代码
    ItemType {
        AdministrativePower = "00": "行政权力事项",
        Licensing = "01": "行政许可",
        Penalty = "02": "行政处罚",
        Enforcement = "03": "行政强制",
        Levy = "04": "行政征收",
        Benefit = "05": "行政给付",
        Inspection = "06": "行政检查",
        Confirmation = "07": "行政确认",
        Reward = "08": "行政奖励",
        Adjudication = "09": "行政裁决",
        Other = "10": "其他类别事项",
        InternalApproval = "11": "政府内部审批",
        PublicService = "20": "公共服务事项",
    }
);

code_list!(
    /// A.2 行使层级代码
    ExerciseLevel {
        National = "1": "国家级",
        Provincial = "2": "省级",
        Municipal = "3": "市级",
        County = "4": "县级",
        Town = "5": "镇（乡、街道）级",
        Village = "6": "村（社区）级",
        Graded = "7": "分级管理",
    }
);

code_list!(
    /// A.3 实施主体性质代码
    SubjectNature {
        StatutoryAgency = "1": "法定机关",
        Authorized = "2": "授权组织",
        Entrusted = "3": "受委托组织",
        Other = "9": "其他",
    }
);

code_list!(
    /// A.4 服务对象代码
    ServiceObject {
        NaturalPerson = "1": "自然人",
        Enterprise = "2": "企业法人",
        PublicInstitution = "3": "事业法人",
        SocialOrganization = "4": "社会组织法人",
        Agency = "5": "行政机关",
        OtherOrganization = "6": "其他组织",
    }
);

code_list!(
    /// A.5 办理形式代码
    HandlingMode {
        Counter = "1": "窗口办理",
        OnlinePc = "2": "电脑端网上办理",
        OnlineMobile = "3": "移动端网上申请",
        Courier = "4": "快递申请",
        Other = "9": "其他",
    }
);

code_list!(
    /// A.6 办件类型代码
    CaseType {
        Immediate = "1": "即办件",
        Promised = "2": "承诺件",
        Other = "9": "其他",
    }
);

/// An application material (GB/T 39046 表4 序号 56–64 and 第十条's material elements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Material {
    /// 56 材料名称
    pub name: String,
    /// 材料类型: 原件 / 复印件 / 原件和复印件 / 电子材料
    pub kind: String,
    /// 来源渠道: 申请人自备 / 政府部门核发 / 其他
    pub source: String,
    /// 57 出具机构
    pub issuer: String,
    /// 58 出具时间要求
    pub issue_time_requirement: String,
    /// 59 材料办理说明
    pub how_to_obtain: String,
    /// 60 材料办理地点
    pub where_to_obtain: String,
    /// 61 材料使用说明
    pub usage_notes: String,
    /// 受理标准
    pub acceptance_standard: String,
    /// 材料要求 (format, signature, seal…)
    pub requirements: String,
    /// 62 原件份数
    pub originals: u32,
    /// 63 复印件份数
    pub copies: u32,
    /// 64 是否必备材料
    pub required: bool,
    /// SM3 of the blank form (表格下载), when there is one.
    pub form_sm3: Option<String>,
    /// SM3 of a filled-in example.
    pub example_sm3: Option<String>,
}

/// The kind of an application form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line, at most 200 characters.
    Text,
    /// Several lines, at most 2000 characters.
    LongText,
    /// A decimal number.
    Number,
    /// YYYY-MM-DD
    Date,
    /// One of `options`.
    Choice,
}

impl FieldKind {
    pub const ALL: [FieldKind; 5] =
        [FieldKind::Text, FieldKind::LongText, FieldKind::Number, FieldKind::Date, FieldKind::Choice];
    /// The Chinese name used in the item editor.
    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Text => "文本",
            FieldKind::LongText => "长文本",
            FieldKind::Number => "数字",
            FieldKind::Date => "日期",
            FieldKind::Choice => "选项",
        }
    }
    pub fn from_label(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.label() == s.trim())
    }
}

/// A field of an item's application form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// Label and key, e.g. 经营场所.
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
    /// The choices of a `Choice` field.
    #[serde(default)]
    pub options: Vec<String>,
}

impl FormField {
    /// A field from its written parts: name, kind label (文本/长文本/数字/日期/选项),
    /// 必填 or 选填 (default 必填), and the choices separated by 、 or commas.
    pub fn from_parts(parts: &[&str]) -> Option<FormField> {
        let name = parts.first()?.trim();
        let kind = FieldKind::from_label(parts.get(1)?)?;
        if name.is_empty() {
            return None;
        }
        Some(FormField {
            name: name.into(),
            kind,
            required: parts.get(2).is_none_or(|r| r.trim() != "选填"),
            options: parts
                .get(3)
                .map(|o| {
                    o.split(['、', ',', '，']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The written parts, the inverse of `from_parts`.
    pub fn parts(&self) -> Vec<String> {
        let mut p = vec![
            self.name.clone(),
            self.kind.label().to_string(),
            if self.required { "必填" } else { "选填" }.to_string(),
        ];
        if !self.options.is_empty() {
            p.push(self.options.join("、"));
        }
        p
    }
}

/// What is wrong with a filled-in application form.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormError {
    #[error("{0} is required")]
    Missing(String),
    #[error("{0} is too long")]
    TooLong(String),
    #[error("{0} is not a number")]
    NotNumber(String),
    #[error("{0} is not a date")]
    NotDate(String),
    #[error("{0} is not one of the choices")]
    NotAChoice(String),
}

/// The free field every application form has.
pub const PURPOSE_FIELD: &str = "申请事项说明";

/// Checks a filled-in form against the item's fields and returns the values
/// kept: the declared fields (trimmed; empty optional ones left out) and the
/// free 申请事项说明. Anything else is dropped.
pub fn check_form(fields: &[FormField], values: &[(String, String)]) -> Result<Vec<(String, String)>, FormError> {
    let get = |k: &str| values.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim()).unwrap_or("");
    let mut out = vec![];
    for f in fields {
        let v = get(&f.name);
        if v.is_empty() {
            if f.required {
                return Err(FormError::Missing(f.name.clone()));
            }
            continue;
        }
        let max = if f.kind == FieldKind::LongText { 2000 } else { 200 };
        if v.chars().count() > max {
            return Err(FormError::TooLong(f.name.clone()));
        }
        let bad = match f.kind {
            FieldKind::Number => {
                v.parse::<f64>().map_or(true, |n| !n.is_finite()).then(|| FormError::NotNumber(f.name.clone()))
            }
            FieldKind::Date => {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err().then(|| FormError::NotDate(f.name.clone()))
            }
            FieldKind::Choice => (!f.options.iter().any(|o| o == v)).then(|| FormError::NotAChoice(f.name.clone())),
            FieldKind::Text | FieldKind::LongText => None,
        };
        if let Some(e) = bad {
            return Err(e);
        }
        out.push((f.name.clone(), v.to_string()));
    }
    let purpose = get(PURPOSE_FIELD);
    if purpose.chars().count() > 2000 {
        return Err(FormError::TooLong(PURPOSE_FIELD.into()));
    }
    if !purpose.is_empty() {
        out.push((PURPOSE_FIELD.into(), purpose.to_string()));
    }
    Ok(out)
}

/// A co-department's part in a joint review (并联审批).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoReview {
    pub department_id: i64,
    /// Its sub-limit inside the step's limit, in working days.
    pub limit_days: u32,
}

/// A step (环节) of the item's process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// 环节名称, e.g. 受理, 审查, 决定
    pub name: String,
    /// 办理处室: the department that handles it (the lead, in a joint review).
    pub department_id: i64,
    /// 办理人: the role that acts.
    pub role: Role,
    /// 办理时限 in working days.
    pub limit_days: u32,
    /// 特殊环节: the step may start a special procedure (听证, 检测, 专家评审…).
    #[serde(default)]
    pub may_suspend: bool,
    /// Joint review: co-departments, each with a sub-limit.
    #[serde(default)]
    pub joint: Vec<CoReview>,
}

/// Everything a version of an item says. Text fields follow GB/T 39046 表4;
/// the numbers in the comments are its 序号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemContent {
    /// 1 事项名称 (主项名称)
    pub name: String,
    /// 子项名称
    #[serde(default)]
    pub sub_name: String,
    /// 2 基本编码
    pub basic_code: String,
    /// 5 事项类型代码 (A.1)
    pub item_type: ItemType,
    /// 6 设定依据
    pub legal_basis: String,
    /// 8 行使层级代码 (A.2)
    pub exercise_level: ExerciseLevel,
    /// 9 权限划分
    #[serde(default)]
    pub authority_division: String,
    /// 10 行使内容
    #[serde(default)]
    pub content_exercised: String,
    /// 11/12 实施主体: the implementing department.
    pub department_id: i64,
    /// 14 实施主体性质代码 (A.3)
    pub subject_nature: SubjectNature,
    /// 15 法定办结时限 (working days)
    pub legal_limit_days: u32,
    /// 17 法定办结时限说明
    #[serde(default)]
    pub legal_limit_note: String,
    /// 18 承诺办结时限 (working days)
    pub promised_limit_days: u32,
    /// 20 承诺办结时限说明
    #[serde(default)]
    pub promised_limit_note: String,
    /// 办件类型 (A.6): 即办件 has a promised limit of 0.
    pub case_type: CaseType,
    /// 21 受理条件 / 受理标准
    pub acceptance_conditions: String,
    /// 22 办理流程 (text; the steps below are the machine-readable process)
    #[serde(default)]
    pub process_description: String,
    /// 23/24 共同实施部门
    #[serde(default)]
    pub co_department_ids: Vec<i64>,
    /// 25 承办机构 (the office inside the department)
    #[serde(default)]
    pub handling_office: String,
    /// 27 中介服务
    #[serde(default)]
    pub intermediary_services: String,
    /// 28 数量限制 (许可数量)
    #[serde(default)]
    pub quantity_limit: String,
    /// 29 结果名称
    pub result_name: String,
    /// 办理结果类型: 证照 / 批文 / 其他
    #[serde(default)]
    pub result_type: String,
    /// 办理结果领取方式
    #[serde(default)]
    pub result_delivery: String,
    /// 30 结果样本 (SM3 of the stored file)
    #[serde(default)]
    pub result_sample_sm3: Option<String>,
    /// 31 是否收费
    pub fee: bool,
    /// 收费标准 (text) and amount in fen, checked by supervision (rule A04).
    #[serde(default)]
    pub fee_standard: String,
    #[serde(default)]
    pub fee_amount_fen: Option<i64>,
    /// 32 收费依据
    #[serde(default)]
    pub fee_basis: String,
    /// 33 通办范围
    #[serde(default)]
    pub scope: String,
    /// 35 服务对象代码 (A.4)
    pub service_objects: Vec<ServiceObject>,
    /// 36 服务主题
    #[serde(default)]
    pub themes: Vec<String>,
    /// 40 办理形式代码 (A.5)
    pub handling_modes: Vec<HandlingMode>,
    /// 41 特别程序 the item declares, e.g. 现场勘查, 专家评审, 检测
    #[serde(default)]
    pub special_procedures: Vec<String>,
    /// Longest special procedure allowed, in working days (rule A06).
    #[serde(default)]
    pub special_procedure_max_days: Option<u32>,
    /// Whether an extension also moves the promised limit.
    #[serde(default)]
    pub extension_moves_promised: bool,
    /// 42 行政管辖
    #[serde(default)]
    pub jurisdiction: String,
    /// 44–47
    #[serde(default)]
    pub appointment: bool,
    #[serde(default)]
    pub online_payment: bool,
    #[serde(default)]
    pub courier: bool,
    #[serde(default)]
    pub online: bool,
    /// 48 网办地址
    #[serde(default)]
    pub online_url: String,
    /// 49 运行系统层级
    #[serde(default)]
    pub system_level: String,
    /// 50 办理地点
    pub location: String,
    /// 交通指引
    #[serde(default)]
    pub traffic_guide: String,
    /// 51 办理时间
    pub office_hours: String,
    /// 到现场次数
    #[serde(default)]
    pub visits: u32,
    /// 52–54
    #[serde(default)]
    pub enquiry_channels: String,
    pub enquiry_phone: String,
    pub supervision_phone: String,
    /// 55 常见问题
    #[serde(default)]
    pub faq: String,
    pub materials: Vec<Material>,
    pub steps: Vec<Step>,
    /// The item-specific fields of the application form (申请表), filled by
    /// the applicant besides their identity and 申请事项说明.
    #[serde(default)]
    pub form_fields: Vec<FormField>,
}

/// Why an item's content is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemError {
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("{field} is too long (at most {max})")]
    TooLong { field: &'static str, max: usize },
    #[error("the basic code must be 6 to 12 digits or capital letters")]
    BasicCode,
    #[error("the promised limit ({promised}) exceeds the legal limit ({legal})")]
    PromisedOverLegal { promised: u32, legal: u32 },
    #[error("a same-day item has a promised limit of 0, and only it")]
    SameDayLimit,
    #[error("the step limits add up to {sum}, more than the promised limit {promised}")]
    StepsOverPromised { sum: u32, promised: u32 },
    #[error("step {step}: the sub-limit of a joint review exceeds the step's limit")]
    JointOverStep { step: usize },
    #[error("step {step}: a department appears twice in the joint review")]
    JointDuplicate { step: usize },
    #[error("at least one {field} is required")]
    Empty { field: &'static str },
    #[error("a fee needs its standard and basis")]
    FeeWithoutStandard,
    #[error("the form field {name} appears twice")]
    FormFieldDuplicate { name: String },
    #[error("the choice field {name} has no options")]
    ChoiceWithoutOptions { name: String },
}

fn text(field: &'static str, v: &str, max: usize, required: bool) -> Result<(), ItemError> {
    if required && v.trim().is_empty() {
        return Err(ItemError::Required { field });
    }
    if v.chars().count() > max {
        return Err(ItemError::TooLong { field, max });
    }
    Ok(())
}

impl ItemContent {
    /// Checks the rules that do not need other data (departments are checked by the caller).
    pub fn validate(&self) -> Result<(), ItemError> {
        text("name", &self.name, 200, true)?;
        text("sub_name", &self.sub_name, 200, false)?;
        let bc = self.basic_code.trim();
        if !(6..=12).contains(&bc.len()) || !bc.bytes().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()) {
            return Err(ItemError::BasicCode);
        }
        text("legal_basis", &self.legal_basis, 4000, true)?;
        text("acceptance_conditions", &self.acceptance_conditions, 4000, true)?;
        text("result_name", &self.result_name, 100, true)?;
        text("location", &self.location, 200, true)?;
        text("office_hours", &self.office_hours, 150, true)?;
        text("enquiry_phone", &self.enquiry_phone, 18, true)?;
        text("supervision_phone", &self.supervision_phone, 18, true)?;
        text("faq", &self.faq, 4000, false)?;
        if self.promised_limit_days > self.legal_limit_days {
            return Err(ItemError::PromisedOverLegal {
                promised: self.promised_limit_days,
                legal: self.legal_limit_days,
            });
        }
        if (self.case_type == CaseType::Immediate) != (self.promised_limit_days == 0) {
            return Err(ItemError::SameDayLimit);
        }
        if self.service_objects.is_empty() {
            return Err(ItemError::Empty { field: "service_objects" });
        }
        if self.handling_modes.is_empty() {
            return Err(ItemError::Empty { field: "handling_modes" });
        }
        if self.materials.is_empty() {
            return Err(ItemError::Empty { field: "materials" });
        }
        for m in &self.materials {
            text("material_name", &m.name, 200, true)?;
        }
        let mut names: Vec<&str> = vec![PURPOSE_FIELD];
        for f in &self.form_fields {
            text("form_field", &f.name, 30, true)?;
            if names.contains(&f.name.trim()) {
                return Err(ItemError::FormFieldDuplicate { name: f.name.clone() });
            }
            names.push(f.name.trim());
            if f.kind == FieldKind::Choice && f.options.iter().all(|o| o.trim().is_empty()) {
                return Err(ItemError::ChoiceWithoutOptions { name: f.name.clone() });
            }
        }
        if self.form_fields.len() > 30 {
            return Err(ItemError::TooLong { field: "form_fields", max: 30 });
        }
        if self.steps.is_empty() {
            return Err(ItemError::Empty { field: "steps" });
        }
        for (i, s) in self.steps.iter().enumerate() {
            text("step_name", &s.name, 50, true)?;
            let mut seen = vec![s.department_id];
            for c in &s.joint {
                if c.limit_days > s.limit_days {
                    return Err(ItemError::JointOverStep { step: i + 1 });
                }
                if seen.contains(&c.department_id) {
                    return Err(ItemError::JointDuplicate { step: i + 1 });
                }
                seen.push(c.department_id);
            }
        }
        let limits: Vec<u32> = self.steps.iter().map(|s| s.limit_days).collect();
        if self.case_type != CaseType::Immediate {
            check_step_limits(self.promised_limit_days, &limits)
                .map_err(|(sum, promised)| ItemError::StepsOverPromised { sum, promised })?;
        }
        if self.fee && (self.fee_standard.trim().is_empty() || self.fee_basis.trim().is_empty()) {
            return Err(ItemError::FeeWithoutStandard);
        }
        Ok(())
    }

    /// Departments the content refers to (the caller checks they exist).
    pub fn department_ids(&self) -> Vec<i64> {
        let mut ids = vec![self.department_id];
        ids.extend(&self.co_department_ids);
        for s in &self.steps {
            ids.push(s.department_id);
            ids.extend(s.joint.iter().map(|c| c.department_id));
        }
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn has_joint_review(&self) -> bool {
        self.steps.iter().any(|s| !s.joint.is_empty())
    }
}

/// Names and codes of the departments an export refers to.
pub struct ExportNames<'a> {
    pub impl_code: &'a str,
    pub department: &'a str,
    pub department_code: &'a str,
    /// (name, 统一社会信用代码) of the co-departments.
    pub co_departments: &'a [(String, String)],
}

impl ItemContent {
    /// The item as GB/T 39046 表4 names its data items (the keys are the
    /// standard's 数据项名称; codes are the national codes).
    pub fn to_gbt39046(&self, n: &ExportNames<'_>) -> serde_json::Value {
        let yn = |b: bool| if b { "1" } else { "0" };
        let materials: Vec<serde_json::Value> = self
            .materials
            .iter()
            .map(|m| {
                serde_json::json!({
                    "材料名称": m.name, "出具机构": m.issuer, "出具时间要求": m.issue_time_requirement,
                    "材料办理说明": m.how_to_obtain, "材料办理地点": m.where_to_obtain, "材料使用说明": m.usage_notes,
                    "原件份数": m.originals, "复印件份数": m.copies, "是否必备材料": yn(m.required),
                    "材料类型": m.kind, "来源渠道": m.source, "受理标准": m.acceptance_standard, "材料要求": m.requirements,
                })
            })
            .collect();
        let steps: Vec<serde_json::Value> = self
            .steps
            .iter()
            .map(|s| serde_json::json!({"环节名称": s.name, "办理时限": s.limit_days, "特殊环节": yn(s.may_suspend), "并联审批": !s.joint.is_empty()}))
            .collect();
        serde_json::json!({
            "事项名称": self.name, "子项名称": self.sub_name, "基本编码": self.basic_code, "实施编码": n.impl_code,
            "事项类型": self.item_type.label(), "事项类型代码": self.item_type.code(), "设定依据": self.legal_basis,
            "行使层级": self.exercise_level.label(), "行使层级代码": self.exercise_level.code(),
            "权限划分": self.authority_division, "行使内容": self.content_exercised,
            "实施主体": n.department, "实施主体代码": n.department_code,
            "实施主体性质": self.subject_nature.label(), "实施主体性质代码": self.subject_nature.code(),
            "法定办结时限": self.legal_limit_days.to_string(), "法定办结时限单位": "工作日", "法定办结时限说明": self.legal_limit_note,
            "承诺办结时限": self.promised_limit_days.to_string(), "承诺办结时限单位": "工作日", "承诺办结时限说明": self.promised_limit_note,
            "办件类型": self.case_type.label(), "办件类型代码": self.case_type.code(),
            "受理条件": self.acceptance_conditions, "办理流程": self.process_description,
            "共同实施部门": n.co_departments.iter().map(|c| c.0.clone()).collect::<Vec<_>>().join("；"),
            "共同实施部门代码": n.co_departments.iter().map(|c| c.1.clone()).collect::<Vec<_>>().join("；"),
            "承办机构": self.handling_office, "中介服务": self.intermediary_services, "数量限制": self.quantity_limit,
            "结果名称": self.result_name, "是否收费": yn(self.fee), "收费标准": self.fee_standard, "收费依据": self.fee_basis,
            "通办范围": self.scope,
            "服务对象": self.service_objects.iter().map(|o| o.label()).collect::<Vec<_>>().join("、"),
            "服务对象代码": self.service_objects.iter().map(|o| o.code()).collect::<Vec<_>>().join(","),
            "服务主题": self.themes.join("、"),
            "办理形式": self.handling_modes.iter().map(|m| m.label()).collect::<Vec<_>>().join("、"),
            "办理形式代码": self.handling_modes.iter().map(|m| m.code()).collect::<Vec<_>>().join(","),
            "特别程序": self.special_procedures.join("、"), "行政管辖": self.jurisdiction,
            "是否支持预约办理": yn(self.appointment), "是否支持网上支付": yn(self.online_payment),
            "是否支持物流快递": yn(self.courier), "是否网办": yn(self.online), "网办地址": self.online_url,
            "运行系统层级": self.system_level, "办理地点": self.location, "办理时间": self.office_hours,
            "咨询方式": self.enquiry_channels, "咨询电话": self.enquiry_phone, "监督电话": self.supervision_phone,
            "常见问题": self.faq, "到现场次数": self.visits, "交通指引": self.traffic_guide,
            "申请材料": materials, "办理环节": steps,
        })
    }
}

/// 实施编码: the implementing department's 统一社会信用代码, the 行使层级代码
/// and the 基本编码, as the national implementation list composes them.
pub fn implementation_code(department: &CreditCode, level: ExerciseLevel, basic_code: &str) -> String {
    format!("{}{}{}", department.as_str(), level.code(), basic_code.trim())
}

code_list!(
    /// The state of a version in the change-governance flow.
    VersionState {
        /// 草稿: being written by the department.
        Draft = "draft",
        /// 法制审核: with the legal reviewers.
        LegalReview = "legal_review",
        /// 中心审批: with the service centre.
        CenterApproval = "center_approval",
        /// 已发布: in force (until a newer version is published). Never changes.
        Published = "published",
        /// 已被替代: an older published version.
        Superseded = "superseded",
        /// 已撤回: a draft abandoned by its department.
        Withdrawn = "withdrawn",
    }
);

impl VersionState {
    /// Still open in the flow (at most one open version per item).
    pub const OPEN: &'static [VersionState] =
        &[VersionState::Draft, VersionState::LegalReview, VersionState::CenterApproval];
    /// The states in which a version's content may change: a draft only.
    /// Any other change of content is an edit made around the program,
    /// which the guard of migration 0013 records.
    pub const EDITABLE: &'static [VersionState] = &[VersionState::Draft];

    /// Still open in the flow (at most one open version per item).
    pub fn is_open(self) -> bool {
        VersionState::OPEN.contains(&self)
    }
    /// Whether its content may change (see [`VersionState::EDITABLE`]).
    pub fn is_editable(self) -> bool {
        VersionState::EDITABLE.contains(&self)
    }
}

code_list!(
    /// Whether an item is still offered (在用) or was retired (已取消); a
    /// retired item takes no new application and no new version.
    ItemStatus {
        Active = "active",
        Retired = "retired",
    }
);

/// What an officer does to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GovernanceAction {
    /// The department edits its draft.
    Edit,
    /// The department submits the draft to legal review.
    Submit,
    /// Legal review passes it to the service centre.
    PassLegalReview,
    /// The service centre approves: the version is published.
    Approve,
    /// Legal review or the service centre sends it back to the department.
    SendBack,
    /// The department abandons its draft.
    Withdraw,
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GovernanceError {
    #[error("this action is not possible while the version is {state:?}")]
    WrongState { state: VersionState },
    #[error("the actor does not hold the role this step needs")]
    WrongRole,
    #[error("a written reason is required")]
    ReasonRequired,
}

/// Whether `actor` may act for the implementing department `department_id`:
/// the rule is [`crate::access::catalog::may_author`].
pub fn may_author(actor: &Actor, department_id: i64) -> bool {
    crate::access::catalog::may_author(actor, department_id)
}

/// Whether `actor` reads every item, drafts included: the rule is
/// [`crate::access::catalog::sees_all_items`].
pub fn sees_all_items(actor: &Actor) -> bool {
    crate::access::catalog::sees_all_items(actor)
}

/// The next state of a version after `action` by `actor`, or why not.
pub fn transition(
    state: VersionState,
    action: GovernanceAction,
    actor: &Actor,
    department_id: i64,
    reason: &str,
) -> Result<VersionState, GovernanceError> {
    use GovernanceAction::*;
    use VersionState::*;
    if reason.trim().is_empty() {
        return Err(GovernanceError::ReasonRequired);
    }
    let (from_ok, to) = match action {
        Edit => (state.is_editable(), Draft),
        Submit => (state == Draft, LegalReview),
        Withdraw => (state == Draft, Withdrawn),
        PassLegalReview => (state == LegalReview, CenterApproval),
        Approve => (state == CenterApproval, Published),
        SendBack => (matches!(state, LegalReview | CenterApproval), Draft),
    };
    if !from_ok {
        return Err(GovernanceError::WrongState { state });
    }
    crate::access::catalog::may_govern(actor, action, state, department_id).map_err(|_| GovernanceError::WrongRole)?;
    Ok(to)
}

/// One changed field between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Path of the field, e.g. `promised_limit_days`, `materials[2].name`.
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

fn walk(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<FieldChange>) {
    use serde_json::Value::*;
    match (a, b) {
        (Object(x), Object(y)) => {
            let mut keys: Vec<&std::string::String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                walk(&p, x.get(k).unwrap_or(&Null), y.get(k).unwrap_or(&Null), out);
            }
        }
        (Array(x), Array(y)) if x.iter().chain(y).any(|v| v.is_object()) => {
            for i in 0..x.len().max(y.len()) {
                walk(&format!("{path}[{}]", i + 1), x.get(i).unwrap_or(&Null), y.get(i).unwrap_or(&Null), out);
            }
        }
        _ if a != b => out.push(FieldChange { field: path.to_string(), before: a.clone(), after: b.clone() }),
        _ => {}
    }
}

/// The fields that differ between two versions' contents.
pub fn diff(a: &ItemContent, b: &ItemContent) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", &serde_json::to_value(a).unwrap_or_default(), &serde_json::to_value(b).unwrap_or_default(), &mut out);
    out
}

/// A complete example item (食品经营许可) for documentation, demos and tests.
pub fn example(department_id: i64) -> ItemContent {
    ItemContent {
        name: "食品经营许可".into(),
        sub_name: "食品经营许可（新办）".into(),
        basic_code: "000117008000".into(),
        item_type: ItemType::Licensing,
        legal_basis: "《中华人民共和国食品安全法》第三十五条".into(),
        exercise_level: ExerciseLevel::Municipal,
        authority_division: String::new(),
        content_exercised: String::new(),
        department_id,
        subject_nature: SubjectNature::StatutoryAgency,
        legal_limit_days: 20,
        legal_limit_note: String::new(),
        promised_limit_days: 10,
        promised_limit_note: String::new(),
        case_type: CaseType::Promised,
        acceptance_conditions: "有与经营的食品品种、数量相适应的经营场所".into(),
        process_description: String::new(),
        co_department_ids: vec![],
        handling_office: "行政审批科".into(),
        intermediary_services: String::new(),
        quantity_limit: "无数量限制".into(),
        result_name: "食品经营许可证".into(),
        result_type: "证照".into(),
        result_delivery: "窗口领取或邮寄".into(),
        result_sample_sm3: None,
        fee: false,
        fee_standard: String::new(),
        fee_amount_fen: None,
        fee_basis: String::new(),
        scope: "全市通办".into(),
        service_objects: vec![ServiceObject::Enterprise, ServiceObject::NaturalPerson],
        themes: vec!["开办企业".into()],
        handling_modes: vec![HandlingMode::Counter, HandlingMode::OnlinePc],
        special_procedures: vec!["现场核查".into()],
        special_procedure_max_days: Some(10),
        extension_moves_promised: false,
        jurisdiction: String::new(),
        appointment: true,
        online_payment: false,
        courier: true,
        online: true,
        online_url: String::new(),
        system_level: "市级".into(),
        location: "示例市政务服务中心二楼".into(),
        traffic_guide: String::new(),
        office_hours: "工作日 9:00-12:00 13:30-17:00".into(),
        visits: 1,
        enquiry_channels: "电话、窗口".into(),
        enquiry_phone: "0858-8800005".into(),
        supervision_phone: "0858-12345".into(),
        faq: String::new(),
        materials: vec![Material {
            name: "食品经营许可申请书".into(),
            required: true,
            originals: 1,
            ..Default::default()
        }],
        form_fields: vec![],
        steps: vec![
            Step {
                name: "受理".into(),
                department_id,
                role: Role::Counter,
                limit_days: 1,
                may_suspend: false,
                joint: vec![],
            },
            Step {
                name: "审查".into(),
                department_id,
                role: Role::Reviewer,
                limit_days: 6,
                may_suspend: true,
                joint: vec![],
            },
            Step {
                name: "决定".into(),
                department_id,
                role: Role::DeptHead,
                limit_days: 3,
                may_suspend: false,
                joint: vec![],
            },
        ],
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    #[test]
    fn application_forms_are_checked_against_the_item() {
        let f = |name: &str, kind, required, options: &[&str]| FormField {
            name: name.into(),
            kind,
            required,
            options: options.iter().map(|o| o.to_string()).collect(),
        };
        let fields = vec![
            f("经营场所", FieldKind::Text, true, &[]),
            f("主体业态", FieldKind::Choice, true, &["餐饮服务经营者", "单位食堂"]),
            f("从业人员数", FieldKind::Number, false, &[]),
            f("开业日期", FieldKind::Date, false, &[]),
        ];
        let v = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let ok = check_form(
            &fields,
            &v(&[("经营场所", " 建设路1号 "), ("主体业态", "单位食堂"), ("其他", "丢弃"), (PURPOSE_FIELD, "新办")]),
        )
        .unwrap();
        assert_eq!(ok, v(&[("经营场所", "建设路1号"), ("主体业态", "单位食堂"), (PURPOSE_FIELD, "新办")]));
        assert_eq!(check_form(&fields, &v(&[("主体业态", "单位食堂")])), Err(FormError::Missing("经营场所".into())));
        let base = [("经营场所", "x"), ("主体业态", "单位食堂")];
        let with = |k: &'static str, val: &'static str| {
            let mut p = base.to_vec();
            p.push((k, val));
            check_form(&fields, &v(&p))
        };
        assert_eq!(with("从业人员数", "十二"), Err(FormError::NotNumber("从业人员数".into())));
        assert_eq!(with("从业人员数", "NaN"), Err(FormError::NotNumber("从业人员数".into())));
        assert!(with("从业人员数", "12").is_ok());
        assert_eq!(with("开业日期", "2026-02-30"), Err(FormError::NotDate("开业日期".into())));
        assert!(with("开业日期", "2026-12-01").is_ok());
        assert_eq!(
            check_form(&fields, &v(&[("经营场所", "x"), ("主体业态", "超市")])),
            Err(FormError::NotAChoice("主体业态".into()))
        );
        let long = "字".repeat(201);
        assert_eq!(
            check_form(&fields, &v(&[("经营场所", &long), ("主体业态", "单位食堂")])),
            Err(FormError::TooLong("经营场所".into()))
        );
        // Definitions: names unique (申请事项说明 is taken), choices need options.
        let mut c = sample(1);
        c.form_fields = vec![f("申请事项说明", FieldKind::Text, true, &[])];
        assert_eq!(c.validate(), Err(ItemError::FormFieldDuplicate { name: "申请事项说明".into() }));
        c.form_fields = vec![f("业态", FieldKind::Choice, true, &[])];
        assert_eq!(c.validate(), Err(ItemError::ChoiceWithoutOptions { name: "业态".into() }));
        c.form_fields = fields;
        assert_eq!(c.validate(), Ok(()));
    }
    use crate::admin::AccountKind;

    fn sample(department_id: i64) -> ItemContent {
        example(department_id)
    }

    fn actor(dept: i64, roles: &[Role]) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            kind: AccountKind::Staff,
            department_id: Some(dept),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn code_lists_round_trip() {
        for t in ItemType::ALL {
            assert_eq!(ItemType::parse(t.code()), Some(*t));
        }
        assert_eq!(ServiceObject::parse("1"), Some(ServiceObject::NaturalPerson));
        assert_eq!(ServiceObject::NaturalPerson.label(), "自然人");
        assert_eq!(HandlingMode::parse("7"), None);
        assert_eq!(serde_json::to_string(&CaseType::Promised).unwrap(), "\"2\"");
    }

    #[test]
    fn content_rules() {
        assert!(sample(1).validate().is_ok());
        let mut c = sample(1);
        c.promised_limit_days = 25;
        assert_eq!(c.validate(), Err(ItemError::PromisedOverLegal { promised: 25, legal: 20 }));
        let mut c = sample(1);
        c.steps[1].limit_days = 7;
        assert_eq!(c.validate(), Err(ItemError::StepsOverPromised { sum: 11, promised: 10 }));
        let mut c = sample(1);
        c.case_type = CaseType::Immediate;
        assert_eq!(c.validate(), Err(ItemError::SameDayLimit));
        let mut c = sample(1);
        c.basic_code = "abc".into();
        assert_eq!(c.validate(), Err(ItemError::BasicCode));
        let mut c = sample(1);
        c.steps[1].joint = vec![CoReview { department_id: 2, limit_days: 7 }];
        assert_eq!(c.validate(), Err(ItemError::JointOverStep { step: 2 }));
        c.steps[1].joint =
            vec![CoReview { department_id: 2, limit_days: 5 }, CoReview { department_id: 2, limit_days: 5 }];
        assert_eq!(c.validate(), Err(ItemError::JointDuplicate { step: 2 }));
        c.steps[1].joint =
            vec![CoReview { department_id: 2, limit_days: 5 }, CoReview { department_id: 3, limit_days: 4 }];
        assert!(c.validate().is_ok());
        assert!(c.has_joint_review());
        assert_eq!(c.department_ids(), vec![1, 2, 3]);
        let mut c = sample(1);
        c.fee = true;
        assert_eq!(c.validate(), Err(ItemError::FeeWithoutStandard));
        let mut c = sample(1);
        c.materials.clear();
        assert_eq!(c.validate(), Err(ItemError::Empty { field: "materials" }));
    }

    #[test]
    fn implementation_codes_carry_department_and_level() {
        let cc = CreditCode::parse("11520200MB0000005X").or_else(|_| {
            let first = "11520200MB0000005";
            CreditCode::parse(&format!("{first}{}", CreditCode::check_char(first).unwrap()))
        });
        let cc = cc.unwrap();
        let code = implementation_code(&cc, ExerciseLevel::Municipal, "000117008000");
        assert_eq!(code.len(), 31);
        assert!(code.starts_with(cc.as_str()));
        assert_eq!(&code[18..19], "3");
        assert!(code.ends_with("000117008000"));
    }

    #[test]
    fn governance_flow_and_roles() {
        use GovernanceAction::*;
        use VersionState::*;
        let dept_admin = actor(5, &[Role::DeptAdmin]);
        let other_admin = actor(6, &[Role::DeptAdmin]);
        let legal = actor(4, &[Role::LegalReview]);
        let center = actor(1, &[Role::CenterAdmin]);
        assert_eq!(transition(Draft, Submit, &dept_admin, 5, "新增事项"), Ok(LegalReview));
        assert_eq!(transition(Draft, Submit, &other_admin, 5, "x"), Err(GovernanceError::WrongRole));
        assert_eq!(transition(Draft, Submit, &dept_admin, 5, " "), Err(GovernanceError::ReasonRequired));
        assert_eq!(
            transition(LegalReview, Approve, &center, 5, "x"),
            Err(GovernanceError::WrongState { state: LegalReview })
        );
        assert_eq!(transition(LegalReview, PassLegalReview, &center, 5, "x"), Err(GovernanceError::WrongRole));
        assert_eq!(transition(LegalReview, PassLegalReview, &legal, 5, "合法"), Ok(CenterApproval));
        assert_eq!(transition(LegalReview, SendBack, &legal, 5, "依据不全"), Ok(Draft));
        assert_eq!(transition(CenterApproval, SendBack, &legal, 5, "x"), Err(GovernanceError::WrongRole));
        assert_eq!(transition(CenterApproval, Approve, &center, 5, "同意"), Ok(Published));
        assert_eq!(
            transition(Published, Edit, &dept_admin, 5, "x"),
            Err(GovernanceError::WrongState { state: Published })
        );
        assert_eq!(transition(Draft, Withdraw, &dept_admin, 5, "不再需要"), Ok(Withdrawn));
    }

    #[test]
    fn exports_with_standard_names() {
        let c = sample(1);
        let v = c.to_gbt39046(&ExportNames {
            impl_code: "X",
            department: "示例局",
            department_code: "Y",
            co_departments: &[("甲".into(), "1".into()), ("乙".into(), "2".into())],
        });
        assert_eq!(v["事项名称"], "食品经营许可");
        assert_eq!(v["事项类型代码"], "01");
        assert_eq!(v["办件类型代码"], "2");
        assert_eq!(v["服务对象代码"], "2,1");
        assert_eq!(v["共同实施部门"], "甲；乙");
        assert_eq!(v["申请材料"][0]["是否必备材料"], "1");
    }

    #[test]
    fn diff_lists_changed_fields() {
        let a = sample(1);
        let mut b = sample(1);
        b.promised_limit_days = 8;
        b.materials[0].copies = 2;
        b.themes.push("食品".into());
        let d = diff(&a, &b);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["materials[1].copies", "promised_limit_days", "themes"]);
        assert_eq!(d[1].before, serde_json::json!(10));
        assert!(diff(&a, &a).is_empty());
    }
}
