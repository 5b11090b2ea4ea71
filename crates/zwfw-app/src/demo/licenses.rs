//! The demo's licence types (证照目录) for the demo items whose result is a
//! licence: for legal persons (食品经营许可证, 营业执照, …) and for natural
//! persons (个体工商户的营业执照, 护士执业证书), so that the demo citizen's
//! grants issue licences too. No department has a signing key at first: a grant waits (the
//! case says why) until the system administrator generates the issuing
//! department's key on 电子证照管理, which then issues it.

use super::credit_code_for;
use crate::error::AppResult;
use crate::licenses::types::{self, TypeInput};
use crate::state::{App, Ctx};
use zwfw_store::admin as store_admin;

/// (type name, defining authority, its demo credit-code serial, level,
/// holder kind, years of validity (0: long-term), template, the items)
type DemoType =
    (&'static str, &'static str, u32, &'static str, &'static str, i64, &'static str, &'static [&'static str]);

const TYPES: [DemoType; 6] = [
    (
        "食品经营许可证",
        "国家市场监督管理总局",
        901,
        "国家级",
        "legal",
        5,
        "经营者名称|经营场所|主体业态|经营项目",
        &["食品经营许可"],
    ),
    (
        "食品生产许可证",
        "国家市场监督管理总局",
        901,
        "国家级",
        "legal",
        5,
        "生产者名称|生产地址|食品类别",
        &["食品生产许可"],
    ),
    (
        "营业执照",
        "国家市场监督管理总局",
        901,
        "国家级",
        "legal",
        0,
        "名称|类型|经营者|经营范围|经营场所",
        &["企业设立登记"],
    ),
    (
        "公共场所卫生许可证",
        "国家卫生健康委员会",
        902,
        "国家级",
        "legal",
        4,
        "单位名称|地址|许可项目",
        &["公共场所卫生许可"],
    ),
    // A 个体工商户's 营业执照 names the natural person who runs it (经营者):
    // the demo citizen's own registration is issued one.
    (
        "营业执照（个体工商户）",
        "国家市场监督管理总局",
        901,
        "国家级",
        "person",
        0,
        "名称|经营者|组成形式|经营范围|经营场所",
        &["个体工商户登记", "东城区个体工商户登记"],
    ),
    ("护士执业证书", "国家卫生健康委员会", 902, "国家级", "person", 5, "姓名|执业类别|执业地点", &["护士执业注册"]),
];

/// Adds the demo's licence types (once).
pub async fn load(state: &App) -> AppResult<Vec<String>> {
    let Some(admin) = store_admin::find_user_by_username(&state.store, "demo_admin").await? else { return Ok(vec![]) };
    let admin = crate::accounts::sessions::actor_of(&admin);
    let ctx = Ctx { state, actor: Some(&admin), client_addr: "demo".into() };
    let existing = types::list(&ctx).await?;
    let filter = zwfw_store::catalog::ItemFilter { published_only: true, limit: 1000, ..Default::default() };
    let items = zwfw_store::catalog::list(&state.store, &filter).await?;
    let mut created = vec![];
    for (seq, (name, authority, serial, level, holder, years, template, item_names)) in TYPES.iter().enumerate() {
        if existing.iter().any(|t| t.name == *name) {
            continue;
        }
        // An item already linked to another type (a demo loaded by an
        // earlier version) keeps it.
        let item_ids = items
            .iter()
            .filter(|i| item_names.contains(&i.name.as_str()))
            .map(|i| i.item_id)
            .filter(|id| !existing.iter().any(|t| t.active && t.item_ids.contains(id)))
            .collect();
        let input = TypeInput {
            code: format!("{}{:03}", credit_code_for("100000", *serial), seq + 1),
            name: name.to_string(),
            define_authority: authority.to_string(),
            define_authority_level: level.to_string(),
            holder_kind: holder.to_string(),
            validity_years: (*years > 0).then_some(*years),
            template: template.to_string(),
            item_ids,
            issuer_department_ids: vec![],
            active: true,
        };
        types::create(&ctx, &input).await?;
        created.push(format!("license type {name}"));
    }
    Ok(created)
}
