//! The 审管 inbox (审管推送) and a record's page with its claim form.

use crate::http::prelude::*;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::handover::{self as ho, ClaimInput, HandoverView, ListQuery, SanctionInput};

/// 审管推送: the records pushed to the reader's department, by state; what
/// it pushed; the supervision bureau chooses a department.
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(mut q): PageQuery<ListQuery>) -> Response {
    let c = ctx(&st, &ra);
    // A page number out of range (a link kept after records were claimed,
    // a number typed in): the last page, saying so, never an error.
    let asked = q.page;
    q.page = asked.map(|p| p.clamp(1, 100_000));
    let mut page = ho::list(&c, &q).await;
    let mut beyond = None;
    if let Ok(p) = &page {
        if p.rows.is_empty() && p.total > 0 && p.page > 1 {
            beyond = asked;
            q.page = Some((p.total + p.per_page - 1) / p.per_page);
            page = ho::list(&c, &q).await;
        }
    }
    let state = q.state.clone().unwrap_or_else(|| "unclaimed".into());
    let side = q.side.clone().unwrap_or_else(|| "inbox".into());
    let departments = department_choices(&st, page.as_ref().is_ok_and(|p| p.all_departments), q.department_id).await;
    let dept = q.department_id.map(|d| format!("&department_id={d}")).unwrap_or_default();
    let href = |state: &str, side: &str| format!("/handover?side={side}&state={state}{dept}");
    let states: Vec<Value> = [("unclaimed", "待认领"), ("claimed", "已认领"), ("all", "全部")]
        .iter()
        .map(|(code, label)| tab(href(code, &side), *label, state == *code))
        .collect();
    let sides: Vec<Value> = [("inbox", "推送给本部门"), ("pushed", "本部门推送")]
        .iter()
        .map(|(code, label)| tab(href(&state, code), *label, side == *code))
        .collect();
    let keep = format!("side={side}&state={state}{dept}");
    render_result(&st, &ra, "handover_list.html", page, |p| {
        let pages = ((p.total + p.per_page - 1) / p.per_page).max(1);
        context! {
            p => Value::from_serialize(&p), states => states, sides => sides, departments => departments,
            state => state, side => side, claimed_list => state == "claimed", keep => keep, pages => pages,
            beyond => beyond,
        }
    })
}

/// One record: the decision, the licence, the opinions, the materials and,
/// for the regulator's staff, the claim form.
pub async fn detail_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    let flash = q.done.as_deref().map(|done| match done {
        "sanction" => "已登记，审批部门和电子监察可在本推送记录中查看".to_string(),
        _ => "已认领，推送记录已移入“已认领”".to_string(),
    });
    match ho::get(&ctx(&st, &ra), id).await {
        Ok(d) => record_view(&st, &ra, d, flash, None, None).await,
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// A record's page: with, for the claiming regulator's staff, the form of
/// the flow back (the published items to choose for a 限制准入, the input
/// sent again after a refusal).
async fn record_view(
    st: &AppState,
    ra: &RequestAuth,
    d: HandoverView,
    flash: Option<String>,
    error: Option<String>,
    input: Option<&SanctionInput>,
) -> Response {
    let items: Vec<Value> = if d.sanction_kinds.iter().any(|k| k == "restrict") {
        let chosen = input.map(|i| i.item_ids.clone()).unwrap_or_default();
        zwfw_app::handover::sanctions::item_choices(st, d.id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|i| context! { id => i.id, name => i.name, on => chosen.contains(&i.id) || d.item_name == i.name })
            .collect()
    } else {
        vec![]
    };
    let f = input.map(|i| {
        context! { kind => i.kind, decision_no => i.decision_no, decided_on => i.decided_on, reason => i.reason,
        license => i.license, restrict_from => i.restrict_from, restrict_until => i.restrict_until }
    });
    let today = zwfw_domain::time::ymd(st.today());
    let ctx = context! { d => Value::from_serialize(&d), flash => flash, error => error, items => items, f => f, today => today };
    render(st, ra, "handover.html", ctx)
}

#[derive(Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    note: String,
}

pub async fn claim_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<ClaimForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let outcome = async {
        ho::claim_target(&c, id).await?;
        let f = form.parse()?;
        ho::claim(&c, id, &ClaimInput { note: f.note }).await?;
        Ok::<_, WebError>(format!("/handover/{id}?done=claim"))
    }
    .await;
    let reread = ho::get(&c, id);
    let (st, ra) = (&st, &ra);
    after_act(st, ra, outcome, reread, |d, error| record_view(st, ra, d, None, Some(error), None)).await
}

/// The flow back from the record's page (multipart: the attachments): who
/// may is checked before the form is read; a refusal shows the page again
/// with the reason and the input, nothing written.
pub async fn sanction_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    mp: LateMultipart,
) -> Response {
    let c = ctx(&st, &ra);
    if let Err(e) = ho::sanctions::target(&c, id).await {
        let e: WebError = e.into();
        return match ho::get(&c, id).await {
            Ok(d) => with_status(record_view(&st, &ra, d, None, Some(e.message()), None).await, e.status()),
            Err(_) => error_page(&st, Some(&ra), &e),
        };
    }
    let mut input = SanctionInput::default();
    let outcome = async {
        let f = MultipartForm::read(mp.open()?, st.config.max_upload_bytes).await?;
        let opt = |k: &str| Some(f.get(k)).filter(|v| !v.trim().is_empty());
        input = SanctionInput {
            kind: f.get("kind"),
            decision_no: f.get("decision_no"),
            decided_on: f.get("decided_on"),
            reason: f.get("reason"),
            license: opt("license"),
            restrict_from: opt("restrict_from"),
            restrict_until: opt("restrict_until"),
            item_ids: f.fields.keys().filter_map(|k| k.strip_prefix("item_")?.parse().ok()).collect(),
            upload_ids: vec![],
        };
        input.item_ids.sort_unstable();
        let mut files = vec![];
        for (_, name, bytes) in f.files.iter().filter(|(field, _, b)| field == "attachment" && !b.is_empty()) {
            files.push(zwfw_app::interaction::store_attachment(&st, name, bytes).await?);
        }
        ho::sanctions::record(&c, id, &input, files).await?;
        Ok::<_, WebError>(format!("/handover/{id}?done=sanction"))
    }
    .await;
    match outcome {
        Ok(to) => see_other(&to),
        Err(e) => match ho::get(&c, id).await {
            Ok(d) => with_status(record_view(&st, &ra, d, None, Some(e.message()), Some(&input)).await, e.status()),
            Err(_) => error_page(&st, Some(&ra), &e),
        },
    }
}

/// An attachment of a decision recorded on the record, to its readers.
pub async fn sanction_file(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath((id, sm3)): PagePath<(i64, String)>,
) -> Response {
    match ho::get(&ctx(&st, &ra), id).await {
        Ok(d) => {
            let lists: Vec<serde_json::Value> = d.sanctions.iter().map(|s| serde_json::json!(s.attachments)).collect();
            send_listed(&st, &ra, lists.iter(), &sm3).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}
