//! 双公示: the public list of 行政许可 decisions and its workbook, the
//! deciding department's list with the 公示 action (`api.rs`, `pages.rs`).

pub mod api;
pub mod pages;
