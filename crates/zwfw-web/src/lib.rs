//! The HTTP layer of zwfw: JSON API under `/api/v1` (OpenAPI at
//! `/api/openapi.json`, Swagger UI at `/api/docs`), server-rendered pages in
//! Simplified Chinese, authentication, CSRF, security headers, health and metrics.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod backfill;
pub mod backup;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod credit;
pub mod demo;
pub mod evaluation;
pub mod exchange;
pub mod faults;
pub mod governance;
pub mod handover;
pub mod http;
pub mod interaction;
pub mod licenses;
pub mod notices;
pub mod orgs;
pub mod outbox;
pub mod portal;
pub mod rating;
pub mod registry;
pub mod supervision;

use axum::extract::Request;
use axum::extract::State;
use axum::http::header;
use axum::http::HeaderName;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::middleware;
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use axum::routing::post;
use axum::Router;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use tower_http::request_id::MakeRequestId;
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::request_id::RequestId;
use tower_http::request_id::SetRequestIdLayer;
use tower_http::trace::TraceLayer;

pub use http::state::AppState;
pub use http::state::WebConfig;
use zwfw_app::metrics;
pub use zwfw_app::Clock;
pub use zwfw_app::Ctx;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Default)]
struct RequestIds(std::sync::Arc<AtomicU64>);

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:08x}-{n:x}", rand::random::<u32>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

async fn security_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    metrics::Metrics::inc(&st.metrics.requests);
    let mut resp = next.run(req).await;
    let s = resp.status();
    if s.is_client_error() {
        metrics::Metrics::inc(&st.metrics.responses_4xx);
    } else if s.is_server_error() {
        metrics::Metrics::inc(&st.metrics.responses_5xx);
    }
    let h = resp.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    // A page that set its own policy (the certificate sign-in page allows
    // its local signing service) keeps it.
    if !docs && !h.contains_key("content-security-policy") {
        h.insert(
            "content-security-policy",
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            ),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers and the search index is current: 200
/// `{"status": "ready", "search": {…}}`; 503 with `"status": "database_unreachable"`
/// or `"search_behind"` (the index is then rebuilt at once) otherwise.
async fn readyz(State(st): State<AppState>) -> Response {
    let unavailable = |status: &str, detail: serde_json::Value| {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": status, "detail": detail})))
            .into_response()
    };
    if let Err(e) = st.store.ping().await {
        return unavailable("database_unreachable", e.to_string().into());
    }
    match zwfw_app::catalog::search::status(&st).await {
        Ok(search) if search.current => {
            (StatusCode::OK, axum::Json(serde_json::json!({"status": "ready", "search": search}))).into_response()
        }
        Ok(search) => {
            zwfw_app::catalog::search::refresh_soon(&st);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "search_behind", "search": search})),
            )
                .into_response()
        }
        Err(e) => unavailable("database_unreachable", e.message().into()),
    }
}

