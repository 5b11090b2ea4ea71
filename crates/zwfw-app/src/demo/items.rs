//! The demo catalogue: realistic service items across the demo departments,
//! each with a complete guide, materials and a process of 3–6 steps (some
//! with joint review), published through the governance flow.

use std::sync::LazyLock;
use zwfw_domain::admin::Role;
use zwfw_domain::catalog::{
    CaseType, CoReview, ExerciseLevel, HandlingMode, ItemContent, ItemType, Material, ServiceObject, Step,
    SubjectNature,
};
use zwfw_domain::registry::SlipKind;

/// One demo item, as written in `items.txt`.
pub struct DemoItem {
    pub name: &'static str,
    /// The department's key in the demo organization.
    pub dept: &'static str,
    pub basic_code: &'static str,
    pub item_type: ItemType,
    pub basis: &'static str,
    pub legal: u32,
    pub promised: u32,
    pub result: &'static str,
    pub objects: Vec<ServiceObject>,
    pub themes: Vec<&'static str>,
    /// (standard, basis, amount in fen; 0 when it is assessed case by case)
    pub fee: Option<(&'static str, &'static str, i64)>,
    pub materials: Vec<&'static str>,
    /// (step name, role, days, may suspend)
    pub steps: Vec<(&'static str, Role, u32, bool)>,
    /// Joint review in the step at this index, with these departments and sub-limits.
    pub joint: Option<(usize, Vec<(&'static str, u32)>)>,
    pub special: Vec<&'static str>,
    /// The departments an approval is pushed to (审管交互); none: the implementing department.
    pub regulators: Vec<&'static str>,
}

/// The demo items, read once from `items.txt` (compiled in; the test below
/// checks every one).
pub static ITEMS: LazyLock<Vec<DemoItem>> = LazyLock::new(|| {
    include_str!("items.txt")
        .split("\n\n")
        .filter_map(|block| {
            let lines: Vec<&str> = block.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect();
            (!lines.is_empty()).then(|| parse_item(&lines).unwrap_or_else(|e| panic!("items.txt: {e} in {lines:?}")))
        })
        .collect()
});

fn parse_item(lines: &[&'static str]) -> Result<DemoItem, String> {
    let field = |key: &str| -> Option<&'static str> {
        lines.iter().copied().find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")).map(str::trim))
    };
    let need = |key: &str| field(key).ok_or_else(|| format!("no {key}"));
    let list = |key: &str| -> Vec<&'static str> {
        field(key).map(|v| v.split(" | ").map(str::trim).collect()).unwrap_or_default()
    };
    let number = |s: &str| s.trim().parse::<u32>().map_err(|_| format!("not a number: {s}"));
    let by_label = |label: &str| ServiceObject::ALL.iter().copied().find(|o| o.label() == label);
    let days = need("days")?;
    let (legal, promised) =
        days.strip_suffix(" promised").and_then(|d| d.split_once(" legal, ")).ok_or_else(|| format!("days: {days}"))?;
    let steps = list("steps")
        .into_iter()
        .map(|s| {
            let (s, suspend) = s.strip_suffix(" may suspend").map_or((s, false), |s| (s, true));
            let mut parts = s.rsplitn(3, ' ');
            let (days, role, name) = (parts.next(), parts.next(), parts.next());
            match (name, role.and_then(|r| Role::parse(r).ok()), days.map(number)) {
                (Some(name), Some(role), Some(days)) => Ok((name, role, days?, suspend)),
                _ => Err(format!("step: {s}")),
            }
        })
        .collect::<Result<_, _>>()?;
    let joint = match field("joint") {
        None => None,
        Some(j) => {
            let (at, co) = j.strip_prefix("at step ").and_then(|j| j.split_once(": ")).ok_or("joint")?;
            let co = co
                .split(" | ")
                .map(|c| c.split_once(' ').ok_or(format!("joint: {c}")).and_then(|(k, d)| Ok((k, number(d)?))))
                .collect::<Result<_, _>>()?;
            Some((number(at)? as usize - 1, co))
        }
    };
    let fee = match list("fee")[..] {
        [] => None,
        [standard, basis, fen] => Some((standard, basis, fen.parse().map_err(|_| format!("fee: {fen}"))?)),
        _ => return Err("fee".into()),
    };
    let item_type = need("type")?;
    Ok(DemoItem {
        name: need("name")?,
        dept: need("dept")?,
        basic_code: need("basic code")?,
        item_type: ItemType::ALL.iter().copied().find(|t| t.label() == item_type).ok_or("type")?,
        basis: need("basis")?,
        legal: number(legal)?,
        promised: number(promised)?,
        result: need("result")?,
        objects: list("objects")
            .into_iter()
            .map(|o| by_label(o).ok_or(format!("object: {o}")))
            .collect::<Result<_, _>>()?,
        themes: list("themes"),
        fee,
        materials: list("materials"),
        steps,
        joint,
        special: list("special"),
        regulators: list("regulators"),
    })
}

/// The content of a demo item. `dept` maps department keys to ids.
pub fn content(d: &DemoItem, dept: &dyn Fn(&str) -> i64, phone: &str) -> ItemContent {
    let dept_id = dept(d.dept);
    let immediate = d.promised == 0;
    let steps: Vec<Step> = d
        .steps
        .iter()
        .enumerate()
        .map(|(i, (name, role, days, susp))| Step {
            name: (*name).into(),
            department_id: dept_id,
            role: *role,
            limit_days: *days,
            may_suspend: *susp,
            joint: match &d.joint {
                Some((at, co)) if *at == i => {
                    co.iter().map(|(k, days)| CoReview { department_id: dept(k), limit_days: *days }).collect()
                }
                _ => vec![],
            },
        })
        .collect();
    let co_departments: Vec<i64> =
        d.joint.as_ref().map(|(_, co)| co.iter().map(|(k, _)| dept(k)).collect()).unwrap_or_default();
    ItemContent {
        name: d.name.into(),
        sub_name: String::new(),
        basic_code: d.basic_code.into(),
        item_type: d.item_type,
        legal_basis: d.basis.into(),
        exercise_level: if d.dept.starts_with("dc_") { ExerciseLevel::County } else { ExerciseLevel::Municipal },
        authority_division: String::new(),
        content_exercised: String::new(),
        department_id: dept_id,
        subject_nature: SubjectNature::StatutoryAgency,
        legal_limit_days: d.legal,
        legal_limit_note: "自受理之日起计算，特别程序所需时间不计入".into(),
        promised_limit_days: d.promised,
        promised_limit_note: String::new(),
        case_type: if immediate { CaseType::Immediate } else { CaseType::Promised },
        acceptance_conditions: format!("申请人提交的材料齐全、符合法定形式，并符合{}的法定条件。", d.name),
        process_description: d.steps.iter().map(|s| s.0).collect::<Vec<_>>().join(" → "),
        co_department_ids: co_departments,
        regulator_department_ids: d.regulators.iter().map(|k| dept(k)).collect(),
        handling_office: "行政审批科".into(),
        intermediary_services: String::new(),
        quantity_limit: "无数量限制".into(),
        result_name: d.result.into(),
        result_type: if d.result.contains("证") || d.result.contains("执照") {
            "证照".into()
        } else {
            "批文".into()
        },
        result_delivery: "窗口领取、邮政寄递或电子证照".into(),
        result_sample_sm3: None,
        fee: d.fee.is_some(),
        fee_standard: d.fee.map(|f| f.0.to_string()).unwrap_or_default(),
        fee_amount_fen: d.fee.and_then(|f| (f.2 > 0).then_some(f.2)),
        fee_basis: d.fee.map(|f| f.1.to_string()).unwrap_or_default(),
        scope: "全市通办".into(),
        service_objects: d.objects.to_vec(),
        themes: d.themes.iter().map(|t| t.to_string()).collect(),
        handling_modes: vec![HandlingMode::Counter, HandlingMode::OnlinePc, HandlingMode::OnlineMobile],
        special_procedures: d.special.iter().map(|s| s.to_string()).collect(),
        special_procedure_max_days: (!d.special.is_empty()).then_some(15),
        extension_moves_promised: false,
        jurisdiction: String::new(),
        appointment: true,
        online_payment: d.fee.is_some(),
        courier: true,
        online: true,
        online_url: String::new(),
        system_level: "市级".into(),
        location: "示例市政务服务中心（市民大道1号）一楼综合窗口".into(),
        traffic_guide: "公交1路、8路政务中心站下车".into(),
        office_hours: "工作日 上午9:00—12:00，下午13:30—17:00".into(),
        visits: if immediate { 0 } else { 1 },
        enquiry_channels: "电话、窗口、网上咨询".into(),
        enquiry_phone: phone.into(),
        supervision_phone: "0858-12345".into(),
        faq: format!("问：{}可以网上办理吗？\n答：可以，登录本平台选择“在线办理”，按提示上传材料即可。", d.name),
        materials: d
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| Material {
                name: (*m).into(),
                kind: if i == 0 { "原件".into() } else { "原件和复印件".into() },
                source: if m.contains("证书") || m.contains("执照") {
                    "政府部门核发".into()
                } else {
                    "申请人自备".into()
                },
                acceptance_standard: "内容完整、填写规范，需签字盖章的已签字盖章".into(),
                requirements: if i == 0 {
                    "使用统一格式，可在本页下载".into()
                } else {
                    "复印件须加盖公章或签字确认".into()
                },
                originals: 1,
                copies: u32::from(i > 0),
                required: true,
                // A material that is a business licence takes the holder's
                // electronic 营业执照; a food-safety system may be promised
                // (告知承诺) instead.
                license_type_code: if m.ends_with("营业执照") || m.ends_with("营业执照复印件") {
                    super::licenses::business_licence_code()
                } else {
                    String::new()
                },
                // The 法人库 record stands for a business licence, the
                // 人口库 record for an operator's identity, the applicant's
                // own (either) for an applicant's identity.
                registry: match *m {
                    m if m.ends_with("营业执照") || m.ends_with("营业执照复印件") => {
                        SlipKind::Company.code()
                    }
                    "经营者身份证明" => SlipKind::Person.code(),
                    "申请人身份证明" => SlipKind::Either.code(),
                    _ => "",
                }
                .into(),
                commitment: m.contains("食品安全管理制度"),
                ..Default::default()
            })
            .collect(),
        steps,
        form_fields: super::item_extras::form_fields(d.name),
        life_events: super::item_extras::life_events(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_item_is_valid() {
        let ids = ["center", "market", "land", "housing", "health", "justice", "dc_market"];
        let dept = |k: &str| ids.iter().position(|x| *x == k).map(|p| p as i64 + 1).unwrap_or(99);
        let mut joint = 0;
        for d in ITEMS.iter() {
            let c = content(d, &dept, "0858-8800000");
            c.validate().unwrap_or_else(|e| panic!("{}: {e}", d.name));
            assert!((3..=6).contains(&c.steps.len()), "{}", d.name);
            joint += usize::from(c.has_joint_review());
        }
        assert!(ITEMS.len() >= 30, "{}", ITEMS.len());
        assert!(joint >= 3);
    }
}
