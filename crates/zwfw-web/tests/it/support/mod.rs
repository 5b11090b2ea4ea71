//! What the end-to-end tests share.

mod app;

pub use app::*;
