//! Process metrics in the Prometheus text format.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub responses_4xx: AtomicU64,
    pub responses_5xx: AtomicU64,
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
    pub audit_records: AtomicU64,
    pub cases_created: AtomicU64,
    pub case_events: AtomicU64,
    pub sms_sent: AtomicU64,
    pub sms_failed: AtomicU64,
    pub email_sent: AtomicU64,
    pub email_failed: AtomicU64,
}

impl Metrics {
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn render(&self, db_up: bool, started_ms: i64, now_ms: i64) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"));
        };
        counter("zwfw_http_requests_total", "HTTP requests received.", self.requests.load(Ordering::Relaxed));
        counter(
            "zwfw_http_responses_4xx_total",
            "Responses with a 4xx status.",
            self.responses_4xx.load(Ordering::Relaxed),
        );
        counter(
            "zwfw_http_responses_5xx_total",
            "Responses with a 5xx status.",
            self.responses_5xx.load(Ordering::Relaxed),
        );
        counter("zwfw_logins_total", "Successful sign-ins.", self.logins_ok.load(Ordering::Relaxed));
        counter("zwfw_login_failures_total", "Failed sign-ins.", self.logins_failed.load(Ordering::Relaxed));
        counter(
            "zwfw_audit_records_written_total",
            "Audit records written by this process.",
            self.audit_records.load(Ordering::Relaxed),
        );
        counter("zwfw_cases_created_total", "Applications created.", self.cases_created.load(Ordering::Relaxed));
        counter("zwfw_case_events_total", "Case events appended.", self.case_events.load(Ordering::Relaxed));
        counter("zwfw_sms_sent_total", "SMS messages the gateway took.", self.sms_sent.load(Ordering::Relaxed));
        counter("zwfw_sms_failures_total", "SMS tries that failed.", self.sms_failed.load(Ordering::Relaxed));
        counter(
            "zwfw_email_sent_total",
            "E-mail messages the SMTP server took.",
            self.email_sent.load(Ordering::Relaxed),
        );
        counter("zwfw_email_failures_total", "E-mail tries that failed.", self.email_failed.load(Ordering::Relaxed));
        out.push_str(&format!(
            "# HELP zwfw_database_up Whether the database answered.\n# TYPE zwfw_database_up gauge\nzwfw_database_up {}\n",
            u8::from(db_up)
        ));
        out.push_str(&format!(
            "# HELP zwfw_uptime_seconds Seconds since the process started.\n# TYPE zwfw_uptime_seconds gauge\nzwfw_uptime_seconds {}\n",
            (now_ms - started_ms).max(0) / 1000
        ));
        out
    }
}
