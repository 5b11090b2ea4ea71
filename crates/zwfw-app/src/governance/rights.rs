//! User-right changes on record (权限变更申请, 常州 003 第九条): a
//! department's administrator or head asks, with the reason and the list
//! of changes, for its own staff; a head of the department approves or
//! refuses with a reason (never the asker, who may withdraw before); an
//! administrator of the department, or the system administrator, applies
//! exactly the approved list in one transaction — every role and department
//! change audited with the request's number, the changed users' sessions
//! ended — or refuses with a reason. The supervision office reads every
//! request and is told in-app when one is approved and when it is applied.
//!
//! The direct path ([`crate::accounts::update_staff`]) remains for the
//! system administrator alone, marked as an emergency with a reason: the
//! change is kept here as an emergency request (紧急变更), applied at once,
//! and the supervision office is told.

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::rights::{self as access, Applier, Named, RightsFacts, RowFacts, StandIn};
use zwfw_domain::access::staff::StaffAccount;
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{AccountKind, Actor, DepartmentKind, Role};
use zwfw_domain::audit::action;
use zwfw_domain::governance::rights::{self as dr, RightsError, RightsState, RowChange, Subject, Verdict};
use zwfw_store::governance::rights as sr;

/// The object named in refusals, "not found" and the audit trail.
const OBJECT: &str = "rights_request";

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found(OBJECT)
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), OBJECT)
    }
}

/// A rule of the request broken; `who` names the staff member a row is about.
fn rights_error(e: RightsError, who: Option<&str>) -> AppError {
    let kind = match e {
        RightsError::WrongStage
        | RightsError::SubjectInactive
        | RightsError::RoleAlreadyHeld
        | RightsError::RoleNotHeld
        | RightsError::DepartmentChanged => Kind::Conflict,
        RightsError::NeedsRequest
        | RightsError::EmergencyOnlySystemAdmin
        | RightsError::RoleNotOffered
        | RightsError::MoveNotOffered
        | RightsError::SystemAdminNamed => Kind::Forbidden,
        RightsError::BadList
        | RightsError::DuplicateSubject
        | RightsError::EmptyRow
        | RightsError::Contradiction
        | RightsError::RoleLeftBehind
        | RightsError::MoveWithOperator
        | RightsError::NoRoleLeft => Kind::Invalid,
    };
    match who {
        Some(w) => AppError::with_detail(kind, e.code(), w.to_string()),
        None => AppError::new(kind, e.code()),
    }
}

/// A row the asker's office does not ask for (`role`: the office), or one
/// keeping a role the department joined does not hold, or moving someone
/// and changing the operator's role at once.
fn rights_error_in(e: RightsError, role: Role) -> AppError {
    let kind = match e {
        RightsError::RoleLeftBehind | RightsError::MoveWithOperator => Kind::Invalid,
        _ => Kind::Forbidden,
    };
    AppError::with_detail(kind, e.code(), role.code())
}

fn text(field: &'static str, s: &str) -> AppResult<String> {
    zwfw_domain::interaction::text(field, s, dr::MAX_TEXT).map_err(|e| {
        AppError::with_detail(Kind::Invalid, "invalid_rights_text", crate::messages::interaction_error_text(&e))
    })
}

fn actor<'a>(ctx: &Ctx<'a>) -> AppResult<&'a Actor> {
    ctx.actor.ok_or_else(AppError::forbidden)
}

/// The facts of a request as stored; who stands in for the department's
/// heads is [`facts_of`]'s.
fn facts(r: &sr::RightsRow) -> RightsFacts {
    RightsFacts {
        department_id: r.department_id,
        requester_id: r.requester_id,
        decided_by: r.decided_by,
        stand_in: StandIn::None,
        operator: false,
        source: None,
    }
}

/// The service centre's department (the first active one).
async fn centre_department(st: &App) -> AppResult<Option<i64>> {
    Ok(zwfw_store::admin::list_departments(&st.store)
        .await?
        .iter()
        .find(|d| d.active && d.kind == DepartmentKind::ServiceCenter)
        .map(|d| d.id))
}

/// The active heads (部门负责人) of `department` who may act as heads
/// today: qualified (上岗资格) for the role. A head without the
/// qualification decides nothing, so does not count as one who may.
pub(super) async fn qualified_heads(st: &App, department: i64) -> AppResult<Vec<i64>> {
    qualified_in_role(st, Some(department), Role::DeptHead).await
}

/// The active staff of `department` (every department when none) who act
/// in `role` today: qualified (上岗资格) for it.
async fn qualified_in_role(st: &App, department: Option<i64>, role: Role) -> AppResult<Vec<i64>> {
    let mut out = vec![];
    for u in zwfw_store::admin::list_staff(&st.store, department).await? {
        if u.active && u.roles.contains(&role) {
            let (acting, _) = super::qualifications::session_actor(st, &u).await?;
            if acting.has(role) {
                out.push(u.id);
            }
        }
    }
    Ok(out)
}

/// Who may decide, read once for a page of requests (a list reads the heads
/// of each department, the centre and its heads, the centre's
/// administrators once, not once a request).
#[derive(Default)]
pub(super) struct Deciders {
    centre: Option<Option<i64>>,
    heads: std::collections::HashMap<i64, Vec<i64>>,
    centre_admins: Option<Vec<i64>>,
}

impl Deciders {
    async fn centre(&mut self, st: &App) -> AppResult<Option<i64>> {
        if self.centre.is_none() {
            self.centre = Some(centre_department(st).await?);
        }
        Ok(self.centre.flatten())
    }

    async fn heads(&mut self, st: &App, department: i64) -> AppResult<Vec<i64>> {
        if let std::collections::hash_map::Entry::Vacant(e) = self.heads.entry(department) {
            e.insert(qualified_heads(st, department).await?);
        }
        Ok(self.heads.get(&department).cloned().unwrap_or_default())
    }

    async fn centre_admins(&mut self, st: &App) -> AppResult<Vec<i64>> {
        if self.centre_admins.is_none() {
            self.centre_admins = Some(qualified_in_role(st, None, Role::CenterAdmin).await?);
        }
        Ok(self.centre_admins.clone().unwrap_or_default())
    }

