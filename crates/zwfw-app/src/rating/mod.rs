//! 好差评: rating a case per stage (by its applicant online, through the QR
//! code shown at the counter, or recorded by staff from a call, an SMS or the
//! hall's devices), the follow-up of a bad rating, and the appeal decided by
//! supervision. The API and the pages call these functions.

use crate::cases::day_text;
use crate::error::Kind;
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::rating::{self as access, FollowUpStep, ListScope, RatedBy};
use zwfw_domain::admin::Actor;
use zwfw_domain::cases::CaseState;
use zwfw_domain::interaction::Duty;
use zwfw_domain::rating::{self as dr, Channel, FollowUp, FollowUpAction, Level, RatingError, Stage};
use zwfw_store::cases as sc;
use zwfw_store::interaction as si;
use zwfw_store::rating::{self as sr, RatingRow};

impl From<RatingError> for AppError {
    fn from(e: RatingError) -> Self {
        let (status, code) = match &e {
            RatingError::AlreadyRated => (Kind::Conflict, "already_rated"),
            RatingError::StageNotReached
            | RatingError::WrongFollowUpState
            | RatingError::AlreadyAppealed
            | RatingError::NoAppeal => (Kind::Conflict, "rating_conflict"),
            _ => (Kind::Invalid, "invalid_rating"),
        };
        AppError::with_detail(status, code, crate::messages::rating_error_text(&e))
    }
}

/// How long a counter QR link stays valid.
pub const LINK_DAYS: i64 = 7;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RateInput {
    /// acceptance | conclusion
    pub stage: String,
    /// 1 非常满意 … 5 非常不满意 (GB/T 39046 A.8)
    pub level: i64,
    /// pc | mobile | qr_code | tablet | terminal | phone | sms
    pub channel: Option<String>,
    pub comment: Option<String>,
}

/// Who rates: the applicant signed in, the bearer of a counter QR link, or a
/// staff member recording what the applicant said.
pub enum Rater<'a> {
    Actor(&'a Actor),
    Link(String),
}

fn case_state(row: &sc::CaseRow) -> CaseState {
    CaseState::parse(&row.p.state).unwrap_or(CaseState::Draft)
}

