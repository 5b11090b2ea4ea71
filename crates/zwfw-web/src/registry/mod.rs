//! 人口库 / 法人库: the administrators' import page and the counter's look-up.

pub mod api;
pub mod pages;
