//! The accounts area over HTTP: its API handlers, its pages and, beside them, its templates.

pub mod api;
pub mod certificates;
pub mod pages;