/// Records a rating. One per case and stage: a second one is refused with
/// `already_rated` and nothing is stored.
pub async fn rate(ctx: &Ctx<'_>, case_id: i64, rater: Rater<'_>, input: &RateInput) -> AppResult<RatingRow> {
    let st = ctx.state;
    let row = sc::get_case(&st.store, case_id).await?;
    let stage = Stage::parse(&input.stage).ok_or_else(|| AppError::invalid("stage"))?;
    let level = Level::new(input.level)?;
    let comment = dr::comment(input.comment.as_deref())?;
    let wanted = input.channel.as_deref().map(|c| Channel::parse(c).ok_or_else(|| AppError::invalid("channel")));
    let wanted = wanted.transpose()?;
    let (channel, rater_user, recorded_by) = match &rater {
        Rater::Link(token) => {
            if sr::link_case(&st.store, token, ctx.now()).await? != Some(case_id) {
                return Err(AppError::with_detail(Kind::NotFound, "rating_link_invalid", ""));
            }
            (Channel::QrCode, row.applicant_user_id, None)
        }
        Rater::Actor(a) => match access::may_rate(a, row.department_id, row.applicant_user_id)
            .map_err(|r| AppError::refused(r, "case"))?
        {
            RatedBy::Applicant => {
                let c = wanted.unwrap_or(Channel::Pc);
                if !matches!(c, Channel::Pc | Channel::Mobile) {
                    return Err(AppError::invalid("channel"));
                }
                (c, Some(a.user_id), None)
            }
            // Staff of the case's department record a rating given by phone,
            // SMS or on the hall's devices; nobody else rates for an applicant.
            RatedBy::Recorded(_) => {
                let c = wanted.filter(|c| c.recorded_by_staff()).ok_or_else(|| AppError::invalid("channel"))?;
                (c, row.applicant_user_id, Some(a.user_id))
            }
        },
    };
    if !open_stages(&row, &[]).contains(&stage.code()) {
        return Err(RatingError::StageNotReached.into());
    }
    let dept = zwfw_store::admin::get_department(&st.store, row.department_id).await?;
    let region = zwfw_store::admin::get_region(&st.store, dept.region_id).await?;
    let due = if level.is_bad() {
        Some(day_text(
            st.calendar()
                .add_working_days(st.today(), dr::DEFAULT_FOLLOW_UP_DAYS)
                .map_err(zwfw_domain::cases::CaseError::from)?,
        ))
    } else {
        None
    };
    let handler = si::handlers(&st.store, row.department_id)
        .await?
        .into_iter()
        .filter(|h| h.ended_at.is_none())
        .min_by_key(|h| (h.duty != Duty::Staff.code(), h.id))
        .map(|h| h.user_id);
    // The case's reported result, derived after its conclusion's commit,
    // is in the outbox before its rated version is written from it.
    zwfw_store::exchange::derive(&st.store).await?;
    let mut tx = st.store.begin().await?;
    let inserted = sr::insert(
        &mut tx,
        &sr::NewRating {
            case_id,
            stage: stage.code(),
            level: level.code() as i64,
            channel: channel.code(),
            rater_user_id: rater_user,
            rater_name: &row.applicant_name,
            recorded_by,
            comment: &comment,
            region_code: &region.code,
            department_id: row.department_id,
            follow_up: due.as_deref().map(|d| (handler, d)),
        },
        ctx.now(),
    )
    .await;
    let id = match inserted {
        Ok(id) => id,
        Err(zwfw_store::StoreError::Duplicate(_)) => return Err(RatingError::AlreadyRated.into()),
        Err(e) => return Err(e.into()),
    };
    if level.is_bad() {
        let link = format!("/ratings/{id}");
        let title = format!("差评待整改：{}", row.case_no.clone().unwrap_or_default());
        let to: Vec<i64> = handler.into_iter().collect();
        crate::interaction::notify_department(&mut tx, st, row.department_id, to, &title, level.text(), &link).await?;
    }
    let e = ctx.entry(
        "rating_add",
        "case",
        case_id,
        json!({"rating_id": id, "stage": stage.code(), "level": level.code(), "channel": channel.code()}),
        "",
    );
    ctx.audit(&mut tx, e).await?;
    // 满意度 in the result reported to the province: a new version of it.
    let reported = zwfw_store::exchange::enqueue_result_version(&mut tx, case_id, id, ctx.now()).await?;
    tx.commit().await?;
    if reported {
        crate::exchange::wake();
    }
    Ok(sr::get(&st.store, id).await?)
}

/// The stages of a case that can be rated now and are not rated yet.
pub fn open_stages(row: &sc::CaseRow, rated: &[RatingRow]) -> Vec<&'static str> {
    let decided = row.p.accepted_at.is_some() || row.p.deemed_accepted || case_state(row) == CaseState::Refused;
    [Stage::Acceptance, Stage::Conclusion]
        .into_iter()
        .filter(|s| dr::stage_reached(*s, case_state(row), decided))
        .filter(|s| !rated.iter().any(|r| r.stage == s.code()))
        .map(Stage::code)
        .collect()
}

/// The ratings of a case, for those who may read the case.
pub async fn of_case(st: &App, case_id: i64) -> AppResult<Vec<RatingRow>> {
    Ok(sr::of_case(&st.store, case_id).await?)
}

/// Who reads a rating: the department rated, supervision, the rater.
fn may_read(actor: &Actor, r: &RatingRow) -> bool {
    access::may_read(actor, r.department_id, r.rater_user_id)
}