    /// Who stands in for the heads of `department` on a request asked by
    /// `requester` and changing `named` ([`access::stand_in`]): counted
    /// among the heads qualified today.
    pub(super) async fn stand_in(
        &mut self,
        st: &App,
        department: i64,
        requester: i64,
        named: &[i64],
    ) -> AppResult<StandIn> {
        let heads = self.heads(st, department).await?;
        let centre = match self.centre(st).await? {
            Some(c) => Some((c, self.heads(st, c).await?)),
            None => None,
        };
        Ok(access::stand_in(department, requester, named, &heads, centre.as_ref().map(|(c, h)| (*c, h.as_slice()))))
    }
}

/// Who stands in for the heads of `department` on a request asked by
/// `requester` and changing `named` ([`Deciders::stand_in`]), for one request.
pub(super) async fn stand_in_for(st: &App, department: i64, requester: i64, named: &[i64]) -> AppResult<StandIn> {
    Deciders::default().stand_in(st, department, requester, named).await
}

/// Whether a row grants, takes away or changes the rights of an operator
/// (运维人员): the centre decides the request.
fn concerns_operator(c: &sr::ChangeRow) -> bool {
    let roles: Vec<Role> =
        [&c.roles_before, &c.add_roles, &c.remove_roles].into_iter().flat_map(|s| parse_codes(s)).collect();
    zwfw_domain::access::operator::concerns_operator(&roles)
}

/// Who stood in for the department's heads on a request decided: the
/// decider, when not a head of the department — a head of the service
/// centre, or the system administrator.
async fn stood_in(st: &App, r: &sr::RightsRow, d: &mut Deciders) -> AppResult<StandIn> {
    let Some(by) = r.decided_by else { return Ok(StandIn::None) };
    let u = zwfw_store::admin::get_user(&st.store, by).await.map_err(AppError::missing("user"))?;
    let head = u.roles.contains(&Role::DeptHead);
    Ok(match u.department_id {
        Some(d) if head && d == r.department_id => StandIn::None,
        _ if u.roles.contains(&Role::SystemAdmin) => StandIn::SystemAdmin,
        Some(x) if head && Some(x) == d.centre(st).await? => StandIn::CentreHead { centre: x },
        _ => StandIn::None,
    })
}

/// The facts of a request, with who stands in for the department's heads
/// while it waits for their verdict (or who stood in once it was given),
/// and whether the centre decides it.
async fn facts_of(st: &App, r: &sr::RightsRow) -> AppResult<RightsFacts> {
    facts_with(st, r, &mut Deciders::default()).await
}

/// [`facts_of`], with who may decide read once for a page of requests.
async fn facts_with(st: &App, r: &sr::RightsRow, d: &mut Deciders) -> AppResult<RightsFacts> {
    let mut f = facts(r);
    let rows = sr::rows_of(st.store.pool(), r.id).await?;
    f.operator = rows.iter().any(concerns_operator);
    // A move into the centre or the supervision office: the department its staff leave.
    f.source = rows.iter().map(|c| c.from_department_id).find(|&x| x != r.department_id);
    if r.state == RightsState::Requested.code() && !r.emergency {
        let named: Vec<i64> = rows.iter().map(|c| c.user_id).collect();
        f.stand_in = if f.operator {
            access::operator_stand_in(r.requester_id, &named, &d.centre_admins(st).await?)
        } else {
            d.stand_in(st, r.department_id, r.requester_id, &named).await?
        };
    } else if !r.emergency {
        f.stand_in = stood_in(st, r, d).await?;
    }
    Ok(f)
}

/// The rows of a request as its application reads them: each account as
/// it is now, and as it will be.
struct Applied {
    users: Vec<zwfw_store::admin::User>,
    after: Vec<(i64, Vec<Role>)>,
}

impl Applied {
    async fn of(st: &App, rows: &[sr::ChangeRow]) -> AppResult<Applied> {
        let mut users = Vec::with_capacity(rows.len());
        let mut after = Vec::with_capacity(rows.len());
        for c in rows {
            let u = zwfw_store::admin::get_user(&st.store, c.user_id).await?;
            let roles = row_change(c).roles_after(&u.roles);
            let dept = c.to_department_id.or(u.department_id).unwrap_or(c.from_department_id);
            after.push((dept, roles));
            users.push(u);
        }
        Ok(Applied { users, after })
    }

    fn rows(&self) -> Vec<RowFacts<'_>> {
        self.users
            .iter()
            .zip(&self.after)
            .map(|(u, (dept, roles))| RowFacts { account: staff_account(u), department_id: *dept, roles })
            .collect()
    }
}

fn codes(rs: &[Role]) -> String {
    rs.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

fn parse_codes(s: &str) -> Vec<Role> {
    s.split(',').filter(|c| !c.is_empty()).filter_map(|c| Role::parse(c).ok()).collect()
}

fn parse_roles(list: &[String]) -> AppResult<Vec<Role>> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| Role::parse(s).map_err(|_| AppError::with_detail(Kind::Invalid, "bad_rights_role", "roles")))
        .collect()
}

fn row_change(c: &sr::ChangeRow) -> RowChange {
    RowChange::new(c.user_id, parse_codes(&c.add_roles), parse_codes(&c.remove_roles), c.to_department_id)
}

// ---------- views ----------

/// One row of a request: the changes for one staff member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = RightsChangeRow)]
pub struct RowView {
    pub user_id: i64,
    pub user_name: String,
    /// The department the staff member was in when asked.
    pub from_department_id: i64,
    pub from_department: String,
    /// The department to move to (none: no move).
    pub move_to: Option<i64>,
    pub move_to_department: String,
    /// The roles held when asked (role codes).
    pub roles_before: Vec<String>,
    /// Roles to add.
    pub add_roles: Vec<String>,
    /// Roles to take away.
    pub remove_roles: Vec<String>,
    /// The roles once applied.
    pub roles_after: Vec<String>,
}

