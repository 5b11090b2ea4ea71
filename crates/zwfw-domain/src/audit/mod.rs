//! The tamper-evident audit trail. Each record carries the SM3 hash of its own
//! content chained to the previous record's hash, so that verification can say
//! exactly which record was altered, removed or reordered.

pub mod anchor;

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
    /// The record written as `written_seq` is intact but stands at position `seq`.
    Moved { seq: i64, written_seq: i64 },
    /// Records `seq` and `other_seq` are intact but changed places.
    Swapped { seq: i64, other_seq: i64 },
}

impl ChainDefect {
    /// The first record the defect concerns.
    pub fn seq(&self) -> i64 {
        match self {
            ChainDefect::Altered { seq }
            | ChainDefect::Reordered { seq }
            | ChainDefect::BrokenLink { seq }
            | ChainDefect::Moved { seq, .. }
            | ChainDefect::Swapped { seq, .. } => *seq,
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
            ChainDefect::Moved { seq, written_seq } => {
                write!(f, "record {written_seq} was moved to position {seq} (it is intact but out of order)")
            }
            ChainDefect::Swapped { seq, other_seq } => {
                write!(f, "records {seq} and {other_seq} were swapped (both intact, each at the other's position)")
            }
        }
    }
}

/// The most records kept aside for a closer look when verification ends;
/// beyond it a record is judged on its own (altered, or a broken link).
const MAX_SUSPECTS: usize = 10_000;

/// A record that did not verify where it stands, kept until the whole trail
/// is read: it may be an intact record that was moved, or follow one.
#[derive(Debug)]
struct Suspect {
    seq: i64,
    prev_hash: String,
    hash: String,
    /// Its content, when it does not match its hash at its position.
    moved_candidate: Option<Box<AuditEntry>>,
}

/// Incremental verifier: feed records in ascending `seq` order (in batches
/// from storage), then call `finish` with the head the store keeps.
///
/// A record that does not verify at its position is kept aside until the
/// end: when it is intact at the position right after the record its link
/// names, it was moved (two such records that changed places were swapped),
/// and the intact record that follows the one moved away is not out of order.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    /// hashes seen so far by seq, to recognize a moved record.
    seen: std::collections::HashMap<String, i64>,
    suspects: Vec<Suspect>,
    /// Positions whose stored hash is wanted (anchored positions), and what was found there.
    watch: std::collections::BTreeSet<i64>,
    watched: std::collections::BTreeMap<i64, String>,
    pub checked: i64,
    pub defects: Vec<ChainDefect>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            seen: Default::default(),
            suspects: Vec::new(),
            watch: Default::default(),
            watched: Default::default(),
            checked: 0,
            defects: Vec::new(),
        }
    }
}

impl ChainVerifier {
    /// A verifier that continues after record `seq`, whose hash was `hash`
    /// (for checking only what was written since an earlier verification).
    pub fn resume(seq: i64, hash: &str) -> ChainVerifier {
        let mut v = ChainVerifier { expected_seq: seq + 1, prev_hash: hash.to_string(), ..Default::default() };
        if seq > 0 {
            v.seen.insert(hash.to_string(), seq);
        }
        v
    }

    /// Also remember the stored hash at these positions ([`Self::watched`]).
    pub fn watch(&mut self, seqs: impl IntoIterator<Item = i64>) {
        self.watch.extend(seqs);
    }

