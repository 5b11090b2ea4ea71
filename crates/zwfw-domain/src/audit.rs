//! The tamper-evident audit trail. Each record carries the SM3 hash of its own
//! content chained to the previous record's hash, so that verification can say
//! exactly which record was altered, removed or reordered.

use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};

/// The hash that precedes the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Audit actions. Stable strings, stored and exported.
pub mod action {
    pub const LOGIN: &str = "login";
    pub const LOGIN_FAILED: &str = "login_failed";
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    pub const LOGOUT: &str = "logout";
    pub const SESSION_REVOKED: &str = "session_revoked";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const TOTP_ENROLLED: &str = "totp_enrolled";
    pub const TOTP_RESET: &str = "totp_reset";
    pub const CREATE: &str = "create";
    pub const UPDATE: &str = "update";
    pub const ROLES_CHANGED: &str = "roles_changed";
    pub const ACCOUNT_DISABLED: &str = "account_disabled";
    pub const ACCOUNT_ENABLED: &str = "account_enabled";
    pub const REGISTER: &str = "register";
    pub const CLOCK_MOVED: &str = "clock_moved";
    pub const DEMO_LOADED: &str = "demo_loaded";
}

/// What is written: everything but the chain fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub department_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// JSON describing what changed (before/after of the changed fields).
    pub detail: String,
    pub reason: String,
    pub client_addr: String,
}

/// A stored record: the entry, its position and its chain hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

fn put(h: &mut Sm3, field: &str) {
    // Length-prefixed so that no two field sequences serialize alike.
    h.update((field.len() as u64).to_be_bytes());
    h.update(field.as_bytes());
}

/// The hash of a record: SM3 over the previous hash, the sequence number and
/// every field of the entry.
pub fn record_hash(seq: i64, prev_hash: &str, e: &AuditEntry) -> String {
    let mut h = Sm3::new();
    put(&mut h, prev_hash);
    put(&mut h, &seq.to_string());
    put(&mut h, &e.at_ms.to_string());
    put(&mut h, &e.actor_id.map(|v| v.to_string()).unwrap_or_default());
    put(&mut h, &e.actor_name);
    put(&mut h, &e.actor_role);
    put(&mut h, &e.department_id.map(|v| v.to_string()).unwrap_or_default());
    put(&mut h, &e.action);
    put(&mut h, &e.object_type);
    put(&mut h, &e.object_id);
    put(&mut h, &e.detail);
    put(&mut h, &e.reason);
    put(&mut h, &e.client_addr);
    hex::encode(h.finalize())
}

/// Hex SM3 digest of arbitrary bytes (content addressing, fingerprints).
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

/// A defect found by verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainDefect {
    /// The record's content no longer matches its hash.
    Altered { seq: i64 },
    /// Records with these sequence numbers are missing.
    Removed { from_seq: i64, to_seq: i64 },
    /// The record is intact but does not follow its predecessor: it was moved.
    Reordered { seq: i64 },
    /// The record's link to its predecessor is broken for another reason.
    BrokenLink { seq: i64 },
    /// The trail ends before the last record the head says was written.
    TailRemoved { last_seq: i64, expected_last_seq: i64 },
}

impl ChainDefect {
    /// The first record the defect concerns.
    pub fn seq(&self) -> i64 {
        match self {
            ChainDefect::Altered { seq } | ChainDefect::Reordered { seq } | ChainDefect::BrokenLink { seq } => *seq,
            ChainDefect::Removed { from_seq, .. } => *from_seq,
            ChainDefect::TailRemoved { last_seq, .. } => *last_seq + 1,
        }
    }
}

impl std::fmt::Display for ChainDefect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainDefect::Altered { seq } => write!(f, "record {seq} was altered (its content does not match its hash)"),
            ChainDefect::Removed { from_seq, to_seq } if from_seq == to_seq => {
                write!(f, "record {from_seq} was removed")
            }
            ChainDefect::Removed { from_seq, to_seq } => {
                write!(f, "records {from_seq} to {to_seq} were removed")
            }
            ChainDefect::Reordered { seq } => {
                write!(f, "record {seq} is out of order (it does not follow its predecessor)")
            }
            ChainDefect::BrokenLink { seq } => {
                write!(f, "record {seq} does not link to its predecessor")
            }
            ChainDefect::TailRemoved { last_seq, expected_last_seq } => {
                write!(f, "records after {last_seq} up to {expected_last_seq} were removed from the end")
            }
        }
    }
}

