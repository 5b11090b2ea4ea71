//! The case API under `/api/v1`: uploads, applications, inboxes, actions, progress (also by case number and query password), documents.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::header;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::cases;
use zwfw_app::cases::ActResult;
use zwfw_app::cases::ActionInput;
use zwfw_app::cases::ApplicationInput;
use zwfw_app::cases::CaseDetail;
use zwfw_app::cases::Draft;
use zwfw_app::cases::DraftInput;
use zwfw_app::cases::MaterialRef;
use zwfw_app::cases::Submitted;
use zwfw_domain::admin::Actor;
use zwfw_domain::admin::Role;
use zwfw_domain::cases::Urgency;
use zwfw_store::cases as sc;
use zwfw_store::cases::CaseFilter;
use zwfw_store::cases::CaseRow;
use zwfw_store::cases::InboxScope;

/// The colour of a due date as of today.
pub fn due_urgency(st: &zwfw_app::App, due: Option<&str>) -> Option<Urgency> {
    let due = chrono::NaiveDate::parse_from_str(due?, "%Y-%m-%d").ok()?;
    let today = st.today();
    if today > due {
        return Some(Urgency::Red);
    }
    let left = st.calendar().working_days_between(today, due).ok()?;
    Some(if left <= 1 { Urgency::Yellow } else { Urgency::Green })
}

#[derive(Serialize, ToSchema)]
pub struct UploadView {
    pub id: i64,
    pub file_name: String,
    /// pdf | jpg | png | ofd
    pub kind: String,
    pub size: i64,
}

/// Uploads a material (multipart field `file`: PDF, JPEG, PNG or OFD, checked by content).
#[utoipa::path(post, path = "/uploads", tag = "cases",
    request_body(content = crate::http::files::FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = UploadView), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_upload(
    SignedIn { st, ra, .. }: SignedIn,
    mp: axum::extract::Multipart,
) -> WebResult<(StatusCode, Json<UploadView>)> {
    let (name, bytes) = MultipartForm::read(mp, st.config.max_upload_bytes).await?.take_file()?;
    let u = cases::upload(&ctx(&st, &ra), &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(UploadView { id: u.id, file_name: u.file_name, kind: u.kind, size: u.size })))
}

