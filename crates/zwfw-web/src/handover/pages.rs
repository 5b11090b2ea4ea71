//! The 审管 inbox (审管推送) and a record's page with its claim form.

use crate::http::prelude::*;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::handover::{self as ho, ClaimInput, ListQuery};

/// 审管推送: the records pushed to the reader's department, by state; what
/// it pushed; the supervision bureau chooses a department.
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let page = ho::list(&ctx(&st, &ra), &q).await;
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
    render_result(&st, &ra, "handover_list.html", page, |p| {
        let more = p.page * p.per_page < p.total;
        let next = more.then(|| format!("{}&page={}", href(&state, &side), p.page + 1));
        let prev = (p.page > 1).then(|| format!("{}&page={}", href(&state, &side), p.page - 1));
        context! {
            p => Value::from_serialize(&p), states => states, sides => sides, departments => departments,
            state => state, side => side, claimed_list => state == "claimed", next => next, prev => prev,
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
    let flash = q.done.as_deref().map(|_| "已认领，推送记录已移入“已认领”".to_string());
    let d = ho::get(&ctx(&st, &ra), id).await;
    render_result(&st, &ra, "handover.html", d, |d| context! { d => Value::from_serialize(&d), flash => flash })
}

#[derive(Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    note: String,
}

pub async fn claim_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    Form(f): Form<ClaimForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let outcome = ho::claim(&c, id, &ClaimInput { note: f.note }).await.map(|_| format!("/handover/{id}?done=claim"));
    let reread = ho::get(&c, id);
    let (st, ra) = (&st, &ra);
    after_act(st, ra, outcome.map_err(Into::into), reread, |d, error| async move {
        render(st, ra, "handover.html", context! { d => Value::from_serialize(&d), error => error })
    })
    .await
}
