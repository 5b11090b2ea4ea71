//! The exchange area over HTTP (数据交换): the monitor's API and page.

pub mod api;
pub mod packages;
pub mod pages;
