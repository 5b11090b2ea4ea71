//! 权限变更申请: the lists by state and department (with the system
//! administrator's 紧急变更), the form to ask (a card per staff member of
//! the asker's department: roles to add and to take away, a department to
//! move to), a request's page with the head's and the administrator's
//! forms, and their API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use minijinja::{context, Value};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::governance::rights::{
    self as rights, ListQuery, RequestInput, RightsPage, RightsView, RowInput, VerdictInput,
};
use zwfw_domain::governance::rights::RightsState;

// ---------- API ----------

/// A department's administrator or head asks for a change of its own
/// staff's rights: the reason and the list of changes (per staff member:
/// roles to add and to take away, a department to move to). The service
/// centre and the supervision office also ask to take another
/// department's staff in (`move_to` their own department: the request is
/// theirs, the department left is told); the centre's administrator to
/// grant or take away 运维人员 alone for any department's staff.
#[utoipa::path(post, path = "/governance/rights", tag = "governance", request_body = RequestInput,
    responses((status = 201, description = "asked; the department's heads are told", body = RightsView), (status = 403, description = "not a department's administrator or head, a staff member of another department or oneself named, or a role or move the asker's office does not ask for (`missing_role`, `staff_only`, `not_in_department`, `own_account`, `rights_role_not_offered`, `rights_move_not_offered`, `rights_system_admin_named`, `not_qualified`)", body = ErrorBody), (status = 404, description = "no such staff member or department", body = ErrorBody), (status = 409, description = "a staff member named in an open request already (`rights_already_requested`)", body = ErrorBody), (status = 422, description = "the reason missing, a bad role, an empty or too long list, a person twice, a row changing nothing or contradicting itself or not fitting its account, a move keeping a role the department joined does not hold or changing 运维人员, no role left (`invalid_rights_text`, `bad_rights_role`, `rights_bad_list`, `rights_duplicate_staff`, `rights_empty_row`, `rights_contradiction`, `rights_staff_inactive`, `rights_role_already_held`, `rights_role_not_held`, `rights_role_left_behind`, `rights_move_with_operator`, `rights_no_role_left`)", body = ErrorBody), (status = 400, description = "a bad body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn ask(
    SignedIn { st, ra, .. }: SignedIn,
    body: Result<ApiJson<RequestInput>, WebError>,
) -> WebResult<(StatusCode, Json<RightsView>)> {
    let c = ctx(&st, &ra);
    rights::may_ask(&c)?;
    let ApiJson(input) = body?;
    Ok((StatusCode::CREATED, Json(rights::ask(&c, &input).await?)))
}

/// The requests the caller may read, newest first: the supervision office
/// and the system administrator every department's (optionally one), a
/// department's administrators and heads their own; `state=emergency` lists
/// the system administrator's emergency changes.
#[utoipa::path(get, path = "/governance/rights", tag = "governance", params(ListQuery),
    responses((status = 200, body = RightsPage), (status = 400, description = "a bad parameter (`bad_filter`)", body = ErrorBody), (status = 422, description = "a page out of range", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "neither supervision nor a department's administrator or head (`missing_role`, `staff_only`)", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(SignedIn { st, ra, .. }: SignedIn, ApiQuery(q): ApiQuery<ListQuery>) -> WebResult<Json<RightsPage>> {
    Ok(Json(rights::list(&ctx(&st, &ra), &q).await?))
}

/// One request with its list of changes and the steps the caller may take.
#[utoipa::path(get, path = "/governance/rights/{id}", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, body = RightsView), (status = 404, description = "not found, or one the caller may not read", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<RightsView>> {
    Ok(Json(rights::get(&ctx(&st, &ra), id).await?))
}

/// A head of the department approves (`approve`: filed with the supervision
/// office) or refuses with a reason.
#[utoipa::path(post, path = "/governance/rights/{id}/decide", tag = "governance", params(("id" = i64, Path)), request_body = VerdictInput,
    responses((status = 200, description = "decided; the asker (and on approval the supervision office) is told", body = RightsView), (status = 403, description = "not a head of the department (nor who stands in when none may: a head of the service centre, or the system administrator), the asker, or a head the request changes (`needs_dept_head`, `not_in_department`, `own_request`, `own_account`, `not_qualified`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "not waiting for a head (`rights_wrong_stage`)", body = ErrorBody), (status = 422, description = "a bad decision, or a refusal without its reason (`bad_verdict`, `invalid_rights_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn decide(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<VerdictInput>, WebError>,
) -> WebResult<Json<RightsView>> {
    let c = ctx(&st, &ra);
    rights::may_decide(&c, id).await?;
    let ApiJson(input) = body?;
    Ok(Json(rights::decide(&c, id, &input).await?))
}

/// An administrator of the department (or the system administrator)
/// applies the approved list (`approve`: all rows in one transaction,
/// nothing if one no longer fits) or refuses with a reason.
#[utoipa::path(post, path = "/governance/rights/{id}/apply", tag = "governance", params(("id" = i64, Path)), request_body = VerdictInput,
    responses((status = 200, description = "applied or refused; the asker, the head and the supervision office are told", body = RightsView), (status = 403, description = "not an administrator of the department, or a change the caller may not make (`missing_role`, `not_in_department`, `supervision_reads_only`, `role_grant_forbidden`, `own_account`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "not approved, or a row no longer fits (`rights_wrong_stage`, `rights_staff_inactive`, `rights_role_already_held`, `rights_role_not_held`, `rights_department_changed`)", body = ErrorBody), (status = 422, description = "a bad decision, or a refusal without its reason (`bad_verdict`, `invalid_rights_text`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn apply(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: Result<ApiJson<VerdictInput>, WebError>,
) -> WebResult<Json<RightsView>> {
    let c = ctx(&st, &ra);
    rights::may_apply(&c, id).await?;
    let ApiJson(input) = body?;
    Ok(Json(rights::apply(&c, id, &input).await?))
}

/// The asker withdraws the request before a head's verdict.
#[utoipa::path(post, path = "/governance/rights/{id}/withdraw", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, description = "withdrawn", body = RightsView), (status = 403, description = "not the asker (`not_author`)", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 409, description = "no longer waiting for a head (`rights_wrong_stage`)", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn withdraw(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<RightsView>> {
    let c = ctx(&st, &ra);
    rights::may_withdraw(&c, id).await?;
    Ok(Json(rights::withdraw(&c, id).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(ask, list))
        .register(routes!(get))
        .register(routes!(decide))
        .register(routes!(apply))
        .register(routes!(withdraw))
}

// ---------- pages ----------

fn list_href(state: &str, department: Option<i64>) -> String {
    match department {
        Some(d) => format!("/governance/rights?state={state}&department_id={d}"),
        None => format!("/governance/rights?state={state}"),
    }
}

fn states_tabs(state: &str, department: Option<i64>) -> Vec<Value> {
    // Waiting for the centre's administrators (a request concerning an operator) follows 待部门负责人审核.
    let centre = rights::CENTRE_WAITS;
    let centre_label = zwfw_app::messages::label("rights_state_centre", RightsState::Requested.code());
    std::iter::once(tab(list_href("", department), "全部", state.is_empty()))
        .chain(RightsState::ALL.iter().flat_map(|s| {
            let t = tab(
                list_href(s.code(), department),
                zwfw_app::messages::label("rights_state", s.code()),
                state == s.code(),
            );
            let waits = (*s == RightsState::Requested)
                .then(|| tab(list_href(centre, department), centre_label.clone(), state == centre));
            std::iter::once(t).chain(waits)
        }))
        .chain(std::iter::once(tab(list_href("emergency", department), "紧急变更", state == "emergency")))
        .collect()
}

/// 权限变更申请: the requests the reader may see, by state and department.
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let c = ctx(&st, &ra);
    let page = rights::list(&c, &q).await;
    let state = q.state.clone().unwrap_or_default();
    let may_ask = rights::may_ask(&c).is_ok();
    let all = page.as_ref().is_ok_and(|p| p.scope == "all");
    let departments = department_choices(&st, all, q.department_id).await;
    let department = q.department_id.filter(|_| all);
    render_result(&st, &ra, "gov_rights.html", page, |p| {
        let more = p.page * p.per_page < p.total;
        let href = list_href(&state, department);
        let next = more.then(|| format!("{href}&page={}", p.page + 1));
        let prev = (p.page > 1).then(|| format!("{href}&page={}", p.page - 1));
        context! { p => Value::from_serialize(&p), states => states_tabs(&state, department), next => next,
        prev => prev, may_ask => may_ask, departments => departments, state => state }
    })
}

/// What the form shows again after a refusal: the reason and the choices.
#[derive(Default)]
struct Chosen {
    /// Another department picked (its staff shown instead of the asker's own).
    department: Option<i64>,
    reason: String,
    /// "add_5:reviewer", "remove_5:counter", "move_5:12"
    marks: Vec<String>,
}

impl Chosen {
    /// The staff members with something chosen: their cards stay open.
    fn open_users(&self) -> Vec<i64> {
        self.marks.iter().filter_map(|m| m.split_once(':')?.0.split_once('_')?.1.parse().ok()).collect()
    }
}

async fn new_view(st: &AppState, ra: &RequestAuth, chosen: &Chosen, error: Option<&WebError>) -> Response {
    let c = ctx(st, ra);
    let staff = match rights::nameable(&c, chosen.department).await {
        Ok(s) => s,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    // Only the roles and departments the asker's office asks for.
    let offer = match rights::offer(&c, chosen.department).await {
        Ok(o) => o,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let pairs = |v: &[(i64, String)]| -> Vec<Value> {
        v.iter().map(|(id, name)| context! { id => id, name => name }).collect()
    };
    // The staff of another department: the office's roles to add, the
    // department's to take away, the move into the office.
    let (add_roles, remove_roles, departments) = match &offer.picked {
        Some(p) => (p.add_roles.clone(), p.remove_roles.clone(), p.move_in.iter().cloned().collect::<Vec<_>>()),
        // A move out of the centre or the supervision office adds the roles of the department joined.
        None => {
            let add = offer.roles.iter().chain(&offer.move_roles).copied().collect();
            (add, offer.roles.clone(), offer.departments.clone())
        }
    };
    let picked = offer.picked.as_ref().map(|p| {
        context! { id => p.id, name => p.name.clone(), move_in => p.move_in.as_ref().map(|m| m.1.clone()),
        operator_only => p.operator_only }
    });
    let r = render(
        st,
        ra,
        "gov_right_new.html",
        context! { staff => Value::from_serialize(&staff), departments => pairs(&departments),
        roles => offer.roles, move_roles => offer.move_roles, add_roles => add_roles, remove_roles => remove_roles,
        elsewhere => pairs(&offer.elsewhere), picked => picked, reason => chosen.reason.clone(),
        marks => chosen.marks.clone(), open_users => chosen.open_users(), error => error.map(|e| e.message()) },
    );
    match error {
        Some(e) => with_status(r, e.status()),
        None => r,
    }
}

/// The form's query: another department whose staff to show (empty: the
/// asker's own).
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    department_id: Option<String>,
}

/// The form of a new request (申请权限变更): the asker's department's staff,
/// or (`department_id`) another department's, for the office that names them.
pub async fn new_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<NewQuery>) -> Response {
    let department = q.department_id.and_then(|d| d.trim().parse().ok());
    new_view(&st, &ra, &Chosen { department, ..Default::default() }, None).await
}

/// The rows of the form: `add_{user}` and `remove_{user}` (repeated, a role
/// code each) and `move_{user}` (a department, empty for none), in the order
/// the staff members first appear; a member with nothing chosen is no row.
fn rows_of(fields: &[(String, String)]) -> Result<Vec<RowInput>, WebError> {
    let mut rows: Vec<RowInput> = vec![];
    for (k, v) in fields {
        let Some((what, user)) = k.split_once('_') else { continue };
        if !matches!(what, "add" | "remove" | "move") || v.trim().is_empty() {
            continue;
        }
        let user: i64 = user.parse().map_err(|_| WebError::invalid("rows"))?;
        let i = match rows.iter().position(|r| r.user_id == user) {
            Some(i) => i,
            None => {
                rows.push(RowInput { user_id: user, ..Default::default() });
                rows.len() - 1
            }
        };
        match what {
            "add" => rows[i].add_roles.push(v.clone()),
            "remove" => rows[i].remove_roles.push(v.clone()),
            _ => rows[i].move_to = Some(v.trim().parse().map_err(|_| WebError::invalid("move_to"))?),
        }
    }
    Ok(rows)
}

/// Submits the form: the request's page, or the form again with the message.
pub async fn ask_submit(SignedIn { st, ra, .. }: SignedIn, form: LateForm<Vec<(String, String)>>) -> Response {
    let c = ctx(&st, &ra);
    if let Err(e) = rights::may_ask(&c) {
        return error_page(&st, Some(&ra), &e);
    }
    let fields = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let chosen = Chosen {
        department: fields.iter().find(|(k, _)| k == "department_id").and_then(|(_, v)| v.trim().parse().ok()),
        reason: fields.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.clone()).unwrap_or_default(),
        marks: fields
            .iter()
            .filter(|(k, v)| k != "reason" && k != "_csrf" && k != "department_id" && !v.is_empty())
            .map(|(k, v)| format!("{k}:{v}"))
            .collect(),
    };
    let outcome = match rows_of(&fields) {
        Ok(rows) => {
            rights::ask(&c, &RequestInput { reason: chosen.reason.clone(), rows }).await.map_err(WebError::from)
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(r) => see_other(&format!("/governance/rights/{}?done=request", r.id)),
        Err(e) => new_view(&st, &ra, &chosen, Some(&e)).await,
    }
}

/// The message after an action; after asking, it names who decides (the
/// department's heads, the service centre's administrators, or the stand-in).
fn flash(done: Option<&str>, d: &RightsView) -> Option<String> {
    Some(match done? {
        "request" => match (d.centre_decides, d.stand_in.as_deref()) {
            (true, Some(_)) => "权限变更申请已提交，等待系统管理员审核".to_string(),
            (true, None) => "权限变更申请已提交，等待政务服务中心管理员审核".to_string(),
            (false, Some("centre_head")) => "权限变更申请已提交，等待政务服务中心的部门负责人审核".to_string(),
            (false, Some(_)) => "权限变更申请已提交，等待系统管理员审核".to_string(),
            // Which office's head: the request's department (the receiving office's, for a move in).
            (false, None) => format!("权限变更申请已提交，等待{}的部门负责人审核", d.department),
        },
        "decide" => "已审核，已通知申请人；同意的已报监察室备案".to_string(),
        "apply" => "已办理，已通知申请人、部门负责人和监察室".to_string(),
        "withdraw" => "权限变更申请已撤回".to_string(),
        _ => return None,
    })
}

fn detail_view(st: &AppState, ra: &RequestAuth, d: RightsView, flash: Option<&str>, error: Option<String>) -> Response {
    render(st, ra, "gov_right.html", context! { d => Value::from_serialize(&d), flash => flash, error => error })
}

/// One request: the reason, the list of changes, each step, the forms of the next actor.
pub async fn detail_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    match rights::get(&ctx(&st, &ra), id).await {
        Ok(d) => {
            let f = flash(q.done.as_deref(), &d);
            detail_view(&st, &ra, d, f.as_deref(), None)
        }
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
    applying: bool,
) -> Response {
    let c = ctx(st, ra);
    let allowed = if applying { rights::may_apply(&c, id).await } else { rights::may_decide(&c, id).await };
    if let Err(e) = allowed {
        return error_page(st, Some(ra), &e);
    }
    let outcome = async {
        let f = form.parse()?;
        let input = VerdictInput { decision: f.decision, note: f.note };
        let r = if applying { rights::apply(&c, id, &input).await } else { rights::decide(&c, id, &input).await };
        r.map(|_| format!("/governance/rights/{id}?done={}", if applying { "apply" } else { "decide" }))
            .map_err(WebError::from)
    }
    .await;
    after_act(st, ra, outcome, rights::get(&c, id), |d, error| async move { detail_view(st, ra, d, None, Some(error)) })
        .await
}

pub async fn decide_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<VerdictForm>,
) -> Response {
    verdict_submit(&st, &ra, id, form, false).await
}

pub async fn apply_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<VerdictForm>,
) -> Response {
    verdict_submit(&st, &ra, id, form, true).await
}

pub async fn withdraw_submit(SignedIn { st, ra, .. }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    let c = ctx(&st, &ra);
    let outcome =
        rights::withdraw(&c, id).await.map(|_| format!("/governance/rights/{id}?done=withdraw")).map_err(Into::into);
    let (st, ra) = (&st, &ra);
    after_act(st, ra, outcome, rights::get(&c, id), |d, error| async move { detail_view(st, ra, d, None, Some(error)) })
        .await
}

/// What a staff account's page says of its rights: the approved requests
/// naming it that the reader may apply, and whether the reader may change
/// roles directly in an emergency.
pub async fn account_context(st: &AppState, ra: &RequestAuth, user_id: i64) -> Value {
    let c = ctx(st, ra);
    let approved = rights::approved_for(&c, user_id).await.unwrap_or_default();
    let emergency = c.actor.is_some_and(|a| zwfw_domain::access::rights::may_change_directly(a, true).is_ok());
    context! { approved_rights => Value::from_serialize(&approved), may_emergency => emergency }
}
