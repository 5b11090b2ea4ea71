//! 补录 pages: the list of entries (the department's staff: their own;
//! supervision: every department's), the paper application form and the
//! form of a later action on a case.

use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use std::collections::HashMap;
use zwfw_app::cases::backfill::{self as bf, BackfillActionInput, BackfillApplicationInput, BackfillInput};
use zwfw_app::cases::{ActionInput, ApplicantInput};

/// The list's filters as a form sends them (empty means "all").
#[derive(Deserialize, Default)]
pub struct ListForm {
    department_id: Option<String>,
    fault_id: Option<String>,
    page: Option<String>,
}

fn opt_num(v: &Option<String>) -> Option<i64> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| s.parse().ok())
}

/// 补录记录: the entries, newest entered first.
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(f): PageQuery<ListForm>) -> Response {
    let c = ctx(&st, &ra);
    let q = bf::BackfillQuery {
        department_id: opt_num(&f.department_id),
        fault_id: opt_num(&f.fault_id),
        page: opt_num(&f.page),
    };
    let r = bf::list(&c, &q).await;
    let may_enter = bf::check_enter(&c).is_ok();
    let depts = department_choices(&st, r.as_ref().is_ok_and(|p| p.all), q.department_id).await;
    let base = format!(
        "/backfill?department_id={}&fault_id={}",
        q.department_id.map(|d| d.to_string()).unwrap_or_default(),
        q.fault_id.map(|d| d.to_string()).unwrap_or_default()
    );
    render_result(&st, &ra, "backfill_list.html", r, |p| {
        let entries: Vec<Value> = p
            .entries
            .iter()
            .map(|e| {
                with_fields(
                    e,
                    context! {
                        fault => zwfw_app::faults::number(e.fault_id),
                        label => zwfw_app::messages::case_event_label(&e.event_kind),
                    },
                )
            })
            .collect();
        let next = (p.page * p.per_page < p.total).then(|| format!("{base}&page={}", p.page + 1));
        let prev = (p.page > 1).then(|| format!("{base}&page={}", p.page - 1));
        context! {
            p => Value::from_serialize(&p), entries => entries, departments => depts, may_enter => may_enter,
            fault_id => q.fault_id, next => next, prev => prev,
        }
    })
}

/// The faults the form offers, each with its period.
async fn fault_options(c: &zwfw_app::Ctx<'_>) -> Vec<Value> {
    bf::fault_choices(c)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|f| {
            let until = f.cleared_at.map(zwfw_domain::time::format_local).unwrap_or_else(|| "尚未排除".into());
            let text =
                format!("{} {}（{} 至 {}）", f.number, f.what, zwfw_domain::time::format_local(f.since_at), until);
            context! { id => f.id, text => text }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    item: Option<String>,
}

/// The form of a paper application (without an item: the department's items to choose from).
async fn application_view(
    st: &AppState,
    ra: &RequestAuth,
    actor: &zwfw_domain::admin::Actor,
    item: Option<i64>,
    f: &HashMap<String, String>,
    error: Option<String>,
) -> WebResult<Response> {
    let c = ctx(st, ra);
    bf::check_enter(&c)?;
    let faults = fault_options(&c).await;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let Some(item) = item else {
        let filter = zwfw_store::catalog::ItemFilter {
            department_ids: actor.department_id.map(|d| vec![d]),
            published_only: true,
            limit: 500,
            ..Default::default()
        };
        let items: Vec<Value> = zwfw_store::catalog::list(&st.store, &filter)
            .await
            .map_err(zwfw_app::AppError::from)?
            .into_iter()
            .map(|i| context! { id => i.item_id, name => i.name })
            .collect();
        return Ok(render(st, ra, "backfill_new.html", context! { items => items, faults => faults }));
    };
    let row = zwfw_store::catalog::get_item(&st.store, item).await.map_err(zwfw_app::AppError::from)?;
    let version = row.published_version_id.ok_or_else(|| WebError::from(zwfw_app::AppError::not_found("item")))?;
    let content = zwfw_app::cases::item_version(st, version).await?;
    let materials: Vec<Value> = content
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let key = format!("m{}", i + 1);
            context! { n => i + 1, name => m.name, required => m.required, on => f.contains_key(&key) }
        })
        .collect();
    let fields: Vec<Value> = content
        .form_fields
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let key = format!("f{}", i + 1);
            context! {
                n => i + 1, name => x.name, required => x.required, kind => format!("{:?}", x.kind).to_lowercase(), options => x.options,
                value => f.get(&key).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let r = render(
        st,
        ra,
        "backfill_new.html",
        context! {
            item => context! { id => item, name => content.name }, faults => faults, materials => materials,
            fields => fields, f => Value::from_serialize(f), error => error,
        },
    );
    Ok(with_status(r, status))
}

/// 补录纸质申请: choose the item, then the form.
pub async fn new_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<NewQuery>) -> Response {
    let item = opt_num(&q.item);
    match application_view(&st, &ra, &s.actor, item, &HashMap::new(), None).await {
        Ok(r) => r,
        Err(e) => error_page(&st, Some(&ra), &e.0),
    }
}

fn get(f: &HashMap<String, String>, k: &str) -> String {
    f.get(k).cloned().unwrap_or_default()
}

fn entry_of(f: &HashMap<String, String>) -> BackfillInput {
    BackfillInput {
        fault_id: get(f, "fault_id").trim().parse().unwrap_or(0),
        paper_no: get(f, "paper_no"),
        at: get(f, "at"),
    }
}

