use crate::http::prelude::*;
use axum::routing::get;
use axum::routing::post;
use axum::Router;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "zwfw 政务服务平台 API", description = "JSON API of the zwfw platform. Errors are `{code, message, detail}` with a stable `code`."),
    paths(
        crate::accounts::api::login, crate::accounts::api::totp_login, crate::accounts::api::logout, crate::accounts::api::me, crate::accounts::api::change_password, crate::accounts::api::my_sessions, crate::accounts::api::end_my_session, crate::accounts::api::totp_begin, crate::accounts::api::totp_confirm, crate::accounts::api::register,
        crate::orgs::api::list_regions, crate::orgs::api::create_region, crate::orgs::api::rename_region, crate::orgs::api::list_departments, crate::orgs::api::get_department, crate::orgs::api::create_department, crate::orgs::api::update_department,
        crate::accounts::api::list_staff, crate::accounts::api::get_staff, crate::accounts::api::create_staff, crate::accounts::api::update_staff, crate::accounts::api::reset_password, crate::accounts::api::set_active, crate::accounts::api::list_public_users,
        crate::audit::api::audit, crate::demo::api::get_clock, crate::demo::api::post_clock,
        crate::calendar::api::api_year, crate::calendar::api::api_working_days, crate::calendar::api::api_add, crate::calendar::api::api_put_year,
        crate::catalog::api::api_create, crate::catalog::api::api_get, crate::catalog::api::api_list, crate::catalog::api::api_edit,
        crate::catalog::api::api_act, crate::catalog::api::api_new_version, crate::catalog::api::api_retire, crate::catalog::api::api_diff,
        crate::catalog::api::api_guide_list, crate::catalog::api::api_guide_item, crate::catalog::api::api_search, crate::catalog::api::api_export, crate::catalog::api::api_attach, crate::catalog::xlsx::api_import,
        crate::cases::api::api_upload, crate::cases::api::api_apply, crate::cases::api::api_list, crate::cases::api::api_get,
        crate::cases::api::api_act, crate::cases::api::api_document, crate::cases::api::api_material, crate::cases::api::api_original,
        crate::cases::api::api_original_return, crate::cases::api::api_inbox, crate::cases::api::api_track, crate::cases::api::api_e_materials,
        crate::interaction::api::api_submit, crate::interaction::api::api_list, crate::interaction::api::api_get, crate::interaction::api::api_act,
        crate::interaction::api::api_track, crate::interaction::api::api_handlers, crate::interaction::api::api_add_handler,
        crate::interaction::api::api_end_handler, crate::interaction::api::api_limits, crate::interaction::api::api_set_limit,
        crate::outbox::api::api_notifications, crate::outbox::api::api_notifications_read,
        crate::rating::api::api_rate, crate::rating::api::api_case_ratings, crate::rating::api::api_link,
        crate::rating::api::api_rate_link, crate::rating::api::api_ratings, crate::rating::api::api_public_ratings,
        crate::rating::api::api_rating, crate::rating::api::api_follow_up,
        crate::outbox::api::api_outbox, crate::outbox::api::api_outbox_retry, crate::interaction::api::api_region_handlers,
        crate::supervision::api::api_rules, crate::supervision::api::api_update_rule, crate::supervision::api::api_evaluate,
        crate::supervision::api::api_findings, crate::supervision::api::api_finding, crate::supervision::api::api_finding_act,
        crate::supervision::api::api_orders, crate::supervision::api::api_issue_order, crate::supervision::api::api_order,
        crate::supervision::api::api_order_act, crate::supervision::api::api_dashboard,
        crate::supervision::api::api_conduct_finding,
        crate::evaluation::api::api_evaluation, crate::evaluation::api::api_report, crate::evaluation::api::api_config,
        crate::evaluation::api::api_update_config, crate::evaluation::api::api_publish, crate::evaluation::api::api_rankings,
        crate::evaluation::api::api_ranking
    ),
    modifiers(&SecurityAddon),
    tags((name = "auth"), (name = "account"), (name = "organizations"), (name = "accounts"), (name = "audit"), (name = "clock"), (name = "calendar"), (name = "catalog"), (name = "cases"), (name = "interaction"), (name = "rating"), (name = "supervision"))
)]
pub struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(crate::accounts::api::login))
        .route("/auth/totp", post(crate::accounts::api::totp_login))
        .route("/auth/logout", post(crate::accounts::api::logout))
        .route("/me", get(crate::accounts::api::me))
        .route("/me/password", post(crate::accounts::api::change_password))
        .route("/me/sessions", get(crate::accounts::api::my_sessions))
        .route("/me/sessions/{id}", axum::routing::delete(crate::accounts::api::end_my_session))
        .route("/me/totp/begin", post(crate::accounts::api::totp_begin))
        .route("/me/totp/confirm", post(crate::accounts::api::totp_confirm))
        .route("/register", post(crate::accounts::api::register))
        .route("/regions", get(crate::orgs::api::list_regions).post(crate::orgs::api::create_region))
        .route("/regions/{id}", axum::routing::put(crate::orgs::api::rename_region))
        .route("/departments", get(crate::orgs::api::list_departments).post(crate::orgs::api::create_department))
        .route("/departments/{id}", get(crate::orgs::api::get_department).put(crate::orgs::api::update_department))
        .route("/staff", get(crate::accounts::api::list_staff).post(crate::accounts::api::create_staff))
        .route("/staff/{id}", get(crate::accounts::api::get_staff).put(crate::accounts::api::update_staff))
        .route("/staff/{id}/reset-password", post(crate::accounts::api::reset_password))
        .route("/staff/{id}/active", post(crate::accounts::api::set_active))
        .route("/public-users", get(crate::accounts::api::list_public_users))
        .route("/audit", get(crate::audit::api::audit))
        .route("/clock", get(crate::demo::api::get_clock))
        .route("/admin/clock", post(crate::demo::api::post_clock))
        .route("/items", get(crate::catalog::api::api_list).post(crate::catalog::api::api_create))
        .route("/items/{id}", get(crate::catalog::api::api_get))
        .route("/items/{id}/versions", post(crate::catalog::api::api_new_version))
        .route("/items/{id}/retire", post(crate::catalog::api::api_retire))
        .route("/items/{id}/diff", get(crate::catalog::api::api_diff))
        .route("/item-versions/{id}", axum::routing::put(crate::catalog::api::api_edit))
        .route("/item-versions/{id}/actions", post(crate::catalog::api::api_act))
        .route("/item-versions/{id}/attachments", post(crate::catalog::api::api_attach))
        .route("/items/import", post(crate::catalog::xlsx::api_import))
        .route("/guide/items", get(crate::catalog::api::api_guide_list))
        .route("/guide/search", get(crate::catalog::api::api_search))
        .route("/guide/export.json", get(crate::catalog::api::api_export))
        .route("/guide/items/{id}", get(crate::catalog::api::api_guide_item))
        .route("/calendar/working-days", get(crate::calendar::api::api_working_days))
        .route("/calendar/add", get(crate::calendar::api::api_add))
        .route("/calendar/{year}", get(crate::calendar::api::api_year).put(crate::calendar::api::api_put_year))
        .route("/uploads", post(crate::cases::api::api_upload))
        .route("/items/{id}/applications", post(crate::cases::api::api_apply))
        .route("/cases", get(crate::cases::api::api_list))
        .route("/cases/{id}", get(crate::cases::api::api_get))
        .route("/cases/{id}/actions", post(crate::cases::api::api_act))
        .route("/cases/{id}/documents/{doc_id}", get(crate::cases::api::api_document))
        .route("/cases/{id}/materials/{mid}", get(crate::cases::api::api_material))
        .route("/cases/{id}/originals", post(crate::cases::api::api_original))
        .route("/cases/{id}/originals/{oid}/return", post(crate::cases::api::api_original_return))
        .route("/inbox", get(crate::cases::api::api_inbox))
        .route("/track", post(crate::cases::api::api_track))
        .route("/e-materials", get(crate::cases::api::api_e_materials))
        .route("/interactions", get(crate::interaction::api::api_list).post(crate::interaction::api::api_submit))
        .route("/interactions/track", post(crate::interaction::api::api_track))
        .route("/interactions/{id}", get(crate::interaction::api::api_get))
        .route("/interactions/{id}/actions", post(crate::interaction::api::api_act))
        .route("/interactions/{id}/finding", post(crate::supervision::api::api_conduct_finding))
        .route(
            "/departments/{id}/interaction-handlers",
            get(crate::interaction::api::api_handlers).post(crate::interaction::api::api_add_handler),
        )
        .route("/departments/{id}/interaction-handlers/{hid}/end", post(crate::interaction::api::api_end_handler))
        .route("/interaction-limits", get(crate::interaction::api::api_limits))
        .route("/interaction-limits/{kind}", axum::routing::put(crate::interaction::api::api_set_limit))
        .route("/me/notifications", get(crate::outbox::api::api_notifications))
        .route("/me/notifications/read", post(crate::outbox::api::api_notifications_read))
        .route("/cases/{id}/ratings", get(crate::rating::api::api_case_ratings).post(crate::rating::api::api_rate))
        .route("/cases/{id}/rating-link", post(crate::rating::api::api_link))
        .route("/rate/{token}", post(crate::rating::api::api_rate_link))
        .route("/ratings", get(crate::rating::api::api_ratings))
        .route("/ratings/public", get(crate::rating::api::api_public_ratings))
        .route("/ratings/{id}", get(crate::rating::api::api_rating))
        .route("/ratings/{id}/actions", post(crate::rating::api::api_follow_up))
        .route("/regions/{id}/interaction-handlers", get(crate::interaction::api::api_region_handlers))
        .route("/admin/outbox", get(crate::outbox::api::api_outbox))
        .route("/admin/outbox/{id}/retry", post(crate::outbox::api::api_outbox_retry))
        .route("/supervision/rules", get(crate::supervision::api::api_rules))
        .route("/supervision/rules/{code}", axum::routing::put(crate::supervision::api::api_update_rule))
        .route("/supervision/evaluate", post(crate::supervision::api::api_evaluate))
        .route("/supervision/findings", get(crate::supervision::api::api_findings))
        .route("/supervision/findings/{id}", get(crate::supervision::api::api_finding))
        .route("/supervision/findings/{id}/actions", post(crate::supervision::api::api_finding_act))
        .route(
            "/supervision/orders",
            get(crate::supervision::api::api_orders).post(crate::supervision::api::api_issue_order),
        )
        .route("/supervision/orders/{id}", get(crate::supervision::api::api_order))
        .route("/supervision/orders/{id}/actions", post(crate::supervision::api::api_order_act))
        .route("/supervision/dashboard", get(crate::supervision::api::api_dashboard))
        .route("/supervision/evaluation", get(crate::evaluation::api::api_evaluation))
        .route("/supervision/evaluation/report", get(crate::evaluation::api::api_report))
        .route(
            "/supervision/evaluation/config",
            get(crate::evaluation::api::api_config).put(crate::evaluation::api::api_update_config),
        )
        .route("/supervision/evaluation/publications", post(crate::evaluation::api::api_publish))
        .route("/rankings", get(crate::evaluation::api::api_rankings))
        .route("/rankings/{period}", get(crate::evaluation::api::api_ranking))
}
