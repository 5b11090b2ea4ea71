//! 补录: the later entry of the cases handled on paper during a fault — a
//! paper application and each later action with its real time — and the
//! list of entries for the department and for supervision (`pages.rs`),
//! with the API of each (`api.rs`).

pub mod api;
pub mod pages;
