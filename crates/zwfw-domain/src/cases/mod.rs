//! The case (办件) lifecycle as an append-only list of events. The state of a
//! case and its legal clock are derived from its events; every transition is
//! checked here, so that the store only appends what this module accepted.
//!
//! draft → submitted → (补正 ↔ submitted) → accepted | refused → the steps of
//! the item's process (with joint review) → concluded (granted | denied |
//! returned 退件 | voided | forwarded) → delivered. Returns, transfers,
//! urges, suspensions (special procedures) and extensions are explicit events.

mod clocks;
mod documents;
mod errors;
mod events;
mod machine;
mod numbers;
mod parties;
mod sources;
mod view;

pub use clocks::*;
pub use documents::*;
pub use errors::*;
pub use events::*;
pub use machine::*;
pub use numbers::*;
pub use parties::*;
pub use sources::*;
pub use view::*;

#[cfg(test)]
mod tests;
