//! The HTTP machinery every area uses, and that imports no area: the web
//! state, sessions and CSRF with the extractors that tell who acts, the
//! error answered as JSON or as a page, rendering, forms, files, trusted
//! proxies and the static assets.

pub mod assets;
pub mod auth;
pub mod error;
pub mod extract;
pub mod files;
pub mod forms;
pub mod pages;
pub mod proxies;
pub mod state;
pub mod templates;

/// What a handler module needs, in one import.
pub mod prelude {
    pub use super::auth::{safe_next, urlencode, AnySigned, Auth, RequestAuth, Signed};
    pub use super::error::{ErrorBody, HttpStatus as _, Kind, WebError, WebResult};
    pub use super::extract::{
        ApiJson, ApiPath, ApiQuery, DoneQuery, LateForm, LateJson, LateMultipart, PagePath, PageQuery, ReasonInput,
    };
    pub use super::files::{send_file, send_listed};
    pub use super::forms::MultipartForm;
    pub use super::pages::{
        after_act, ctx, department_choices, error_page, render, render_result, see_other, tab, with_cookie,
        with_fields, with_status, SignedIn,
    };
    pub use super::state::AppState;
}