/// Applies for a published item (public users), or registers a counter application (counter staff).
#[utoipa::path(post, path = "/items/{id}/applications", tag = "cases", params(("id" = i64, Path)), request_body = ApplicationInput,
    responses((status = 201, body = Submitted), (status = 200, description = "a repeat: the first result", body = Submitted), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_apply(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ApplicationInput>,
) -> WebResult<(StatusCode, Json<Submitted>)> {
    let c = ctx(&st, &ra);
    cases::may_apply(&c, id).await?;
    let r = cases::apply(&c, id, &body.parse()?).await?;
    Ok((if r.repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(r)))
}

#[derive(Deserialize, ToSchema, Default)]
#[schema(as = CaseListQuery)]
pub struct ListQuery {
    /// mine (an applicant's own) | department (staff) | all (supervision)
    pub scope: Option<String>,
    pub state: Option<String>,
    /// Case number or applicant name.
    pub q: Option<String>,
    /// With scope=all: one department's cases (its own and the joint reviews it takes part in).
    pub dept: Option<String>,
    /// Submitted on or after this day (YYYY-MM-DD, China time).
    pub from: Option<String>,
    /// Submitted on or before this day (YYYY-MM-DD).
    pub to: Option<String>,
    pub page: Option<i64>,
}

impl ListQuery {
    /// The scope asked for, or the actor's default.
    pub fn scope_for(&self, actor: &Actor) -> &str {
        self.scope.as_deref().filter(|s| !s.is_empty()).unwrap_or(if actor.is_staff() { "department" } else { "mine" })
    }

    /// The query string that repeats this list's filters (for the next page).
    pub fn filters_query(&self) -> String {
        let enc = |v: &Option<String>| crate::http::auth::urlencode(v.as_deref().unwrap_or(""));
        format!(
            "scope={}&state={}&q={}&dept={}&from={}&to={}",
            enc(&self.scope),
            enc(&self.state),
            enc(&self.q),
            enc(&self.dept),
            enc(&self.from),
            enc(&self.to)
        )
    }
}

/// A day of a list filter (YYYY-MM-DD), if one was sent.
fn filter_day(v: &Option<String>) -> WebResult<Option<chrono::NaiveDate>> {
    Ok(v.as_deref().filter(|s| !s.trim().is_empty()).map(zwfw_app::calendar::parse_date).transpose()?)
}

/// A case in a list, with the colour of its current deadline.
#[derive(Serialize, ToSchema)]
pub struct CaseItem {
    #[serde(flatten)]
    pub case: CaseRow,
    pub urgency: Option<Urgency>,
}

fn items(st: &zwfw_app::App, rows: Vec<CaseRow>) -> Vec<CaseItem> {
    rows.into_iter()
        .map(|c| {
            let u = due_urgency(st, c.p.step_due.as_deref());
            CaseItem { case: c, urgency: u }
        })
        .collect()
}

pub fn list_filter(actor: &Actor, q: &ListQuery) -> WebResult<CaseFilter> {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let (from, to) = (filter_day(&q.from)?, filter_day(&q.to)?);
    let (submitted_from_ms, submitted_before_ms) = zwfw_domain::clock::days_span_ms(from, to).ok_or_else(|| {
        WebError::with_detail(
            Kind::BadInput,
            "invalid_date_range",
            from.zip(to).map(|(a, b)| format!("{a} {b}")).unwrap_or_default(),
        )
    })?;
    let mut f = CaseFilter {
        state: q.state.clone().filter(|s| !s.is_empty()),
        q: q.q.clone(),
        submitted_from_ms,
        submitted_before_ms,
        limit: 50,
        offset: (page - 1) * 50,
        ..CaseFilter::default()
    };
    let dept = match q.dept.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(d) => Some(d.parse::<i64>().map_err(|_| WebError::invalid("department_id"))?),
    };
    match q.scope_for(actor) {
        "mine" if !actor.is_staff() && dept.is_none() => f.applicant_user_id = Some(actor.user_id),
        "department" if actor.is_staff() && dept.is_none() => {
            f.department_id = Some(actor.department_id.ok_or_else(WebError::forbidden)?)
        }
        "all" if actor.has(Role::Supervisor) || actor.is_global_admin() => f.department_id = dept,
        _ => return Err(WebError::forbidden()),
    }
    Ok(f)
}