    /// The stored hash at each watched position that holds a record.
    pub fn watched(&self) -> &std::collections::BTreeMap<i64, String> {
        &self.watched
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
        if self.watch.contains(&r.seq) {
            self.watched.insert(r.seq, r.hash.clone());
        }
        let own = record_hash(r.seq, &r.prev_hash, &r.entry) == r.hash;
        // After a gap the link is not checked: the removal is the defect.
        let linked = r.prev_hash == self.prev_hash || r.seq != self.expected_seq;
        if !own || !linked {
            let suspect = Suspect {
                seq: r.seq,
                prev_hash: r.prev_hash.clone(),
                hash: r.hash.clone(),
                moved_candidate: (!own).then(|| Box::new(r.entry.clone())),
            };
            if self.suspects.len() < MAX_SUSPECTS {
                self.suspects.push(suspect);
            } else if !own {
                self.defects.push(ChainDefect::Altered { seq: r.seq });
            } else {
                let d = self.link_defect(&suspect, &Default::default());
                self.defects.push(d);
            }
        }
        self.seen.insert(r.hash.clone(), r.seq);
        self.prev_hash = r.hash.clone();
        self.expected_seq = r.seq + 1;
    }

    /// What an intact record whose link does not name the record before it
    /// is, given the records found moved (position → the position written at).
    /// `None`: its predecessor was moved away or altered, and that is the defect.
    fn link_defect_of(
        &self,
        s: &Suspect,
        moved: &std::collections::HashMap<i64, i64>,
        altered: &std::collections::HashSet<i64>,
    ) -> Option<ChainDefect> {
        if s.prev_hash == GENESIS_HASH {
            return Some(ChainDefect::Reordered { seq: s.seq });
        }
        match self.seen.get(&s.prev_hash) {
            Some(at) if altered.contains(at) || moved.get(at).copied().unwrap_or(*at) == s.seq - 1 => None,
            Some(_) => Some(ChainDefect::Reordered { seq: s.seq }),
            None => Some(ChainDefect::BrokenLink { seq: s.seq }),
        }
    }

    fn link_defect(&self, s: &Suspect, moved: &std::collections::HashMap<i64, i64>) -> ChainDefect {
        self.link_defect_of(s, moved, &Default::default()).unwrap_or(ChainDefect::Reordered { seq: s.seq })
    }

    /// The position of the record a suspect's link names: 0 for the
    /// start of the trail, `None` when no record read has that hash.
    fn before(&self, s: &Suspect) -> Option<i64> {
        if s.prev_hash == GENESIS_HASH {
            Some(0)
        } else {
            self.seen.get(&s.prev_hash).copied()
        }
    }

