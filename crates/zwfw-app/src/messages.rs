//! The message catalogue: every error code the program reports, in Chinese.
//! Pages and the API show these texts; the codes themselves are stable API.

/// Chinese text for an error code and its optional detail (sub-reason or field).
pub fn error_text(code: &str, detail: Option<&str>) -> String {
    let base = match (code, detail) {
        ("invalid_resident_id", Some("length")) => "居民身份证号码应为18位",
        ("invalid_resident_id", Some("characters")) => "居民身份证号码只能包含数字，最后一位可以是X",
        ("invalid_resident_id", Some("region")) => "居民身份证号码的地址码不正确",
        ("invalid_resident_id", Some("birth_date")) => "居民身份证号码中的出生日期不正确",
        ("invalid_resident_id", _) => "居民身份证号码校验位不正确，请核对后重新输入",
        ("invalid_credit_code", Some("length")) => "统一社会信用代码应为18位",
        ("invalid_credit_code", Some("characters")) => "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）",
        ("invalid_credit_code", Some("region")) => "统一社会信用代码第3至8位应为行政区划码",
        ("invalid_credit_code", _) => "统一社会信用代码校验位不正确，请核对后重新输入",
        ("invalid_region_code", _) => "行政区划代码应为6位（市、县区）或9位（乡镇街道）数字",
        ("invalid_mobile", _) => "手机号码应为11位，以1开头",
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
        ("wrong_role", Some(d))
        | ("case_conflict", Some(d))
        | ("reason_required", Some(d))
        | ("empty_supplement", Some(d))
        | ("document_required", Some(d))
        | ("bad_return", Some(d))
        | ("calendar_missing", Some(d))
        | ("invalid_form", Some(d)) => return d.to_string(),
        ("not_online", _) => "该事项暂不支持网上申报，请按办事指南到窗口办理",
        ("already_submitted", _) => "该申请已提交，请勿重复提交",
        ("invalid_applicant", Some("name")) => "请填写申请人姓名或单位名称（100字以内）",
        ("invalid_applicant", _) => "请选择申请人类型（自然人或法人）",
        ("invalid_material", _) => "所选材料不存在或不属于本人，请重新上传",
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
        ("not_in_department", _) => "该事项不属于您所在的部门",
        ("missing_role", _) => "您的角色不能执行此操作",
        ("not_step_role", _) => "当前环节须由该环节的办理角色或部门负责人处理",
        ("not_joint_member", _) => "您所在的部门不是本环节的会办部门",
        ("needs_dept_head", _) => "此操作须由部门负责人决定",
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
        ("session_expired", _) => "长时间未操作，登录已超时，请重新登录",
        ("password_change_required", _) => "请先修改密码后再继续操作",
        ("second_factor_required", _) => "请先完成动态口令验证",
        ("totp_enrollment_required", _) => "您的角色须绑定动态口令（TOTP）后才能使用系统",
        ("invalid_totp", _) => "动态口令不正确或已使用，请输入验证器中当前显示的6位数字",
        ("wrong_password", _) => "原密码不正确",
        ("forbidden", _) => "您没有权限执行此操作",
        ("csrf", _) => "页面已过期或请求来源不可信，请刷新页面后重试",
        ("reason_required", _) => "请填写操作原因",
        ("not_given_up", _) => "该短信不是发送失败的短信，无需重新发送",
        ("clock_not_controllable", _) => "仅在演示模式下可以调整系统时钟",
        ("bad_request", _) => "请求格式不正确",
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
    }
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
        "level" => "层级",
        "reason" => "原因",
        "offset" => "时间调整量",
        "title" => "标题",
        "content" => "内容",
        "reply" => "答复内容",
        "accused_unit" => "被投诉单位",
        "accused_person" => "被投诉人",
        "withhold_reason" => "不公开的理由",
        "to_department_id" => "转办部门",
        "duty" => "职责",
        "interaction" => "留言",
        "item" => "事项",
        "handler" => "留言办理人",
        "message" => "短信",
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
        _ => "字段",
    }
}

