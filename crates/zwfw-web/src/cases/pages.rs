//! Case pages: applying online and at the counter, lists and inboxes, a case with its timeline and the actions open to the reader, supplements, documents, paper originals, following a case by number and query password, and the e-materials library.

use super::api::{InboxQuery, ListQuery};
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::cases;
use zwfw_app::cases::ActionInput;
use zwfw_domain::access::cases as access;
use zwfw_domain::admin::Actor;
use zwfw_domain::admin::Role;
use zwfw_store::cases as sc;

fn actor(ra: &RequestAuth) -> Option<&Actor> {
    ra.session.as_ref().map(|s| &s.actor)
}

pub use super::apply::*;

// ---------- lists ----------

fn list_rows(st: &AppState, rows: Vec<sc::CaseRow>) -> Vec<Value> {
    rows.into_iter()
        .map(|c| {
            let u = super::api::due_urgency(st, c.p.step_due.as_deref());
            list_row(st, &c, u)
        })
        .collect()
}

/// A case as the lists show it: its fields, the colour of its deadline and the time left in words.
fn list_row(st: &AppState, c: &sc::CaseRow, urgency: Option<zwfw_domain::cases::Urgency>) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or_default();
    let left =
        c.p.step_due
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|due| zwfw_domain::cases::time_left(&st.calendar(), st.today(), due).ok())
            .map(zwfw_app::messages::time_left_text);
    if let Some(o) = v.as_object_mut() {
        o.insert("urgency".into(), serde_json::to_value(urgency).unwrap_or_default());
        o.insert("time_left".into(), serde_json::to_value(left).unwrap_or_default());
    }
    Value::from_serialize(&v)
}

const STATES: [&str; 9] = [
    "draft",
    "submitted",
    "supplementing",
    "in_progress",
    "deciding",
    "concluded",
    "delivered",
    "refused",
    "withdrawn",
];

pub async fn cases_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let a = &s.actor;
    let f = match super::api::list_filter(a, &q) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let rows = match sc::list(&st.store, &f).await {
        Ok(r) => r,
        Err(e) => return error_page(&st, Some(&ra), &e.into()),
    };
    let all = q.scope_for(a) == "all";
    let heading = match (a.is_staff(), all) {
        (false, _) => "我的办件",
        (true, false) => "本部门办件",
        (true, true) => "全部办件",
    };
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let more = (rows.len() as i64 == f.limit).then(|| format!("/cases?{}&page={}", q.filters_query(), page + 1));
    // Reading all cases, a department can be chosen.
    let departments: Vec<Value> = if all {
        match zwfw_store::admin::list_departments(&st.store).await {
            Ok(ds) => ds
                .iter()
                .map(|d| context! { id => d.id.to_string(), name => d.name, on => q.dept.as_deref() == Some(d.id.to_string().as_str()) })
                .collect(),
            Err(e) => return error_page(&st, Some(&ra), &e.into()),
        }
    } else {
        vec![]
    };
    let mut tabs = vec![];
    if a.is_staff() && (a.has(Role::Supervisor) || a.is_global_admin()) {
        if a.department_id.is_some() {
            tabs.push(context! { href => "/cases?scope=department", label => "本部门", n => "", on => !all });
        }
        tabs.push(context! { href => "/cases?scope=all", label => "全部", n => "", on => all });
    }
    render(
        &st,
        &ra,
        "cases.html",
        context! {
            heading => heading, search => true, q => q.q, state => q.state, states => STATES, scope => q.scope,
            departments => departments, from => q.from, to => q.to,
            rows => list_rows(&st, rows), total => Value::from(()), more => more, tabs => tabs,
        },
    )
}

