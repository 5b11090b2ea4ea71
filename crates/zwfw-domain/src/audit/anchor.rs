//! Anchors of the audit chain outside the database: the chain's head
//! (position and SM3 hash) at a moment, signed with the installation's SM2
//! key and written as a file of its own in a directory apart from the
//! database. A trail rewritten and re-chained later still verifies on its
//! own, but no longer holds the anchored hash at an anchored position.
//!
//! This module holds the anchor's format, the bytes that are signed and the
//! comparison of the anchors with the trail; signing and files are the
//! application's.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format name and version every anchor file carries.
pub const FORMAT: &str = "zwfw-audit-anchor/1";

/// One anchor, as its file holds it (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub format: String,
    /// The installation's identifier (made with its key).
    pub installation: String,
    /// The site's name, for people.
    pub site: String,
    /// The position of the chain's last record.
    pub seq: i64,
    /// That record's SM3 hash (hex).
    pub hash: String,
    /// When the anchor was taken (milliseconds since the epoch, and as text).
    pub at_ms: i64,
    pub at: String,
    /// The installation's SM2 public key (hex, `04‖x‖y`) and signer ID.
    pub public_key: String,
    pub signer_id: String,
    /// SM2 with SM3 over [`Anchor::message`]: r‖s, hex.
    pub signature: String,
}

fn put(out: &mut Vec<u8>, field: &str) {
    out.extend((field.len() as u64).to_be_bytes());
    out.extend(field.as_bytes());
}

impl Anchor {
    /// The bytes the signature covers: every field that states something,
    /// length-prefixed (the key and the signature are checked apart).
    pub fn message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(256);
        for f in [
            self.format.as_str(),
            &self.installation,
            &self.site,
            &self.seq.to_string(),
            &self.hash,
            &self.at_ms.to_string(),
            &self.at,
        ] {
            put(&mut m, f);
        }
        m
    }

    /// The file an anchor is written to: its position and time in the name,
    /// so that names sort as the anchors were taken and none is reused.
    pub fn file_name(&self) -> String {
        let t = chrono::DateTime::from_timestamp_millis(self.at_ms).unwrap_or_default();
        format!("audit-anchor-{:012}-{}.json", self.seq, t.format("%Y%m%dT%H%M%S%3fZ"))
    }
}

/// Whether a file name is an anchor's (other files in the directory are ignored).
pub fn is_anchor_file(name: &str) -> bool {
    name.starts_with("audit-anchor-") && name.ends_with(".json")
}

/// An anchor file that could not be believed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnchorDefect {
    /// Not an anchor of this format.
    Unreadable { file: String, why: String },
    /// The signature does not hold: the file was forged or altered.
    Forged { file: String, seq: i64 },
    /// Signed with a key that is not the installation's.
    OtherKey { file: String, seq: i64 },
    /// An anchor of another installation.
    OtherInstallation { file: String, installation: String },
    /// The trail no longer holds the anchored state: the first record that
    /// differs is one of `from_seq..=to_seq` (one record when they are equal).
    Differs {
        from_seq: i64,
        to_seq: i64,
        /// The first anchor the trail differs from.
        file: String,
        anchored_hash: String,
        /// What the trail holds there now (`None`: no record).
        found_hash: Option<String>,
        /// The last anchor before it that still matches.
        matching_file: Option<String>,
    },
}

impl std::fmt::Display for AnchorDefect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnchorDefect::Unreadable { file, why } => write!(f, "anchor {file} is unreadable: {why}"),
            AnchorDefect::Forged { file, seq } => {
                write!(f, "anchor {file} (record {seq}) is FORGED: its SM2 signature does not hold")
            }
            AnchorDefect::OtherKey { file, seq } => write!(
                f,
                "anchor {file} (record {seq}) is FORGED: it is signed with a key that is not the installation's"
            ),
            AnchorDefect::OtherInstallation { file, installation } => {
                write!(f, "anchor {file} belongs to another installation ({installation})")
            }
            AnchorDefect::Differs { from_seq, to_seq, file, anchored_hash, found_hash, matching_file } => {
                if from_seq == to_seq {
                    write!(f, "record {from_seq} is the first record that differs from the anchored state")?;
                } else {
                    write!(
                        f,
                        "the first record that differs from the anchored state is one of records {from_seq} to {to_seq}"
                    )?;
                }
                let found = match found_hash {
                    Some(h) => format!("it now holds {h}"),
                    None => "the trail no longer holds that record".to_string(),
                };
                write!(f, " (anchor {file}: record {to_seq} had SM3 {anchored_hash}; {found}")?;
                match matching_file {
                    Some(m) => write!(f, "; the anchor before it, {m}, still matches)"),
                    None => write!(f, "; no earlier anchor)"),
                }
            }
        }
    }
}

