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

/// The 证照类型代码 of the demo's 营业执照 (the third demo type), which the
/// demo item 食品经营许可 takes as its material 营业执照复印件.
pub fn business_licence_code() -> String {
    format!("{}{:03}", credit_code_for("100000", 901), 3)
}

/// The item whose grant issues the demo company's 营业执照.
const BUSINESS_ITEM: &str = "企业设立登记";

/// Gives the demo company a valid 营业执照, so that its applications can
/// use it instead of an upload: the market regulator gets its signing key
/// and the company's 企业设立登记 is applied for, accepted, reviewed and
/// granted, which issues the licence. Only with a master key, and once.
pub async fn issue_held(state: &App) -> AppResult<bool> {
    use crate::cases::{self, ActionInput, ApplicationInput, MaterialRef};
    // A configured master key, or the demo's own (`serve --demo`).
    if crate::licenses::keys::master_key(state).is_err() {
        return Ok(false);
    }
    let Some(company) = store_admin::find_user_by_username(&state.store, "demo_company").await? else {
        return Ok(false);
    };
    let code = business_licence_code();
    let types = zwfw_store::licenses::list_types(state.store.pool()).await?;
    let Some(ty) = types.iter().find(|t| t.code == code) else { return Ok(false) };
    let held = zwfw_store::licenses::of_holder(state.store.pool(), company.id).await?;
    if held.iter().any(|l| l.type_id == ty.id) {
        return Ok(false);
    }
    let filter = zwfw_store::catalog::ItemFilter { published_only: true, limit: 1000, ..Default::default() };
    let items = zwfw_store::catalog::list(&state.store, &filter).await?;
    let Some(item) = items.iter().find(|i| i.name == BUSINESS_ITEM) else { return Ok(false) };
    let content = cases::item_version(state, item.version_id).await?;
    let dept = content.department_id;
    let Some(admin) = store_admin::find_user_by_username(&state.store, "demo_admin").await? else { return Ok(false) };
    let admin = crate::accounts::sessions::actor_of(&admin);
    let actx = Ctx { state, actor: Some(&admin), client_addr: "demo".into() };
    if zwfw_store::licenses::current_key(state.store.pool(), dept).await?.is_none() {
        // The key issues what the demo cases granted meanwhile, perhaps the
        // company's licence among them.
        crate::licenses::generate_key(&actx, dept).await?;
        let held = zwfw_store::licenses::of_holder(state.store.pool(), company.id).await?;
        if held.iter().any(|l| l.type_id == ty.id && l.status == "valid") {
            return Ok(true);
        }
    }
    // The company applies online, uploading each material.
    let applicant = crate::accounts::sessions::actor_of(&company);
    let cctx = Ctx { state, actor: Some(&applicant), client_addr: "demo".into() };
    let mut materials = vec![];
    for (i, m) in content.materials.iter().enumerate() {
        let u = cases::upload(&cctx, &format!("{}.pdf", m.name), &super::cases::material_pdf(&m.name)).await?;
        materials.push(MaterialRef { material_no: i + 1, upload_id: Some(u.id), ..Default::default() });
    }
    let mut form = serde_json::Map::new();
    form.insert(zwfw_domain::catalog::PURPOSE_FIELD.into(), format!("申请办理{}", content.name).into());
    for f in &content.form_fields {
        use zwfw_domain::catalog::FieldKind::*;
        let v = match f.kind {
            Text | LongText => "示例市市民大道1号".to_string(),
            Number => "1".to_string(),
            Date => zwfw_domain::time::ymd(state.today()),
            Choice => f.options.first().cloned().unwrap_or_default(),
        };
        form.insert(f.name.clone(), v.into());
    }
    let input = ApplicationInput { form, materials, ..Default::default() };
    let case_id = cases::apply(&cctx, item.item_id, &input).await?.case_id;
    // The department takes it through its steps: whoever may act next does.
    let staff: Vec<_> = store_admin::list_staff(&state.store, Some(dept))
        .await?
        .iter()
        .filter(|u| u.active)
        .map(crate::accounts::sessions::actor_of)
        .collect();
    for _ in 0..(content.steps.len() + 3) {
        let mut moved = false;
        for who in &staff {
            let d = cases::detail(state, Some(who), case_id, false).await?;
            let a = if d.outcomes.iter().any(|o| o == "granted") {
                ActionInput {
                    action: "conclude".into(),
                    outcome: Some("granted".into()),
                    document_no: Some("MD-YYZZ-0001".into()),
                    ..Default::default()
                }
            } else if d.actions.iter().any(|a| a == "accept") {
                ActionInput { action: "accept".into(), ..Default::default() }
            } else if d.actions.iter().any(|a| a == "pass") {
                ActionInput {
                    action: "pass".into(),
                    opinion: "材料齐全，符合法定条件，同意。".into(),
                    ..Default::default()
                }
            } else {
                continue;
            };
            let conclude = a.action == "conclude";
            let wctx = Ctx { state, actor: Some(who), client_addr: "demo".into() };
            cases::act(&wctx, case_id, &a).await?;
            if conclude {
                let issued = zwfw_store::licenses::of_case(state.store.pool(), case_id).await?;
                return Ok(!issued.is_empty());
            }
            moved = true;
            break;
        }
        if !moved {
            break;
        }
    }
    tracing::warn!(case = case_id, "the demo company's business licence was not granted");
    Ok(false)
}
