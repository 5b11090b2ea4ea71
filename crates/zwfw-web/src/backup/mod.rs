//! The backup area over HTTP: the administrator's page of backups and
//! restore drills, and the same over the API.

pub mod api;
pub mod pages;
