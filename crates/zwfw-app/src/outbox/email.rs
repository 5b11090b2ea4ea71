//! The e-mail sender of the notification outbox. Messages to an e-mail
//! address (the notices of a case to an applicant or a department head whose
//! account gives one) wait in the outbox until this sender hands them to the
//! city's SMTP server: plain text in UTF-8, the subject encoded for Chinese
//! (RFC 2047), a `Message-ID` that stays the same on every try so that a
//! server can drop a message it already took. The connection is upgraded
//! with STARTTLS (`tls = "starttls"`, the default; the certificate is
//! checked) or stays plain (`tls = "none"`, inside the government network).
//!
//! Claims, retries (1, 2, 4 … 64 minutes, given up after `MAX_ATTEMPTS`),
//! sending again and the page 消息发送 are the outbox's (see `super`). An
//! SMTP server that is down or refuses a message leaves it waiting for its
//! next try; nothing is dropped.

use super::SendReport;
use crate::error::AppResult;
use crate::state::App;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use zwfw_domain::outbox::Channel;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// STARTTLS required; the server's certificate is checked.
    Starttls,
    /// No encryption (a relay inside the government network).
    None,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s.trim() {
            "starttls" => Some(SmtpTls::Starttls),
            "none" => Some(SmtpTls::None),
            _ => None,
        }
    }
}

/// Where and how to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Sign-in (AUTH PLAIN/LOGIN) when set, with `password`.
    pub user: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `示例市政务服务 <noreply@zwfw.example.gov.cn>`.
    pub from: String,
    /// How long one try may take.
    pub timeout_ms: u64,
    /// Prefix of the links in the text (the portal's public address); the
    /// bare path when empty.
    pub link_base: String,
    /// The line the text ends with (the site's name).
    pub signature: String,
}

impl SmtpConfig {
    /// Checks the settings; the error names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.host.trim().is_empty() || self.host.contains(['/', ' ']) {
            return Err(format!("smtp.host must be a host name or address (got {:?})", self.host));
        }
        if self.port == 0 {
            return Err("smtp.port must not be 0".into());
        }
        self.from.parse::<Mailbox>().map_err(|e| format!("smtp.from is not an address ({:?}): {e}", self.from))?;
        if self.user.is_some() != self.password.is_some() {
            return Err("smtp.user and smtp.password go together".into());
        }
        if !(100..=120_000).contains(&self.timeout_ms) {
            return Err("smtp.timeout_ms must be between 100 and 120000".into());
        }
        Ok(())
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
            .port(self.port)
            .timeout(Some(Duration::from_millis(self.timeout_ms)));
        if self.tls == SmtpTls::Starttls {
            let params = TlsParameters::new(self.host.clone()).map_err(|e| format!("TLS settings: {e}"))?;
            b = b.tls(Tls::Required(params));
        }
        if let (Some(u), Some(p)) = (&self.user, &self.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(b.build())
    }
}

/// The mail of outbox message `id`: the notice, where to read it, the site.
pub fn mail(cfg: &SmtpConfig, id: i64, to: &str, title: &str, body: &str, link: &str) -> Result<Message, String> {
    let from: Mailbox = cfg.from.parse().map_err(|e| format!("smtp.from: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("not an address: {e}"))?;
    let domain = from.email.domain().to_string();
    let mut text = body.trim().to_string();
    if !link.is_empty() {
        text += &format!("\n\n详见：{}{link}", cfg.link_base);
    }
    text += &format!("\n\n{}\n（本邮件由系统自动发送，请勿直接回复。）\n", cfg.signature);
    Message::builder()
        .from(from)
        .to(to)
        .subject(title)
        .message_id(Some(format!("<zwfw-{id}@{domain}>")))
        .header(ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|e| format!("message: {e}"))
}

/// Sends the e-mail messages whose try is due. Does nothing without a server.
pub async fn send_due(st: &App) -> AppResult<SendReport> {
    let Some(cfg) = st.config.smtp.as_ref() else {
        return Ok(SendReport::default());
    };
    let transport = match cfg.transport() {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "the SMTP settings cannot be used; e-mail waits");
            return Ok(SendReport::default());
        }
    };
    let counters = (&st.metrics.email_sent, &st.metrics.email_failed);
    let transport = &transport;
    super::send_channel(st, Channel::Email, counters, |m| async move {
        let message = mail(cfg, m.id, &m.email, &m.title, &m.body, &m.link)?;
        transport.send(message).await.map(|_| ()).map_err(|e| describe(&e, cfg))
    })
    .await
}

/// What went wrong with a try, for the monitoring page.
fn describe(e: &lettre::transport::smtp::Error, cfg: &SmtpConfig) -> String {
    if e.is_timeout() {
        format!("no answer within {} ms", cfg.timeout_ms)
    } else if let Some(code) = e.status() {
        format!("SMTP {code}: {e}").chars().take(300).collect()
    } else {
        format!("cannot reach the SMTP server {}:{}: {e}", cfg.host, cfg.port).chars().take(300).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> SmtpConfig {
        SmtpConfig {
            host: "mail.example.gov.cn".into(),
            port: 25,
            tls: SmtpTls::None,
            user: None,
            password: None,
            from: "示例市政务服务 <noreply@zwfw.example.gov.cn>".into(),
            timeout_ms: 5000,
            link_base: "https://zwfw.example.gov.cn".into(),
            signature: "示例市政务服务平台".into(),
        }
    }

    #[test]
    fn config_is_checked() {
        assert!(cfg().check().is_ok());
        let mut c = cfg();
        c.from = "not an address".into();
        assert!(c.check().unwrap_err().contains("smtp.from"));
        let mut c = cfg();
        c.user = Some("zwfw".into());
        assert!(c.check().unwrap_err().contains("together"));
        let mut c = cfg();
        c.host = " ".into();
        assert!(c.check().unwrap_err().contains("smtp.host"));
        let mut c = cfg();
        c.timeout_ms = 5;
        assert!(c.check().unwrap_err().contains("timeout_ms"));
        assert_eq!(SmtpTls::parse("starttls"), Some(SmtpTls::Starttls));
        assert_eq!(SmtpTls::parse("ssl"), None);
    }

    #[test]
    fn the_mail_is_utf8_with_an_encoded_subject_and_the_link() {
        let m =
            mail(&cfg(), 7, "zhangsan@example.cn", "请补正材料：食品经营许可", "张三：您申请的…", "/cases/3").unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("Message-ID: <zwfw-7@zwfw.example.gov.cn>"), "{raw}");
        assert!(raw.contains("Subject: =?utf-8?"), "the Chinese subject is encoded: {raw}");
        assert!(raw.contains("charset=utf-8"), "{raw}");
        assert!(mail(&cfg(), 7, "no address", "t", "b", "").is_err());
    }
}
