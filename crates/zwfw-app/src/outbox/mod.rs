//! The outbox's channels beyond the in-app message: SMS through the
//! operator's gateway (e-mail and webhooks join here).

pub mod sms;
