//! The outbox's rules for messages sent through an outside channel (SMS,
//! e-mail): when a failed try is repeated, when the sender gives up, the
//! text the gateway receives, and what an e-mail address is.

use crate::codes::code_list;

code_list!(
    /// How a notification reaches its reader.
    Channel {
        /// 站内消息: read in the platform.
        InApp = "inapp",
        /// 短信: handed to the SMS gateway by the sender.
        Sms = "sms",
        /// 电子邮件: handed to the SMTP server by the e-mail sender.
        Email = "email",
    }
);

/// Tries before a message is given up (an administrator can send it again).
pub const MAX_ATTEMPTS: i64 = 8;

/// Longest text handed to the gateway, in characters: a long SMS of at most
/// five parts (67 characters each once joined), signature included.
pub const MAX_TEXT: usize = 335;

/// When to try again after try number `attempts` (1-based) failed: one
/// minute, then twice as long each time (1, 2, 4 … 64 minutes, about two
/// hours in all); `None` once `MAX_ATTEMPTS` tries have failed.
pub fn retry_delay_ms(attempts: i64) -> Option<i64> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let n = attempts.clamp(1, MAX_ATTEMPTS) - 1;
    Some(60_000 << n)
}

/// The SMS text: 【signature】title: body, then where to read it. Line breaks
/// become spaces; a text over `MAX_TEXT` is cut and ends with "…" before the
/// link, which is always kept whole.
pub fn sms_text(signature: &str, title: &str, body: &str, link: &str) -> String {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let head = format!("【{}】{}", flat(signature), flat(title));
    let body = flat(body);
    let tail = if link.is_empty() { String::new() } else { format!(" 详见 {link}") };
    let mut text = if body.is_empty() { head } else { format!("{head}：{body}") };
    let room = MAX_TEXT.saturating_sub(tail.chars().count());
    if text.chars().count() > room {
        text = text.chars().take(room.saturating_sub(1)).collect::<String>() + "…";
    }
    text + &tail
}

code_list!(
    /// Where a message of an outside channel stands.
    Delivery {
        /// Not sent yet: waiting for its next try.
        Waiting = "waiting",
        /// The gateway took it.
        Sent = "sent",
        /// Its tries were given up.
        Failed = "failed",
    }
);

/// Where a message stands: `sent` once the gateway took it, `failed` once
/// its tries were given up, else `waiting`.
pub fn delivery_state(sent: bool, given_up: bool) -> &'static str {
    match (sent, given_up) {
        (true, _) => Delivery::Sent,
        (false, true) => Delivery::Failed,
        (false, false) => Delivery::Waiting,
    }
    .code()
}

/// A mobile number as shown to staff: 138****5678.
pub fn masked_mobile(mobile: &str) -> String {
    crate::ids::mask_middle(mobile, 3, 4)
}

/// Longest e-mail address (RFC 5321: a path of 256 octets, less the brackets).
pub const MAX_EMAIL: usize = 254;

/// Why a text is not an e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    /// Longer than `MAX_EMAIL`, or a part longer than its limit.
    TooLong,
    /// No `@`, more than one, or an empty part.
    Shape,
    /// A character a mailbox or a domain name may not contain.
    Character,
    /// The domain is not a name with at least one dot (a label of letters,
    /// digits and inner hyphens between dots).
    Domain,
}

/// An e-mail address as given (trimmed), checked: `local@domain.tld`, the
/// local part of printable ASCII without spaces, quotes or brackets (at most
/// 64), the domain a dotted name (letters, digits, inner hyphens; labels of at
/// most 63). Internationalised addresses are not taken: SMTP servers inside
/// the government network rarely accept them.
pub fn parse_email(text: &str) -> Result<String, EmailError> {
    let t = text.trim();
    if t.len() > MAX_EMAIL {
        return Err(EmailError::TooLong);
    }
    let (local, domain) = t.split_once('@').ok_or(EmailError::Shape)?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(EmailError::Shape);
    }
    if local.len() > 64 {
        return Err(EmailError::TooLong);
    }
    let local_ok = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    if !local.chars().all(local_ok) || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::Character);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(EmailError::Domain);
    }
    Ok(t.to_string())
}

/// An e-mail address as shown to staff: the first two characters of the
/// mailbox, then `***@domain` (zh***@example.gov.cn).
pub fn masked_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().take(2).collect::<String>()),
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_then_give_up() {
        let delays: Vec<_> = (1..=MAX_ATTEMPTS).map(retry_delay_ms).collect();
        assert_eq!(delays[0], Some(60_000));
        assert_eq!(delays[1], Some(120_000));
        assert_eq!(delays[6], Some(64 * 60_000));
        assert_eq!(delays[7], None, "the eighth failure gives up");
        assert_eq!(delays.iter().flatten().sum::<i64>(), 127 * 60_000);
    }

    #[test]
    fn text_is_signed_flat_and_bounded() {
        let t =
            sms_text("示例市政务服务", "您的留言 ZX2025 已答复", "个体户\n登记", "https://x.gov.cn/interact/ZX2025");
        assert_eq!(t, "【示例市政务服务】您的留言 ZX2025 已答复：个体户 登记 详见 https://x.gov.cn/interact/ZX2025");
        let long = "很".repeat(1000);
        let t = sms_text("签名", "标题", &long, "/interact/ZX1");
        assert_eq!(t.chars().count(), MAX_TEXT);
        assert!(t.ends_with("… 详见 /interact/ZX1"), "{t}");
        assert_eq!(sms_text("签名", "标题", "", ""), "【签名】标题");
        assert_eq!(masked_mobile("13812345678"), "138****5678");
        assert_eq!(masked_email("zhangsan@example.gov.cn"), "zh***@example.gov.cn");
        assert_eq!(
            (delivery_state(true, true), delivery_state(false, true), delivery_state(false, false)),
            ("sent", "failed", "waiting")
        );
    }

    #[test]
    fn email_addresses_are_checked() {
        assert_eq!(parse_email(" li.si+case@mail.example.gov.cn ").as_deref(), Ok("li.si+case@mail.example.gov.cn"));
        assert_eq!(parse_email("lisi"), Err(EmailError::Shape));
        assert_eq!(parse_email("@example.cn"), Err(EmailError::Shape));
        assert_eq!(parse_email("a@b@example.cn"), Err(EmailError::Shape));
        assert_eq!(parse_email("li si@example.cn"), Err(EmailError::Character));
        assert_eq!(parse_email("李四@example.cn"), Err(EmailError::Character));
        assert_eq!(parse_email(".lisi@example.cn"), Err(EmailError::Character));
        assert_eq!(parse_email("lisi@localhost"), Err(EmailError::Domain));
        assert_eq!(parse_email("lisi@-x.cn"), Err(EmailError::Domain));
        assert_eq!(parse_email("lisi@x..cn"), Err(EmailError::Domain));
        assert_eq!(parse_email(&format!("{}@x.cn", "a".repeat(65))), Err(EmailError::TooLong));
        assert_eq!(parse_email(&format!("a@{}.cn", "b".repeat(260))), Err(EmailError::TooLong));
    }
}
