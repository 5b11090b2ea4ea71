//! The notices a step of a case sends: to the applicant (补正, 受理, 不予受理,
//! 延期, 特别程序, 办结, 送达, 撤回) and to the department heads who must
//! decide (延长审批, 撤回申请). Each names the 事项 and the 办件编号; the
//! link to the case travels beside the text.

use zwfw_domain::cases::{EventKind, Outcome};
use zwfw_domain::governance::correction::CorrectionKind;

/// What a notice of a case says about it.
pub struct NoticeFacts<'a> {
    pub item_name: &'a str,
    pub case_no: &'a str,
    /// The applicant's name as the application gives it (never a staff name).
    pub applicant_name: &'a str,
    /// Who took the step (for notices to staff only).
    pub actor_name: &'a str,
    /// The day a supplement is asked by (YYYY-MM-DD), for a supplement notice.
    pub supplement_due: Option<&'a str>,
    /// The promised and the legal deadline after the step (YYYY-MM-DD).
    pub promised_due: Option<&'a str>,
    pub legal_due: Option<&'a str>,
    /// The working days of the extension an approval grants.
    pub extension_days: Option<u32>,
}

/// A day stored as YYYY-MM-DD, as a notice writes it: 2026年12月5日.
pub fn day_cn(day: &str) -> String {
    match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => d.format("%Y年%-m月%-d日").to_string(),
        Err(_) => day.to_string(),
    }
}

/// A free text set into a sentence: trimmed, its closing punctuation
/// dropped (the sentence supplies its own), so that "理由。" never reads "。，".
pub fn clause(text: &str) -> String {
    text.trim().trim_end_matches(['。', '，', '；', '、', '.', ',', ';', '！', '!', ' ']).to_string()
}

