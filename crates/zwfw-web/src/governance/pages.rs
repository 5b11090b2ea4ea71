//! The pages of 配置/维护需求: the list by state (and department), the
//! form to submit a request with attachments, a request's page with the
//! centre's answer and closing forms, its attachments and the PDF reply.

use crate::http::prelude::*;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::governance::{self as gov, AnswerInput, CompleteInput, ListQuery, SubmitInput};
use zwfw_domain::governance::deletion::RecordKind;
use zwfw_domain::governance::{RequestKind, RequestState};

fn kinds(selected: &str) -> Vec<Value> {
    RequestKind::ALL
        .iter()
        .map(|k| {
            let label = zwfw_app::messages::label("request_kind", k.code());
            context! { code => k.code(), label => label, on => k.code() == selected }
        })
        .collect()
}

/// 配置/维护需求: the requests the reader may see, by state; the centre and
/// the supervision office choose a department.
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let page = gov::list(&ctx(&st, &ra), &q).await;
    let state = q.state.clone().unwrap_or_default();
    let departments = department_choices(&st, page.as_ref().is_ok_and(|p| p.all_departments), q.department_id).await;
    let dept = q.department_id.map(|d| format!("&department_id={d}")).unwrap_or_default();
    let href = |state: &str| format!("/governance/requests?state={state}{dept}");
    let states: Vec<Value> = std::iter::once(tab(href(""), "全部", state.is_empty()))
        .chain(
            RequestState::ALL
                .iter()
                .map(|s| tab(href(s.code()), zwfw_app::messages::label("request_state", s.code()), state == s.code())),
        )
        .collect();
    let may_submit = gov::may_submit(&ctx(&st, &ra)).is_ok();
    render_result(&st, &ra, "gov_requests.html", page, |p| {
        let more = p.page * p.per_page < p.total;
        let next = more.then(|| format!("{}&page={}", href(&state), p.page + 1));
        let prev = (p.page > 1).then(|| format!("{}&page={}", href(&state), p.page - 1));
        context! {
            p => Value::from_serialize(&p), states => states, departments => departments, state => state,
            next => next, prev => prev, may_submit => may_submit,
        }
    })
}

fn new_view(st: &AppState, ra: &RequestAuth, kind: &str, content: &str, error: Option<String>) -> Response {
    render(st, ra, "gov_request_new.html", context! { kinds => kinds(kind), content => content, error => error })
}

/// The form of a new request, for those who may submit one.
pub async fn new_page(SignedIn { st, ra, .. }: SignedIn) -> Response {
    if let Err(e) = gov::may_submit(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &e);
    }
    new_view(&st, &ra, "", "", None)
}

/// Submits the form (multipart, the token in the query): the request's page, or the form again with the message.
pub async fn submit(SignedIn { st, ra, .. }: SignedIn, mp: LateMultipart) -> Response {
    let c = ctx(&st, &ra);
    if let Err(e) = gov::may_submit(&c) {
        return error_page(&st, Some(&ra), &e);
    }
    let mp = match mp.open() {
        Ok(mp) => mp,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let f = match MultipartForm::read(mp, st.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e.0),
    };
    let input = SubmitInput { kind: f.get("kind"), content: f.get("content") };
    let outcome = async {
        let files = super::stored_attachments(&st, &f).await?;
        WebResult::Ok(gov::submit(&c, &input, &files).await?)
    }
    .await;
    match outcome {
        Ok(r) => see_other(&format!("/governance/requests/{}?done=submit", r.id)),
        Err(e) => {
            // A browser does not keep the chosen files: the message says to choose them again.
            let chosen = f.files.iter().any(|(field, _, b)| field == "attachment" && !b.is_empty());
            let message = match chosen {
                true => format!("{}（所选附件未保存，请重新选择附件后提交）", e.message()),
                false => e.message(),
            };
            with_status(new_view(&st, &ra, &input.kind, &input.content, Some(message)), e.status())
        }
    }
}

async fn detail_view(
    st: &AppState,
    ra: &RequestAuth,
    d: gov::RequestView,
    flash: Option<&str>,
    error: Option<String>,
    typed: Option<&AnswerInput>,
) -> Response {
    // A refused answer shows the form again with what was typed.
    let typed = typed.map(Value::from_serialize);
    let deletion = super::deletions::offer_context(st, ra, RecordKind::MaintenanceRequest, d.id).await;
    render(
        st,
        ra,
        "gov_request.html",
        context! { d => Value::from_serialize(&d), flash => flash, error => error, typed => typed, deletion => deletion },
    )
}

fn flash(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "submit" => Some("需求已提交，等待政务服务中心答复"),
        "accept" => Some("已受理，请依此需求办理，相关变更填写本需求编号"),
        "refuse" => Some("已答复不予办理，答复书已生成"),
        "complete" => Some("需求已办理完毕"),
        _ => None,
    }
}

/// One request: its text and attachments, the analysis and answer, the
/// changes made under it, and the centre's forms.
pub async fn detail_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    match gov::get(&ctx(&st, &ra), id).await {
        Ok(d) => detail_view(&st, &ra, d, flash(q.done.as_deref()), None, None).await,
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    necessity: String,
    #[serde(default)]
    feasibility: String,
    #[serde(default)]
    answer: String,
}

pub async fn answer_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<AnswerForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match gov::may_answer(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input =
        AnswerInput { decision: f.decision, necessity: f.necessity, feasibility: f.feasibility, answer: f.answer };
    let outcome = gov::answer(&c, id, &input)
        .await
        .map(|_| format!("/governance/requests/{id}?done={}", input.decision.trim()))
        .map_err(Into::into);
    let (st, ra, typed) = (&st, &ra, &input);
    after_act(st, ra, outcome, gov::get(&c, id), |d, error| async move {
        detail_view(st, ra, d, None, Some(error), Some(typed)).await
    })
    .await
}

#[derive(Deserialize)]
pub struct CompleteForm {
    #[serde(default)]
    note: String,
}

pub async fn complete_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<CompleteForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match gov::may_answer(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let outcome = gov::complete(&c, id, &CompleteInput { note: f.note })
        .await
        .map(|_| format!("/governance/requests/{id}?done=complete"))
        .map_err(Into::into);
    let (st, ra) = (&st, &ra);
    after_act(st, ra, outcome, gov::get(&c, id), |d, error| async move {
        detail_view(st, ra, d, None, Some(error), None).await
    })
    .await
}

/// An attachment of a request the reader may read.
pub async fn file(SignedIn { st, ra, .. }: SignedIn, PagePath((id, sm3)): PagePath<(i64, String)>) -> Response {
    match gov::attachments(&ctx(&st, &ra), id).await {
        Ok(files) => {
            let list = serde_json::to_value(&files).unwrap_or_default();
            send_listed(&st, &ra, std::iter::once(&list), &sm3).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// The refusal's PDF reply.
pub async fn reply(SignedIn { st, ra, .. }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    match super::reply_pdf(&st, &ra, id).await {
        Ok(r) => r,
        Err(e) => error_page(&st, Some(&ra), &e.0),
    }
}