/// A right-change request as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RightsRequest)]
pub struct RightsView {
    pub id: i64,
    pub department_id: i64,
    pub department: String,
    pub requester_name: String,
    /// The role it was asked in.
    pub requester_role: String,
    /// 变更理由.
    pub reason: String,
    /// 紧急变更: made directly by the system administrator, flagged to supervision.
    pub emergency: bool,
    /// requested | withdrawn | approved | declined | applied | rejected
    pub state: String,
    pub state_label: String,
    pub requested_at: i64,
    pub withdrawn_at: Option<i64>,
    pub decided_name: String,
    pub decided_at: Option<i64>,
    /// The head's note: the reason when refused.
    pub decided_note: String,
    pub applied_name: String,
    pub applied_at: Option<i64>,
    /// The administrator's note: the reason when refused.
    pub applied_note: String,
    /// The list of changes.
    pub rows: Vec<RowView>,
    pub may_decide: bool,
    pub may_apply: bool,
    pub may_withdraw: bool,
    /// Who gives the verdict when no head of the department may (its only
    /// head asked for it or is changed by it): `centre_head` (a head of
    /// the service centre) or `system_admin`; none otherwise.
    pub stand_in: Option<String>,
    /// A row concerns an operator (运维人员): a 政务服务中心管理员 decides
    /// it, not a head of the department.
    pub centre_decides: bool,
    /// Who applies it once approved: `department` (an administrator of the
    /// department, or the system administrator) or `system_admin` (only the
    /// system administrator may make one of its changes).
    pub applier: String,
}

fn row_view(c: sr::ChangeRow) -> RowView {
    let rc = row_change(&c);
    let before = parse_codes(&c.roles_before);
    let s = |rs: &[Role]| rs.iter().map(|r| r.code().to_string()).collect::<Vec<_>>();
    RowView {
        user_id: c.user_id,
        user_name: c.user_name,
        from_department_id: c.from_department_id,
        from_department: c.from_department_name,
        move_to: c.to_department_id,
        move_to_department: c.to_department_name,
        roles_before: s(&before),
        add_roles: s(&rc.add),
        remove_roles: s(&rc.remove),
        roles_after: s(&rc.roles_after(&before)),
    }
}

async fn view(ctx: &Ctx<'_>, r: sr::RightsRow) -> AppResult<RightsView> {
    view_with(ctx, r, &mut Deciders::default()).await
}

async fn view_with(ctx: &Ctx<'_>, r: sr::RightsRow, d: &mut Deciders) -> AppResult<RightsView> {
    let state = RightsState::parse(&r.state).unwrap_or(RightsState::Requested);
    let f = facts_with(ctx.state, &r, d).await?;
    let changes = sr::rows_of(ctx.state.store.pool(), r.id).await?;
    let named: Vec<i64> = changes.iter().map(|c| c.user_id).collect();
    let applied = Applied::of(ctx.state, &changes).await?;
    let rows_facts = applied.rows();
    let (may_decide, may_apply, may_withdraw) = match ctx.actor {
        Some(a) => (
            state == RightsState::Requested && access::may_decide_naming(a, &f, &named).is_ok(),
            state == RightsState::Approved && access::may_apply_list(a, &f, &rows_facts).is_ok(),
            state == RightsState::Requested && access::may_withdraw(a, &f).is_ok(),
        ),
        None => (false, false, false),
    };
    let stand_in = match f.stand_in {
        StandIn::None => None,
        StandIn::CentreHead { .. } => Some("centre_head".to_string()),
        StandIn::SystemAdmin => Some("system_admin".to_string()),
    };
    let applier = match access::applier(&rows_facts) {
        Applier::Department => "department",
        Applier::SystemAdmin => "system_admin",
    };
    let rows = changes.into_iter().map(row_view).collect();
    // A request about an operator (运维人员) waits for, or was refused by,
    // the service centre, not the department's heads.
    let state_label = match (r.emergency, f.operator, r.state.as_str()) {
        (true, _, _) => "紧急变更".to_string(),
        (false, true, "requested" | "declined") => crate::messages::label("rights_state_centre", &r.state),
        _ => crate::messages::label("rights_state", &r.state),
    };
    Ok(RightsView {
        id: r.id,
        department_id: r.department_id,
        department: r.department_name,
        requester_name: r.requester_name,
        requester_role: r.requester_role,
        reason: r.reason,
        emergency: r.emergency,
        state_label,
        state: r.state,
        requested_at: r.requested_at,
        withdrawn_at: r.withdrawn_at,
        decided_name: r.decided_name,
        decided_at: r.decided_at,
        decided_note: r.decided_note,
        applied_name: r.applied_name,
        applied_at: r.applied_at,
        applied_note: r.applied_note,
        rows,
        may_decide,
        may_apply,
        may_withdraw,
        stand_in,
        centre_decides: f.operator,
        applier: applier.to_string(),
    })
}

// ---------- who is told ----------

/// The heads of `department` but `who`.
async fn heads_but(st: &App, department: i64, who: i64) -> AppResult<Vec<i64>> {
    let mut heads = super::deletions::staff_in_role(st, Some(department), Role::DeptHead).await?;
    heads.retain(|&u| u != who);
    Ok(heads)
}

/// Who is told that staff of `department` are moved out by another
/// office's request: its heads and those who ask for its staff — its
/// department administrators, or, for the service centre or the
/// supervision office (which may have no head), its 政务服务中心管理员 or
/// 监察人员 ([`access::office_of`]) —, not the staff moved (`named`).
async fn losing_department(st: &App, department: i64, named: &[i64]) -> AppResult<Vec<i64>> {
    let office = access::office_of(st.department(department).await?.kind);
    let mut to = super::deletions::staff_in_role(st, Some(department), Role::DeptHead).await?;
    to.extend(super::deletions::staff_in_role(st, Some(department), office).await?);
    to.retain(|u| !named.contains(u));
    Ok(to)
}

async fn supervision(st: &App) -> AppResult<Vec<i64>> {
    super::deletions::staff_in_role(st, None, Role::Supervisor).await
}