pub async fn get(st: &App, actor: &Actor, id: i64) -> AppResult<RatingRow> {
    let r = sr::get(&st.store, id).await?;
    if !may_read(actor, &r) {
        return Err(AppError::not_found("rating"));
    }
    Ok(r)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct FollowUpInput {
    /// call_back | reply | appeal | decide_appeal
    pub action: String,
    /// call_back: what the applicant said
    pub note: Option<String>,
    /// reply: what was verified, what was rectified, the reply published
    pub verification: Option<String>,
    pub rectification: Option<String>,
    pub reply: Option<String>,
    /// appeal: why the rating is malicious or mistaken; decide_appeal: the reasoning
    pub reason: Option<String>,
    /// decide_appeal: true = the appeal is upheld (the rating no longer counts)
    pub uphold: Option<bool>,
}

/// The follow-up of a bad rating by the department rated (call back, reply),
/// its appeal (department head), and supervision's decision on the appeal.
/// Whether the actor takes some step of the follow-up of rating `id`
/// (asked before the form is read).
pub async fn may_follow_up(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let r = get(ctx.state, actor, id).await?;
    access::may_follow_up_at_all(actor, r.department_id).map_err(|r| AppError::refused(r, "rating"))
}

/// Whether the signed-in actor rates case `case_id` (its applicant, or its
/// department's staff recording a rating): asked before the form is read.
pub async fn may_rate(ctx: &Ctx<'_>, case_id: i64) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&ctx.state.store, case_id).await?;
    access::may_rate(actor, row.department_id, row.applicant_user_id)
        .map(|_| ())
        .map_err(|r| AppError::refused(r, "case"))
}

pub async fn follow_up(ctx: &Ctx<'_>, id: i64, input: &FollowUpInput) -> AppResult<RatingRow> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let first = get(st, actor, id).await?;
    let step = match input.action.as_str() {
        "call_back" => FollowUpStep::CallBack,
        "reply" => FollowUpStep::Reply,
        "appeal" => FollowUpStep::Appeal,
        "decide_appeal" => FollowUpStep::DecideAppeal,
        _ => return Err(AppError::with_detail(Kind::BadInput, "invalid_action", "action")),
    };
    access::may_follow_up(actor, first.department_id, step).map_err(|r| AppError::refused(r, "rating"))?;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let r = sr::lock(&mut tx, id).await?;
    let text = |s: &Option<String>| s.clone().unwrap_or_default().trim().to_string();
    let current = r.follow_up.as_deref().and_then(FollowUp::parse);
    let appeal = r.appeal.as_deref().and_then(dr::Appeal::parse);
    let (action, reason) = match input.action.as_str() {
        "call_back" | "reply" => {
            let Some(state) = current else { return Err(RatingError::WrongFollowUpState.into()) };
            if input.action == "call_back" {
                let note = text(&input.note);
                dr::follow_up(state, &FollowUpAction::CallBack { note: note.clone() })?;
                sr::set_callback(&mut tx, id, &note, now).await?;
                if r.handler_id.is_none() {
                    sr::set_handler(&mut tx, id, actor.user_id).await?;
                }
                ("rating_call_back", note)
            } else {
                let (v, rc, rp) = (text(&input.verification), text(&input.rectification), text(&input.reply));
                dr::follow_up(
                    state,
                    &FollowUpAction::Reply { verification: v.clone(), rectification: rc.clone(), reply: rp.clone() },
                )?;
                sr::set_reply(&mut tx, id, &v, &rc, &rp, now).await?;
                if let Some(u) = r.rater_user_id {
                    let title = format!("您对办件 {} 的评价已有整改答复", r.case_no);
                    // The rater is told on every channel their account has.
                    crate::interaction::notify_accounts(&mut tx, &[u], &title, &rp, &format!("/ratings/{id}"), now)
                        .await?;
                }
                ("rating_reply", rp)
            }
        }
        "appeal" => {
            let reason = text(&input.reason);
            dr::appeal(appeal, &reason)?;
            sr::set_appeal(&mut tx, id, &reason, now).await?;
            ("rating_appeal", reason)
        }
        "decide_appeal" => {
            let reason = text(&input.reason);
            let uphold = input.uphold.ok_or_else(|| AppError::invalid("uphold"))?;
            let outcome = dr::decide_appeal(appeal, uphold, &reason)?;
            sr::decide_appeal(&mut tx, id, outcome.code(), &reason, actor.user_id, now).await?;
            if FollowUp::after_appeal(current, outcome) != current {
                sr::close_follow_up(&mut tx, id).await?;
            }
            ("rating_appeal_decided", reason)
        }
        _ => return Err(AppError::with_detail(Kind::BadInput, "invalid_action", "action")),
    };
    let e = ctx.entry(action, "rating", id, json!({"case_id": r.case_id}), &reason);
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(sr::get(&st.store, id).await?)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = RatingListQuery)]
pub struct ListQuery {
    /// department (the reader's department) | appeals (pending appeals, supervision) | all (supervision) | public (replied follow-ups)
    pub scope: Option<String>,
    #[serde(default)]
    pub bad: bool,
    pub page: Option<i64>,
}

