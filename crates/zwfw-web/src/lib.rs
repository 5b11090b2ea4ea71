//! The HTTP layer of zwfw: JSON API under `/api/v1` (OpenAPI at
//! `/api/openapi.json`, Swagger UI at `/api/docs`), server-rendered pages in
//! Simplified Chinese, authentication, CSRF, security headers, health and metrics.

pub mod api;
pub mod auth;
pub mod calendar;
pub mod cases_api;
pub mod cases_pages;
pub mod catalog;
pub mod catalog_xlsx;
pub mod error;
pub mod evaluation_api;
pub mod evaluation_pages;
pub mod interaction_api;
pub mod interaction_pages;
pub mod pages;
pub mod proxies;
pub mod state;
pub mod supervision_api;
pub mod supervision_pages;
pub mod templates;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

pub use state::{AppState, WebConfig};
use zwfw_app::metrics;
pub use zwfw_app::{Clock, Ctx};

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
    if !docs {
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

async fn readyz(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database unreachable: {e}")).into_response(),
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
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/login/totp", get(pages::totp_login_page).post(pages::totp_login_submit))
        .route("/logout", post(pages::logout))
        .route("/register", get(pages::register_page).post(pages::register_submit))
        .route("/prefs/large", post(pages::toggle_large))
        .route("/account", get(pages::account_page))
        .route("/account/password", get(pages::password_page).post(pages::password_submit))
        .route("/account/totp", get(pages::totp_enroll_page).post(pages::totp_enroll_submit))
        .route("/account/sessions/{id}/end", post(pages::end_session_submit))
        .route("/admin/regions", get(pages::regions_page).post(pages::regions_submit))
        .route("/admin/regions/{id}/rename", post(pages::region_rename))
        .route("/admin/departments", get(pages::departments_page).post(pages::department_create))
        .route("/admin/departments/new", get(pages::department_new_page))
        .route("/admin/departments/{id}", get(pages::department_edit_page).post(pages::department_update))
        .route("/admin/users", get(pages::users_page).post(pages::user_create))
        .route("/admin/users/new", get(pages::user_new_page))
        .route("/admin/users/{id}", get(pages::user_page).post(pages::user_update))
        .route("/admin/users/{id}/reset-password", post(pages::user_reset_password))
        .route("/admin/users/{id}/active", post(pages::user_set_active))
        .route("/admin/audit", get(pages::audit_page))
        .route("/admin/audit.csv", get(pages::audit_csv))
        .route("/admin/clock", post(pages::clock_submit))
        .route("/calendar", get(calendar::public_page))
        .route("/guide", get(catalog::guide_page))
        .route("/guide/{id}", get(catalog::guide_item_page))
        .route("/apply/{id}", get(cases_pages::apply_page).post(cases_pages::apply_submit))
        .route("/cases", get(cases_pages::cases_page))
        .route("/work/inbox", get(cases_pages::inbox_page))
        .route("/cases/{id}", get(cases_pages::case_page))
        .route("/cases/{id}/act", post(cases_pages::act_submit))
        .route("/cases/{id}/supplement", post(cases_pages::supplement_submit))
        .route("/cases/{id}/originals", post(cases_pages::original_submit))
        .route("/cases/{id}/originals/{oid}/return", post(cases_pages::original_return_submit))
        .route("/cases/{id}/query-password", post(cases_pages::query_password_submit))
        .route("/cases/{id}/documents/{doc}", get(cases_pages::document_page))
        .route("/cases/{id}/materials/{mid}", get(cases_pages::material_page))
        .route("/track", get(cases_pages::track_page).post(cases_pages::track_submit))
        .route("/my/materials", get(cases_pages::e_materials_page))
        .route("/interact", get(interaction_pages::public_list))
        .route("/interact/new", get(interaction_pages::new_page).post(interaction_pages::new_submit))
        .route("/interact/track", get(interaction_pages::track_page).post(interaction_pages::track_submit))
        .route("/interact/{code}", get(interaction_pages::detail_page))
        .route("/interact/{code}/act", post(interaction_pages::act_submit))
        .route("/interact/{code}/finding", post(interaction_pages::conduct_submit))
        .route("/interact/{code}/files/{sm3}", get(interaction_pages::attachment))
        .route("/work/interactions", get(interaction_pages::work_list))
        .route(
            "/work/interactions/handlers",
            get(interaction_pages::handlers_page).post(interaction_pages::handlers_submit),
        )
        .route("/admin/outbox", get(interaction_pages::outbox_page))
        .route("/admin/outbox/{id}/retry", post(interaction_pages::outbox_retry))
        .route("/my/messages", get(interaction_pages::messages_page))
        .route("/my/messages/read", post(interaction_pages::messages_read))
        .route("/cases/{id}/rate", post(interaction_pages::rate_submit))
        .route("/cases/{id}/rating-qr", post(interaction_pages::qr_submit))
        .route("/rate/{token}", get(interaction_pages::rate_link_page).post(interaction_pages::rate_link_submit))
        .route("/work/ratings", get(interaction_pages::ratings_page))
        .route("/supervision", get(supervision_pages::dashboard_page))
        .route("/supervision/evaluate", post(supervision_pages::evaluate_submit))
        .route("/supervision/findings", get(supervision_pages::findings_page))
        .route("/supervision/findings/{id}", get(supervision_pages::finding_page))
        .route("/supervision/findings/{id}/act", post(supervision_pages::finding_act_submit))
        .route("/supervision/findings/{id}/files/{sm3}", get(supervision_pages::finding_file))
        .route("/supervision/orders", get(supervision_pages::orders_page).post(supervision_pages::order_submit))
        .route("/supervision/orders/{id}", get(supervision_pages::order_page))
        .route("/supervision/orders/{id}/act", post(supervision_pages::order_act_submit))
        .route("/supervision/orders/{id}/files/{sm3}", get(supervision_pages::order_file))
        .route("/supervision/rules", get(supervision_pages::rules_page))
        .route("/supervision/evaluation", get(evaluation_pages::evaluation_page))
        .route("/supervision/evaluation/report", get(evaluation_pages::report))
        .route("/supervision/evaluation/publish", post(evaluation_pages::publish_submit))
        .route(
            "/supervision/evaluation/config",
            get(evaluation_pages::config_page).post(evaluation_pages::config_submit),
        )
        .route("/ranking", get(evaluation_pages::ranking_page))
        .route("/supervision/rules/{code}", post(supervision_pages::rule_submit))
        .route("/ratings/public", get(interaction_pages::public_ratings_page))
        .route("/ratings/{id}", get(interaction_pages::rating_page))
        .route("/ratings/{id}/act", post(interaction_pages::rating_act))
        .route("/guide/{id}/files/{sm3}", get(catalog::guide_file))
        .route("/admin/items/import-template.xlsx", get(catalog_xlsx::template))
        .route("/admin/items/import", post(catalog_xlsx::import_page))
        .route("/admin/items/{id}/edit", get(catalog::edit_page).post(catalog::edit_submit))
        .route("/admin/items/{id}/attachments", post(catalog::attach_page))
        .route("/guide/export.xlsx", get(catalog_xlsx::export))
        .route("/admin/items", get(catalog::admin_items_page))
        .route("/admin/items/{id}", get(catalog::admin_item_page).post(catalog::admin_item_submit))
        .route("/admin/calendar", get(calendar::admin_page).post(calendar::admin_submit))
        .nest("/api/v1", api::routes())
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), auth::session_layer));

    let docs = utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", api::ApiDoc::openapi());

    Router::new()
        .merge(pages)
        .merge(docs)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/assets/app.css", get(css))
        .route("/assets/echarts-5.6.0.min.js", get(supervision_pages::echarts))
        .route("/assets/dashboard.js", get(supervision_pages::dashboard_js))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(16 * 1024 * 1024))
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