/// Compares anchors whose signatures hold with the hashes the trail holds
/// at their positions (`stored`, as the verifier read them while checking
/// the whole trail): for each run of anchors the trail differs from, the
/// range of records in which the first changed record lies, from the
/// record after the last anchor that still matches to the first anchor's
/// position that does not. Anchors at the same position must agree; the
/// trail read once makes the comparison exact even when only a part of it
/// was re-chained (a binary search over the anchors would assume that one
/// difference makes every later anchor differ).
pub fn compare(anchors: &[(String, Anchor)], stored: &BTreeMap<i64, String>) -> Vec<AnchorDefect> {
    let mut sorted: Vec<&(String, Anchor)> = anchors.iter().collect();
    sorted.sort_by(|a, b| (a.1.seq, a.1.at_ms, &a.0).cmp(&(b.1.seq, b.1.at_ms, &b.0)));
    let mut out = vec![];
    let mut last_match: Option<(&str, i64)> = None;
    let mut in_run = false;
    for (file, a) in sorted {
        let found = stored.get(&a.seq);
        if found == Some(&a.hash) {
            last_match = Some((file, a.seq));
            in_run = false;
            continue;
        }
        if in_run {
            continue;
        }
        in_run = true;
        out.push(AnchorDefect::Differs {
            from_seq: last_match.map(|(_, s)| s + 1).unwrap_or(1).min(a.seq),
            to_seq: a.seq,
            file: file.clone(),
            anchored_hash: a.hash.clone(),
            found_hash: found.cloned(),
            matching_file: last_match.map(|(f, _)| f.to_string()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor(seq: i64, hash: &str) -> (String, Anchor) {
        let a = Anchor {
            format: FORMAT.into(),
            installation: "i".into(),
            site: "示例市".into(),
            seq,
            hash: hash.into(),
            at_ms: 1_780_000_000_000 + seq,
            at: String::new(),
            public_key: String::new(),
            signer_id: String::new(),
            signature: String::new(),
        };
        (a.file_name(), a)
    }

    #[test]
    fn the_first_changed_record_lies_after_the_last_matching_anchor() {
        let stored: BTreeMap<i64, String> = (1..=20).map(|s| (s, format!("h{s}"))).collect();
        let anchors: Vec<_> = [4, 8, 12, 16].iter().map(|s| anchor(*s, &format!("h{s}"))).collect();
        assert!(compare(&anchors, &stored).is_empty());
        // Re-chained from record 10 on: anchors 12 and 16 differ; record 9–12.
        let mut rewritten = stored.clone();
        for s in 10..=20 {
            rewritten.insert(s, format!("x{s}"));
        }
        let d = compare(&anchors, &rewritten);
        assert_eq!(d.len(), 1, "{d:?}");
        let AnchorDefect::Differs { from_seq, to_seq, matching_file, found_hash, .. } = &d[0] else { panic!() };
        assert_eq!((*from_seq, *to_seq), (9, 12));
        assert_eq!(matching_file.as_deref(), Some(anchors[1].0.as_str()));
        assert_eq!(found_hash.as_deref(), Some("x12"));
        // Anchors at every record name the record itself.
        let every: Vec<_> = (1..=20).map(|s| anchor(s, &format!("h{s}"))).collect();
        let d = compare(&every, &rewritten);
        assert!(matches!(d[0], AnchorDefect::Differs { from_seq: 10, to_seq: 10, .. }), "{d:?}");
        assert!(d[0].to_string().starts_with("record 10 is the first record that differs"), "{}", d[0]);
        // Cut short and re-chained: the anchored record is gone.
        let short: BTreeMap<i64, String> = (1..=10).map(|s| (s, format!("h{s}"))).collect();
        let d = compare(&anchors, &short);
        assert!(matches!(&d[0], AnchorDefect::Differs { from_seq: 9, to_seq: 12, found_hash: None, .. }), "{d:?}");
        // Only a middle part re-chained (the rest left as it was): each run is named.
        let mut middle = stored.clone();
        middle.insert(8, "y8".into());
        let d = compare(&anchors, &middle);
        assert_eq!(d.len(), 1);
        assert!(matches!(d[0], AnchorDefect::Differs { from_seq: 5, to_seq: 8, .. }));
    }

    #[test]
    fn the_signed_message_covers_every_statement() {
        let (_, a) = anchor(5, "h5");
        let base = a.message();
        for changed in [
            Anchor { seq: 6, ..a.clone() },
            Anchor { hash: "h6".into(), ..a.clone() },
            Anchor { at_ms: a.at_ms + 1, ..a.clone() },
            Anchor { installation: "j".into(), ..a.clone() },
            Anchor { site: "别市".into(), ..a.clone() },
        ] {
            assert_ne!(changed.message(), base);
        }
        assert_eq!(Anchor { signature: "00".into(), ..a.clone() }.message(), base);
        assert!(is_anchor_file(&a.file_name()), "{}", a.file_name());
        assert!(a.file_name().starts_with("audit-anchor-000000000005-"));
    }
}
