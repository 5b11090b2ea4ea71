//! The texts of the governance area (配置/维护需求).

/// Chinese text for a governance error code and its detail, if the code is one of the area's.
pub fn governance_text(code: &str, detail: Option<&str>) -> Option<String> {
    let t = match (code, detail) {
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
        _ => return None,
    };
    Some(t.to_string())
}
