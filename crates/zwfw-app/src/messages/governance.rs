//! The texts of the governance area (配置/维护需求).

/// Chinese text for a governance error code and its detail, if the code is one of the area's.
pub fn governance_text(code: &str, detail: Option<&str>) -> Option<String> {
    let t = match (code, detail) {
        ("not_qualified", Some(roles)) => {
            let names: Vec<String> = roles
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| crate::messages::label("role", c))
                .collect();
            return Some(format!(
                "您尚未取得{}岗位的有效上岗资格（经培训并考试合格，且在有效期内），不能办理此事项",
                names.join("、")
            ));
        }
        ("not_qualified", None) => "您尚未取得有效的上岗资格，不能办理此事项",
        ("invalid_request_text", Some(d)) => return Some(d.to_string()),
        ("invalid_request_text", None) => "请填写需求内容",
        ("bad_request_kind", _) => "请选择需求类型：用户和权限、事项配置、机构数据、误操作更正或其他",
        ("bad_decision", _) => "请选择受理或不予办理",
        ("request_already_answered", _) => "该需求已经答复，不能重复答复",
        ("request_not_accepted", _) => "该需求未被受理或已办结，不能依此需求作出变更或办结",
        ("missing_role", Some("maintenance_request")) => {
            "提交配置/维护需求须由部门管理员、部门负责人或监察人员办理；答复须由政务服务中心管理员或系统管理员办理"
        }
        ("supervision_reads_only", Some("maintenance_request")) => "监察人员只能查看配置/维护需求，不能答复",
        ("staff_only", Some("maintenance_request")) => "配置/维护需求只能由工作人员提交",
        ("own_account", Some("maintenance_request")) => {
            "不能答复或办结自己提出的配置/维护需求：须由政务服务中心的其他管理员分析答复"
        }
        ("missing_role", Some("request_change")) => "只有政务服务中心管理员或系统管理员可以依配置/维护需求作出变更",
        ("staff_only", Some("request_change")) => "只有政务服务中心管理员或系统管理员可以依配置/维护需求作出变更",
        ("qualification_future_date", _) => "培训或考试日期不能晚于今天：只能登记已经举行的培训和考试",
        ("qualification_valid_until_before_date", _) => "有效期至不能早于培训或考试日期",
        ("qualification_valid_until_required", _) => "考试合格的，请填写上岗资格的有效期至",
        ("qualification_role_not_held", _) => "该工作人员不担任所选岗位，不能登记该岗位的培训或考试",
        ("qualification_role_exempt", _) => "系统管理员无需登记上岗资格",
        ("qualification_score_out_of_range", _) => "考试成绩应在0至100分之间",
        ("qualification_valid_too_long", _) => "上岗资格的有效期自考试之日起不能超过5年，到期须重新考试",
        ("qualification_valid_until_not_allowed", _) => {
            "只有考试合格才登记有效期至；培训和不合格、待定的考试请不填有效期"
        }
        ("invalid_qualification_text", Some(d)) => return Some(d.to_string()),
        ("invalid_qualification_text", None) => "请填写培训或考试的内容",
        ("bad_qualification_kind", _) => "请选择培训或考试",
        ("bad_qualification_result", _) => "请选择结果：合格、不合格或成绩待定",
        ("bad_qualification_role", _) => "请选择岗位",
        ("bad_qualification_date", Some("valid_until")) => "有效期至的日期格式不正确（例如 2028-06-30）",
        ("bad_qualification_date", _) => "培训或考试日期的格式不正确（例如 2026-06-30）",
        ("not_in_department", Some("qualification")) => "部门管理员只能为本部门的工作人员登记培训和考试",
        ("role_grant_forbidden", Some("qualification")) => {
            "部门管理员只能登记窗口人员、审批人员和部门负责人岗位的培训和考试，其他岗位由政务服务中心登记"
        }
        ("own_account", Some("qualification")) => "不能为本人登记培训或考试，请由政务服务中心管理员登记",
        ("supervision_reads_only", Some("qualification")) => "监察人员只能查看上岗资格，不能登记",
        ("missing_role", Some("qualification")) => "培训和考试由政务服务中心管理员、系统管理员或本部门的部门管理员登记",
        ("staff_only", Some("qualification")) => "培训和考试只能由工作人员登记",
        ("bad_record_kind", _) => {
            "只能申请删除办件草稿、办件草稿的材料、未提交法制审核的事项草稿或尚未答复的配置/维护需求"
        }
        ("record_not_deletable", _) => {
            "该记录当前的状态不能删除：只有未提交的办件草稿及其材料、未提交法制审核的事项草稿和尚未答复的配置/维护需求可以删除，已受理的办件须按更正程序办理，已提交审核的事项版本按事项程序撤回"
        }
        ("deletion_already_requested", _) => "该记录已有尚未办结的删除申请，请等待处理或先撤回",
        ("deletion_wrong_stage", _) => "该删除申请已不在这一步（可能已被处理或撤回），请刷新后查看",
        ("invalid_deletion_text", Some(d)) => return Some(d.to_string()),
        ("invalid_deletion_text", None) => "请填写删除的内容和原因",
        ("bad_verdict", _) => "请选择同意或不同意",
        ("not_author", Some("deletion_request")) => "只有录入该记录的本人可以申请删除，或撤回本人的删除申请",
        ("not_author", _) => "只有录入该记录的本人可以办理",
        ("own_request", Some("deletion_request")) => {
            "不能审批本人提出的删除申请：须由本部门其他负责人同意，由监察室执行"
        }
        ("own_request", _) => "不能审批本人提出的申请",
        ("not_in_department", Some("deletion_request")) => "只有申请人所在部门的部门负责人可以同意或不同意该删除申请",
        ("needs_dept_head", Some("deletion_request")) => "删除申请须由申请人所在部门的部门负责人同意或不同意",
        ("missing_role", Some("deletion_request")) => "删除由监察室的监察人员执行；已删除记录的存档也只有监察人员可以查看",
        ("staff_only", Some("deletion_request")) => "删除申请只能由工作人员办理",
        _ => return None,
    };
    Some(t.to_string())
}

