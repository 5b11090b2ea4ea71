//! Labels of codes, finding texts and the supervision errors, in Chinese.

use super::*;

/// Chinese labels for codes shown in pages (roles, kinds, levels, actions).
pub fn label(group: &str, code: &str) -> String {
    if group == "registry_source" {
        let known = zwfw_domain::registry::RecordSource::parse(code).map(|s| s.label());
        return known.unwrap_or(code).to_string();
    }
    if group == "slip_kind" {
        let known = zwfw_domain::registry::SlipKind::parse(code).map(|s| s.label());
        return known.unwrap_or(code).to_string();
    }
    let s = match (group, code) {
        ("role", "system_admin") => "系统管理员",
        ("role", "center_admin") => "政务服务中心管理员",
        ("role", "dept_admin") => "部门管理员",
        ("role", "counter") => "窗口人员",
        ("role", "reviewer") => "审批人员",
        ("role", "dept_head") => "部门负责人",
        ("role", "supervisor") => "监察人员",
        ("role", "legal_review") => "法制审核",
        ("role", "operator") => "运维人员",
        ("dept_kind", "service_center") => "政务服务中心",
        ("dept_kind", "supervision") => "监察机关",
        ("dept_kind", "it_center") => "信息中心",
        ("dept_kind", "legal_affairs") => "法制审核",
        ("dept_kind", "approval") => "审批部门",
        ("dept_kind", "county_office") => "县区政府办",
        ("level", "city") => "市",
        ("level", "county") => "县（市、区）",
        ("level", "town") => "乡镇（街道）",
        ("backfill_action", "supplement_request") => "一次性告知补正",
        ("backfill_action", "accept") => "受理",
        ("backfill_action", "refuse") => "不予受理",
        ("backfill_action", "pass") => "本环节通过",
        ("backfill_action", "return") => "退回",
        ("backfill_action", "extension_request") => "申请延长审批",
        ("backfill_action", "extension_decide") => "决定延长审批",
        ("backfill_action", "special_start") => "启动特别程序",
        ("backfill_action", "special_end") => "结束特别程序",
        ("backfill_action", "joint_answer") => "会办意见",
        ("backfill_action", "conclude") => "办结",
        ("backfill_action", "deliver") => "送达",
        ("applicant_kind", "natural") => "自然人",
        ("applicant_kind", "legal") => "法人",
        ("period_kind", "half_month") => "半月",
        ("period_kind", "month") => "月度",
        ("period_kind", "quarter") => "季度",
        ("dept_status", "red") => "● 红",
        ("dept_status", "yellow") => "● 黄",
        ("dept_status", "blue") => "● 蓝",
        ("dept_status", "green") => "● 绿",
        ("account_kind", "staff") => "工作人员",
        ("account_kind", "person") => "自然人",
        ("account_kind", "company") => "法人",
        ("license_wait", "no_key") => "办理部门尚无电子证照签名密钥",
        ("license_wait", "master_key_missing") => "系统未配置主密钥，不能使用签名密钥",
        ("license_wait", "no_type") => "该事项已不再关联电子证照类型",
        ("license_wait", "issuer_not_allowed") => "办理部门不在该证照类型的颁发机构之列",
        ("license_wait", "issuer_code_invalid") => "办理部门的统一社会信用代码不正确",
        ("license_wait", "holder_kind_mismatch") => "持证主体类型与证照类型不符（申请人是自然人还是法人，与证照类型的持证主体类别不一致）",
        ("license_wait", "issue_failed") => "签发时出错",
        ("license_wait", _) => "证照暂不能签发",
        ("license_wait_todo", "no_key") => {
            "请系统管理员在“电子证照管理 → 签名密钥”为办理部门生成密钥，生成后证照自动签发；申请人无需操作，签发后可在“我的证照”查看"
        }
        ("license_wait_todo", "master_key_missing") => {
            "请系统管理员配置主密钥（ZWFW_MASTER_KEY 或配置文件 [licenses] master_key），证照随后由后台任务自动签发；申请人无需操作"
        }
        ("license_wait_todo", "no_type") => {
            "请系统管理员在“电子证照管理 → 证照目录”中将该事项关联到启用的证照类型，证照随后自动签发；申请人无需操作"
        }
        ("license_wait_todo", "issuer_not_allowed") => {
            "请系统管理员在证照类型的“颁发部门”中加入办理部门（或清空以由办理部门颁发），证照随后自动签发；申请人无需操作"
        }
        ("license_wait_todo", "issuer_code_invalid") => {
            "请系统管理员在“部门管理”中更正办理部门的统一社会信用代码，证照随后自动签发；申请人无需操作"
        }
        ("license_wait_todo", "holder_kind_mismatch") => {
            "请系统管理员核对证照类型的持证主体类别（自然人/法人）并更正，证照随后自动签发；如申请人类型填写有误，请联系办理部门"
        }
        ("license_wait_todo", "issue_failed") => "后台任务每分钟自动重试；如长时间仍未签发，请联系系统管理员查看系统日志",
        ("license_wait_todo", _) => "证照随后由后台任务自动签发，请稍后刷新本页",
        ("license_confirm", "reissue") => "请勾选“确认换发此证照”后再提交，证照未作任何变更",
        ("license_confirm", "cancel") => "请勾选“确认注销此证照”后再提交，证照未作任何变更",
        ("license_confirm", "revoke") => "请勾选“确认吊销此证照”后再提交，证照未作任何变更",
        ("license_confirm", _) => "请勾选确认后再提交，证照未作任何变更",
        ("license_done", "reissue") => "已换发：本页为新版本的证照。",
        ("license_done", "amend") => "已变更：本页为新版本的证照。",
        ("license_done", "cancel") => "证照已注销。",
        ("license_done", "revoke") => "证照已吊销。",
        ("license_done", "type_updated") => "证照类型已修改，已签发的证照不受影响。",
        ("license_use", "verification") => "核验（扫码或打开核验链接）",
        ("license_use", "application") => "办事时作为申请材料使用",
        ("registry_sheet", "person") => "人口库信息核验单",
        ("registry_sheet", "company") => "法人库信息核验单",
        ("material_source", "registry") => "人口库/法人库",
        ("material_source", "license") => "电子证照",
        ("material_source", "commitment") => "告知承诺",
        ("license_use", "qr_check") => "二维码签名核验",
        ("license_qr", "malformed") => "二维码内容格式不正确，不是本平台电子证照的二维码",
        ("license_qr", "unknown_key") => "签名密钥不是该颁发机构的已知密钥，二维码不可信",
        ("license_qr", "bad_signature") => "二维码签名验证未通过，内容可能已被篡改",
        ("license_qr", "other_license") => "二维码不属于本证照",
        ("license_done", "type_created") => "证照类型已保存。",
        ("license_done", "key_created") => "签名密钥已生成，等待该部门密钥的证照已自动签发。",
        ("license_status", "valid") => "有效",
        ("license_status", "superseded") => "已换发",
        ("license_status", "cancelled") => "已注销",
        ("license_status", "revoked") => "已吊销",
        ("license_status", "expired") => "已过期",
        ("license_status", "voided") => "已作废",
        ("license_change", "issued") => "颁发",
        ("license_change", "reissued") => "换发",
        ("license_change", "amended") => "变更",
        ("license_change", "cancelled") => "注销",
        ("license_change", "revoked") => "吊销",
        ("license_change", "expired") => "过期",
        ("license_change", "voided") => "作废",
        ("holder_kind", "person") => "自然人",
        ("holder_kind", "legal") => "法人",
        ("notice_done", "saved") => "已保存。",
        ("notice_done", "publish") => "已发布，公众现在可以在门户看到这条公告。",
        ("notice_done", "withdraw") => "已撤回，公众不再看到这条公告。",
        ("notice_done", "attached") => "附件已上传。",
        ("notice_done", "detached") => "附件已移除。",
        ("action", "publish") => "发布",
        ("action", "withdraw") => "撤回",
        ("action", "attach") => "上传附件",
        ("action", "detach") => "移除附件",
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
        ("object", "notice") => "通知公告",
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
        ("doc_kind", "return") => "退件通知书",
        ("rating_tab", "appeals") => "申诉待复核",
        ("rating_tab", "all") => "全部评价",
        ("rating_tab", "department") => "本部门评价",
        ("rating_tab", "bad") => "差评整改",
        ("day_mark", "holiday") => "休",
        ("day_mark", "makeup") => "班",
        ("delivery", "waiting") => "待发送",
        ("delivery", "sent") => "已发送",
        ("delivery", "failed") => "发送失败",
        ("delivery", "all") => "全部",
        ("message_channel", "email") => "电子邮件",
        ("message_channel", "sms") => "短信",
        ("channel", "online") => "网上申报",
        ("channel", "counter") => "窗口受理",
        ("trust", "A") => "A级（部门核发）",
        ("trust", "B") => "B级（窗口核验）",
        ("trust", "C") => "C级（申请人上传）",
        ("trust", "D") => "D级（告知承诺）",
        ("apply", "applicant_unknown") => "没有找到该证件号码的申请人记录，请当场录入申请人信息。",
        ("track", "sms") => "【办件查询】验证码{code}，5分钟内有效。如非本人操作，请忽略。",
        ("track", "sms_title") => "办件查询验证码",
        ("track", "code_sent") => "如该证件号码和手机号码办理过事项，验证码已发送到该手机，5分钟内有效。",
        ("apply", "kept_as_draft") => {
            "申请未能提交，已为您保存为草稿：已选择的文件都已保存，无需重新选择。请按提示修改后再提交。"
        }
        ("apply", "draft_saved") => "草稿已保存。",
        ("apply", "file_removed") => "已删除该文件。",
        ("case_done", "submit") => "申请已提交。",
        ("case_done", "backfill") => "补录已登记：按实际办理时间记入办理记录，并标注“补录”。",
        ("case_done", "commitment_unfulfilled") => "已认定该告知承诺未履行，已通知申请人并转电子监察。",
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
        ("interaction_tab", "all") => "全部留言",
        ("interaction_tab", "all_overdue") => "超期未答复",
        ("interaction_tab", "conduct") => "反映工作人员作风的投诉",
        ("interaction_tab", "mine") => "我的留言",
        ("interaction_tab", "open") => "待答复",
        ("interaction_tab", "overdue") => "已超期",
        ("interaction_tab", "answered") => "已答复",
        ("duty", "lead") => "负责人",
        ("duty", "staff") => "具体工作人员",
        ("duty_short", "lead") => "负责人",
        ("duty_short", "staff") => "工作人员",
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
        ("interaction_done", "sms_retry" | "retry") => "已重新列入发送，稍后自动发送",
        ("account_done", "email") => "电子邮箱已保存。",
        ("account_done", "certificate_reported") => "已报告，该证书已停止用于登录，政务服务中心已收到通知。",
        ("certificate_standing", "active") => "有效",
        ("certificate_standing", "lost") => "已挂失",
        ("certificate_standing", "locked") => "已锁死",
        ("certificate_standing", "revoked") => "已撤销",
        ("certificate_standing", "ca_revoked") => "已被签发机构吊销",
        ("certificate_standing", "expired") => "已过期",
        ("certificate_standing", "not_yet_valid") => "尚未生效",
        ("certificate_report", "lost") => "挂失（证书介质丢失或被盗）",
        ("certificate_report", "locked") => "锁死（保护密码多次输错被锁）",
        ("certificate_report", "revoked") => "撤销（停用该证书）",
        ("certificate_report", "ca_revoked") => "吊销（列入证书签发机构的吊销列表）",
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
        ("follow_up", "closed") => "申诉成立，无需整改",
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
        ("finding_state", "active") => "未办结",
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
        ("object_kind", "exchange") => "数据交换记录",
        ("object_kind", "handover") => "审管推送记录",
        ("object_kind", "maintenance_request") => "配置/维护需求",
        ("object_kind", "staff_qualification") => "上岗培训和考试记录",
        ("qualification_kind", "training") => "培训",
        ("qualification_kind", "exam") => "考试",
        ("qualification_result", "passed") => "合格",
        ("qualification_result", "failed") => "不合格",
        ("qualification_result", "pending") => "成绩待定",
        ("qualification_standing", "exempt") => "无需上岗资格",
        ("qualification_standing", "qualified") => "有效",
        ("qualification_standing", "expiring") => "30日内到期",
        ("qualification_standing", "expired") => "上岗资格已过期",
        ("qualification_standing", "missing") => "未取得上岗资格",
        ("qualification_lacking", "training_and_exam") => "尚无培训合格和考试合格记录：须先参加培训，再通过考试",
        ("qualification_lacking", "exam") => "已参加培训，尚无培训之后的考试合格记录",
        ("qualification_lacking", "training") => "已有考试合格记录，但缺少考试之前的培训合格记录：须先培训，再考试",
        ("request_kind", "users_rights") => "用户和权限",
        ("request_kind", "item_config") => "事项配置",
        ("request_kind", "org_data") => "机构数据",
        ("request_kind", "misoperation") => "误操作更正",
        ("request_kind", "other") => "其他",
        ("request_state", "submitted") => "待答复",
        ("request_state", "accepted") => "已受理，办理中",
        ("request_state", "refused") => "不予办理",
        ("request_state", "done") => "已办结",
        ("deletion_state", "requested") => "待部门负责人同意",
        ("deletion_state", "withdrawn") => "已撤回",
        ("deletion_state", "consented") => "待监察室执行",
        ("deletion_state", "declined") => "部门负责人不同意",
        ("deletion_state", "performed") => "已删除",
        ("deletion_state", "rejected") => "监察室不予删除",
        ("rights_state_centre", "requested") => "待政务服务中心管理员审核",
        ("rights_state_centre", "declined") => "政务服务中心不同意",
        ("rights_state", "requested") => "待部门负责人审核",
        ("rights_state", "withdrawn") => "已撤回",
        ("rights_state", "approved") => "已同意，待管理员执行",
        ("rights_state", "declined") => "部门负责人不同意",
        ("rights_state", "applied") => "已执行",
        ("rights_state", "rejected") => "管理员不予执行",
        ("rights_state", "emergency") => "紧急变更",
        ("correction_state", "requested") => "待部门负责人同意",
        ("correction_state", "withdrawn") => "已撤回",
        ("correction_state", "consented") => "待政务服务中心执行",
        ("correction_state", "declined") => "部门负责人不同意",
        ("correction_state", "performed") => "已更正",
        ("correction_state", "rejected") => "政务服务中心不予更正",
        ("correction_kind", "step_passed") => "环节误通过",
        ("correction_kind", "applicant_data") => "申请人信息有误",
        ("correction_kind", "conclusion") => "办结结论有误",
        ("deletion_record_kind", "case_draft") => "办件草稿",
        ("deletion_record_kind", "maintenance_request") => "配置/维护需求",
        ("deletion_record_kind", "draft_material") => "草稿材料",
        ("deletion_record_kind", "item_draft") => "事项草稿",
        ("object_kind", "fault") => "平台故障",
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
        ("rule", "W03") => "审管推送临近认领期限",
        ("rule", "Y03") => "审管推送逾期未认领（黄牌）",
        ("handover_kind", "conclusion") => "办结结果推送",
        ("handover_kind", "license_change") => "证照状态变化推送",
        ("handover_kind", "conclusion_corrected") => "办结结论更正推送",
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
        ("rule", "A09") => "告知承诺未履行",
        ("rule", "A10") => "数据备份或恢复演练失效",
        ("rule", "A11") => "数据交换积压或拒收未更正",
        ("rule", "A13") => "维护需求超期未答复",
        ("rule", "A12") => "双公示超期未公示",
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
        "A13" => format!(
            "{object_no} 于 {} 提出，应于 {} 前（{} 个工作日内）答复，政务服务中心至今未答复。",
            s("submitted"),
            s("due"),
            n("days")
        ),
        "W03" => format!("{object_no} 应于 {} 前认领，至今未认领，请及时认领。", s("due")),
        "Y03" => format!("{object_no} 应于 {} 前认领，已逾期未认领。", s("due")),
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
        "A11" if s("kind") == "backlog" => format!(
            "前置库 {} 表最早一条待报送记录（{object_no}）已等待 {} 小时，超过规定的 {} 小时，数据未按时报送省级平台。",
            s("table"),
            n("waited_hours"),
            n("hours")
        ),
        "A11" => format!(
            "{object_no} 于 {} 被{}拒收（{}），{} 个工作日内仍未更正并重新报送。",
            s("rejected_on"),
            if detail.get("by_province").and_then(|v| v.as_bool()) == Some(true) {
                "省级平台"
            } else {
                "交换程序校验"
            },
            s("reason"),
            n("days")
        ),
        "A12" => format!(
            "{object_no} 于 {} 作出行政许可决定，应于 {} 前在信用信息公示（双公示），已超期未公示。",
            s("decided_on"),
            s("due")
        ),
        "A09" => {
            format!("办件 {object_no} 中申请人以告知承诺代替的材料“{}”经核查未履行承诺：{}", s("material"), s("reason"))
        }
        "A10" => {
            let at = zwfw_domain::time::format_local(n("at"));
            match s("kind").as_str() {
                "no_backup" => format!(
                    "自 {} 起没有一次成功的数据备份，已超过26小时，请立即检查备份目录和备份任务。",
                    zwfw_domain::time::format_local(n("since"))
                ),
                "stale" => format!("最近一次成功的数据备份在 {at}，已超过26小时没有新的备份，请立即检查备份任务。"),
                "drill_failed" => format!("{at} 的恢复演练未通过：最新的备份不能恢复或恢复后核对不一致，请立即处理。"),
                _ if detail.get("at").is_some_and(|v| !v.is_null()) => {
                    format!("最近一次通过的恢复演练在 {at}，规定周期内没有通过的恢复演练。")
                }
                _ => "还没有通过的恢复演练，备份能否恢复未经验证。".to_string(),
            }
        }
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

/// The Chinese name of a table, for the archive of deleted records.
pub fn table_label(table: &str) -> String {
    table_name(table).to_string()
}

/// The Chinese name of a guarded table.
pub(super) fn table_name(table: &str) -> &'static str {
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
        "handovers" => "审管推送记录",
        "maintenance_requests" => "配置/维护需求",
        "maintenance_request_changes" => "依配置/维护需求所作变更",
        "credit_licensing" => "行政许可双公示记录",
        "faults" => "平台故障",
        "fault_events" => "平台故障处理记录",
        "staff_qualifications" => "上岗培训和考试记录",
        "qualification_reminders" => "上岗资格到期提醒",
        "deletion_requests" => "删除申请",
        "correction_requests" => "更正申请",
        "deleted_records" => "已删除记录存档",
        "rights_requests" => "权限变更申请",
        "rights_request_rows" => "权限变更申请明细",
        "case_backfills" => "办件补录记录",
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

pub(super) fn param_name(p: &str) -> &'static str {
    match p {
        "days" => "“天数”",
        "count" => "“次数”",
        _ => "“整改期限”",
    }
}

/// The role codes in display order, for forms.
pub fn role_codes() -> [&'static str; zwfw_domain::admin::Role::ALL.len()] {
    zwfw_domain::admin::Role::ALL.map(zwfw_domain::admin::Role::code)
}
pub const DEPT_KIND_CODES: [&str; 6] =
    ["service_center", "supervision", "it_center", "legal_affairs", "approval", "county_office"];
