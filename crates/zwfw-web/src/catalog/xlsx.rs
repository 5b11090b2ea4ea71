//! The catalogue workbook over HTTP: the import template, the export of the
//! published catalogue, and the import (API and admin page).

use crate::http::auth::Auth;
use crate::http::error::ErrorBody;
use crate::http::error::WebError;
use crate::http::error::WebResult;
use crate::http::extract::LateMultipart;
use crate::http::pages::SignedIn;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::Json;
use zwfw_app::catalog::xlsx::import;
use zwfw_app::catalog::xlsx::workbook;
use zwfw_app::catalog::xlsx::ImportReport;
use zwfw_app::Ctx;
use zwfw_store::admin as store_admin;

fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    let disposition = crate::http::files::attachment("catalog.xlsx", filename);
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The import template, with one filled-in example row.
pub async fn template(State(st): State<AppState>, Auth(_ra): Auth) -> WebResult<Response> {
    let depts = store_admin::list_departments(&st.store).await?;
    let dept = depts.iter().find(|d| d.kind == zwfw_domain::admin::DepartmentKind::Approval);
    let example = zwfw_domain::catalog::example(dept.map(|d| d.id).unwrap_or(1));
    let bytes = workbook(&[example], &depts).map_err(|e| WebError::internal(e.to_string()))?;
    Ok(xlsx_response(bytes, "事项导入模板.xlsx"))
}

/// The published catalogue in the import format.
pub async fn export(State(st): State<AppState>) -> WebResult<Response> {
    let depts = store_admin::list_departments(&st.store).await?;
    let list = zwfw_store::catalog::list(
        &st.store,
        &zwfw_store::catalog::ItemFilter { published_only: true, limit: 1_000_000, ..Default::default() },
    )
    .await?;
    let mut items = Vec::with_capacity(list.len());
    for s in list {
        items.push(zwfw_store::catalog::get_version(&st.store, s.version_id).await?.content);
    }
    let bytes = workbook(&items, &depts).map_err(|e| WebError::internal(e.to_string()))?;
    Ok(xlsx_response(bytes, "事项目录.xlsx"))
}

/// What an import created.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ImportCreated {
    /// The number of items created as drafts.
    pub created: usize,
}

/// Import (multipart `file`): 201 with the count, or 422 with every bad cell.
#[utoipa::path(post, path = "/items/import", tag = "catalog",
    request_body(content = crate::http::files::FileUpload, description = "the workbook (.xlsx)", content_type = "multipart/form-data"),
    responses((status = 201, description = "all items created as drafts", body = ImportCreated), (status = 422, description = "every bad cell", body = ImportReport), (status = 400, description = "no file", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_import(
    SignedIn { st, ra, .. }: SignedIn,
    mp: LateMultipart,
) -> Result<(StatusCode, Json<ImportCreated>), (StatusCode, Json<ImportReport>)> {
    let report = |status, code: &str, m: &str| {
        (status, Json(ImportReport { code: code.into(), message: m.into(), errors: vec![] }))
    };
    let bad = |m: &str| report(StatusCode::BAD_REQUEST, "bad_request", m);
    let ctx = Ctx { state: &st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() };
    // Who may import is decided before the body is looked at.
    if zwfw_app::catalog::may_import(&ctx).is_err() {
        return Err(report(StatusCode::FORBIDDEN, "forbidden", &zwfw_app::messages::error_text("forbidden", None)));
    }
    let mut mp = mp.open().map_err(|e| bad(&e.message()))?;
    let mut bytes = None;
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some("file") {
            bytes = field.bytes().await.ok();
        }
    }
    let Some(bytes) = bytes else { return Err(bad("请选择要导入的文件")) };
    match import(&ctx, &bytes).await {
        Ok(created) => Ok((StatusCode::CREATED, Json(ImportCreated { created }))),
        Err(r) if r.code == "forbidden" => Err((StatusCode::FORBIDDEN, Json(r))),
        Err(r) => Err((StatusCode::UNPROCESSABLE_ENTITY, Json(r))),
    }
}

/// The import form of the admin page: the result (count or every bad cell) as a page.
pub async fn import_page(SignedIn { st, ra, .. }: SignedIn, mp: LateMultipart) -> Response {
    let ctx = Ctx { state: &st, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() };
    // Who may import is decided before the body is looked at.
    let opened = zwfw_app::catalog::may_import(&ctx).map_err(WebError::from).and_then(|()| mp.open());
    let mut mp = match opened {
        Ok(mp) => mp,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let mut bytes = None;
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some("file") {
            bytes = field.bytes().await.ok();
        }
    }
    let result = match bytes {
        Some(b) if !b.is_empty() => import(&ctx, &b).await,
        _ => Err(ImportReport {
            code: "bad_request".into(), message: "请选择要导入的文件".into(), errors: vec![]
        }),
    };
    let (ok, report) = match result {
        Ok(n) => (Some(n), None),
        Err(r) => (None, Some(r)),
    };
    let failed = ok.is_none();
    let mut resp = crate::http::pages::render(
        &st,
        &ra,
        "import_result.html",
        minijinja::context! { created => ok, report => report },
    );
    if failed && resp.status().is_success() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}