/// The notice to the applicant of event `kind`: (title, body), or None when
/// the step tells the applicant nothing.
pub fn applicant_notice(kind: &EventKind, f: &NoticeFacts<'_>) -> Option<(String, String)> {
    let (item, no) = (f.item_name, f.case_no);
    let dear = format!("{}：您申请的“{item}”（办件编号 {no}）", f.applicant_name);
    let day = |d: Option<&str>| d.map(day_cn).unwrap_or_else(|| "（待定）".into());
    let appeal = "如不服，可以自收到之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。";
    Some(match kind {
        EventKind::SupplementRequested { missing } => {
            let list: Vec<String> = missing.iter().enumerate().map(|(i, m)| format!("{}. {}", i + 1, clause(m))).collect();
            (
                format!("请补正材料：{item}"),
                format!(
                    "{dear}材料不齐全或者不符合法定形式，现一次性告知需要补正的全部内容：{}。请于{}前在办件页面补正后重新提交，本机关自收到全部补正材料之日起受理。",
                    list.join("；"),
                    day(f.supplement_due)
                ),
            )
        }
        EventKind::Accepted | EventKind::DeemedAccepted => (
            format!("已受理：{item}"),
            format!(
                "{dear}已受理，承诺于{}前办结（法定期限至{}）。",
                day(f.promised_due),
                day(f.legal_due)
            ),
        ),
        EventKind::Refused { reason } => (
            format!("不予受理：{item}"),
            format!("{dear}经审查，决定不予受理。理由：{}。{appeal}", clause(reason)),
        ),
        EventKind::ExtensionDecided { approved: true, .. } => (
            format!("办理期限延长：{item}"),
            format!(
                "{dear}不能在规定期限内作出决定，经本机关负责人批准，根据《中华人民共和国行政许可法》第四十二条，办理期限延长{}个工作日，延长后的办结期限为{}。",
                f.extension_days.unwrap_or(10),
                day(f.legal_due)
            ),
        ),
        EventKind::SpecialStarted { kind: sk, reason } => (
            format!("进入特别程序：{item}"),
            format!(
                "{dear}因需要{}，已启动特别程序，所需时间不计算在办理期限内。依据与理由：{}。特别程序结束后将继续办理并另行告知。",
                clause(sk),
                clause(reason)
            ),
        ),
        EventKind::SpecialEnded { result } => (
            format!("特别程序结束：{item}"),
            format!(
                "{dear}特别程序已结束，结果：{}。办理期限恢复计算，承诺办结日为{}。",
                clause(result),
                day(f.promised_due)
            ),
        ),
        EventKind::Concluded { outcome, reason, document_no, valid_until, .. } => match outcome {
            Outcome::Granted => {
                let until = valid_until.map(|d| format!("，有效期至{}", d.format("%Y年%-m月%-d日"))).unwrap_or_default();
                (
                    format!("已办结（准予许可）：{item}"),
                    format!(
                        "{dear}已办结，决定准予许可，证照（批准文件）编号 {}{until}。决定书可在办件页面下载，结果按您选择的方式送达。",
                        clause(document_no)
                    ),
                )
            }
            Outcome::Denied => (
                format!("已办结（不予许可）：{item}"),
                format!("{dear}已办结，决定不予许可。理由：{}。{appeal}", clause(reason)),
            ),
            Outcome::Returned => (
                format!("已退件：{item}"),
                format!("{dear}已退件。理由：{}。如需办理，请按要求重新申请。", clause(reason)),
            ),
            Outcome::Voided => (format!("已作废：{item}"), format!("{dear}已作废。理由：{}。", clause(reason))),
            Outcome::Forwarded => (
                format!("已转报上级机关：{item}"),
                format!("{dear}已转报上级机关办理。说明：{}。", clause(reason)),
            ),
        },
        EventKind::Delivered { method, tracking_no } => {
            let track = if tracking_no.trim().is_empty() { String::new() } else { format!("，单号 {}", tracking_no.trim()) };
            (
                format!("办理结果已送达：{item}"),
                format!("{dear}的办理结果（证照、决定书）已送达，方式：{}{track}。", clause(method)),
            )
        }
        EventKind::Withdrawn { reason } => (
            format!("申请已撤回：{item}"),
            format!("{dear}已撤回。说明：{}。", clause(reason)),
        ),
        EventKind::WithdrawalDeclined { opinion } => (
            format!("撤回申请未获同意：{item}"),
            format!("{dear}的撤回申请未获同意，将继续办理。意见：{}。", clause(opinion)),
        ),
        EventKind::Corrected { what: CorrectionKind::Conclusion, .. } => (
            format!("办理结论已更正：{item}"),
            format!(
                "{dear}此前作出的办理结论系误操作，尚未送达，经审核已予更正，原结论及据此制作的文书、证照不再有效。办件回到待决定，本机关将重新作出决定并通知您。如有疑问，请与办理部门联系。"
            ),
        ),
        EventKind::Corrected { applicant: Some(c), .. } => (
            format!("申请人信息已更正：{item}"),
            format!(
                "{dear}所登记的申请人信息有误，经审核已更正{}，此后的通知和办理结果以更正后的信息为准。如有疑问，请与办理部门联系。",
                super::corrections::applicant_fields_text(&c.before.changed(&c.after))
            ),
        ),
        _ => return None,
    })
}

/// The notice to the department heads who must decide what event `kind`
/// asks (see `access::cases::heads_to_decide`): (title, body).
pub fn head_notice(kind: &EventKind, f: &NoticeFacts<'_>) -> Option<(String, String)> {
    let (item, no, who) = (f.item_name, f.case_no, f.actor_name);
    Some(match kind {
        EventKind::ExtensionRequested { days, reason } => (
            format!("待您审批：延长审批 {no}"),
            format!(
                "{who}申请将“{item}”（办件编号 {no}）的办理期限延长{days}个工作日。理由：{}。请在办件页面决定是否批准。",
                clause(reason)
            ),
        ),
        EventKind::Corrected { what: CorrectionKind::Conclusion, event, reason, .. } => (
            format!("待您决定：办结结论已更正 {no}"),
            format!(
                "“{item}”（办件编号 {no}）第{event}号记录（办结）系误操作，经审核同意（部门负责人，或代为审核的人员）、政务服务中心执行已更正，办件回到待决定，请重新作出决定。理由：{}。",
                clause(reason)
            ),
        ),
        EventKind::WithdrawalRequested { reason } => (
            format!("待您决定：撤回申请 {no}"),
            format!(
                "{who}登记了申请人撤回“{item}”（办件编号 {no}）的书面申请：{}。请在办件页面决定。",
                clause(reason)
            ),
        ),
        _ => return None,
    })
}

