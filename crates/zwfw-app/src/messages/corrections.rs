//! The texts of misoperation correction (误操作更正).

/// Chinese text for a correction error code and its detail, if the code is one of the area's.
pub fn corrections_text(code: &str, detail: Option<&str>) -> Option<String> {
    let n = detail.unwrap_or("");
    let t = match (code, detail) {
        ("correction_no_such_event", _) => {
            return Some(format!("该办件没有第{n}号办理记录：只能更正已经记录在办件上的操作，请按办件的办理进度选择要更正的记录"))
        }
        ("correction_wrong_kind", _) => {
            return Some(format!("第{n}号办理记录不是所选的更正类型（例如“环节误通过”只能更正一条“办理通过”记录，“办结结论有误”只能更正准予或不予许可的“办结”记录）"))
        }
        ("correction_already_done", _) => return Some(format!("第{n}号办理记录已经更正过，不能重复更正")),
        ("correction_not_possible", _) => {
            return Some(format!(
                "第{n}号办理记录现在不能更正：环节误通过只能更正办件最近一次仍然有效的“办理通过”，且办件尚未办结，其后已有通过、退回或更正的，请按退回等程序办理；办结结论有误只能更正办件现行的、尚未送达的办结决定"
            ))
        }
        ("correction_already_requested", _) => {
            return Some(format!("第{n}号办理记录已有尚未办结的更正申请，请等待处理或先撤回"))
        }
        ("correction_wrong_stage", _) => "该更正申请已不在这一步（可能已被处理或撤回），请刷新后查看",
        ("correction_license_issued", _) => {
            "该办件已经（或正在）颁发证照，证照上载有申请人信息，不能以误操作更正改动：申请人信息有误的，请按证照换发、变更或者吊销的程序办理"
        }
        ("correction_records_derived", _) => {
            "该办件的办结结果已经生成双公示信息或推送监管部门（审管联动），其中载有申请人信息，不能以误操作更正改动：请由作出决定的部门按相关程序更正"
        }
        ("correction_decision_delivered", _) => {
            return Some(format!(
                "第{n}号办理记录（办结）的决定已经送达，已对外生效，不能以误操作更正改动：确有错误的，由作出决定的机关依照《中华人民共和国行政许可法》第六十九条撤销或者变更，所颁发的证照按吊销、变更等程序办理"
            ))
        }
        ("correction_license_changed", _) => {
            return Some(format!(
                "依据第{n}号办理记录（办结）颁发的电子证照此后已经换发、变更、注销、吊销或者过期，不能再以误操作更正改动该决定：请按证照和行政许可的相应程序办理"
            ))
        }
        ("correction_values_required", _) => "请填写更正后的申请人信息（类型、姓名或单位名称、证件号码、联系电话）",
        ("correction_identity_of_account", _) => {
            "网上申报的申请人类型、姓名和证件号码取自申请人实名认证的账户，不能在此更正；只能更正联系电话、地址和电子邮箱"
        }
        ("correction_no_change", _) => "更正后的申请人信息与办件记录的一致，没有需要更正的内容",
        ("document_superseded", _) => {
            "结论已更正，本文书不再有效：该决定已经误操作更正撤回，办件待重新决定，新的决定另行出具文书"
        }
        ("bad_correction_kind", _) => "请选择更正类型：环节误通过、申请人信息有误或办结结论有误",
        ("invalid_correction_text", Some(d)) => return Some(d.to_string()),
        ("invalid_correction_text", None) => "请填写更正的内容和原因",
        ("not_author", Some("correction_request")) => {
            "只有录入该办理记录的本人或本部门负责人可以申请更正；撤回更正申请只能由申请人本人办理"
        }
        ("own_request", Some("correction_request")) => {
            "不能审批本人提出的更正申请：须由本部门其他负责人同意，由政务服务中心其他管理员执行"
        }
        ("not_in_department", Some("correction_request")) => {
            "只有办件所属部门的工作人员可以申请更正，只有办件所属部门的部门负责人可以同意或不同意更正申请"
        }
        ("needs_dept_head", Some("correction_request")) => "更正申请须由办件所属部门的部门负责人同意或不同意",
        ("missing_role", Some("correction_request")) => "更正由政务服务中心管理员执行",
        ("own_consent", Some("correction_request")) => {
            "同意该更正申请的人不能再执行该更正：须由政务服务中心其他管理员执行或不予更正"
        }
        ("own_consent", _) => "同意申请的人不能再执行该申请",
        ("supervision_reads_only", Some("correction_request")) => "监察人员只能查看更正申请，不能申请、同意或执行",
        ("staff_only", Some("correction_request")) => "更正申请只能由工作人员办理",
        _ => return None,
    };
    Some(t.to_string())
}