pub async fn inbox_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<InboxQuery>) -> Response {
    let a = &s.actor;
    let Some(dept) = a.department_id.filter(|_| a.is_staff()) else {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    };
    let inbox = match super::api::inbox(&st, a, &q).await {
        Ok(i) => i,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let scope = q.scope.clone().unwrap_or_else(|| "department".into());
    let mut tabs = vec![];
    for (code, label, sc_) in [
        ("department", "本部门待办", sc::InboxScope::Department(dept)),
        ("mine", "转给我的", sc::InboxScope::Assignee(a.user_id)),
        ("joint", "待会办", sc::InboxScope::Joint(dept)),
    ] {
        let n =
            if code == scope { inbox.total } else { sc::inbox(&st.store, sc_, 0, 0).await.map(|r| r.1).unwrap_or(0) };
        tabs.push(
            context! { href => format!("/work/inbox?scope={code}"), label => label, n => n, on => code == scope },
        );
    }
    // A department head's own decisions.
    let decide = match scope.as_str() {
        "decide" => Some(inbox.total),
        _ => cases::head_decisions(&st, a).await.ok().map(|w| w.len() as i64),
    };
    if let Some(n) = decide {
        tabs.push(
            context! { href => "/work/inbox?scope=decide", label => "待我决定", n => n, on => scope == "decide" },
        );
    }
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let more = (page * 50 < inbox.total).then(|| format!("/work/inbox?scope={scope}&page={}", page + 1));
    let rows: Vec<Value> = inbox.items.into_iter().map(|i| list_row(&st, &i.case, i.urgency)).collect();
    render(
        &st,
        &ra,
        "cases.html",
        context! { heading => "待办事项", tabs => tabs, rows => rows, total => inbox.total, more => more, search => false },
    )
}

// ---------- one case ----------

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    done: Option<String>,
}

