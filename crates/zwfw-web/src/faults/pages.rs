//! 故障 pages: the report form (any staff member), the list, and a fault's
//! page with its timeline, the handlers' forms and the paper notice.

use crate::http::prelude::*;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::faults::{self as fl, ListQuery, ReportInput, SentInput, StepInput};

/// 平台故障: the faults (open by default), newest first.
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let page = fl::list(&ctx(&st, &ra), &q).await;
    let state = q.state.clone().unwrap_or_else(|| "open".into());
    let states: Vec<Value> = [("open", "未排除"), ("cleared", "已排除"), ("all", "全部")]
        .iter()
        .map(|(code, label)| tab(format!("/faults?state={code}"), *label, state == *code))
        .collect();
    render_result(&st, &ra, "fault_list.html", page, |p| {
        let more = p.page * p.per_page < p.total;
        let next = more.then(|| format!("/faults?state={state}&page={}", p.page + 1));
        let prev = (p.page > 1).then(|| format!("/faults?state={state}&page={}", p.page - 1));
        context! { p => Value::from_serialize(&p), states => states, state => state, next => next, prev => prev }
    })
}

async fn departments(st: &AppState) -> Vec<Value> {
    zwfw_store::admin::list_departments(&st.store)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| context! { id => d.id, name => d.name })
        .collect()
}

/// 报告故障: the form.
pub async fn new_page(SignedIn { st, ra, .. }: SignedIn) -> Response {
    if let Err(e) = fl::check_report(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &e);
    }
    let depts = departments(&st).await;
    render(&st, &ra, "fault_new.html", context! { departments => depts, f => context! { scope => "" } })
}

#[derive(Deserialize, serde::Serialize)]
pub struct ReportForm {
    #[serde(default)]
    what: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    function: String,
}

pub async fn new_submit(SignedIn { st, ra, .. }: SignedIn, form: LateForm<ReportForm>) -> Response {
    let c = ctx(&st, &ra);
    let f = match fl::check_report(&c).map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input = ReportInput {
        what: f.what.clone(),
        since: f.since.clone(),
        scope: f.scope.clone(),
        department_id: f.department_id.trim().parse().ok(),
        function: f.function.clone(),
    };
    match fl::report(&c, &input).await {
        Ok(v) => see_other(&format!("/faults/{}?done=report", v.id)),
        Err(e) if e.kind() == zwfw_app::error::Kind::Forbidden => error_page(&st, Some(&ra), &e),
        Err(e) => {
            let depts = departments(&st).await;
            let err: WebError = e.into();
            with_status(
                render(
                    &st,
                    &ra,
                    "fault_new.html",
                    context! { departments => depts, f => Value::from_serialize(&f), error => err.message() },
                ),
                err.status(),
            )
        }
    }
}

/// One fault: the timeline, the handlers' forms, the paper notice.
pub async fn detail_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    let flash = q.done.as_deref().map(|d| match d {
        "report" => "故障已报告，已通知政务服务中心、信息化主管部门和运维人员。",
        "acknowledge" => "已确认受理。",
        "cause" => "故障原因已记录。",
        "clear" => "故障已排除。",
        "sent" => "已登记送达。",
        _ => "已完成。",
    });
    let d = fl::get(&ctx(&st, &ra), id).await;
    render_result(&st, &ra, "fault.html", d, |d| context! { d => Value::from_serialize(&d), flash => flash })
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    text: String,
}

async fn after(
    st: &AppState,
    ra: &RequestAuth,
    id: i64,
    outcome: zwfw_app::AppResult<fl::FaultView>,
    done: &str,
) -> Response {
    let c = ctx(st, ra);
    let outcome = outcome.map(|_| format!("/faults/{id}?done={done}"));
    let reread = fl::get(&c, id);
    after_act(st, ra, outcome.map_err(Into::into), reread, |d, error| async move {
        render(st, ra, "fault.html", context! { d => Value::from_serialize(&d), error => error })
    })
    .await
}

/// The form of a step on fault `id`, once the reader is known to handle it.
async fn handled<T>(st: &AppState, ra: &RequestAuth, id: i64, form: LateForm<T>) -> Result<T, Response> {
    let checked = fl::check_handle(&ctx(st, ra), id).await.map_err(WebError::from);
    checked.and_then(|()| form.parse()).map_err(|e| error_page(st, Some(ra), &e))
}

async fn step_submit(
    st: &AppState,
    ra: &RequestAuth,
    id: i64,
    form: LateForm<StepForm>,
    step: fl::Step,
    done: &str,
) -> Response {
    let f = match handled(st, ra, id, form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let r = fl::take_step(&ctx(st, ra), id, step, &StepInput { text: f.text }).await;
    after(st, ra, id, r, done).await
}

pub async fn acknowledge_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<StepForm>,
) -> Response {
    step_submit(&st, &ra, id, form, fl::Step::Acknowledge, "acknowledge").await
}

pub async fn cause_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<StepForm>,
) -> Response {
    step_submit(&st, &ra, id, form, fl::Step::Cause, "cause").await
}

pub async fn clear_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<StepForm>,
) -> Response {
    step_submit(&st, &ra, id, form, fl::Step::Clear, "clear").await
}

#[derive(Deserialize)]
pub struct SentForm {
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    note: String,
}

pub async fn sent_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<SentForm>,
) -> Response {
    let f = match handled(&st, &ra, id, form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let input = SentInput { department_id: f.department_id.trim().parse().ok(), note: f.note };
    let r = fl::record_sent(&ctx(&st, &ra), id, &input).await;
    after(&st, &ra, id, r, "sent").await
}

/// 打印纸质书面通知: the PDF (its printing recorded), or the page with the reason.
pub async fn paper_notice_submit(SignedIn { st, ra, .. }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    let c = ctx(&st, &ra);
    match fl::paper_notice(&c, id).await {
        Ok((bytes, name)) => super::api::pdf_response(bytes, &name),
        Err(e) => {
            let reread = fl::get(&c, id);
            let (st, ra) = (&st, &ra);
            after_act(st, ra, Err::<String, _>(e.into()), reread, |d, error| async move {
                render(st, ra, "fault.html", context! { d => Value::from_serialize(&d), error => error })
            })
            .await
        }
    }
}