async fn metrics_text(State(st): State<AppState>) -> Response {
    let up = st.store.ping().await.is_ok();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], st.metrics.render(up, st.started_ms, st.now_ms()))
        .into_response()
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../assets/app.css"),
    )
        .into_response()
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = crate::api::router();
    let pages = Router::new()
        .route("/", get(crate::portal::pages::home))
        .route("/login", get(crate::accounts::pages::login_page).post(crate::accounts::pages::login_submit))
        .route(
            "/login/totp",
            get(crate::accounts::pages::totp_login_page).post(crate::accounts::pages::totp_login_submit),
        )
        .route(
            "/login/certificate",
            get(crate::accounts::certificates::sign_in_page).post(crate::accounts::certificates::sign_in_submit),
        )
        .route("/logout", post(crate::accounts::pages::logout))
        .route("/register", get(crate::accounts::pages::register_page).post(crate::accounts::pages::register_submit))
        .route("/prefs/large", post(crate::portal::pages::toggle_large))
        .route("/account", get(crate::accounts::pages::account_page))
        .route(
            "/account/password",
            get(crate::accounts::pages::password_page).post(crate::accounts::pages::password_submit),
        )
        .route(
            "/account/totp",
            get(crate::accounts::pages::totp_enroll_page).post(crate::accounts::pages::totp_enroll_submit),
        )
        .route("/account/sessions/{id}/end", post(crate::accounts::pages::end_session_submit))
        .route("/account/email", post(crate::accounts::pages::email_submit))
        .route("/admin/regions", get(crate::orgs::pages::regions_page).post(crate::orgs::pages::regions_submit))
        .route("/admin/regions/{id}/rename", post(crate::orgs::pages::region_rename))
        .route(
            "/admin/departments",
            get(crate::orgs::pages::departments_page).post(crate::orgs::pages::department_create),
        )
        .route("/admin/departments/new", get(crate::orgs::pages::department_new_page))
        .route(
            "/admin/departments/{id}",
            get(crate::orgs::pages::department_edit_page).post(crate::orgs::pages::department_update),
        )
        .route("/admin/users", get(crate::accounts::pages::users_page).post(crate::accounts::pages::user_create))
        .route("/admin/users/new", get(crate::accounts::pages::user_new_page))
        .route("/admin/users/{id}", get(crate::accounts::pages::user_page).post(crate::accounts::pages::user_update))
        .route("/admin/users/{id}/reset-password", post(crate::accounts::pages::user_reset_password))
        .route("/admin/users/{id}/active", post(crate::accounts::pages::user_set_active))
        .route(
            "/admin/users/{id}/certificates",
            get(crate::accounts::certificates::admin_page).post(crate::accounts::certificates::register_submit),
        )
        .route("/certificates/{id}/report", post(crate::accounts::certificates::report_submit))
        .route("/admin/audit", get(crate::audit::pages::audit_page))
        .route("/admin/audit.csv", get(crate::audit::pages::audit_csv))
        .route("/admin/clock", post(crate::demo::pages::clock_submit))
        .route("/portal", get(crate::portal::pages::portal_page))
        .route("/verify", get(crate::licenses::pages::verify_start_page))
        .route("/verify/{identifier}", get(crate::licenses::pages::verify_page))
        .route("/work/licenses", get(crate::licenses::work::list_page))
        .route("/work/licenses/{identifier}", get(crate::licenses::work::detail_page))
        .route("/work/licenses/{identifier}/change", post(crate::licenses::work::change_submit))
        .route("/my/licenses", get(crate::licenses::pages::my_licenses_page))
        .route("/my/licenses/{identifier}", get(crate::licenses::pages::my_license_uses_page))
        .route("/licenses/{identifier}/file", get(crate::licenses::pages::file_page))
        .route("/admin/licenses", get(crate::licenses::pages::admin_page))
        .route("/admin/licenses/types", post(crate::licenses::pages::create_type_submit))
        .route(
            "/admin/licenses/types/{id}",
            get(crate::licenses::pages::edit_type_page).post(crate::licenses::pages::edit_type_submit),
        )
        .route("/admin/licenses/keys", post(crate::licenses::pages::create_key_submit))
        .route(
            "/admin/licenses/import",
            get(crate::licenses::pages::import_page).post(crate::licenses::pages::import_confirm_submit),
        )
        .route("/admin/licenses/import/preview", post(crate::licenses::pages::import_preview_submit))
        .route("/governance/requests", get(crate::governance::pages::list_page).post(crate::governance::pages::submit))
        .route("/governance/requests/new", get(crate::governance::pages::new_page))
        .route("/governance/requests/{id}", get(crate::governance::pages::detail_page))
        .route("/governance/requests/{id}/answer", post(crate::governance::pages::answer_submit))
        .route("/governance/requests/{id}/complete", post(crate::governance::pages::complete_submit))
        .route("/governance/requests/{id}/reply.pdf", get(crate::governance::pages::reply))
        .route("/governance/requests/{id}/files/{sm3}", get(crate::governance::pages::file))
        .route(
            "/governance/deletions",
            get(crate::governance::deletions::list_page).post(crate::governance::deletions::ask_submit),
        )
        .route("/governance/deletions/new", get(crate::governance::deletions::new_page))
        .route("/governance/deletions/archive", get(crate::governance::deletions::archive_page))
        .route("/governance/deletions/{id}", get(crate::governance::deletions::detail_page))
        .route("/governance/deletions/{id}/consent", post(crate::governance::deletions::consent_submit))
        .route("/governance/deletions/{id}/perform", post(crate::governance::deletions::perform_submit))
        .route("/governance/deletions/{id}/withdraw", post(crate::governance::deletions::withdraw_submit))
        .route(
            "/governance/rights",
            get(crate::governance::rights::list_page).post(crate::governance::rights::ask_submit),
        )
        .route("/governance/rights/new", get(crate::governance::rights::new_page))
        .route("/governance/rights/{id}", get(crate::governance::rights::detail_page))
        .route("/governance/rights/{id}/decide", post(crate::governance::rights::decide_submit))
        .route("/governance/rights/{id}/apply", post(crate::governance::rights::apply_submit))
        .route("/governance/rights/{id}/withdraw", post(crate::governance::rights::withdraw_submit))
        .route(
            "/governance/corrections",
            get(crate::governance::corrections::list_page).post(crate::governance::corrections::ask_submit),
        )
        .route("/governance/corrections/new", get(crate::governance::corrections::new_page))
        .route("/governance/corrections/{id}", get(crate::governance::corrections::detail_page))
        .route("/governance/corrections/{id}/consent", post(crate::governance::corrections::consent_submit))
        .route("/governance/corrections/{id}/perform", post(crate::governance::corrections::perform_submit))
        .route("/governance/corrections/{id}/withdraw", post(crate::governance::corrections::withdraw_submit))
        .route("/governance/qualifications", get(crate::governance::qualifications::overview_page))
        .route(
            "/governance/qualifications/staff/{id}",
            get(crate::governance::qualifications::person_page).post(crate::governance::qualifications::record_submit),
        )
        .route("/backfill", get(crate::backfill::pages::list_page))
        .route("/backfill/new", get(crate::backfill::pages::new_page))
        .route("/backfill/items/{id}", post(crate::backfill::pages::new_submit))
        .route("/cases/{id}/backfill", get(crate::backfill::pages::case_page).post(crate::backfill::pages::case_submit))
        .route("/faults", get(crate::faults::pages::list_page))
        .route("/faults/new", get(crate::faults::pages::new_page).post(crate::faults::pages::new_submit))
        .route("/faults/{id}", get(crate::faults::pages::detail_page))
        .route("/faults/{id}/acknowledge", post(crate::faults::pages::acknowledge_submit))
        .route("/faults/{id}/cause", post(crate::faults::pages::cause_submit))
        .route("/faults/{id}/clear", post(crate::faults::pages::clear_submit))
        .route("/faults/{id}/paper-notice", post(crate::faults::pages::paper_notice_submit))
        .route("/faults/{id}/paper-notice/sent", post(crate::faults::pages::sent_submit))
        .route("/handover", get(crate::handover::pages::list_page))
        .route("/credit/licensing", get(crate::credit::pages::public_page))
        .route("/credit/licensing/export", get(crate::credit::pages::public_export))
        .route("/credit/licensing/manage", get(crate::credit::pages::manage_page))
        .route("/credit/licensing/cases/{case_id}/publish", post(crate::credit::pages::publish_submit))
        .route("/handover/{id}", get(crate::handover::pages::detail_page))
        .route("/handover/{id}/claim", post(crate::handover::pages::claim_submit))
        .route("/handover/{id}/sanctions", post(crate::handover::pages::sanction_submit))
        .route("/handover/{id}/files/{sm3}", get(crate::handover::pages::sanction_file))
        .route("/notices", get(crate::notices::pages::list_page))
        .route("/notices/{id}", get(crate::notices::pages::detail_page))
        .route("/notices/{id}/files/{sm3}", get(crate::notices::pages::file))
        .route("/admin/notices", get(crate::notices::pages::admin_page).post(crate::notices::pages::create_submit))
        .route("/admin/registry", get(crate::registry::pages::admin_page))
        .route("/admin/registry/import", post(crate::registry::pages::import_submit))
        .route("/work/registry", get(crate::registry::pages::lookup_page).post(crate::registry::pages::lookup_submit))
        .route("/admin/notices/new", get(crate::notices::pages::new_page))
        .route("/admin/notices/{id}", get(crate::notices::pages::edit_page).post(crate::notices::pages::update_submit))
        .route("/admin/notices/{id}/act", post(crate::notices::pages::act_submit))
        .route("/admin/notices/{id}/attachments", post(crate::notices::pages::attach_submit))
        .route("/admin/notices/{id}/attachments/{sm3}/remove", post(crate::notices::pages::detach_submit))
        .route("/calendar", get(crate::calendar::pages::public_page))
        .route("/guide", get(crate::catalog::pages::guide_page))
        .route("/guide/{id}", get(crate::catalog::pages::guide_item_page))
        .route("/apply/{id}", get(crate::cases::pages::apply_page).post(crate::cases::pages::apply_submit))
        .route("/cases", get(crate::cases::pages::cases_page))
        .route("/work/inbox", get(crate::cases::pages::inbox_page))
        .route("/cases/{id}", get(crate::cases::pages::case_page))
        .route("/cases/{id}/edit", get(crate::cases::apply::draft_page).post(crate::cases::apply::draft_submit))
        .route("/cases/{id}/act", post(crate::cases::pages::act_submit))
        .route("/cases/{id}/supplement", post(crate::cases::pages::supplement_submit))
        .route("/cases/{id}/originals", post(crate::cases::pages::original_submit))
        .route("/cases/{id}/originals/{oid}/return", post(crate::cases::pages::original_return_submit))
        .route("/cases/{id}/query-password", post(crate::cases::pages::query_password_submit))
        .route("/cases/{id}/documents/{doc}", get(crate::cases::pages::document_page))
        .route("/cases/{id}/materials/{mid}", get(crate::cases::pages::material_page))
        .route("/cases/{id}/materials/{mid}/unfulfilled", post(crate::cases::pages::commitment_unfulfilled_submit))
        .route("/track", get(crate::cases::pages::track_page).post(crate::cases::pages::track_submit))
        .route("/track/identity", post(crate::cases::pages::track_identity_submit))
        .route("/my/materials", get(crate::cases::pages::e_materials_page))
        .route("/interact", get(crate::interaction::pages::public_list))
        .route("/interact/new", get(crate::interaction::pages::new_page).post(crate::interaction::pages::new_submit))
        .route(
            "/interact/track",
            get(crate::interaction::pages::track_page).post(crate::interaction::pages::track_submit),
        )
        .route("/interact/{code}", get(crate::interaction::pages::detail_page))
        .route("/interact/{code}/act", post(crate::interaction::pages::act_submit))
        .route("/interact/{code}/finding", post(crate::interaction::pages::conduct_submit))
        .route("/interact/{code}/files/{sm3}", get(crate::interaction::pages::attachment))
        .route("/work/interactions", get(crate::interaction::pages::work_list))
        .route(
            "/work/interactions/handlers",
            get(crate::interaction::pages::handlers_page).post(crate::interaction::pages::handlers_submit),
        )
        .route("/admin/backups", get(crate::backup::pages::backups_page))
        .route("/admin/backups/now", post(crate::backup::pages::back_up_now))
        .route("/admin/backups/drill", post(crate::backup::pages::drill_now))
        .route("/admin/exchange", get(crate::exchange::pages::exchange_page))
        .route("/admin/exchange/packages", get(crate::exchange::packages::packages_page))
        .route("/admin/exchange/packages/import", post(crate::exchange::packages::import_submit))
        .route("/admin/exchange/packages/key", post(crate::exchange::packages::key_submit))
        .route("/admin/exchange/packages/export", post(crate::exchange::packages::export_submit))
        .route(
            "/admin/exchange/installations",
            get(crate::exchange::packages::installations_page).post(crate::exchange::packages::register_submit),
        )
        .route("/admin/exchange/poll", post(crate::exchange::pages::poll_submit))
        .route("/admin/exchange/rows/{id}", get(crate::exchange::pages::row_page))
        .route("/admin/exchange/rows/{id}/resend", post(crate::exchange::pages::resend_submit))
        .route("/admin/outbox", get(crate::outbox::pages::outbox_page))
        .route("/admin/outbox/{id}/retry", post(crate::outbox::pages::outbox_retry))
        .route("/my/messages", get(crate::outbox::pages::messages_page))
        .route("/my/messages/read", post(crate::outbox::pages::messages_read))
        .route("/my/messages/{id}/open", post(crate::outbox::pages::message_open))
        .route("/cases/{id}/rate", post(crate::rating::pages::rate_submit))
        .route("/cases/{id}/rating-qr", post(crate::rating::pages::qr_submit))
        .route("/rate/{token}", get(crate::rating::pages::rate_link_page).post(crate::rating::pages::rate_link_submit))
        .route("/work/ratings", get(crate::rating::pages::ratings_page))
        .route("/supervision", get(crate::supervision::pages::dashboard_page))
        .route("/supervision/evaluate", post(crate::supervision::pages::evaluate_submit))
        .route("/supervision/findings", get(crate::supervision::pages::findings_page))
        .route("/supervision/findings/{id}", get(crate::supervision::pages::finding_page))
        .route("/supervision/findings/{id}/act", post(crate::supervision::pages::finding_act_submit))
        .route("/supervision/findings/{id}/files/{sm3}", get(crate::supervision::pages::finding_file))
        .route(
            "/supervision/orders",
            get(crate::supervision::pages::orders_page).post(crate::supervision::pages::order_submit),
        )
        .route("/supervision/orders/{id}", get(crate::supervision::pages::order_page))
        .route("/supervision/orders/{id}/act", post(crate::supervision::pages::order_act_submit))
        .route("/supervision/orders/{id}/files/{sm3}", get(crate::supervision::pages::order_file))
        .route("/supervision/rules", get(crate::supervision::pages::rules_page))
        .route("/supervision/evaluation", get(crate::evaluation::pages::evaluation_page))
        .route("/supervision/evaluation/report", get(crate::evaluation::pages::report))
        .route("/supervision/evaluation/publish", post(crate::evaluation::pages::publish_submit))
        .route(
            "/supervision/evaluation/config",
            get(crate::evaluation::pages::config_page).post(crate::evaluation::pages::config_submit),
        )
        .route("/ranking", get(crate::evaluation::pages::ranking_page))
        .route("/supervision/rules/{code}", post(crate::supervision::pages::rule_submit))
        .route("/ratings/public", get(crate::rating::pages::public_ratings_page))
        .route("/ratings/{id}", get(crate::rating::pages::rating_page))
        .route("/ratings/{id}/act", post(crate::rating::pages::rating_act))
        .route("/guide/{id}/files/{sm3}", get(crate::catalog::pages::guide_file))
        .route("/admin/items/import-template.xlsx", get(crate::catalog::xlsx::template))
        .route("/admin/items/import", post(crate::catalog::xlsx::import_page))
        .route(
            "/admin/items/{id}/edit",
            get(crate::catalog::editor::edit_page).post(crate::catalog::editor::edit_submit),
        )
        .route("/admin/items/{id}/attachments", post(crate::catalog::editor::attach_page))
        .route("/guide/export.xlsx", get(crate::catalog::xlsx::export))
        .route("/admin/items", get(crate::catalog::pages::admin_items_page))
        .route(
            "/admin/items/{id}",
            get(crate::catalog::pages::admin_item_page).post(crate::catalog::pages::admin_item_submit),
        )
        .route("/admin/calendar", get(crate::calendar::pages::admin_page).post(crate::calendar::pages::admin_submit))
        .merge(api)
        .fallback(crate::portal::pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), crate::http::auth::session_layer));

    let docs = utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi);

    Router::new()
        .merge(pages)
        .merge(docs)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/assets/app.css", get(css))
        .route("/assets/echarts-5.6.0.min.js", get(crate::http::assets::echarts))
        .route("/assets/dashboard.js", get(crate::http::assets::dashboard_js))
        .route("/assets/certificate.js", get(crate::http::assets::certificate_js))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(crate::http::auth::DRAIN_MAX))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get(X_REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", request_id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, RequestIds::default()))
        .with_state(state)
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