/// What a deletion request names as its record, in its lists.
pub fn deletion_record_label(kind: &str, id: i64, what: &str, applicant: &str) -> String {
    match kind {
        "case_draft" if applicant.is_empty() => format!("办件草稿（第{id}号）：{what}"),
        "case_draft" => format!("办件草稿（第{id}号）：{what}，申请人{applicant}"),
        // `id`: the draft's number; `applicant`: the material's name.
        "draft_material" => format!("办件草稿（第{id}号，{what}）的材料：{applicant}"),
        // `id`: the version's number.
        "item_draft" => format!("事项草稿：{what}（第{id}版）"),
        _ => format!("配置/维护需求第{id}号：{what}"),
    }
}

/// The in-app notice of a step of deletion request `id`: its title and text.
/// `step`: requested | to_perform | consented | declined | performed |
/// rejected | withdrawn.
pub fn deletion_notice(step: &str, id: i64, record: &str, author: &str, note: &str) -> (String, String) {
    let why = if note.is_empty() { String::new() } else { format!("意见：{note}") };
    match step {
        "requested" => (
            format!("删除申请第{id}号待您同意"),
            format!("{author}申请删除“{record}”。原因：{note}。请审核后同意或不同意。"),
        ),
        "to_perform" => (
            format!("删除申请第{id}号待监察室执行"),
            format!("部门负责人已同意{author}删除“{record}”的申请，请核实后执行删除或不予删除。{why}"),
        ),
        "consented" => (
            format!("删除申请第{id}号：部门负责人已同意"),
            format!("您删除“{record}”的申请已经部门负责人同意，等待监察室执行。{why}"),
        ),
        "declined" => {
            (format!("删除申请第{id}号：部门负责人不同意"), format!("您删除“{record}”的申请未获部门负责人同意。{why}"))
        }
        "performed" => (format!("删除申请第{id}号：已删除"), format!("监察室已删除“{record}”，原记录存档备查。{why}")),
        "rejected" => {
            (format!("删除申请第{id}号：监察室不予删除"), format!("监察室对删除“{record}”的申请不予执行。{why}"))
        }
        _ => (format!("删除申请第{id}号已撤回"), format!("{author}撤回了删除“{record}”的申请。")),
    }
}