async fn tell(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    users: &[i64],
    step: &str,
    r: &sr::RightsRow,
) -> AppResult<usize> {
    let (title, body) = crate::messages::rights_notice(step, r.id, &r.department_name, &r.requester_name, &r.reason);
    let mut to: Vec<i64> = users.to_vec();
    to.sort_unstable();
    to.dedup();
    zwfw_store::interaction::notify_users(tx, &to, &title, &body, &format!("/governance/rights/{}", r.id), ctx.now())
        .await?;
    Ok(to.len())
}

// ---------- asking ----------

/// One row as asked.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = RightsChangeInput)]
pub struct RowInput {
    /// The staff member (of the asker's department).
    pub user_id: i64,
    /// Role codes to add.
    #[serde(default)]
    pub add_roles: Vec<String>,
    /// Role codes to take away.
    #[serde(default)]
    pub remove_roles: Vec<String>,
    /// The department to move to, if any.
    #[serde(default)]
    pub move_to: Option<i64>,
}

/// A right-change request as its asker writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = RightsRequestInput)]
pub struct RequestInput {
    /// Why (变更理由, at most 2000 characters).
    pub reason: String,
    /// The list of changes: one row per staff member (at most 20).
    pub rows: Vec<RowInput>,
}

/// Whether the signed-in actor may ask at all: asked before the body is read.
pub fn may_ask(ctx: &Ctx<'_>) -> AppResult<()> {
    access::may_ask(actor(ctx)?).map(|_| ()).map_err(refused)
}

/// The staff a request may name, for the form: the asker's department's
/// but the asker, with their roles; with `department` another one, its
/// active staff, for an office that names them there
/// ([`access::names_elsewhere`]: the centre and the supervision office
/// moving them in, the centre's administrator for the operator's role).
pub async fn nameable(ctx: &Ctx<'_>, department: Option<i64>) -> AppResult<Vec<crate::accounts::StaffView>> {
    let actor = actor(ctx)?;
    let role = asking_office(ctx, access::may_ask(actor).map_err(refused)?).await?;
    let now = ctx.now();
    let elsewhere = department.filter(|d| Some(*d) != actor.department_id);
    if elsewhere.is_some() && !access::names_elsewhere(role) {
        return Err(AppError::with_detail(Kind::Forbidden, Refusal::NotInDepartment.code(), "rights_subject"));
    }
    Ok(zwfw_store::admin::list_staff(&ctx.state.store, elsewhere.or(actor.department_id))
        .await?
        .iter()
        .filter(|u| u.active && (elsewhere.is_some() || access::may_name(actor, &named(u)).is_ok()))
        .map(|u| crate::accounts::StaffView::of(u, now))
        .collect())
}

/// What the asking form offers: the roles the asker's office asks for and
/// the departments it may ask to move its staff to; the other departments
/// whose staff it may name, and for the one picked what it may ask there.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    /// The roles to add (and to take away, for the own department's staff).
    pub roles: Vec<&'static str>,
    /// (id, name)
    pub departments: Vec<(i64, String)>,
    /// The roles of a department, added only with a move out of the centre
    /// or the supervision office (to a department): none for a department.
    pub move_roles: Vec<&'static str>,
    /// The other departments whose staff the office names (id, name): none
    /// but for the centre and the supervision office.
    pub elsewhere: Vec<(i64, String)>,
    /// The other department picked, if any.
    pub picked: Option<Picked>,
}

/// What the form offers for the staff of another department.
#[derive(Debug, Clone, Serialize)]
pub struct Picked {
    pub id: i64,
    pub name: String,
    /// The asker's own office, when it may take them in (id, name).
    pub move_in: Option<(i64, String)>,
    /// The roles to add (the office's own).
    pub add_roles: Vec<&'static str>,
    /// The roles to take away (the roles of the department left).
    pub remove_roles: Vec<&'static str>,
    /// The centre's administrator grants or takes away 运维人员 alone.
    pub operator_only: bool,
}

/// The roles and departments the signed-in asker may ask for
/// ([`access::askable_roles`], [`access::may_move_to`]); with `department`
/// another department picked, what the office may ask for its staff.
pub async fn offer(ctx: &Ctx<'_>, department: Option<i64>) -> AppResult<Offer> {
    let actor = actor(ctx)?;
    let role = asking_office(ctx, access::may_ask(actor).map_err(refused)?).await?;
    let all = zwfw_store::admin::list_departments(&ctx.state.store).await?;
    let departments = all
        .iter()
        .filter(|d| d.active && Some(d.id) != actor.department_id && access::may_move_to(role, d.kind))
        .map(|d| (d.id, d.name.clone()))
        .collect();
    let roles: Vec<&'static str> = access::askable_roles(role).iter().map(|r| r.code()).collect();
    let others = || all.iter().filter(|d| d.active && Some(d.id) != actor.department_id);
    let elsewhere =
        if access::names_elsewhere(role) { others().map(|d| (d.id, d.name.clone())).collect() } else { vec![] };
    let picked = match department.filter(|d| Some(*d) != actor.department_id) {
        Some(d) if access::names_elsewhere(role) => {
            let dept = others().find(|x| x.id == d).ok_or_else(|| AppError::not_found("department"))?;
            let own = all.iter().find(|x| Some(x.id) == actor.department_id);
            let operator_only = actor.has(Role::CenterAdmin) && role == Role::CenterAdmin;
            Some(Picked {
                id: dept.id,
                name: dept.name.clone(),
                move_in: own
                    .filter(|o| access::may_move_to(role, o.kind) && access::may_move_staff_of(role, dept.kind))
                    .map(|o| (o.id, o.name.clone())),
                add_roles: roles.clone(),
                remove_roles: access::askable_roles(access::office_of(dept.kind)).iter().map(|r| r.code()).collect(),
                operator_only,
            })
        }
        Some(_) => {
            return Err(AppError::with_detail(Kind::Forbidden, Refusal::NotInDepartment.code(), "rights_subject"))
        }
        None => None,
    };
    let move_roles = if access::names_elsewhere(role) {
        access::askable_roles(Role::DeptAdmin).iter().map(|r| r.code()).filter(|r| !roles.contains(r)).collect()
    } else {
        vec![]
    };
    Ok(Offer { roles, departments, move_roles, elsewhere, picked })
}