/// The view of a case: its detail plus what the page needs to offer the actions.
async fn case_view(
    st: &AppState,
    ra: &RequestAuth,
    id: i64,
    flash: Option<String>,
    error: Option<String>,
    extra: Value,
) -> WebResult<Response> {
    let a = actor(ra).ok_or_else(|| WebError::not_found("case"))?;
    let d = cases::detail(st, Some(a), id, false).await?;
    let content = cases::item_version(st, d.case.version_id).await?;
    let depts = zwfw_store::admin::list_departments(&st.store).await?;
    let dept_name = |id: i64| depts.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_default();
    let has = |k: &str| d.actions.iter().any(|x| x == k);
    let case_facts = cases::facts(&d.case);
    let numbered = d.case.case_no.is_some();
    let can = context! {
        any => d.actions.iter().any(|x| x != "supplement_provide"),
        submit => has("submit"), accept => has("accept"), pass => has("pass"),
        joint_answer => has("joint_answer"), joint_close => has("joint_close"), ret => has("return"),
        transfer => has("transfer"), extension_request => has("extension_request"),
        extension_decide => has("extension_decide"), special_start => has("special_start"),
        special_end => has("special_end"), conclude => has("conclude"), urge => has("urge"),
        deliver => has("deliver"), withdraw => has("withdraw"), supplement => has("supplement_provide"),
        withdrawal_request => has("withdrawal_request"), withdrawal_decline => has("withdrawal_decline"),
        originals => numbered && access::may_handle_originals(a, &case_facts).is_ok(),
        reset_password => numbered && access::may_reset_query_password(a, &case_facts).is_ok(),
        backfill => numbered && access::may_enter_later(a).is_ok(),
    };
    let steps: Vec<Value> = content
        .steps
        .iter()
        .enumerate()
        .take(d.case.p.step_no.max(0) as usize)
        .map(|(i, s)| context! { n => i + 1, name => s.name })
        .collect();
    let colleagues: Vec<Value> = if has("transfer") {
        cases::transfer_targets(st, a, id)
            .await?
            .into_iter()
            .map(|u| context! { id => u.id, name => u.display_name })
            .collect()
    } else {
        vec![]
    };
    let joint: Vec<Value> = d
        .joint
        .iter()
        .map(|(dep, _, due, answered)| context! { name => dept_name(*dep), due => due, answered => answered })
        .collect();
    let form_fields: Vec<(String, String)> = d
        .case
        .form
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                .filter(|(_, v)| !v.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut special_kinds = content.special_procedures.clone();
    for k in ["现场核查", "检验检测", "专家评审", "听证", "公示", "招标拍卖"] {
        if !special_kinds.iter().any(|s| s == k) {
            special_kinds.push(k.into());
        }
    }
    let ratings = zwfw_app::rating::of_case(st, id).await?;
    let applicant = access::is_applicant(a, &case_facts);
    let rate_stages = if applicant { zwfw_app::rating::open_stages(&d.case, &ratings) } else { vec![] };
    let rating_qr = zwfw_domain::access::rating::may_make_link(a, d.case.department_id).is_ok()
        && !zwfw_app::rating::open_stages(&d.case, &ratings).is_empty();
    // The supplement form offers the ways the apply form does, with the same rules.
    let (supplement_materials, library) = if has("supplement_provide") {
        let options = cases::sources::options_of(&ctx(st, ra), &content).await?;
        let library = if a.is_staff() { vec![] } else { super::api::e_materials(st, a).await? };
        (super::apply::material_form_rows(&content, &[], &options), library)
    } else {
        (vec![], vec![])
    };
    let registry_kind = zwfw_app::cases::registry_kind(&d.case.applicant_kind).code();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let events = timeline(&d, &dept_name);
    // The licence the grant issues: its number, status and links, or why it waits.
    let license = zwfw_app::licenses::verify::of_case(&ctx(st, ra), id).await?;
    let license = (license.job.is_some() || !license.licenses.is_empty()).then(|| Value::from_serialize(&license));
    let correction = crate::governance::corrections::offer_context(st, ra, id).await;
    let r = render(
        st,
        ra,
        "case.html",
        context! {
            ..extra,
            ..context! {
                d => timeline_detail(&d, events),
                docs_link => true,
                dept_name => dept_name(d.case.department_id),
                can => can, steps => steps, colleagues => colleagues, joint => joint,
                form_fields => form_fields, special_kinds => special_kinds, outcomes => outcomes(&d.outcomes),
                item_materials => supplement_materials, library => library,
                applicant => context! { registry_kind => registry_kind },
                idem_key => zwfw_app::accounts::sessions::random_token(12),
                flash => flash, error => error,
                ratings => ratings, stages => rate_stages, rating_qr => rating_qr, case_id => id, license => license,
                correction => correction,
                channel => if ra.mobile_client { "mobile" } else { "pc" },
            }
        },
    );
    Ok(with_status(r, status))
}

/// The conclusions open to the reader, each with the document it issues (if any).
fn outcomes(codes: &[String]) -> Vec<Value> {
    use zwfw_domain::cases::{DocKind, EventKind, Outcome};
    codes
        .iter()
        .filter_map(|c| Outcome::parse(c))
        .map(|o| {
            let kind = EventKind::Concluded {
                outcome: o,
                reason: String::new(),
                document_no: String::new(),
                valid_until: None,
                fee_fen: None,
            };
            let issues = DocKind::of(&kind).map(|k| zwfw_app::messages::label("doc_kind", k.code()));
            // A grant names the licence's number; every other conclusion its reason.
            let names_licence = o == Outcome::Granted;
            context! { code => o.code(), label => zwfw_app::messages::label("outcome", o.code()), issues => issues, names_licence => names_licence }
        })
        .collect()
}

/// The timeline lines of a case: label, text and the step it happened in.
fn timeline(d: &cases::CaseDetail, names: &dyn Fn(i64) -> String) -> Vec<Value> {
    // 误操作更正: each event corrected, with the request it was corrected under.
    use zwfw_domain::governance::correction::CorrectionKind;
    // A step pass or a conclusion corrected: struck out.
    let mut corrected = zwfw_app::governance::corrections::corrected_on(&d.events, CorrectionKind::StepPassed);
    corrected.extend(zwfw_app::governance::corrections::corrected_on(&d.events, CorrectionKind::Conclusion));
    // Wrong applicant data: the acceptance stands, its data corrected (the last request).
    let data = zwfw_app::governance::corrections::corrected_on(&d.events, CorrectionKind::ApplicantData);
    d.events
        .iter()
        .map(|e| {
            let corrected_by = corrected.iter().find(|(seq, _)| *seq == e.seq).map(|(_, request)| *request);
            let data_corrected_by = data.iter().rev().find(|(seq, _)| *seq == e.seq).map(|(_, request)| *request);
            let ev = serde_json::from_value::<zwfw_domain::cases::Event>(e.body.clone()).ok();
            let text = ev.as_ref().map(|ev| zwfw_app::messages::case_event_text(&ev.kind, names)).unwrap_or_default();
            // 补录: entered later, at its real time; the fault, the paper number, when it was entered.
            let backfill = ev.and_then(|ev| ev.backfill).map(|b| {
                context! {
                    fault_id => b.fault_id, fault => zwfw_app::faults::number(b.fault_id),
                    paper_no => b.paper_no, entered_at => b.entered_at_ms,
                }
            });
            context! {
                seq => e.seq, corrected_by => corrected_by, data_corrected_by => data_corrected_by,
                at => e.at, label => zwfw_app::messages::case_event_label(&e.kind), text => text, backfill => backfill,
                actor_name => e.actor_name,
                step_name => e.step_name,
            }
        })
        .collect()
}

fn timeline_detail(d: &cases::CaseDetail, events: Vec<Value>) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("events");
    }
    // The acceptance decision's due day matters only while the decision is pending.
    let awaiting_acceptance = d.case.p.state == zwfw_domain::cases::CaseState::Submitted.code();
    context! { ..Value::from_serialize(&v), ..context! { events => events, awaiting_acceptance => awaiting_acceptance } }
}

