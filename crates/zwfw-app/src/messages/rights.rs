//! The texts of 权限变更申请 (user-right changes on record).

/// Chinese text for an error code of right-change requests and its detail, if it is one of theirs.
pub fn rights_text(code: &str, detail: Option<&str>) -> Option<String> {
    let who = |d: Option<&str>| d.map(|w| format!("{w}：")).unwrap_or_default();
    let t = match (code, detail) {
        ("rights_already_requested", d) => {
            return Some(format!(
                "{}已有一份涉及该工作人员、尚未办结的权限变更申请：请等待其审核、执行，或先撤回后再申请",
                who(d)
            ))
        }
        ("rights_wrong_stage", _) => "该权限变更申请已不在这一步（可能已被处理或撤回），请刷新后查看",
        ("rights_bad_list", _) => "请至少填写一名工作人员的变更，一次申请最多20人",
        ("rights_duplicate_staff", _) => "同一名工作人员只能在申请中出现一次，请把他的变更写在同一行",
        ("rights_empty_row", _) => "每一行都要写明增加或取消的角色，或调往的部门",
        ("rights_contradiction", _) => "同一角色不能既增加又取消，调往的部门不能是现在所在的部门",
        ("rights_staff_inactive", d) => {
            return Some(format!("{}该账号已停用，不能变更其权限；本申请不能执行，请不予执行", who(d)))
        }
        ("rights_role_already_held", d) => {
            return Some(format!("{}要增加的角色该工作人员已经具有；本申请不能按原样执行，请不予执行后重新申请", who(d)))
        }
        ("rights_role_not_held", d) => {
            return Some(format!("{}要取消的角色该工作人员并不具有；本申请不能按原样执行，请不予执行后重新申请", who(d)))
        }
        ("rights_department_changed", d) => {
            return Some(format!(
                "{}该工作人员已不在申请时所在的部门；本申请不能执行，请不予执行后由现在的部门重新申请",
                who(d)
            ))
        }
        ("rights_no_role_left", d) => {
            return Some(format!(
                "{}变更后该工作人员将没有任何角色，不能这样申请：仍在岗的，请在同一行中勾选其新担任的角色；不再任职的，请在该账号页面停用账号并写明原因（部门管理员停用本部门只有窗口人员、审批人员、部门负责人角色的账号；其他账号，例如只有运维人员角色的，由系统管理员停用），停用后其角色不再生效",
                who(d)
            ))
        }
        ("rights_change_needs_request", _) => {
            "角色和所属部门的变更须经权限变更申请：由部门提出申请、部门负责人同意后由管理员执行（系统管理员在紧急情况下可勾选“紧急变更”并写明原因直接变更）"
        }
        ("rights_emergency_system_admin_only", _) => "只有系统管理员可以在紧急情况下直接变更角色和部门",
        ("invalid_rights_text", Some(d)) => return Some(d.to_string()),
        ("invalid_rights_text", None) => "请填写变更理由",
        ("bad_rights_role", _) => "请选择有效的角色",
        ("missing_role", Some("rights_request")) => {
            "权限变更申请由本部门的部门管理员或部门负责人提出；执行须由本部门的部门管理员或系统管理员办理"
        }
        ("supervision_reads_only", Some("rights_request")) => "监察人员查看权限变更申请并备案，不执行变更",
        ("staff_only", Some("rights_request")) => "权限变更申请只能由工作人员办理",
        ("needs_centre", _) => {
            "运维人员角色的授予、变更和取消须通过权限变更申请，由政务服务中心管理员审核（部门负责人不审核；新建账号时不能直接授予运维人员角色）"
        }
        ("needs_dept_head", Some("rights_request")) => "权限变更申请须由申请部门的部门负责人同意或不同意",
        ("not_in_department", Some("rights_request")) => {
            "只有申请部门的部门负责人可以审核、本部门的部门管理员或系统管理员可以执行该权限变更申请"
        }
        ("own_request", Some("rights_request")) => {
            "不能审核本人提出的权限变更申请：须由其他有权审核的人员审核（一般为本部门其他负责人；涉及运维人员的，为其他政务服务中心管理员；没有时由政务服务中心的部门负责人或系统管理员代为审核，见申请页面）"
        }
        ("own_account", Some("rights_request")) => {
            "该申请变更的是您本人的权限，您不能审核：须由其他有权审核的人员审核（一般为本部门其他负责人；涉及运维人员的，为其他政务服务中心管理员；没有时由政务服务中心的部门负责人或系统管理员代为审核，见申请页面）"
        }
        ("not_author", Some("rights_request")) => "只有申请人本人可以撤回权限变更申请",
        ("rights_role_not_offered", Some("supervisor")) => {
            "监察室只能为本室的工作人员申请监察人员、部门负责人角色的变更；其他角色由所在部门申请，系统管理员角色不经申请授予"
        }
        ("rights_role_not_offered", Some("center_admin")) => {
            "政务服务中心只能为本中心的工作人员申请政务服务中心管理员、部门负责人、运维人员角色的变更；系统管理员角色不经申请授予"
        }
        ("rights_role_not_offered", _) => {
            "部门只能为本部门的工作人员申请本部门的角色（窗口人员、审批人员、部门负责人、部门管理员、法制审核、运维人员）；系统管理员、监察人员和政务服务中心管理员不由部门申请"
        }
        ("rights_move_not_offered", Some("supervisor")) => {
            "监察室可以申请本室工作人员调往其他业务部门，或将其他部门的工作人员调入本室；调入政务服务中心的，由政务服务中心申请"
        }
        ("rights_move_not_offered", Some("center_admin")) => {
            "政务服务中心可以申请本中心工作人员调往其他业务部门，或将其他业务部门的工作人员调入本中心；监察室的工作人员只由监察室申请调动（被监督的一方不能调走监察人员），调入监察室的，也由监察室申请"
        }
        ("rights_move_not_offered", _) => {
            "只能申请调往其他业务部门；调入政务服务中心或监察室的，由政务服务中心或监察室（调入的一方）申请"
        }
        ("rights_move_with_operator", _) => {
            "调动和运维人员角色请分别申请：调动由调入（或调出）部门的负责人审核，运维人员角色由政务服务中心管理员审核"
        }
        ("rights_system_admin_named", _) => {
            "系统管理员账号不由权限变更申请调整，请不要在申请中列入系统管理员"
        }
        ("rights_role_left_behind", _) => {
            "调动后保留的角色须是调入部门的角色：调离监察室的须取消监察人员角色，调离政务服务中心的须取消政务服务中心管理员角色，调入政务服务中心或监察室的须取消原部门的角色；请在同一行中取消这些角色，并勾选在调入部门担任的角色"
        }
        ("not_in_department", Some("rights_source")) => {
            "一份申请只能调入同一个部门的工作人员，不同部门的请分别申请"
        }
        ("not_in_department", Some("rights_subject")) => {
            "只能为本部门的工作人员申请权限变更（政务服务中心和监察室还可以申请将其他部门的工作人员调入本中心、本室；政务服务中心管理员还可以为各部门工作人员申请授予或取消运维人员角色）；一份申请只涉及一个部门"
        }
        ("own_account", Some("rights_subject")) => "不能为本人申请权限变更，请由本部门的其他负责人或管理员申请",
        ("not_in_department", Some("rights_row")) => {
            "该申请含调往其他部门的变更，部门管理员只能在本部门内调整，须由系统管理员执行"
        }
        ("role_grant_forbidden", Some("rights_row")) => {
            "该申请中有您不能授予或取消的角色（部门管理员只能调整窗口人员、审批人员和部门负责人），须由系统管理员执行"
        }
        ("own_account", Some("rights_row")) => "不能执行变更本人权限的申请，请由其他管理员执行",
        ("role_grant_forbidden", Some("staff_account")) => {
            "该账号具有您不能授予或取消的角色（部门管理员只能调整窗口人员、审批人员和部门负责人），这里只能查看。其角色和部门的变更请提出权限变更申请，经部门负责人同意后由系统管理员执行。"
        }
        ("own_account", Some("staff_account")) => {
            "这是您本人的账号，这里只能查看。本人角色和部门的变更，请由本部门的其他负责人或管理员提出权限变更申请。"
        }
        ("not_in_department", Some("staff_account")) => "该账号不属于您管理的部门，这里只能查看。",
        (_, Some("staff_account")) => "您可以查看该账号，但不能修改。",
        _ => return None,
    };
    Some(t.to_string())
}

