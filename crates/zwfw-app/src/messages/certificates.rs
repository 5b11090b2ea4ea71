//! The texts of staff certificates (数字证书).

/// Chinese text for a certificate error code and its detail, if the code is one of the area's.
pub fn certificates_text(code: &str, detail: Option<&str>) -> Option<String> {
    let t = match (code, detail) {
        ("certificate_unreadable", _) => {
            "无法读取证书：请上传X.509格式的数字证书文件（PEM或DER，扩展名通常为.cer、.crt或.pem）"
        }
        ("certificate_not_sm2", _) => "该证书的公钥不是SM2密钥：只能登记国密SM2数字证书",
        ("certificate_other_person", Some(cn)) if !cn.is_empty() => {
            return Some(format!("该证书属于“{cn}”，与该工作人员的姓名不符：只能登记本人的数字证书"));
        }
        ("certificate_other_person", _) => "该证书的主体名称（CN）与该工作人员的姓名不符：只能登记本人的数字证书",
        ("certificate_expired", _) => "该证书已过有效期，不能登记：请向证书签发机构申请更新证书",
        ("certificate_not_yet_valid", _) => "该证书尚未生效（未到有效期起始日），不能登记",
        ("certificate_not_from_ca", _) => "该证书不是由本平台认可的证书签发机构（CA）签发的，不能登记",
        ("certificate_registered", _) => "该证书已经登记过，不能重复登记",
        ("certificate_already_held", _) => {
            "该工作人员已有一张可用的数字证书（一人一证）：须先挂失、锁死或撤销原证书，再登记补办的新证书"
        }
        ("certificate_replaces_other", _) => "补办的新证书只能替换同一工作人员的原证书",
        ("certificate_replaces_usable", _) => {
            "补办只能替换已报告挂失、锁定、吊销或已过期的证书；仍在使用的证书请先报告"
        }
        ("certificate_reported", _) => "该证书已经挂失、锁死或撤销，不能再次报告",
        ("bad_certificate_report", _) => "请选择报告类型：挂失、锁死或撤销",
        ("no_certificate", _) => "您没有可用的数字证书：请使用动态口令验证，或联系政务服务中心登记证书",
        ("second_factor_not_pending", _) => "本次登录无需（或已完成）第二步验证，不必再次签名",
        ("challenge_unknown", _) => "登录验证码无效：请刷新页面，重新获取后再签名",
        ("challenge_used", _) => "该登录验证码已经使用过，不能重复使用：请刷新页面，重新获取后再签名",
        ("challenge_expired", _) => "登录验证码已过期（有效期2分钟）：请刷新页面，重新获取后再签名",
        ("invalid_certificate_signature", _) => "证书签名验证失败：签名不是由您登记的数字证书对本次验证码作出的",
        ("certificate_unusable", Some("expired")) => "您的数字证书已过有效期，不能用于登录：请联系政务服务中心补办",
        ("certificate_unusable", Some("lost")) => "您的数字证书已挂失，不能用于登录：请联系政务服务中心补办",
        ("certificate_unusable", Some("locked")) => "您的数字证书已报告锁死，不能用于登录：请联系政务服务中心补办",
        ("certificate_unusable", Some("revoked")) => "您的数字证书已撤销，不能用于登录：请联系政务服务中心补办",
        ("certificate_unusable", Some("ca_revoked")) => {
            "您的数字证书已被证书签发机构吊销（列入其吊销列表），不能用于登录：请联系政务服务中心补办"
        }
        ("certificate_unusable", _) => "您的数字证书当前不能用于登录",
        ("certificate_revoked_by_ca", _) => "该证书已列入证书签发机构的吊销列表（CRL），不能登记",
        ("crl_no_ca", _) => "未配置证书签发机构（[certificates] ca_file）：无法验证吊销列表的签名，不能导入",
        ("crl_unreadable", _) => "无法读取吊销列表：请提供X.509证书吊销列表（CRL，PEM或DER）",
        ("crl_not_from_ca", _) => {
            "该吊销列表不是由本平台配置的证书签发机构（CA）以SM2签名签发的，不能导入，未作任何改动"
        }
        ("crl_older", _) => {
            "该吊销列表不比平台已有的吊销列表新（生成时间thisUpdate更早或相同），不能导入，未作任何改动"
        }
        ("missing_role", Some("certificate")) => "数字证书由政务服务中心管理员或系统管理员登记",
        ("not_in_department", Some("certificate")) => {
            "您只能报告本人或本部门工作人员的证书；其他工作人员的证书由本人、其部门管理员或政务服务中心报告"
        }
        ("role_grant_forbidden", Some("certificate")) => {
            "不能为权限高于您的账号登记或挂失数字证书（系统管理员的证书由系统管理员登记）"
        }
        ("own_account", Some("certificate")) => {
            "不能为本人登记数字证书，请由另一位有权限的管理员登记（系统管理员的证书由另一位系统管理员登记）"
        }
        ("staff_only", Some("certificate")) => "数字证书只供工作人员使用",
        _ => return None,
    };
    Some(t.to_string())
}