/// Chinese labels for codes shown in pages (roles, kinds, levels, actions).
pub fn label(group: &str, code: &str) -> String {
    let s = match (group, code) {
        ("role", "system_admin") => "系统管理员",
        ("role", "center_admin") => "政务服务中心管理员",
        ("role", "dept_admin") => "部门管理员",
        ("role", "counter") => "窗口人员",
        ("role", "reviewer") => "审批人员",
        ("role", "dept_head") => "部门负责人",
        ("role", "supervisor") => "监察人员",
        ("role", "legal_review") => "法制审核",
        ("dept_kind", "service_center") => "政务服务中心",
        ("dept_kind", "supervision") => "监察机关",
        ("dept_kind", "it_center") => "信息中心",
        ("dept_kind", "legal_affairs") => "法制审核",
        ("dept_kind", "approval") => "审批部门",
        ("dept_kind", "county_office") => "县区政府办",
        ("level", "city") => "市",
        ("level", "county") => "县（市、区）",
        ("level", "town") => "乡镇（街道）",
        ("account_kind", "staff") => "工作人员",
        ("account_kind", "person") => "自然人",
        ("account_kind", "company") => "法人",
        ("action", "login") => "登录",
        ("action", "login_failed") => "登录失败",
        ("action", "account_locked") => "账号锁定",
        ("action", "logout") => "退出登录",
        ("action", "session_revoked") => "结束会话",
        ("action", "password_changed") => "修改密码",
        ("action", "password_reset") => "重置密码",
        ("action", "totp_enrolled") => "绑定动态口令",
        ("action", "totp_reset") => "重置动态口令",
        ("action", "create") => "新增",
        ("action", "update") => "修改",
        ("action", "roles_changed") => "权限变更",
        ("action", "account_disabled") => "停用账号",
        ("action", "account_enabled") => "启用账号",
        ("action", "register") => "注册",
        ("action", "clock_moved") => "调整演示时钟",
        ("action", "demo_loaded") => "载入演示数据",
        ("object", "user") => "账号",
        ("object", "session") => "会话",
        ("object", "region") => "行政区划",
        ("object", "department") => "部门",
        ("object", "clock") => "系统时钟",
        ("object", "system") => "系统",
        ("object", "calendar") => "工作日历",
        ("object", "item") => "事项",
        ("version_state", "draft") => "草稿",
        ("version_state", "legal_review") => "法制审核中",
        ("version_state", "center_approval") => "中心审批中",
        ("version_state", "published") => "已发布",
        ("version_state", "superseded") => "已被新版本替代",
        ("version_state", "withdrawn") => "已撤回",
        ("version_state", "retired") => "已取消",
        ("item_action", "create") | ("action", "item_create") => "新建事项",
        ("item_action", "edit") | ("action", "item_edit") => "修改草稿",
        ("item_action", "submit") | ("action", "item_submit") => "提交法制审核",
        ("item_action", "pass_legal_review") | ("action", "item_pass_legal_review") => "法制审核通过",
        ("item_action", "approve") | ("action", "item_approve") => "中心审批通过并发布",
        ("item_action", "send_back") | ("action", "item_send_back") => "退回修改",
        ("item_action", "withdraw") | ("action", "item_withdraw") => "撤回草稿",
        ("item_action", "new_version") | ("action", "item_new_version") => "发起变更（新版本）",
        ("item_action", "retire") | ("action", "item_retire") => "取消事项",
        ("action", "calendar_loaded") => "载入工作日历",
        ("case_state", "draft") => "草稿",
        ("case_state", "submitted") => "待受理",
        ("case_state", "supplementing") => "待补正",
        ("case_state", "refused") => "不予受理",
        ("case_state", "in_progress") => "办理中",
        ("case_state", "deciding") => "待决定",
        ("case_state", "concluded") => "已办结",
        ("case_state", "delivered") => "已送达",
        ("case_state", "withdrawn") => "已撤回",
        ("outcome", "granted") => "准予许可",
        ("outcome", "denied") => "不予许可",
        ("outcome", "returned") => "退件",
        ("outcome", "voided") => "作废",
        ("outcome", "forwarded") => "转报",
        ("doc_kind", "acceptance") => "受理通知书",
        ("doc_kind", "refusal") => "不予受理通知书",
        ("doc_kind", "supplement") => "补正通知书",
        ("doc_kind", "special") => "特别程序告知书",
        ("doc_kind", "extension") => "延长审批告知书",
        ("doc_kind", "grant") => "准予行政许可决定书",
        ("doc_kind", "denial") => "不予行政许可决定书",
        ("channel", "online") => "网上申报",
        ("channel", "counter") => "窗口受理",
        ("trust", "A") => "A级（部门核发）",
        ("trust", "B") => "B级（窗口核验）",
        ("trust", "C") => "C级（申请人上传）",
        ("trust", "D") => "D级（告知承诺）",
        ("apply", "applicant_unknown") => "没有找到该证件号码的申请人记录，请当场录入申请人信息。",
        ("case_done", "submit") => "申请已提交。",
        ("case_done", "supplement_request") => "补正通知已发出，申请人将看到需补正的全部内容。",
        ("case_done", "supplement_provide") => "补正材料已提交，等待重新审查。",
        ("case_done", "accept") => "已受理，受理通知书已生成。",
        ("case_done", "refuse") => "已作出不予受理决定，通知书已生成。",
        ("case_done", "pass") => "本环节已通过。",
        ("case_done", "return") => "已退回。",
        ("case_done", "transfer") => "已转办。",
        ("case_done", "urge") => "已催办。",
        ("case_done", "extension_request") => "延长审批申请已提交部门负责人。",
        ("case_done", "extension_decide") => "已决定延长审批申请。",
        ("case_done", "special_start") => "特别程序已启动，期限暂停计算，告知书已生成。",
        ("case_done", "special_end") => "特别程序已结束，期限恢复计算。",
        ("case_done", "joint_answer") => "会办意见已提交。",
        ("case_done", "joint_close") => "会办已结束。",
        ("case_done", "conclude") => "已办结。",
        ("case_done", "deliver") => "已登记送达。",
        ("case_done", "withdraw") => "申请已撤回。",
        ("case_done", "withdrawal_request") => "撤回申请已登记，待部门负责人决定。",
        ("case_done", "withdrawal_decline") => "已决定不同意撤回，办件继续办理。",
        ("case_done", "original") => "原件收取已登记。",
        ("case_done", "original_return") => "原件退还已登记。",
        ("urgency", "green") => "正常",
        ("urgency", "yellow") => "临近期限",
        ("urgency", "red") => "已超期",
        ("object", "case") => "办件",
        ("interaction_kind", "consultation") => "我要咨询",
        ("interaction_kind", "suggestion") => "我要建议",
        ("interaction_kind", "complaint") => "我要投诉",
        ("interaction_kind", "correction") => "网站纠错",
        ("interaction_noun", "consultation") => "咨询",
        ("interaction_noun", "suggestion") => "建议",
        ("interaction_noun", "complaint") => "投诉",
        ("interaction_noun", "correction") => "纠错",
        ("interaction_state", "open") => "办理中",
        ("interaction_state", "answered") => "已答复",
        ("publication", "public") => "已公开",
        ("publication", "opted_out") => "留言人选择不公开",
        ("publication", "secret") => "涉密，不公开",
        ("publication", "withheld") => "部门说明不宜公开",
        ("interaction_event", "submitted") => "提交留言",
        ("interaction_event", "transferred") => "转办",
        ("interaction_event", "supervision_finding") => "经监察核实，转为监察事项",
        ("interaction_event", "assigned") => "交办",
        ("interaction_event", "extended") => "延期",
        ("interaction_event", "answered") => "答复",
        ("interaction_done", "transfer") => "已转办",
        ("interaction_done", "handler_added") => "已指定留言办理人",
        ("interaction_done", "handler_ended") => "已撤销留言办理人，变更已记录",
        ("interaction_done", "limit_set") => "办理时限已修改，新提交的留言按新时限计算",
        ("interaction_done", "extend") => "已延期",
        ("interaction_done", "reply") => "已答复",
        ("interaction_done", "sms_retry") => "已重新列入发送，稍后自动发送",
        ("rating_level", "1") => "非常满意",
        ("rating_level", "2") => "满意",
        ("rating_level", "3") => "基本满意",
        ("rating_level", "4") => "不满意",
        ("rating_level", "5") => "非常不满意",
        ("rating_stage", "acceptance") => "受理",
        ("rating_stage", "conclusion") => "办结",
        ("rating_channel", "pc") => "PC端",
        ("rating_channel", "mobile") => "移动服务端",
        ("rating_channel", "qr_code") => "二维码",
        ("rating_channel", "tablet") => "政务大厅平板电脑",
        ("rating_channel", "terminal") => "政务大厅其他终端",
        ("rating_channel", "phone") => "电话",
        ("rating_channel", "sms") => "短信",
        ("follow_up", "open") => "待回访",
        ("follow_up", "called_back") => "已回访，整改中",
        ("follow_up", "replied") => "已整改答复",
        ("appeal", "pending") => "申诉待复核",
        ("appeal", "upheld") => "申诉成立，不计入考核",
        ("appeal", "rejected") => "申诉不成立",
        ("rating_done", "call_back") => "已记录回访",
        ("rating_done", "reply") => "已提交整改答复，答复已公开",
        ("rating_done", "appeal") => "已提出申诉，等待监察复核",
        ("rating_done", "decide_appeal") => "已作出复核决定",
        ("case_done", "rated") => "感谢您的评价",
        ("severity", "warning") => "预警",
        ("severity", "yellow") => "黄牌",
        ("severity", "red") => "红牌",
        ("severity", "anomaly") => "异常",
        ("finding_state", "noted") => "已提醒",
        ("finding_state", "open") => "待整改",
        ("finding_state", "replied") => "待审核",
        ("finding_state", "closed") => "已办结",
        ("finding_event", "reply") => "整改回复",
        ("finding_event", "accept") => "审核通过，办结",
        ("finding_event", "reject") => "退回重新整改",
        ("finding_event", "close") => "关闭",
        ("order_state", "issued") => "待答复",
        ("order_state", "answered") => "待审核",
        ("order_state", "closed") => "已办结",
        ("order_event", "issued") => "发出督办",
        ("order_event", "answer") => "部门答复",
        ("order_event", "accept") => "审核通过，办结",
        ("order_event", "reject") => "退回重新办理",
        ("order_event", "escalated") => "逾期未答复，督办升级",
        ("object_kind", "case") => "办件",
        ("object_kind", "interaction") => "网民留言",
        ("object_kind", "rating") => "差评整改",
        ("object_kind", "department") => "部门",
        ("object_kind", "audit") => "审计记录",
        ("object_kind", "data") => "业务数据",
        ("object_kind", "guard") => "数据防护",
        ("supervision_done", "reply") => "整改回复已提交，等待监察人员审核",
        ("supervision_done", "accept") => "已审核通过并办结",
        ("supervision_done", "reject") => "已退回部门重新整改",
        ("supervision_done", "close") => "已关闭",
        ("supervision_done", "issue") => "督办通知已发出",
        ("supervision_done", "answer") => "督办答复已提交",
        ("supervision_done", "rule") => "规则已保存，下次评估按新规则全面执行",
        ("supervision_done", "evaluate") => "评估已完成",
        ("supervision_done", "conduct") => "投诉已转为监察事项，已通知责任部门",
        ("evaluation_done", "config") => "考核办法已保存，之后的考核按新办法计算",
        ("evaluation_done", "published") => "本期排名已在门户网站公布",
        ("grade", "excellent") => "优秀",
        ("grade", "good") => "良好",
        ("grade", "pass") => "合格",
        ("grade", "fail") => "不合格",
        ("rule", "W01") => "临近承诺时限预警",
        ("rule", "W02") => "环节超时",
        ("rule", "Y01") => "超承诺时限（黄牌）",
        ("rule", "Y02") => "工作人员作风投诉查实（黄牌）",
        ("rule", "R01") => "超法定时限（红牌）",
        ("rule", "R02") => "黄牌逾期未整改（红牌）",
        ("rule", "R03") => "同一部门月内多次黄牌（红牌）",
        ("rule", "A01") => "逾期未作受理决定（视为受理）",
        ("rule", "A02") => "多次补正告知（违反一次性告知）",
        ("rule", "A03") => "不予受理、不予许可或作废未说明理由",
        ("rule", "A04") => "收费与收费标准不符",
        ("rule", "A05") => "未按环节办结或环节顺序不符",
        ("rule", "A06") => "特别程序超时或延期未经批准",
        ("rule", "A07") => "未经变更流程修改事项或删除业务数据",
        ("rule", "A08") => "咨询投诉或差评整改超期",
        _ => return code.to_string(),
    };
    s.to_string()
}