/// The office the signed-in asker asks in ([`access::asking_office`]):
/// their department's kind decides for the centre and supervision.
async fn asking_office(ctx: &Ctx<'_>, asked_in: zwfw_domain::admin::Role) -> AppResult<zwfw_domain::admin::Role> {
    let department = actor(ctx)?.department_id.ok_or_else(|| refused(Refusal::StaffOnly))?;
    Ok(access::asking_office(asked_in, ctx.state.department(department).await?.kind))
}

fn named(u: &zwfw_store::admin::User) -> Named {
    Named { user_id: u.id, kind: u.kind, department_id: u.department_id }
}

fn subject(u: &zwfw_store::admin::User) -> Subject<'_> {
    Subject { user_id: u.id, kind: u.kind, active: u.active, department_id: u.department_id, roles: &u.roles }
}

/// The asker's department's administrator or head asks; the department's
/// other heads are told.
pub async fn ask(ctx: &Ctx<'_>, input: &RequestInput) -> AppResult<RightsView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let role = asking_office(ctx, access::may_ask(actor).map_err(refused)?).await?;
    let own_department = actor.department_id.ok_or_else(|| refused(Refusal::StaffOnly))?;
    // The department whose staff the rows name: the asker's own, or, for the
    // centre asking about the operator's role, the staff's (one department a request).
    let mut department: Option<i64> = None;
    // The department the staff of a move into the asker's office leave (one a request).
    let mut source: Option<i64> = None;
    let reason = text("reason", &input.reason)?;
    let mut rows = Vec::with_capacity(input.rows.len());
    for r in &input.rows {
        rows.push(RowChange::new(r.user_id, parse_roles(&r.add_roles)?, parse_roles(&r.remove_roles)?, r.move_to));
    }
    dr::check_list(&rows).map_err(|e| rights_error(e, None))?;
    let mut users = Vec::with_capacity(rows.len());
    for r in &rows {
        let u = zwfw_store::admin::get_user(&st.store, r.user_id).await.map_err(|e| match e {
            zwfw_store::StoreError::NotFound(_) => AppError::not_found("user"),
            e => e.into(),
        })?;
        access::may_name_row(actor, role, &named(&u), r).map_err(|x| {
            if x.hides_object() {
                AppError::not_found("user")
            } else {
                AppError::with_detail(Kind::Forbidden, x.code(), "rights_subject")
            }
        })?;
        let from = u.department_id.unwrap_or(own_department);
        // A move into the asker's own office (the centre, the supervision
        // office) is the receiving office's request; every other row is the
        // staff member's department's.
        let moving_in = from != own_department && access::moves_in(actor, role, r);
        let department_id = if moving_in { own_department } else { from };
        if *department.get_or_insert(department_id) != department_id {
            return Err(AppError::with_detail(Kind::Forbidden, Refusal::NotInDepartment.code(), "rights_subject"));
        }
        if moving_in && *source.get_or_insert(from) != from {
            return Err(AppError::with_detail(Kind::Forbidden, Refusal::NotInDepartment.code(), "rights_source"));
        }
        let move_kind = match r.move_to {
            Some(to) => {
                let d = zwfw_store::admin::get_department(&st.store, to)
                    .await
                    .map_err(|_| AppError::not_found("department"))?;
                Some(d.kind)
            }
            None => None,
        };
        let from_kind = st.department(from).await?.kind;
        access::may_ask_row(role, r, &u.roles, from_kind, move_kind).map_err(|e| rights_error_in(e, role))?;
        // As asked, a row that does not fit the account is bad input (422),
        // told as such; when applied, a conflict (409).
        r.fits(&subject(&u), from)
            .map_err(|e| AppError::with_detail(Kind::Invalid, e.code(), u.display_name.clone()))?;
        // One open request per staff member: a form sent twice, or a second
        // request before the first is decided, would apply twice.
        for open in [RightsState::Requested, RightsState::Approved] {
            if !sr::naming(st.store.pool(), u.id, open.code()).await?.is_empty() {
                return Err(AppError::with_detail(Kind::Conflict, "rights_already_requested", u.display_name.clone()));
            }
        }
        users.push(u);
    }
    let department_id = department.unwrap_or(own_department);
    let named: Vec<i64> = users.iter().map(|u| u.id).collect();
    let operator = rows
        .iter()
        .zip(&users)
        .any(|(r, u)| zwfw_domain::access::operator::concerns_operator(u.roles.iter().chain(&r.add).chain(&r.remove)));
    let centre_admins = super::deletions::staff_in_role(st, None, Role::CenterAdmin).await?;
    let mut heads = if operator {
        // The centre decides it: its administrators are told.
        centre_admins.clone()
    } else {
        heads_but(st, department_id, actor.user_id).await?
    };
    heads.retain(|h| !named.contains(h));
    // No head of the department (or administrator of the centre) may decide it: who stands in is told.
    let stand_in = if operator {
        // Counted among the centre's administrators qualified today, as heads are.
        access::operator_stand_in(actor.user_id, &named, &qualified_in_role(st, None, Role::CenterAdmin).await?)
    } else {
        stand_in_for(st, department_id, actor.user_id, &named).await?
    };
    match stand_in {
        StandIn::None => {}
        StandIn::CentreHead { centre } => {
            heads.extend(super::deletions::staff_in_role(st, Some(centre), Role::DeptHead).await?)
        }
        StandIn::SystemAdmin => heads.extend(super::deletions::staff_in_role(st, None, Role::SystemAdmin).await?),
    }
    heads.retain(|h| *h != actor.user_id && !named.contains(h));
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let texts: Vec<(String, String, String)> =
        rows.iter().zip(&users).map(|(r, u)| (codes(&u.roles), codes(&r.add), codes(&r.remove))).collect();
    let new_rows: Vec<sr::NewChange> = rows
        .iter()
        .zip(&users)
        .zip(&texts)
        .map(|((r, u), t)| sr::NewChange {
            user_id: u.id,
            user_name: &u.display_name,
            from_department_id: u.department_id.unwrap_or(department_id),
            to_department_id: r.move_to,
            roles_before: &t.0,
            add_roles: &t.1,
            remove_roles: &t.2,
        })
        .collect();
    let id = sr::insert(
        &mut tx,
        &sr::NewRights {
            department_id,
            requester_id: actor.user_id,
            requester_name: &actor.display_name,
            requester_role: role.code(),
            reason: &reason,
            emergency: false,
            requested_at: now,
        },
        &new_rows,
    )
    .await?;
    let r = sr::get(tx.conn(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    let mut told = tell(ctx, &mut tx, &heads, "requested", &r).await?;
    // A move into the centre or the supervision office: the department left is told.
    if let Some(src) = source {
        let losing = losing_department(st, src, &named).await?;
        told += tell(ctx, &mut tx, &losing, "moving_out", &r).await?;
    }
    let detail = json!({"rights_state": "requested", "role": role.code(), "rows": rows.len(),
        "users": users.iter().map(|u| u.id).collect::<Vec<_>>(), "notified": told});
    ctx.audit(&mut tx, ctx.entry("rights_requested", OBJECT, id, detail, &reason)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

// ---------- reading ----------

/// Which requests a list shows.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[schema(as = RightsRequestQuery)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// requested (waiting for the department's heads) | requested_centre (waiting for the service
    /// centre's administrators: a request concerning an operator) | withdrawn | approved | declined |
    /// applied | rejected | emergency (default: every state)
    pub state: Option<String>,
    /// The supervision office and the system administrator: one department's requests.
    pub department_id: Option<i64>,
    /// 1-based.
    pub page: Option<i64>,
}

/// A page of requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RightsRequestPage)]
pub struct RightsPage {
    pub rows: Vec<RightsView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Whose requests: all | department
    pub scope: String,
}

pub const PER_PAGE: i64 = 50;

/// The list's filter of the requests waiting for the service centre's
/// administrators (待政务服务中心管理员审核: those concerning an operator);
/// `requested` lists those waiting for the department's heads.
pub const CENTRE_WAITS: &str = "requested_centre";

/// The requests the reader may see, newest first, by state (or the
/// emergency changes) and department: the supervision office and the
/// system administrator all, a department's askers, heads and
/// administrators their department's.
pub async fn list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<RightsPage> {
    let scope = access::list_scope(actor(ctx)?).map_err(refused)?;
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid("page"));
    }
    let mut f = sr::Filter { limit: PER_PAGE, offset: (page - 1) * PER_PAGE, ..Default::default() };
    match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {}
        Some("emergency") => f.emergency = true,
        // Waiting for the centre (a request concerning an operator), or for the department's heads.
        Some(CENTRE_WAITS) => {
            f.state = Some(RightsState::Requested.code().to_string());
            f.operator = Some(true);
        }
        Some(s) => {
            let s =
                RightsState::parse(s).ok_or_else(|| AppError::with_detail(Kind::BadInput, "bad_filter", "state"))?;
            f.state = Some(s.code().to_string());
            if s == RightsState::Requested {
                f.operator = Some(false);
            }
        }
    }
    // The centre's administrators list, besides their own, every request
    // concerning an operator, which they decide: another department chosen,
    // its requests concerning an operator; their own, their own only.
    let operators_too = scope.is_some() && access::lists_operator_requests(actor(ctx)?);
    match (scope, q.department_id) {
        (Some(own), Some(d)) if operators_too && d != own => {
            if f.operator == Some(false) {
                // Waiting for that department's heads: none of the centre's to read.
                let scope = "department".to_string();
                return Ok(RightsPage { rows: vec![], total: 0, page, per_page: PER_PAGE, scope });
            }
            f.department_id = Some(d);
            f.operator = Some(true);
        }
        _ => {
            f.department_id = crate::error::list_department(scope, q.department_id)?;
            f.or_operator = operators_too && q.department_id.is_none();
        }
    }
    let (rows, total) = sr::list(&ctx.state.store, &f).await?;
    let mut out = Vec::with_capacity(rows.len());
    // Who may decide is read once for the page, not once a request.
    let mut deciders = Deciders::default();
    for r in rows {
        out.push(view_with(ctx, r, &mut deciders).await?);
    }
    let scope = if scope.is_some() { "department" } else { "all" };
    Ok(RightsPage { rows: out, total, page, per_page: PER_PAGE, scope: scope.to_string() })
}

