//! The item (事项) as a version holds it: its guide elements, materials and
//! process steps, and the rules its content must meet.

use super::{
    CaseType, ExerciseLevel, FieldKind, FormField, HandlingMode, ItemType, LifeEvent, ServiceObject, SubjectNature,
    PURPOSE_FIELD,
};
use crate::admin::Role;
use crate::calendar::check_step_limits;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An application material (GB/T 39046 表4 序号 56–64 and 第十条's material elements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ItemMaterial))]
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
    /// 证照类型代码 of the electronic licence that serves as this material:
    /// an applicant holding a valid licence of that type uses it instead of
    /// an upload (trust A). Empty: none.
    pub license_type_code: String,
    /// Which 人口库/法人库 record may stand for this material, as the
    /// platform's 信息核验单 of the applicant's own record (trust A):
    /// `person`, `company` or `any` ([`crate::registry::SlipKind`]).
    /// Empty: none (the applicant uploads it).
    pub registry: String,
    /// 告知承诺: the applicant may sign a commitment instead of providing
    /// the material (trust D), which the department may later find
    /// unfulfilled.
    pub commitment: bool,
}

/// A co-department's part in a joint review (并联审批).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoReview {
    pub department_id: i64,
    /// Its sub-limit inside the step's limit, in working days.
    pub limit_days: u32,
}

/// A step (环节) of the item's process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ItemStep))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// 审管交互: the departments that supervise the licensee after approval
    /// (监管部门), to which the item's grants and denials are pushed; empty:
    /// the implementing department ([`ItemContent::regulators`]).
    #[serde(default)]
    pub regulator_department_ids: Vec<i64>,
    /// 人生事件 the item belongs to (the portal's browse by life event).
    /// Kept the last field: the store finds an item by its events in the
    /// serialized content, where nothing follows this list.
    #[serde(default)]
    pub life_events: Vec<LifeEvent>,
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
    #[error("the material {name} names a licence type code that is not one")]
    MaterialLicenseType { name: String },
    #[error("the material {name} names a base record kind that is not person, company or any")]
    MaterialRegistry { name: String },
    #[error("step {step}: its role acts at no step of an item")]
    StepRole { step: usize },
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
            if !m.license_type_code.is_empty() && crate::licenses::LicenseTypeCode::parse(&m.license_type_code).is_err()
            {
                return Err(ItemError::MaterialLicenseType { name: m.name.clone() });
            }
            if !m.registry.is_empty() && crate::registry::SlipKind::parse(&m.registry).is_none() {
                return Err(ItemError::MaterialRegistry { name: m.name.clone() });
            }
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
            if !crate::access::operator::acts_at_steps(s.role) {
                return Err(ItemError::StepRole { step: i + 1 });
            }
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
        ids.extend(&self.regulator_department_ids);
        for s in &self.steps {
            ids.push(s.department_id);
            ids.extend(s.joint.iter().map(|c| c.department_id));
        }
        ids.sort();
        ids.dedup();
        ids
    }

    /// The departments a grant or denial of the item is pushed to (审管交互):
    /// those named, else the implementing department; each once, in order.
    pub fn regulators(&self) -> Vec<i64> {
        if self.regulator_department_ids.is_empty() {
            return vec![self.department_id];
        }
        let mut out: Vec<i64> = vec![];
        for d in &self.regulator_department_ids {
            if !out.contains(d) {
                out.push(*d);
            }
        }
        out
    }

    pub fn has_joint_review(&self) -> bool {
        self.steps.iter().any(|s| !s.joint.is_empty())
    }
}
