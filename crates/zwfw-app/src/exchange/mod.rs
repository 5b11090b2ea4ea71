//! Exchange with the provincial platform through the 前置库 (数据交换).
//!
//! Every step of a case the province must see gets compact rows in the
//! exchange outbox (`zwfw_store::exchange`): the table, the case, the
//! event, the version. The step writes none of them: they are derived after
//! its commit from the audit trail's records of case events, in commit
//! order ([`derive`], migration 0044), soon after the step on the program's
//! own task and before anything reads the outbox. The exporter, on every app
//! server, claims a batch of them in the main database, maps each to the
//! national columns as the case stood at its event (`zwfw_domain::exchange::
//! mapping`), checks them against the columns' lengths (a row that does not
//! fit is rejected with the reason, the rest go on), and inserts the batch
//! into the front database in one transaction, a row already there (same
//! `row_guid`) left as it is: so a batch tried again after a server died
//! mid-way is delivered exactly once. It runs when woken after a commit and
//! every `poll_ms`; after a failure it waits 1, 2, 4 … 300 s.

mod facts;
pub mod feedback;
pub mod front;
pub mod package;

use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use front::{Front, FrontError, Insert};
use serde::Serialize;
use std::sync::Arc;
use zwfw_domain::exchange::{self as dx, Cell, Codes};
use zwfw_store::exchange as sx;

/// Where and how to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeConfig {
    /// The front database: `mysql://user:password@host:3306/db` or
    /// `postgres://…`. None: rows wait in the outbox.
    pub url: Option<String>,
    /// Rows per batch (one front-database transaction).
    pub batch: i64,
    /// How often the exporter looks for rows when not woken.
    pub poll_ms: u64,
    /// How long a claimed batch is held by its exporter before another may take it.
    pub lease_ms: i64,
    /// Connecting and each statement: at most this long.
    pub timeout_ms: u64,
    /// How often the province's feedback tables are read.
    pub feedback_poll_ms: u64,
    pub codes: Codes,
    /// Derives the outbox rows of case steps on the program's own task soon
    /// after each step (always, but for measuring the lifecycle without the
    /// exchange: `zwfw bench --exchange off`). Whatever it says, every
    /// reader of the outbox derives the rows of the steps before it first.
    pub derive: bool,
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        ExchangeConfig {
            url: None,
            batch: 500,
            poll_ms: 5000,
            lease_ms: 60_000,
            timeout_ms: 5000,
            feedback_poll_ms: feedback::POLL_EVERY_MS,
            codes: Codes::default(),
            derive: true,
        }
    }
}

impl ExchangeConfig {
    /// Checks the settings; the error names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.url {
            Front::open(url, self.timeout_ms)?;
        }
        if !(1..=5000).contains(&self.batch) {
            return Err("exchange.batch must be between 1 and 5000".into());
        }
        if !(100..=60_000).contains(&self.poll_ms) {
            return Err("exchange.poll_ms must be between 100 and 60000".into());
        }
        if !(5_000..=3_600_000).contains(&self.lease_ms) {
            return Err("exchange.lease_ms must be between 5000 and 3600000".into());
        }
        if !(1_000..=86_400_000).contains(&self.feedback_poll_ms) {
            return Err("exchange.feedback_poll_ms must be between 1000 and 86400000".into());
        }
        self.codes.check()
    }
}

static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Wakes the exporter of this process: rows were (or are about to be) committed.
pub fn wake() {
    WAKE.notify_one();
}

/// Derives the outbox rows of the case steps committed since the last
/// derivation (`zwfw_store::exchange::derive`), when this process derives
/// them in the background, and wakes the exporter when it wrote some.
pub async fn derive(st: &App) -> AppResult<usize> {
    if !st.config.exchange.derive {
        return Ok(0);
    }
    let n = sx::derive(&st.store).await?;
    if n > 0 {
        wake();
    }
    Ok(n)
}

/// What one delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeliveryReport {
    /// Outbox rows delivered.
    pub delivered: u32,
    /// Rows written into the front database (materials: one per material).
    pub front_rows: u32,
    pub rejected: u32,
    /// The front database could not take the batch (it waits).
    pub failed: bool,
}

/// The exporter's connection and its state in this process.
pub struct Exporter {
    front: Front,
    prepared: tokio::sync::Mutex<bool>,
    /// Rows per batch, when not the configured number.
    batch: Option<i64>,
}

impl Exporter {
    pub fn new(url: &str, timeout_ms: u64) -> Result<Exporter, String> {
        Ok(Exporter { front: Front::open(url, timeout_ms)?, prepared: tokio::sync::Mutex::new(false), batch: None })
    }

