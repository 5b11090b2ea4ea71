//! Catalogue pages: the public guide (办事指南) and the administrators' item pages.

use super::api::{api_ctx, detail, guide_list, parse_action, published, GuideQuery, ItemDetail};
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::catalog::act;
use zwfw_app::catalog::may_read_drafts;
use zwfw_app::catalog::new_version;
use zwfw_app::catalog::retire;
use zwfw_app::catalog::staff_item_filter;
use zwfw_domain::access::catalog as access;
use zwfw_domain::catalog::diff;
use zwfw_domain::catalog::transition;
use zwfw_domain::catalog::GovernanceAction;
use zwfw_domain::catalog::ItemContent;
use zwfw_domain::catalog::ItemStatus;
use zwfw_domain::catalog::VersionState;
use zwfw_store::admin as store_admin;
use zwfw_store::catalog as store_cat;

// ---------- pages ----------

/// The process as an SVG flow diagram (no script, no network).
pub fn flow_svg(c: &ItemContent, dept_name: &dyn Fn(i64) -> String) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    }
    let box_h = 64;
    let gap = 36;
    let mut y = 10;
    let width = 560;
    let mut out = String::new();
    for (i, s) in c.steps.iter().enumerate() {
        let co = s.joint.len();
        let h = box_h + if co > 0 { 28 * co as i32 } else { 0 };
        out += &format!(
            r#"<g><rect x="90" y="{y}" width="380" height="{h}" rx="8" class="step{}"/><text x="280" y="{}" class="title">{}. {}（{}个工作日）</text><text x="280" y="{}" class="sub">{}</text>"#,
            if co > 0 { " joint" } else { "" },
            y + 26,
            i + 1,
            esc(&s.name),
            s.limit_days,
            y + 48,
            esc(&format!("{} · {}", dept_name(s.department_id), zwfw_app::messages::label("role", s.role.code()))),
        );
        for (k, cr) in s.joint.iter().enumerate() {
            out += &format!(
                r#"<text x="280" y="{}" class="sub">并联：{}（{}个工作日）</text>"#,
                y + 72 + 28 * k as i32,
                esc(&dept_name(cr.department_id)),
                cr.limit_days
            );
        }
        out += "</g>";
        y += h;
        if i + 1 < c.steps.len() {
            out += &format!(
                r#"<line x1="280" y1="{y}" x2="280" y2="{}" class="arrow" marker-end="url(#a)"/>"#,
                y + gap - 4
            );
            y += gap;
        }
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {}" role="img" aria-label="办理流程图" class="flow"><defs><marker id="a" markerWidth="10" markerHeight="10" refX="5" refY="5" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>{out}</svg>"#,
        y + 10
    )
}

pub async fn guide_page(State(st): State<AppState>, Auth(ra): Auth, PageQuery(q): PageQuery<GuideQuery>) -> Response {
    let query: String = q.q.clone().unwrap_or_default().chars().take(100).collect();
    let hits = if query.trim().is_empty() { None } else { Some(st.search_index().search(&query, 50)) };
    let items = if hits.is_some() {
        vec![]
    } else {
        match guide_list(&st, &q).await {
            Ok(i) => i,
            Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
        }
    };
    let depts = store_admin::list_departments(&st.store).await.unwrap_or_default();
    let regions = store_admin::list_regions(&st.store).await.unwrap_or_default();
    let dn = |id: i64| depts.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_default();
    let rows: Vec<Value> = items
        .iter()
        .map(|i| context! { id => i.item_id, name => i.name, department => dn(i.department_id), impl_code => i.impl_code })
        .collect();
    let with_items: Vec<Value> =
        depts.iter().filter(|d| d.active).map(|d| context! { id => d.id, name => d.name }).collect();
    let objects: Vec<Value> = zwfw_domain::catalog::ServiceObject::ALL
        .iter()
        .map(|o| context! { code => o.code(), label => o.label() })
        .collect();
    crate::http::pages::render(
        &st,
        &ra,
        "guide_list.html",
        context! { items => rows, departments => with_items, regions => regions, objects => objects,
        levels => level_options(), life_events => life_event_options(), hits => hits,
        q => context! { q => query, department => q.department, region => q.region, object => q.object, theme => q.theme,
                        level => q.level, life_event => q.life_event } },
    )
}

/// The levels a visitor browses by: 市级, 县级, 镇级.
pub fn level_options() -> Vec<Value> {
    zwfw_app::portal::LEVELS.iter().map(|l| context! { code => l.code(), label => l.label() }).collect()
}

