//! Pages of electronic supervision: the dashboard (监察人员), the findings and
//! their rectification, oversight orders, the rules. Department staff see
//! their own department's findings and orders here and answer them. The
//! templates hold the text; every page calls the same service functions as
//! the API.

use crate::http::prelude::*;
use zwfw_domain::supervision::FindingState;
use zwfw_domain::supervision::ObjectKind;
use zwfw_domain::supervision::OrderState;

use crate::http::auth::RequestAuth;
use crate::http::error::Kind;
use crate::http::error::WebError;
use crate::http::error::WebResult;
use crate::http::state::AppState;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::messages::label;
use zwfw_app::supervision as sv;
use zwfw_app::supervision::FindingActionInput;
use zwfw_app::supervision::FindingQuery;
use zwfw_app::supervision::OrderActionInput;
use zwfw_app::supervision::OrderInput;
use zwfw_app::supervision::RuleInput;
use zwfw_domain::access::supervision as access;
use zwfw_domain::supervision::RuleCode;
use zwfw_domain::supervision::Severity;

fn flash(done: &Option<String>) -> Option<String> {
    done.as_deref().map(|d| label("supervision_done", d))
}

/// 监察总览: supervision officers only; department staff go to their findings.
pub async fn dashboard_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<DoneQuery>) -> Response {
    if !access::may_read_overview(&s.actor) {
        return Redirect::to("/supervision/findings").into_response();
    }
    match sv::dashboard(&st, &s.actor).await {
        Ok(d) => {
            // Inside a script element: no "<" that could close it.
            let data = serde_json::to_string(&*d).unwrap_or_default().replace('<', "\\u003c");
            render(
                &st,
                &ra,
                "sv_dashboard.html",
                context! { d => Value::from_serialize(&*d), data => data, flash => flash(&q.done) },
            )
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct EvaluateForm {
    full: Option<String>,
}

/// The form, once the reader is known to be a supervision officer.
pub(crate) fn supervised<T>(st: &AppState, ra: &RequestAuth, form: LateForm<T>) -> Result<T, WebError> {
    sv::may_supervise(&ctx(st, ra))?;
    form.parse()
}

pub async fn evaluate_submit(SignedIn { st, ra, .. }: SignedIn, form: LateForm<EvaluateForm>) -> Response {
    let f = match supervised(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match sv::evaluate(&st, f.full.as_deref() == Some("1")).await {
        Ok(Some(r)) => {
            let c = ctx(&st, &ra);
            let e = c.entry("supervision_evaluate", "supervision", 0, serde_json::to_value(&r).unwrap_or_default(), "");
            if let Err(e) = c.audit_alone(e).await {
                return error_page(&st, Some(&ra), &e);
            }
            Redirect::to("/supervision?done=evaluate").into_response()
        }
        Ok(None) => error_page(&st, Some(&ra), &WebError::new(Kind::Conflict, "evaluation_running")),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// Filter choices for the findings list.
async fn choices(st: &AppState) -> WebResult<(Vec<Value>, Vec<Value>)> {
    let depts = zwfw_store::admin::list_departments(&st.store).await?;
    let regions = zwfw_store::admin::list_regions(&st.store).await?;
    Ok((
        depts.iter().filter(|d| d.active).map(|d| context! { id => d.id, name => d.name }).collect(),
        regions
            .iter()
            .filter(|r| r.level == zwfw_domain::ids::RegionLevel::County)
            .map(|r| context! { id => r.id, name => r.name })
            .collect(),
    ))
}

#[derive(Deserialize, Default)]
pub struct ListForm {
    department_id: Option<String>,
    county_region_id: Option<String>,
    severity: Option<String>,
    rule: Option<String>,
    state: Option<String>,
    case_id: Option<String>,
    reply_overdue: Option<String>,
    page: Option<i64>,
}

fn opt_id(s: &Option<String>) -> Option<i64> {
    s.as_deref().and_then(|s| s.trim().parse().ok()).filter(|n: &i64| *n > 0)
}

fn opt_text(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.trim().is_empty())
}

pub async fn findings_page(SignedIn { st, s, ra }: SignedIn, PageQuery(f): PageQuery<ListForm>) -> Response {
    let q = FindingQuery {
        department_id: opt_id(&f.department_id),
        county_region_id: opt_id(&f.county_region_id),
        severity: opt_text(&f.severity),
        rule: opt_text(&f.rule),
        state: opt_text(&f.state),
        case_id: opt_id(&f.case_id),
        reply_overdue: f.reply_overdue.as_deref() == Some("1"),
        page: f.page,
    };
    let page = match sv::list_findings(&st, &s.actor, &q).await {
        Ok(p) => p,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let (departments, counties) = choices(&st).await.unwrap_or_default();
    let supervisor = access::list_scope(&s.actor).is_ok_and(|d| d.is_none());
    // The filter as a query string, for the paging links.
    let keep: Vec<String> = [
        ("department_id", q.department_id.map(|v| v.to_string())),
        ("county_region_id", q.county_region_id.map(|v| v.to_string())),
        ("severity", q.severity.clone()),
        ("rule", q.rule.clone()),
        ("state", q.state.clone()),
        ("case_id", q.case_id.map(|v| v.to_string())),
        ("reply_overdue", q.reply_overdue.then(|| "1".to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k}={}", crate::http::auth::urlencode(&v))))
    .collect();
    let today = zwfw_app::cases::day_text(st.today());
    let rows: Vec<Value> = page
        .rows
        .iter()
        .map(|r| {
            let overdue =
                FindingState::parse(&r.state).is_some_and(|s| s.reply_overdue(r.reply_due.as_deref(), &today));
            let case_href = (r.object_kind == ObjectKind::Case.code()).then(|| format!("/cases/{}", r.object_id));
            with_fields(r, context! { reply_overdue => overdue, case_href => case_href })
        })
        .collect();
    render(
        &st,
        &ra,
        "sv_findings.html",
        context! {
            page => page, rows => rows, supervisor => supervisor, departments => departments, counties => counties,
            severities => Severity::ALL.iter().map(|s| s.code()).collect::<Vec<_>>(),
            rules => RuleCode::ALL.iter().map(|r| r.code()).collect::<Vec<_>>(),
            states => std::iter::once(FindingState::ACTIVE_CODE)
                .chain(FindingState::ALL.iter().map(|s| s.code()))
                .collect::<Vec<_>>(),
            f => context! {
                department_id => q.department_id, county_region_id => q.county_region_id,
                severity => q.severity.unwrap_or_default(), rule => q.rule.unwrap_or_default(),
                state => q.state.unwrap_or_default(), case_id => q.case_id, reply_overdue => q.reply_overdue,
            },
            keep => keep.join("&"),
        },
    )
}

/// A finding and an oversight order are followed alike: a page with the
/// object and its history, an action form with attachments (reply, accept,
/// reject, close; answer for an order), and the history's attachments to
/// those who may read the object.
macro_rules! followed_pages {
    ($view:ident, $page:ident, $act_submit:ident, $file:ident: $detail:path, $may:path, $act:path, $input:ident, $base:literal, $template:literal) => {
        async fn $view(
            st: &AppState,
            ra: &RequestAuth,
            d: impl serde::Serialize,
            flash: Option<String>,
            error: Option<String>,
        ) -> Response {
            let object = serde_json::to_value(&d).ok().and_then(|v| object_link(&v));
            render(st, ra, $template, context! { d => d, object => object, flash => flash, error => error })
        }

        pub async fn $page(
            SignedIn { st, s, ra }: SignedIn,
            PagePath(id): PagePath<i64>,
            PageQuery(q): PageQuery<DoneQuery>,
        ) -> Response {
            match $detail(&st, &s.actor, id).await {
                Ok(d) => $view(&st, &ra, d, flash(&q.done), None).await,
                Err(e) => error_page(&st, Some(&ra), &e),
            }
        }

        pub async fn $act_submit(
            SignedIn { st, s, ra }: SignedIn,
            PagePath(id): PagePath<i64>,
            mp: LateMultipart,
        ) -> Response {
            let outcome = async {
                $may(&ctx(&st, &ra), id).await?;
                let (action, text, files) = action_form(&st, mp.open()?).await?;
                $act(&ctx(&st, &ra), id, &$input { action: action.clone(), text }, files).await?;
                Ok(format!(concat!($base, "/{}?done={}"), id, action))
            }
            .await;
            let reread = $detail(&st, &s.actor, id);
            after_act(&st, &ra, outcome, reread, |d, error| $view(&st, &ra, d, None, Some(error))).await
        }

        pub async fn $file(SignedIn { st, s, ra }: SignedIn, PagePath((id, sm3)): PagePath<(i64, String)>) -> Response {
            match $detail(&st, &s.actor, id).await {
                Ok(d) => crate::http::files::send_listed(&st, &ra, d.events.iter().map(|e| &e.files), &sm3).await,
                Err(e) => error_page(&st, Some(&ra), &e),
            }
        }
    };
}

followed_pages!(finding_view, finding_page, finding_act_submit, finding_file:
    sv::finding_detail, sv::may_act_on_finding, sv::finding_act, FindingActionInput, "/supervision/findings", "sv_finding.html");
followed_pages!(order_view, order_page, order_act_submit, order_file:
    sv::order_detail, sv::may_act_on_order, sv::order_act, OrderActionInput, "/supervision/orders", "sv_order.html");

/// The object of a finding (`d.finding`) as its page shows it: the kind's
/// label, the link to the object's own page where it has one, and whether
/// that page is a case's (with its whole history and clocks).
fn object_link(d: &serde_json::Value) -> Option<Value> {
    let f = d.get("finding")?;
    let (kind, id, no) = (f["object_kind"].as_str()?, &f["object_id"], f["object_no"].as_str().unwrap_or(""));
    let href = match ObjectKind::parse(kind) {
        Some(ObjectKind::Case) => Some(format!("/cases/{id}")),
        Some(ObjectKind::Interaction) => Some(format!("/interact/{no}")),
        Some(ObjectKind::Rating) => Some(format!("/ratings/{id}")),
        Some(ObjectKind::Handover) => Some(format!("/handover/{id}")),
        Some(ObjectKind::MaintenanceRequest) => Some(format!("/governance/requests/{id}")),
        _ => None,
    };
    let named = ObjectKind::parse(kind) != Some(ObjectKind::Rating);
    Some(context! {
        label => named.then(|| label("object_kind", kind)),
        href => href,
        is_case => ObjectKind::parse(kind) == Some(ObjectKind::Case),
    })
}

/// The action, its text and its attachments (stored) from an action form.
async fn action_form(st: &AppState, mp: Multipart) -> WebResult<(String, String, Vec<sv::Attachment>)> {
    let f = MultipartForm::read(mp, st.config.max_upload_bytes).await?;
    let mut files = vec![];
    for (_, name, bytes) in f.files.iter().filter(|(field, _, b)| field == "attachment" && !b.is_empty()) {
        files.push(zwfw_app::interaction::store_attachment(st, name, bytes).await?);
    }
    Ok((f.get("action"), f.get("text"), files))
}

#[derive(Deserialize, Default)]
pub struct OrderForm {
    finding_id: Option<String>,
    department_id: Option<String>,
    case_id: Option<String>,
    #[serde(default)]
    content: String,
    days: Option<String>,
    idem_key: Option<String>,
}

pub async fn order_submit(SignedIn { st, s, ra }: SignedIn, form: LateForm<OrderForm>) -> Response {
    let f = match supervised(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input = OrderInput {
        finding_id: opt_id(&f.finding_id),
        department_id: opt_id(&f.department_id),
        case_id: opt_id(&f.case_id),
        content: f.content,
        days: f.days.as_deref().and_then(|d| d.trim().parse().ok()).unwrap_or(0),
        idem_key: opt_text(&f.idem_key),
    };
    match sv::issue_order(&ctx(&st, &ra), &input).await {
        Ok((d, _)) => Redirect::to(&format!("/supervision/orders/{}?done=issue", d.order.id)).into_response(),
        Err(e) => match input.finding_id.map(|fid| (fid, sv::finding_detail(&st, &s.actor, fid))) {
            Some((_, fut)) => match fut.await {
                Ok(d) => with_status(finding_view(&st, &ra, d, None, Some(e.message())).await, e.status()),
                Err(_) => error_page(&st, Some(&ra), &e),
            },
            None => error_page(&st, Some(&ra), &e),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct OrdersQuery {
    state: Option<String>,
}

pub async fn orders_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<OrdersQuery>) -> Response {
    let state = opt_text(&q.state);
    let today = zwfw_app::cases::day_text(st.today());
    let tabs: Vec<Value> = std::iter::once(tab("/supervision/orders", "全部", state.is_none()))
        .chain(OrderState::ALL.iter().map(|o| {
            let href = format!("/supervision/orders?state={}", o.code());
            tab(href, label("order_state", o.code()), state.as_deref() == Some(o.code()))
        }))
        .collect();
    render_result(&st, &ra, "sv_orders.html", sv::list_orders(&st, &s.actor, state.as_deref()).await, |rows| {
        let rows: Vec<Value> = rows
            .iter()
            .map(|o| {
                let overdue = OrderState::parse(&o.state).is_some_and(|s| s.overdue(&o.due, &today));
                with_fields(o, context! { overdue => overdue })
            })
            .collect();
        context! { rows => rows, tabs => tabs }
    })
}

pub async fn rules_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<DoneQuery>) -> Response {
    rules_view(&st, &ra, &s.actor, flash(&q.done), None, StatusCode::OK).await
}

async fn rules_view(
    st: &AppState,
    ra: &RequestAuth,
    actor: &zwfw_domain::admin::Actor,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    match sv::rules(st, actor).await {
        Ok(rules) => with_status(
            render(
                st,
                ra,
                "sv_rules.html",
                context! {
                    rules => rules.iter().map(rule_row).collect::<Vec<_>>(),
                    editable => access::may_supervise(actor).is_ok(), flash => flash, error => error,
                },
            ),
            status,
        ),
        Err(e) => error_page(st, Some(ra), &e),
    }
}

/// A rule with what its row offers: the parameters it reads, and whether its findings ask for a reply.
fn rule_row(r: &sv::RuleView) -> Value {
    let code = RuleCode::parse(&r.code);
    with_fields(
        r,
        context! {
            takes_days => code.is_some_and(RuleCode::takes_days),
            takes_count => code.is_some_and(RuleCode::takes_count),
            takes_hours => code.is_some_and(RuleCode::takes_hours),
            needs_reply => Severity::parse(&r.severity).is_some_and(Severity::needs_reply),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct RuleForm {
    name: Option<String>,
    enabled: Option<String>,
    days: Option<String>,
    count: Option<String>,
    hours: Option<String>,
    reply_days: Option<String>,
    #[serde(default)]
    reason: String,
}

pub async fn rule_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(code): PagePath<String>,
    form: LateForm<RuleForm>,
) -> Response {
    let f = match supervised(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let num = |v: &Option<String>| v.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(|x| x.parse::<u32>());
    let parsed = (|| -> Result<RuleInput, WebError> {
        let bad = |_| WebError::invalid("days");
        Ok(RuleInput {
            name: f.name.clone(),
            enabled: f.enabled.as_deref() == Some("1"),
            days: num(&f.days).transpose().map_err(bad)?,
            count: num(&f.count).transpose().map_err(bad)?,
            hours: num(&f.hours).transpose().map_err(|_| WebError::invalid("hours"))?,
            reply_days: num(&f.reply_days).transpose().map_err(bad)?.unwrap_or(0),
            reason: f.reason.clone(),
        })
    })();
    let result = match parsed {
        Ok(input) => sv::update_rule(&ctx(&st, &ra), &code, &input).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Redirect::to("/supervision/rules?done=rule").into_response(),
        Err(e) => rules_view(&st, &ra, &s.actor, None, Some(format!("{code}：{}", e.message())), e.status()).await,
    }
}