/// Chinese text for a row that does not fit its account when asked
/// (`detail`: the staff member's name), if the code is one of these.
pub fn rights_ask_text(code: &str, detail: Option<&str>) -> Option<String> {
    let who = detail.map(|w| format!("{w}：")).unwrap_or_default();
    let t = match code {
        "rights_role_already_held" => "该工作人员已经具有要增加的角色，请不要勾选已有的角色",
        "rights_role_not_held" => "该工作人员并不具有要取消的角色，请只勾选其现有的角色",
        "rights_staff_inactive" => "该账号已停用，不能申请变更其权限",
        "rights_department_changed" => "该工作人员不在本部门，只能为本部门的工作人员申请",
        _ => return None,
    };
    Some(format!("{who}{t}"))
}

/// The in-app notice of a step of right-change request `id`: its title and
/// text. `step`: requested | approved | declined | applied | rejected |
/// withdrawn | emergency.
pub fn rights_notice(step: &str, id: i64, department: &str, requester: &str, reason: &str) -> (String, String) {
    match step {
        "requested" => (
            format!("权限变更申请第{id}号待您审核"),
            format!("{requester}申请变更{department}工作人员的权限。理由：{reason}。请审核后同意或不同意。"),
        ),
        "approved" => (
            format!("权限变更申请第{id}号：部门负责人已同意"),
            format!("{department}的权限变更申请（{requester}提出）已经部门负责人同意，报监察室备案，等待管理员执行。"),
        ),
        "declined" => (
            format!("权限变更申请第{id}号：部门负责人不同意"),
            format!("{department}的权限变更申请未获部门负责人同意。"),
        ),
        "applied" => (
            format!("权限变更申请第{id}号：已执行"),
            format!("{department}的权限变更申请（{requester}提出）已由管理员执行，相关人员须重新登录。"),
        ),
        "rejected" => (
            format!("权限变更申请第{id}号：管理员不予执行"),
            format!("{department}的权限变更申请（{requester}提出）管理员不予执行。"),
        ),
        "moving_out" => (
            format!("权限变更申请第{id}号：调出本部门的工作人员"),
            format!("{requester}申请将本部门的工作人员调入{department}。理由：{reason}。由{department}的负责人审核，特此告知。"),
        ),
        "emergency" => (
            format!("紧急变更第{id}号：系统管理员直接变更了权限"),
            format!(
                "系统管理员{requester}在紧急情况下直接变更了{department}工作人员的角色或部门。原因：{reason}。请核查。"
            ),
        ),
        _ => (format!("权限变更申请第{id}号已撤回"), format!("{requester}撤回了{department}的权限变更申请。")),
    }
}
