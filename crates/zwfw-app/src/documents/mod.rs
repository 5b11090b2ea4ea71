//! Official documents (文书) of a case: 受理通知书, 不予受理通知书, 补正通知书,
//! 特别程序告知书, 延长审批告知书, 准予/不予许可决定书, 退件通知书. Each is numbered when
//! its event is recorded and rendered from that event when first downloaded;
//! rendering is deterministic, so the stored file never depends on when.
//! All document wording lives in `blocks` below.

pub mod forms;
pub mod pdf;

/// The QR code of `text` as an inline SVG element (black on white, error
/// correction M, its quiet zone included, no XML declaration), `min`
/// pixels wide at least; None when the text does not fit a QR code. The
/// one renderer of the pages' QR codes (licences, rating links, TOTP).
pub fn qr_svg(text: &str, min: u32) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(min, min)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Some(svg.find("<svg").map(|at| svg[at..].to_string()).unwrap_or(svg))
}

use crate::documents::pdf::{Align, Block};
use crate::error::{AppError, AppResult};
use crate::state::App;
use zwfw_domain::cases::{DocKind, Event, EventKind};
use zwfw_store::cases::{self as sc, CaseRow, DocumentRow};

fn date_cn(ms: i64) -> String {
    zwfw_domain::clock::local_date(ms).format("%Y年%-m月%-d日").to_string()
}

struct Facts<'a> {
    case: &'a CaseRow,
    event: &'a Event,
    dept_name: &'a str,
    promised: u32,
    legal: u32,
    /// For an extension notice: the days and reason of the request.
    extension: Option<(u32, String)>,
    /// For an extension notice: the legal deadline once extended.
    extended_due: Option<chrono::NaiveDate>,
}

/// The wording of each document.
fn blocks(kind: DocKind, doc_no: &str, f: &Facts<'_>) -> (String, Vec<Block>) {
    let c = f.case;
    let no = c.case_no.clone().unwrap_or_default();
    let received = date_cn(c.p.submitted_at.unwrap_or(f.event.at_ms));
    let item = &c.item_name;
    let title = crate::messages::label("doc_kind", kind.code());
    let mut body: Vec<String> = vec![];
    match (&f.event.kind, kind) {
        (EventKind::DeemedAccepted, _) => body.push(format!(
            "你（单位）于{received}提出的{item}申请，本机关未在五个工作日内作出受理决定或者一次性告知补正。根据《中华人民共和国行政许可法》第三十二条的规定，自收到申请材料之日起即为受理。本机关将在受理之日起{}个工作日内作出决定（法定期限{}个工作日）。",
            f.promised, f.legal
        )),
        (_, DocKind::Acceptance) => body.push(format!(
            "你（单位）于{received}提出的{item}申请，经审查，申请事项属于本机关职权范围，申请材料齐全、符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。本机关将在受理之日起{}个工作日内作出决定（法定期限{}个工作日）。",
            f.promised, f.legal
        )),
        (EventKind::Refused { reason }, _) => {
            body.push(format!(
                "你（单位）于{received}提出的{item}申请，经审查，决定不予受理。理由：{reason}"
            ));
            body.push("如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。".into());
        }
        (EventKind::SupplementRequested { missing }, _) => {
            body.push(format!(
                "你（单位）于{received}提出的{item}申请，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部内容如下："
            ));
            for (i, m) in missing.iter().enumerate() {
                body.push(format!("{}. {m}", i + 1));
            }
            body.push("请按上述要求补正后重新提交，本机关自收到全部补正材料之日起受理。".into());
        }
        (EventKind::SpecialStarted { kind: sk, reason }, _) => body.push(format!(
            "你（单位）申请的{item}（办件编号{no}），因需要{sk}，本机关决定启动特别程序。依据与理由：{reason}。根据《中华人民共和国行政许可法》第四十五条的规定，{sk}所需时间不计算在办理期限内，特别程序结束后本机关将继续办理。"
        )),
        (EventKind::ExtensionDecided { .. }, _) => {
            let (days, reason) = f.extension.clone().unwrap_or((10, String::new()));
            let reason = crate::messages::clause(&reason);
            let until = f.extended_due.map(|d| format!("，延长后的办结期限为{}", d.format("%Y年%-m月%-d日"))).unwrap_or_default();
            body.push(format!(
                "你（单位）申请的{item}（办件编号{no}），因{reason}，不能在规定期限内作出决定。经本机关负责人批准，根据《中华人民共和国行政许可法》第四十二条的规定，办理期限延长{days}个工作日{until}。"
            ));
        }
        (EventKind::Concluded { document_no, valid_until, .. }, DocKind::Grant) => {
            body.push(format!(
                "你（单位）于{received}提出的{item}申请（办件编号{no}），经审查，符合法定条件、标准。根据《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予行政许可。"
            ));
            body.push(format!("许可证件编号：{document_no}"));
            if let Some(d) = valid_until {
                body.push(format!("有效期至：{}", d.format("%Y年%-m月%-d日")));
            }
        }
        (EventKind::Concluded { reason, .. }, DocKind::Return) => {
            body.push(format!(
                "你（单位）于{received}提出的{item}申请（办件编号{no}），本机关决定作退件处理。理由：{reason}"
            ));
            body.push("申请材料的原件已登记退还的，请凭本通知书核对；符合条件的，可以重新提出申请。".into());
            body.push("如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。".into());
        }
        (EventKind::Concluded { reason, .. }, _) => {
            body.push(format!(
                "你（单位）于{received}提出的{item}申请（办件编号{no}），经审查，不符合法定条件、标准。根据《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予行政许可。理由：{reason}"
            ));
            body.push("如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。".into());
        }
        _ => body.push(format!("{item}（办件编号{no}）")),
    }
    let mut out = vec![
        Block::new(f.dept_name, 16.0, Align::Center),
        Block::new(&title, 22.0, Align::Center).gap(6.0),
        Block::new(doc_no, 12.0, Align::Center).gap(4.0),
        Block::new(format!("{}：", c.applicant_name), 12.0, Align::Left).gap(18.0),
    ];
    out.extend(body.into_iter().map(Block::para));
    out.push(Block::new(f.dept_name, 12.0, Align::Right).gap(36.0));
    out.push(Block::new(date_cn(f.event.at_ms), 12.0, Align::Right));
    out.push(Block::new(format!("办件编号：{no}　查询：本平台“办件查询”"), 9.0, Align::Left).gap(30.0));
    (title, out)
}

