//! The demo's 通知公告 and 政策文件: a few published by the service centre
//! (the policy documents with their PDF), and one draft the public does not see.

use crate::documents::pdf::{render, Align, Block};
use crate::error::{AppError, AppResult};
use crate::notices::{act, attach, create, NoticeInput};
use crate::state::{App, Ctx};
use zwfw_domain::notices::{NoticeAction, NoticeState};
use zwfw_store::admin as store_admin;

/// (kind, title, 文号, body, publish, attach a PDF of the text)
const NOTICES: &[(&str, &str, &str, &str, bool, bool)] = &[
    ("policy", "示例市政务服务事项办事指南编制规范（试行）", "示政务〔2026〕3号",
     "第一条 为统一全市政务服务事项办事指南的要素和格式，方便企业和群众办事，制定本规范。\n第二条 办事指南应当包括事项名称、设定依据、受理条件、申请材料、办理流程、办理时限、收费标准、办理地点和时间、咨询监督电话等要素。\n第三条 申请材料应当列明材料名称、类型、来源渠道、份数和要求，需要填写的表格应当提供空白表格和样表下载。\n第四条 本规范自发布之日起施行。",
     true, true),
    ("policy", "示例市政务服务“好差评”工作实施细则", "示政务〔2026〕5号",
     "第一条 政务服务“好差评”实行一事一评、一次一评，评价分为非常满意、满意、基本满意、不满意、非常不满意五个等级。\n第二条 对差评，实施部门应当在规定时限内回访核实、整改并答复评价人，整改情况向社会公开。\n第三条 评价结果纳入部门绩效考核。",
     true, true),
    ("announcement", "关于2027年元旦假期政务服务中心办公安排的通知", "",
     "根据国务院办公厅节假日安排，2027年1月1日放假，1月4日起正常办公。假期期间，网上办事大厅正常受理申请，受理时间从假期后第一个工作日起计算。急需办理的事项请拨打咨询电话0858-12345。",
     true, false),
    ("announcement", "餐饮服务开业“一件事”联办上线运行的公告", "",
     "即日起，开办餐饮店涉及的营业执照、食品经营许可、公共场所卫生许可可在政务服务中心综合窗口或本平台“餐饮服务开业联办（一件事）”一次申请、并联审批、统一出件。",
     true, false),
    ("announcement", "关于调整周六延时服务窗口的通知（征求意见稿）", "",
     "拟自2027年起在政务服务中心一楼设置周六延时服务窗口，办理社保、公积金等高频事项。本稿尚未发布。",
     false, false),
];

pub async fn load(state: &App) -> AppResult<Vec<String>> {
    let Some(center) = store_admin::find_user_by_username(&state.store, "demo_center").await? else {
        return Ok(vec![]);
    };
    let (_, existing) = zwfw_store::notices::list(&state.store, None, NoticeState::ALL, 0, 1).await?;
    if existing > 0 {
        return Ok(vec![]);
    }
    let center = crate::accounts::sessions::actor_of(&center);
    let ctx = Ctx { state, actor: Some(&center), client_addr: "demo".into() };
    let mut created = vec![];
    for (kind, title, doc_no, body, publish, pdf) in NOTICES {
        let input = NoticeInput {
            kind: kind.to_string(),
            title: title.to_string(),
            doc_no: doc_no.to_string(),
            issuer: String::new(),
            body: body.to_string(),
        };
        let n = create(&ctx, &input).await?;
        if *pdf {
            let mut blocks =
                vec![Block::new(*title, 18.0, Align::Center), Block::new(*doc_no, 12.0, Align::Center).gap(6.0)];
            blocks.extend(body.lines().map(|l| Block::para(l).gap(8.0)));
            let bytes = render(title, &blocks).map_err(|e| AppError::Internal(format!("notice pdf: {e}")))?;
            attach(&ctx, n.id, &format!("{title}.pdf"), &bytes).await?;
        }
        if *publish {
            act(&ctx, n.id, NoticeAction::Publish.code(), "").await?;
        }
        created.push(format!("notice {title}"));
    }
    Ok(created)
}