/// Lists cases: an applicant's own, a department's (with the joint reviews it takes part in), or all (supervision).
#[utoipa::path(get, path = "/cases", tag = "cases", params(("scope" = Option<String>, Query), ("state" = Option<String>, Query), ("q" = Option<String>, Query), ("dept" = Option<i64>, Query, description = "with scope=all"), ("from" = Option<String>, Query, description = "submitted on or after, YYYY-MM-DD"), ("to" = Option<String>, Query, description = "submitted on or before, YYYY-MM-DD"), ("page" = Option<i64>, Query)),
    responses((status = 422, description = "an unknown department or a bad date range", body = ErrorBody), (status = 200, body = [CaseItem]), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_list(
    SignedIn { st, s, .. }: SignedIn,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<Vec<CaseItem>>> {
    let f = list_filter(&s.actor, &q)?;
    Ok(Json(items(&st, sc::list(&st.store, &f).await?)))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct InboxQuery {
    /// department (default) | mine (transferred to me) | joint (joint reviews waiting for my department) | decide (waiting for my decision as department head: extensions, online withdrawals, conclusions, the head's steps)
    pub scope: Option<String>,
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = CaseInbox)]
pub struct Inbox {
    pub total: i64,
    pub items: Vec<CaseItem>,
}

pub async fn inbox(st: &zwfw_app::App, actor: &Actor, q: &InboxQuery) -> WebResult<Inbox> {
    let dept = actor.department_id.filter(|_| actor.is_staff()).ok_or_else(WebError::forbidden)?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let scope = match q.scope.as_deref().unwrap_or("department") {
        "department" => InboxScope::Department(dept),
        "mine" => InboxScope::Assignee(actor.user_id),
        "joint" => InboxScope::Joint(dept),
        "decide" => {
            let waiting = cases::head_decisions(st, actor).await?;
            let total = waiting.len() as i64;
            let rows = waiting.into_iter().skip(((page - 1) * 50) as usize).take(50).map(|(r, _)| r).collect();
            return Ok(Inbox { total, items: items(st, rows) });
        }
        _ => return Err(WebError::with_detail(Kind::BadInput, "bad_request", "scope")),
    };
    let (rows, total) = sc::inbox(&st.store, scope, 50, (page - 1) * 50).await?;
    Ok(Inbox { total, items: items(st, rows) })
}

/// A department's (or one's own) tasks, soonest deadline first.
///
/// For a department head, `scope=decide` lists what waits for their own
/// decision (待我决定).
#[utoipa::path(get, path = "/inbox", tag = "cases", params(("scope" = Option<String>, Query, description = "department (default) | mine | joint | decide (department heads only)"), ("page" = Option<i64>, Query)),
    responses((status = 200, body = Inbox), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_inbox(SignedIn { st, s, .. }: SignedIn, ApiQuery(q): ApiQuery<InboxQuery>) -> WebResult<Json<Inbox>> {
    Ok(Json(inbox(&st, &s.actor, &q).await?))
}

/// A case with its timeline, clock, materials and documents.
#[utoipa::path(get, path = "/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_get(SignedIn { st, s, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<CaseDetail>> {
    Ok(Json(cases::detail(&st, Some(&s.actor), id, false).await?))
}

/// Takes an action on a case (see `ActionInput.action`).
#[utoipa::path(post, path = "/cases/{id}/actions", tag = "cases", params(("id" = i64, Path)), request_body = ActionInput,
    responses((status = 200, body = ActResult), (status = 403, body = ErrorBody), (status = 409, description = "already handled, or not possible in this state", body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_act(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ActionInput>,
) -> WebResult<Json<ActResult>> {
    let c = ctx(&st, &ra);
    cases::may_act_on(&c, id).await?;
    Ok(Json(cases::act(&c, id, &body.parse()?).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = CaseTrackInput)]
pub struct TrackInput {
    pub case_no: String,
    pub password: String,
}

/// Follows a case without signing in, with its number and query password.
#[utoipa::path(post, path = "/track", tag = "cases", request_body = TrackInput,
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody), (status = 429, description = "too many failed attempts (`track_limited`), or this address made the configured number of look-ups in 15 minutes (`track_lookup_limited`, the detail is the limit)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)))]
pub async fn api_track(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiJson(t): ApiJson<TrackInput>,
) -> WebResult<Json<CaseDetail>> {
    Ok(Json(cases::track(&st, &ra.client_addr, &t.case_no, &t.password).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = CaseTrackCodeInput)]
pub struct TrackCodeInput {
    /// 居民身份证号码 or 统一社会信用代码 of the applicant.
    pub id_no: String,
    /// The mobile the applications gave.
    pub mobile: String,
}

/// Sends a one-time code by SMS to the mobile, if cases of that identity number gave it (answered the same either way).
#[utoipa::path(post, path = "/track/code", tag = "cases", request_body = TrackCodeInput,
    responses((status = 204, description = "sent if such cases exist"), (status = 429, description = "asked again within a minute, too many failed attempts, or this address made the configured number of look-ups in 15 minutes (`track_lookup_limited`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)))]
pub async fn api_track_code(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiJson(t): ApiJson<TrackCodeInput>,
) -> WebResult<StatusCode> {
    cases::send_track_code(&st, &ra.client_addr, &t.id_no, &t.mobile).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[schema(as = CaseTrackIdentityInput)]
pub struct TrackIdentityInput {
    pub id_no: String,
    pub mobile: String,
    /// The six-digit code of the SMS (valid five minutes, used once).
    pub code: String,
}

/// Follows the cases of an identity number and mobile without signing in, with the SMS code.
#[utoipa::path(post, path = "/track/identity", tag = "cases", request_body = TrackIdentityInput,
    responses((status = 200, body = [CaseDetail]), (status = 404, description = "wrong code", body = ErrorBody), (status = 409, description = "the code expired, was used or had too many wrong tries", body = ErrorBody), (status = 429, description = "too many failed attempts (`track_limited`), or this address made the configured number of look-ups in 15 minutes (`track_lookup_limited`, the detail is the limit)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)))]
pub async fn api_track_identity(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiJson(t): ApiJson<TrackIdentityInput>,
) -> WebResult<Json<Vec<CaseDetail>>> {
    Ok(Json(cases::track_by_identity(&st, &ra.client_addr, &t.id_no, &t.mobile, &t.code).await?))
}

/// Everything a reader may download from a case is checked here.
async fn readable_case(st: &AppState, ra: &RequestAuth, id: i64) -> WebResult<CaseRow> {
    let actor = ra.session.as_ref().map(|s| &s.actor).ok_or_else(|| WebError::not_found("case"))?;
    Ok(cases::detail(st, Some(actor), id, false).await.map(|d| d.case)?)
}

fn file_response(bytes: Vec<u8>, mime: &str, name: &str) -> Response {
    let disp = crate::http::files::attachment("file", name);
    ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disp)], bytes).into_response()
}

pub async fn document(st: &AppState, ra: &RequestAuth, id: i64, doc_id: i64) -> WebResult<Response> {
    let actor = ra.session.as_ref().map(|s| &s.actor).ok_or_else(|| WebError::not_found("case"))?;
    let d = cases::detail(st, Some(actor), id, false).await?;
    let doc = d.documents.into_iter().find(|d| d.id == doc_id).ok_or_else(|| WebError::not_found("document"))?;
    // A decision corrected: its document is no longer valid, for every reader.
    if doc.superseded {
        return Err(WebError::new(Kind::Gone, "document_superseded"));
    }
    let case = d.case;
    let bytes = zwfw_app::documents::pdf(st, &case, &doc).await?;
    let name = format!("{}-{}.pdf", zwfw_app::messages::label("doc_kind", &doc.kind), case.case_no.unwrap_or_default());
    Ok(file_response(bytes, "application/pdf", &name))
}

/// Downloads an official document of a case as PDF.
#[utoipa::path(get, path = "/cases/{id}/documents/{doc_id}", tag = "cases", params(("id" = i64, Path), ("doc_id" = i64, Path)),
    responses((status = 200, description = "the document", body = crate::http::files::FileBytes, content_type = "application/pdf"), (status = 404, body = ErrorBody), (status = 410, description = "the document's decision was corrected: it is no longer valid (`document_superseded`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_document(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiPath((id, doc_id)): ApiPath<(i64, i64)>,
) -> WebResult<Response> {
    document(&st, &ra, id, doc_id).await
}

pub async fn material(st: &AppState, ra: &RequestAuth, id: i64, mid: i64) -> WebResult<Response> {
    readable_case(st, ra, id).await?;
    let m = sc::materials(&st.store, id)
        .await?
        .into_iter()
        .find(|m| m.id == mid)
        .ok_or_else(|| WebError::not_found("material"))?;
    let bytes = st.file(&m.file_sm3).await?.ok_or_else(|| WebError::not_found("file"))?;
    let mime = match m.kind.as_str() {
        "pdf" => "application/pdf",
        "jpg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/octet-stream",
    };
    Ok(file_response(bytes, mime, &m.file_name))
}

/// Downloads a material of a case.
#[utoipa::path(get, path = "/cases/{id}/materials/{mid}", tag = "cases", params(("id" = i64, Path), ("mid" = i64, Path)),
    responses((status = 200, description = "the file", content(
        (crate::http::files::FileBytes = "application/pdf"),
        (crate::http::files::FileBytes = "image/jpeg"),
        (crate::http::files::FileBytes = "image/png"),
        (crate::http::files::FileBytes = "application/octet-stream"))), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_material(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiPath((id, mid)): ApiPath<(i64, i64)>,
) -> WebResult<Response> {
    material(&st, &ra, id, mid).await
}

#[derive(Serialize, ToSchema)]
pub struct EMaterialView {
    pub id: i64,
    pub name: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
    /// A | B | C | D
    pub trust: String,
    pub source_case_id: Option<i64>,
    /// The licence version this entry is (a result of a granted case), if it is one.
    pub license_id: Option<i64>,
    pub created_at: i64,
}

pub async fn e_materials(st: &AppState, actor: &Actor) -> WebResult<Vec<EMaterialView>> {
    if actor.is_staff() {
        return Err(WebError::forbidden());
    }
    Ok(sc::e_materials(&st.store, actor.user_id)
        .await?
        .into_iter()
        .map(|m| EMaterialView {
            id: m.id,
            name: m.name,
            file_name: m.file_name,
            kind: m.kind,
            size: m.size,
            trust: m.trust,
            source_case_id: m.source_case_id,
            license_id: m.license_id,
            created_at: m.created_at,
        })
        .collect())
}

/// The applicant's e-materials library (电子要件库).
#[utoipa::path(get, path = "/e-materials", tag = "cases", responses((status = 200, body = [EMaterialView]), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_e_materials(SignedIn { st, s, .. }: SignedIn) -> WebResult<Json<Vec<EMaterialView>>> {
    Ok(Json(e_materials(&st, &s.actor).await?))
}

/// For each material of an item: the signed-in applicant's electronic
/// licences that may serve as it (valid today, of the licence type the
/// material names) and whether a 告知承诺 may replace it, with its text.
#[utoipa::path(get, path = "/items/{id}/material-options", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = [cases::MaterialOption]), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "no such published item", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_material_options(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Json<Vec<cases::MaterialOption>>> {
    Ok(Json(cases::material_options(&ctx(&st, &ra), id).await?))
}

/// Marks a 告知承诺 of the case unfulfilled (the case's department: counter,
/// reviewers, head): recorded once, audited, the applicant told, and a
/// supervision finding (rule A09) opened.
#[utoipa::path(post, path = "/cases/{id}/materials/{mid}/unfulfilled", tag = "cases", params(("id" = i64, Path), ("mid" = i64, Path, description = "the case material that is the commitment")), request_body = cases::UnfulfilledInput,
    responses((status = 201, body = sc::BreachRow), (status = 409, description = "already marked, or the case is a draft", body = ErrorBody), (status = 422, description = "no reason", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not the case's department", body = ErrorBody), (status = 404, description = "no such case or commitment, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_commitment_unfulfilled(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath((id, mid)): ApiPath<(i64, i64)>,
    body: LateJson<cases::UnfulfilledInput>,
) -> WebResult<(StatusCode, Json<sc::BreachRow>)> {
    let c = ctx(&st, &ra);
    cases::may_mark_unfulfilled(&c, id).await?;
    Ok((StatusCode::CREATED, Json(cases::mark_unfulfilled(&c, id, mid, &body.parse()?).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct OriginalInput {
    pub name: String,
    pub copies: i64,
}

/// Registers a paper original received at the counter.
#[utoipa::path(post, path = "/cases/{id}/originals", tag = "cases", params(("id" = i64, Path)), request_body = OriginalInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_original(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<OriginalInput>,
) -> WebResult<StatusCode> {
    let c = ctx(&st, &ra);
    cases::may_handle_originals(&c, id).await?;
    let o = body.parse()?;
    cases::original(&c, id, &o.name, o.copies, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records that a paper original was returned to the applicant.
#[utoipa::path(post, path = "/cases/{id}/originals/{oid}/return", tag = "cases", params(("id" = i64, Path), ("oid" = i64, Path)),
    responses((status = 204), (status = 409, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_original_return(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath((id, oid)): ApiPath<(i64, i64)>,
) -> WebResult<StatusCode> {
    cases::original(&ctx(&st, &ra), id, "", 0, Some(oid)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[schema(as = CaseQueryPassword)]
pub struct QueryPasswordView {
    /// The new query password, shown once; the old one stops working.
    pub query_password: String,
}

/// Gives the case a new query password (the first was lost): its applicant, or the implementing department's counter.
#[utoipa::path(post, path = "/cases/{id}/query-password", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = QueryPasswordView), (status = 409, description = "a draft has no query password yet", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_query_password(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Json<QueryPasswordView>> {
    Ok(Json(QueryPasswordView { query_password: cases::reset_query_password(&ctx(&st, &ra), id).await? }))
}

/// A saved draft, for its author to go on with.
#[utoipa::path(get, path = "/cases/{id}/draft", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Draft), (status = 409, description = "no longer a draft", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_draft(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<Draft>> {
    Ok(Json(cases::draft(&ctx(&st, &ra), id).await?))
}

/// Changes a draft: contact details, form (required fields may stay empty) and materials to add or replace.
#[utoipa::path(put, path = "/cases/{id}/draft", tag = "cases", params(("id" = i64, Path)), request_body = DraftInput,
    responses((status = 200, body = Draft), (status = 409, description = "no longer a draft", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_draft_update(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<DraftInput>,
) -> WebResult<Json<Draft>> {
    let c = ctx(&st, &ra);
    cases::may_edit_draft(&c, id).await?;
    Ok(Json(cases::update_draft(&c, id, &body.parse()?).await?))
}

/// Adds a material to a draft (an upload of the caller's or an e-material of the applicant's); it replaces a file the draft holds for the same material.
#[utoipa::path(post, path = "/cases/{id}/draft/materials", tag = "cases", params(("id" = i64, Path)), request_body = MaterialRef,
    responses((status = 200, body = Draft), (status = 409, description = "no longer a draft", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_draft_material_add(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<MaterialRef>,
) -> WebResult<Json<Draft>> {
    let c = ctx(&st, &ra);
    cases::may_edit_draft(&c, id).await?;
    let input = DraftInput { materials: vec![body.parse()?], ..DraftInput::default() };
    Ok(Json(cases::update_draft(&c, id, &input).await?))
}

/// Takes a material off a draft.
#[utoipa::path(delete, path = "/cases/{id}/draft/materials/{mid}", tag = "cases", params(("id" = i64, Path), ("mid" = i64, Path)),
    responses((status = 200, body = Draft), (status = 409, description = "no longer a draft", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_draft_material_remove(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath((id, mid)): ApiPath<(i64, i64)>,
) -> WebResult<Json<Draft>> {
    Ok(Json(cases::remove_draft_material(&ctx(&st, &ra), id, mid).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[schema(as = CaseDraftSubmit)]
pub struct DraftSubmit {
    /// A repeated request with the same key returns the first result.
    pub idem_key: Option<String>,
}

/// Submits a complete draft: the case gets its number and a query password (shown once).
#[utoipa::path(post, path = "/cases/{id}/draft/submit", tag = "cases", params(("id" = i64, Path)), request_body = DraftSubmit,
    responses((status = 201, body = Submitted), (status = 200, description = "a repeat: the first result", body = Submitted), (status = 409, description = "no longer a draft", body = ErrorBody), (status = 422, description = "incomplete: a required field or material is missing", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found, or not visible to the caller", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_draft_submit(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<DraftSubmit>,
) -> WebResult<(StatusCode, Json<Submitted>)> {
    let c = ctx(&st, &ra);
    cases::may_edit_draft(&c, id).await?;
    let input = body.parse()?;
    let r = cases::submit_draft(&c, id, input.idem_key.as_deref()).await?;
    Ok((if r.repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(r)))
}

/// The cases endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_upload))
        .register(routes!(api_apply))
        .register(routes!(api_list))
        .register(routes!(api_inbox))
        .register(routes!(api_get))
        .register(routes!(api_act))
        .register(routes!(api_track))
        .register(routes!(api_document))
        .register(routes!(api_material))
        .register(routes!(api_e_materials))
        .register(routes!(api_material_options))
        .register(routes!(api_commitment_unfulfilled))
        .register(routes!(api_original))
        .register(routes!(api_original_return))
        .register(routes!(api_draft, api_draft_update))
        .register(routes!(api_draft_material_add))
        .register(routes!(api_draft_material_remove))
        .register(routes!(api_draft_submit))
        .register(routes!(api_query_password))
        .register(routes!(api_track_code))
        .register(routes!(api_track_identity))
}
