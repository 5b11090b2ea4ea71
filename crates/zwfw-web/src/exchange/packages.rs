//! 离线包: offline packages of the exchange over HTTP — the page of the
//! administrators (this installation's key, the installations whose
//! packages are imported, the upload, the packages made and imported) and
//! the same in the API.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::{context, Value};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::exchange::package::{self as pkg, Imported, InstallationInput, KeyView, Overview};
use zwfw_store::exchange::package::InstallationRow;

// ---------------------------------------------------------------- API

#[utoipa::path(get, path = "/admin/exchange/packages", tag = "supervision",
    responses((status = 200, description = "this installation's code and package key, the installations whose packages are imported (their keys and how far they were imported), the packages made and imported", body = Overview), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system or centre administrator, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_overview(Signed(_s, ra): Signed, State(st): State<AppState>) -> WebResult<Json<Overview>> {
    Ok(Json(pkg::overview(&ctx(&st, &ra)).await?))
}

#[utoipa::path(post, path = "/admin/exchange/packages", tag = "supervision",
    request_body(content = crate::http::files::FileUpload, description = "the offline package file", content_type = "multipart/form-data"),
    responses((status = 201, description = "imported: its rows joined the outbox (those already there by row_guid left as they were) and go on to the 前置库", body = Imported), (status = 409, description = "package_already_imported (the same file: nothing changed), package_replayed (an older package), package_gap (a package between is missing; the detail gives the rows imported and where this one begins)", body = ErrorBody), (status = 422, description = "package_malformed (not a package, cut short, a row that does not fit its national table), package_unknown_installation, package_wrong_key (not signed with the registered key), package_tampered (changed after signing), package_from_self", body = ErrorBody), (status = 400, description = "no file, or not a multipart form", body = ErrorBody), (status = 413, description = "the file is larger than the upload limit", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system or centre administrator", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_import(
    Signed(_s, ra): Signed,
    State(st): State<AppState>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<(StatusCode, Json<Imported>)> {
    pkg::may_manage(&ctx(&st, &ra))?;
    let bytes = upload(&st, multipart).await?;
    Ok((StatusCode::CREATED, Json(pkg::import_package(&ctx(&st, &ra), &bytes).await?)))
}

#[utoipa::path(post, path = "/admin/exchange/installations", tag = "supervision", request_body = InstallationInput,
    responses((status = 201, description = "registered (or its key replaced): its packages are imported from now on", body = InstallationRow), (status = 409, description = "installation_exists: registered already (send replace to change its key)", body = ErrorBody), (status = 422, description = "installation_code_invalid, installation_is_self, installation_name_invalid, installation_key_invalid (the detail names the field)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system or centre administrator", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_register(
    Signed(_s, ra): Signed,
    State(st): State<AppState>,
    body: Result<ApiJson<InstallationInput>, WebError>,
) -> WebResult<(StatusCode, Json<InstallationRow>)> {
    let input = managing(&st, &ra, body)?;
    Ok((StatusCode::CREATED, Json(pkg::register_installation(&ctx(&st, &ra), &input).await?)))
}

/// Making this installation's package key.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = ExchangePackageKeyInput)]
pub struct KeyInput {
    /// Replace the key in use (the receiving side must then register the new public key).
    #[serde(default)]
    pub rotate: bool,
}

#[utoipa::path(post, path = "/admin/exchange/packages/key", tag = "supervision", request_body = KeyInput,
    responses((status = 201, description = "the new key's public part (the private key is sealed under the master key, never shown)", body = KeyView), (status = 409, description = "package_key_exists: a key is in use (send rotate to replace it)", body = ErrorBody), (status = 503, description = "no master key is configured", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system or centre administrator", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_key(
    Signed(_s, ra): Signed,
    State(st): State<AppState>,
    body: Result<ApiJson<KeyInput>, WebError>,
) -> WebResult<(StatusCode, Json<KeyView>)> {
    let input = managing(&st, &ra, body)?;
    Ok((StatusCode::CREATED, Json(pkg::generate_key(&ctx(&st, &ra), input.rotate).await?)))
}

/// Making a package.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = ExchangePackageExportInput)]
pub struct ExportInput {
    /// Begin after this outbox row instead of where the last package ended (to make a lost package again).
    #[serde(default)]
    pub since: Option<i64>,
}

#[utoipa::path(post, path = "/admin/exchange/packages/export", tag = "supervision", request_body = ExportInput,
    responses((status = 200, description = "the signed package file (its rows count as delivered; the next package begins where it ends)", content_type = "application/octet-stream", body = Vec<u8>), (status = 409, description = "package_empty: no waiting rows after that point", body = ErrorBody), (status = 422, description = "package_installation_unset (guid_prefix not set to the region code), package_key_missing", body = ErrorBody), (status = 503, description = "no master key is configured", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system or centre administrator", body = ErrorBody)), security(("bearer" = [])))]
pub async fn api_export(
    Signed(_s, ra): Signed,
    State(st): State<AppState>,
    body: Result<ApiJson<ExportInput>, WebError>,
) -> WebResult<Response> {
    let input = managing(&st, &ra, body)?;
    let e = pkg::export_package(&ctx(&st, &ra), input.since).await?;
    Ok(download(e))
}

/// The body sent, once the actor is found to manage packages (decided
/// before the body is read: a refused actor gets 403 whatever it sent).
fn managing<T>(st: &AppState, ra: &RequestAuth, body: Result<ApiJson<T>, WebError>) -> WebResult<T> {
    pkg::may_manage(&ctx(st, ra))?;
    Ok(body?.0)
}

fn download(e: pkg::Exported) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", e.file_name);
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        e.bytes,
    )
        .into_response()
}

/// The uploaded file of the form's `file` field.
async fn upload(
    st: &AppState,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Vec<u8>> {
    let multipart = multipart.map_err(|e| WebError::with_detail(Kind::BadInput, "bad_request", e.body_text()))?;
    let form = MultipartForm::read(multipart, st.config.max_upload_bytes).await?;
    form.files
        .into_iter()
        .find(|f| f.0 == "file" && !f.2.is_empty())
        .map(|(_, _, bytes)| bytes)
        .ok_or_else(|| WebError::new(Kind::BadInput, "package_file_missing"))
}

/// The offline package endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(api_overview, api_import))
        .register(routes!(api_register))
        .register(routes!(api_key))
        .register(routes!(api_export))
}

// ---------------------------------------------------------------- pages

#[derive(Default)]
struct Outcome<'a> {
    imported: Option<&'a Imported>,
    ok: Option<String>,
    error: Option<String>,
    form: Option<&'a InstallationForm>,
}

async fn view(st: &AppState, ra: &RequestAuth, o: Outcome<'_>, status: StatusCode) -> Response {
    let m = match pkg::overview(&ctx(st, ra)).await {
        Ok(m) => m,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let names: std::collections::HashMap<&str, &str> =
        m.installations.iter().map(|i| (i.code.as_str(), i.name.as_str())).collect();
    let sender_names: Vec<&str> =
        m.imported.iter().map(|p| names.get(p.installation.as_str()).copied().unwrap_or("")).collect();
    let fingerprints: Vec<String> = m
        .installations
        .iter()
        .map(|i| {
            hex::decode(&i.public_key).map(|b| zwfw_domain::exchange::package::key_fingerprint(&b)).unwrap_or_default()
        })
        .collect();
    let c = context! {
        m => Value::from_serialize(&m),
        sender_names => sender_names,
        fingerprints => fingerprints,
        imported => o.imported.map(Value::from_serialize),
        ok => o.ok,
        error => o.error,
        form => o.form.map(|f| context! { code => f.code, name => f.name, public_key => f.public_key, next_from => f.next_from, replace => f.replace.is_some() }),
    };
    let mut resp = render(st, ra, "exchange_packages.html", c);
    if resp.status().is_success() {
        *resp.status_mut() = status;
    }
    resp
}

/// 离线包: this installation's key, the registered installations, the upload.
pub async fn packages_page(State(st): State<AppState>, Signed(_s, ra): Signed, Query(q): Query<DoneQuery>) -> Response {
    let ok = match q.done.as_deref() {
        Some("key") => Some("已生成本单位的离线包签名密钥。请把公钥交给接收单位（市级平台）的管理员登记。".to_string()),
        Some("registered") => Some("已登记报送单位，此后可导入其离线包。".to_string()),
        _ => None,
    };
    view(&st, &ra, Outcome { ok, ..Outcome::default() }, StatusCode::OK).await
}

/// The address of a form's answer, opened itself (a bookmark, the address
/// bar, a reload after the answer): the page where the registered
/// installations are shown, at their list.
pub async fn installations_page() -> Response {
    axum::response::Redirect::to("/admin/exchange/packages#senders").into_response()
}

/// A refusal shown on the page (its Chinese message, its status); a
/// refusal of the actor as the error page.
async fn refused(st: &AppState, ra: &RequestAuth, e: &zwfw_app::AppError, form: Option<&InstallationForm>) -> Response {
    if matches!(e.kind(), Kind::Forbidden | Kind::Unauthenticated) {
        return error_page(st, Some(ra), e);
    }
    view(st, ra, Outcome { error: Some(e.message()), form, ..Outcome::default() }, e.status()).await
}

/// The upload: the package checked and imported, or why not.
pub async fn import_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let result = match pkg::may_manage(&ctx(&st, &ra)) {
        Ok(()) => match upload(&st, multipart).await {
            Ok(bytes) => pkg::import_package(&ctx(&st, &ra), &bytes).await,
            Err(e) => Err(e.0),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(i) => view(&st, &ra, Outcome { imported: Some(&i), ..Outcome::default() }, StatusCode::OK).await,
        Err(e) => refused(&st, &ra, &e, None).await,
    }
}

#[derive(Deserialize, Default)]
pub struct InstallationForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    public_key: String,
    #[serde(default)]
    next_from: String,
    #[serde(default)]
    replace: Option<String>,
}

/// Registers an installation (or replaces its key).
pub async fn register_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    form: super::FormBody<InstallationForm>,
) -> Response {
    let f = match super::permitted(pkg::may_manage(&ctx(&st, &ra)), form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let next_from = match f.next_from.trim() {
        "" => Ok(None),
        n => n.parse::<i64>().map(Some),
    };
    let result = match next_from {
        Ok(next_from) => {
            let input = InstallationInput {
                code: f.code.clone(),
                name: f.name.clone(),
                public_key: f.public_key.clone(),
                signer_id: None,
                next_from,
                replace: f.replace.is_some(),
            };
            pkg::register_installation(&ctx(&st, &ra), &input).await
        }
        Err(_) => Err(zwfw_app::AppError::with_detail(Kind::Invalid, "installation_key_invalid", "next_from")),
    };
    match result {
        Ok(_) => see_other("/admin/exchange/packages?done=registered"),
        Err(e) => refused(&st, &ra, &e, Some(&f)).await,
    }
}

#[derive(Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    rotate: Option<String>,
}

/// Makes (or, confirmed, replaces) this installation's package key.
pub async fn key_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    form: super::FormBody<KeyForm>,
) -> Response {
    let f = match super::permitted(pkg::may_manage(&ctx(&st, &ra)), form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match pkg::generate_key(&ctx(&st, &ra), f.rotate.as_deref() == Some("yes")).await {
        Ok(_) => see_other("/admin/exchange/packages?done=key"),
        Err(e) => refused(&st, &ra, &e, None).await,
    }
}

#[derive(Deserialize, Default)]
pub struct ExportForm {
    #[serde(default)]
    since: String,
}

/// Makes a package and sends it as a download.
pub async fn export_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    form: super::FormBody<ExportForm>,
) -> Response {
    let f = match super::permitted(pkg::may_manage(&ctx(&st, &ra)), form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let since = match f.since.trim() {
        "" => Ok(None),
        n => n
            .parse::<i64>()
            .map(Some)
            .map_err(|_| zwfw_app::AppError::with_detail(Kind::BadInput, "invalid_field", "since")),
    };
    let result = match since {
        Ok(since) => pkg::export_package(&ctx(&st, &ra), since).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => download(e),
        Err(e) => refused(&st, &ra, &e, None).await,
    }
}