pub async fn case_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<CaseQuery>,
) -> Response {
    let flash = q.done.as_deref().map(|d| zwfw_app::messages::label("case_done", d));
    match case_view(&st, &ra, id, flash, None, context! {}).await {
        Ok(r) => r,
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// The action forms of the case page (urlencoded; empty fields mean "not given").
#[derive(Deserialize, Default)]
pub struct ActForm {
    action: String,
    expected_seq: Option<String>,
    idem_key: Option<String>,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    missing: String,
    step: Option<String>,
    to_user: Option<String>,
    days: Option<String>,
    approved: Option<String>,
    agree: Option<String>,
    kind: Option<String>,
    outcome: Option<String>,
    document_no: Option<String>,
    valid_until: Option<String>,
    /// The fee charged, in yuan (元, up to two decimals).
    fee: Option<String>,
    method: Option<String>,
    tracking_no: Option<String>,
    /// 办结 is confirmed with a tick (the form asks for it).
    confirm: Option<String>,
}

/// A sum in yuan as written ("12", "12.5", "12.50") in fen.
fn yuan_to_fen(v: &Option<String>) -> WebResult<Option<i64>> {
    let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let bad = || WebError::with_detail(Kind::Invalid, "invalid_action", "fee_fen");
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole.checked_mul(100).and_then(|w| w.checked_add(frac)).map(Some).ok_or_else(bad)
}

fn num<T: std::str::FromStr>(v: &Option<String>, field: &'static str) -> WebResult<Option<T>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.parse().map(Some).map_err(|_| WebError::with_detail(Kind::Invalid, "invalid_action", field)),
        None => Ok(None),
    }
}

fn yes_no(v: &Option<String>) -> Option<bool> {
    match v.as_deref() {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    }
}

impl ActForm {
    fn input(&self) -> WebResult<ActionInput> {
        Ok(ActionInput {
            action: self.action.clone(),
            expected_seq: num(&self.expected_seq, "expected_seq")?,
            idem_key: self.idem_key.clone(),
            opinion: self.opinion.clone(),
            missing: self.missing.lines().map(str::to_string).collect(),
            step: num(&self.step, "step")?,
            to_user: num(&self.to_user, "to_user")?,
            days: num(&self.days, "days")?,
            approved: yes_no(&self.approved),
            agree: yes_no(&self.agree),
            kind: self.kind.clone(),
            outcome: self.outcome.clone(),
            document_no: self.document_no.clone(),
            valid_until: self.valid_until.clone(),
            fee_fen: yuan_to_fen(&self.fee)?,
            method: self.method.clone(),
            tracking_no: self.tracking_no.clone(),
            materials: vec![],
        })
    }
}

async fn after_action(
    st: &AppState,
    ra: &RequestAuth,
    id: i64,
    action: &str,
    r: Result<(), zwfw_app::AppError>,
) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/cases/{id}?done={action}")).into_response(),
        Err(e) => {
            let status = e.status();
            match case_view(st, ra, id, None, Some(e.message()), context! {}).await {
                Ok(r) => with_status(r, if status.is_success() { StatusCode::UNPROCESSABLE_ENTITY } else { status }),
                Err(e2) => error_page(st, Some(ra), &e2),
            }
        }
    }
}

