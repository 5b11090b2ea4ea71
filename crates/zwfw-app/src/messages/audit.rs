//! The audit log in Chinese: the name of each action, of each field its records
//! describe, and of the coded values in them.

use super::{case_event_label, label};

/// The Chinese name of an audit action (`case_accepted` → 办件受理).
pub fn action_label(code: &str) -> String {
    let known = label("action", code);
    if known != code {
        return known;
    }
    let fixed = match code {
        "case_create" => "登记办件",
        "license_type_created" => "新增证照类型",
        "license_type_updated" => "修改证照类型",
        "license_key_created" => "生成证照签名密钥",
        "license_key_rotated" => "更换证照签名密钥",
        "license_issued" => "签发电子证照",
        "license_reissued" => "换发电子证照",
        "license_amended" => "变更电子证照",
        "license_cancelled" => "注销电子证照",
        "license_revoked" => "吊销电子证照",
        "license_expired" => "电子证照过期",
        "license_imported" => "导入存量电子证照",
        "license_import" => "导入存量电子证照文件",
        "exchange_package_key_created" => "生成离线包签名密钥",
        "exchange_package_key_rotated" => "更换离线包签名密钥",
        "exchange_package_exported" => "导出数据交换离线包",
        "exchange_package_imported" => "导入数据交换离线包",
        "exchange_installation_registered" => "登记离线包报送单位",
        "exchange_installation_key_replaced" => "更换报送单位的离线包公钥",
        "license_file_made" => "生成存量电子证照的证照文件",
        "case_query_password" => "重置办件查询密码",
        "case_original_receive" => "接收纸质原件",
        "case_original_return" => "退还纸质原件",
        "evaluation_config" => "修改考核办法",
        "evaluation_publish" => "公布考核排名",
        "interaction_submit" => "提交留言",
        "interaction_handler_add" => "设置留言办理人",
        "interaction_handler_end" => "停止留言办理人",
        "interaction_limit" => "设置留言答复时限",
        "installation_key_created" => "生成本平台审计锚点签名密钥",
        "supervision_findings" => "电子监察发现问题",
        "supervision_evaluate" => "执行电子监察评估",
        "supervision_rule" => "修改监察规则",
        "conduct_finding" => "作风投诉转为监察事项",
        "rating_add" => "提交评价",
        "rating_link" => "生成评价二维码",
        "registry_import" => "导入人口库/法人库数据",
        "registry_look_up" => "查询人口库/法人库",
        "registry_fetched" => "接口查询结果存入人口库/法人库",
        "commitment_unfulfilled" => "认定告知承诺未履行",
        "handover_pushed" => "审管推送",
        "handover_claimed" => "认领审管推送",
        "request_submitted" => "提交配置/维护需求",
        "request_accepted" => "受理配置/维护需求",
        "request_refused" => "答复配置/维护需求不予办理",
        "request_done" => "配置/维护需求办理完毕",
        "deletion_requested" => "申请删除记录",
        "deletion_withdrawn" => "撤回删除申请",
        "deletion_consented" => "部门负责人同意删除",
        "deletion_declined" => "部门负责人不同意删除",
        "deletion_performed" => "监察室执行删除",
        "deletion_rejected" => "监察室不予删除",
        "rights_requested" => "申请变更工作人员权限",
        "rights_withdrawn" => "撤回权限变更申请",
        "rights_approved" => "部门负责人同意权限变更",
        "rights_declined" => "部门负责人不同意权限变更",
        "rights_applied" => "管理员执行权限变更",
        "rights_rejected" => "管理员不予执行权限变更",
        "rights_emergency" => "系统管理员紧急变更权限",
        "correction_requested" => "申请误操作更正",
        "correction_withdrawn" => "撤回更正申请",
        "correction_consented" => "部门负责人同意更正",
        "correction_declined" => "部门负责人不同意更正",
        "correction_performed" => "政务服务中心执行更正",
        "correction_rejected" => "政务服务中心不予更正",
        "case_corrected" => "误操作更正（办件）",
        "conclusion_undone" => "办结结论更正的后续处理（证照作废、双公示无效、审管推送）",
        "qualification_recorded" => "登记上岗培训或考试",
        "qualification_reminded" => "提醒上岗资格即将到期",
        "certificate_expiry_reminded" => "提醒数字证书即将到期",
        "certificate_registered" => "登记数字证书",
        "certificate_reported" => "报告数字证书挂失、锁死或撤销",
        "certificate_crl_imported" => "导入证书签发机构的吊销列表（CRL）",
        "handover_sanction" => "登记监管处理决定（回流）",
        "credit_recorded" => "生成行政许可双公示记录",
        "credit_published" => "公示行政许可决定",
        "credit_invalidated" => "行政许可双公示记录转为无效",
        "fault_reported" => "报告平台故障",
        "fault_acknowledged" => "确认平台故障",
        "fault_cause" => "记录故障原因",
        "fault_cleared" => "排除平台故障",
        "fault_notice_printed" => "打印故障纸质书面通知",
        "fault_notice_sent" => "送达故障纸质书面通知",
        "fault_notice_due" => "提醒故障满24小时未排除",
        "backup_created" => "创建数据备份",
        "backup_restored" => "从备份恢复数据",
        "backup_failed" => "数据备份失败",
        "backup_pruned" => "删除超出保留份数的备份文件",
        "backup_drilled" => "备份恢复演练",
        "exchange_resend" => "更正并重新报送交换记录",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    // An event of an object: the object's name and what happened to it.
    for (prefix, noun, group) in [
        ("case_", "办件", ""),
        ("interaction_", "留言", "interaction_event"),
        ("finding_", "监察事项", "finding_event"),
        ("order_", "督办", "order_event"),
        ("rating_", "评价", "rating_event"),
    ] {
        if let Some(kind) = code.strip_prefix(prefix) {
            let what = if group.is_empty() { case_event_label(kind) } else { label(group, kind) };
            if what != kind {
                return format!("{noun}：{what}");
            }
        }
    }
    code.to_string()
}

/// The action codes the audit page offers as a filter, with their names, in
/// the order of the names; unknown codes last.
pub fn action_options(codes: &[String]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = codes.iter().map(|c| (c.clone(), action_label(c))).collect();
    v.sort_by(|a, b| ((a.0 == a.1), &a.1).cmp(&((b.0 == b.1), &b.1)));
    v
}

/// The role an audit record was written in: a staff role, a public account's
/// kind, or the system itself.
pub fn role_label(code: &str) -> String {
    match code {
        "operator" => "系统".to_string(),
        "person" | "company" => label("account_kind", code),
        _ => label("role", code),
    }
}

/// The Chinese name of a field in an audit record's detail.
pub fn field_label(key: &str) -> String {
    let s = match key {
        "event" => "事件",
        "type_code" => "证照类型代码",
        "name" => "名称",
        "item_ids" => "关联事项",
        "department_id" => "部门编号",
        "public_key" => "公钥",
        "installation" => "平台（单位）代码",
        "retired" => "停用的密钥",
        "identifier" => "电子证照标识",
        "material_id" => "材料记录编号",
        "material_no" => "材料序号",
        "material" => "申请材料",
        "key_id" => "签名密钥编号",
        "file_sm3" => "证照文件SM3",
        "check_character_valid" => "校验位正确",
        "check_mismatches" => "校验位不符（经确认导入）",
        "person_holders" => "自然人持证数",
        "status" => "状态",
        "successor" => "新版本",
        "active" => "启用",
        "type" => "事件类型",
        "seq" => "事件序号",
        "from" => "原状态",
        "to" => "新状态",
        "before" => "修改前",
        "after" => "修改后",
        "actor_id" => "操作人编号",
        "at_ms" => "时间",
        "role" => "角色",
        "agree" => "同意",
        "approved" => "批准",
        "answering_department_id" => "答复部门",
        "by_rule" => "按规则统计",
        "channel" => "渠道",
        "count" => "数量",
        "row" => "行号",
        "created" => "新建数量",
        "days" => "天数（工作日）",
        "document_no" => "文书编号",
        "first" => "首个编号",
        "last" => "末个编号",
        "handlers" => "办理人数",
        "impl_code" => "实施编码",
        "item_id" => "事项",
        "version_id" => "事项版本",
        "from_version" => "原版本",
        "materials" => "材料数",
        "method" => "送达方式",
        "mfa_pending" => "待验证动态口令",
        "missing" => "需补正的内容",
        "opinion" => "意见",
        "other_live_sessions" => "其他在线会话",
        "other_sessions_ended" => "结束的其他会话",
        "outcome" => "办结结果",
        "decision" => "决定",
        "regulator_department_id" => "监管部门",
        "claim_due" => "认领期限",
        "handover_id" => "审管推送记录",
        "sanction" => "处理类型",
        "publish_due" => "公示期限",
        "change" => "证照状态变化",
        "invalid_on" => "无效日期",
        "category" => "许可类别",
        "late" => "逾期公示",
        "notified" => "通知人数",
        "overdue" => "逾期",
        "lookup" => "查询结果",
        "records" => "记录数",
        "format" => "文件格式",
        "persons" => "自然人（新增、替换、未变）",
        "companies" => "法人（新增、替换、未变）",
        "period" => "考核期",
        "ranked" => "参与排名部门数",
        "result" => "结果",
        "step" => "环节",
        "to_user" => "转交给",
        "tracking_no" => "快递单号",
        "valid_until" => "有效期至",
        "years" => "年份",
        "attempts" => "已尝试次数",
        "case_id" => "办件",
        "table" => "国家表",
        "version" => "版本",
        "new_row" => "新版本记录编号",
        "column" => "更正字段",
        "value" => "更正后的值",
        "sub" => "子记录序号",
        "cause" => "原因",
        "changed" => "修改内容",
        "copies" => "份数",
        "detail" => "详情",
        "due" => "期限",
        "enabled" => "启用",
        "scope" => "影响范围",
        "function" => "功能",
        "since" => "故障开始时间",
        "lasted_hours" => "持续小时数",
        "departments" => "通知部门数",
        "files" => "文件",
        "finding_id" | "finding_no" => "监察事项",
        "handler_id" => "办理人",
        "last_error" => "最近错误",
        "locked_until" => "锁定至",
        "no" => "编号",
        "order_no" => "督办编号",
        "original" => "原件",
        "params" => "参数",
        "rating_id" => "评价",
        "responsible_user_id" => "责任人",
        "second_factor" => "第二因素",
        "stage" => "评价阶段",
        "unlocked" => "已解锁",
        "user_id" => "账号",
        "config" => "考核办法",
        "holidays" => "法定节假日",
        "makeup_days" | "workdays" => "调休上班日",
        "year" => "年份",
        "state" => "状态",
        "outcome_text" => "结论",
        "sm3" => "文件摘要（SM3）",
        "moved" => "调整期限的事项数",
        "notices" => "通知",
        "follow_up" => "差评整改",
        "interaction" => "政民互动",
        "finding" => "监察发现",
        "order" => "督办单",
        "path" => "备份文件",
        "size" => "大小（字节）",
        "encrypted" => "已加密",
        "schema_version" => "数据库结构版本",
        "rows" => "数据行数",
        "package_seq" => "离线包序号",
        "range_from" => "起始记录（不含）",
        "range_to" => "截止记录",
        "rows_new" => "新增记录数",
        "next_from" => "已导入至记录",
        "replaced" => "原公钥",
        "audit_seq" => "审计链末条序号",
        "source" => "来源数据库",
        "backup_created_at" => "备份时间",
        "passed" => "演练通过",
        "millis" => "用时（毫秒）",
        "data_age_ms" => "恢复数据的时效（毫秒）",
        "audit_checked" => "核验审计记录数",
        "keep" => "保留份数",
        "request" => "依据的配置/维护需求",
        "request_kind" => "需求类型",
        "request_state" => "需求状态",
        "record_kind" => "删除的记录类型",
        "record_id" => "删除的记录编号",
        "record" => "删除的记录",
        "deletion_state" => "删除申请状态",
        "rights_request" => "依据的权限变更申请",
        "rights_state" => "权限变更申请状态",
        "emergency" => "紧急变更",
        "users" => "涉及的工作人员",
        "correction_state" => "更正申请状态",
        "correction_kind" => "更正类型",
        "event_seq" => "更正的办理记录编号",
        "corrective_seq" => "更正记录编号",
        "archived_rows" => "存档的数据行数",
        "necessity" => "必要性分析",
        "feasibility" => "可行性分析",
        "reply" => "答复书",
        "changes" => "依需求所作变更数",
        "qualification_id" => "培训或考试记录编号",
        "qualification_kind" => "培训或考试",
        "qualification_result" => "结果",
        "held_on" => "培训或考试日期",
        "score" => "考试成绩",
        "recorded_as" => "登记人岗位",
        "error" => "错误",
        _ => {
            let f = super::field_name(key);
            return if f == "字段" { key.to_string() } else { f.to_string() };
        }
    };
    s.to_string()
}

/// A coded value of a field, in Chinese where the code has a name.
pub fn value_label(key: &str, code: &str) -> String {
    let group = match key {
        "role" | "roles" => "role",
        "from" | "to" => "version_state",
        "level" => "level",
        "channel" => "channel",
        "outcome" => "outcome",
        "kind" => "account_kind",
        "request_kind" => "request_kind",
        "request_state" => "request_state",
        "record_kind" => "deletion_record_kind",
        "deletion_state" => "deletion_state",
        "rights_state" => "rights_state",
        "correction_state" => "correction_state",
        "correction_kind" => "correction_kind",
        "qualification_kind" => "qualification_kind",
        "qualification_result" => "qualification_result",
        "recorded_as" => "role",
        "stage" => "rating_stage",
        "state" => "case_state",
        "type" => return case_event_label(code),
        "sanction" => {
            let kind = zwfw_domain::handover::SanctionKind::parse(code);
            return kind.map_or_else(|| code.to_string(), |k| k.label().to_string());
        }
        "lookup" => {
            let s = match code {
                "found" => "查到",
                "not_found" => "未查到",
                "failed" => "查询失败",
                _ => code,
            };
            return s.to_string();
        }
        "cause" => {
            let s = match code {
                "wrong_password" => "密码错误",
                "unknown_user" => "用户名不存在",
                "locked" => "账号已锁定",
                "disabled" => "账号已停用",
                "totp" => "动态口令错误",
                _ => code,
            };
            return s.to_string();
        }
        _ => return code.to_string(),
    };
    label(group, code)
}
