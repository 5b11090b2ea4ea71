//! The texts of the import of existing licences (存量证照导入).

/// Chinese text for an import code and its detail, if the code is one of the import's.
pub fn license_import_text(code: &str, detail: Option<&str>) -> Option<String> {
    let t = match (code, detail) {
        ("license_import_field", Some("required")) => "必须填写",
        ("license_import_field", Some("too_long")) => "内容过长，超过交换表该列的长度",
        ("license_import_field", Some("characters")) => "含有不允许的控制字符",
        ("license_import_field", Some("date")) => "日期格式不正确，应为 yyyyMMdd、yyyy-MM-dd 或 yyyy/MM/dd 的有效日期",
        ("license_import_field", Some("type_code_differs")) => "与电子证照标识中的证照类型代码不一致",
        ("license_import_field", Some("issuer_differs")) => "与电子证照标识中的颁发机构代码不一致",
        ("license_import_field", Some("validity_order")) => "有效期截止日早于有效期起始日",
        ("license_import_field", Some("holder_type")) => {
            "持证主体代码类型应为 111（公民身份号码）或 001（统一社会信用代码），也可不填"
        }
        ("license_import_field", _) => "填写不正确",
        ("license_check_mismatch", Some(d)) => {
            let (expected, written) = d.split_once('/').unwrap_or((d, ""));
            return Some(format!(
                "校验位按 ISO 7064 MOD 37,36 应为“{expected}”，文件中为“{written}”（部分已部署系统计算有误）；\
                 确认导入后按文件中的标识保存，核验时注明校验位不符"
            ));
        }
        ("license_check_mismatch", None) => "校验位与按 ISO 7064 MOD 37,36 计算的结果不符",
        ("license_import_duplicate", Some(row)) => {
            return Some(format!("电子证照与第{row}行重复：同一证照（类型、颁发机构、流水号、版本号相同）只能出现一次"))
        }
        ("license_import_duplicate", None) => "电子证照在文件中重复出现",
        ("license_import_exists", _) => "系统中已有该电子证照（类型、颁发机构、流水号、版本号相同），不能重复导入",
        ("license_import_unknown_type", _) => "证照目录中没有该证照类型代码，请先在“证照目录”中建立该证照类型",
        ("license_import_unknown_issuer", _) => "没有统一社会信用代码为该值的部门，请核对颁发机构代码",
        ("license_import_no_key", _) => "该颁发机构尚无签名密钥，导入的证照须由其密钥签名，请先生成密钥",
        ("license_import_holder_kind", Some(kind)) => {
            return Some(format!(
                "该证照类型的持证主体为{}，与持证主体代码的类型不符",
                crate::messages::label("holder_kind", kind)
            ))
        }
        ("license_import_holder_kind", None) => "持证主体代码的类型与证照类型的持证主体类别不符",
        ("license_import_no_columns", _) => {
            "未找到可识别的表头：须有 up_lic_data 的列（certificate_source_id 电子证照源标识、certificate_name 证照名称等）"
        }
        ("license_import_unreadable", Some("xlsx")) => "无法读取该Excel文件，请确认是.xlsx格式",
        ("license_import_unreadable", Some("encoding")) => "无法识别CSV文件的编码，请保存为UTF-8或GBK编码",
        ("license_import_unreadable", _) => {
            "无法读取该JSON文件：应为记录的数组，或 {\"up_lic_data\": [...]}，每条记录以 up_lic_data 的列名为键"
        }
        ("license_import_empty", _) => "文件中没有任何证照记录",
        ("license_import_format", _) => "仅支持 xlsx、CSV、JSON 格式的文件",
        ("license_import_rejected", Some(n)) => {
            return Some(format!("导入未执行：发现{n}处错误，请修改后重新导入（文件中的证照均未保存）"))
        }
        ("license_import_rejected", None) => "导入未执行，文件中的证照均未保存",
        ("license_import_unconfirmed", Some(n)) => {
            return Some(format!(
                "有{n}条证照的校验位与计算结果不符。请核对提示后确认导入；确认只对本文件（按其SM3）有效，文件有任何改动须重新预览"
            ))
        }
        ("license_import_unconfirmed", None) => "有证照的校验位与计算结果不符，须确认后才能导入",
        _ => return None,
    };
    Some(t.to_string())
}