    /// Batches of `n` rows, whatever the configuration says.
    pub fn with_batch(self, n: i64) -> Exporter {
        Exporter { batch: Some(n), ..self }
    }

    pub fn front(&self) -> &Front {
        &self.front
    }

    /// Creates or checks the national tables once (again after a failure).
    async fn ready(&self) -> Result<(), FrontError> {
        let mut p = self.prepared.lock().await;
        if !*p {
            self.front.prepare().await?;
            *p = true;
        }
        Ok(())
    }

    async fn unready(&self) {
        *self.prepared.lock().await = false;
    }
}

/// Runs the exporter until the process ends: on every wake-up and every
/// `poll_ms`, delivers while rows wait.
pub async fn run(st: App) {
    let Some(url) = st.config.exchange.url.clone() else { return };
    let ex = match Exporter::new(&url, st.config.exchange.timeout_ms) {
        Ok(ex) => Arc::new(ex),
        Err(e) => {
            tracing::error!(error = %e, "exchange exporter not started");
            return;
        }
    };
    tokio::spawn(feedback::run(st.clone(), ex.clone()));
    let poll = std::time::Duration::from_millis(st.config.exchange.poll_ms);
    loop {
        if tokio::time::timeout(poll, WAKE.notified()).await.is_ok() {
            // Let the transaction that woke us commit, and its neighbours join the batch.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        loop {
            match deliver_once(&st, &ex).await {
                Ok(r) if r.delivered + r.rejected > 0 && !r.failed => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e.message(), "exchange delivery");
                    break;
                }
            }
        }
    }
}

/// One batch: claimed, mapped, checked and delivered (or its failure recorded).
pub async fn deliver_once(st: &App, ex: &Exporter) -> AppResult<DeliveryReport> {
    let cfg = &st.config.exchange;
    let mut report = DeliveryReport::default();
    let now = st.now_ms();
    let status = sx::status(&st.store).await?;
    if status.next_try_at > now {
        return Ok(report); // backing off
    }
    let batch_id = dx::batch_id(rand::random());
    let (batch, rows) = sx::claim(&st.store, now, now + cfg.lease_ms, ex.batch.unwrap_or(cfg.batch), &batch_id).await?;
    if rows.is_empty() {
        return Ok(report);
    }
    // Map every row as its case stood at its event; check against the columns.
    let mut ok: Vec<(i64, Vec<Insert>)> = vec![];
    let mut facts = facts::Gatherer::new(st);
    for r in &rows {
        match facts.front_rows(r).await.and_then(|f| corrected(r, f)) {
            Ok(front) => {
                if let Some(e) = front.iter().find_map(|f| dx::check_row(f).err()) {
                    sx::mark_rejected(&st.store, r.id, &e, st.now_ms()).await?;
                    report.rejected += 1;
                    continue;
                }
                let cd_time = Cell::at(now);
                let inserts = front
                    .into_iter()
                    .map(|f| {
                        let mut cells = f.cells;
                        if f.table.has_row_guid() {
                            // A row an offline package brought keeps its sender's.
                            let guid = r.row_guid.clone().unwrap_or_else(|| dx::row_guid(&cfg.codes, r.id, f.sub));
                            cells.push(("row_guid", Cell::text(guid)));
                        }
                        cells.push(("cd_batch", Cell::text(&batch)));
                        cells.push(("cd_operation", Cell::text(&cfg.codes.operation_insert)));
                        cells.push(("cd_time", cd_time.clone()));
                        cells.push(("data_source", Cell::text(&cfg.codes.data_source)));
                        Insert { table: f.table, cells }
                    })
                    .collect();
                ok.push((r.id, inserts));
            }
            Err(e) => {
                sx::mark_rejected(&st.store, r.id, &format!("无法生成：{}", e.message()), st.now_ms()).await?;
                report.rejected += 1;
            }
        }
    }
    if ok.is_empty() {
        return Ok(report);
    }
    let all: Vec<Insert> = ok.iter().flat_map(|(_, i)| i.iter().cloned()).collect();
    let outcome = match ex.ready().await {
        Ok(()) => ex.front.insert(&all).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            let ids: Vec<i64> = ok.iter().map(|(id, _)| *id).collect();
            sx::mark_delivered(&st.store, &batch, &ids, st.now_ms()).await?;
            sx::record_delivery(&st.store, st.now_ms()).await?;
            report.delivered = ids.len() as u32;
            report.front_rows = all.len() as u32;
        }
        Err(FrontError::Data(_)) => {
            // A row the checks let through was refused: each row alone, so
            // that only the rows refused are rejected.
            for (id, inserts) in &ok {
                match ex.front.insert(inserts).await {
                    Ok(()) => {
                        sx::mark_delivered(&st.store, &batch, &[*id], st.now_ms()).await?;
                        report.delivered += 1;
                        report.front_rows += inserts.len() as u32;
                    }
                    Err(FrontError::Data(m)) => {
                        sx::mark_rejected(&st.store, *id, &format!("前置库拒收：{m}"), st.now_ms()).await?;
                        report.rejected += 1;
                    }
                    Err(FrontError::Unavailable(m)) => {
                        fail(st, ex, &batch, &status, &m).await?;
                        report.failed = true;
                        return Ok(report);
                    }
                }
            }
            sx::record_delivery(&st.store, st.now_ms()).await?;
        }
        Err(FrontError::Unavailable(m)) => {
            fail(st, ex, &batch, &status, &m).await?;
            report.failed = true;
        }
    }
    Ok(report)
}