/// 监察结果描述: what a rule found, in Chinese, from the fact's detail.
pub fn finding_text(rule: &str, detail: &serde_json::Value, object_no: &str) -> String {
    let s = |k: &str| detail.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let n = |k: &str| detail.get(k).and_then(|v| v.as_i64()).unwrap_or(0);
    match rule {
        "W01" => format!("办件 {object_no} 承诺办结期限为 {}，即将到期，请抓紧办理。", s("due")),
        "W02" => format!("办件 {object_no} 第{}环节应于 {} 前办结，已超时。", n("step_no") + 1, s("due")),
        "Y01" => format!("办件 {object_no} 已超过承诺办结期限（{}）仍未办结。", s("due")),
        "Y02" => format!("投诉 {object_no} 反映的工作人员作风问题经监察核实：{}", s("found")),
        "R01" => format!("办件 {object_no} 已超过法定办结期限（{}）仍未办结。", s("due")),
        "R02" => format!("办件 {object_no} 的黄牌自 {} 起 {} 个工作日内未整改到位。", s("found_on"), n("days")),
        "R03" => format!("{} 月内本部门已累计 {} 张黄牌。", s("month"), n("count")),
        "A01" => format!("办件 {object_no} 提交后5个工作日内未作受理决定，依法视为受理。"),
        "A02" => format!("办件 {object_no} 发出了 {} 次补正通知，违反一次性告知要求。", n("notices")),
        "A03" => {
            let what = match s("event").as_str() {
                "refused" => "不予受理",
                "denied" => "不予许可",
                _ => "作废",
            };
            format!("办件 {object_no} 作出{what}决定但未说明理由。")
        }
        "A04" => format!(
            "办件 {object_no} 实收费用 {:.2} 元，与收费标准 {:.2} 元不符。",
            n("charged_fen") as f64 / 100.0,
            n("standard_fen") as f64 / 100.0
        ),
        "A05" if detail.get("steps").is_some() => {
            format!("办件 {object_no} 仅通过 {} 个环节（共 {} 个）即作出决定。", n("passed"), n("steps"))
        }
        "A05" => format!("办件 {object_no} 的环节办理顺序与事项流程不符。"),
        "A06" if detail.get("kind").is_some() => format!(
            "办件 {object_no} 的特别程序（{}）已计 {} 个工作日，超过事项规定的 {} 个工作日。",
            s("kind"),
            n("days"),
            n("max")
        ),
        "A06" => format!("办件 {object_no} 延长审批 {} 个工作日，未经批准或超过法定10个工作日。", n("days")),
        "A08" => format!("{object_no} 应于 {} 前答复，已超期未答复。", s("due")),
        "A07" => match s("kind").as_str() {
            "altered" => format!("审计记录第 {} 条的内容与其校验值不符，已被改动。", n("seq")),
            "removed" => format!("审计记录第 {} 至 {} 条已被删除。", n("from_seq"), n("to_seq")),
            "reordered" => format!("审计记录第 {} 条的顺序被改动。", n("seq")),
            "tail_removed" => {
                format!("审计记录第 {} 条之后至第 {} 条已被删除。", n("last_seq"), n("expected_last_seq"))
            }
            "data_deleted" if s("op") == "truncate" => {
                format!(
                    "{}（{}）被整表清空（{}）。",
                    table_name(&s("table")),
                    s("table"),
                    zwfw_domain::time::format_local(n("at"))
                )
            }
            "data_deleted" => format!(
                "{}（{}）中主键为 {} 的记录被直接从数据库删除（{}），系统本身从不删除业务数据。",
                table_name(&s("table")),
                s("table"),
                s("key"),
                zwfw_domain::time::format_local(n("at"))
            ),
            "data_updated" if s("table") == "item_versions" => format!(
                "事项版本 {} 在审核发布后被直接在数据库中修改（{}），未经事项变更流程。",
                s("key"),
                zwfw_domain::time::format_local(n("at"))
            ),
            "data_updated" => format!(
                "{}（{}）中主键为 {} 的记录只允许追加，却被直接在数据库中改写（{}）。",
                table_name(&s("table")),
                s("table"),
                s("key"),
                zwfw_domain::time::format_local(n("at"))
            ),
            "data_edited" => {
                let table = s("table");
                let flow = if matches!(table.as_str(), "items" | "item_versions") {
                    "，未经事项变更流程"
                } else {
                    ""
                };
                let at = zwfw_domain::time::format_local(n("at"));
                let (name, key) = (table_name(&table), s("key"));
                format!("{name}（{table}）中主键为 {key} 的记录被绕过系统直接在数据库中修改（{at}）{flow}，修改前的内容已留存。")
            }
            "guard_missing" => format!(
                "数据库防护触发器 {} 已不存在（被删除或所在表被重建），绕过系统的删改将无法发现，请立即恢复。",
                s("guard")
            ),
            _ => format!("审计记录第 {} 条与前一条的链接断开。", n("seq")),
        },
        _ => format!("{object_no} {rule}"),
    }
}

