//! The province's quality feedback (反馈): the poller that reads
//! `dn_audit_abnormal` and `dn_lic_data_error` from the 前置库 on a schedule
//! and on demand, records each feedback row once against the outbox row it
//! concerns, and keeps a read position per table; and the correction of a
//! rejected row by an administrator, sent again as a new version.

use super::front::FrontError;
use super::{ExchangeConfig, Exporter};
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zwfw_domain::exchange::feedback::{self as fb, FeedbackSource};
use zwfw_domain::exchange::package as dp;
use zwfw_domain::exchange::{ColType, Table};
use zwfw_store::exchange::{self as sx, NewFeedback};

/// What one reading of the feedback tables did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = FeedbackPollReport)]
pub struct PollReport {
    /// Feedback rows read (those read again below the position included).
    pub read: u32,
    /// Rows recorded for the first time.
    pub recorded: u32,
    /// Of those, rows naming a row that is not one of ours.
    pub unknown: u32,
}

/// Feedback rows read per statement.
const PAGE: i64 = 500;

/// The columns read of `dn_audit_abnormal`.
const ABNORMAL: &[(&str, ColType)] = &[
    ("row_guid", ColType::Varchar(50)),
    ("err_type", ColType::Varchar(100)),
    ("remark", ColType::Varchar(1000)),
    ("table_cd_batch", ColType::Varchar(32)),
    ("table_row_guid", ColType::Varchar(50)),
    ("table_sql_name", ColType::Varchar(50)),
    ("table_update_time", ColType::Datetime),
    ("cd_time", ColType::Datetime),
];

/// The columns read of `dn_lic_data_error`.
const LIC_ERROR: &[(&str, ColType)] = &[
    ("cd_batch", ColType::Varchar(32)),
    ("certificate_source_id", ColType::Varchar(128)),
    ("error_remark", ColType::Varchar(512)),
    ("cd_time", ColType::Datetime),
];

/// A front datetime text (China time) as an instant.
fn instant(s: Option<&str>) -> Option<i64> {
    use chrono::TimeZone;
    let t = chrono::NaiveDateTime::parse_from_str(s?, "%Y-%m-%d %H:%M:%S").ok()?;
    zwfw_domain::time::shanghai().from_local_datetime(&t).single().map(|t| t.timestamp_millis())
}

