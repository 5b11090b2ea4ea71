//! 通知公告 and 政策文件: the public list and pages, and the service centre's management.

pub mod api;
pub mod pages;