/// What a correction request names, in its notices: the case and the record.
pub fn correction_subject(case_no: &str, seq: i64, label: &str) -> String {
    format!("办件{case_no}第{seq}号记录（{label}）")
}

/// Who gave the consent or refusal of a correction request, in words:
/// `consent_as` '' (a head of the case's department), `centre_head` or
/// `system_admin` (who stood in for the heads).
pub fn correction_consenter(consent_as: &str) -> &'static str {
    match consent_as {
        "centre_head" => "政务服务中心负责人（代部门负责人）",
        "system_admin" => "系统管理员（代部门负责人）",
        _ => "部门负责人",
    }
}

/// The in-app notice of a step of correction request `id`: its title and text.
/// `step`: requested | to_perform | consented | declined | performed |
/// reported | rejected | withdrawn; `by` who consented or refused
/// ([`correction_consenter`]).
pub fn correction_notice(step: &str, id: i64, what: &str, requester: &str, by: &str, note: &str) -> (String, String) {
    let why = if note.is_empty() { String::new() } else { format!("意见：{note}") };
    match step {
        "requested" => (
            format!("更正申请第{id}号待您同意"),
            format!("{requester}申请更正{what}。原因：{note}。请审核后同意或不同意。"),
        ),
        "to_perform" => (
            format!("更正申请第{id}号待政务服务中心执行"),
            format!("{by}已同意{requester}更正{what}的申请，请核实后执行更正或不予更正。{why}"),
        ),
        "consented" => (
            format!("更正申请第{id}号：{by}已同意"),
            format!("您更正{what}的申请已经{by}同意，等待政务服务中心执行。{why}"),
        ),
        "declined" => (format!("更正申请第{id}号：{by}不同意"), format!("您更正{what}的申请未获{by}同意。{why}")),
        "performed" => (
            format!("更正申请第{id}号：已更正"),
            format!("政务服务中心已更正{what}，原记录保留在办理进度中并标明已更正。{why}"),
        ),
        "reported" => (
            format!("误操作更正报备：更正申请第{id}号"),
            format!("政务服务中心已依{requester}的申请更正{what}，原记录保留在办理进度中。{why}"),
        ),
        "rejected" => (
            format!("更正申请第{id}号：政务服务中心不予更正"),
            format!("政务服务中心对更正{what}的申请不予执行。{why}"),
        ),
        _ => (format!("更正申请第{id}号已撤回"), format!("{requester}撤回了更正{what}的申请。")),
    }
}

/// The names of the applicant's fields an applicant-data correction changed, in words.
pub fn applicant_fields_text(fields: &[&str]) -> String {
    let names: Vec<&str> = fields
        .iter()
        .map(|f| match *f {
            "kind" => "申请人类型",
            "name" => "姓名或单位名称",
            "id_no" => "证件号码",
            "mobile" => "联系电话",
            "address" => "地址",
            "email" => "电子邮箱",
            _ => "其他",
        })
        .collect();
    names.join("、")
}

/// An applicant's data as a corrective record shows it (already masked):
/// 姓名 张* · 证件号码 110101********7777 · 联系电话 138****8000 · …
pub fn applicant_text(a: &zwfw_domain::governance::correction::ApplicantRecord) -> String {
    let mut parts = vec![format!("姓名或单位名称 {}", a.name), format!("证件号码 {}", a.id_no)];
    parts.push(format!("联系电话 {}", a.mobile));
    if !a.address.is_empty() {
        parts.push(format!("地址 {}", a.address));
    }
    if !a.email.is_empty() {
        parts.push(format!("电子邮箱 {}", a.email));
    }
    parts.join("，")
}
