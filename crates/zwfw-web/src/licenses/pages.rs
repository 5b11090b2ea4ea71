//! The licences' pages: the public verification page (reached from the
//! licence's QR code) and the system administrators' licence types and
//! signing keys.

use crate::http::prelude::*;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::licenses::{self, types::TypeInput};

#[derive(Deserialize, Default)]
pub struct VerifyQuery {
    /// The signed payload, when the page is reached from the QR code.
    #[serde(default)]
    qr: Option<String>,
}

/// 电子证照核验: the status, the masked holder, the issuer, the validity and
/// whether the signature holds; reached from the QR code (`?qr=…`), also
/// whether the code's own signature holds and is this licence's. Public.
pub async fn verify_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath(identifier): PagePath<String>,
    PageQuery(q): PageQuery<VerifyQuery>,
) -> Response {
    let result = async {
        let v = licenses::verify::verify(&ctx(&st, &ra), &identifier).await?;
        let qr = match q.qr.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) if p.len() <= 4096 => Some(licenses::qr::check_on(&st, p, Some(&v.identifier)).await?.0),
            Some(_) => Some(licenses::qr::check_offline("", "", "", st.today())),
            None => None,
        };
        Ok::<_, zwfw_app::AppError>((v, qr))
    }
    .await;
    match result {
        Ok((v, qr)) => render(
            &st,
            &ra,
            "license_verify.html",
            context! { v => Value::from_serialize(&v), qr => Value::from_serialize(&qr) },
        ),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// 我的证照 (证照夹): the signed-in holder's licences as cards, each with
/// its QR code (an inline SVG) and its file.
pub async fn my_licenses_page(SignedIn { st, ra, .. }: SignedIn) -> Response {
    let rows = licenses::holder::mine(&ctx(&st, &ra)).await;
    render_result(&st, &ra, "my_licenses.html", rows, |rows| {
        let rows: Vec<Value> = rows
            .iter()
            .map(|l| {
                context! {
                    l => Value::from_serialize(l),
                    qr_svg => licenses::qr::svg(&l.qr_text, 160).map(Value::from_safe_string),
                    file_page => format!("/licenses/{}/file", l.identifier),
                }
            })
            .collect();
        context! { rows => rows }
    })
}

/// The licence file (PDF) for its holder and the issuing department's staff.
pub async fn file_page(State(st): State<AppState>, Auth(ra): Auth, PagePath(identifier): PagePath<String>) -> Response {
    match super::api::file_download(&st, &ra, &identifier).await {
        Ok(r) => r,
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// 用证记录: who verified or used one of the holder's licences. The
/// holder's alone: anyone else is answered "not found".
pub async fn my_license_uses_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(identifier): PagePath<String>,
) -> Response {
    let log = licenses::holder::uses(&ctx(&st, &ra), &identifier).await;
    render_result(&st, &ra, "my_license_uses.html", log, |log| {
        context! { l => Value::from_serialize(&log.license), uses => Value::from_serialize(&log.uses) }
    })
}

/// 电子证照管理: the licence types and the departments' keys.
pub async fn admin_page(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    admin(&st, &ra, q.done.as_deref().map(|d| zwfw_app::messages::label("license_done", d)), None).await
}

async fn admin(st: &AppState, ra: &RequestAuth, flash: Option<String>, error: Option<String>) -> Response {
    let c = ctx(st, ra);
    let result = async {
        let types = licenses::types::list(&c).await?;
        let keys = licenses::list_keys(&c).await?;
        let departments = zwfw_store::admin::list_departments(&st.store).await?;
        Ok::<_, zwfw_app::AppError>((types, keys, departments))
    }
    .await;
    match result {
        Ok((types, keys, departments)) => {
            let depts: Vec<Value> = departments
                .iter()
                .filter(|d| d.active)
                .map(|d| context! { id => d.id, name => d.name, has_key => keys.iter().any(|k| k.department_id == d.id && k.retired_at.is_none()) })
                .collect();
            let mut resp = render(
                st,
                ra,
                "license_admin.html",
                context! {
                    types => Value::from_serialize(&types), keys => Value::from_serialize(&keys), departments => depts,
                    levels => licenses::types::AUTHORITY_LEVELS.to_vec(), flash => flash, error => error.clone(),
                },
            );
            if error.is_some() {
                *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            }
            resp
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct TypeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    define_authority: String,
    #[serde(default)]
    define_authority_level: String,
    #[serde(default)]
    holder_kind: String,
    #[serde(default)]
    validity_years: String,
    #[serde(default)]
    template: String,
    /// Catalogue item ids, separated by commas or blanks.
    #[serde(default)]
    item_ids: String,
}

fn ids(text: &str) -> Result<Vec<i64>, zwfw_app::AppError> {
    text.split([',', '，', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().map_err(|_| zwfw_app::AppError::invalid("item_ids")))
        .collect()
}

pub async fn create_type_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Form(f): Form<TypeForm>,
) -> Response {
    let result = async {
        let validity_years = match f.validity_years.trim() {
            "" => None,
            y => Some(y.parse().map_err(|_| zwfw_app::AppError::invalid("validity_years"))?),
        };
        let input = TypeInput {
            code: f.code.clone(),
            name: f.name.clone(),
            define_authority: f.define_authority.clone(),
            define_authority_level: f.define_authority_level.clone(),
            holder_kind: f.holder_kind.clone(),
            validity_years,
            template: f.template.clone(),
            item_ids: ids(&f.item_ids)?,
            issuer_department_ids: vec![],
            active: true,
        };
        licenses::types::create(&ctx(&st, &ra), &input).await
    }
    .await;
    match result {
        Ok(_) => see_other("/admin/licenses?done=type_created"),
        Err(e) if e.kind() != Kind::Forbidden && e.kind() != Kind::Internal && e.kind() != Kind::Unavailable => {
            admin(&st, &ra, None, Some(e.message())).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    department_id: i64,
}

pub async fn create_key_submit(State(st): State<AppState>, Signed(_s, ra): Signed, Form(f): Form<KeyForm>) -> Response {
    match licenses::generate_key(&ctx(&st, &ra), f.department_id).await {
        Ok(_) => see_other("/admin/licenses?done=key_created"),
        Err(e) if e.kind() == Kind::Invalid || e.kind() == Kind::Unavailable => {
            admin(&st, &ra, None, Some(e.message())).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}
