//! The SMS sender of the notification outbox. Messages to a mobile number
//! (an anonymous submitter told that the reply is there) wait in the outbox
//! until this sender hands them to the city's SMS gateway (政务短信平台) over
//! HTTP: one JSON POST per message, `{"id", "mobile", "content"}`, with the
//! gateway's token as a bearer credential. Any 2xx answer means taken.
//!
//! A failed try is repeated after 1, 2, 4 … 64 minutes and given up after
//! `MAX_ATTEMPTS` tries; an administrator sees it on 消息发送 and can send it
//! again. Each try is claimed in the database first, so several app servers
//! never send one message at the same moment; a server killed while sending
//! leaves the message to be tried again later. The `id` stays the same on
//! every try, so that a gateway can drop a message it already took.
//!
//! Without a configured gateway nothing is sent and the messages wait (the
//! page says so); no message is ever dropped.

use super::SendReport;
use crate::error::AppResult;
use crate::state::App;
use serde_json::json;
use std::time::Duration;
use zwfw_domain::outbox::{sms_text, Channel};

/// Where and how to reach the SMS gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConfig {
    /// The gateway's `http://` address (inside the government network, or a
    /// local TLS-terminating proxy in front of an `https` gateway).
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<String>,
    /// The signature the text starts with, 【…】.
    pub signature: String,
    /// Prefix of the links in the text (the portal's public address), e.g.
    /// `https://zwfw.example.gov.cn`; the bare path when empty.
    pub link_base: String,
    /// How long one try may take.
    pub timeout_ms: u64,
}

impl SmsConfig {
    /// Checks the settings; the error names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let rest = self.url.strip_prefix("http://").ok_or_else(|| {
            if self.url.starts_with("https://") {
                "sms.url: https is not supported by the built-in sender; reach the gateway through a local TLS proxy (http://127.0.0.1:…)".to_string()
            } else {
                format!("sms.url must start with http:// (got {:?})", self.url)
            }
        })?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err("sms.url has no host".into());
        }
        if self.signature.trim().is_empty() {
            return Err("sms.signature must not be empty (the gateway rejects unsigned texts)".into());
        }
        if !(100..=60_000).contains(&self.timeout_ms) {
            return Err("sms.timeout_ms must be between 100 and 60000".into());
        }
        Ok(())
    }
}

fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

/// Sends the SMS messages whose try is due. Does nothing without a gateway.
pub async fn send_due(st: &App) -> AppResult<SendReport> {
    let Some(cfg) = st.config.sms.as_ref() else {
        return Ok(SendReport::default());
    };
    let counters = (&st.metrics.sms_sent, &st.metrics.sms_failed);
    super::send_channel(st, Channel::Sms, counters, |m| async move {
        let link = if m.link.is_empty() { String::new() } else { format!("{}{}", cfg.link_base, m.link) };
        let text = sms_text(&cfg.signature, &m.title, &m.body, &link);
        deliver(cfg, m.id, &m.mobile, &text).await
    })
    .await
}

/// One try: Ok when the gateway answered 2xx, else what went wrong.
async fn deliver(cfg: &SmsConfig, id: i64, mobile: &str, content: &str) -> Result<(), String> {
    let mut req = client()
        .post(&cfg.url)
        .timeout(Duration::from_millis(cfg.timeout_ms))
        .json(&json!({"id": format!("zwfw-{id}"), "mobile": mobile, "content": content}));
    if let Some(t) = &cfg.token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.map_err(|e| {
        if e.is_timeout() {
            format!("no answer within {} ms", cfg.timeout_ms)
        } else if e.is_connect() {
            "cannot connect to the gateway".to_string()
        } else {
            format!("request failed: {e}")
        }
    })?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let body = resp.text().await.unwrap_or_default();
    let body: String = body.chars().take(200).collect();
    Err(format!("HTTP {}: {}", status.as_u16(), body.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: &str) -> SmsConfig {
        SmsConfig {
            url: url.into(),
            token: None,
            signature: "示例市".into(),
            link_base: String::new(),
            timeout_ms: 5000,
        }
    }

    #[test]
    fn config_is_checked() {
        assert!(cfg("http://10.1.2.3:8080/send").check().is_ok());
        assert!(cfg("https://sms.example.cn/send").check().unwrap_err().contains("TLS proxy"));
        assert!(cfg("ftp://x").check().unwrap_err().contains("http://"));
        assert!(cfg("http:///send").check().unwrap_err().contains("no host"));
        let mut c = cfg("http://x");
        c.signature = " ".into();
        assert!(c.check().unwrap_err().contains("signature"));
        c.signature = "签名".into();
        c.timeout_ms = 10;
        assert!(c.check().unwrap_err().contains("timeout_ms"));
    }
}
