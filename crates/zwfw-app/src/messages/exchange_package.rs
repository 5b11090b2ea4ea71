//! The texts of the offline packages (离线包) of the exchange.

/// Chinese text for an offline package's error code and its detail, if the
/// code is one of theirs.
pub fn exchange_package_text(code: &str, detail: Option<&str>) -> Option<String> {
    let d = detail.unwrap_or_default();
    let parts: Vec<&str> = d.split(':').collect();
    let t = match (code, detail) {
        ("package_malformed", Some("not_text")) => "该文件不是数据交换离线包（不是文本文件或为空）".to_string(),
        ("package_malformed", Some("manifest")) => "该文件不是数据交换离线包：第一行不是离线包清单".to_string(),
        ("package_malformed", Some("truncated")) => {
            "离线包不完整：文件末尾没有签名行，可能在复制或传输中被截断，请重新拷贝原文件".to_string()
        }
        ("package_malformed", Some(why)) => format!("离线包中有不符合国家交换表的记录（{why}），不能导入"),
        ("package_malformed", None) => "该文件不是完整的数据交换离线包".to_string(),
        ("package_from_self", _) => format!("该离线包是本单位（{d}）自己导出的，不能导入本单位"),
        ("package_unknown_installation", _) => {
            format!("报送单位“{d}”尚未登记：请先在“离线包”页登记该单位的代码和离线包签名公钥，再导入")
        }
        ("package_wrong_key", _) => format!(
            "离线包不是用为“{d}”登记的公钥对应的密钥签名的：请向报送单位核实其离线包签名公钥，必要时更换登记的公钥"
        ),
        ("package_tampered", _) => "离线包签名校验未通过：文件在签名后被改动过，不能导入，请向报送单位索取原文件".to_string(),
        ("package_already_imported", _) if parts.len() >= 2 => {
            format!("该离线包（第 {} 号）已于 {} 导入，本次未作任何更改", parts[0], parts[1..].join(":"))
        }
        ("package_already_imported", _) => "该离线包已导入过，本次未作任何更改".to_string(),
        ("package_replayed", _) if parts.len() == 3 => format!(
            "第 {} 号离线包（记录至第 {} 条）早于已导入的数据（已导入至第 {} 条），是已导入过的旧包，不能再次导入",
            parts[0], parts[1], parts[2]
        ),
        ("package_replayed", _) => "该离线包早于已导入的数据，是已导入过的旧包，不能再次导入".to_string(),
        ("package_gap", _) if parts.len() == 2 => format!(
            "离线包不连续：该单位的数据已导入至第 {} 条，本包从第 {} 条之后开始，中间的离线包尚未导入。请先导入缺少的离线包，或请报送单位从第 {} 条之后重新导出",
            parts[0], parts[1], parts[0]
        ),
        ("package_gap", _) => "离线包不连续：中间的离线包尚未导入".to_string(),
        ("package_conflict", _) => "同一单位的另一个离线包正在导入，请稍后重试".to_string(),
        ("package_installation_unset", _) => {
            "导出离线包前，须在配置文件 [exchange.codes] guid_prefix（或 ZWFW_EXCHANGE_GUID_PREFIX）中设置本单位的行政区划代码".to_string()
        }
        ("package_key_missing", _) => "本单位尚未生成离线包签名密钥：请先生成密钥，并把公钥交给接收单位登记".to_string(),
        ("package_key_exists", _) => "本单位已有离线包签名密钥；更换密钥后，接收单位须重新登记新的公钥".to_string(),
        ("package_empty", _) => format!("第 {d} 条之后没有待导出的交换数据"),
        ("package_export_conflict", _) => "导出过程中交换数据被其他操作占用，请重试".to_string(),
        ("package_file_missing", _) => "请选择要导入的离线包文件".to_string(),
        ("installation_code_invalid", _) => "单位代码应为 1 至 10 位字母、数字或下划线（通常为行政区划代码）".to_string(),
        ("installation_is_self", _) => format!("“{d}”是本单位自己的代码，不能登记为报送单位"),
        ("installation_name_invalid", _) => "请填写单位名称（不超过 100 个字）".to_string(),
        ("installation_key_invalid", Some("signer_id")) => "签名者标识应为不超过 64 个字符的 ASCII 文本".to_string(),
        ("installation_key_invalid", Some("next_from")) => "起始记录号不能为负数".to_string(),
        ("installation_key_invalid", _) => "公钥不正确：应为十六进制的 SM2 公钥（04 开头的 130 位，或压缩格式 66 位）".to_string(),
        ("installation_exists", _) => format!("单位“{d}”已登记；如需更换其公钥，请勾选“更换已登记单位的公钥”"),
        _ => return None,
    };
    Some(t)
}