/// The PDF of a document of a case, rendered and stored on first request.
pub async fn pdf(st: &App, case: &CaseRow, doc: &DocumentRow) -> AppResult<Vec<u8>> {
    if !doc.file_sm3.is_empty() {
        if let Some(bytes) = st.file(&doc.file_sm3).await? {
            return Ok(bytes);
        }
    }
    let kind = DocKind::parse(&doc.kind).ok_or_else(|| AppError::not_found("document"))?;
    let rows = sc::events(&st.store, case.id).await?;
    let mut events = vec![];
    for r in &rows {
        let e: Event = serde_json::from_value(r.body.clone()).map_err(|e| AppError::Internal(e.to_string()))?;
        events.push((r.seq, e));
    }
    let event = events
        .iter()
        .find(|(s, _)| *s == doc.event_seq)
        .map(|(_, e)| e.clone())
        .ok_or_else(|| AppError::not_found("document"))?;
    let extension = events.iter().rev().filter(|(s, _)| *s < doc.event_seq).find_map(|(_, e)| match &e.kind {
        EventKind::ExtensionRequested { days, reason } => Some((*days, reason.clone())),
        _ => None,
    });
    let dept = zwfw_store::admin::get_department(&st.store, case.department_id).await?;
    let content = crate::cases::item_version(st, case.version_id).await?;
    // The legal deadline as the extension left it (the events up to it replayed).
    let extended_due = match event.kind {
        EventKind::ExtensionDecided { approved: true, .. } => {
            let upto: Vec<Event> = events.iter().filter(|(s, _)| *s <= doc.event_seq).map(|(_, e)| e.clone()).collect();
            let view = zwfw_domain::cases::replay(&content, &upto)?;
            match view.clock {
                Some(c) => Some(
                    c.status_at(&st.calendar(), event.at_ms)
                        .map_err(zwfw_domain::cases::CaseError::from)?
                        .legal
                        .deadline,
                ),
                None => None,
            }
        }
        _ => None,
    };
    let facts = Facts {
        case,
        event: &event,
        dept_name: &dept.name,
        promised: content.promised_limit_days,
        legal: content.legal_limit_days,
        extension,
        extended_due,
    };
    let (title, b) = blocks(kind, &doc.doc_no, &facts);
    let bytes = tokio::task::spawn_blocking(move || crate::documents::pdf::render(&title, &b))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let sm3 = st.put_file(bytes.clone()).await?;
    let mut tx = st.store.begin().await?;
    zwfw_store::files::record(&mut tx, &sm3, bytes.len() as i64, "pdf", None, st.now_ms()).await?;
    sc::set_document_file(&mut tx, doc.id, &sm3).await?;
    tx.commit().await?;
    Ok(bytes)
}
