//! The named handlers on duty per department and region (第七条).

use super::*;

// ---------- handlers (第七条) ----------

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct HandlerInput {
    pub user_id: i64,
    /// lead (负责人) | staff (具体工作人员)
    pub duty: String,
    pub mobile: String,
}

/// One department's handlers on duty, for the view of a county (or of the
/// city's own departments).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentHandlers {
    pub department_id: i64,
    pub department_name: String,
    /// The county government office, which assigns the county's matters.
    pub county_office: bool,
    pub handlers: Vec<si::HandlerRow>,
    /// Whether a lead (负责人) is named.
    pub has_lead: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionHandlers {
    pub region_id: i64,
    pub region_name: String,
    pub departments: Vec<DepartmentHandlers>,
    /// Departments without any handler on duty.
    pub without_handlers: usize,
}

/// The regions whose handlers `actor` may read at once: every city and county
/// for supervision and global administrators; their county for the staff of
/// a county government office.
pub async fn handler_regions(st: &App, actor: &Actor) -> AppResult<Vec<sa::Region>> {
    let regions = sa::list_regions(&st.store).await?;
    readable_regions(st, actor, &regions).await
}

pub(super) async fn readable_regions(st: &App, actor: &Actor, regions: &[sa::Region]) -> AppResult<Vec<sa::Region>> {
    let own = match actor.department_id.filter(|_| actor.is_staff()) {
        Some(d) => {
            let d = sa::get_department(&st.store, d).await?;
            Some((d.kind, d.region_id))
        }
        None => None,
    };
    let scope = access::handler_regions(actor, own);
    let all = scope == access::RegionScope::All;
    let mine = match scope {
        access::RegionScope::One(r) => Some(r),
        _ => None,
    };
    Ok(regions
        .iter()
        .filter(|r| matches!(r.level, RegionLevel::City | RegionLevel::County))
        .filter(|r| all || Some(r.id) == mine)
        .cloned()
        .collect())
}

/// A handler as `actor` reads it: the mobile whole for who may name the
/// department's handlers or oversees every department, masked for every
/// other reader (a colleague, an operator).
fn masked_unless_managing(actor: &Actor, mut h: si::HandlerRow) -> si::HandlerRow {
    if !access::may_manage_handlers(actor, h.department_id) && !zwfw_domain::access::is_overseer(actor) {
        h.mobile = zwfw_domain::outbox::masked_mobile(&h.mobile);
    }
    h
}

/// The handlers department `department_id` named (第七条), current first,
/// then the history; their mobiles masked unless the reader may name them.
pub async fn department_handlers(ctx: &Ctx<'_>, department_id: i64) -> AppResult<Vec<si::HandlerRow>> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !access::may_read_handlers(actor) {
        return Err(AppError::forbidden());
    }
    Ok(si::handlers(&ctx.state.store, department_id)
        .await?
        .into_iter()
        .map(|h| masked_unless_managing(actor, h))
        .collect())
}

/// Every active department of a county (with its towns) or the city's own
/// departments, with the handlers on duty: who answers for the county's
/// matters and which departments have named nobody.
pub async fn region_handlers(st: &App, actor: &Actor, region_id: i64) -> AppResult<RegionHandlers> {
    let regions = sa::list_regions(&st.store).await?;
    let Some(region) = readable_regions(st, actor, &regions).await?.into_iter().find(|r| r.id == region_id) else {
        let exists = regions.iter().any(|r| r.id == region_id);
        return Err(if exists { AppError::forbidden() } else { AppError::not_found("region") });
    };
    let within = |rid: i64| {
        rid == region.id
            || (region.level == RegionLevel::County
                && regions
                    .iter()
                    .any(|r| r.id == rid && r.parent_id == Some(region.id) && r.level == RegionLevel::Town))
    };
    let mut depts: Vec<_> =
        sa::list_departments(&st.store).await?.into_iter().filter(|d| d.active && within(d.region_id)).collect();
    depts.sort_by_key(|d| (d.kind != DepartmentKind::CountyOffice, d.id));
    let mut current = si::current_handlers(&st.store).await?;
    let departments: Vec<DepartmentHandlers> = depts
        .into_iter()
        .map(|d| {
            // The region's handlers at a glance, with their duty mobiles: for
            // who assigns or oversees the region's matters.
            let handlers: Vec<_> = current.extract_if(.., |h| h.department_id == d.id).collect();
            DepartmentHandlers {
                department_id: d.id,
                department_name: d.name,
                county_office: d.kind == DepartmentKind::CountyOffice,
                has_lead: handlers.iter().any(|h| h.duty == Duty::Lead.code()),
                handlers,
            }
        })
        .collect();
    Ok(RegionHandlers {
        region_id: region.id,
        region_name: region.name,
        without_handlers: departments.iter().filter(|d| d.handlers.is_empty()).count(),
        departments,
    })
}