/// The rows of a version with the corrections it carries applied.
fn corrected(r: &sx::OutRow, mut front: Vec<dx::FrontRow>) -> AppResult<Vec<dx::FrontRow>> {
    if let Some(json) = r.overrides.as_deref().filter(|j| !j.is_empty()) {
        let o: dx::feedback::Overrides =
            serde_json::from_str(json).map_err(|e| AppError::Internal(format!("corrections of row {}: {e}", r.id)))?;
        dx::feedback::apply_overrides(&mut front, &o).map_err(AppError::Internal)?;
    }
    Ok(front)
}

/// A failed try: the batch waits (claimed) and every exporter backs off.
async fn fail(st: &App, ex: &Exporter, batch: &str, status: &sx::Status, error: &str) -> AppResult<()> {
    ex.unready().await;
    let failures = status.failures + 1;
    let now = st.now_ms();
    let next = now + dx::backoff_ms(failures as u32);
    sx::mark_failed(&st.store, batch, error, next).await?;
    sx::record_failure(&st.store, failures, next, error, now).await?;
    tracing::warn!(batch, failures, %error, "exchange batch not delivered");
    Ok(())
}

/// The monitor: per table, the backlog, the oldest waiting row's age,
/// what was delivered today and what was rejected; the exporter's state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Monitor {
    /// A front database is configured (its address, password hidden).
    pub front: Option<String>,
    pub status: sx::Status,
    pub tables: Vec<TableView>,
    /// The rejected rows, newest first (empty for the operators, who do
    /// not read the rows).
    pub rejected: Vec<sx::OutRow>,
    /// The province's feedback whose row is not corrected yet (and feedback
    /// naming no row of ours), newest first.
    pub feedback: Vec<sx::FeedbackRow>,
    /// The actor may correct rows and send them again.
    pub may_resend: bool,
    /// The actor reads the rows (rejected, fed back): they carry case data.
    pub may_read_rows: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ExchangeTable)]
pub struct TableView {
    #[serde(flatten)]
    pub figures: sx::TableFigures,
    /// The table's Chinese name.
    pub label: &'static str,
    /// Age of the oldest waiting row, in seconds.
    pub oldest_age_s: Option<i64>,
}

pub async fn monitor(ctx: &Ctx<'_>) -> AppResult<Monitor> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !zwfw_domain::access::staff::may_monitor_exchange(actor) {
        return Err(AppError::forbidden());
    }
    let st = ctx.state;
    let now = ctx.now();
    let today = zwfw_domain::clock::start_of_day_ms(zwfw_domain::clock::local_date(now));
    let tables = sx::figures(&st.store, today)
        .await?
        .into_iter()
        .map(|f| TableView {
            label: dx::Table::parse(&f.tbl).map_or("", |t| t.label()),
            oldest_age_s: f.oldest_waiting_at.map(|t| ((now - t) / 1000).max(0)),
            figures: f,
        })
        .collect();
    let may_read_rows = zwfw_domain::access::staff::may_read_exchange_rows(actor);
    let (rejected, feedback) = if may_read_rows {
        (sx::rejected(&st.store, 100).await?, sx::feedback(&st.store, true, 100).await?)
    } else {
        (vec![], vec![])
    };
    Ok(Monitor {
        front: st.config.exchange.url.as_deref().map(front::redact),
        status: sx::status(&st.store).await?,
        tables,
        rejected,
        feedback,
        may_resend: zwfw_domain::access::staff::may_resend_exchange(actor),
        may_read_rows,
    })
}
