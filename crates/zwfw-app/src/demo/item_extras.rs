//! What some demo items add to the common content: their own application
//! form fields, and the life events (人生事件) they belong to.

use super::items::DemoItem;
use zwfw_domain::catalog::LifeEvent;

/// The item-specific application form fields of some demo items.
pub(super) fn form_fields(item: &str) -> Vec<zwfw_domain::catalog::FormField> {
    use zwfw_domain::catalog::{FieldKind::*, FormField};
    let f = |name: &str, kind, required, options: &[&str]| FormField {
        name: name.into(),
        kind,
        required,
        options: options.iter().map(|o| o.to_string()).collect(),
    };
    match item {
        "食品经营许可" => vec![
            f("经营场所", Text, true, &[]),
            f("主体业态", Choice, true, &["食品销售经营者", "餐饮服务经营者", "单位食堂"]),
            f("经营项目", LongText, true, &[]),
            f("从业人员数", Number, false, &[]),
        ],
        "户外广告设施设置审批" => vec![
            f("设置地点", Text, true, &[]),
            f("设施类型", Choice, true, &["招牌", "单立柱广告", "墙面广告", "电子显示屏"]),
            f("设置期限至", Date, false, &[]),
        ],
        _ => vec![],
    }
}

/// The life events of a demo item, from its themes and name.
pub(super) fn life_events(d: &DemoItem) -> Vec<LifeEvent> {
    let mut out: Vec<LifeEvent> = vec![];
    for t in &d.themes {
        let e = match *t {
            "开办企业" => Some(LifeEvent::StartBusiness),
            "餐饮" | "食品" | "个体经营" | "医药" | "卫生" | "安全生产" | "城市管理" | "排水" => {
                Some(LifeEvent::Operation)
            }
            "工程建设" | "农村建房" | "人民防空" | "林业" => Some(LifeEvent::Construction),
            "住房" | "不动产登记" | "公积金" | "房地产" => Some(LifeEvent::Housing),
            "生育" => Some(LifeEvent::Birth),
            "职业资格" => Some(LifeEvent::Employment),
            "困难群众" => Some(LifeEvent::SocialSecurity),
            _ => None,
        };
        out.extend(e);
    }
    if d.name.contains("证明") || d.name.contains("执业注册") {
        out.push(LifeEvent::Documents);
    }
    let mut seen = vec![];
    out.retain(|e| {
        let new = !seen.contains(e);
        seen.push(*e);
        new
    });
    out
}
