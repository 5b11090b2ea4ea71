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
            "提交配置/维护需求须由部门管理员、部门负责人或监察人员办理；答复须由政务服务中心管理员办理"
        }
        ("supervision_reads_only", Some("maintenance_request")) => "监察人员只能查看配置/维护需求，不能答复",
        ("staff_only", Some("maintenance_request")) => "配置/维护需求只能由工作人员提交",
        ("missing_role", Some("request_change")) => "只有政务服务中心管理员可以依配置/维护需求作出变更",
        ("staff_only", Some("request_change")) => "只有政务服务中心管理员可以依配置/维护需求作出变更",
        _ => return None,
    };
    Some(t.to_string())
}
