//! Staff certificates (数字证书) over HTTP: the sign-in by a signed
//! challenge, the holder's certificates and reports, the centre's
//! registration; their API and pages.

use super::pages::gate_page;
use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use minijinja::{context, Value};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::accounts::certificates::{self as certs, CertificateView, ChallengeView, RegisterInput, ReportInput};
use zwfw_app::accounts::sessions::{Gate, SessionCtx};
use zwfw_domain::certificates::Report;

// ---------- API ----------

/// Issues a single-use challenge (valid 2 minutes) for a session waiting
/// for its second factor, to be signed with the account's certificate.
#[utoipa::path(post, path = "/auth/certificate/challenge", tag = "auth",
    responses((status = 200, body = ChallengeView), (status = 409, description = "the session does not wait for a second factor (`second_factor_not_pending`), or the account has no usable certificate (`no_certificate`)", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn challenge(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> WebResult<Json<ChallengeView>> {
    if s.gate != Gate::SecondFactor {
        return Err(WebError::new(Kind::Conflict, "second_factor_not_pending"));
    }
    Ok(Json(certs::challenge(&ctx(&st, &ra), &s).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SignatureRequest {
    /// The challenge as issued (`zwfw-sign-in:…`).
    pub challenge: String,
    /// The SM2 signature of the challenge's UTF-8 bytes (SM3, ID
    /// 1234567812345678): DER or r‖s, in base64 or hex.
    pub signature: String,
}

/// Completes the sign-in with the challenge's signature, instead of a TOTP code.
#[utoipa::path(post, path = "/auth/certificate", tag = "auth", request_body = SignatureRequest,
    responses((status = 200, body = super::api::NextStep), (status = 422, description = "a wrong signature, an unknown or expired challenge (`invalid_certificate_signature`, `challenge_unknown`, `challenge_expired`)", body = ErrorBody), (status = 409, description = "the challenge was answered already (`challenge_used`), or the session does not wait for a second factor (`second_factor_not_pending`)", body = ErrorBody), (status = 403, description = "the certificate was reported or has expired since (`certificate_unusable`)", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn sign_in(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    body: LateJson<SignatureRequest>,
) -> WebResult<Json<super::api::NextStep>> {
    if s.gate != Gate::SecondFactor {
        return Err(WebError::new(Kind::Conflict, "second_factor_not_pending"));
    }
    let req = body.parse()?;
    certs::sign_in(&ctx(&st, &ra), &s, &req.challenge, &req.signature).await?;
    Ok(Json(super::api::NextStep { next_step: super::api::next_after_second_factor(&st, s.user.id).await?.into() }))
}

/// The caller's own certificates.
#[utoipa::path(get, path = "/me/certificates", tag = "account",
    responses((status = 200, body = [CertificateView]), (status = 403, description = "not staff (`staff_only`), or the session must first change its password", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn mine(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<Vec<CertificateView>>> {
    Ok(Json(certs::mine(&ctx(&st, &ra)).await?))
}

/// A staff member's certificates: for who reads the account.
#[utoipa::path(get, path = "/staff/{id}/certificates", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = [CertificateView]), (status = 404, description = "no such staff member, or one the caller may not see", body = ErrorBody), (status = 400, description = "a bad parameter", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Json<Vec<CertificateView>>> {
    Ok(Json(certs::list_for(&ctx(&st, &ra), id).await?))
}

/// Registers a staff member's SM2 certificate (the service centre or the
/// system administrator): valid now, naming the person (subject CN = the
/// account's name), issued by the configured CA if one is set, registered
/// for nobody yet. Re-issue: register the new one with `replaces`.
#[utoipa::path(post, path = "/staff/{id}/certificates", tag = "accounts", params(("id" = i64, Path)), request_body = RegisterInput,
    responses((status = 201, body = CertificateView), (status = 403, description = "may not register it (`missing_role`, `role_grant_forbidden`, `own_account`, `not_in_department`)", body = ErrorBody), (status = 404, description = "no such staff member", body = ErrorBody), (status = 409, description = "registered already (`certificate_registered`)", body = ErrorBody), (status = 422, description = "refused: `certificate_unreadable`, `certificate_not_sm2`, `certificate_other_person`, `certificate_expired`, `certificate_not_yet_valid`, `certificate_not_from_ca`, `certificate_replaces_other`, `certificate_replaces_usable`, `reason_required`", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn register(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<RegisterInput>,
) -> WebResult<(StatusCode, Json<CertificateView>)> {
    let c = ctx(&st, &ra);
    certs::may_register(&c, id).await?;
    let input = body.parse()?;
    let bytes = certs::certificate_bytes(&input.certificate)?;
    Ok((StatusCode::CREATED, Json(certs::register(&c, id, &bytes, &input.reason, input.replaces).await?)))
}

/// Reports a certificate lost, locked or revoked (the holder, or who
/// administers the account): blocked at once, the centre told.
#[utoipa::path(post, path = "/certificates/{id}/report", tag = "accounts", params(("id" = i64, Path)), request_body = ReportInput,
    responses((status = 200, body = CertificateView), (status = 403, description = "may not report it", body = ErrorBody), (status = 404, description = "no such certificate, or one the caller may not see", body = ErrorBody), (status = 409, description = "reported already (`certificate_reported`)", body = ErrorBody), (status = 422, description = "`bad_certificate_report`, `reason_required`", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn report(
    SignedIn { st, s, ra }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ReportInput>,
) -> WebResult<Json<CertificateView>> {
    let c = ctx(&st, &ra);
    certs::may_report(&c, id).await?;
    let input = body.parse()?;
    Ok(Json(certs::report(&c, id, &input, Some(s.session.id)).await?))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(challenge))
        .register(routes!(sign_in))
        .register(routes!(mine))
        .register(routes!(list, register))
        .register(routes!(report))
}

// ---------- pages ----------

/// The sign-in page's content security policy: the platform's own, with
/// the local signing service's origin allowed for the script's request.
fn csp_with(signing_service: &str) -> Option<HeaderValue> {
    let origin = signing_service.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    let ok = (origin.starts_with("http://") || origin.starts_with("https://"))
        && origin.chars().all(|c| c.is_ascii_alphanumeric() || ":/.-[]".contains(c));
    let connect = if ok { format!("'self' {origin}") } else { "'self'".into() };
    HeaderValue::from_str(&format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src {connect}; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ))
    .ok()
}

async fn sign_in_view(st: &AppState, s: &SessionCtx, ra: &RequestAuth, err: Option<&zwfw_app::AppError>) -> Response {
    let c = ctx(st, ra);
    let ch = match certs::challenge(&c, s).await {
        Ok(ch) => ch,
        Err(e) if s.user.totp_enabled => {
            // No usable certificate: back to the code, with the reason.
            let r = render(st, ra, "totp_login.html", context! { error => e.message(), certificate => false });
            return with_status(r, e.status());
        }
        // No usable certificate any more (reported meanwhile): why the answer failed, or why none.
        Err(e) => return error_page(st, Some(ra), err.unwrap_or(&e)),
    };
    let mut r = render(
        st,
        ra,
        "cert_login.html",
        context! { ch => Value::from_serialize(&ch), totp => s.user.totp_enabled, error => err.map(|e| e.message()) },
    );
    if let Some(e) = err {
        *r.status_mut() = e.status();
    }
    if let Some(v) = csp_with(&ch.signing_service) {
        r.headers_mut().insert(header::HeaderName::from_static("content-security-policy"), v);
    }
    r
}

/// 证书登录: a new challenge, signed through the local signing service by
/// the page's script, or pasted from the software signer.
pub async fn sign_in_page(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> Response {
    if s.gate != Gate::SecondFactor {
        return see_other(gate_page(s.gate));
    }
    sign_in_view(&st, &s, &ra, None).await
}

#[derive(Deserialize)]
pub struct SignatureForm {
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    signature: String,
}

pub async fn sign_in_submit(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    form: LateForm<SignatureForm>,
) -> Response {
    if s.gate != Gate::SecondFactor {
        return see_other(gate_page(s.gate));
    }
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match certs::sign_in(&ctx(&st, &ra), &s, &f.challenge, &f.signature).await {
        Ok(()) => see_other("/"),
        // Locked by the failures: the session has ended.
        Err(_) if zwfw_store::auth::get_session(&st.store, s.session.id).await.is_ok_and(|x| x.ended_at.is_some()) => {
            with_cookie(see_other("/login"), &crate::http::auth::clear_session_cookie())
        }
        Err(e) => sign_in_view(&st, &s, &ra, Some(&e)).await,
    }
}

fn reports() -> Vec<Value> {
    Report::ALL
        .iter()
        .filter(|r| r.by_people())
        .map(|r| context! { code => r.code(), label => zwfw_app::messages::label("certificate_report", r.code()) })
        .collect()
}

/// The holder's certificates on the own account page.
pub async fn own_certificates(st: &AppState, ra: &RequestAuth, s: &SessionCtx) -> Vec<CertificateView> {
    if !s.actor.is_staff() {
        return vec![];
    }
    certs::mine(&ctx(st, ra)).await.unwrap_or_default()
}

/// The report choices, for the pages that show report forms.
pub fn report_choices() -> Vec<Value> {
    reports()
}

#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct RegisterForm {
    #[serde(default)]
    certificate: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    replaces: String,
}

async fn admin_view(
    st: &AppState,
    ra: &RequestAuth,
    user_id: i64,
    form: &RegisterForm,
    flash: Option<&str>,
    error: Option<&WebError>,
) -> Response {
    let c = ctx(st, ra);
    let u = match zwfw_app::accounts::visible_staff(&c, user_id).await {
        Ok(u) => u,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let list = match certs::list_for(&c, user_id).await {
        Ok(l) => l,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let (may_register, register_refusal) = match certs::may_register(&c, user_id).await {
        Ok(_) => (true, None),
        Err(e) => (false, Some(e.message())),
    };
    let r = render(
        st,
        ra,
        "cert_admin.html",
        context! {
            u => context! { id => u.id, username => u.username, display_name => u.display_name },
            certs => Value::from_serialize(&list), may_register => may_register, register_refusal => register_refusal, reports => reports(),
            f => Value::from_serialize(form), flash => flash, error => error.map(|e| e.message()),
            ca_configured => st.config.certificates.ca.is_some(),
        },
    );
    match error {
        Some(e) => with_status(r, e.status()),
        None => r,
    }
}

/// 数字证书 of a staff member: the list with reports, and the centre's form to register one.
pub async fn admin_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(d): PageQuery<DoneQuery>,
) -> Response {
    let flash = match d.done.as_deref() {
        Some("registered") => Some("证书已登记，本人已收到站内消息。"),
        Some("certificate_reported") => Some("已报告，该证书已停止用于登录，政务服务中心已收到通知。"),
        _ => None,
    };
    admin_view(&st, &ra, id, &RegisterForm::default(), flash, None).await
}

/// Registers the uploaded (or pasted) certificate: who may is decided
/// before the form is read; a refusal shows the page with the reason.
pub async fn register_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    mp: LateMultipart,
) -> Response {
    let c = ctx(&st, &ra);
    if let Err(e) = certs::may_register(&c, id).await {
        return error_page(&st, Some(&ra), &e);
    }
    let mut form = RegisterForm::default();
    let outcome = async {
        let f = MultipartForm::read(mp.open()?, st.config.max_upload_bytes).await?;
        form = RegisterForm { certificate: f.get("certificate"), reason: f.get("reason"), replaces: f.get("replaces") };
        let replaces = match form.replaces.trim() {
            "" => None,
            r => Some(r.parse::<i64>().map_err(|_| WebError::invalid("replaces"))?),
        };
        let bytes = match f.files.iter().find(|(field, _, b)| field == "file" && !b.is_empty()) {
            Some((_, _, b)) => b.clone(),
            None if !form.certificate.trim().is_empty() => certs::certificate_bytes(&form.certificate)?,
            None => return Err(WebError::new(Kind::Invalid, "certificate_unreadable")),
        };
        certs::register(&c, id, &bytes, &form.reason, replaces).await?;
        Ok::<_, WebError>(())
    }
    .await;
    match outcome {
        Ok(()) => see_other(&format!("/admin/users/{id}/certificates?done=registered")),
        Err(e) => admin_view(&st, &ra, id, &form, None, Some(&e)).await,
    }
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    state: String,
    #[serde(default)]
    reason: String,
}

/// Reports a certificate from the holder's account page or the centre's
/// page; back to the page it came from.
pub async fn report_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<ReportForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let (row, _) = match certs::may_report(&c, id).await {
        Ok(x) => x,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let own = row.user_id == s.user.id;
    let outcome = async {
        let f = form.parse()?;
        certs::report(&c, id, &ReportInput { state: f.state, reason: f.reason }, Some(s.session.id)).await?;
        Ok::<_, WebError>(())
    }
    .await;
    match (outcome, own) {
        (Ok(()), true) => see_other("/account?done=certificate_reported#certificates"),
        (Ok(()), false) => see_other(&format!("/admin/users/{}/certificates?done=certificate_reported", row.user_id)),
        (Err(e), false) => admin_view(&st, &ra, row.user_id, &RegisterForm::default(), None, Some(&e)).await,
        (Err(e), true) => error_page(&st, Some(&ra), &e),
    }
}
