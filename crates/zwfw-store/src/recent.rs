//! The case rows this process wrote last, kept for a short while so that an
//! action that follows right after (a counter officer accepting what they
//! just registered, a head deciding what they just reviewed) decides on the
//! row it knows instead of reading it again.
//!
//! A remembered row is only a guess at the case: every write of a case is
//! gated on the `seq` it was decided on, so a row gone stale (another
//! process acted on the case, or the database was changed around the
//! program) makes that write find nothing, and the caller reads the case
//! from the database and decides again. A row is remembered only after the
//! write that produced it committed, and forgotten when a write's outcome is
//! not known (an error, a write inside a transaction its caller may still
//! roll back) or when a column outside the projection changes.

use crate::cases::CaseRow;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a row is trusted as a first guess: bounds how long a change
/// made around the program without touching `seq` goes unseen by actions.
const KEEP_FOR: Duration = Duration::from_secs(60);

/// Rows kept at most (a few MiB).
const CAPACITY: usize = 4096;

/// Whether a remembered row is still trusted as a first guess.
fn fresh((at, _): &(Instant, CaseRow)) -> bool {
    at.elapsed() < KEEP_FOR
}

#[derive(Default)]
pub(crate) struct RecentCases {
    rows: Mutex<HashMap<i64, (Instant, CaseRow)>>,
}

impl RecentCases {
    fn rows(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (Instant, CaseRow)>> {
        self.rows.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The row of case `id` as last written here, if recent.
    pub(crate) fn get(&self, id: i64) -> Option<CaseRow> {
        self.rows().get(&id).filter(|e| fresh(e)).map(|(_, r)| r.clone())
    }

    /// Remembers `row` as committed just now.
    pub(crate) fn put(&self, row: CaseRow) {
        let mut rows = self.rows();
        if rows.len() >= CAPACITY && !rows.contains_key(&row.id) {
            rows.retain(|_, e| fresh(e));
            if rows.len() >= CAPACITY {
                rows.clear();
            }
        }
        rows.insert(row.id, (Instant::now(), row));
    }

    /// Takes the row of case `id` out while a write of it is under way
    /// (given back, moved, once the write committed).
    pub(crate) fn take(&self, id: i64) -> Option<CaseRow> {
        self.rows().remove(&id).filter(fresh).map(|(_, r)| r)
    }

    pub(crate) fn forget(&self, id: i64) {
        self.rows().remove(&id);
    }

    /// Every row remembered (for checks).
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn all(&self) -> Vec<CaseRow> {
        self.rows().values().map(|(_, r)| r.clone()).collect()
    }

    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn clear(&self) {
        self.rows().clear();
    }
}