pub async fn act_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<ActForm>,
) -> Response {
    let c = ctx(&st, &ra);
    // Who may not act on the case is refused whatever the form says.
    let f = match cases::may_act_on(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let r = async {
        if f.action == "conclude" && f.confirm.as_deref() != Some("1") {
            return Err(WebError::with_detail(Kind::Invalid, "confirmation_required", "confirm").0);
        }
        cases::act(&c, id, &f.input()?).await.map(|_| ())
    }
    .await;
    after_action(&st, &ra, id, &f.action, r).await
}

pub async fn supplement_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    mp: LateMultipart,
) -> Response {
    let c = ctx(&st, &ra);
    let mp = match cases::may_act_on(&c, id).await.map_err(WebError::from).and_then(|()| mp.open()) {
        Ok(mp) => mp,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let r = async {
        let form = MultipartForm::read(mp, st.config.max_upload_bytes).await?;
        let input = ActionInput {
            action: "supplement_provide".into(),
            expected_seq: num(&Some(form.get("expected_seq")), "expected_seq")?,
            idem_key: Some(form.get("idem_key")),
            materials: match form.materials(&st, &ra).await {
                (_, Some(refused)) => return Err(refused.0),
                (m, None) => m,
            },
            ..ActionInput::default()
        };
        cases::act(&ctx(&st, &ra), id, &input).await.map(|_| ())
    }
    .await;
    after_action(&st, &ra, id, "supplement_provide", r).await
}

#[derive(Deserialize)]
pub struct UnfulfilledForm {
    reason: String,
}

/// The department marks a 告知承诺 of the case unfulfilled.
pub async fn commitment_unfulfilled_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath((id, mid)): PagePath<(i64, i64)>,
    form: LateForm<UnfulfilledForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match cases::may_mark_unfulfilled(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input = cases::UnfulfilledInput { reason: f.reason };
    let r = cases::mark_unfulfilled(&c, id, mid, &input).await.map(|_| ());
    after_action(&st, &ra, id, "commitment_unfulfilled", r).await
}

#[derive(Deserialize)]
pub struct OriginalForm {
    name: String,
    copies: String,
}

pub async fn original_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<OriginalForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match cases::may_handle_originals(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let copies = f.copies.trim().parse::<i64>().unwrap_or(0);
    let r = cases::original(&c, id, &f.name, copies, None).await;
    after_action(&st, &ra, id, "original", r).await
}

pub async fn original_return_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath((id, oid)): PagePath<(i64, i64)>,
) -> Response {
    let r = cases::original(&ctx(&st, &ra), id, "", 0, Some(oid)).await;
    after_action(&st, &ra, id, "original_return", r).await
}

pub async fn query_password_submit(SignedIn { st, ra, .. }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    match cases::reset_query_password(&ctx(&st, &ra), id).await {
        Ok(p) => {
            let flash = format!("新的查询密码：{p}（只显示这一次，原查询密码已失效）");
            match case_view(&st, &ra, id, Some(flash), None, context! { new_password => p }).await {
                Ok(r) => r,
                Err(e) => error_page(&st, Some(&ra), &e),
            }
        }
        Err(e) => after_action(&st, &ra, id, "", Err(e)).await,
    }
}

