//! Sign-in rules (等保 level 3 practice): password complexity and age,
//! lockout after repeated failures, idle session timeout.

use crate::error::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};

/// Security settings, all configurable; the defaults follow the issue text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityPolicy {
    pub min_password_length: usize,
    /// How many of the four classes (upper, lower, digit, symbol) are required.
    pub min_password_classes: usize,
    pub password_max_age_days: i64,
    pub max_failed_logins: i64,
    pub lockout_minutes: i64,
    pub idle_timeout_minutes: i64,
    /// Absolute session lifetime regardless of activity.
    pub max_session_hours: i64,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            min_password_length: 8,
            min_password_classes: 3,
            password_max_age_days: 90,
            max_failed_logins: 5,
            lockout_minutes: 15,
            idle_timeout_minutes: 30,
            max_session_hours: 12,
        }
    }
}

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;

impl SecurityPolicy {
    /// Checks a new password against the policy. `username` and the previous
    /// password must not be reused as the password.
    pub fn check_password(&self, password: &str, username: &str) -> DomainResult<()> {
        let len = password.chars().count();
        if len < self.min_password_length {
            return Err(DomainError::WeakPassword("too_short"));
        }
        if len > 128 {
            return Err(DomainError::WeakPassword("too_long"));
        }
        if password.chars().any(char::is_control) {
            return Err(DomainError::WeakPassword("control_characters"));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.min_password_classes {
            return Err(DomainError::WeakPassword("too_few_classes"));
        }
        if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(DomainError::WeakPassword("contains_username"));
        }
        Ok(())
    }

    /// Whether a password set at `changed_at_ms` has expired at `now_ms`.
    pub fn password_expired(&self, changed_at_ms: i64, now_ms: i64) -> bool {
        self.password_max_age_days > 0 && now_ms - changed_at_ms > self.password_max_age_days * MS_PER_DAY
    }

    /// The outcome of a failed attempt given the failures so far.
    pub fn after_failure(&self, failures_before: i64, now_ms: i64) -> FailureOutcome {
        let failures = failures_before + 1;
        if failures >= self.max_failed_logins {
            FailureOutcome { failures: 0, locked_until_ms: Some(now_ms + self.lockout_minutes * MS_PER_MINUTE) }
        } else {
            FailureOutcome { failures, locked_until_ms: None }
        }
    }

    /// Whether a session last seen at `last_seen_ms` and created at
    /// `created_ms` is still alive at `now_ms`.
    pub fn session_alive(&self, created_ms: i64, last_seen_ms: i64, now_ms: i64) -> bool {
        now_ms - last_seen_ms <= self.idle_timeout_minutes * MS_PER_MINUTE
            && now_ms - created_ms <= self.max_session_hours * 60 * MS_PER_MINUTE
    }
}

/// What to store after a failed sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureOutcome {
    /// The failure counter to keep (reset to 0 once the account is locked).
    pub failures: i64,
    /// Set when this failure locks the account.
    pub locked_until_ms: Option<i64>,
}

/// Whether an account locked until `locked_until_ms` is still locked.
pub fn is_locked(locked_until_ms: Option<i64>, now_ms: i64) -> bool {
    locked_until_ms.is_some_and(|t| t > now_ms)
}

/// A username: 3–32 characters of ASCII letters, digits, `_`, `-`, `.`.
pub fn parse_username(s: &str) -> DomainResult<String> {
    let s = s.trim();
    let ok = (3..=32).contains(&s.len())
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
        && s.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(DomainError::Invalid { field: "username", reason: "format" })
    }
}

/// A person's or organization's name: non-empty, at most `max` characters, no control characters.
pub fn parse_name(field: &'static str, s: &str, max: usize) -> DomainResult<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DomainError::Invalid { field, reason: "empty" });
    }
    if s.chars().count() > max {
        return Err(DomainError::Invalid { field, reason: "too_long" });
    }
    if s.chars().any(char::is_control) {
        return Err(DomainError::Invalid { field, reason: "control_characters" });
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        let p = SecurityPolicy::default();
        assert_eq!(p.check_password("Ab1!", "x"), Err(DomainError::WeakPassword("too_short")));
        assert_eq!(p.check_password("abcdefgh1", "x"), Err(DomainError::WeakPassword("too_few_classes")));
        assert!(p.check_password("abcdefg1!", "x").is_ok());
        assert!(p.check_password("Abcdefg12", "x").is_ok());
        assert_eq!(p.check_password("Zhangsan#2026", "zhangsan"), Err(DomainError::WeakPassword("contains_username")));
        assert!(p.check_password("密码Abc123!", "x").is_ok());
    }

    #[test]
    fn lockout_after_five_failures() {
        let p = SecurityPolicy::default();
        let mut failures = 0;
        for i in 0..4 {
            let o = p.after_failure(failures, 1000);
            assert_eq!(o.locked_until_ms, None, "attempt {i}");
            failures = o.failures;
        }
        let o = p.after_failure(failures, 1000);
        assert_eq!(o.locked_until_ms, Some(1000 + 15 * 60_000));
        assert!(is_locked(o.locked_until_ms, 1000 + 15 * 60_000 - 1));
        assert!(!is_locked(o.locked_until_ms, 1000 + 15 * 60_000));
    }

    #[test]
    fn session_idle_and_age() {
        let p = SecurityPolicy::default();
        assert!(p.session_alive(0, 0, 30 * 60_000));
        assert!(!p.session_alive(0, 0, 30 * 60_000 + 1));
        assert!(!p.session_alive(0, 13 * 3_600_000, 13 * 3_600_000));
        assert!(p.password_expired(0, 91 * 86_400_000));
        assert!(!p.password_expired(0, 90 * 86_400_000));
    }

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" Zhang.San ").unwrap(), "zhang.san");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("_ab").is_err());
        assert!(parse_username("张三").is_err());
    }
}
