//! The exchange area over HTTP (数据交换): the monitor's API and page.

pub mod api;
pub mod packages;
pub mod pages;

use axum::extract::rejection::FormRejection;
use axum::Form;

/// A form of the exchange pages, as its handler receives it: read only
/// after the actor was found allowed.
pub type FormBody<F> = Result<Form<F>, FormRejection>;

/// The form sent, once `allowed` says the actor may act (decided before
/// the form is read, so that a refused actor is told so whatever it sent);
/// else the refusal. A form that cannot be read is taken as empty, and its
/// handler says what is missing.
pub fn permitted<F: Default>(allowed: zwfw_app::AppResult<()>, form: FormBody<F>) -> zwfw_app::AppResult<F> {
    allowed?;
    Ok(form.map(|Form(f)| f).unwrap_or_default())
}
