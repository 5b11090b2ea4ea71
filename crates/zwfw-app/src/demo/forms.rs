//! The demo items' forms: a blank form (PDF) and a filled-in sample (DOCX)
//! for the first material of the most used items, attached to the draft
//! through the same use case an item editor's upload takes.

use crate::catalog::{attach, Slot};
use crate::documents::forms::{blank_form_pdf, sample_docx};
use crate::error::{AppError, AppResult};
use crate::state::Ctx;
use zwfw_domain::catalog::ItemContent;

/// The demo items whose first material gets its forms.
pub const WITH_FORMS: &[&str] = &[
    "食品经营许可",
    "个人住房公积金提取",
    "出生医学证明首次签发",
    "餐饮服务开业联办（一件事）",
    "东城区个体工商户登记",
];

/// The lines every application form asks, before the item's own fields.
const COMMON: &[(&str, &str)] = &[
    ("申请人名称", "张三"),
    ("居民身份证号码或统一社会信用代码", "52990219850612302X"),
    ("联系电话", "13800000001"),
    ("联系地址", "示例市钟山区人民路1号"),
];

pub async fn attach_forms(ctx: &Ctx<'_>, version_id: i64, c: &ItemContent) -> AppResult<()> {
    let Some(m) = c.materials.first() else { return Ok(()) };
    let own: Vec<&str> = c.form_fields.iter().map(|f| f.name.as_str()).collect();
    let mut fields: Vec<&str> = COMMON.iter().map(|(k, _)| *k).collect();
    fields.extend(own.iter().copied());
    fields.push("申请事项说明");
    let pdf = blank_form_pdf(&c.name, &m.name, &fields).map_err(|e| AppError::Internal(format!("form: {e}")))?;
    attach(ctx, version_id, Slot::Form(1), &format!("{}.pdf", m.name), &pdf).await?;
    let mut rows: Vec<(&str, &str)> = COMMON.to_vec();
    rows.extend(own.iter().map(|k| (*k, "（按实际情况填写）")));
    rows.push(("申请事项说明", "申请办理本事项，所附材料真实有效。"));
    let docx = sample_docx(&c.name, &m.name, &rows);
    attach(ctx, version_id, Slot::Example(1), &format!("{}（样表）.docx", m.name), &docx).await?;
    Ok(())
}