/// The form of an entry, read once the right to enter is settled.
fn allowed_form(
    c: &zwfw_app::Ctx<'_>,
    form: LateForm<HashMap<String, String>>,
) -> Result<HashMap<String, String>, zwfw_app::AppError> {
    bf::check_enter(c)?;
    form.parse().map_err(|e| e.0)
}

/// The paper application entered: the receipt (case number, query password), or the form again with the reason.
pub async fn new_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(item): PagePath<i64>,
    form: LateForm<HashMap<String, String>>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match allowed_form(&c, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let content = match zwfw_store::catalog::get_item(&st.store, item).await {
        Ok(i) => match i.published_version_id {
            Some(v) => zwfw_app::cases::item_version(&st, v).await.ok(),
            None => None,
        },
        Err(_) => None,
    };
    let mut form_values = serde_json::Map::new();
    let purpose = get(&f, "purpose");
    if !purpose.trim().is_empty() {
        form_values.insert(zwfw_domain::catalog::PURPOSE_FIELD.into(), serde_json::Value::String(purpose));
    }
    let mut paper = vec![];
    if let Some(content) = &content {
        for (i, x) in content.form_fields.iter().enumerate() {
            form_values.insert(x.name.clone(), serde_json::Value::String(get(&f, &format!("f{}", i + 1))));
        }
        paper = (1..=content.materials.len()).filter(|n| f.contains_key(&format!("m{n}"))).collect();
    }
    let input = BackfillApplicationInput {
        entry: entry_of(&f),
        applicant: Some(ApplicantInput {
            kind: get(&f, "kind"),
            name: get(&f, "name"),
            id_no: get(&f, "id_no"),
            mobile: get(&f, "mobile"),
            address: get(&f, "address"),
            email: get(&f, "email"),
        }),
        form: form_values,
        paper_materials: paper,
    };
    match bf::enter_application(&c, item, &input).await {
        Ok(s) => render(
            &st,
            &ra,
            "submitted.html",
            context! {
                case_id => s.case_id, case_no => s.case_no, password => s.query_password, draft => false,
                repeated => false, backfill => true,
            },
        ),
        Err(e) if e.kind() == zwfw_app::error::Kind::Forbidden || e.kind() == zwfw_app::error::Kind::NotFound => {
            error_page(&st, Some(&ra), &e)
        }
        Err(e) => match application_view(&st, &ra, &s.actor, Some(item), &f, Some(WebError::from(e).message())).await {
            Ok(r) => r,
            Err(e) => error_page(&st, Some(&ra), &e.0),
        },
    }
}

/// The form of a later action on a case.
async fn action_view(
    st: &AppState,
    ra: &RequestAuth,
    actor: &zwfw_domain::admin::Actor,
    id: i64,
    f: &HashMap<String, String>,
    error: Option<String>,
) -> WebResult<Response> {
    let c = ctx(st, ra);
    let (actions, outcomes) = bf::enterable_actions(&c, id).await?;
    let d = zwfw_app::cases::detail(st, Some(actor), id, false).await?;
    let last = d.events.last().map(|e| e.at);
    let faults = fault_options(&c).await;
    let actions: Vec<Value> = actions
        .iter()
        .map(|a| context! { code => a, label => zwfw_app::messages::label("backfill_action", a), on => f.get("action") == Some(a) })
        .collect();
    let outcomes: Vec<Value> = outcomes
        .iter()
        .map(|o| context! { code => o, label => zwfw_app::messages::label("outcome", o), on => f.get("outcome") == Some(o) })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let r = render(
        st,
        ra,
        "backfill_case.html",
        context! {
            case => Value::from_serialize(&d.case), last => last, faults => faults, actions => actions,
            outcomes => outcomes, f => Value::from_serialize(f), error => error,
        },
    );
    Ok(with_status(r, status))
}

/// 补录办理: the form of a later action on the case.
pub async fn case_page(SignedIn { st, s, ra }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    match action_view(&st, &ra, &s.actor, id, &HashMap::new(), None).await {
        Ok(r) => r,
        Err(e) => error_page(&st, Some(&ra), &e.0),
    }
}

/// The later action entered: back to the case, or the form again with the reason.
pub async fn case_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<HashMap<String, String>>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match allowed_form(&c, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let text = |k: &str| Some(get(&f, k)).filter(|v| !v.trim().is_empty());
    let input = BackfillActionInput {
        entry: entry_of(&f),
        action: ActionInput {
            action: get(&f, "action"),
            opinion: get(&f, "opinion"),
            missing: get(&f, "missing").lines().map(str::to_string).collect(),
            step: text("step").and_then(|s| s.trim().parse().ok()),
            outcome: text("outcome"),
            document_no: text("document_no"),
            valid_until: text("valid_until"),
            method: text("method"),
            tracking_no: text("tracking_no"),
            kind: text("kind"),
            days: text("days").and_then(|s| s.trim().parse().ok()),
            approved: text("approved").map(|v| v == "1"),
            agree: text("agree").map(|v| v == "1"),
            ..ActionInput::default()
        },
    };
    match bf::enter_action(&c, id, &input).await {
        Ok(_) => see_other(&format!("/cases/{id}?done=backfill")),
        Err(e) if e.kind() == zwfw_app::error::Kind::NotFound => error_page(&st, Some(&ra), &e),
        Err(e) => match action_view(&st, &ra, &s.actor, id, &f, Some(WebError::from(e).message())).await {
            Ok(r) => r,
            Err(e) => error_page(&st, Some(&ra), &e.0),
        },
    }
}
