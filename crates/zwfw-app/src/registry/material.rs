//! A material drawn from the 人口库 / 法人库: instead of uploading a copy of
//! an identity card or business licence, the applicant (or the counter)
//! takes the registry's record. The platform writes it as a 信息核验单
//! (PDF), stores it like any file, and the case holds it as trust A with
//! the source `registry`.

use super::{check_identity, RecordView};
use crate::documents::pdf::{self, Align, Block, Column, Part, Table};
use crate::error::{AppError, AppResult, Kind};
use crate::state::Ctx;
use zwfw_domain::cases::TrustLevel;
use zwfw_domain::registry::RecordKind;
use zwfw_store::cases::NewMaterialOwned;

/// The source of a case material drawn from the registry.
pub const SOURCE: &str = "registry";

/// The 信息核验单 of a record, as of `at_ms`.
pub fn sheet_pdf(r: &RecordView, at_ms: i64) -> AppResult<Vec<u8>> {
    let person = r.kind == RecordKind::Person.code();
    let title = if person { "人口库信息核验单" } else { "法人库信息核验单" };
    let mut rows = vec![
        vec![if person { "姓名" } else { "名称" }.to_string(), r.name.clone()],
        vec![if person { "公民身份号码" } else { "统一社会信用代码" }.to_string(), r.number.clone()],
    ];
    if !person {
        rows.push(vec!["法定代表人".into(), r.legal_rep.clone()]);
        rows.push(vec!["登记状态".into(), r.status_label.clone()]);
    }
    rows.push(vec![if person { "住址" } else { "住所" }.to_string(), r.address.clone()]);
    rows.push(vec!["数据更新时间".into(), zwfw_domain::time::format_local(r.updated_at)]);
    rows.push(vec!["核验时间".into(), zwfw_domain::time::format_local(at_ms)]);
    let parts = vec![
        Part::Text(Block::new(title, 18.0, Align::Center)),
        Part::Table(Table {
            columns: vec![Column::new("项目", 0.3, Align::Left), Column::new("内容", 0.7, Align::Left)],
            rows,
            size: 12.0,
            space_before: 12.0,
        }),
        Part::Text(
            Block::para("本核验单由政务服务平台根据人口库/法人库数据生成，作为申请材料时可信等级为A级，无需申请人另行提交复印件。")
                .gap(16.0),
        ),
    ];
    pdf::render_parts(title, &parts, pdf::Orientation::Portrait)
        .map_err(|e| AppError::Internal(format!("registry sheet: {e:?}")))
}

/// The material named `name` drawn from the applicant's record (checked
/// against the name given): `registry_not_found` when the registry has none.
pub async fn material(
    ctx: &Ctx<'_>,
    kind: RecordKind,
    number: &str,
    applicant_name: &str,
    name: &str,
) -> AppResult<NewMaterialOwned> {
    let record = check_identity(ctx, kind, number, applicant_name)
        .await?
        .ok_or_else(|| AppError::new(Kind::Invalid, "registry_not_found"))?;
    let bytes = sheet_pdf(&record, ctx.now())?;
    let size = bytes.len() as i64;
    let sm3 = ctx.state.put_file(bytes).await?;
    let mut tx = ctx.state.store.begin().await?;
    zwfw_store::files::record(&mut tx, &sm3, size, "pdf", ctx.actor.map(|a| a.user_id), ctx.now()).await?;
    tx.commit().await?;
    Ok(NewMaterialOwned {
        name: name.to_string(),
        file_sm3: sm3,
        file_name: format!("{}.pdf", if kind == RecordKind::Person { "人口库信息核验单" } else { "法人库信息核验单" }),
        kind: "pdf".into(),
        size,
        trust: TrustLevel::A.code().into(),
        source: SOURCE.into(),
        license_id: None,
    })
}
