//! 电子证照: public verification, the licence types and signing keys
//! (system administrators), status changes, and a case's licence.

pub mod api;
pub mod pages;
pub mod work;