async fn readable(ctx: &Ctx<'_>, id: i64) -> AppResult<sr::RightsRow> {
    let actor = actor(ctx)?;
    let r = sr::get(ctx.state.store.pool(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    if !access::may_read(actor, &facts_of(ctx.state, &r).await?) {
        return Err(AppError::not_found(OBJECT));
    }
    Ok(r)
}

/// One request with its list of changes.
pub async fn get(ctx: &Ctx<'_>, id: i64) -> AppResult<RightsView> {
    let r = readable(ctx, id).await?;
    view(ctx, r).await
}

/// The approved requests naming staff member `user_id` that the reader
/// may apply: offered on the account's page.
pub async fn approved_for(ctx: &Ctx<'_>, user_id: i64) -> AppResult<Vec<RightsView>> {
    let actor = actor(ctx)?;
    let mut out = vec![];
    for r in sr::naming(ctx.state.store.pool(), user_id, RightsState::Approved.code()).await? {
        if access::may_apply(actor, &facts(&r)).is_ok() {
            let v = view(ctx, r).await?;
            if v.may_apply {
                out.push(v);
            }
        }
    }
    Ok(out)
}

// ---------- verdicts, application, withdrawal ----------

/// A verdict at either stage: approve (apply), or refuse with the reason.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = RightsVerdict)]
pub struct VerdictInput {
    /// approve | refuse
    pub decision: String,
    /// The reason (required when refusing; an optional note otherwise).
    #[serde(default)]
    pub note: String,
}

fn verdict(input: &VerdictInput) -> AppResult<(Verdict, String)> {
    let v = Verdict::parse(&input.decision)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_verdict", "decision"))?;
    let note = match v {
        Verdict::Refuse => text("note", &input.note)?,
        Verdict::Approve if input.note.trim().is_empty() => String::new(),
        Verdict::Approve => text("note", &input.note)?,
    };
    Ok((v, note))
}

type Rule = fn(&Actor, &RightsFacts) -> Result<Role, Refusal>;

/// The request, for one who may read it, or the step's own refusal for
/// staff who may not (a head of another department is told why).
async fn readable_or_refused(ctx: &Ctx<'_>, id: i64, rule: Rule) -> AppResult<(sr::RightsRow, Role)> {
    let actor = actor(ctx)?;
    let r = sr::get(ctx.state.store.pool(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    let f = facts_of(ctx.state, &r).await?;
    let decided = rule(actor, &f);
    if !access::may_read(actor, &f) {
        return Err(match decided {
            Err(refusal) if actor.is_staff() => refused(refusal),
            _ => AppError::not_found(OBJECT),
        });
    }
    let role = decided.map_err(refused)?;
    Ok((r, role))
}

/// Whether the actor may give the head's verdict on request `id`: asked before the body is read.
pub async fn may_decide(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    decidable(ctx, id).await.map(|_| ())
}

/// The request and the role its verdict is given in, for a head who may
/// decide it: not one naming the head among the staff it changes.
async fn decidable(ctx: &Ctx<'_>, id: i64) -> AppResult<(sr::RightsRow, Role)> {
    let actor = actor(ctx)?;
    let (r, _) = readable_or_refused(ctx, id, access::may_decide).await?;
    let named: Vec<i64> = sr::rows_of(ctx.state.store.pool(), id).await?.iter().map(|c| c.user_id).collect();
    let role = access::may_decide_naming(actor, &facts_of(ctx.state, &r).await?, &named).map_err(refused)?;
    Ok((r, role))
}

/// Whether the actor may apply request `id`: asked before the body is read.
pub async fn may_apply(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    applicable(ctx, id).await.map(|_| ())
}

/// The request and the role it is applied (or refused) in, for one who
/// may apply its whole list ([`access::may_apply_list`]): a department
/// administrator is refused one holding a change only the system
/// administrator may make (`role_grant_forbidden`, `not_in_department`).
async fn applicable(ctx: &Ctx<'_>, id: i64) -> AppResult<(sr::RightsRow, Role)> {
    let actor = actor(ctx)?;
    let (r, _) = readable_or_refused(ctx, id, access::may_apply).await?;
    let rows = sr::rows_of(ctx.state.store.pool(), id).await?;
    let applied = Applied::of(ctx.state, &rows).await?;
    let role = access::may_apply_list(actor, &facts(&r), &applied.rows())
        .map_err(|x| AppError::with_detail(Kind::Forbidden, x.code(), "rights_row"))?;
    Ok((r, role))
}

fn step<'a>(actor: &'a Actor, from: RightsState, to: RightsState, note: &'a str, at: i64) -> sr::Step<'a> {
    sr::Step { from: from.code(), to: to.code(), by: actor.user_id, by_name: &actor.display_name, note, at }
}

/// A head of the department approves (the asker and the supervision office
/// are told: the request is filed) or refuses with a reason (the asker is told).
pub async fn decide(ctx: &Ctx<'_>, id: i64, input: &VerdictInput) -> AppResult<RightsView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let (r, role) = decidable(ctx, id).await?;
    let (v, note) = verdict(input)?;
    let from = RightsState::parse(&r.state).unwrap_or(RightsState::Requested);
    let to = from.decide(v).map_err(|e| rights_error(e, None))?;
    let mut to_tell = vec![r.requester_id];
    if v == Verdict::Approve {
        to_tell.extend(supervision(st).await?);
    }
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    if !sr::decide(&mut tx, id, &step(actor, from, to, &note, now)).await? {
        return Err(rights_error(RightsError::WrongStage, None));
    }
    let told = tell(ctx, &mut tx, &to_tell, to.code(), &r).await?;
    let act = if v == Verdict::Approve { "rights_approved" } else { "rights_declined" };
    let detail = json!({"rights_state": to.code(), "role": role.code(), "notified": told});
    ctx.audit(&mut tx, ctx.entry(act, OBJECT, id, detail, &note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// The account a row changes, as the staff rules read it.
fn staff_account(u: &zwfw_store::admin::User) -> StaffAccount<'_> {
    StaffAccount { user_id: u.id, kind: u.kind, department_id: u.department_id, roles: &u.roles }
}

/// Applies row `c` of request `id` in `tx`: the account read again (and
/// locked), the row checked against it, the department moved and the roles
/// set, each change audited with the request's number, the sessions ended.
async fn apply_row(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    id: i64,
    c: &sr::ChangeRow,
    reason: &str,
    emergency: bool,
) -> AppResult<()> {
    let rc = row_change(c);
    let a = sr::account(tx, c.user_id).await?.ok_or_else(|| AppError::not_found("user"))?;
    let held: Vec<Role> = a.roles.iter().filter_map(|r| Role::parse(r).ok()).collect();
    let kind = AccountKind::parse(&a.kind).unwrap_or(AccountKind::Person);
    let s = Subject { user_id: a.id, kind, active: a.active, department_id: a.department_id, roles: &held };
    rc.fits(&s, c.from_department_id).map_err(|e| rights_error(e, Some(&a.display_name)))?;
    let now = ctx.now();
    if let Some(to) = rc.move_to {
        sr::move_to(tx, a.id, to, now).await?;
        let detail = json!({"department_id": [a.department_id, to], "rights_request": id, "emergency": emergency});
        ctx.audit(tx, ctx.entry(action::UPDATE, "user", a.id, detail, reason)).await?;
        // No longer of the department left: no longer one of its named 政民互动 handlers.
        crate::interaction::end_handlers_of(ctx, tx, a.id, Some(to), crate::interaction::ENDED_MOVED).await?;
    }
    let after = rc.roles_after(&held);
    if after != held {
        zwfw_store::admin::set_roles(tx, a.id, &after).await?;
        let c = |rs: &[Role]| rs.iter().map(|r| r.code()).collect::<Vec<_>>();
        let detail = json!({"roles": [c(&held), c(&after)], "rights_request": id, "emergency": emergency});
        ctx.audit(tx, ctx.entry(action::ROLES_CHANGED, "user", a.id, detail, reason)).await?;
    }
    // New rights take effect at the next sign-in.
    zwfw_store::auth::end_user_sessions(tx, a.id, None, "roles_changed", now).await?;
    Ok(())
}

/// An administrator applies an approved request — exactly its rows, all in
/// one transaction, nothing if one no longer fits — or refuses with a
/// reason. The asker, the approving head and the supervision office are told.
pub async fn apply(ctx: &Ctx<'_>, id: i64, input: &VerdictInput) -> AppResult<RightsView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    // Each row only where the administrator may make that change.
    let (r, role) = applicable(ctx, id).await?;
    let (v, note) = verdict(input)?;
    let from = RightsState::parse(&r.state).unwrap_or(RightsState::Requested);
    let to = from.apply(v).map_err(|e| rights_error(e, None))?;
    let rows = sr::rows_of(st.store.pool(), id).await?;
    let mut to_tell = vec![r.requester_id];
    to_tell.extend(r.decided_by);
    to_tell.extend(supervision(st).await?);
    // Staff moved in from another department: that department is told it is done.
    if v == Verdict::Approve {
        let named: Vec<i64> = rows.iter().map(|c| c.user_id).collect();
        let mut sources: Vec<i64> =
            rows.iter().map(|c| c.from_department_id).filter(|&d| d != r.department_id).collect();
        sources.dedup();
        for src in sources {
            to_tell.extend(losing_department(st, src, &named).await?);
        }
    }
    to_tell.retain(|&u| u != actor.user_id);
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    if !sr::finish(&mut tx, id, &step(actor, from, to, &note, now)).await? {
        return Err(rights_error(RightsError::WrongStage, None));
    }
    if v == Verdict::Approve {
        for c in &rows {
            apply_row(ctx, &mut tx, id, c, &r.reason, false).await?;
        }
    }
    let told = tell(ctx, &mut tx, &to_tell, to.code(), &r).await?;
    let act = if v == Verdict::Approve { "rights_applied" } else { "rights_rejected" };
    let detail = json!({"rights_state": to.code(), "role": role.code(), "rows": rows.len(), "notified": told});
    ctx.audit(&mut tx, ctx.entry(act, OBJECT, id, detail, &note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// Whether the actor may withdraw request `id`.
pub async fn may_withdraw(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let r = readable(ctx, id).await?;
    access::may_withdraw(actor(ctx)?, &facts(&r)).map_err(refused)
}

/// The asker withdraws the request before the head's verdict; the heads are told.
pub async fn withdraw(ctx: &Ctx<'_>, id: i64) -> AppResult<RightsView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let r = readable(ctx, id).await?;
    access::may_withdraw(actor, &facts(&r)).map_err(refused)?;
    let from = RightsState::parse(&r.state).unwrap_or(RightsState::Requested);
    let to = from.withdraw().map_err(|e| rights_error(e, None))?;
    let heads = heads_but(st, r.department_id, actor.user_id).await?;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    if !sr::withdraw(&mut tx, id, now).await? {
        return Err(rights_error(RightsError::WrongStage, None));
    }
    let told = tell(ctx, &mut tx, &heads, to.code(), &r).await?;
    let detail = json!({"rights_state": to.code(), "notified": told});
    ctx.audit(&mut tx, ctx.entry("rights_withdrawn", OBJECT, id, detail, "")).await?;
    tx.commit().await?;
    get(ctx, id).await
}

// ---------- the direct path ----------

/// Whether a role or department change of `before` to `department_id` and
/// `roles` may be made directly (the staff edit): no change of either, the
/// demo loader (no actor), or the system administrator in an emergency.
/// For an emergency change, the supervision officers to tell.
pub async fn check_direct(
    ctx: &Ctx<'_>,
    before: &zwfw_store::admin::User,
    department_id: i64,
    roles: &[Role],
    emergency: bool,
) -> AppResult<Option<Vec<i64>>> {
    let changes = before.department_id != Some(department_id) || before.roles != roles;
    match ctx.actor {
        Some(a) if changes => {
            access::may_change_directly(a, emergency).map_err(|e| rights_error(e, None))?;
            Ok(Some(supervision(ctx.state).await?))
        }
        _ => Ok(None),
    }
}

/// Records the system administrator's emergency change of `before` (to
/// `department_id` and `roles`, with `reason`) in `tx`: kept as an emergency
/// request, applied at once, each change audited with its number, and the
/// supervision office told. The request's number.
pub async fn record_emergency(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    before: &zwfw_store::admin::User,
    department_id: i64,
    roles: &[Role],
    reason: &str,
    supervisors: &[i64],
) -> AppResult<i64> {
    let actor = actor(ctx)?;
    let from = before.department_id.ok_or_else(|| AppError::not_found("user"))?;
    let add: Vec<Role> = roles.iter().copied().filter(|r| !before.roles.contains(r)).collect();
    let remove: Vec<Role> = before.roles.iter().copied().filter(|r| !roles.contains(r)).collect();
    let move_to = (from != department_id).then_some(department_id);
    let (held, add_s, remove_s) = (codes(&before.roles), codes(&add), codes(&remove));
    let new_row = sr::NewChange {
        user_id: before.id,
        user_name: &before.display_name,
        from_department_id: from,
        to_department_id: move_to,
        roles_before: &held,
        add_roles: &add_s,
        remove_roles: &remove_s,
    };
    let id = sr::insert(
        tx,
        &sr::NewRights {
            department_id: from,
            requester_id: actor.user_id,
            requester_name: &actor.display_name,
            requester_role: Role::SystemAdmin.code(),
            reason,
            emergency: true,
            requested_at: ctx.now(),
        },
        &[new_row],
    )
    .await?;
    for c in sr::rows_of(tx.conn(), id).await? {
        apply_row(ctx, tx, id, &c, reason, true).await?;
    }
    let r = sr::get(tx.conn(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    let told = tell(ctx, tx, supervisors, "emergency", &r).await?;
    let detail = json!({"rights_state": "applied", "emergency": true, "users": [before.id], "notified": told});
    ctx.audit(tx, ctx.entry("rights_emergency", OBJECT, id, detail, reason)).await?;
    Ok(id)
}
