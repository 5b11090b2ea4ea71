//! Pages of consultations, suggestions, complaints and corrections: the public list, the form, tracking, the department's work list and actions, and the handlers on duty.

use crate::http::prelude::*;
use axum::extract::Multipart;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::interaction;
use zwfw_app::interaction::ActionInput;
use zwfw_app::interaction::ListQuery;
use zwfw_app::interaction::SubmitInput;
use zwfw_app::messages::label;
use zwfw_domain::access::interaction as access;
use zwfw_domain::admin::DepartmentKind;
use zwfw_domain::ids::RegionLevel;
use zwfw_domain::interaction::Kind as IKind;
use zwfw_store::interaction as si;

fn opt_id(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|n: &i64| *n > 0)
}

/// The departments and counties a submitter may name.
async fn choices(st: &AppState) -> WebResult<(Vec<Value>, Vec<Value>)> {
    let depts = zwfw_store::admin::list_departments(&st.store).await?;
    let regions = zwfw_store::admin::list_regions(&st.store).await?;
    let departments = depts
        .iter()
        .filter(|d| d.active && matches!(d.kind, DepartmentKind::Approval | DepartmentKind::ServiceCenter))
        .map(|d| context! { id => d.id, name => d.name })
        .collect();
    let counties = regions
        .iter()
        .filter(|r| r.level == RegionLevel::County)
        .map(|r| context! { id => r.id, name => r.name })
        .collect();
    Ok((departments, counties))
}

