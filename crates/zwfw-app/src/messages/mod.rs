//! The message catalogue: every error code the program reports, in Chinese.
//! Pages and the API show these texts; the codes themselves are stable API.

pub mod audit;
mod backfill;
mod backup;
mod certificates;
mod corrections;
mod exchange_package;
mod governance;
mod labels;
mod license_import;
mod notices;
mod registry;
mod rights;

pub use backfill::*;
pub use backup::*;
pub use certificates::*;
pub use corrections::*;
pub use exchange_package::*;
pub use governance::*;
pub use labels::*;
pub use license_import::*;
pub use notices::*;
pub use registry::*;
pub use rights::*;

/// Chinese text for an error code and its optional detail (sub-reason or field).
pub fn error_text(code: &str, detail: Option<&str>) -> String {
    if let Some(t) = registry_text(code, detail) {
        return t;
    }
    if let Some(t) = license_import_text(code, detail) {
        return t;
    }
    if let Some(t) = corrections_text(code, detail) {
        return t;
    }
    // Before the governance texts, whose own_request and not_author are
    // general.
    if let Some(t) = rights_text(code, detail) {
        return t;
    }
    if let Some(t) = governance_text(code, detail) {
        return t;
    }
    if let Some(t) = certificates_text(code, detail) {
        return t;
    }
    if let Some(t) = backfill_text(code, detail) {
        return t;
    }
    if let Some(t) = backup_text(code, detail) {
        return t;
    }
    if let Some(t) = exchange_package_text(code, detail) {
        return t;
    }
    let base = match (code, detail) {
        ("invalid_resident_id", Some("length")) => "居民身份证号码应为18位",
        ("invalid_resident_id", Some("characters")) => "居民身份证号码只能包含数字，最后一位可以是X",
        ("invalid_resident_id", Some("region")) => "居民身份证号码的地址码不正确",
        ("invalid_resident_id", Some("birth_date")) => "居民身份证号码中的出生日期不正确",
        ("invalid_resident_id", _) => "居民身份证号码校验位不正确，请核对后重新输入",
        ("invalid_credit_code", Some("length")) => "统一社会信用代码应为18位",
        ("invalid_credit_code", Some("characters")) => "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）",
        ("invalid_credit_code", Some("region")) => "统一社会信用代码第3至8位应为行政区划码",
        ("invalid_credit_code", Some("authority")) => "统一社会信用代码第1位应为登记管理部门代码（1至9、A、N、Y）",
        ("invalid_credit_code", _) => "统一社会信用代码校验位不正确，请核对后重新输入",
        ("invalid_license_id", Some("root")) => "电子证照标识应以1.2.156.3005.2开头",
        ("invalid_license_id", Some("parts")) => {
            "电子证照标识应由证照类型代码、颁发机构代码、流水号、版本号和校验位五段组成，以“.”分隔"
        }
        ("invalid_license_id", Some("characters")) => "电子证照标识只能包含数字、大写字母和“.”",
        ("invalid_license_id", Some("type_code")) => "电子证照标识中的证照类型代码不正确",
        ("invalid_license_id", Some("issuer")) => "电子证照标识中的颁发机构代码不是有效的统一社会信用代码",
        ("invalid_license_id", Some("serial")) => "电子证照标识中的流水号不正确（1至40位数字或大写字母）",
        ("invalid_license_id", Some("version")) => "电子证照标识中的版本号应为3位数字（001起）",
        ("invalid_license_id", _) => "电子证照标识校验位不正确，请核对后重新输入",
        ("invalid_license_type_code", Some("authority")) => "证照类型代码前18位应为证照定义机构的统一社会信用代码",
        ("invalid_license_type_code", Some("sequence")) => "证照类型代码后3位应为数字",
        ("invalid_license_type_code", _) => "证照类型代码应为21位（定义机构统一社会信用代码18位加3位顺序号）",
        ("item_result_not_license", Some(name)) => {
            return format!("事项“{name}”的办理结果类型不是证照，不能关联电子证照类型")
        }
        ("item_result_not_license", None) => "该事项的办理结果类型不是证照",
        ("item_has_license_type", Some(name)) => {
            return format!("该事项已关联证照类型“{name}”，一个事项只能关联一个证照类型")
        }
        ("item_has_license_type", None) => "该事项已关联其他证照类型",
        ("issuer_code_invalid", Some(name)) => return format!("{name}的统一社会信用代码不正确，不能生成签名密钥"),
        ("issuer_code_invalid", None) => "部门的统一社会信用代码不正确，不能生成签名密钥",
        ("master_key_missing", _) => "系统未配置主密钥（ZWFW_MASTER_KEY 或配置文件），不能生成或使用签名密钥",
        ("master_key_wrong", _) => "主密钥与已保存的签名密钥不符，请检查主密钥配置",
        ("license_wrong_status", Some(st)) => {
            return format!("电子证照当前状态为“{}”，不能执行此操作", label("license_status", st))
        }
        ("license_wrong_status", None) => "电子证照当前状态下不能执行此操作",
        ("validity_before_grant", _) => "有效期至不能早于准予之日，请核对后重新填写",
        ("license_key_in_use", _) => {
            "所选部门已有在用的签名密钥。确需更换时，请勾选“确认更换密钥”后再提交（旧密钥停用，仍保留用于核验已签发的证照）"
        }
        ("license_no_key", _) => "颁发部门当前没有签名密钥，请先由系统管理员生成",
        ("license_not_found", _) => "没有这个电子证照，请核对电子证照标识",
        ("license_not_accepted", Some(name)) => return format!("「{name}」不接受电子证照，请上传材料"),
        ("license_not_accepted", None) => "该申请材料不接受电子证照",
        ("license_not_held", _) => "该电子证照的持证人不是申请人，不能作为本申请的材料",
        ("license_type_mismatch", _) => "该电子证照不是本材料要求的证照类型",
        ("license_signature_invalid", _) => "该电子证照的签名核验不通过（内容可能被篡改），不能使用",
        ("license_not_usable", Some(st)) => {
            return format!("该电子证照当前状态为“{}”，不能作为申请材料使用", label("license_status", st))
        }
        ("license_not_usable", None) => "该电子证照当前不是有效状态，不能作为申请材料使用",
        ("commitment_not_allowed", Some(name)) => return format!("「{name}」不适用告知承诺，请上传材料"),
        ("commitment_not_allowed", None) => "该申请材料不适用告知承诺，请上传材料",
        ("commitment_with_material", Some(name)) => {
            return format!("「{name}」已选择告知承诺，不能同时上传文件或提供其他材料：请取消勾选告知承诺，或不再提供该材料")
        }
        ("commitment_with_material", None) => "已选择告知承诺的材料不能同时上传文件或提供其他材料",
        ("material_several_sources", Some(name)) => {
            return format!("「{name}」的每一份材料只能选择一种提供方式（上传文件、电子要件库、信息核验单或电子证照）")
        }
        ("material_several_sources", None) => "每一份材料只能选择一种提供方式",
        ("commitment_already_marked", _) => "该告知承诺已认定为未履行",
        ("case_is_draft", _) => "草稿尚未提交，不能执行此操作",
        ("license_without_case", _) => "该证照没有关联的办件，不能换发或变更",
        ("invalid_region_code", _) => "行政区划代码应为6位（市、县区）或9位（乡镇街道）数字",
        ("invalid_mobile", _) => "手机号码应为11位，以1开头",
        ("invalid_email", Some("too_long")) => "电子邮箱地址过长",
        ("invalid_email", Some("character")) => {
            "电子邮箱地址含有不允许的字符（只能使用英文字母、数字和 . _ - + 等符号）"
        }
        ("invalid_email", Some("domain")) => "电子邮箱地址的域名不正确，例如 zhangsan@example.com",
        ("invalid_email", _) => "请填写正确的电子邮箱地址，例如 zhangsan@example.com",
        ("weak_password", Some("too_short")) => "密码长度不能少于8位",
        ("weak_password", Some("too_long")) => "密码长度不能超过128位",
        ("weak_password", Some("too_few_classes")) => "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类",
        ("weak_password", Some("contains_username")) => "密码不能包含用户名",
        ("weak_password", Some("control_characters")) => "密码不能包含控制字符",
        ("weak_password", Some("same_as_old")) => "新密码不能与原密码相同",
        ("weak_password", _) => "密码强度不足",
        ("invalid_field", Some(f)) => return format!("{}填写不正确", field_name(f)),
        ("invalid_field", None) => "填写内容不正确",
        ("unknown_role", _) => "角色不存在",
        ("unknown_department_kind", _) => "部门类型不存在",
        ("invalid_time", _) => "时间格式不正确",
        ("invalid_date", _) => "日期格式不正确，应为YYYY-MM-DD（例如2025-09-26）",
        ("invalid_date_range", _) => "结束日期早于开始日期",
        ("invalid_days", Some("limit")) => "办理时限应为1至60个工作日的整数",
        ("invalid_days", _) => "天数应为0到3650之间的整数",
        ("unknown_action", _) => "无法识别的操作",
        ("calendar_year_missing", Some(y)) => {
            return format!("{y}年的工作日历尚未配置，无法计算期限；请系统管理员按国务院办公厅放假通知录入该年度");
        }
        ("calendar_year_missing", None) => "所需年度的工作日历尚未配置",
        ("invalid_calendar", Some(d)) => return d.to_string(),
        ("invalid_calendar", None) => "工作日历数据不符合规则",
        ("calendar_festivals_missing", Some(d)) => {
            let problems: Vec<_> =
                d.split(';').filter_map(zwfw_domain::calendar::festivals::FestivalProblem::from_detail).collect();
            return festival_problems_text(&problems);
        }
        ("calendar_festivals_missing", None) => "未覆盖全部法定节假日",
        ("notice_text_unreadable", Some(d)) => return notice_text_error_text(d),
        ("notice_text_unreadable", None) => "无法识别通知文本",
        ("calendar_preview_first", _) => "请先预览影响，核对后勾选确认再保存；预览后修改了内容的，须重新预览",
        ("invalid_item", Some(d)) => return d.to_string(),
        ("invalid_upload", Some(d)) => return d.to_string(),
        ("invalid_upload", None) => "上传的文件不符合要求",
        ("invalid_item", None) => "事项内容不符合规则",
        ("wrong_state", Some("retired")) => "事项已取消，不能再操作",
        ("wrong_state", Some(st)) => return format!("当前状态（{}）下不能执行此操作", label("version_state", st)),
        ("wrong_state", None) => "当前状态下不能执行此操作",
        ("already_handled", Some("version")) | ("already_handled", None) => {
            "该版本已被其他人处理，请刷新后查看最新状态"
        }
        ("already_handled", Some(d)) => return d.to_string(),
        // A detail in Chinese says what is missing; a field's key (`reason`) is no text to show.
        ("reason_required", Some(d)) if !d.is_ascii() => return d.to_string(),
        ("reason_too_long", Some(n)) => return format!("填写的内容过长，不能超过{n}字"),
        ("reason_control_characters", _) => "原因含有不可见的控制字符，请删除后重新填写",
        ("wrong_role", Some(d))
        | ("case_conflict", Some(d))
        | ("empty_supplement", Some(d))
        | ("document_required", Some(d))
        | ("licence_only_with_grant", Some(d))
        | ("grant_text_without_grant", Some(d))
        | ("bad_return", Some(d))
        | ("calendar_missing", Some(d))
        | ("invalid_form", Some(d)) => return d.to_string(),
        ("confirmation_required", _) => "请核对办结结果和将出具的文书，勾选“确认办结”后再提交",
        ("not_online", _) => "该事项暂不支持网上申报，请按办事指南到窗口办理",
        ("already_submitted", _) => "该申请已提交，请勿重复提交",
        ("invalid_applicant", Some("name")) => "请填写申请人姓名或单位名称（100字以内）",
        ("invalid_applicant", _) => "请选择申请人类型（自然人或法人）",
        ("invalid_material", _) => "所选材料不存在或不属于本人，请重新上传",
        ("materials_missing", Some("supplement")) => "请至少上传一份补正材料后再提交",
        ("materials_missing", Some(list)) => return format!("缺少必备材料：{list}"),
        ("invalid_idem_key", _) => "请求标识不正确",
        ("invalid_action", Some("to_user")) => "请选择本部门的另一位在岗工作人员",
        ("invalid_action", Some("step")) => "请选择要退回到的环节",
        ("invalid_action", Some("outcome")) => "请选择办结结果",
        ("invalid_action", Some("valid_until")) => "有效期应为YYYY-MM-DD格式的日期",
        ("invalid_action", Some("agree")) => "请选择同意或不同意",
        ("invalid_action", Some("approved")) => "请选择批准或不批准",
        ("invalid_action", _) => "不支持的操作",
        ("assigned_to_other", _) => "该办件已转办给其他工作人员，只有承办人或部门负责人可以处理",
        ("not_in_department", Some("handover_sanction")) => {
            "只有认领该推送记录的监管部门可以登记处罚、责令改正、吊销或限制准入（审批部门只能查看）"
        }
        ("missing_role", Some("handover_sanction")) => {
            "行政处罚、责令改正由监管部门的窗口人员、审批人员或部门负责人登记；吊销和限制准入须由审批人员或部门负责人登记"
        }
        ("staff_only", Some("fault")) => "故障由工作人员报告和处理",
        ("missing_role", Some("fault")) => "平台故障由政务服务中心管理员、系统管理员（信息化主管部门）或运维人员处理",
        ("supervision_reads_only", Some("fault")) => "监察人员只能查看平台故障，不能处理",
        ("not_in_department", Some("handover")) => {
            "该推送记录不是推送给您所在部门的，只有监管部门的工作人员可以认领（审批部门只能查看）"
        }
        ("not_in_department", Some("credit")) => "该行政许可决定不是您所在部门作出的，只有作出决定的部门可以公示",
        ("not_in_department", Some("department_id")) => "您只能查看本部门的记录，不能按其他部门查看",
        ("not_in_department", _) => "该事项不属于您所在的部门",
        ("missing_role", Some("handover")) => "认领审管推送须由监管部门的窗口人员、审批人员、部门负责人或部门管理员办理",
        ("missing_role", Some("credit")) => "公示行政许可决定须由部门负责人、审批人员或部门管理员办理",
        ("missing_role", Some("item_import")) => "批量导入事项须由部门管理员或系统管理员、政务服务中心管理员办理",
        ("missing_role", _) => "您的角色不能执行此操作",
        ("not_step_role", _) => "当前环节须由该环节的办理角色或部门负责人处理",
        ("not_joint_member", _) => "您所在的部门不是本环节的会办部门",
        ("needs_dept_head", _) => "此操作须由部门负责人决定",
        ("supervision_reads_only", Some("handover")) => "监察人员只能查看审管推送记录，不能认领",
        ("fault_what_missing", _) => "请说明哪项功能出现了什么故障",
        ("fault_what_too_long", _) => "故障情况不能超过1000字",
        ("fault_since_invalid", _) => "请填写故障开始的日期和时间",
        ("fault_since_in_future", _) => "故障开始时间不能晚于现在",
        ("fault_since_too_old", _) => "故障开始时间不能早于报告前7天：故障应在发生当日报告",
        ("fault_bad_scope", _) => "请选择影响范围：全平台、一个部门或一项功能",
        ("fault_department_missing", _) => "影响范围为一个部门时，请选择受影响的部门",
        ("fault_function_missing", _) => "影响范围为一项功能时，请填写受影响的功能（100字以内）",
        ("fault_cause_missing", _) => "请填写故障原因（1000字以内）",
        ("fault_note_too_long", _) => "说明不能超过500字",
        ("fault_already_cleared", Some(d)) => return format!("该故障已于{d}排除，不能重复排除或再作处理"),
        ("fault_already_cleared", None) => "该故障已排除，不能重复排除或再作处理",
        ("fault_already_acknowledged", _) => "该故障已确认受理",
        ("fault_notice_not_due", Some(d)) => {
            return format!("故障开始后24小时仍未排除的，才需要纸质书面通知；本故障满24小时的时间是{d}，届时仍未排除方可打印")
        }
        ("fault_notice_not_due", None) => "故障开始后24小时仍未排除的，才需要纸质书面通知",
        ("fault_notice_not_printed", _) => "请先打印纸质书面通知，再登记送达",
        ("fault_notice_not_needed", _) => "该故障在开始后24小时内已排除，无需纸质书面通知",
        ("fault_notice_already_sent", _) => "已登记向该部门送达纸质书面通知，不能重复登记",
        ("fault_not_addressed", _) => "请选择纸质书面通知所发送的部门（须为通知所列的部门）",
        ("handover_already_claimed", Some(d)) => return format!("该推送记录已于{d}认领，不能重复认领"),
        ("handover_already_claimed", None) => "该推送记录已被认领，不能重复认领",
        ("note_too_long", _) => "认领说明不能超过500字",
        ("supervision_reads_only", Some("handover_sanction")) => "监察人员只能查看监管部门登记的决定，不能登记",
        ("handover_not_claimed", _) => "该推送记录尚未认领：请先认领，再登记处罚、责令改正、吊销或限制准入",
        ("decision_no_required", _) => "请填写决定书文号（吊销须填写吊销决定书文号）",
        ("decision_no_too_long", _) => "决定书文号不能超过100字",
        ("decision_no_invalid", _) => "决定书文号含有制表符、换行等控制字符，请按决定书重新填写",
        ("decision_no_taken", Some(d)) => {
            return format!("本部门已登记过决定书文号为“{d}”的处理决定，同一文号不能重复登记，请核对文号")
        }
        ("decision_no_taken", None) => "本部门已登记过该决定书文号的处理决定，同一文号不能重复登记，请核对文号",
        ("sanction_reason_required", _) => "请填写决定的事实与理由",
        ("sanction_reason_too_long", _) => "事实与理由不能超过2000字",
        ("decided_in_future", _) => "决定日期不能晚于今天",
        ("restrict_period_required", _) => "限制准入须填写起止日期",
        ("restrict_period_reversed", _) => "限制准入的截止日期不能早于起始日期",
        ("restrict_items_required", _) => "限制准入须至少选择一个涉及的事项",
        ("restrict_too_many_items", _) => "限制准入涉及的事项不能超过50个",
        ("restrict_item_outside_field", _) => {
            "限制准入只能涉及本推送记录的事项或本部门负责监管的事项；其他事项的限制准入由其监管部门决定"
        }
        ("revoke_needs_license", _) => "该推送记录没有电子证照：吊销须填写要吊销的电子证照标识",
        ("unknown_license", Some(id)) => return format!("没有找到电子证照“{id}”，请核对电子证照标识"),
        ("unknown_license", None) => "没有找到该电子证照，请核对电子证照标识",
        ("license_not_of_holder", _) => "该电子证照的持证主体不是本推送记录的被监管对象",
        ("unknown_item", _) => "所选事项不存在或未发布",
        ("credit_case_not_concluded", _) => "该办件尚未办结，办结（准予或不予许可）后才能公示",
        ("credit_not_a_licensing_decision", _) => "该办件的办结结果不是行政许可决定（准予或不予许可），无需双公示",
        ("credit_already_published", Some(d)) if !d.is_empty() => return format!("该行政许可决定已于{d}公示，不能重复公示"),
        ("credit_already_published", _) => "该行政许可决定已公示，不能重复公示",
        ("supervision_reads_only", Some("credit")) => "监察人员只能查看双公示记录，不能公示",
        ("supervision_reads_only", _) => "监察人员只能查看办件，不能办理",
        ("system_only", _) => "此操作只能由系统管理员执行",
        ("applicant_only", _) => "此操作只能由申请人本人办理",
        ("staff_only", _) => "此操作只能由工作人员办理",
        ("not_online_case", _) => "该办件不是网上申报的办件",
        ("withdrawal_needs_request", _) => {
            "网上申报的办件须由申请人本人撤回；申请人书面申请撤回的，由窗口登记后报部门负责人决定"
        }
        ("withdrawal_needs_head", _) => "撤回网上申报的办件须由部门负责人决定",
        ("role_grant_forbidden", _) => {
            "您不能授予该角色：部门管理员只能授予本部门的窗口人员、审批人员、部门负责人角色，其他角色由系统管理员授予"
        }
        ("own_account", _) => "不能停用自己的账号，也不能修改自己的角色或部门",
        ("special_not_allowed", _) => "本环节不能启动特别程序（事项流程未允许）",
        ("withdrawal_pending", _) => "已有待部门负责人决定的撤回申请",
        ("no_withdrawal_pending", _) => "没有待决定的撤回申请",
        ("joint_not_due", _) => "会办部门的答复期限尚未届满，不能结束会办",
        ("track_failed", _) => "办件编号或查询密码不正确",
        ("track_code_wrong", _) => "验证码不正确，请核对短信中的验证码",
        ("track_code_expired", _) => "验证码已失效（超过5分钟、已使用或输错次数过多），请重新获取",
        ("track_code_wait", _) => "验证码已发送，请1分钟后再重新获取",
        ("interaction_track_failed", _) => "留言编号或查询密码不正确",
        ("real_name_required", _) => "建议和投诉须实名提交，请先登录",
        ("interaction_conflict", Some(d))
        | ("invalid_interaction", Some(d))
        | ("rating_conflict", Some(d))
        | ("invalid_rating", Some(d))
        | ("supervision_conflict", Some(d))
        | ("invalid_supervision", Some(d)) => return d.to_string(),
        ("evaluation_running", _) => "另一台服务器正在进行监察评估，请稍后再试",
        ("invalid_period", _) => {
            "考核期间格式不正确，应为 2025-10-1（上半月）、2025-10-2（下半月）、2025-10（月度）或 2025-Q4（季度）"
        }
        ("period_not_over", Some(last)) => return format!("考核期间到 {last} 才结束，结束后才能公布排名"),
        ("invalid_report_format", _) => "通报格式应为 xlsx 或 pdf",
        ("invalid_evaluation_config", Some("weights")) => "各项权重应为 0 至 100 的整数，且至少一项大于 0",
        ("invalid_evaluation_config", Some("card_points")) => "红黄牌扣分应为 0 至 100 的整数",
        ("invalid_evaluation_config", Some("complaint_rate")) => "投诉折算标准应为每百件 1 至 100 件",
        ("invalid_evaluation_config", Some("thresholds")) => "等次分数线应满足：100 ≥ 优秀 > 良好 > 合格 ≥ 1",
        ("invalid_evaluation_config", Some("weekly_logins")) => "每周最少登录次数应为 1 至 7",
        ("invalid_evaluation_config", _) => "考核办法设置不正确",
        ("rate_limited", Some("mobile")) => "该手机号码提交过于频繁，请1小时后再试",
        ("rate_limited", _) => "提交过于频繁，请1小时后再试",
        ("too_many_files", Some(n)) => return format!("附件最多{n}个"),
        ("no_handler", _) => "平台尚未设置政务服务中心，暂时无法受理留言",
        ("invalid_handler", _) => "只能指定本部门的工作人员为留言办理人",
        ("already_rated", _) => "该办件的这一阶段已经评价过，每个阶段只能评价一次",
        ("rating_link_invalid", _) => "评价二维码已失效，请向窗口工作人员重新获取",
        ("registry_check_limited", _) => "身份信息核对未通过的次数过多，请15分钟后再试",
        ("license_verify_limited", Some(n)) if n.parse::<u32>().is_ok() => {
            return format!("核验过于频繁：同一网络地址15分钟内最多核验{n}次，请稍后再试，或登录后核验")
        }
        ("license_verify_limited", _) => "核验过于频繁：同一网络地址15分钟内核验次数过多，请稍后再试，或登录后核验",
        ("credit_lookup_limited", Some(n)) if n.parse::<u32>().is_ok() => {
            return format!("查询过于频繁：同一网络地址15分钟内最多查询{n}次行政许可公示信息，请稍后再试，或登录后查询")
        }
        ("credit_lookup_limited", _) => "查询过于频繁：同一网络地址15分钟内查询次数过多，请稍后再试，或登录后查询",
        ("track_lookup_limited", Some(n)) if n.parse::<u32>().is_ok() => {
            return format!("查询过于频繁：同一网络地址15分钟内最多查询{n}次办件进度，请稍后再试")
        }
        ("track_lookup_limited", _) => "查询过于频繁：同一网络地址15分钟内查询次数过多，请稍后再试",
        ("track_limited", _) => "查询失败次数过多，请15分钟后再试",
        ("invalid_original", _) => "请填写原件名称，份数为1到100",
        ("open_version_exists", _) => "该事项已有一个正在修改或审核中的版本，不能再新建",
        ("duplicate", Some(f)) => return format!("{}已存在，不能重复", field_name(f)),
        ("not_found", Some(f)) => return format!("{}不存在", field_name(f)),
        ("not_found", None) => "您访问的内容不存在",
        ("conflict", _) => "操作与当前状态冲突",
        ("invalid_credentials", _) => "用户名或密码错误",
        ("account_locked", _) => "连续登录失败次数过多，账号已被临时锁定，请稍后再试或联系管理员",
        ("account_disabled", _) => "账号已停用，请联系管理员",
        ("login_required", _) => "请先登录",
        ("form_session_expired", _) => "您的登录已过期（长时间未操作或已在别处退出），本次提交没有保存。请重新登录，回到原页面后再次填写提交",
        ("session_expired", _) => "长时间未操作，登录已超时，请重新登录",
        ("password_change_required", _) => "请先修改密码后再继续操作",
        ("second_factor_required", _) => "请先完成第二重身份验证（动态口令或数字证书签名）",
        ("totp_enrollment_required", _) => "您的角色须绑定动态口令（TOTP）后才能使用系统",
        ("invalid_totp", _) => "动态口令不正确或已使用，请输入验证器中当前显示的6位数字",
        ("wrong_password", _) => "原密码不正确",
        ("forbidden", _) => "您没有权限执行此操作",
        ("csrf", _) => "页面已过期或请求来源不可信，请刷新页面后重试",
        ("reason_required", _) => "请填写操作原因",
        ("not_given_up", _) => "该短信不是发送失败的短信，无需重新发送",
        ("exchange_not_resendable", _) => "该记录未被拒收，或已更正并重新报送，无需再次报送",
        ("exchange_correction_invalid", Some(d)) => return format!("更正的值不符合国家表字段要求：{d}"),
        ("exchange_no_front", _) => "未配置前置库，无法读取反馈（配置文件 [exchange] url 或环境变量 ZWFW_EXCHANGE_URL）",
        ("exchange_front_unavailable", Some(d)) => return format!("前置库暂不可用，未能读取反馈：{d}"),
        ("clock_not_controllable", _) => "仅在演示模式下可以调整系统时钟",
        ("bad_request", _) => "请求格式不正确",
        ("method_not_allowed", _) => "该地址不能直接打开，请通过页面上的按钮或链接操作",
        ("bad_filter", Some("code")) => "查询条件“统一社会信用代码/文书号”的取值无法识别（不超过64个字符）",
        ("bad_filter", Some("to")) => "查询条件“结束日期”应为YYYY-MM-DD格式，且不早于开始日期",
        ("bad_filter", Some(f)) => return format!("查询条件“{}”的取值无法识别，请重新选择", field_name(f)),
        ("notice_wrong_state", Some(st)) => {
            let Some(state) = zwfw_domain::notices::NoticeState::parse(st) else {
                return "该公告当前状态下不能执行此操作".into();
            };
            return format!("该公告当前为“{}”，不能执行此操作", state.label());
        }
        ("notice_wrong_state", None) => "该公告当前状态下不能执行此操作",
        ("too_many_attachments", _) => "每条公告最多上传10个附件",
        ("bad_filter", None) => "查询条件的取值无法识别，请重新选择",
        ("database_unavailable", _) => "数据库暂时不可用，请稍后再试",
        ("internal", _) => "系统内部错误，请稍后再试或联系管理员",
        _ => "操作失败",
    };
    base.to_string()
}

