//! The outbox's channels beyond the in-app message: SMS through the
//! operator's gateway and e-mail through an SMTP server. Both senders share
//! the run below: each due message's try is claimed in the database first
//! (several app servers never send one message at the same moment), a failed
//! try is repeated after 1, 2, 4 … 64 minutes and given up after
//! `MAX_ATTEMPTS` tries, and an administrator sees every message on 消息发送
//! and can send a given-up one again. Without a configured server a
//! channel's messages wait; none is ever dropped.

pub mod email;
pub mod inapp;
pub mod sms;

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::Serialize;
use serde_json::json;
use std::future::Future;
use std::sync::atomic::AtomicU64;
use zwfw_domain::outbox::{delivery_state, masked_email, masked_mobile, retry_delay_ms, Channel, Delivery};
use zwfw_store::outbox as so;

/// What one run of a sender did.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u32,
    pub failed: u32,
    pub given_up: u32,
}

/// Messages handed over per run at most (the rest wait for the next run).
const BATCH: i64 = 200;
/// A try claimed by a server that then died is taken up again after this.
const CLAIM_MS: i64 = 5 * 60_000;

/// One run of the sender of `channel`: every due message is claimed, handed
/// to `deliver` (Ok when the server took it, else what went wrong) and its
/// outcome recorded; `counters` count the sent and the failed tries.
pub(crate) async fn send_channel<F, Fut>(
    st: &App,
    channel: Channel,
    counters: (&AtomicU64, &AtomicU64),
    deliver: F,
) -> AppResult<SendReport>
where
    F: Fn(so::OutMessage) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut report = SendReport::default();
    crate::cases::notices::derive_logged(st).await;
    let now = st.now_ms();
    for m in so::due(&st.store, channel.code(), now, BATCH).await? {
        let (id, attempt) = (m.id, m.attempts + 1);
        if !so::claim(&st.store, id, now, now + CLAIM_MS).await? {
            continue; // another server took this try
        }
        match deliver(m).await {
            Ok(()) => {
                so::mark_sent(&st.store, id, st.now_ms()).await?;
                crate::metrics::Metrics::inc(counters.0);
                report.sent += 1;
            }
            Err(error) => {
                let delay = retry_delay_ms(attempt);
                let give_up = delay.is_none();
                let at = st.now_ms();
                so::mark_failed(&st.store, id, &error, at + delay.unwrap_or(0), give_up, at).await?;
                crate::metrics::Metrics::inc(counters.1);
                tracing::warn!(message = id, channel = channel.code(), attempt, give_up, %error, "message not taken");
                report.failed += 1;
                report.given_up += u32::from(give_up);
            }
        }
    }
    Ok(report)
}

/// A given-up message sent again (system or center administrators), audited.
/// Whether the actor operates the outbox (asked before a form is read).
pub fn may_operate(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor.is_some_and(zwfw_domain::access::staff::may_operate_outbox) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

pub async fn retry(ctx: &Ctx<'_>, id: i64, reason: &str) -> AppResult<()> {
    may_operate(ctx)?;
    if reason.trim().is_empty() {
        return Err(AppError::bad("reason_required"));
    }
    crate::error::reason(reason)?;
    let st = ctx.state;
    let m = so::message(&st.store, id).await?.ok_or_else(|| AppError::not_found("message"))?;
    let mut tx = st.store.begin().await?;
    if !so::retry(&mut tx, id, ctx.now()).await? {
        return Err(AppError::with_detail(Kind::Conflict, "not_given_up", "message"));
    }
    let e = ctx.entry(
        &format!("{}_retry", m.channel),
        "notification",
        id,
        json!({"attempts": m.attempts, "last_error": m.last_error, "to": recipient(&m)}),
        reason.trim(),
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// Where a message goes, as staff see it: the masked mobile or address.
fn recipient(m: &so::OutMessage) -> String {
    match Channel::parse(&m.channel) {
        Some(Channel::Email) => masked_email(&m.email),
        _ => masked_mobile(&m.mobile),
    }
}

/// The outbox as administrators see it: counts, the chosen messages with
/// masked recipients, and which channels have a server configured.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    /// An SMS gateway is configured.
    pub gateway: bool,
    /// An SMTP server is configured.
    pub smtp: bool,
    pub counts: so::Counts,
    pub messages: Vec<MessageView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OutboxMessage)]
pub struct MessageView {
    #[serde(flatten)]
    pub message: so::OutMessage,
    /// The masked mobile (SMS) or address (e-mail).
    pub recipient: String,
    pub state: &'static str,
}

pub async fn outbox(ctx: &Ctx<'_>, state: &str) -> AppResult<OutboxView> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !zwfw_domain::access::staff::may_operate_outbox(actor) {
        return Err(AppError::forbidden());
    }
    let state = match state {
        "" | "all" => "all",
        s => Delivery::parse(s).ok_or_else(|| AppError::invalid("state"))?.code(),
    };
    let st = ctx.state;
    crate::cases::notices::derive_logged(st).await;
    let messages = so::list(&st.store, state, 200)
        .await?
        .into_iter()
        .map(|m| MessageView {
            recipient: recipient(&m),
            state: delivery_state(m.sent_at.is_some(), m.failed_at.is_some()),
            message: m,
        })
        .collect();
    Ok(OutboxView {
        gateway: st.config.sms.is_some(),
        smtp: st.config.smtp.is_some(),
        counts: so::counts(&st.store).await?,
        messages,
    })
}
