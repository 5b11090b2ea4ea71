//! The texts of the 人口库 / 法人库 (registry) area.

/// Chinese text for a registry error code and its detail, if the code is one of the area's.
pub fn registry_text(code: &str, detail: Option<&str>) -> Option<String> {
    let t = match (code, detail) {
        ("registry_field", Some("required")) => "必须填写",
        ("registry_field", Some("too_long")) => "内容过长（姓名、名称不超过100字，法定代表人不超过30字，住址不超过200字）",
        ("registry_field", Some("status")) => "登记状态应为 存续、注销、吊销、迁出、停业 之一",
        ("registry_field", _) => "填写不正确",
        ("registry_duplicate", Some(row)) => return Some(format!("号码与第{row}行重复：同一文件中每个号码只能出现一次")),
        ("registry_duplicate", None) => "号码在文件中重复出现",
        ("registry_no_columns", _) => {
            "未找到可识别的表头：自然人须有“姓名”“公民身份号码”列，法人须有“名称”“统一社会信用代码”“法定代表人”“登记状态”列"
        }
        ("registry_unreadable", Some("xlsx")) => "无法读取该Excel文件，请确认是.xlsx格式",
        ("registry_unreadable", Some("encoding")) => "无法识别CSV文件的编码，请保存为UTF-8或GBK编码",
        ("registry_unreadable", _) => "无法读取该JSON文件：应为 {\"persons\": [...], \"companies\": [...]} 格式",
        ("registry_empty", _) => "文件中没有任何记录",
        ("registry_format", _) => "仅支持 xlsx、CSV、JSON 格式的文件",
        ("registry_mismatch", Some("company")) => {
            "单位名称与法人库登记的信息不一致，请核对单位名称和统一社会信用代码（以营业执照为准）"
        }
        ("registry_mismatch", _) => "姓名与人口库登记的信息不一致，请核对姓名和公民身份号码（以居民身份证为准）",
        ("registry_not_operating", Some(s)) => {
            let label = zwfw_domain::registry::CompanyStatus::parse(s).map(|s| s.label()).unwrap_or("非存续");
            return Some(format!("该单位在法人库中的登记状态为“{label}”，不能以该单位名义注册或申请"));
        }
        ("registry_not_operating", None) => "该单位在法人库中不是存续状态",
        ("registry_lookup_failed", Some("timeout")) => "人口库/法人库查询接口未在规定时间内答复，请稍后再试",
        ("registry_lookup_failed", Some("unreachable")) => "无法连接人口库/法人库查询接口，请稍后再试或联系系统管理员",
        ("registry_lookup_failed", Some("status")) => "人口库/法人库查询接口返回错误，请联系系统管理员",
        ("registry_lookup_failed", _) => "人口库/法人库查询接口的答复不符合约定格式，请联系系统管理员",
        ("registry_not_found", _) => "人口库/法人库中没有该号码的记录",
        ("registry_not_accepted", Some(name)) => {
            return Some(format!("「{name}」不能用人口库/法人库信息核验单代替，请上传材料"))
        }
        ("registry_not_accepted", None) => "该申请材料不能用人口库/法人库信息核验单代替，请上传材料",
        ("registry_import_rejected", Some(n)) => {
            return Some(format!("导入未执行：发现{n}处错误，请修改后重新导入（文件中的记录均未保存）"))
        }
        ("registry_import_rejected", None) => "导入未执行，文件中的记录均未保存",
        _ => return None,
    };
    Some(t.to_string())
}