/// Chinese text for a calendar rule violation.
pub fn calendar_error_text(e: &zwfw_domain::calendar::CalendarError) -> String {
    use zwfw_domain::calendar::CalendarError::*;
    match e {
        YearMissing { year } => format!("{year}年的工作日历尚未配置"),
        MakeupNotWeekend { date } => format!("{date}不是周六或周日，不能设为调休上班日"),
        HolidayOnMakeupDay { date } => format!("{date}不能同时是放假日和调休上班日"),
        Duplicate { date } => format!("{date}重复出现"),
        BadSpan { name, from, to } => format!("{name}的结束日期{to}早于开始日期{from}"),
        OutsideYear { year, date } => format!("{date}不属于{year}年度（只允许该年及前后相邻的12月、1月）"),
        YearOutOfRange { year } => format!("年度{year}超出支持范围（2000—2100）"),
        NoNotice => "至少须填写一份通知及其文号".into(),
        EmptyName => "节日名称不能为空".into(),
        Festivals { problems } => festival_problems_text(problems),
        MakeupFarFromFestival { date } => format!("调休上班日{date}距其所属节日超过四周"),
        YearNotEnterable { year, first, last } => {
            format!("不能录入{year}年的工作日历：只能录入{first}年至{last}年（下一年度）")
        }
    }
}