#[derive(Deserialize, Default)]
pub struct PublicQuery {
    kind: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

/// 政民互动: the four columns and the published answers, with search.
pub async fn public_list(State(st): State<AppState>, Auth(ra): Auth, PageQuery(q): PageQuery<PublicQuery>) -> Response {
    let lq = ListQuery {
        scope: Some("public".into()),
        kind: q.kind.clone(),
        q: q.q.clone(),
        page: q.page,
        ..Default::default()
    };
    render_result(&st, &ra, "interact_list.html", interaction::list(&st, None, &lq).await, |p| {
        context! {
            public => true, page => p, kinds => IKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
            kind => q.kind.unwrap_or_default(), q => q.q.unwrap_or_default(),
        }
    })
}

#[derive(Deserialize, Default)]
pub struct WorkQuery {
    scope: Option<String>,
    state: Option<String>,
    #[serde(default)]
    overdue: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

/// The handling department's list (staff), everything or the conduct
/// complaints (supervision), or the submitter's own.
pub async fn work_list(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<WorkQuery>) -> Response {
    let a = &s.actor;
    let overseer = access::list_reader(Some(a), access::ListScope::All).is_ok();
    let default = if overseer {
        "all"
    } else if access::list_reader(Some(a), access::ListScope::Department).is_ok() {
        "department"
    } else {
        "mine"
    };
    let scope = q.scope.clone().unwrap_or_else(|| default.into());
    let lq = ListQuery {
        scope: Some(scope.clone()),
        state: q.state.clone(),
        q: q.q.clone(),
        overdue: q.overdue.as_deref() == Some("1"),
        page: q.page,
        ..Default::default()
    };
    let tabs = work_tabs(overseer, &scope, q.state.as_deref().unwrap_or(""), lq.overdue);
    render_result(&st, &ra, "interact_list.html", interaction::list(&st, Some(a), &lq).await, |p| {
        context! {
            public => false, page => p, scope => scope, state => q.state.unwrap_or_default(),
            overdue => lq.overdue, q => q.q.unwrap_or_default(),
            tabs => tabs, handlers_link => scope != "mine",
        }
    })
}

/// The tabs of the handling list: everything, the overdue and the conduct
/// complaints (supervision); the submitter's own; or the department's
/// waiting, overdue and answered items.
fn work_tabs(overseer: bool, scope: &str, state: &str, overdue: bool) -> Vec<Value> {
    let t = |query: &str, code: &str, on: bool| {
        tab(format!("/work/interactions?{query}"), label("interaction_tab", code), on)
    };
    if overseer {
        vec![
            t("scope=all", "all", scope == "all" && !overdue),
            t("scope=all&overdue=1", "all_overdue", overdue),
            t("scope=conduct", "conduct", scope == "conduct"),
        ]
    } else if scope == "mine" {
        vec![t("scope=mine", "mine", true)]
    } else {
        vec![
            t("scope=department&state=open", "open", state == "open" && !overdue),
            t("scope=department&overdue=1", "overdue", overdue),
            t("scope=department&state=answered", "answered", state == "answered"),
        ]
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    kind: Option<String>,
}

async fn form_view(st: &AppState, ra: &RequestAuth, kind: IKind, f: &MultipartForm, error: Option<String>) -> Response {
    let (departments, counties) = match choices(st).await {
        Ok(c) => c,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let signed = ra.session.as_ref().is_some_and(|s| access::may_submit(Some(&s.actor)).is_ok());
    let r = render(
        st,
        ra,
        "interact_form.html",
        context! {
            tabs => IKind::ALL.iter().map(|k| {
                tab(format!("/interact/new?kind={}", k.code()), label("interaction_kind", k.code()), *k == kind)
            }).collect::<Vec<_>>(),
            kind => kind.code(), anonymous_allowed => kind.anonymous_allowed(), signed => signed,
            complaint => kind == IKind::Complaint, departments => departments, counties => counties,
            f => f.fields, error => error, max_content => kind.max_content(),
            idem_key => zwfw_app::accounts::sessions::random_token(12),
            staff => ra.session.as_ref().is_some_and(|s| access::may_submit(Some(&s.actor)).is_err()),
        },
    );
    if error.is_some() {
        with_status(r, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        r
    }
}

pub async fn new_page(State(st): State<AppState>, Auth(ra): Auth, PageQuery(q): PageQuery<NewQuery>) -> Response {
    let kind = q.kind.as_deref().and_then(IKind::parse).unwrap_or(IKind::Consultation);
    if !kind.anonymous_allowed() && ra.session.is_none() {
        let next = format!("/interact/new?kind={}", kind.code());
        return Redirect::to(&format!("/login?next={}", crate::http::auth::urlencode(&next))).into_response();
    }
    let empty = MultipartForm { fields: Default::default(), files: vec![] };
    form_view(&st, &ra, kind, &empty, None).await
}

/// Submits the form (multipart: the attachments travel with it).
pub async fn new_submit(State(st): State<AppState>, Auth(ra): Auth, mp: Multipart) -> Response {
    let f = match MultipartForm::read(mp, st.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let kind = IKind::parse(&f.get("kind")).unwrap_or(IKind::Consultation);
    let result = async {
        let mut files = vec![];
        for (_, name, bytes) in f.files.iter().filter(|(field, _, _)| field == "attachment") {
            files.push(interaction::store_attachment(&st, name, bytes).await?);
        }
        let input = SubmitInput {
            kind: kind.code().into(),
            title: f.get("title"),
            content: f.get("content"),
            item_id: opt_id(&f.get("item_id")),
            department_id: opt_id(&f.get("department_id")),
            region_id: opt_id(&f.get("region_id")),
            mobile: Some(f.get("mobile")),
            no_publish: f.get("no_publish") == "1",
            accused_unit: Some(f.get("accused_unit")),
            accused_person: Some(f.get("accused_person")),
            staff_conduct: f.get("staff_conduct") == "1",
            upload_ids: vec![],
            idem_key: Some(f.get("idem_key")).filter(|k| !k.is_empty()),
        };
        interaction::submit(&ctx(&st, &ra), &input, files).await
    }
    .await;
    match result {
        Ok(r) => render(&st, &ra, "interact_done.html", context! { r => r, kind => kind.code() }),
        Err(e) if e.status() == StatusCode::TOO_MANY_REQUESTS || e.status() == StatusCode::FORBIDDEN => {
            with_status(form_view(&st, &ra, kind, &f, Some(e.message())).await, e.status())
        }
        Err(e) => form_view(&st, &ra, kind, &f, Some(e.message())).await,
    }
}

/// An action form on a submission's page: `act` on the submission of the
/// tracking code answers the page to go to; a refusal shows the submission
/// again with its reason.
async fn on_interaction<F: std::future::Future<Output = Result<String, WebError>>>(
    st: &AppState,
    actor: &zwfw_domain::admin::Actor,
    ra: &RequestAuth,
    code: &str,
    act: impl FnOnce(si::InteractionRow) -> F,
) -> Response {
    let found = match si::find_by_code(&st.store, code.trim()).await {
        Ok(Some(r)) => r,
        _ => return error_page(st, Some(ra), &WebError::not_found("interaction")),
    };
    let id = found.id;
    let outcome = act(found).await;
    let reread = interaction::detail(st, Some(actor), id, false);
    after_act(st, ra, outcome, reread, |d, error| detail_view(st, ra, d, None, Some(error))).await
}

/// A submission as its page shows it: the answer's due day to every reader
/// but the public, and each event's note (the answer itself stands under 答复).
fn body(d: &interaction::Detail) -> Value {
    let events: Vec<Value> = d
        .events
        .iter()
        .map(|e| with_fields(e, context! { note => (e.kind != "answered").then(|| e.detail.clone()) }))
        .collect();
    with_fields(d, context! { shows_due => d.reader != access::Reader::Public.code(), events => events })
}

async fn detail_view(
    st: &AppState,
    ra: &RequestAuth,
    d: interaction::Detail,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    let depts = zwfw_store::admin::list_departments(&st.store).await.unwrap_or_default();
    let targets: Vec<Value> = depts
        .iter()
        .filter(|x| x.active && x.id != d.interaction.department_id)
        .map(|x| context! { id => x.id, name => x.name })
        .collect();
    // Supervision may record a complaint about staff conduct as a finding (投诉查实).
    let supervisor =
        ra.session.as_ref().is_some_and(|s| zwfw_domain::access::supervision::may_supervise(&s.actor).is_ok());
    let conduct =
        supervisor && zwfw_domain::supervision::is_conduct_complaint(&d.interaction.kind, d.interaction.staff_conduct);
    let conduct_finding = if conduct {
        zwfw_app::supervision::conduct_finding_of(st, d.interaction.id).await.ok().flatten()
    } else {
        None
    };
    let all_depts: Vec<Value> =
        depts.iter().filter(|x| x.active).map(|x| context! { id => x.id, name => x.name }).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let r = render(
        st,
        ra,
        "interact_detail.html",
        context! {
            d => body(&d), targets => targets, flash => flash, error => error, conduct => conduct,
            conduct_finding => conduct_finding.map(|f| Value::from_serialize(&f)), departments => all_depts,
        },
    );
    with_status(r, status)
}

pub async fn detail_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath(code): PagePath<String>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    let actor = ra.session.as_ref().map(|s| &s.actor);
    let found = match si::find_by_code(&st.store, code.trim()).await {
        Ok(Some(r)) => r,
        Ok(None) => return error_page(&st, Some(&ra), &WebError::not_found("interaction")),
        Err(e) => return error_page(&st, Some(&ra), &e.into()),
    };
    match interaction::detail(&st, actor, found.id, false).await {
        Ok(d) => {
            detail_view(&st, &ra, d, q.done.map(|d| zwfw_app::messages::label("interaction_done", &d)), None).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// An attachment of a submission, to those who may see it (not the public).
pub async fn attachment(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath((code, sm3)): PagePath<(String, String)>,
) -> Response {
    let actor = ra.session.as_ref().map(|s| &s.actor);
    let found = match si::find_by_code(&st.store, code.trim()).await {
        Ok(Some(r)) => r,
        _ => return error_page(&st, Some(&ra), &WebError::not_found("file")),
    };
    match interaction::detail(&st, actor, found.id, false).await {
        Ok(d) => crate::http::files::send_listed(&st, &ra, std::iter::once(&d.interaction.attachments), &sm3).await,
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct ActForm {
    action: String,
    to_department_id: Option<String>,
    days: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reply: String,
    secret: Option<String>,
    withhold_reason: Option<String>,
}

pub async fn act_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(code): PagePath<String>,
    form: LateForm<ActForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let allowed = async {
        let found = si::find_by_code(&st.store, code.trim()).await.ok().flatten();
        let found = found.ok_or_else(|| WebError::not_found("interaction"))?;
        interaction::may_handle(&c, found.id).await?;
        form.parse()
    };
    let f = match allowed.await {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input = ActionInput {
        action: f.action.clone(),
        to_department_id: f.to_department_id.as_deref().and_then(opt_id),
        days: f.days.as_deref().and_then(|d| d.trim().parse().ok()),
        reason: f.reason,
        reply: f.reply,
        secret: f.secret.as_deref() == Some("1"),
        withhold_reason: f.withhold_reason,
    };
    on_interaction(&st, &s.actor, &ra, &code, |found| async move {
        interaction::act(&c, found.id, &input).await?;
        Ok::<_, WebError>(format!("/interact/{}?done={}", found.code, f.action))
    })
    .await
}

pub async fn track_page(State(st): State<AppState>, Auth(ra): Auth) -> Response {
    render(&st, &ra, "interact_track.html", context! { code => "" })
}

#[derive(Deserialize)]
pub struct TrackForm {
    code: String,
    password: String,
}

pub async fn track_submit(State(st): State<AppState>, Auth(ra): Auth, Form(f): Form<TrackForm>) -> Response {
    match interaction::track(&st, &ra.client_addr, &f.code, &f.password).await {
        Ok(d) => render(&st, &ra, "interact_track.html", context! { code => f.code, d => body(&d) }),
        Err(e) => with_status(
            render(&st, &ra, "interact_track.html", context! { code => f.code, error => e.message() }),
            e.status(),
        ),
    }
}

#[derive(Deserialize, Default)]
pub struct ConductForm {
    #[serde(default)]
    found: String,
    department_id: Option<String>,
}

/// 投诉查实: a supervision officer records a complaint about staff conduct as a finding.
pub async fn conduct_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(code): PagePath<String>,
    form: LateForm<ConductForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match zwfw_app::supervision::may_supervise(&c).map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input = zwfw_app::supervision::ConductInput {
        found: f.found,
        department_id: f.department_id.as_deref().and_then(opt_id),
        responsible_user_id: None,
    };
    on_interaction(&st, &s.actor, &ra, &code, |found| async move {
        let finding = zwfw_app::supervision::conduct_finding(&c, found.id, &input).await?;
        Ok::<_, WebError>(format!("/supervision/findings/{}?done=conduct", finding.id))
    })
    .await
}

// ---------- handlers (第七条) and limits ----------

#[derive(Deserialize, Default)]
pub struct HandlersQuery {
    department_id: Option<String>,
    region_id: Option<String>,
    done: Option<String>,
}

/// 留言办理人与时限: each department's named handlers with their numbers and
/// their history; the limit of each kind.
pub async fn handlers_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<HandlersQuery>) -> Response {
    let flash = q.done.map(|d| zwfw_app::messages::label("interaction_done", &d));
    handlers_view(
        &st,
        &ra,
        q.department_id.as_deref().and_then(opt_id),
        q.region_id.as_deref().and_then(opt_id),
        flash,
        None,
    )
    .await
}

async fn handlers_view(
    st: &AppState,
    ra: &RequestAuth,
    department_id: Option<i64>,
    region_id: Option<i64>,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    match interaction::handlers_board(&ctx(st, ra), department_id, region_id).await {
        Ok(board) => {
            let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            let c = context! { flash => flash, error => error, ..Value::from_serialize(&board) };
            with_status(render(st, ra, "interact_handlers.html", c), status)
        }
        Err(e) => error_page(st, Some(ra), &WebError::from(e)),
    }
}

#[derive(Deserialize, Default)]
pub struct HandlerForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    duty: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    handler_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    days: String,
}

pub async fn handlers_submit(SignedIn { st, ra, .. }: SignedIn, form: LateForm<HandlerForm>) -> Response {
    let c = ctx(&st, &ra);
    let f = match interaction::may_manage_some_handlers(&c).map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let dept = opt_id(&f.department_id);
    let result = match f.action.as_str() {
        "add" => match (dept, opt_id(&f.user_id)) {
            (Some(d), Some(u)) => interaction::add_handler(
                &c,
                d,
                &interaction::HandlerInput { user_id: u, duty: f.duty.clone(), mobile: f.mobile.clone() },
            )
            .await
            .map(|_| "handler_added"),
            (None, _) => Err(WebError::invalid("department_id").into()),
            (_, None) => Err(WebError::invalid("handler").into()),
        },
        "end" => match (dept, opt_id(&f.handler_id)) {
            (Some(d), Some(h)) => interaction::end_handler(&c, d, h, &f.reason).await.map(|_| "handler_ended"),
            _ => Err(WebError::not_found("handler").into()),
        },
        "limit" => match (zwfw_domain::interaction::Kind::parse(&f.kind), f.days.trim().parse::<u32>()) {
            (Some(k), Ok(days)) => interaction::set_limit_days(&c, k, days, &f.reason).await.map(|_| "limit_set"),
            (None, _) => Err(WebError::not_found("kind").into()),
            (_, Err(_)) => Err(WebError::with_detail(Kind::Invalid, "invalid_days", "limit").into()),
        },
        _ => Err(WebError::bad("unknown_action").into()),
    };
    match result {
        Ok(done) => {
            let q = dept.map(|d| format!("department_id={d}&")).unwrap_or_default();
            Redirect::to(&format!("/work/interactions/handlers?{q}done={done}")).into_response()
        }
        Err(e) => with_status(handlers_view(&st, &ra, dept, None, None, Some(e.message())).await, e.status()),
    }
}
