//! The controllable clock. In production it is the system clock. For tests and
//! demonstrations it can start from `ZWFW_NOW` (and run on from there) or be
//! shifted by `ZWFW_CLOCK_OFFSET`; in demo mode an administrator can move it
//! forward, and the shift is kept in the database so every app server agrees.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Shift from configuration (ZWFW_NOW / ZWFW_CLOCK_OFFSET), fixed at start.
    configured_ms: i64,
    /// Extra shift applied at run time (demo mode), shared through settings.
    moved_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    /// `now` is an RFC 3339 instant the clock starts from; `offset` a shift
    /// like `+15d`. Both may be absent.
    pub fn from_config(now: Option<&str>, offset: Option<&str>) -> Result<Clock, zwfw_domain::DomainError> {
        let mut configured = 0;
        if let Some(n) = now.filter(|s| !s.trim().is_empty()) {
            configured = zwfw_domain::time::parse_rfc3339(n)? - real_now_ms();
        }
        if let Some(o) = offset.filter(|s| !s.trim().is_empty()) {
            configured += zwfw_domain::time::parse_offset(o)?;
        }
        Ok(Clock { configured_ms: configured, moved_ms: Default::default() })
    }

    pub fn now_ms(&self) -> i64 {
        real_now_ms() + self.offset_ms()
    }

    pub fn offset_ms(&self) -> i64 {
        self.configured_ms + self.moved_ms.load(Ordering::Relaxed)
    }

    /// Whether the clock differs from the system clock.
    pub fn is_controlled(&self) -> bool {
        self.offset_ms() != 0
    }

    pub fn moved_ms(&self) -> i64 {
        self.moved_ms.load(Ordering::Relaxed)
    }

    pub fn set_moved_ms(&self, ms: i64) {
        self.moved_ms.store(ms, Ordering::Relaxed);
    }
}

pub fn real_now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_from_configured_instant_and_runs_on() {
        let c = Clock::from_config(Some("2025-09-26T09:00:00+08:00"), None).unwrap();
        let start = zwfw_domain::time::parse_rfc3339("2025-09-26T09:00:00+08:00").unwrap();
        let now = c.now_ms();
        assert!(now >= start && now < start + 5_000);
        assert!(c.is_controlled());
        c.set_moved_ms(86_400_000);
        assert!(c.now_ms() >= start + 86_400_000);
        let c = Clock::from_config(None, Some("+15d")).unwrap();
        assert_eq!(c.offset_ms(), 15 * 86_400_000);
        assert!(Clock::from_config(Some("yesterday"), None).is_err());
        assert!(!Clock::system().is_controlled());
    }
}