    /// `head_seq` is the last sequence number the store says it wrote.
    pub fn finish(mut self, head_seq: i64) -> Vec<ChainDefect> {
        use std::collections::{HashMap, HashSet};
        let last = self.expected_seq - 1;
        if head_seq > last {
            self.defects.push(ChainDefect::TailRemoved { last_seq: last, expected_last_seq: head_seq });
        }
        let suspects = std::mem::take(&mut self.suspects);
        // Records that do not match their hash where they stand: each was
        // moved if it is intact right after the record its link names (where
        // that record was written, if it was moved itself), else altered.
        let candidates: HashMap<i64, &Suspect> =
            suspects.iter().filter(|s| s.moved_candidate.is_some()).map(|s| (s.seq, s)).collect();
        let mut decided: HashMap<i64, Option<i64>> = HashMap::new();
        for s in suspects.iter().filter(|s| s.moved_candidate.is_some()) {
            if decided.contains_key(&s.seq) {
                continue;
            }
            // Predecessors first (without recursion; a ring is judged as it stands).
            let mut stack = vec![s.seq];
            let mut on_stack: HashSet<i64> = HashSet::from([s.seq]);
            while let Some(at) = self.before(candidates[stack.last().expect("stack")]) {
                if !candidates.contains_key(&at) || decided.contains_key(&at) || !on_stack.insert(at) {
                    break;
                }
                stack.push(at);
            }
            while let Some(pos) = stack.pop() {
                let c = candidates[&pos];
                let written = self.before(c).and_then(|at| {
                    let seq = decided.get(&at).copied().flatten().unwrap_or(at) + 1;
                    let entry = c.moved_candidate.as_deref().expect("candidate");
                    (seq != pos && record_hash(seq, &c.prev_hash, entry) == c.hash).then_some(seq)
                });
                decided.insert(pos, written);
            }
        }
        let moved: HashMap<i64, i64> = decided.iter().filter_map(|(p, w)| w.map(|w| (*p, w))).collect();
        let altered: HashSet<i64> = decided.iter().filter(|(_, w)| w.is_none()).map(|(p, _)| *p).collect();
        for (&seq, written) in &decided {
            match written {
                None => self.defects.push(ChainDefect::Altered { seq }),
                Some(w) if moved.get(w) == Some(&seq) => {
                    if seq < *w {
                        self.defects.push(ChainDefect::Swapped { seq, other_seq: *w });
                    }
                }
                Some(w) => self.defects.push(ChainDefect::Moved { seq, written_seq: *w }),
            }
        }
        for s in suspects.iter().filter(|s| s.moved_candidate.is_none()) {
            if let Some(d) = self.link_defect_of(s, &moved, &altered) {
                self.defects.push(d);
            }
        }
        self.defects.sort_by_key(ChainDefect::seq);
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

    /// Two rows exchange everything but their position, as `UPDATE … SET`
    /// of every column with the other's values (or of the positions) does.
    fn swapped(c: &[AuditRecord], a: i64, b: i64) -> Vec<AuditRecord> {
        let mut out = c.to_vec();
        let (ia, ib) = ((a - 1) as usize, (b - 1) as usize);
        out.swap(ia, ib);
        out[ia].seq = a;
        out[ib].seq = b;
        out
    }

    #[test]
    fn swapped_records_are_named_and_their_neighbours_are_not() {
        let c = chain(10);
        assert_eq!(verify(&swapped(&c, 3, 4), 10), vec![ChainDefect::Swapped { seq: 3, other_seq: 4 }]);
        assert_eq!(verify(&swapped(&c, 2, 7), 10), vec![ChainDefect::Swapped { seq: 2, other_seq: 7 }]);
        assert_eq!(verify(&swapped(&c, 1, 10), 10), vec![ChainDefect::Swapped { seq: 1, other_seq: 10 }]);
        let d = ChainDefect::Swapped { seq: 3, other_seq: 4 };
        assert_eq!(d.to_string(), "records 3 and 4 were swapped (both intact, each at the other's position)");
        // Three records turned round: each is named where it stands.
        let mut r = c.clone();
        r[2..5].rotate_left(1);
        for (i, x) in r.iter_mut().enumerate().take(5).skip(2) {
            x.seq = i as i64 + 1;
        }
        assert_eq!(
            verify(&r, 10),
            vec![
                ChainDefect::Moved { seq: 3, written_seq: 4 },
                ChainDefect::Moved { seq: 4, written_seq: 5 },
                ChainDefect::Moved { seq: 5, written_seq: 3 },
            ]
        );
        // A swapped record that was also altered is named as altered.
        let mut s = swapped(&c, 3, 6);
        s[2].entry.reason = "forged".into();
        assert_eq!(
            verify(&s, 10),
            vec![ChainDefect::Altered { seq: 3 }, ChainDefect::Moved { seq: 6, written_seq: 3 }]
        );
    }

    #[test]
    fn a_resumed_verifier_sees_a_swap_after_its_start() {
        let c = chain(8);
        let s = swapped(&c, 5, 6);
        let mut v = ChainVerifier::resume(4, &c[3].hash);
        for r in &s[4..] {
            v.feed(r);
        }
        assert_eq!(v.finish(8), vec![ChainDefect::Swapped { seq: 5, other_seq: 6 }]);
    }

    #[test]
    fn watched_positions_keep_their_stored_hash() {
        let c = chain(5);
        let mut v = ChainVerifier::default();
        v.watch([2, 4, 9]);
        for r in &c {
            v.feed(r);
        }
        let w = v.watched().clone();
        assert_eq!(w.keys().copied().collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(w[&4], c[3].hash);
    }
}