/// Every life event, a person's first.
pub fn life_event_options() -> Vec<Value> {
    use zwfw_domain::catalog::LifeEvent;
    LifeEvent::ALL
        .iter()
        .map(|e| context! { code => e.code(), label => e.label(), personal => LifeEvent::PERSONAL.contains(e) })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct GuideItemQuery {
    /// `1`: the print view, every part shown, without the page's navigation.
    print: Option<String>,
}

pub async fn guide_item_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<GuideItemQuery>,
) -> Response {
    let (item, v) = match published(&st, id).await {
        Ok(x) => x,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let depts = store_admin::list_departments(&st.store).await.unwrap_or_default();
    let dn = |id: i64| depts.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_default();
    let c = &v.content;
    let co: Vec<String> = c.co_department_ids.iter().map(|d| dn(*d)).collect();
    crate::http::pages::render(
        &st,
        &ra,
        "guide_item.html",
        context! {
            item_id => item.id, impl_code => item.impl_code, version_no => v.version_no,
            published_at => v.published_at, c => Value::from_serialize(c),
            department => dn(c.department_id), co_departments => co,
            item_type => c.item_type.label(), level => c.exercise_level.label(), nature => c.subject_nature.label(),
            case_type => c.case_type.label(),
            objects => c.service_objects.iter().map(|o| o.label()).collect::<Vec<_>>(),
            modes => c.handling_modes.iter().map(|m| m.label()).collect::<Vec<_>>(),
            steps => c.steps.iter().map(|s| context! { name => s.name, department => dn(s.department_id),
                role => zwfw_app::messages::label("role", s.role.code()), limit => s.limit_days, may_suspend => s.may_suspend,
                joint => s.joint.iter().map(|j| context! { department => dn(j.department_id), limit => j.limit_days }).collect::<Vec<_>>() }).collect::<Vec<_>>(),
            flow => flow_svg(c, &dn),
            life_events => c.life_events.iter().map(|e| context! { code => e.code(), label => e.label() }).collect::<Vec<_>>(),
            print => q.print.as_deref().is_some_and(|p| p != "0"),
        },
    )
}

/// The admin list with governance state (staff).
pub async fn admin_items_page(SignedIn { st, s, ra }: SignedIn) -> Response {
    let f = match staff_item_filter(&s.actor) {
        Ok(f) => f,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let items = store_cat::list(&st.store, &f).await.unwrap_or_default();
    let depts = store_admin::list_departments(&st.store).await.unwrap_or_default();
    let rows: Vec<Value> = items
        .iter()
        .map(|i| {
            let dn = depts.iter().find(|d| d.id == i.department_id).map(|d| d.name.clone()).unwrap_or_default();
            let retired = ItemStatus::parse(&i.status) == Some(ItemStatus::Retired);
            context! { id => i.item_id, name => i.name, department => dn, state => i.state, version_no => i.version_no, retired => retired }
        })
        .collect();
    let may_import = zwfw_domain::access::catalog::may_import(&s.actor);
    crate::http::pages::render(&st, &ra, "items.html", context! { items => rows, may_import => may_import })
}

#[derive(Deserialize, Default)]
pub struct CompareQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub async fn admin_item_page(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(cmp): PageQuery<CompareQuery>,
) -> Response {
    let d = match store_cat::get_item(&st.store, id).await {
        Ok(item) if may_read_drafts(&s.actor, item.department_id) => detail(&st, id).await,
        Ok(_) => Err(WebError::not_found("item")),
        Err(e) => Err(e.into()),
    };
    let d = match d {
        Ok(d) => d,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    admin_item_view(&st, &s, &ra, d, None, (cmp.from, cmp.to)).await
}

async fn admin_item_view(
    st: &AppState,
    s: &zwfw_app::accounts::sessions::SessionCtx,
    ra: &RequestAuth,
    d: ItemDetail,
    error: Option<String>,
    compare: (Option<i64>, Option<i64>),
) -> Response {
    let a = &s.actor;
    let open = d.versions.iter().find(|v| Some(v.id) == d.open_version_id);
    let state = open.map(|v| VersionState::parse(&v.state).unwrap_or(VersionState::Draft));
    // The actions this officer may take now.
    let mut actions: Vec<Value> = Vec::new();
    if let (Some(v), Some(stt)) = (open, state) {
        for (act, code) in [
            (GovernanceAction::Submit, "submit"),
            (GovernanceAction::PassLegalReview, "pass_legal_review"),
            (GovernanceAction::Approve, "approve"),
            (GovernanceAction::SendBack, "send_back"),
            (GovernanceAction::Withdraw, "withdraw"),
        ] {
            if transition(stt, act, a, d.department_id, "x").is_ok() {
                actions.push(context! { code => code, version_id => v.id });
            }
        }
    }
    let active = ItemStatus::parse(&d.status) == Some(ItemStatus::Active);
    let can_new = active
        && d.open_version_id.is_none()
        && d.published_version_id.is_some()
        && access::may_author(a, d.department_id);
    let can_edit = active && state.is_some_and(VersionState::is_editable) && access::may_author(a, d.department_id);
    let can_retire = active && access::may_retire(a);
    // The open draft's "申请删除" (its author, while never submitted), or the open request for it.
    let deletion = match (open, state) {
        (Some(v), Some(VersionState::Draft)) => {
            let kind = zwfw_domain::governance::deletion::RecordKind::ItemDraft;
            crate::governance::deletions::offer_context(st, ra, kind, v.id).await
        }
        _ => Value::from(()),
    };
    // Compare the two chosen versions, or by default the open one with the one in force.
    let (from, to) = match compare {
        (Some(a), Some(b)) => (Some(a), Some(b)),
        _ => (d.published_version_id, d.open_version_id),
    };
    let changes = match (from, to) {
        (Some(p), Some(o)) => {
            let pv = d.versions.iter().find(|v| v.id == p);
            let ov = d.versions.iter().find(|v| v.id == o);
            match (pv, ov) {
                (Some(pv), Some(ov)) => diff(&pv.content, &ov.content),
                _ => vec![],
            }
        }
        _ => vec![],
    };
    let name = d.versions.last().map(|v| v.content.name.clone()).unwrap_or_default();
    let versions: Vec<Value> = d
        .versions
        .iter()
        .map(|v| context! { id => v.id, no => v.version_no, state => v.state, reason => v.reason, published_at => v.published_at })
        .collect();
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| context! { field => c.field, before => c.before.to_string(), after => c.after.to_string() })
        .collect();
    let mut resp = crate::http::pages::render(
        st,
        ra,
        "item_admin.html",
        context! { d => Value::from_serialize(&d), name => name, versions => versions, events => Value::from_serialize(&d.events),
        actions => actions, can_new => can_new, can_retire => can_retire, can_edit => can_edit, changes => changes, error => error.clone(),
        deletion => deletion,
        cmp_from => from, cmp_to => to, retired => ItemStatus::parse(&d.status) == Some(ItemStatus::Retired) },
    );
    if error.is_some() {
        *resp.status_mut() = StatusCode::CONFLICT;
    }
    resp
}

#[derive(Deserialize)]
pub struct ActForm {
    action: String,
    #[serde(default)]
    version_id: i64,
    #[serde(default)]
    reason: String,
    /// The accepted configuration/maintenance request the change is made under.
    #[serde(default)]
    request: String,
}

/// The request named in a form's field `request` (none when empty).
pub(super) fn request_field(s: &str) -> WebResult<Option<i64>> {
    match s.trim() {
        "" => Ok(None),
        r => r.parse().map(Some).map_err(|_| WebError::invalid("request")),
    }
}

pub async fn admin_item_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<ActForm>,
) -> Response {
    let ctx = api_ctx(&st, &ra);
    // Who takes no step on the item is refused whatever the form says.
    let f = match zwfw_app::catalog::may_change(&ctx, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let result = match request_field(&f.request) {
        Err(e) => Err(e.into()),
        Ok(request) => match f.action.as_str() {
            "new_version" => new_version(&ctx, id, &f.reason, request).await.map(|_| ()),
            "retire" => retire(&ctx, id, &f.reason, request).await,
            other => match parse_action(other) {
                Ok(a) => match store_cat::get_version(&st.store, f.version_id).await {
                    Ok(v) if v.item_id == id => act(&ctx, f.version_id, a, &f.reason, request).await.map(|_| ()),
                    _ => Err(WebError::not_found("version").into()),
                },
                Err(e) => Err(e.into()),
            },
        },
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/items/{id}")).into_response(),
        Err(e) => match detail(&st, id).await {
            Ok(d) => admin_item_view(&st, &s, &ra, d, Some(e.message()), (None, None)).await,
            Err(e2) => crate::http::pages::error_page(&st, Some(&ra), &e2),
        },
    }
}

/// Downloads a file referenced by an item's published version.
pub async fn guide_file(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath((id, sm3)): PagePath<(i64, String)>,
) -> Response {
    let (_, v) = match published(&st, id).await {
        Ok(x) => x,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let c = &v.content;
    let label = c
        .materials
        .iter()
        .find_map(|m| {
            if m.form_sm3.as_deref() == Some(&sm3) {
                Some(format!("{}（空白表格）", m.name))
            } else if m.example_sm3.as_deref() == Some(&sm3) {
                Some(format!("{}（示例样表）", m.name))
            } else {
                None
            }
        })
        .or_else(|| (c.result_sample_sm3.as_deref() == Some(&sm3)).then(|| format!("{}（结果样本）", c.result_name)));
    let Some(label) = label else {
        return crate::http::pages::error_page(&st, Some(&ra), &WebError::not_found("file"));
    };
    let kind = zwfw_store::files::kind_of(&st.store, &sm3).await.unwrap_or_else(|_| "pdf".into());
    send_file(&st, &ra, &sm3, &kind, &label, "public, max-age=86400").await
}