/// Why a notice's text could not be read, from the detail `LINE:reason`.
fn notice_text_error_text(detail: &str) -> String {
    use zwfw_domain::calendar::notice_text::NoticeTextProblem;
    let (line, code) = detail.split_once(':').unwrap_or(("0", detail));
    let what = match NoticeTextProblem::parse(code) {
        Some(p) => p.label(),
        None if code == "too_long" => "通知文本过长（最多64KB）",
        None => "内容无法识别",
    };
    match line.parse::<usize>() {
        Ok(n) if n > 0 => format!("通知文本第{n}行：{what}"),
        _ => format!("通知文本：{what}"),
    }
}

/// What a 吊销 entered on the licence's page by the issuing department says
/// among a pushed record's decisions (it has no facts and reasons of its own).
pub const REVOKED_ON_LICENSE_PAGE: &str = "发证部门在电子证照页面作出的吊销决定（决定书正文以发证部门存档为准）";

/// What the calendar page says after reading a notice's text.
pub const CALENDAR_PARSED: &str = "已按通知文本填入放假和调休上班安排，请逐项核对，填写通知的发布日期，然后预览影响";

/// The title of the notice that a calendar change moved a due day.
pub fn due_moved_title(year: i32) -> String {
    format!("{year}年工作日历调整，期限已重新计算")
}

