//! The item as the national exchange names it (GB/T 39046 表4), and its
//! implementation code (实施编码).

use super::{ExerciseLevel, ItemContent};
use crate::ids::CreditCode;

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