pub async fn document_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath((id, doc)): PagePath<(i64, i64)>,
) -> Response {
    match super::api::document(&st, &ra, id, doc).await {
        Ok(r) => r,
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

pub async fn material_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath((id, mid)): PagePath<(i64, i64)>,
) -> Response {
    match super::api::material(&st, &ra, id, mid).await {
        Ok(r) => r,
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

// ---------- following a case without signing in ----------

pub async fn track_page(State(st): State<AppState>, Auth(ra): Auth) -> Response {
    render(&st, &ra, "track.html", context! { case_no => "" })
}

#[derive(Deserialize)]
pub struct TrackForm {
    case_no: String,
    password: String,
}

pub async fn track_submit(State(st): State<AppState>, Auth(ra): Auth, Form(f): Form<TrackForm>) -> Response {
    match cases::track(&st, &ra.client_addr, &f.case_no, &f.password).await {
        Ok(d) => {
            let found = vec![public_timeline(&st, &d).await];
            render(&st, &ra, "track.html", context! { case_no => f.case_no, found => found })
        }
        Err(e) => with_status(
            render(&st, &ra, "track.html", context! { case_no => f.case_no, error => e.message() }),
            e.status(),
        ),
    }
}

/// A case's detail with its timeline, as the public sees it.
async fn public_timeline(st: &AppState, d: &cases::CaseDetail) -> Value {
    let depts = zwfw_store::admin::list_departments(&st.store).await.unwrap_or_default();
    let name = |id: i64| depts.iter().find(|x| x.id == id).map(|x| x.name.clone()).unwrap_or_default();
    timeline_detail(d, timeline(d, &name))
}

#[derive(Deserialize)]
pub struct TrackIdentityForm {
    id_no: String,
    mobile: String,
    /// Empty: send a code; given: look the cases up.
    #[serde(default)]
    code: String,
    /// 重新获取验证码.
    #[serde(default)]
    resend: String,
}

/// 办件查询 by identity number and mobile: first the SMS code is sent, then the cases shown.
pub async fn track_identity_submit(
    State(st): State<AppState>,
    Auth(ra): Auth,
    Form(f): Form<TrackIdentityForm>,
) -> Response {
    let ask = context! { id_no => f.id_no.trim(), mobile => f.mobile.trim() };
    let r = if f.code.trim().is_empty() || f.resend == "1" {
        cases::send_track_code(&st, &ra.client_addr, &f.id_no, &f.mobile).await.map(|_| {
            let flash = zwfw_app::messages::label("track", "code_sent");
            context! { ask => ask.clone(), code_sent => true, flash => flash }
        })
    } else {
        match cases::track_by_identity(&st, &ra.client_addr, &f.id_no, &f.mobile, f.code.trim()).await {
            Ok(ds) => {
                let mut found = vec![];
                for d in &ds {
                    found.push(public_timeline(&st, d).await);
                }
                Ok(context! { ask => ask.clone(), found => found, none => ds.is_empty() })
            }
            Err(e) => Err(e),
        }
    };
    match r {
        Ok(c) => render(&st, &ra, "track.html", c),
        Err(e) => with_status(
            render(&st, &ra, "track.html", context! { ask => ask, code_sent => true, error => e.message() }),
            e.status(),
        ),
    }
}

pub async fn e_materials_page(SignedIn { st, s, ra }: SignedIn) -> Response {
    render_result(
        &st,
        &ra,
        "materials.html",
        super::api::e_materials(&st, &s.actor).await,
        |rows| context! { rows => rows },
    )
}

#[cfg(test)]
mod tests {
    use super::yuan_to_fen;

    #[test]
    fn fees_in_yuan_become_fen() {
        let f = |s: &str| yuan_to_fen(&Some(s.to_string())).ok().flatten();
        assert_eq!(f("12"), Some(1200));
        assert_eq!(f("12.5"), Some(1250));
        assert_eq!(f(" 0.05 "), Some(5));
        assert_eq!(yuan_to_fen(&Some(" ".into())).unwrap(), None);
        for bad in ["12.505", "-1", "1e3", ".5", "一百", "99999999999999999999"] {
            assert!(yuan_to_fen(&Some(bad.into())).is_err(), "{bad}");
        }
    }
}