/// The body of that notice: what moved, from when to when, and why.
pub fn due_moved_body(kind: &str, label: &str, old: &str, new: &str, year: i32, reason: &str) -> String {
    let label = if label.is_empty() { String::new() } else { format!("（{label}）") };
    format!("因{year}年法定节假日安排录入工作日历，您的{kind}{label}的期限由{old}调整为{new}。调整原因：{reason}")
}

/// The festivals a year's entry misses or misplaces, each with its statutory
/// date: 缺少中秋节（2027-09-15）；….
pub fn festival_problems_text(problems: &[zwfw_domain::calendar::festivals::FestivalProblem]) -> String {
    use zwfw_domain::calendar::festivals::FestivalProblem::*;
    // One part per festival and kind of problem, its days joined: 缺少劳动节（2027-05-01、2027-05-02）.
    let mut parts: Vec<(String, Vec<String>)> = Vec::new();
    for p in problems {
        let (head, date) = match p {
            Missing { festival, date } => (format!("缺少{}", festival.label()), date),
            Misplaced { festival, date, span } => {
                (format!("{}落在名为“{span}”的假期中，应在{}的假期中", festival.label(), festival.label()), date)
            }
        };
        match parts.iter_mut().find(|(h, _)| *h == head) {
            Some((_, dates)) => dates.push(date.to_string()),
            None => parts.push((head, vec![date.to_string()])),
        }
    }
    let parts: Vec<String> = parts
        .into_iter()
        .map(|(head, dates)| match head.split_once("落在") {
            // 端午节（2026-06-19）落在名为“清明节”的假期中…
            Some((festival, rest)) => format!("{festival}（{}）落在{rest}", dates.join("、")),
            None => format!("{head}（{}）", dates.join("、")),
        })
        .collect();
    format!("未覆盖全部法定节假日：{}", parts.join("；"))
}