/// A rating as the public list shows it: no names, the outcome published.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicRating {
    pub id: i64,
    pub item_name: String,
    pub department_name: String,
    pub stage: String,
    pub level: i64,
    pub comment: String,
    pub at: i64,
    pub rater: String,
    pub reply: String,
    pub replied_at: Option<i64>,
}

pub fn public(r: RatingRow) -> PublicRating {
    PublicRating {
        id: r.id,
        item_name: r.item_name,
        department_name: r.department_name,
        stage: r.stage,
        level: r.level,
        comment: r.comment,
        at: r.at,
        rater: zwfw_domain::ids::mask_name(&r.rater_name),
        reply: r.reply.unwrap_or_default(),
        replied_at: r.replied_at,
    }
}

pub async fn list(st: &App, actor: Option<&Actor>, q: &ListQuery) -> AppResult<Vec<RatingRow>> {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut f = sr::Filter { bad_only: q.bad, limit: 50, offset: (page - 1) * 50, ..Default::default() };
    let scope = match q.scope.as_deref().unwrap_or("department") {
        "public" => Some(ListScope::Public),
        "department" => Some(ListScope::Department),
        "appeals" => Some(ListScope::Appeals),
        "all" => Some(ListScope::All),
        _ => None,
    };
    match (scope, actor) {
        (Some(ListScope::Public), _) => {}
        (_, None) => return Err(AppError::new(Kind::Unauthenticated, "login_required")),
        (None, Some(_)) => return Err(AppError::forbidden()),
        (Some(scope), Some(_)) => access::may_list(actor, scope).map_err(|r| AppError::refused(r, "rating"))?,
    }
    match (scope, actor) {
        (Some(ListScope::Public), _) => f.replied_only = true,
        (Some(ListScope::Department), Some(a)) => f.department_id = a.department_id,
        (Some(ListScope::Appeals), _) => f.appeal_pending = true,
        _ => {}
    }
    Ok(sr::list(&st.store, &f).await?)
}

/// A counter link for the case: its URL path is printed as a QR code.
pub async fn new_link(ctx: &Ctx<'_>, case_id: i64) -> AppResult<String> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&st.store, case_id).await?;
    access::may_make_link(actor, row.department_id).map_err(|r| AppError::refused(r, "case"))?;
    let token = crate::accounts::sessions::random_token(16);
    let mut tx = st.store.begin().await?;
    sr::add_link(&mut tx, &token, case_id, Some(actor.user_id), ctx.now(), ctx.now() + LINK_DAYS * 86_400_000).await?;
    ctx.audit(&mut tx, ctx.entry("rating_link", "case", case_id, json!({}), "")).await?;
    tx.commit().await?;
    Ok(format!("/rate/{token}"))
}
