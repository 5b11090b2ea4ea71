//! The 人口库 / 法人库 API: the administrators' import and overview, the
//! counter's look-up, and a public user's own record (to prefill a form).

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::registry::{self, ImportReport, Imported, Overview, RecordView};

/// Reads the `file` of a multipart form: its name and bytes.
pub(super) async fn upload(
    st: &AppState,
    multipart: LateMultipart,
) -> Result<(String, Vec<u8>), (StatusCode, Json<ImportReport>)> {
    let bad = |status: StatusCode, code: &str, message: String| {
        (status, Json(ImportReport { code: code.into(), message, errors: vec![] }))
    };
    let multipart = multipart.open().map_err(|e| bad(e.status(), e.code(), e.message()))?;
    let form = MultipartForm::read(multipart, st.config.max_upload_bytes)
        .await
        .map_err(|e| bad(e.status(), e.code(), e.message()))?;
    form.files
        .into_iter()
        .find(|f| f.0 == "file" && !f.2.is_empty())
        .map(|(_, name, bytes)| (name, bytes))
        .ok_or_else(|| bad(StatusCode::BAD_REQUEST, "bad_request", "请选择要导入的文件".into()))
}

/// Import of an extract (multipart `file`: .xlsx, .csv or .json): 201 with
/// the counts, or 422 with every bad cell and nothing stored.
#[utoipa::path(post, path = "/registry/import", tag = "registry",
    request_body(content = crate::http::files::FileUpload, description = "the extract (.xlsx, .csv or .json)", content_type = "multipart/form-data"),
    responses((status = 201, description = "every record stored (added, replaced or unchanged)", body = Imported), (status = 422, description = "every bad cell; nothing stored", body = ImportReport), (status = 400, description = "no file, or not a multipart form", body = ErrorBody), (status = 413, description = "the file is larger than the upload limit", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn import(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    multipart: LateMultipart,
) -> Result<(StatusCode, Json<Imported>), (StatusCode, Json<ImportReport>)> {
    if let Some(r) = registry::import_refusal(&ctx(&st, &ra)) {
        return Err((report_status(&r), Json(r)));
    }
    let (name, bytes) = upload(&st, multipart).await?;
    match registry::import(&ctx(&st, &ra), &name, &bytes).await {
        Ok(n) => Ok((StatusCode::CREATED, Json(n))),
        Err(r) => Err((report_status(&r), Json(r))),
    }
}

/// The status of a refused import.
pub(super) fn report_status(r: &ImportReport) -> StatusCode {
    match r.code.as_str() {
        "forbidden" | "missing_role" | "staff_only" => StatusCode::FORBIDDEN,
        "login_required" => StatusCode::UNAUTHORIZED,
        "registry_import_rejected" => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[utoipa::path(get, path = "/registry", tag = "registry",
    responses((status = 200, description = "the counts and the latest records of each kind (numbers masked)", body = Overview), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a system administrator, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn overview(State(st): State<AppState>, Signed(_s, ra): Signed) -> WebResult<Json<Overview>> {
    Ok(Json(registry::overview(&ctx(&st, &ra)).await?))
}

/// A number to look up.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = RegistryLookupInput)]
pub struct LookupInput {
    /// person (人口库) | company (法人库)
    pub kind: String,
    /// 公民身份号码 or 统一社会信用代码.
    pub number: String,
}

#[utoipa::path(post, path = "/registry/lookup", tag = "registry", request_body = LookupInput,
    responses((status = 200, description = "the record: the local copy's, else the look-up service's (then kept)", body = RecordView), (status = 404, description = "registry_not_found: no record of the number", body = ErrorBody), (status = 422, description = "the number is not a valid 身份证号 / 统一社会信用代码", body = ErrorBody), (status = 503, description = "registry_lookup_failed: the look-up service did not answer in time (timeout), could not be reached (unreachable), answered an error (status) or broke the contract (answer)", body = ErrorBody), (status = 400, description = "a bad body or kind", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "counter staff and system administrators only, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn look_up(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    body: crate::http::extract::LateJson<LookupInput>,
) -> WebResult<Json<RecordView>> {
    let c = ctx(&st, &ra);
    registry::may_look_up(&c)?;
    let input = body.parse()?;
    Ok(Json(registry::look_up(&c, &input.kind, &input.number).await?))
}

#[utoipa::path(get, path = "/me/registry-record", tag = "registry",
    responses((status = 200, description = "the signed-in public user's own record, to prefill an application", body = RecordView), (status = 404, description = "registry_not_found: the registry has no record of the account's number", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn own_record(State(st): State<AppState>, Signed(_s, ra): Signed) -> WebResult<Json<RecordView>> {
    registry::own_record(&ctx(&st, &ra))
        .await?
        .map(Json)
        .ok_or_else(|| WebError::new(Kind::NotFound, "registry_not_found"))
}

/// The registry endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(import))
        .register(routes!(overview))
        .register(routes!(look_up))
        .register(routes!(own_record))
}