/// Chinese text for a refused upload.
pub fn upload_error_text(e: &zwfw_domain::files::UploadError) -> String {
    use zwfw_domain::files::UploadError::*;
    match e {
        Empty => "上传的文件是空的".into(),
        TooLarge { max_bytes } => format!("文件超过大小限制（最大{}KB）", max_bytes / 1024),
        UnknownContent => "无法识别文件内容的格式，请上传真实的文件，勿只修改扩展名".into(),
        Mismatch { claimed, actual } => {
            format!(
                "文件扩展名为.{}，但内容实际是{}格式，请上传真实的文件",
                claimed.extension(),
                actual.extension().to_uppercase()
            )
        }
        NotAllowed { actual } => format!("此处不接受{}格式的文件", actual.extension().to_uppercase()),
    }
}

/// Chinese text for an item content rule violation.
pub fn item_error_text(e: &zwfw_domain::catalog::ItemError) -> String {
    use zwfw_domain::catalog::ItemError::*;
    match e {
        Required { field } => format!("{}为必填项", item_field(field)),
        TooLong { field, max } => format!("{}不能超过{max}个字", item_field(field)),
        BasicCode => "基本编码应为6至12位数字或大写字母".into(),
        PromisedOverLegal { promised, legal } => {
            format!("承诺办结时限（{promised}个工作日）不能超过法定办结时限（{legal}个工作日）")
        }
        SameDayLimit => "即办件的承诺时限应为0，承诺件的承诺时限应大于0".into(),
        StepsOverPromised { sum, promised } => {
            format!("各环节时限之和（{sum}个工作日）超过承诺办结时限（{promised}个工作日）")
        }
        JointOverStep { step } => format!("第{step}个环节中并联审批部门的时限超过了该环节时限"),
        JointDuplicate { step } => format!("第{step}个环节中同一部门重复参与并联审批"),
        Empty { field } => format!("至少需要一项{}", item_field(field)),
        FeeWithoutStandard => "收费事项须填写收费标准和收费依据".into(),
        FormFieldDuplicate { name } => format!("申请表字段“{name}”重复"),
        ChoiceWithoutOptions { name } => format!("申请表字段“{name}”是选项类型，须列出可选项"),
        MaterialLicenseType { name } => {
            format!("申请材料“{name}”关联的证照类型代码不正确（应为21位：定义机构统一社会信用代码加3位数字）")
        }
        MaterialRegistry { name } => {
            format!("申请材料“{name}”可代替的人口库/法人库信息应为 person（人口库）、company（法人库）或 any（人口库或法人库）")
        }
        StepRole { step } => {
            format!("第{step}个环节的办理角色应为窗口人员、审批人员、部门负责人或法制审核（管理员、监察人员和运维人员不办理环节）")
        }
    }
}

