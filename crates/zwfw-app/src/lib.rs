//! The use cases of zwfw: every action and read a person, the command line
//! or a background job takes, with its transaction, audit record and
//! notifications. Errors carry a stable code and a kind, never an HTTP status;
//! the web layer, the command line and the workers call this crate.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod clock;
pub mod credit;
pub mod demo;
pub mod documents;
pub mod error;
pub mod evaluation;
pub mod exchange;
pub mod faults;
pub mod governance;
pub mod handover;
pub mod interaction;
pub mod licenses;
pub mod lookups;
pub mod messages;
pub mod metrics;
pub mod notices;
pub mod orgs;
pub mod outbox;
pub mod portal;
pub mod rating;
pub mod registry;
pub mod state;
pub mod supervision;

pub use clock::Clock;
pub use error::{AppError, AppResult, Kind};
pub use state::{App, AppConfig, Ctx};

/// Prepares shared state at start: the working-day calendar (seeded on first
/// start), the search index and, on PostgreSQL, the stored files of this
/// server's directory that the database does not keep yet.
pub async fn startup(state: &App) -> AppResult<()> {
    calendar::startup(state).await?;
    if state.store.backend() == zwfw_store::Backend::Postgres {
        let (copied, absent) = state.keep_files_in_database().await?;
        if copied > 0 {
            tracing::info!(copied, "stored files of this server's directory were copied into the database");
        }
        if !absent.is_empty() {
            tracing::warn!(
                count = absent.len(),
                first = %absent[0],
                "stored files the database lists are neither in it nor in this server's directory: start once the server whose directory holds them"
            );
        }
    }
    supervision::ensure_rules(state).await?;
    catalog::search::refresh(state).await?;
    cases::notices::spawn_derivation(state);
    Ok(())
}

/// Picks up what other app servers changed in the shared database: the demo
/// clock, an edited calendar year, a published or retired item.
pub async fn sync_shared(state: &App, with_calendar: bool) -> AppResult<()> {
    state.sync_clock().await?;
    if with_calendar {
        calendar::reload(state).await?;
    }
    catalog::search::refresh(state).await?;
    Ok(())
}

/// The periodic work of the background job: it records deemed acceptances
/// (行政许可法 第三十二条), issues the licences that waited and records the
/// expiry of those whose term ended, then evaluates the supervision rules on what
/// changed. Safe to run on several app servers at once: each case is locked
/// and replayed before anything is appended, and the supervision evaluation
/// runs on one server at a time (a lease in the job table).
pub async fn run_jobs(state: &App) -> AppResult<usize> {
    let n = cases::record_deemed_acceptances(state).await?;
    licenses::issue::run_pending(state).await?;
    licenses::status::expire_due(state).await?;
    governance::qualifications::remind_expiring(state).await?;
    accounts::certificates::remind_expiring(state).await?;
    accounts::certificates::refresh_crl(state).await?;
    faults::remind_notice_due(state).await?;
    if let Some(r) = supervision::evaluate(state, false).await? {
        if r.new_findings > 0 || r.escalated > 0 {
            tracing::info!(
                mode = %r.mode, cases = r.cases_read, changes = r.changes_read, findings = r.new_findings,
                escalated = r.escalated, millis = r.millis, "supervision evaluated"
            );
        }
    }
    Ok(n)
}