/// Incremental verifier: feed records in ascending `seq` order (in batches
/// from storage), then call `finish` with the head the store keeps.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    /// hashes seen so far by seq, to recognize a moved record.
    seen: std::collections::HashMap<String, i64>,
    pub checked: i64,
    pub defects: Vec<ChainDefect>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            seen: Default::default(),
            checked: 0,
            defects: Vec::new(),
        }
    }
}

impl ChainVerifier {
    /// A verifier that continues after record `seq`, whose hash was `hash`
    /// (for checking only what was written since an earlier verification).
    pub fn resume(seq: i64, hash: &str) -> ChainVerifier {
        ChainVerifier { expected_seq: seq + 1, prev_hash: hash.to_string(), ..Default::default() }
    }

    /// The last record fed (sequence number and hash).
    pub fn position(&self) -> (i64, &str) {
        (self.expected_seq - 1, &self.prev_hash)
    }

    pub fn feed(&mut self, r: &AuditRecord) {
        self.checked += 1;
        if r.seq > self.expected_seq {
            self.defects.push(ChainDefect::Removed { from_seq: self.expected_seq, to_seq: r.seq - 1 });
        }
        let own = record_hash(r.seq, &r.prev_hash, &r.entry);
        if own != r.hash {
            self.defects.push(ChainDefect::Altered { seq: r.seq });
        } else if r.prev_hash != self.prev_hash && r.seq == self.expected_seq {
            // Intact record whose predecessor is not the record before it.
            if self.seen.contains_key(&r.prev_hash) || r.prev_hash == GENESIS_HASH {
                self.defects.push(ChainDefect::Reordered { seq: r.seq });
            } else {
                self.defects.push(ChainDefect::BrokenLink { seq: r.seq });
            }
        }
        self.seen.insert(r.hash.clone(), r.seq);
        self.prev_hash = r.hash.clone();
        self.expected_seq = r.seq + 1;
    }

    /// `head_seq` is the last sequence number the store says it wrote.
    pub fn finish(mut self, head_seq: i64) -> Vec<ChainDefect> {
        let last = self.expected_seq - 1;
        if head_seq > last {
            self.defects.push(ChainDefect::TailRemoved { last_seq: last, expected_last_seq: head_seq });
        }
        self.defects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let entry = AuditEntry {
                    at_ms: 1_700_000_000_000 + seq,
                    actor_name: format!("user{seq}"),
                    action: action::UPDATE.into(),
                    object_type: "department".into(),
                    object_id: seq.to_string(),
                    ..Default::default()
                };
                let hash = record_hash(seq, &prev, &entry);
                let r = AuditRecord { seq, entry, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                r
            })
            .collect()
    }

    fn verify(records: &[AuditRecord], head: i64) -> Vec<ChainDefect> {
        let mut v = ChainVerifier::default();
        for r in records {
            v.feed(r);
        }
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        assert!(verify(&chain(10), 10).is_empty());
        assert!(verify(&[], 0).is_empty());
    }

    #[test]
    fn detects_alteration() {
        let mut c = chain(10);
        c[4].entry.reason = "changed".into();
        assert_eq!(verify(&c, 10), vec![ChainDefect::Altered { seq: 5 }]);
    }

    #[test]
    fn detects_removal_in_middle_and_tail() {
        let mut c = chain(10);
        c.remove(3);
        assert_eq!(verify(&c, 10), vec![ChainDefect::Removed { from_seq: 4, to_seq: 4 }]);
        let c = chain(10);
        assert_eq!(verify(&c[..8], 10), vec![ChainDefect::TailRemoved { last_seq: 8, expected_last_seq: 10 }]);
    }

    #[test]
    fn detects_reordering() {
        // Swap the contents of records 3 and 4 and renumber them, recomputing
        // their hashes as a forger without the chain would: the links break.
        let c = chain(6);
        let mut forged = c.clone();
        forged.swap(2, 3);
        forged[2].seq = 3;
        forged[3].seq = 4;
        for r in forged.iter_mut().take(4).skip(2) {
            r.hash = record_hash(r.seq, &r.prev_hash, &r.entry);
        }
        let d = verify(&forged, 6);
        assert!(d.contains(&ChainDefect::Reordered { seq: 4 }), "{d:?}");
        assert!(d.contains(&ChainDefect::BrokenLink { seq: 3 }), "{d:?}");
    }

    #[test]
    fn forged_recomputation_still_breaks_next_link() {
        let mut c = chain(5);
        c[1].entry.reason = "x".into();
        c[1].hash = record_hash(2, &c[1].prev_hash, &c[1].entry);
        assert_eq!(verify(&c, 5), vec![ChainDefect::BrokenLink { seq: 3 }]);
    }
}