/// Chinese text for a refused application form.
pub fn form_error_text(e: &zwfw_domain::catalog::FormError) -> String {
    use zwfw_domain::catalog::FormError::*;
    match e {
        Missing(f) => format!("请填写“{f}”"),
        TooLong(f) => format!("“{f}”内容过长"),
        NotNumber(f) => format!("“{f}”应填写数字"),
        NotDate(f) => format!("“{f}”应为YYYY-MM-DD格式的日期"),
        NotAChoice(f) => format!("“{f}”须从列出的选项中选择"),
    }
}

/// Chinese names of the item fields (GB/T 39046 表4).
pub fn item_field(field: &str) -> &'static str {
    match field {
        "name" => "事项名称",
        "sub_name" => "子项名称",
        "legal_basis" => "设定依据",
        "acceptance_conditions" => "受理条件",
        "result_name" => "结果名称",
        "location" => "办理地点",
        "office_hours" => "办理时间",
        "enquiry_phone" => "咨询电话",
        "supervision_phone" => "监督电话",
        "faq" => "常见问题",
        "material_name" => "材料名称",
        "step_name" => "环节名称",
        "service_objects" => "服务对象",
        "handling_modes" => "办理形式",
        "materials" => "申请材料",
        "steps" => "办理环节",
        "form_field" => "申请表字段名称",
        "form_fields" => "申请表字段数",
        _ => "字段",
    }
}

/// Chinese text for a refused case transition.
pub fn case_error_text(e: &zwfw_domain::cases::CaseError) -> String {
    use zwfw_domain::cases::CaseError::*;
    match e {
        WrongState { state } => {
            format!("办件当前状态为“{}”，不能执行此操作", label("case_state", state.code()))
        }
        ReasonRequired => "请填写处理意见或理由".into(),
        EmptySupplement => "补正通知须一次性列明全部需补正的材料".into(),
        WrongRole => "您的角色不能执行此操作".into(),
        BadReturn => "只能退回到此前的环节".into(),
        ExtensionExists => "本办件已申请或已批准延长审批，不能再次申请".into(),
        NoExtensionPending => "没有待决定的延长审批申请".into(),
        SpecialRunning => "已有特别程序正在进行".into(),
        NoSpecialRunning => "没有正在进行的特别程序".into(),
        NotInJointReview => "本部门不在本环节的会办部门中，或已经答复".into(),
        JointPending { waiting } => format!("还有{waiting}个会办部门尚未答复，不能通过本环节"),
        DocumentRequired => "准予许可须填写决定文书号（证照编号）".into(),
        LicenceOnlyWithGrant => {
            "只有准予许可才填写许可证件编号和有效期；不予许可、退件、作废、转报不能带证件编号，请清空后再办结".into()
        }
        GrantTextWithoutGrant => {
            "办结结果不是准予许可，意见或理由中不能写“准予”，请写明不予许可、退件、作废或转报的理由".into()
        }
        StepsPending => "办件还有未完成的环节，不能作出许可决定".into(),
        OutOfOrder => "办件记录时间顺序异常".into(),
        SpecialNotAllowed => "本环节不能启动特别程序（事项流程未允许）".into(),
        WithdrawalPending => "已有待部门负责人决定的撤回申请".into(),
        NoWithdrawalPending => "没有待决定的撤回申请".into(),
        Calendar(c) => calendar_error_text(c),
    }
}

/// Chinese text for a refused interaction action or an invalid submission.
pub fn interaction_error_text(e: &zwfw_domain::interaction::InteractionError) -> String {
    use zwfw_domain::interaction::InteractionError::*;
    match e {
        Empty { field } => format!("请填写{}", field_name(field)),
        TooLong { field, max } => format!("{}不能超过{max}个字", field_name(field)),
        ControlCharacters { field } => format!("{}含有不可见的控制字符", field_name(field)),
        RealNameRequired => "建议和投诉须实名提交，请先登录".into(),
        MobileRequired => "匿名留言须填写手机号码，以便接收答复".into(),
        AlreadyAnswered => "该留言已经答复，不能再执行此操作".into(),
        ReasonRequired => "请填写原因".into(),
        BadExtension(_) => "延期天数应为1到10个工作日".into(),
        NotInCounty => "只能交办给本县（区）的部门".into(),
        SameDepartment(_) => "已由该部门办理，请选择其他部门".into(),
        Calendar(c) => calendar_error_text(c),
    }
}

