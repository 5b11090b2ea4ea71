//! What the end-to-end tests share: the application started on a fresh
//! database (`app`), the clients that sign in and call it (`client`), what
//! tests start from (`fixtures`) and the checks they end with (`invariants`).

mod app;
mod client;
mod fixtures;
mod invariants;
mod smtp;

pub use app::*;
pub use client::*;
pub use fixtures::*;
pub use invariants::*;
pub use smtp::*;