/// May name the department's handlers: its own department administrator or
/// head, or a global administrator.
pub fn may_manage_handlers(actor: &Actor, department_id: i64) -> bool {
    access::may_manage_handlers(actor, department_id)
}

/// Whether the actor names some department's handlers or sets the limits
/// (asked before the form is read; each change then checks its department).
pub fn may_manage_some_handlers(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor.is_some_and(access::may_manage_some_handlers) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

/// Whether the actor names the handlers of department `department_id`
/// (asked before the form is read).
pub fn may_name_handlers(ctx: &Ctx<'_>, department_id: i64) -> AppResult<()> {
    match ctx.actor.is_some_and(|a| may_manage_handlers(a, department_id)) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

pub async fn add_handler(ctx: &Ctx<'_>, department_id: i64, input: &HandlerInput) -> AppResult<i64> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !may_manage_handlers(actor, department_id) {
        return Err(AppError::forbidden());
    }
    let duty = Duty::parse(&input.duty).ok_or_else(|| AppError::invalid("duty"))?.code();
    let mobile = String::from(Mobile::parse(&input.mobile)?);
    let user = sa::get_user(&st.store, input.user_id).await.map_err(AppError::missing("user"))?;
    if user.department_id != Some(department_id) {
        return Err(AppError::with_detail(Fail::Invalid, "invalid_handler", "department"));
    }
    if si::handlers(&st.store, department_id).await?.iter().any(|h| h.ended_at.is_none() && h.user_id == user.id) {
        return Err(AppError::with_detail(Fail::Conflict, "duplicate", "handler"));
    }
    let mut tx = st.store.begin().await?;
    let id = si::add_handler(&mut tx, department_id, user.id, duty, &mobile, Some(actor.user_id), ctx.now()).await?;
    let e = ctx.entry(
        "interaction_handler_add",
        "department",
        department_id,
        json!({"handler_id": id, "user_id": user.id, "duty": duty}),
        "",
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn end_handler(ctx: &Ctx<'_>, department_id: i64, handler_id: i64, reason: &str) -> AppResult<()> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !may_manage_handlers(actor, department_id) {
        return Err(AppError::forbidden());
    }
    if reason.trim().is_empty() {
        return Err(AppError::bad("reason_required"));
    }
    crate::error::reason(reason)?;
    let mut tx = st.store.begin().await?;
    if !si::end_handler(&mut tx, department_id, handler_id, Some(actor.user_id), reason.trim(), ctx.now()).await? {
        return Err(AppError::not_found("handler"));
    }
    let e =
        ctx.entry("interaction_handler_end", "department", department_id, json!({"handler_id": handler_id}), reason);
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// The reason a staff member's handler entries end when they leave the
/// department (a rights request applied, an emergency change).
pub const ENDED_MOVED: &str = "调出本部门";
/// The reason a staff member's handler entries end when the account is disabled.
pub const ENDED_DISABLED: &str = "账号停用";

/// Ends, in `tx`, the handler entries of `user_id` still on duty in any
/// department but `keep` (every one when none), with `reason`, each
/// audited: one no longer of a department handles none of its messages.
/// How many were ended.
pub(crate) async fn end_handlers_of(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    user_id: i64,
    keep: Option<i64>,
    reason: &str,
) -> AppResult<usize> {
    let by = ctx.actor.map(|a| a.user_id);
    let mut ended = 0;
    for h in si::open_handlers_of(tx.conn(), user_id).await? {
        if Some(h.department_id) == keep {
            continue;
        }
        if si::end_handler(tx, h.department_id, h.id, by, reason, ctx.now()).await? {
            let detail = json!({"handler_id": h.id, "user_id": user_id});
            ctx.audit(tx, ctx.entry("interaction_handler_end", "department", h.department_id, detail, reason)).await?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// A department or a colleague as the handlers page offers them: an id and a
/// name, nothing more.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// A kind of message and its answer limit in working days.
#[derive(Debug, Clone, Serialize)]
pub struct KindLimit {
    pub kind: &'static str,
    pub days: u32,
}

/// Everything the handlers page (留言办理人与时限) shows one reader.
#[derive(Debug, Clone, Serialize)]
pub struct HandlersBoard {
    /// The departments the reader may choose (their own only, unless they
    /// oversee every department).
    pub departments: Vec<Named>,
    /// The department shown, if any.
    pub department_id: Option<i64>,
    /// Its handlers, masked as [`department_handlers`] masks them.
    pub handlers: Vec<si::HandlerRow>,
    /// Its active staff, offered as new handlers: only to who may name them.
    pub colleagues: Vec<Named>,
    pub manage: bool,
    pub set_limits: bool,
    pub limits: Vec<KindLimit>,
    /// The regions whose handlers the reader may read at once.
    pub regions: Vec<Named>,
    pub region_id: Option<i64>,
    pub by_region: Option<RegionHandlers>,
}

/// The handlers page for the reader: department `department_id` (their own
/// when none is asked and no region is), the region `region_id`, the limits.
/// Another department than one's own is refused unless the reader oversees
/// every department.
pub async fn handlers_board(
    ctx: &Ctx<'_>,
    department_id: Option<i64>,
    region_id: Option<i64>,
) -> AppResult<HandlersBoard> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !access::may_read_handlers(actor) {
        return Err(AppError::forbidden());
    }
    let department_id = department_id.or(if region_id.is_some() { None } else { actor.department_id });
    let choose = zwfw_domain::access::is_overseer(actor);
    if department_id.is_some_and(|d| !choose && Some(d) != actor.department_id) {
        return Err(AppError::forbidden());
    }
    let regions = handler_regions(st, actor).await?;
    let by_region = match region_id {
        Some(r) => Some(region_handlers(st, actor, r).await?),
        None => None,
    };
    let departments = sa::list_departments(&st.store)
        .await?
        .into_iter()
        .filter(|d| d.active && (choose || Some(d.id) == actor.department_id))
        .map(|d| Named { id: d.id, name: d.name })
        .collect();
    let manage = department_id.is_some_and(|d| access::may_manage_handlers(actor, d));
    let (handlers, colleagues) = match department_id {
        Some(d) => {
            let colleagues = match manage {
                true => sa::list_staff(&st.store, Some(d))
                    .await?
                    .into_iter()
                    .filter(|u| u.active)
                    .map(|u| Named { id: u.id, name: u.display_name })
                    .collect(),
                false => vec![],
            };
            (department_handlers(ctx, d).await?, colleagues)
        }
        None => (vec![], vec![]),
    };
    let mut limits = vec![];
    for k in Kind::ALL {
        limits.push(KindLimit { kind: k.code(), days: limit_days(st, k).await? });
    }
    Ok(HandlersBoard {
        departments,
        department_id,
        handlers,
        colleagues,
        manage,
        set_limits: access::may_set_limits(actor),
        limits,
        regions: regions.into_iter().map(|r| Named { id: r.id, name: r.name }).collect(),
        region_id,
        by_region,
    })
}