/// Chinese text for a refused rating action.
pub fn rating_error_text(e: &zwfw_domain::rating::RatingError) -> String {
    use zwfw_domain::rating::RatingError::*;
    match e {
        BadLevel => "请选择满意度（非常满意、满意、基本满意、不满意、非常不满意）".into(),
        StageNotReached => "办件尚未到达可评价的阶段".into(),
        AlreadyRated => "该办件的这一阶段已经评价过，每个阶段只能评价一次".into(),
        CommentTooLong => "文字内容过长（评价不超过500字，回访与整改不超过2000字）".into(),
        WrongFollowUpState => "差评整改须先回访，再答复；已答复的不能再修改".into(),
        TextRequired => "请填写内容".into(),
        AlreadyAppealed => "该评价已申诉过，不能重复申诉".into(),
        NoAppeal => "没有待复核的申诉".into(),
    }
}

/// What an event did, as a verb phrase.
pub fn case_event_label(kind: &str) -> String {
    let s = match kind {
        "submitted" => "提交申请",
        "supplement_requested" => "发出补正通知",
        "supplement_provided" => "补正材料",
        "accepted" => "受理",
        "refused" => "不予受理",
        "deemed_accepted" => "逾期未决定，视为受理",
        "step_passed" => "办理通过",
        "returned_to_step" => "退回",
        "transferred" => "转办",
        "urged" => "催办",
        "extension_requested" => "申请延长审批",
        "extension_decided" => "决定延长审批",
        "special_started" => "启动特别程序",
        "special_ended" => "结束特别程序",
        "joint_answered" => "会办答复",
        "joint_timed_out" => "结束会办（逾期未答复）",
        "concluded" => "办结",
        "delivered" => "送达",
        "withdrawn" => "撤回申请",
        "withdrawal_requested" => "登记申请人书面撤回申请",
        "withdrawal_declined" => "不同意撤回",
        "corrected" => "误操作更正",
        _ => return kind.to_string(),
    };
    s.to_string()
}

/// What an event says, in a line of the timeline. `names` resolves a
/// department id; the officer a task went to is not named on the timeline.
pub fn case_event_text(k: &zwfw_domain::cases::EventKind, names: &dyn Fn(i64) -> String) -> String {
    use zwfw_domain::cases::EventKind::*;
    match k {
        Submitted | SupplementProvided | Accepted | DeemedAccepted => String::new(),
        SupplementRequested { missing } => format!("需补正：{}", missing.join("；")),
        Refused { reason } => format!("理由：{reason}"),
        StepPassed { opinion } => format!("意见：{opinion}"),
        ReturnedToStep { step, reason } => format!("退回到第{}环节。理由：{reason}", step + 1),
        Transferred { reason, .. } => format!("转交其他工作人员办理。说明：{reason}"),
        Urged { message } => format!("催办意见：{message}"),
        ExtensionRequested { days, reason } => format!("申请延长{days}个工作日。理由：{reason}"),
        ExtensionDecided { approved, opinion } => {
            format!("{}。意见：{opinion}", if *approved { "批准延长" } else { "不批准延长" })
        }
        SpecialStarted { kind, reason } => format!("{kind}，期限暂停计算。理由和依据：{reason}"),
        SpecialEnded { result } => format!("结果：{result}"),
        JointAnswered { department_id, agree, opinion } => {
            format!("{}：{}。意见：{opinion}", names(*department_id), if *agree { "同意" } else { "不同意" })
        }
        JointTimedOut { departments } => {
            let list: Vec<String> = departments.iter().map(|d| names(*d)).collect();
            format!("逾期未答复：{}", list.join("、"))
        }
        Concluded { outcome, reason, document_no, valid_until, fee_fen } => {
            let mut t = label("outcome", outcome.code());
            if !document_no.is_empty() {
                t.push_str(&format!("，文书（证件）编号 {document_no}"));
            }
            if let Some(v) = valid_until {
                t.push_str(&format!("，有效期至 {v}"));
            }
            if let Some(f) = fee_fen {
                t.push_str(&format!("，收费 {}.{:02} 元", f / 100, f % 100));
            }
            if !reason.is_empty() {
                t.push_str(&format!("。{reason}"));
            }
            t
        }
        Delivered { method, tracking_no } => {
            if tracking_no.is_empty() {
                method.clone()
            } else {
                format!("{method}，快递单号 {tracking_no}")
            }
        }
        Withdrawn { reason } => format!("原因：{reason}"),
        WithdrawalRequested { reason } => format!("申请人书面申请撤回，待部门负责人决定。申请内容：{reason}"),
        WithdrawalDeclined { opinion } => format!("意见：{opinion}"),
        Corrected { event, what, reason, applicant: Some(c), .. } => {
            let (before, after) = (c.before.masked(), c.after.masked());
            format!(
                "第{event}号记录（{}）所录申请人信息有误，经审核同意（部门负责人，或代为审核的人员）、政务服务中心执行已更正{}。原记录：{}；更正为：{}。已通知申请人。理由：{reason}",
                label("correction_kind", what.code()),
                corrections::applicant_fields_text(&c.before.changed(&c.after)),
                corrections::applicant_text(&before),
                corrections::applicant_text(&after),
            )
        }
        Corrected {
            event,
            what: what @ zwfw_domain::governance::correction::CorrectionKind::Conclusion,
            reason,
            ..
        } => {
            format!(
                "第{event}号记录（{}）系误操作，决定尚未送达，经审核同意（部门负责人，或代为审核的人员）、政务服务中心执行已更正：原结论不再有效，据此已办理的后续事项（电子证照、双公示记录、监管部门推送，如有）随之作废或另行告知，办件回到待决定。已通知申请人。理由：{reason}",
                label("correction_kind", what.code())
            )
        }
        Corrected { event, what, reason, .. } => {
            format!(
                "第{event}号记录（{}）系误操作，经审核同意（部门负责人，或代为审核的人员）、政务服务中心执行已更正，办件回到该环节继续办理。理由：{reason}",
                label("correction_kind", what.code())
            )
        }
    }
}

/// The time left to a deadline in words: 剩3个工作日 / 今日到期 / 已超期2个工作日.
pub fn time_left_text(t: zwfw_domain::cases::TimeLeft) -> String {
    use zwfw_domain::cases::TimeLeft::*;
    match t {
        Left(n) => format!("剩{n}个工作日"),
        DueToday => "今日到期".to_string(),
        Overdue(0) => "已超期".to_string(),
        Overdue(n) => format!("已超期{n}个工作日"),
    }
}