/// The notice (title, body) to a licence's holder of a change of it: 换发,
/// 变更 (with the new version), 注销, 吊销 (with the decision number) or
/// 过期. `note` is the reason or the decision number.
pub fn license_change_notice(
    name: &str,
    identifier: &str,
    change: zwfw_domain::licenses::LicenseChange,
    note: &str,
    successor: Option<&str>,
) -> (String, String) {
    use zwfw_domain::licenses::LicenseChange as C;
    let what = super::label("license_change", change.code());
    let head = format!("您的电子证照“{name}”（电子证照标识 {identifier}）");
    let body = match change {
        C::Reissued | C::Amended => format!(
            "{head}已{what}，原版本已失效，新版本的电子证照标识为 {}。原因：{note}。请在“我的证照”中查看或下载新版本。",
            successor.unwrap_or("（见我的证照）")
        ),
        C::Cancelled => format!("{head}已按申请注销，不能再使用。原因：{note}。"),
        C::Revoked => format!(
            "{head}已被颁发机构依法吊销，不能再使用。吊销决定书文号：{note}。如不服，可以自收到之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"
        ),
        C::Expired => format!("{head}有效期已届满，已过期，不能再使用。如需继续使用，请重新申请办理。"),
        C::Voided => format!(
            "{head}系依据有误的办理结论生成，该结论在送达前已按误操作更正，证照已作废，不能使用。说明：{note}。"
        ),
        C::Issued | C::Imported => format!("{head}已{what}。"),
    };
    (format!("电子证照{what}：{name}"), body)
}

/// What a regulator decided about a licensee, as the notice to them tells it.
pub struct SanctionFacts<'a> {
    pub kind: zwfw_domain::handover::SanctionKind,
    /// The regulator that decided.
    pub regulator: &'a str,
    /// The approval the record was pushed on (事项).
    pub item_name: &'a str,
    pub decision_no: &'a str,
    /// YYYY-MM-DD
    pub decided_on: &'a str,
    /// 限制准入: the first and last day, and the items concerned.
    pub period: Option<(&'a str, &'a str)>,
    pub items: &'a [String],
}

/// The notice (title, body) to the licensee of a 行政处罚, 责令改正 or 限制准入
/// a regulator recorded on them (a 吊销 is told as the licence's change).
/// Short enough for an SMS: the decision's number and date, not its reasons.
pub fn sanction_notice(f: &SanctionFacts<'_>) -> (String, String) {
    use zwfw_domain::handover::SanctionKind as K;
    let what = f.kind.label();
    let head = format!(
        "{}对您作出{what}决定（决定书文号 {}，决定日期 {}，涉及事项“{}”）",
        f.regulator, f.decision_no, f.decided_on, f.item_name
    );
    let remedy = "如不服，可以自收到决定书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。";
    let body = match (f.kind, f.period) {
        (K::Restrict, Some((from, until))) => {
            let names = match f.items.len() {
                0..=3 => f.items.join("、"),
                n => format!("{}等{n}项", f.items[..3].join("、")),
            };
            format!("{head}：{from}至{until}期间，您申请“{names}”时，受理部门将依法审查该限制。{remedy}")
        }
        (K::Rectify, _) => format!("{head}，请按决定书的要求和期限改正。{remedy}"),
        _ => format!("{head}，请按决定书履行。{remedy}"),
    };
    (format!("{what}决定：{}", f.item_name), body)
}

