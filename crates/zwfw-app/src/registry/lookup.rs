//! The optional look-up service of the 人口库 / 法人库: asked when the local
//! copy has no record of a number. The contract (docs/areas/registry.md):
//!
//! `POST <url>` with `{"kind": "person" | "company", "number": "<身份证号 or
//! 统一社会信用代码>"}` (and `Authorization: Bearer <token>` when one is
//! configured) answers 200 with `{"found": false}` or `{"found": true,
//! "name": …, "address": …}` (a company also `legal_rep` and `status`, the
//! code or its Chinese name). Anything else is an error of the service.

use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use zwfw_domain::registry::{check_record, Field, Record, RecordKind};

/// Where the look-up service is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupConfig {
    pub url: String,
    pub token: Option<String>,
    pub timeout_ms: u64,
}

impl LookupConfig {
    /// Checks the settings (at start).
    pub fn check(&self) -> Result<(), String> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err("registry.lookup_url must start with http:// or https://".into());
        }
        if !(100..=60_000).contains(&self.timeout_ms) {
            return Err("registry.lookup_timeout_ms must be between 100 and 60000".into());
        }
        Ok(())
    }
}

/// Why the service gave no usable answer: a stable detail of the error
/// `registry_lookup_failed`, with what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupError {
    /// timeout | unreachable | status | answer
    pub detail: &'static str,
    pub what: String,
}

#[derive(Deserialize)]
struct Answer {
    found: bool,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    legal_rep: String,
    #[serde(default)]
    status: String,
}

fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

/// Asks the service for the record of `number`: `Ok(None)` when it has none.
/// A record it answers is checked like a line of an extract.
pub async fn ask(cfg: &LookupConfig, kind: RecordKind, number: &str) -> Result<Option<Record>, LookupError> {
    let mut req = client()
        .post(&cfg.url)
        .timeout(Duration::from_millis(cfg.timeout_ms))
        .json(&json!({"kind": kind.code(), "number": number}));
    if let Some(t) = &cfg.token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.map_err(|e| {
        if e.is_timeout() {
            LookupError { detail: "timeout", what: format!("no answer within {} ms", cfg.timeout_ms) }
        } else if e.is_connect() {
            LookupError { detail: "unreachable", what: "cannot connect to the look-up service".into() }
        } else {
            LookupError { detail: "unreachable", what: format!("request failed: {e}") }
        }
    })?;
    let status = resp.status();
    if !status.is_success() {
        let body: String = resp.text().await.unwrap_or_default().chars().take(200).collect();
        return Err(LookupError { detail: "status", what: format!("HTTP {}: {}", status.as_u16(), body.trim()) });
    }
    let a: Answer =
        resp.json().await.map_err(|e| LookupError { detail: "answer", what: format!("not the agreed JSON: {e}") })?;
    if !a.found {
        return Ok(None);
    }
    let get = |f: Field| match f {
        Field::Name => a.name.clone(),
        Field::IdNumber | Field::CreditCode => number.to_string(),
        Field::LegalRep => a.legal_rep.clone(),
        Field::Address => a.address.clone(),
        Field::Status => a.status.clone(),
    };
    check_record(kind, &get).map(Some).map_err(|problems| LookupError {
        detail: "answer",
        what: format!(
            "the record answered is not valid: {}",
            problems.iter().map(|p| format!("{} {}", p.field.key(), p.detail)).collect::<Vec<_>>().join(", ")
        ),
    })
}