/// Chinese names of the fields errors refer to.
pub fn field_name(field: &str) -> &'static str {
    match field {
        "username" => "用户名",
        "display_name" | "name" => "名称",
        "id_number" => "居民身份证号码",
        "credit_code" => "统一社会信用代码",
        "region_code" | "code" => "行政区划代码",
        "region" | "region_id" => "所属行政区划",
        "parent_id" | "parent" => "上级",
        "department" | "department_id" => "所属部门",
        "user" => "账号",
        "session" => "会话",
        "roles" => "角色",
        "mobile" => "手机号码",
        "legal_rep" => "法定代表人",
        "kind" => "类型",
        "decision_no" => "决定书文号",
        "decided_on" => "决定日期",
        "restrict_from" => "限制准入起始日期",
        "restrict_until" => "限制准入截止日期",
        "level" => "层级",
        "reason" => "原因",
        "offset" => "时间调整量",
        "title" => "标题",
        "body" => "正文",
        "doc_no" => "文号",
        "issuer" => "发布机构",
        "content" => "内容",
        "category" => "许可类别",
        "reply" => "答复内容",
        "accused_unit" => "被投诉单位",
        "accused_person" => "被投诉人",
        "withhold_reason" => "不公开的理由",
        "to_department_id" => "转办部门",
        "duty" => "职责",
        "interaction" => "留言",
        "item" => "事项",
        "item_ids" => "关联事项（请从列表中勾选结果为证照的已发布事项）",
        "validity_years" => "有效期限（1至100年，不填为长期）",
        "define_authority" => "证照定义机构",
        "define_authority_level" => "定义机构级别",
        "holder_kind" => "持证主体类别",
        "template" => "照面字段",
        "issuer_department_ids" => "颁发部门",
        "handler" => "留言办理人",
        "message" => "消息",
        "notification" => "消息",
        "email" => "电子邮箱",
        "page" => "页码",
        "per_page" => "每页条数",
        "rating" => "评价",
        "case" => "办件",
        "note" => "说明",
        "found" => "核实情况",
        "publication" => "公布的排名",
        "weight" => "权重",
        "card_points" => "红黄牌扣分",
        "complaint_rate" => "投诉折算标准",
        "threshold" => "等次分数线",
        "weekly_logins" => "每周最少登录次数",
        "theme" => "主题",
        "object" => "服务对象",
        "life_event" => "人生事件",
        "year" => "年度",
        "q" => "关键词",
        "state" => "状态",
        "from" => "开始日期",
        "to" => "结束日期",
        "period" => "期间",
        "notice" => "公告",
        "attachment" => "附件",
        "registry_record" => "人口库/法人库记录",
        "number" => "号码",
        "action" => "操作类型",
        "person" => "操作人姓名",
        "uphold" => "复核决定（申诉是否成立，请选择一项）",
        "upload" => "所选文件",
        "e_material" => "所选电子材料",
        "material" => "材料",
        "document" => "文书",
        "maintenance_request" => "配置/维护需求",
        "deletion_request" => "删除申请",
        "rights_request" => "权限变更申请",
        "correction_request" => "更正申请",
        "record_kind" => "记录类型",
        "necessity" => "必要性分析",
        "answer" => "答复意见",
        "feasibility" => "可行性分析",
        "file" => "文件",
        "finding" => "监察发现",
        "order" => "督办单",
        "rule" => "监察规则",
        "version" => "事项版本",
        "route" => "页面",
        "license" => "电子证照",
        "certificate" => "数字证书",
        "exchange_row" => "交换记录",
        "handover" => "审管推送记录",
        "fault" => "平台故障",
        "commitment" => "告知承诺",
        "payload" => "二维码内容",
        "since" => "起始记录号",
        "license_type" => "证照类型",
        "license_key" => "签名密钥",
        "status" => "状态",
        "type_id" => "证照类型",
        "holder" => "持证主体",
        "fields" => "变更的照面字段（请至少修改一项）",
        _ => "字段",
    }
}

/// The text an applicant signs (告知承诺) instead of providing a material.
pub fn commitment_text(item: &str, material: &str) -> String {
    format!(
        "本人（本单位）申请办理“{item}”，现就申请材料“{material}”作出如下承诺：已经知晓审批机关告知的全部要求，\
         本人（本单位）符合该材料所证明的条件，所作承诺真实、准确、完整；如承诺不实或未在规定期限内履行承诺，\
         愿意承担相应法律责任，并接受审批机关依法撤销相关决定等处理。"
    )
}

/// The notice (title, body) to the applicant whose commitment the
/// department found unfulfilled.
pub fn commitment_unfulfilled_notice(item: &str, material: &str, reason: &str) -> (String, String) {
    (
        format!("告知承诺未履行：{item}"),
        format!("您以告知承诺代替提交的申请材料“{material}”经审批部门核查认定未履行承诺。理由：{reason}。该情况已转电子监察。"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_chinese_text() {
        for code in
            ["invalid_resident_id", "invalid_credit_code", "weak_password", "account_locked", "csrf", "forbidden"]
        {
            let t = error_text(code, None);
            assert_ne!(t, "操作失败", "{code}");
            assert!(t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        }
        assert_eq!(error_text("duplicate", Some("username")), "用户名已存在，不能重复");
    }

    #[test]
    fn every_object_not_found_is_named() {
        // The objects the use cases and handlers answer `not_found` for.
        for object in [
            "attachment",
            "case",
            "commitment",
            "department",
            "document",
            "e_material",
            "file",
            "finding",
            "handler",
            "interaction",
            "item",
            "license",
            "license_key",
            "license_type",
            "kind",
            "material",
            "message",
            "notice",
            "notification",
            "order",
            "parent",
            "publication",
            "rating",
            "region",
            "route",
            "rule",
            "session",
            "upload",
            "user",
            "version",
        ] {
            assert_ne!(field_name(object), "字段", "{object}");
        }
        assert_eq!(error_text("not_found", Some("upload")), "所选文件不存在");
        assert_eq!(error_text("not_found", Some("license")), "电子证照不存在");
    }

    #[test]
    fn a_missing_reason_is_said_in_chinese_never_by_its_field_key() {
        // Several use cases name the field (`reason`) as the detail; others say in Chinese what is missing.
        for detail in [None, Some("reason"), Some("decision_no")] {
            assert_eq!(error_text("reason_required", detail), "请填写操作原因", "{detail:?}");
        }
        assert_eq!(error_text("reason_required", Some("请填写吊销决定书文号")), "请填写吊销决定书文号");
        assert_eq!(error_text("reason_too_long", Some("2000")), "填写的内容过长，不能超过2000字");
        assert_eq!(error_text("not_found", Some("commitment")), "告知承诺不存在");
        assert_eq!(error_text("invalid_field", Some("payload")), "二维码内容填写不正确");
    }

    #[test]
    fn a_notice_in_the_wrong_state_is_named_by_its_state() {
        assert_eq!(error_text("notice_wrong_state", Some("draft")), "该公告当前为“草稿”，不能执行此操作");
        assert_eq!(error_text("notice_wrong_state", Some("x")), "该公告当前状态下不能执行此操作");
    }
}
