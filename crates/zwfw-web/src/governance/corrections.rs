//! 误操作更正: the request from the case's page (申请更正), the lists by state
//! for the heads, the service centre and the supervision office, a
//! request's page with the head's and the centre's forms, and their API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use minijinja::{context, Value};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::governance::corrections::{
    self as cor, CorrectionPage, CorrectionView, ListQuery, Offer, RequestInput, VerdictInput,
};
use zwfw_domain::governance::deletion::DeletionState;

// ---------- API ----------

/// The officer who recorded an action on a case (or a head of the case's
/// department) asks for its correction, naming the event by its number.
#[utoipa::path(post, path = "/governance/corrections", tag = "governance", request_body = RequestInput,
    responses((status = 201, description = "asked; the heads of the case's department are told", body = CorrectionView), (status = 403, description = "not who recorded the event nor a head of the case's department, or not staff (`not_author`, `supervision_reads_only`, `not_in_department`, `staff_only`)", body = ErrorBody), (status = 404, description = "no such case, or another department's", body = ErrorBody), (status = 409, description = "the event may no longer be corrected, is corrected already or has an open request; a licence, a 双公示 record or a 审管 push names the applicant; a decision delivered already, or a licence issued under it changed since (`correction_not_possible`, `correction_already_done`, `correction_already_requested`, `correction_license_issued`, `correction_records_derived`, `correction_decision_delivered`, `correction_license_changed`)", body = ErrorBody), (status = 422, description = "no such event on the case, an event of another kind, a bad kind, the content or the reason missing or too long; corrected applicant data missing, invalid as at application, the identity of an online application, or no change (`correction_no_such_event`, `correction_wrong_kind`, `bad_correction_kind`, `invalid_correction_text`, `correction_values_required`, `invalid_applicant`, `invalid_resident_id`, `invalid_credit_code`, `invalid_mobile`, `invalid_email`, `correction_identity_of_account`, `correction_no_change`)", body = ErrorBody), (status = 400, description = "a bad body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn ask(
    SignedIn { st, ra, .. }: SignedIn,
    body: Result<ApiJson<RequestInput>, WebError>,
) -> WebResult<(StatusCode, Json<CorrectionView>)> {
    let c = ctx(&st, &ra);
    cor::may_ask(&c)?;
    let ApiJson(input) = body?;
    Ok((StatusCode::CREATED, Json(cor::request(&c, &input).await?)))
}

/// The correction requests the caller may read, newest first: the centre
/// and the supervision office all, a department head their department's,
/// anyone else their own.
#[utoipa::path(get, path = "/governance/corrections", tag = "governance", params(ListQuery),
    responses((status = 200, body = CorrectionPage), (status = 400, description = "a bad parameter (`bad_filter`)", body = ErrorBody), (status = 422, description = "a page out of range", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not staff (`staff_only`)", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    SignedIn { st, ra, .. }: SignedIn,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<CorrectionPage>> {
    Ok(Json(cor::list(&ctx(&st, &ra), &q).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferQuery {
    case_id: i64,
}

/// The events of a case the caller may ask to correct now, and the
/// correction requests of the case the caller may read.
#[utoipa::path(get, path = "/governance/corrections/offer", tag = "governance", params(OfferQuery),
    responses((status = 200, body = Offer), (status = 404, description = "no such case, or one the caller may not read", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn offer(SignedIn { st, ra, .. }: SignedIn, ApiQuery(q): ApiQuery<OfferQuery>) -> WebResult<Json<Offer>> {
    Ok(Json(cor::offer(&ctx(&st, &ra), q.case_id).await?))
}

/// One correction request.
#[utoipa::path(get, path = "/governance/corrections/{id}", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, body = CorrectionView), (status = 404, description = "not found, or one the caller may not read", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<CorrectionView>> {
    Ok(Json(cor::get(&ctx(&st, &ra), id).await?))
}

/// A head of the case's department consents (`approve`) or refuses with a reason.
#[utoipa::path(post, path = "/governance/corrections/{id}/consent", tag = "governance", params(("id" = i64, Path)), request_body = VerdictInput,
    responses((status = 200, description = "decided; the requester (and on consent the centre) is told", body = CorrectionView), (status = 403, description = "not a head of the case's department, or the requester (`needs_dept_head`, `not_in_department`, `own_request`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "not waiting for consent (`correction_wrong_stage`)", body = ErrorBody), (status = 422, description = "a bad decision, or a refusal without its reason (`bad_verdict`, `invalid_correction_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn consent(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<VerdictInput>, WebError>,
) -> WebResult<Json<CorrectionView>> {
    let c = ctx(&st, &ra);
    cor::may_consent(&c, id).await?;
    let ApiJson(input) = body?;
    Ok(Json(cor::consent(&c, id, &input).await?))
}

/// The service centre carries out a consented correction (`approve`: the
/// corrective event appended to the case) or refuses it with a reason.
#[utoipa::path(post, path = "/governance/corrections/{id}/perform", tag = "governance", params(("id" = i64, Path)), request_body = VerdictInput,
    responses((status = 200, description = "carried out or refused; the requester and the head are told, and supervision of a correction carried out", body = CorrectionView), (status = 403, description = "not the service centre, or the requester (`missing_role`, `supervision_reads_only`, `own_request`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "not consented, or the event may no longer be corrected (`correction_wrong_stage`, `correction_not_possible`, `correction_already_done`, `correction_license_issued`, `correction_records_derived`, `correction_no_change`)", body = ErrorBody), (status = 422, description = "a bad decision, or a refusal without its reason (`bad_verdict`, `invalid_correction_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn perform(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<VerdictInput>, WebError>,
) -> WebResult<Json<CorrectionView>> {
    let c = ctx(&st, &ra);
    cor::may_perform(&c, id).await?;
    let ApiJson(input) = body?;
    Ok(Json(cor::perform(&c, id, &input).await?))
}

/// The requester withdraws the request before the head's consent.
#[utoipa::path(post, path = "/governance/corrections/{id}/withdraw", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, description = "withdrawn", body = CorrectionView), (status = 403, description = "not the requester (`not_author`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "no longer waiting for consent (`correction_wrong_stage`)", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn withdraw(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<CorrectionView>> {
    let c = ctx(&st, &ra);
    cor::may_withdraw(&c, id).await?;
    Ok(Json(cor::withdraw(&c, id).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(ask, list))
        .register(routes!(offer))
        .register(routes!(get))
        .register(routes!(consent))
        .register(routes!(perform))
        .register(routes!(withdraw))
}

// ---------- pages ----------

fn states_tabs(state: &str) -> Vec<Value> {
    let href = |s: &str| format!("/governance/corrections?state={s}");
    std::iter::once(tab(href(""), "全部", state.is_empty()))
        .chain(
            DeletionState::ALL.iter().map(|s| {
                tab(href(s.code()), zwfw_app::messages::label("correction_state", s.code()), state == s.code())
            }),
        )
        .collect()
}

/// 更正申请: the requests the reader may see, by state.
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let page = cor::list(&ctx(&st, &ra), &q).await;
    let state = q.state.clone().unwrap_or_default();
    render_result(&st, &ra, "gov_corrections.html", page, |p| {
        let more = p.page * p.per_page < p.total;
        let next = more.then(|| format!("/governance/corrections?state={state}&page={}", p.page + 1));
        let prev = (p.page > 1).then(|| format!("/governance/corrections?state={state}&page={}", p.page - 1));
        context! { p => Value::from_serialize(&p), states => states_tabs(&state), next => next, prev => prev }
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    case_id: Option<i64>,
}

fn new_view(st: &AppState, ra: &RequestAuth, input: &RequestInput, offer: &Offer, error: Option<String>) -> Response {
    render(
        st,
        ra,
        "gov_correction_new.html",
        context! { i => Value::from_serialize(input), o => Value::from_serialize(offer), error => error },
    )
}

/// The form of a new request, from the case's page (申请更正): the events
/// the reader may ask to correct.
pub async fn new_page(SignedIn { st, ra, s }: SignedIn, PageQuery(q): PageQuery<NewQuery>) -> Response {
    if let Err(r) = zwfw_domain::access::correction::may_open_request_form(&s.actor) {
        let e = zwfw_app::AppError::with_detail(zwfw_app::Kind::Forbidden, r.code(), "correction_request");
        return error_page(&st, Some(&ra), &e);
    }
    let case_id = q.case_id.unwrap_or_default();
    match cor::offer(&ctx(&st, &ra), case_id).await {
        Ok(o) => {
            let input = RequestInput {
                case_id,
                event_seq: o.events.first().map_or(0, |e| e.seq),
                correction_kind: o.events.first().map(|e| e.correction_kind.clone()).unwrap_or_default(),
                ..Default::default()
            };
            new_view(&st, &ra, &input, &o, None)
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    case_id: i64,
    /// "seq:kind" of the event chosen.
    #[serde(default)]
    event: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    reason: String,
    /// The corrected applicant data (申请人信息有误); empty keeps the value recorded.
    #[serde(default)]
    applicant_kind: String,
    #[serde(default)]
    applicant_name: String,
    #[serde(default)]
    applicant_id_no: String,
    #[serde(default)]
    applicant_mobile: String,
    #[serde(default)]
    applicant_address: String,
    #[serde(default)]
    applicant_email: String,
}

/// Submits the form: the request's page, or the form again with the message.
pub async fn ask_submit(SignedIn { st, ra, .. }: SignedIn, form: LateForm<AskForm>) -> Response {
    let c = ctx(&st, &ra);
    if let Err(e) = cor::may_ask(&c) {
        return error_page(&st, Some(&ra), &e);
    }
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let (seq, kind) = f.event.split_once(':').unwrap_or((f.event.as_str(), ""));
    let applicant = (kind.trim() == "applicant_data").then_some(zwfw_domain::governance::correction::ApplicantRecord {
        kind: f.applicant_kind,
        name: f.applicant_name,
        id_no: f.applicant_id_no,
        mobile: f.applicant_mobile,
        address: f.applicant_address,
        email: f.applicant_email,
    });
    let input = RequestInput {
        case_id: f.case_id,
        event_seq: seq.trim().parse().unwrap_or(0),
        correction_kind: kind.trim().to_string(),
        content: f.content,
        reason: f.reason,
        applicant,
    };
    match cor::request(&c, &input).await {
        Ok(r) => see_other(&format!("/governance/corrections/{}?done=request", r.id)),
        Err(e) => {
            let e: WebError = e.into();
            match cor::offer(&c, input.case_id).await {
                Ok(o) => with_status(new_view(&st, &ra, &input, &o, Some(e.message())), e.status()),
                Err(_) => error_page(&st, Some(&ra), &e),
            }
        }
    }
}

fn flash(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "request" => Some("更正申请已提交，等待部门负责人同意"),
        "consent" => Some("已办理，已通知申请人"),
        "perform" => Some("已办理，已通知申请人、部门负责人和监察室"),
        "withdraw" => Some("更正申请已撤回"),
        _ => None,
    }
}

fn detail_view(
    st: &AppState,
    ra: &RequestAuth,
    d: CorrectionView,
    flash: Option<&str>,
    error: Option<String>,
) -> Response {
    render(st, ra, "gov_correction.html", context! { d => Value::from_serialize(&d), flash => flash, error => error })
}

/// One request: the case and the record, what and why, each step, and the
/// forms of the next actor.
pub async fn detail_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    match cor::get(&ctx(&st, &ra), id).await {
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
    let allowed = if perform { cor::may_perform(&c, id).await } else { cor::may_consent(&c, id).await };
    if let Err(e) = allowed {
        return error_page(st, Some(ra), &e);
    }
    let outcome = async {
        let f = form.parse()?;
        let input = VerdictInput { decision: f.decision, note: f.note };
        let r = if perform { cor::perform(&c, id, &input).await } else { cor::consent(&c, id, &input).await };
        r.map(|_| format!("/governance/corrections/{id}?done={}", if perform { "perform" } else { "consent" }))
            .map_err(WebError::from)
    }
    .await;
    after_act(st, ra, outcome, cor::get(&c, id), |d, error| async move { detail_view(st, ra, d, None, Some(error)) })
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
        cor::withdraw(&c, id).await.map(|_| format!("/governance/corrections/{id}?done=withdraw")).map_err(Into::into);
    let (st, ra) = (&st, &ra);
    after_act(st, ra, outcome, cor::get(&c, id), |d, error| async move { detail_view(st, ra, d, None, Some(error)) })
        .await
}

/// The "申请更正" of a case's page: the events the reader may ask to correct
/// and the requests on the case, when there is either.
pub async fn offer_context(st: &AppState, ra: &RequestAuth, case_id: i64) -> Value {
    // Only staff ask for or read corrections: the applicant's page reads nothing more.
    if !ra.session.as_ref().is_some_and(|s| s.actor.is_staff()) {
        return Value::from(());
    }
    match cor::offer(&ctx(st, ra), case_id).await {
        Ok(o) if !o.events.is_empty() || !o.requests.is_empty() => Value::from_serialize(&o),
        _ => Value::from(()),
    }
}
