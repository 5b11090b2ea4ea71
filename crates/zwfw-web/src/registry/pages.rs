//! The 人口库 / 法人库 pages: the system administrators' overview and import
//! (every bad cell listed), and the counter's look-up of a number.

use crate::http::prelude::*;
use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::registry::{self, ImportReport, Imported};

async fn admin(
    st: &AppState,
    ra: &RequestAuth,
    imported: Option<&Imported>,
    report: Option<&ImportReport>,
) -> Response {
    let o = match registry::overview(&ctx(st, ra)).await {
        Ok(o) => o,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let mut resp = render(
        st,
        ra,
        "registry_admin.html",
        context! {
            o => Value::from_serialize(&o),
            imported => imported.map(Value::from_serialize),
            report => report.map(Value::from_serialize),
        },
    );
    if let Some(r) = report {
        if resp.status().is_success() {
            *resp.status_mut() = super::api::report_status(r);
        }
    }
    resp
}

/// 人口库/法人库: the counts, the latest records, the import form.
pub async fn admin_page(State(st): State<AppState>, Signed(_s, ra): Signed) -> Response {
    admin(&st, &ra, None, None).await
}

/// The import form: the page again with the counts or every bad cell.
pub async fn import_submit(State(st): State<AppState>, Signed(_s, ra): Signed, multipart: LateMultipart) -> Response {
    if let Some(r) = registry::import_refusal(&ctx(&st, &ra)) {
        return admin(&st, &ra, None, Some(&r)).await;
    }
    let result = match super::api::upload(&st, multipart).await {
        Ok((name, bytes)) => registry::import(&ctx(&st, &ra), &name, &bytes).await,
        Err((_, axum::Json(r))) => Err(r),
    };
    match result {
        Ok(n) => admin(&st, &ra, Some(&n), None).await,
        Err(r) => admin(&st, &ra, None, Some(&r)).await,
    }
}

#[derive(Deserialize, Default)]
pub struct LookupForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    number: String,
}

fn lookup(st: &AppState, ra: &RequestAuth, f: &LookupForm, found: Option<Value>, error: Option<String>) -> Response {
    render(st, ra, "registry_lookup.html", context! { kind => f.kind, number => f.number, r => found, error => error })
}

/// 人口库/法人库查询: the counter's form.
pub async fn lookup_page(State(st): State<AppState>, Signed(_s, ra): Signed) -> Response {
    if let Err(e) = registry::may_look_up(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &e);
    }
    lookup(&st, &ra, &LookupForm::default(), None, None)
}

/// The look-up: the record, or why there is none.
pub async fn lookup_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    form: crate::http::extract::LateForm<LookupForm>,
) -> Response {
    // Who may not look numbers up is refused whatever was sent.
    if let Err(e) = registry::may_look_up(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &e);
    }
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match registry::look_up(&ctx(&st, &ra), &f.kind, &f.number).await {
        Ok(r) => lookup(&st, &ra, &f, Some(Value::from_serialize(&r)), None),
        Err(e) if e.kind() == Kind::Forbidden || e.kind() == Kind::Unauthenticated => error_page(&st, Some(&ra), &e),
        Err(e) => {
            let mut resp = lookup(&st, &ra, &f, None, Some(e.message()));
            *resp.status_mut() = e.status();
            resp
        }
    }
}
