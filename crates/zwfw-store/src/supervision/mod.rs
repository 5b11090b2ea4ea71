//! Electronic supervision: rules, findings, oversight orders, the job table,
//! the change feed (the audit trail) and the dashboard's counts.

mod dashboard;
mod events;
mod findings;
mod jobs;
mod orders;
mod rules;
mod sweep;

pub use dashboard::*;
pub use events::*;
pub use findings::*;
pub use jobs::*;
pub use orders::*;
pub use rules::*;
pub use sweep::*;

use crate::db::{query, Row};
use crate::{StoreError, StoreResult};
use zwfw_domain::supervision::{FindingState, Severity};
use zwfw_domain::{const_concat, sql_code, sql_list};

/// The findings that ask for a reply ([`Severity::NEEDS_REPLY`]: all but
/// warnings), in the words of the condition of the partial indexes of
/// migration 0015, so that a query saying it can use them. A store test
/// checks that the domain's set and the indexes' condition agree.
pub(crate) const ASKS_REPLY: &str = const_concat!("severity <> ", sql_code!(Severity::Warning));
/// [`ASKS_REPLY`] for the findings named `f`.
const F_ASKS_REPLY: &str = const_concat!("f.", ASKS_REPLY);
/// Findings not closed ([`FindingState::ACTIVE`]).
const FINDING_ACTIVE: &str = const_concat!("state IN (", sql_list!(FindingState, FindingState::ACTIVE), ")");

/// One row by id: `cols` from `from` where `alias.id` is `id`.
async fn by_id<T>(
    ex: crate::db::Ex<'_>,
    cols: &str,
    from: &str,
    alias: &str,
    id: i64,
    what: &'static str,
    map: fn(&Row) -> T,
) -> StoreResult<T> {
    query(format!("SELECT {cols} FROM {from} WHERE {alias}.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| map(&r))
        .ok_or(StoreError::NotFound(what))
}