/// The Chinese name of a guarded table.
fn table_name(table: &str) -> &'static str {
    match table {
        "cases" => "办件",
        "case_events" => "办件过程记录",
        "case_joint" => "并联审批记录",
        "case_materials" => "办件材料",
        "case_documents" => "办件文书",
        "case_originals" => "纸质原件登记",
        "e_materials" => "电子要件",
        "items" => "事项",
        "item_versions" => "事项版本",
        "item_events" => "事项变更记录",
        "interactions" => "网民留言",
        "interaction_events" => "留言办理记录",
        "interaction_handlers" => "留言办理人",
        "ratings" => "好差评",
        "findings" => "监察事项",
        "oversight_orders" => "督办通知",
        "supervision_events" => "监察处理记录",
        "evaluation_publications" => "考核排名公布",
        "calendar_years" => "工作日历",
        "files" => "文件",
        "audit_pending" => "待封存的审计记录",
        _ => "业务数据",
    }
}

/// Chinese text of a supervision error.
pub fn supervision_error_text(e: &zwfw_domain::supervision::SupervisionError) -> String {
    use zwfw_domain::supervision::SupervisionError as E;
    match e {
        E::ParamOutOfRange { param, min, max, .. } => format!("参数{}应在 {min} 至 {max} 之间", param_name(param)),
        E::ParamNotUsed { param, .. } => format!("该规则没有参数{}", param_name(param)),
        E::Empty { field } => format!("{}不能为空", field_name(field)),
        E::TooLong { field, max } => format!("{}不能超过{max}个字", field_name(field)),
        E::ControlCharacters { field } => format!("{}含有不允许的控制字符", field_name(field)),
        E::WrongState(s) => format!("当前状态（{}）下不能进行该操作", label("finding_state", s)),
        E::NoReplyNeeded => "预警类事项无需整改回复".into(),
        E::BadDays => "督办期限应为1至20个工作日".into(),
        E::RuleOff => "该监察规则已停用，请先在监察规则中启用".into(),
        E::NotStaffConduct => "只有反映工作人员作风问题的投诉才能转为监察事项".into(),
        E::Calendar(c) => calendar_error_text(c),
    }
}

fn param_name(p: &str) -> &'static str {
    match p {
        "days" => "“天数”",
        "count" => "“次数”",
        _ => "“整改期限”",
    }
}

/// The role codes in display order, for forms.
pub const ROLE_CODES: [&str; 8] =
    ["system_admin", "center_admin", "dept_admin", "counter", "reviewer", "dept_head", "supervisor", "legal_review"];
pub const DEPT_KIND_CODES: [&str; 6] =
    ["service_center", "supervision", "it_center", "legal_affairs", "approval", "county_office"];

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
}
