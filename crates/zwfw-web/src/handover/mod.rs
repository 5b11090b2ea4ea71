//! 审管交互: the regulator's inbox of pushed approval results and its claims
//! (`api.rs`), and the pages (`pages.rs`).

pub mod api;
pub mod pages;
