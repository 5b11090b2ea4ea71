//! 故障: the report form, the list and a fault's page with its timeline and
//! the paper notice (`pages.rs`), and the API of every action (`api.rs`).

pub mod api;
pub mod pages;
