//! The licences API: public verification, the licence types and keys, the
//! changes of a licence, and the licence of a case.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::licenses::holder::{HeldLicense, UseLog};
use zwfw_app::licenses::import::{ImportReport, Imported, Preview};
use zwfw_app::licenses::qr::QrCheck;
use zwfw_app::licenses::staff::{Detail, ListPage, ListQuery};
use zwfw_app::licenses::status::ChangeInput;
use zwfw_app::licenses::types::TypeInput;
use zwfw_app::licenses::verify::{CaseLicense, Verification};
use zwfw_app::licenses::{self, KeyView};
use zwfw_store::licenses::TypeRow;

#[utoipa::path(get, path = "/licenses/{identifier}/verification", tag = "licenses", params(("identifier" = String, Path, description = "电子证照标识, e.g. 1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F")),
    responses((status = 200, description = "the status, the masked holder and the signature (public, no sign-in; recorded in the licence's 用证 log)", body = Verification), (status = 404, description = "no licence has this identifier", body = ErrorBody), (status = 422, description = "a malformed identifier or a wrong check character; the detail names the part", body = ErrorBody), (status = 429, description = "license_verify_limited: this address, not signed in, made the configured number of checks (60 by default) in 15 minutes; the detail is the limit; nothing recorded", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn verification(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiPath(identifier): ApiPath<String>,
) -> WebResult<Json<Verification>> {
    Ok(Json(licenses::verify::verify(&ctx(&st, &ra), &identifier).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = LicenseQrCheckInput)]
pub struct QrCheckInput {
    /// The payload read from a licence's QR code (base64url), or the whole
    /// text of the code (the verification address with `?qr=…`).
    pub payload: String,
}

#[utoipa::path(post, path = "/licenses/qr-check", tag = "licenses", request_body = QrCheckInput,
    responses((status = 200, description = "the verdict on the payload (public, no sign-in): `valid`, or the reason it is not (malformed, unknown_key, bad_signature), what it states, and the licence's status now when the platform holds it (recorded in its 用证 log)", body = QrCheck), (status = 429, description = "license_verify_limited: this address, not signed in, made the configured number of checks (60 by default) in 15 minutes; the detail is the limit; nothing recorded", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
pub async fn qr_check(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiJson(input): ApiJson<QrCheckInput>,
) -> WebResult<Json<QrCheck>> {
    if input.payload.len() > 4096 {
        return Err(WebError::from(zwfw_app::AppError::invalid("payload")));
    }
    Ok(Json(licenses::qr::check(&ctx(&st, &ra), &input.payload).await?))
}

/// A licence's file, as a download.
pub async fn file_download(st: &AppState, ra: &RequestAuth, identifier: &str) -> WebResult<Response> {
    let (bytes, name) = licenses::holder::file(&ctx(st, ra), identifier).await?;
    let disposition = crate::http::files::attachment("license.pdf", &name);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(get, path = "/licenses/{identifier}/file", tag = "licenses", params(("identifier" = String, Path)),
    responses((status = 200, description = "the licence file: an A4 PDF with the template's fields, the issuer, the identifier and the QR code (the file whose SM3 the licence's signature covers)", body = crate::http::files::FileBytes, content_type = "application/pdf"), (status = 404, description = "no licence of which the signed-in account is the holder or the issuing department's staff has this identifier", body = ErrorBody), (status = 422, description = "a malformed identifier; the detail names the part", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)), security(("bearer" = [])))]
pub async fn license_file(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiPath(identifier): ApiPath<String>,
) -> WebResult<Response> {
    file_download(&st, &ra, &identifier).await
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LicenseChanged)]
pub struct Changed {
    /// The version current after the change (the new one after 换发 or 变更).
    pub identifier: String,
}

#[utoipa::path(post, path = "/licenses/{identifier}/changes", tag = "licenses", params(("identifier" = String, Path)), request_body = ChangeInput,
    responses((status = 200, body = Changed), (status = 409, description = "the licence's status does not allow the change (`license_wrong_status`), or a 吊销's decision number was used by the department already, here or for a decision flowing back (`decision_no_taken`)", body = ErrorBody), (status = 422, description = "a malformed identifier, or a reason or decision number missing (a decision number over 100 characters: `decision_no_too_long`)", body = ErrorBody), (status = 400, description = "a bad parameter or body, or an unknown action", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody)), security(("bearer" = [])))]
pub async fn change_license(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiPath(identifier): ApiPath<String>,
    body: LateJson<ChangeInput>,
) -> WebResult<Json<Changed>> {
    let c = ctx(&st, &ra);
    licenses::status::authorize(&c, &identifier).await?;
    Ok(Json(Changed { identifier: licenses::status::change(&c, &identifier, &body.parse()?).await? }))
}

#[utoipa::path(get, path = "/cases/{case_id}/license", tag = "licenses", params(("case_id" = i64, Path)),
    responses((status = 200, description = "the issuance job (and why it waits) and the licences issued", body = CaseLicense), (status = 404, description = "not found", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn case_license(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiPath(case_id): ApiPath<i64>,
) -> WebResult<Json<CaseLicense>> {
    Ok(Json(licenses::verify::of_case(&ctx(&st, &ra), case_id).await?))
}

#[utoipa::path(get, path = "/admin/license-types", tag = "licenses",
    responses((status = 200, description = "every licence type (证照目录)", body = [TypeRow]), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_types(State(st): State<AppState>, Signed(_s, ra): Signed) -> WebResult<Json<Vec<TypeRow>>> {
    Ok(Json(licenses::types::list(&ctx(&st, &ra)).await?))
}

#[utoipa::path(post, path = "/admin/license-types", tag = "licenses", request_body = TypeInput,
    responses((status = 201, body = TypeRow), (status = 409, description = "the code is taken, or an item already has a licence type", body = ErrorBody), (status = 422, description = "invalid input (the detail names the field)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_type(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    body: LateJson<TypeInput>,
) -> WebResult<(StatusCode, Json<TypeRow>)> {
    let c = ctx(&st, &ra);
    licenses::authorize_manager(&c)?;
    Ok((StatusCode::CREATED, Json(licenses::types::create(&c, &body.parse()?).await?)))
}

#[utoipa::path(put, path = "/admin/license-types/{id}", tag = "licenses", params(("id" = i64, Path)), request_body = TypeInput,
    responses((status = 200, body = TypeRow), (status = 409, description = "the code is taken, or an item already has a licence type", body = ErrorBody), (status = 422, description = "invalid input (the detail names the field)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_type(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<TypeInput>,
) -> WebResult<Json<TypeRow>> {
    let c = ctx(&st, &ra);
    licenses::authorize_manager(&c)?;
    Ok(Json(licenses::types::update(&c, id, &body.parse()?).await?))
}

#[utoipa::path(get, path = "/admin/license-keys", tag = "licenses",
    responses((status = 200, description = "every department's signing keys, current and retired (public keys only)", body = [KeyView]), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_keys(State(st): State<AppState>, Signed(_s, ra): Signed) -> WebResult<Json<Vec<KeyView>>> {
    Ok(Json(licenses::list_keys(&ctx(&st, &ra)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = LicenseKeyInput)]
pub struct KeyInput {
    /// The issuing department.
    pub department_id: i64,
}

#[utoipa::path(post, path = "/admin/license-keys", tag = "licenses", request_body = KeyInput,
    responses((status = 201, description = "the department's new key (its previous one retired and kept for verification); licences waiting for it are issued", body = KeyView), (status = 422, description = "the department's credit code is invalid", body = ErrorBody), (status = 503, description = "no master key is configured", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 404, description = "no such department", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_key(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    body: LateJson<KeyInput>,
) -> WebResult<(StatusCode, Json<KeyView>)> {
    let c = ctx(&st, &ra);
    licenses::authorize_manager(&c)?;
    Ok((StatusCode::CREATED, Json(licenses::generate_key(&c, body.parse()?.department_id).await?)))
}

#[utoipa::path(get, path = "/me/licenses", tag = "licenses",
    responses((status = 200, description = "证照夹: the signed-in holder's licences, newest first, each with its status today and the links to its verification and its 用证 log", body = [HeldLicense]), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn my_licenses(State(st): State<AppState>, Signed(_s, ra): Signed) -> WebResult<Json<Vec<HeldLicense>>> {
    Ok(Json(licenses::holder::mine(&ctx(&st, &ra)).await?))
}

#[utoipa::path(get, path = "/me/licenses/{identifier}/uses", tag = "licenses", params(("identifier" = String, Path)),
    responses((status = 200, description = "the licence's 用证 log (谁用了我的证), newest first; its holder's alone", body = UseLog), (status = 404, description = "no licence of the signed-in holder has this identifier", body = ErrorBody), (status = 422, description = "a malformed identifier; the detail names the part", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn my_license_uses(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiPath(identifier): ApiPath<String>,
) -> WebResult<Json<UseLog>> {
    Ok(Json(licenses::holder::uses(&ctx(&st, &ra), &identifier).await?))
}

/// Reads the `file` of a multipart form and its `confirm` field.
pub(super) async fn import_upload(
    st: &AppState,
    multipart: LateMultipart,
) -> Result<(String, Vec<u8>, Option<String>), (StatusCode, Json<ImportReport>)> {
    let bad = |status: StatusCode, code: &str, message: String| {
        (status, Json(ImportReport { code: code.into(), message, errors: vec![], warnings: vec![], sm3: None }))
    };
    let multipart = multipart.open().map_err(|e| bad(e.status(), e.code(), e.message()))?;
    let mut form = MultipartForm::read(multipart, st.config.max_upload_bytes)
        .await
        .map_err(|e| bad(e.status(), e.code(), e.message()))?;
    let confirm = form.fields.remove("confirm").filter(|c| !c.trim().is_empty());
    form.files
        .into_iter()
        .find(|f| f.0 == "file" && !f.2.is_empty())
        .map(|(_, name, bytes)| (name, bytes, confirm))
        .ok_or_else(|| bad(StatusCode::BAD_REQUEST, "bad_request", "请选择要导入的文件".into()))
}

/// The refusal of a caller who may not import at all, decided before the
/// upload is read (none for a system administrator).
pub(super) fn import_refusal(st: &AppState, ra: &RequestAuth) -> Option<(StatusCode, Json<ImportReport>)> {
    let e = licenses::authorize_manager(&ctx(st, ra)).err()?;
    let r = ImportReport::of(e);
    Some((import_status(&r), Json(r)))
}

/// The status of a refused import.
pub(super) fn import_status(r: &ImportReport) -> StatusCode {
    match r.code.as_str() {
        "forbidden" | "missing_role" | "staff_only" => StatusCode::FORBIDDEN,
        "login_required" => StatusCode::UNAUTHORIZED,
        "not_found" => StatusCode::NOT_FOUND,
        "license_import_rejected" => StatusCode::UNPROCESSABLE_ENTITY,
        "license_import_unconfirmed" => StatusCode::CONFLICT,
        "master_key_missing" | "master_key_wrong" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An import file with the columns of up_lic_data, and the confirmation.
#[derive(ToSchema)]
#[schema(as = LicenseImportUpload)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// .xlsx, .csv or .json (an array of records, or `{"up_lic_data": [...]}`).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The file's SM3 from the preview: imports its rows whose check
    /// character does not match too. Holds for that exact file only.
    confirm: Option<String>,
}

#[utoipa::path(post, path = "/admin/licenses/import/preview", tag = "licenses",
    request_body(content = crate::http::files::FileUpload, description = "the file (.xlsx, .csv or .json with the columns of up_lic_data)", content_type = "multipart/form-data"),
    responses((status = 200, description = "nothing stored: the file's SM3, its rows, and the rows whose check character does not match (warnings to confirm)", body = Preview), (status = 422, description = "license_import_rejected: every bad cell (row, column, code, why in Chinese)", body = ImportReport), (status = 400, description = "no file, or not a multipart form", body = ErrorBody), (status = 413, description = "the file is larger than the upload limit", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn import_preview(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    multipart: LateMultipart,
) -> Result<Json<Preview>, (StatusCode, Json<ImportReport>)> {
    if let Some(refused) = import_refusal(&st, &ra) {
        return Err(refused);
    }
    let (name, bytes, _) = import_upload(&st, multipart).await?;
    licenses::import::preview(&ctx(&st, &ra), &name, &bytes).await.map(Json).map_err(|r| (import_status(&r), Json(r)))
}

#[utoipa::path(post, path = "/admin/licenses/import", tag = "licenses",
    request_body(content = ImportUpload, description = "the file and, when its preview warned, `confirm` = its SM3", content_type = "multipart/form-data"),
    responses((status = 201, description = "every licence of the file stored, each signed by its issuing department's key as imported (origin imported)", body = Imported), (status = 409, description = "license_import_unconfirmed: rows whose check character does not match, not confirmed for this file (the warnings and the file's SM3); nothing stored", body = ImportReport), (status = 422, description = "license_import_rejected: every bad cell; nothing stored", body = ImportReport), (status = 400, description = "no file, or not a multipart form", body = ErrorBody), (status = 413, description = "the file is larger than the upload limit", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody), (status = 503, description = "no master key is configured to open the issuing departments' keys", body = ErrorBody)), security(("bearer" = [])))]
pub async fn import(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    multipart: LateMultipart,
) -> Result<(StatusCode, Json<Imported>), (StatusCode, Json<ImportReport>)> {
    if let Some(refused) = import_refusal(&st, &ra) {
        return Err(refused);
    }
    let (name, bytes, confirm) = import_upload(&st, multipart).await?;
    match licenses::import::import(&ctx(&st, &ra), &name, &bytes, confirm.as_deref()).await {
        Ok(n) => Ok((StatusCode::CREATED, Json(n))),
        Err(r) => Err((import_status(&r), Json(r))),
    }
}

#[utoipa::path(get, path = "/licenses", tag = "licenses", params(ListQuery),
    responses((status = 200, description = "the licences the signed-in staff member's department issued (every department's for the supervision bureau and the global administrators), newest first, 20 a page; a person's name and number masked", body = ListPage), (status = 422, description = "a bad filter (the detail names it: type_id, status, from, to, page, holder)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not staff (staff_only), or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn staff_list(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<ListPage>> {
    Ok(Json(licenses::staff::list(&ctx(&st, &ra), &q).await?))
}

#[utoipa::path(get, path = "/licenses/{identifier}", tag = "licenses", params(("identifier" = String, Path)),
    responses((status = 200, description = "a licence version for its issuing department's staff (and the overseers, read only): its holder, its history, its 用证 records (when, why, which department; not which visitor) and the changes the reader may take now", body = Detail), (status = 404, description = "no licence of the reader's department (or none at all) has this identifier", body = ErrorBody), (status = 422, description = "a malformed identifier; the detail names the part", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn staff_detail(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiPath(identifier): ApiPath<String>,
) -> WebResult<Json<Detail>> {
    Ok(Json(licenses::staff::detail(&ctx(&st, &ra), &identifier).await?))
}

/// The licences endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(verification))
        .register(routes!(staff_list))
        .register(routes!(staff_detail))
        .register(routes!(qr_check))
        .register(routes!(license_file))
        .register(routes!(change_license))
        .register(routes!(case_license))
        .register(routes!(list_types, create_type))
        .register(routes!(update_type))
        .register(routes!(list_keys, create_key))
        .register(routes!(my_licenses))
        .register(routes!(my_license_uses))
        .register(routes!(import_preview))
        .register(routes!(import))
}
