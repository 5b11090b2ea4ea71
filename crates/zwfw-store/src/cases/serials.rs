//! Serial numbers: the daily or yearly counters that number cases and documents.

use crate::{RowExt, Store, StoreResult, Tx};

/// The next number of a daily (or yearly) serial, starting at 1.
pub async fn next_serial(tx: &mut Tx, prefix: &str) -> StoreResult<i64> {
    reserve_serials(tx, prefix, 1).await
}

/// Takes `n` consecutive numbers of a serial; returns the first.
pub async fn reserve_serials(tx: &mut Tx, prefix: &str, n: i64) -> StoreResult<i64> {
    let row = crate::db::query(SERIAL_TAKE).bind(prefix).bind(n).fetch_one(tx.conn()).await?;
    Ok(row.i64("next_no") - n)
}

/// The SQL of taking `$2` numbers of serial `$1`: its new `next_no`.
const SERIAL_TAKE: &str = "INSERT INTO case_serials (prefix, next_no) VALUES ($1, $2 + 1) \
     ON CONFLICT (prefix) DO UPDATE SET next_no = case_serials.next_no + $2 RETURNING next_no";

/// Takes the next number of a serial on PostgreSQL in a transaction of its
/// own, committed without waiting for the WAL's flush, before the write
/// that uses it. Taken inside that write, the serial's row stayed locked
/// until its commit had been flushed, and every registration of an item on
/// the day (every document of a department's kind in the year) waited for
/// the previous one's flush. Nothing acknowledged depends on a number taken
/// so that a crash could take back: the write that uses it commits later,
/// and its commit is flushed only with everything logged before it. A
/// number whose write is then refused is recorded as unused (see
/// [`record_unused`]).
pub(super) async fn take_number(store: &Store, prefix: &str) -> StoreResult<i64> {
    let pool = store.pg_serials().expect("serials are taken apart on PostgreSQL only");
    let row = crate::db::query(SERIAL_TAKE).bind(prefix).bind(1).fetch_one_on(pool).await?;
    Ok(row.i64("next_no") - 1)
}
