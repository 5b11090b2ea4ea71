//! The JSON API under `/api/v1`: each area registers its endpoints with their
//! OpenAPI operations, and the document is taken from the router they form.

use crate::http::prelude::*;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "zwfw 政务服务平台 API", description = "JSON API of the zwfw platform. Errors are `{code, message, detail}` with a stable `code`."),
    components(schemas(ErrorBody)),
    modifiers(&SecurityAddon),
    tags((name = "auth"), (name = "account"), (name = "organizations"), (name = "accounts"), (name = "audit"), (name = "clock"), (name = "calendar"), (name = "catalog"), (name = "cases"), (name = "interaction"), (name = "rating"), (name = "supervision"), (name = "notices"), (name = "portal"), (name = "licenses"), (name = "registry"), (name = "handover"), (name = "governance"), (name = "credit"), (name = "faults"))
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

/// The API's routes, nested under `/api/v1`, and its OpenAPI document.
///
/// Panics when two different schemas would share a name in the document
/// (the later would silently replace the earlier): a type needs a distinct
/// name (`#[schema(as = ...)]`).
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let areas = [
        crate::accounts::api::routes(),
        crate::accounts::certificates::routes(),
        crate::orgs::api::routes(),
        crate::audit::api::routes(),
        crate::demo::api::routes(),
        crate::calendar::api::routes(),
        crate::catalog::api::routes(),
        crate::cases::api::routes(),
        crate::interaction::api::routes(),
        crate::outbox::api::routes(),
        crate::exchange::api::routes(),
        crate::exchange::packages::routes(),
        crate::backup::api::routes(),
        crate::rating::api::routes(),
        crate::supervision::api::routes(),
        crate::evaluation::api::routes(),
        crate::notices::api::routes(),
        crate::licenses::api::routes(),
        crate::handover::api::routes(),
        crate::governance::api::routes(),
        crate::credit::api::routes(),
        crate::faults::api::routes(),
        crate::backfill::api::routes(),
        crate::governance::qualifications::routes(),
        crate::governance::deletions::routes(),
        crate::governance::rights::routes(),
        crate::governance::corrections::routes(),
        crate::registry::api::routes(),
        crate::portal::api::routes(),
    ];
    let mut all = OpenApiRouter::new();
    for area in areas {
        let theirs = area.get_openapi().components.as_ref().map(|c| c.schemas.clone()).unwrap_or_default();
        assert_distinct(all.get_openapi(), theirs.iter().map(|(n, s)| (n.as_str(), s)));
        all = all.merge(area);
    }
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", all).split_for_parts()
}

/// Registers endpoints (`routes!`) after checking that the schemas they
/// name are not other schemas of the same name already registered.
pub trait Register {
    fn register(self, endpoints: UtoipaMethodRouter<AppState>) -> Self;
}

impl Register for OpenApiRouter<AppState> {
    fn register(self, endpoints: UtoipaMethodRouter<AppState>) -> Self {
        assert_distinct(self.get_openapi(), endpoints.0.iter().map(|(n, s)| (n.as_str(), s)));
        let mut own = std::collections::BTreeMap::new();
        for (name, schema) in &endpoints.0 {
            if let Some(before) = own.insert(name.as_str(), schema) {
                assert!(before == schema, "two schemas are named `{name}` in the OpenAPI document");
            }
        }
        self.routes(endpoints)
    }
}

type Schema = utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>;

fn assert_distinct<'a>(doc: &utoipa::openapi::OpenApi, new: impl Iterator<Item = (&'a str, &'a Schema)>) {
    let Some(known) = doc.components.as_ref().map(|c| &c.schemas) else { return };
    for (name, schema) in new {
        if let Some(before) = known.get(name) {
            assert!(before == schema, "two schemas are named `{name}` in the OpenAPI document");
        }
    }
}
