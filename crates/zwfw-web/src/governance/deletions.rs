//! 删除申请: the author's request from the record's own page, the lists by
//! state for the department head and the supervision office, a request's
//! page with the head's and the supervision office's forms, the archive of
//! deleted records for supervision, and their API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use minijinja::{context, Value};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::governance::deletions::{
    self as del, DeletionPage, DeletionView, ListQuery, Offer, RequestInput, VerdictInput,
};
use zwfw_domain::governance::deletion::{DeletionState, RecordKind};

// ---------- API ----------

/// The author asks for the deletion of a record they entered: a counter
/// case draft never submitted, or a maintenance request not yet answered.
#[utoipa::path(post, path = "/governance/deletions", tag = "governance", request_body = RequestInput,
    responses((status = 201, description = "asked; the heads of the author's department are told", body = DeletionView), (status = 403, description = "not the record's author, or not staff (`not_author`, `staff_only`)", body = ErrorBody), (status = 404, description = "no such record, or another department's", body = ErrorBody), (status = 409, description = "the record's state allows no deletion, or one is already asked for (`record_not_deletable`, `deletion_already_requested`)", body = ErrorBody), (status = 422, description = "a bad kind, or the content or the reason missing or too long (`bad_record_kind`, `invalid_deletion_text`)", body = ErrorBody), (status = 400, description = "a bad body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn ask(
    SignedIn { st, ra, .. }: SignedIn,
    body: Result<ApiJson<RequestInput>, WebError>,
) -> WebResult<(StatusCode, Json<DeletionView>)> {
    let c = ctx(&st, &ra);
    del::may_ask(&c)?;
    let ApiJson(input) = body?;
    Ok((StatusCode::CREATED, Json(del::request(&c, &input).await?)))
}

/// The deletion requests the caller may read, newest first: the supervision
/// office all, a department head their department's, anyone else their own.
#[utoipa::path(get, path = "/governance/deletions", tag = "governance", params(ListQuery),
    responses((status = 200, body = DeletionPage), (status = 400, description = "a bad parameter (`bad_filter`)", body = ErrorBody), (status = 422, description = "a page out of range", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not staff (`staff_only`)", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<DeletionPage>> {
    Ok(Json(del::list(&ctx(&st, &ra), &q).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchiveQuery {
    /// 1-based.
    page: Option<i64>,
}

/// The archive (supervision office): the performed deletions, each with
/// the rows deleted as they were (`GET /governance/deletions/{id}`).
#[utoipa::path(get, path = "/governance/deletions/archive", tag = "governance", params(ArchiveQuery),
    responses((status = 200, body = DeletionPage), (status = 403, description = "not the supervision office (`missing_role`)", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn archive(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<ArchiveQuery>,
) -> WebResult<Json<DeletionPage>> {
    Ok(Json(del::archive(&ctx(&st, &ra), q.page).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferQuery {
    /// case_draft | draft_material | item_draft | maintenance_request
    record_kind: String,
    record_id: i64,
}

/// Whether the caller may ask for a record's deletion now, and the open request for it.
#[utoipa::path(get, path = "/governance/deletions/offer", tag = "governance", params(OfferQuery),
    responses((status = 200, body = Offer), (status = 404, description = "no such record, or one the caller may not see (another department's, an operator, the public)", body = ErrorBody), (status = 422, description = "a bad kind (`bad_record_kind`)", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn offer(SignedIn { st, ra, .. }: SignedIn, ApiQuery(q): ApiQuery<OfferQuery>) -> WebResult<Json<Offer>> {
    let kind = RecordKind::parse(q.record_kind.trim()).ok_or_else(|| {
        WebError::from(zwfw_app::error::AppError::with_detail(
            zwfw_app::error::Kind::Invalid,
            "bad_record_kind",
            "record_kind",
        ))
    })?;
    Ok(Json(del::offer(&ctx(&st, &ra), kind, q.record_id).await?))
}

/// One deletion request; for the supervision office, once performed, the rows deleted.
#[utoipa::path(get, path = "/governance/deletions/{id}", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, body = DeletionView), (status = 404, description = "not found, or one the caller may not read", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<DeletionView>> {
    Ok(Json(del::get(&ctx(&st, &ra), id).await?))
}

/// A head of the author's department consents (`approve`) or refuses with a reason.
#[utoipa::path(post, path = "/governance/deletions/{id}/consent", tag = "governance", params(("id" = i64, Path)), request_body = VerdictInput,
    responses((status = 200, description = "decided; the author (and on consent the supervision office) is told", body = DeletionView), (status = 403, description = "not a head of the author's department, or the author (`needs_dept_head`, `not_in_department`, `own_request`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "not waiting for consent (`deletion_wrong_stage`)", body = ErrorBody), (status = 422, description = "a bad decision, or a refusal without its reason (`bad_verdict`, `invalid_deletion_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn consent(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<VerdictInput>, WebError>,
) -> WebResult<Json<DeletionView>> {
    let c = ctx(&st, &ra);
    del::may_consent(&c, id).await?;
    let ApiJson(input) = body?;
    Ok(Json(del::consent(&c, id, &input).await?))
}

/// The supervision office performs a consented deletion (`approve`: the
/// record archived and deleted) or refuses it with a reason.
#[utoipa::path(post, path = "/governance/deletions/{id}/perform", tag = "governance", params(("id" = i64, Path)), request_body = VerdictInput,
    responses((status = 200, description = "performed or refused; the author and the head are told", body = DeletionView), (status = 403, description = "not the supervision office, or the author (`missing_role`, `own_request`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "not consented, or the record may no longer be deleted (`deletion_wrong_stage`, `record_not_deletable`)", body = ErrorBody), (status = 422, description = "a bad decision, or a refusal without its reason (`bad_verdict`, `invalid_deletion_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn perform(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<VerdictInput>, WebError>,
) -> WebResult<Json<DeletionView>> {
    let c = ctx(&st, &ra);
    del::may_perform(&c, id).await?;
    let ApiJson(input) = body?;
    Ok(Json(del::perform(&c, id, &input).await?))
}

/// The author withdraws the request before the head's consent.
#[utoipa::path(post, path = "/governance/deletions/{id}/withdraw", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, description = "withdrawn", body = DeletionView), (status = 403, description = "not the author (`not_author`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "no longer waiting for consent (`deletion_wrong_stage`)", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn withdraw(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<DeletionView>> {
    let c = ctx(&st, &ra);
    del::may_withdraw(&c, id).await?;
    Ok(Json(del::withdraw(&c, id).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(ask, list))
        .register(routes!(archive))
        .register(routes!(offer))
        .register(routes!(get))
        .register(routes!(consent))
        .register(routes!(perform))
        .register(routes!(withdraw))
}

// ---------- pages ----------

fn states_tabs(state: &str) -> Vec<Value> {
    let href = |s: &str| format!("/governance/deletions?state={s}");
    std::iter::once(tab(href(""), "全部", state.is_empty()))
        .chain(
            DeletionState::ALL
                .iter()
                .map(|s| tab(href(s.code()), zwfw_app::messages::label("deletion_state", s.code()), state == s.code())),
        )
        .collect()
}

/// 删除申请: the requests the reader may see, by state.
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let c = ctx(&st, &ra);
    let page = del::list(&c, &q).await;
    let state = q.state.clone().unwrap_or_default();
    let archive = c.actor.is_some_and(|a| zwfw_domain::access::governance::may_read_deletion_archive(a).is_ok());
    render_result(&st, &ra, "gov_deletions.html", page, |p| {
        let more = p.page * p.per_page < p.total;
        let next = more.then(|| format!("/governance/deletions?state={state}&page={}", p.page + 1));
        let prev = (p.page > 1).then(|| format!("/governance/deletions?state={state}&page={}", p.page - 1));
        context! { p => Value::from_serialize(&p), states => states_tabs(&state), next => next, prev => prev,
        archive_link => archive, archive => false }
    })
}

/// 已删除记录存档 (supervision): the performed deletions.
pub async fn archive_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<ArchiveQuery>) -> Response {
    let page = del::archive(&ctx(&st, &ra), q.page).await;
    render_result(&st, &ra, "gov_deletions.html", page, |p| {
        let more = p.page * p.per_page < p.total;
        let next = more.then(|| format!("/governance/deletions/archive?page={}", p.page + 1));
        let prev = (p.page > 1).then(|| format!("/governance/deletions/archive?page={}", p.page - 1));
        context! { p => Value::from_serialize(&p), states => Vec::<Value>::new(), next => next, prev => prev,
        archive_link => false, archive => true }
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    record_kind: String,
    record_id: Option<i64>,
}

fn new_view(st: &AppState, ra: &RequestAuth, input: &RequestInput, label: &str, error: Option<String>) -> Response {
    render(
        st,
        ra,
        "gov_deletion_new.html",
        context! { i => Value::from_serialize(input), label => label, error => error,
        kind_label => zwfw_app::messages::label("deletion_record_kind", &input.record_kind) },
    )
}

/// The form of a new request, from the record's own page (申请删除).
pub async fn new_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<NewQuery>) -> Response {
    let c = ctx(&st, &ra);
    let id = q.record_id.unwrap_or_default();
    match del::record_label(&c, &q.record_kind, id).await {
        Ok(label) => {
            // A record already asked for: its open request, not a second form.
            if let Some(kind) = RecordKind::parse(q.record_kind.trim()) {
                if let Ok(Some(open)) = del::offer(&c, kind, id).await.map(|o| o.open_request) {
                    return see_other(&format!("/governance/deletions/{open}"));
                }
            }
            let input =
                RequestInput { record_kind: q.record_kind.trim().to_string(), record_id: id, ..Default::default() };
            new_view(&st, &ra, &input, &label, None)
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    record_kind: String,
    #[serde(default)]
    record_id: i64,
    #[serde(default)]
    content: String,
    #[serde(default)]
    reason: String,
}

/// Submits the form: the request's page, or the form again with the message.
pub async fn ask_submit(SignedIn { st, ra, .. }: SignedIn, form: LateForm<AskForm>) -> Response {
    let c = ctx(&st, &ra);
    if let Err(e) = del::may_ask(&c) {
        return error_page(&st, Some(&ra), &e);
    }
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input =
        RequestInput { record_kind: f.record_kind, record_id: f.record_id, content: f.content, reason: f.reason };
    match del::request(&c, &input).await {
        Ok(r) => see_other(&format!("/governance/deletions/{}?done=request", r.id)),
        Err(e) => {
            let e: WebError = e.into();
            match del::record_label(&c, &input.record_kind, input.record_id).await {
                Ok(label) => with_status(new_view(&st, &ra, &input, &label, Some(e.message())), e.status()),
                Err(_) => error_page(&st, Some(&ra), &e),
            }
        }
    }
}

fn flash(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "request" => Some("删除申请已提交，等待部门负责人同意"),
        "consent" => Some("已办理，已通知申请人"),
        "perform" => Some("已办理，已通知申请人和部门负责人"),
        "withdraw" => Some("删除申请已撤回"),
        _ => None,
    }
}

fn detail_view(
    st: &AppState,
    ra: &RequestAuth,
    d: DeletionView,
    flash: Option<&str>,
    error: Option<String>,
) -> Response {
    render(st, ra, "gov_deletion.html", context! { d => Value::from_serialize(&d), flash => flash, error => error })
}

/// One request: the record, what and why, each step, the forms of the next
/// actor, and (supervision, once performed) the rows deleted.
pub async fn detail_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    match del::get(&ctx(&st, &ra), id).await {
        Ok(d) => detail_view(&st, &ra, d, flash(q.done.as_deref()), None),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

async fn verdict_submit(
    st: &AppState,
    ra: &RequestAuth,
    id: i64,
    form: LateForm<VerdictForm>,
    perform: bool,
) -> Response {
    let c = ctx(st, ra);
    let allowed = if perform { del::may_perform(&c, id).await } else { del::may_consent(&c, id).await };
    if let Err(e) = allowed {
        return error_page(st, Some(ra), &e);
    }
    let outcome = async {
        let f = form.parse()?;
        let input = VerdictInput { decision: f.decision, note: f.note };
        let r = if perform { del::perform(&c, id, &input).await } else { del::consent(&c, id, &input).await };
        r.map(|_| format!("/governance/deletions/{id}?done={}", if perform { "perform" } else { "consent" }))
            .map_err(WebError::from)
    }
    .await;
    after_act(st, ra, outcome, del::get(&c, id), |d, error| async move { detail_view(st, ra, d, None, Some(error)) })
        .await
}

pub async fn consent_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<VerdictForm>,
) -> Response {
    verdict_submit(&st, &ra, id, form, false).await
}

pub async fn perform_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<VerdictForm>,
) -> Response {
    verdict_submit(&st, &ra, id, form, true).await
}

pub async fn withdraw_submit(SignedIn { st, ra, .. }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    let c = ctx(&st, &ra);
    let outcome =
        del::withdraw(&c, id).await.map(|_| format!("/governance/deletions/{id}?done=withdraw")).map_err(Into::into);
    let (st, ra) = (&st, &ra);
    after_act(st, ra, outcome, del::get(&c, id), |d, error| async move { detail_view(st, ra, d, None, Some(error)) })
        .await
}

/// The "申请删除" of a record's own page: a link to the form while the
/// reader may ask, or to the open request.
pub async fn offer_context(st: &AppState, ra: &RequestAuth, kind: RecordKind, id: i64) -> Value {
    match del::offer(&ctx(st, ra), kind, id).await {
        Ok(o) if o.may_request || o.open_request.is_some() => Value::from_serialize(&o),
        _ => Value::from(()),
    }
}
