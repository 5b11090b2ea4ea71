//! The working-day calendar: seeding the shipped years, loading it, and
//! administrators' edits of a year.

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use chrono::{Datelike, NaiveDate};
use serde_json::json;
use std::sync::Arc;
use zwfw_domain::calendar::{notice_text, shipped_years, Calendar, CalendarError, YearSpec};

pub mod impact;
pub use impact::{preview, Impact};

impl From<CalendarError> for AppError {
    fn from(e: CalendarError) -> Self {
        match e {
            CalendarError::YearMissing { year } => {
                AppError::with_detail(Kind::Invalid, "calendar_year_missing", year.to_string())
            }
            // The detail lists each problem on a line the message is made from.
            CalendarError::Festivals { problems } => AppError::with_detail(
                Kind::Invalid,
                "calendar_festivals_missing",
                problems.iter().map(|p| p.detail()).collect::<Vec<_>>().join("; "),
            ),
            other => {
                AppError::with_detail(Kind::Invalid, "invalid_calendar", crate::messages::calendar_error_text(&other))
            }
        }
    }
}

/// Inserts the shipped years the database lacks, then loads the calendar.
pub async fn startup(state: &App) -> AppResult<()> {
    let mut tx = state.store.begin().await?;
    let added = zwfw_store::calendar::insert_missing(&mut tx, &shipped_years(), state.now_ms()).await?;
    if !added.is_empty() {
        let ctx = Ctx { state, actor: None, client_addr: "startup".into() };
        ctx.audit(&mut tx, ctx.entry("calendar_loaded", "calendar", "shipped", json!({ "years": added }), "")).await?;
    }
    tx.commit().await?;
    reload(state).await
}

/// Rebuilds the in-memory calendar from the database.
pub async fn reload(state: &App) -> AppResult<()> {
    let years = zwfw_store::calendar::list_years(&state.store).await?;
    // The year after the last notice is provisional (Monday to Friday) so that
    // work goes on in December; entering its notice recomputes open cases.
    let cal = Calendar::with_provisional(years.into_iter().map(|y| y.spec).collect(), 1)?;
    *state.calendar.write().expect("calendar lock") = Arc::new(cal);
    Ok(())
}

/// Replaces (or adds) a year; administrators only, with a reason. The year
/// must cover the statutory festivals (`YearSpec::check_entry`). Every due
/// day it moves is moved in the same transaction, and the applicants and
/// handlers concerned are told; answers what moved.
/// Whether the actor enters the calendar (asked before a form is read).
pub fn may_edit(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor.is_some_and(zwfw_domain::access::staff::may_edit_calendar) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

pub async fn put_year(ctx: &Ctx<'_>, spec: YearSpec, reason: &str) -> AppResult<impact::Impact> {
    let (current, new) = impact::proposed(ctx, &spec)?;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let reason = crate::error::reason(reason)?;
    let reason = reason.as_str();
    let state = ctx.state;
    let (cases, others) = impact::changes(state, &current, &new).await?;
    let moved = impact::impact(state, spec.year, &cases, &others).await?;
    let before = current.spec(spec.year).cloned();
    let mut tx = state.store.begin().await?;
    zwfw_store::calendar::put_year(&mut tx, &spec, &actor.username, ctx.now()).await?;
    impact::apply(ctx, &mut tx, spec.year, reason, &cases, &others, &moved).await?;
    let action = if before.is_some() { "update" } else { "create" };
    let counts: serde_json::Map<String, serde_json::Value> =
        moved.counts.iter().map(|c| (c.kind.clone(), json!(c.count))).collect();
    let detail = json!({ "before": before, "after": spec, "moved": counts });
    ctx.audit(&mut tx, ctx.entry(action, "calendar", spec.year, detail, reason)).await?;
    tx.commit().await?;
    reload(state).await?;
    // Cases that changed between the preview and the save are recounted here.
    let n = crate::cases::recompute_open(state).await?;
    // Deadlines moved without events: the next supervision run reads every open case.
    crate::supervision::request_full(state).await?;
    tracing::info!(year = spec.year, moved = moved.total, later = n, "due days recounted with the new calendar");
    Ok(moved)
}

/// The holiday spans and make-up days that a State Council notice's text
/// proposes for `year` (administrators only), to be checked and confirmed.
pub fn propose_from_text(ctx: &Ctx<'_>, year: i32, text: &str) -> AppResult<notice_text::Proposal> {
    may_edit(ctx)?;
    zwfw_domain::calendar::check_enterable(year, ctx.state.today().year())?;
    if text.len() > 64 * 1024 {
        return Err(AppError::with_detail(Kind::Invalid, "notice_text_unreadable", "0:too_long"));
    }
    Ok(notice_text::parse(year, text)?)
}

pub fn parse_date(s: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::with_detail(Kind::BadInput, "invalid_date", s.chars().take(40).collect::<String>()))
}

/// Whether next year's calendar is missing from November 1 on (the notice is due).
pub fn next_year_missing(st: &App) -> Option<i32> {
    let today = st.today();
    let next = today.year() + 1;
    (today.month() >= 11 && !st.calendar().is_configured(next)).then_some(next)
}
