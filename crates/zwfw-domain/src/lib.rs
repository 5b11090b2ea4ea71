#![recursion_limit = "256"]
//! Pure domain rules of zwfw. Nothing in this crate performs I/O: it decides,
//! the store remembers, the web layer translates.

#[cfg(test)]
extern crate self as zwfw_domain;

pub mod access;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod backfill;
pub mod backup;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod certificates;
pub mod clock;
pub mod codes;
pub mod credit;
pub mod error;
pub mod evaluation;
pub mod exchange;
pub mod faults;
pub mod files;
pub mod governance;
pub mod handover;
pub mod ids;
pub mod interaction;
pub mod licenses;
pub mod notices;
pub mod outbox;
pub mod rating;
pub mod registry;
pub mod supervision;
pub mod time;
pub mod totp;

pub use error::{DomainError, DomainResult};
