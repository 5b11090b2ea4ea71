//! Electronic supervision (电子监察): evaluating the rules (in the background
//! job and on demand), findings and their rectification (整改), oversight
//! orders (督办) and the dashboard's figures. Supervision reads everything
//! and changes no case: nothing here writes to a case.

use crate::cases::{day_text, item_version};
use crate::error::Kind;
use crate::error::{AppError, AppResult};
use crate::messages::{finding_text, label};
use crate::state::{App, Ctx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};
use utoipa::ToSchema;
use zwfw_domain::access;
use zwfw_domain::admin::{Actor, Role};
use zwfw_domain::calendar::Calendar;
use zwfw_domain::cases::{CaseView, Event};
use zwfw_domain::supervision::{
    self as ds, Cutoffs, Fact, FindingAction, FindingState, OpenCase, OrderAction, OrderState, Params, Rule, RuleCode,
    RuleSet, SeenEvent, SupervisionError,
};
use zwfw_store::admin as sa;
use zwfw_store::interaction as si;
use zwfw_store::supervision::{self as ss, FindingRow, OpenCaseRow, OrderRow, Sweep};

mod dashboard;
mod evaluate;
mod findings;
mod orders;

pub use dashboard::*;
pub use evaluate::*;
pub use findings::*;
pub use orders::*;

impl From<SupervisionError> for AppError {
    fn from(e: SupervisionError) -> Self {
        let (status, code) = match &e {
            SupervisionError::WrongState(_) | SupervisionError::NoReplyNeeded => {
                (Kind::Conflict, "supervision_conflict")
            }
            SupervisionError::Calendar(_) => (Kind::Unavailable, "calendar_missing"),
            _ => (Kind::Invalid, "invalid_supervision"),
        };
        AppError::with_detail(status, code, crate::messages::supervision_error_text(&e))
    }
}

/// The job's name in the job table.
pub const JOB: &str = "supervision";
/// How long a server holds the job before another may take it over.
const LEASE_MS: i64 = 10 * 60 * 1000;

fn holder() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| format!("{}-{}", std::process::id(), hex::encode(rand::random::<[u8; 6]>())))
}

/// Maps an access refusal about a supervision object to the error.
fn refused(what: &'static str) -> impl Fn(access::Refusal) -> AppError {
    move |r| AppError::refused(r, what)
}

/// The access facts of a stored finding.
fn finding_facts(f: &FindingRow) -> access::supervision::FindingFacts {
    access::supervision::FindingFacts { department_id: f.department_id, responsible_user_id: f.responsible_user_id }
}

// ---------- rules ----------

/// Adds the default rules that are not stored yet (first start, upgrades).
pub async fn ensure_rules(st: &App) -> AppResult<()> {
    let mut tx = st.store.begin().await?;
    for code in RuleCode::ALL {
        let params = serde_json::to_string(&code.default_params()).map_err(|e| AppError::Internal(e.to_string()))?;
        ss::add_rule_if_missing(
            &mut tx,
            code.code(),
            &label("rule", code.code()),
            code.severity().code(),
            &params,
            st.now_ms(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The rules as configured.
pub async fn rule_set(st: &App) -> AppResult<RuleSet> {
    let rows = ss::rules(&st.store).await?;
    Ok(RuleSet::from_rules(rows.iter().filter_map(|r| {
        Some(Rule {
            code: RuleCode::parse(&r.code)?,
            enabled: r.enabled,
            params: serde_json::from_str(&r.params)
                .unwrap_or_else(|_| RuleCode::parse(&r.code).unwrap().default_params()),
        })
    })))
}

/// A rule as shown and edited.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub code: String,
    pub name: String,
    /// warning | yellow | red | anomaly
    pub severity: String,
    pub enabled: bool,
    pub params: Params,
    pub updated_at: i64,
}

pub async fn rules(st: &App, actor: &Actor) -> AppResult<Vec<RuleView>> {
    if !access::supervision::may_read_rules(actor) {
        return Err(AppError::forbidden());
    }
    let set = rule_set(st).await?;
    Ok(ss::rules(&st.store)
        .await?
        .into_iter()
        .filter_map(|r| {
            let code = RuleCode::parse(&r.code)?;
            Some(RuleView {
                code: r.code,
                name: r.name,
                severity: r.severity,
                enabled: r.enabled,
                params: set.get(code).params,
                updated_at: r.updated_at,
            })
        })
        .collect())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RuleInput {
    pub name: Option<String>,
    pub enabled: bool,
    pub days: Option<u32>,
    pub count: Option<u32>,
    /// A11: the hours the exchange backlog may wait.
    #[serde(default)]
    pub hours: Option<u32>,
    pub reply_days: u32,
    /// Why the rule changes (kept in the audit trail).
    pub reason: String,
}

/// Whether the actor is a supervision officer, who changes the rules, runs
/// the evaluation, records conduct findings and issues orders (asked before
/// the form is read).
pub fn may_supervise(ctx: &Ctx<'_>) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    access::supervision::may_supervise(actor).map_err(refused("supervision"))
}

/// Changes a rule (supervision officers). The next evaluation is a full one,
/// so that the new parameters apply to every open case.
pub async fn update_rule(ctx: &Ctx<'_>, code: &str, input: &RuleInput) -> AppResult<RuleView> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    access::supervision::may_supervise(actor).map_err(refused("rule"))?;
    let rule = RuleCode::parse(code).ok_or_else(|| AppError::not_found("rule"))?;
    let reason = ds::text("reason", &input.reason, 500)?;
    let params = Params { days: input.days, count: input.count, hours: input.hours, reply_days: input.reply_days };
    params.check(rule)?;
    let current = ss::rules(&ctx.state.store).await?;
    let old = current.iter().find(|r| r.code == code).ok_or_else(|| AppError::not_found("rule"))?;
    let name = match input.name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(n) => ds::text("name", n, 100)?,
        None => old.name.clone(),
    };
    let text = serde_json::to_string(&params).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = ctx.state.store.begin().await?;
    ss::update_rule(&mut tx, code, &name, &text, input.enabled, actor.user_id, ctx.now()).await?;
    ss::reset_job(&mut tx, JOB).await?;
    let e = ctx.entry(
        "supervision_rule",
        "supervision_rule",
        code,
        json!({"before": {"name": old.name, "enabled": old.enabled, "params": old.params},
               "after": {"name": name, "enabled": input.enabled, "params": params}}),
        &reason,
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    rules(ctx.state, actor).await?.into_iter().find(|r| r.code == code).ok_or_else(|| AppError::not_found("rule"))
}