/// Reads both feedback tables from where the last reading ended (and a
/// window below it), records what is new, and moves the read positions on.
pub async fn poll(st: &App, ex: &Exporter) -> AppResult<PollReport> {
    let unavailable =
        |e: FrontError| AppError::with_detail(Kind::Unavailable, "exchange_front_unavailable", e.to_string());
    ex.ready().await.map_err(unavailable)?;
    let mut report = PollReport::default();
    for source in FeedbackSource::ALL {
        let columns = match source {
            FeedbackSource::AuditAbnormal => ABNORMAL,
            FeedbackSource::LicDataError => LIC_ERROR,
        };
        let mut after = (sx::feedback_cursor(&st.store, source.code()).await? - fb::REREAD_WINDOW).max(0);
        loop {
            let rows = ex.front().read_after(source.code(), columns, after, PAGE).await.map_err(unavailable)?;
            let Some(last) = rows.last().map(|r| r.0) else { break };
            for (front_id, cells) in &rows {
                report.read += 1;
                let f = linked(st, &st.config.exchange, *source, *front_id, cells).await?;
                if sx::record_feedback(&st.store, &f, st.now_ms()).await? {
                    report.recorded += 1;
                    if f.outbox_id.is_none() {
                        report.unknown += 1;
                        tracing::warn!(source = source.code(), row_guid = %f.row_guid, "feedback names a row that is not ours");
                    }
                }
            }
            sx::advance_feedback_cursor(&st.store, source.code(), last, st.now_ms()).await?;
            after = last;
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
    }
    Ok(report)
}

/// A feedback row as it is recorded: linked to our outbox row, the column
/// it blames found in its text.
async fn linked(
    st: &App,
    cfg: &ExchangeConfig,
    source: FeedbackSource,
    front_id: i64,
    cells: &[Option<String>],
) -> AppResult<NewFeedback> {
    let text = |i: usize| cells.get(i).cloned().flatten().unwrap_or_default();
    let mut f = match source {
        FeedbackSource::AuditAbnormal => {
            let (guid, tbl) = (text(4), text(5));
            let mut f = NewFeedback {
                source: source.code().into(),
                fkey: text(0),
                front_id,
                outbox_id: None,
                tbl: tbl.clone(),
                row_guid: guid.clone(),
                batch: text(3),
                err_type: text(1),
                remark: text(2),
                field: None,
                sub: 0,
                reported_at: instant(cells.get(6).and_then(|c| c.as_deref()))
                    .or_else(|| instant(cells.get(7).and_then(|c| c.as_deref()))),
            };
            // A row an offline package brought is known by its sender's row_guid.
            let found = match sx::by_row_guid(&st.store, guid.trim()).await? {
                Some(row) => Some((row, 0)),
                None => match fb::parse_row_guid(&cfg.codes, &guid) {
                    Some((id, sub)) => sx::get(&st.store, id).await?.map(|r| (r, sub)),
                    None => None,
                },
            };
            if let Some((row, sub)) = found {
                if row.delivered_at.is_some() && (tbl.trim().is_empty() || row.tbl == tbl.trim()) {
                    f.outbox_id = Some(row.id);
                    f.tbl = row.tbl;
                    f.sub = i64::from(sub);
                }
            }
            f
        }
        FeedbackSource::LicDataError => {
            let (batch, source_id, remark, at) = (text(0), text(1), text(2), text(3));
            NewFeedback {
                source: source.code().into(),
                fkey: fb::lic_error_key(&batch, &source_id, &at, &remark),
                front_id,
                outbox_id: sx::license_row(&st.store, &batch, &source_id).await?,
                tbl: Table::LicData.code().into(),
                row_guid: source_id,
                batch,
                err_type: "电子证照异常".into(),
                remark,
                field: None,
                sub: 0,
                reported_at: instant(Some(&at)),
            }
        }
    };
    if f.fkey.trim().is_empty() {
        // A feedback row without its own identifier: what it says stands for it.
        f.fkey = fb::lic_error_key(&f.batch, &f.row_guid, &f.err_type, &f.remark);
    }
    if let Some(t) = Table::parse(&f.tbl) {
        f.field = fb::blamed_column(t, &format!("{} {}", f.err_type, f.remark)).map(|c| c.name.to_string());
    }
    Ok(f)
}

/// How often the feedback tables are read when nobody asks.
pub const POLL_EVERY_MS: u64 = 60_000;

/// Reads the feedback tables every `feedback_poll_ms` until the process ends.
pub async fn run(st: App, ex: std::sync::Arc<Exporter>) {
    let every = std::time::Duration::from_millis(st.config.exchange.feedback_poll_ms);
    loop {
        match poll(&st, &ex).await {
            Ok(r) if r.recorded > 0 => {
                tracing::info!(recorded = r.recorded, unknown = r.unknown, "exchange feedback read")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.message(), "exchange feedback not read"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Whether the actor may read the feedback now and send rejected rows
/// again: asked before a request's body is read, so that a role that may
/// not act is told so whatever it sent.
pub fn may_resend(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor {
        Some(a) if zwfw_domain::access::staff::may_resend_exchange(a) => Ok(()),
        _ => Err(AppError::forbidden()),
    }
}

/// Reads the feedback tables now (an administrator, from the monitor or the API).
pub async fn poll_now(ctx: &Ctx<'_>) -> AppResult<PollReport> {
    may_resend(ctx)?;
    let st = ctx.state;
    let url = st.config.exchange.url.as_deref().ok_or_else(|| AppError::new(Kind::Conflict, "exchange_no_front"))?;
    let ex = Exporter::new(url, st.config.exchange.timeout_ms).map_err(AppError::Internal)?;
    let r = poll(st, &ex).await;
    ex.front().close().await;
    r
}

/// A correction of a rejected row.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ExchangeResendInput)]
pub struct ResendInput {
    /// The column to correct (a national column of the row's table); none
    /// when the underlying record was corrected where it lives.
    #[serde(default)]
    pub column: Option<String>,
    /// The corrected value (empty clears an optional column).
    #[serde(default)]
    pub value: String,
    /// Which of the outbox row's rows (materials: one per material); 0 by default.
    #[serde(default)]
    pub sub: u32,
    /// Why, kept in the audit trail.
    pub reason: String,
}

/// Sends a rejected row again as a new version (a new `row_guid`, the next
/// batch), with the correction if one is given; the old version is kept.
/// Returns the new version's outbox id.
pub async fn resend(ctx: &Ctx<'_>, id: i64, input: &ResendInput) -> AppResult<i64> {
    may_resend(ctx)?;
    let reason = zwfw_domain::interaction::text("reason", &input.reason, 500)
        .map_err(|_| AppError::with_detail(Kind::Invalid, "reason_required", "请填写更正并重新报送的原因"))?;
    let st = ctx.state;
    let row = sx::get(&st.store, id).await?.ok_or_else(|| AppError::not_found("exchange_row"))?;
    let table = Table::parse(&row.tbl).ok_or_else(|| AppError::Internal(format!("unknown table {}", row.tbl)))?;
    let mut overrides: fb::Overrides = match row.overrides.as_deref().filter(|j| !j.is_empty()) {
        Some(j) => serde_json::from_str(j).map_err(|e| AppError::Internal(e.to_string()))?,
        None => Default::default(),
    };
    let column = input.column.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = column {
        fb::override_cell(table, c, &input.value)
            .map_err(|m| AppError::with_detail(Kind::Invalid, "exchange_correction_invalid", m))?;
        overrides.insert(fb::override_key(input.sub, c), input.value.trim().to_string());
    }
    let json = serde_json::to_string(&overrides).map_err(|e| AppError::Internal(e.to_string()))?;
    // A row an offline package brought: its sender's columns, corrected.
    let payload = match row.payload.as_deref() {
        Some(cells) => {
            let mut rows = vec![dp::cells_row(table, cells).map_err(AppError::Internal)?];
            fb::apply_overrides(&mut rows, &overrides)
                .map_err(|m| AppError::with_detail(Kind::Invalid, "exchange_correction_invalid", m))?;
            Some(dp::cells_text(&rows[0]))
        }
        None => None,
    };
    let mut tx = st.store.begin().await?;
    let Some(new_id) = sx::resend(&mut tx, id, &json, payload.as_deref(), ctx.now()).await? else {
        return Err(AppError::with_detail(Kind::Conflict, "exchange_not_resendable", "exchange_row"));
    };
    let e = ctx.entry(
        "exchange_resend",
        "exchange_row",
        id,
        json!({"table": row.tbl, "case_id": row.case_id, "version": row.version + 1, "new_row": new_id,
            "column": column, "value": column.map(|_| input.value.trim()), "sub": input.sub}),
        &reason,
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    super::wake();
    Ok(new_id)
}

/// A rejected row as its correction page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ExchangeRowView)]
pub struct RowView {
    pub row: sx::OutRow,
    /// The table's Chinese name.
    pub label: &'static str,
    /// The province's feedback about it.
    pub feedback: Vec<sx::FeedbackRow>,
    /// The columns a correction may name: (column, 注释).
    pub columns: Vec<(String, String)>,
    /// The column the feedback (or the exporter's reason) blames.
    pub blamed: Option<String>,
    /// The sub-row the feedback names.
    pub sub: i64,
    /// It may be sent again (rejected, or named by feedback, and not sent again yet).
    pub resendable: bool,
    pub may_resend: bool,
}

/// A row of the outbox with its feedback (administrators and the supervision bureau).
pub async fn row(ctx: &Ctx<'_>, id: i64) -> AppResult<RowView> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !zwfw_domain::access::staff::may_read_exchange_rows(actor) {
        return Err(AppError::forbidden());
    }
    let st = ctx.state;
    let mut row = sx::get(&st.store, id).await?.ok_or_else(|| AppError::not_found("exchange_row"))?;
    let table = Table::parse(&row.tbl).ok_or_else(|| AppError::Internal(format!("unknown table {}", row.tbl)))?;
    if row.case_no.is_none() {
        // A row an offline package brought: the 办件编号 its sender reported.
        row.case_no = row.payload.as_deref().and_then(dp::project_no);
    }
    let feedback = sx::feedback_of(&st.store, id).await?;
    let blamed = feedback
        .iter()
        .rev()
        .find_map(|f| f.field.clone())
        .or_else(|| row.reason.as_deref().and_then(|r| fb::blamed_column(table, r)).map(|c| c.name.to_string()));
    let resendable = row.resent_as.is_none() && (row.rejected_at.is_some() || !feedback.is_empty());
    Ok(RowView {
        label: table.label(),
        sub: feedback.last().map_or(0, |f| f.sub),
        columns: table.columns().iter().map(|c| (c.name.to_string(), c.comment.to_string())).collect(),
        blamed,
        resendable,
        may_resend: zwfw_domain::access::staff::may_resend_exchange(actor),
        feedback,
        row,
    })
}