/// The notice (title, body) to the heads of a department whose items a
/// regulator's 限制准入 names (so that the department knows before its
/// counter meets the applicant): who decided, on whom (`holder` as shown to
/// staff: a person's name masked), the period and the department's items.
pub fn restriction_department_notice(
    regulator: &str,
    holder: &str,
    decision_no: &str,
    (from, until): (&str, &str),
    items: &[String],
) -> (String, String) {
    let names = items.join("、");
    let body = format!(
        "{regulator}对“{holder}”作出限制准入决定（决定书文号 {decision_no}），{from}至{until}期间涉及本部门的事项“{names}”。\
         该申请人在此期间申请上述事项时，受理页面将提示该限制，请依法审查。"
    );
    (format!("限制准入涉及本部门事项：{holder}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_is_told_which_of_its_items_a_restriction_names() {
        let items = vec!["食品经营许可".to_string(), "食品生产许可".to_string()];
        let (title, body) = restriction_department_notice(
            "示例市市场监督管理局",
            "张*",
            "示市监限〔2026〕3号",
            ("2026-12-01", "2027-11-30"),
            &items,
        );
        assert_eq!(title, "限制准入涉及本部门事项：张*");
        assert!(body.contains("2026-12-01至2027-11-30") && body.contains("食品经营许可、食品生产许可"), "{body}");
    }

    #[test]
    fn a_restriction_notice_names_its_period_and_at_most_three_items() {
        let items: Vec<String> = ["甲", "乙", "丙", "丁"].iter().map(|s| s.to_string()).collect();
        let f = SanctionFacts {
            kind: zwfw_domain::handover::SanctionKind::Restrict,
            regulator: "示例市自然资源局",
            item_name: "食品经营许可",
            decision_no: "示自然限〔2025〕1号",
            decided_on: "2025-09-26",
            period: Some(("2025-09-26", "2026-09-25")),
            items: &items,
        };
        let (title, body) = sanction_notice(&f);
        assert_eq!(title, "限制准入决定：食品经营许可");
        assert!(body.contains("2025-09-26至2026-09-25") && body.contains("甲、乙、丙等4项"), "{body}");
        assert!(body.contains("示自然限〔2025〕1号") && body.contains("行政复议"), "{body}");
        let p = SanctionFacts { kind: zwfw_domain::handover::SanctionKind::Penalty, period: None, ..f };
        assert_eq!(sanction_notice(&p).0, "行政处罚决定：食品经营许可");
    }

    fn facts() -> NoticeFacts<'static> {
        NoticeFacts {
            item_name: "食品经营许可",
            case_no: "SP2026001",
            applicant_name: "张三",
            actor_name: "李审批",
            supplement_due: Some("2026-12-31"),
            promised_due: Some("2026-12-20"),
            legal_due: Some("2027-01-08"),
            extension_days: Some(10),
        }
    }

    #[test]
    fn the_extension_notice_names_the_new_deadline_without_doubled_punctuation() {
        let k = EventKind::ExtensionDecided { approved: true, opinion: "同意。".into() };
        let (title, body) = applicant_notice(&k, &facts()).unwrap();
        assert!(title.contains("食品经营许可"));
        assert!(body.contains("2027年1月8日") && body.contains("10个工作日") && body.contains("SP2026001"), "{body}");
        assert!(!body.contains("。，") && !body.contains("。。"), "{body}");
        assert!(body.starts_with("张三："), "addressed to the applicant: {body}");
        let refused = EventKind::ExtensionDecided { approved: false, opinion: String::new() };
        assert_eq!(applicant_notice(&refused, &facts()), None);
    }

    #[test]
    fn the_supplement_notice_lists_everything_and_the_day() {
        let k = EventKind::SupplementRequested {
            missing: vec!["营业执照复印件。".into(), "法人身份证".into()]
        };
        let (_, body) = applicant_notice(&k, &facts()).unwrap();
        assert!(body.contains("1. 营业执照复印件；2. 法人身份证。请于2026年12月31日前"), "{body}");
        let k = EventKind::Concluded {
            outcome: Outcome::Returned,
            reason: "材料虚假；".into(),
            document_no: String::new(),
            valid_until: None,
            fee_fen: None,
        };
        assert!(applicant_notice(&k, &facts()).unwrap().1.contains("理由：材料虚假。"));
        let k = EventKind::ExtensionRequested { days: 10, reason: "需现场核查。".into() };
        let (title, body) = head_notice(&k, &facts()).unwrap();
        assert!(title.contains("SP2026001") && body.starts_with("李审批申请") && !body.contains("。。"), "{body}");
    }
}
