//! The licences' pages: the public verification page (reached from the
//! licence's QR code) and the system administrators' licence types and
//! signing keys.

use crate::http::prelude::*;
use axum::extract::State;
use axum::response::Response;
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
        Err(e) if e.kind() == Kind::Internal || e.kind() == Kind::Unavailable => error_page(&st, Some(&ra), &e),
        // Unknown, malformed, throttled: the form again, with why.
        Err(e) => verify_form(&st, &ra, identifier.trim(), Some(&e)),
    }
}

#[derive(Deserialize, Default)]
pub struct VerifyStartQuery {
    /// The identifier typed in.
    #[serde(default)]
    id: Option<String>,
}

/// 电子证照核验: the form that takes an identifier to its verification page.
/// Public.
pub async fn verify_start_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PageQuery(q): PageQuery<VerifyStartQuery>,
) -> Response {
    match q.id.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        // A typed identifier may carry blanks or lower case: what is checked
        // is exactly what it says, and the page says why when it is wrong.
        Some(id) if id.len() <= 200 && !id.contains(['/', '?', '#']) => {
            see_other(&format!("/verify/{}", crate::http::auth::urlencode(id)))
        }
        Some(id) => verify_form(
            &st,
            &ra,
            &id.chars().take(200).collect::<String>(),
            Some(&zwfw_domain::DomainError::InvalidLicenseId("characters").into()),
        ),
        None => verify_form(&st, &ra, "", None),
    }
}

/// The verification form, with the identifier given and why it failed.
fn verify_form(st: &AppState, ra: &RequestAuth, id: &str, error: Option<&zwfw_app::AppError>) -> Response {
    let mut resp =
        render(st, ra, "license_verify_start.html", context! { id => id, error => error.map(|e| e.message()) });
    if let Some(e) = error {
        *resp.status_mut() = e.status();
    }
    resp
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
                    qr_svg => zwfw_app::documents::qr_svg(&l.qr_text, 160).map(Value::from_safe_string),
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
    PageQuery(q): PageQuery<AdminQuery>,
) -> Response {
    let flash = q.done.as_deref().map(|d| zwfw_app::messages::label("license_done", d));
    admin(&st, &ra, flash, None, &q.q, &TypeForm::default()).await
}

/// The page's query: the message of what was done, and the search of the
/// items to link.
#[derive(Deserialize, Default)]
pub struct AdminQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    q: String,
}

async fn admin(
    st: &AppState,
    ra: &RequestAuth,
    flash: Option<String>,
    error: Option<String>,
    q: &str,
    form: &TypeForm,
) -> Response {
    let c = ctx(st, ra);
    let result = async {
        let types = licenses::types::list(&c).await?;
        let keys = licenses::list_keys(&c).await?;
        let departments = zwfw_store::admin::list_departments(&st.store).await?;
        let items = licenses::types::item_choices(&c, q).await?;
        Ok::<_, zwfw_app::AppError>((types, keys, departments, items))
    }
    .await;
    match result {
        Ok((types, keys, departments, items)) => {
            let item_names = |ids: &[i64]| -> Vec<String> {
                ids.iter()
                    .map(|id| {
                        items
                            .iter()
                            .find(|i| i.item_id == *id)
                            .map(|i| i.name.clone())
                            .unwrap_or_else(|| format!("#{id}"))
                    })
                    .collect()
            };
            let types: Vec<Value> = types
                .iter()
                .map(|t| context! { item_names => item_names(&t.item_ids), ..Value::from_serialize(t) })
                .collect();
            let depts = department_choices(&departments, &keys, &[]);
            let mut resp = render(
                st,
                ra,
                "license_admin.html",
                context! {
                    types => types, keys => Value::from_serialize(&keys), departments => depts,
                    levels => licenses::types::AUTHORITY_LEVELS.to_vec(), flash => flash, error => error.clone(),
                    items => Value::from_serialize(&items), q => q, form => form.view(),
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

/// The new licence type's form: its fields, the items ticked by repeated
/// `item_ids`.
#[derive(Default)]
pub struct TypeForm {
    fields: Vec<(String, String)>,
}

impl TypeForm {
    fn get(&self, k: &str) -> String {
        self.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    /// The ticked ids of the repeated field `name`; one that is not a number is refused.
    fn ids(&self, name: &'static str) -> Result<Vec<i64>, zwfw_app::AppError> {
        self.fields
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().parse().map_err(|_| zwfw_app::AppError::invalid(name)))
            .collect()
    }
    /// The ticked items.
    fn item_ids(&self) -> Result<Vec<i64>, zwfw_app::AppError> {
        self.ids("item_ids")
    }
    /// Whether the type is active: ticked, or a new form not yet sent.
    fn active(&self) -> bool {
        self.fields.is_empty() || self.get("active") == "yes"
    }
    /// The form of a stored type, to edit it.
    fn of_type(t: &zwfw_store::licenses::TypeRow) -> TypeForm {
        let mut fields: Vec<(String, String)> = [
            ("name", t.name.clone()),
            ("code", t.code.clone()),
            ("define_authority", t.define_authority.clone()),
            ("define_authority_level", t.define_authority_level.clone()),
            ("holder_kind", t.holder_kind.clone()),
            ("validity_years", t.validity_years.map(|y| y.to_string()).unwrap_or_default()),
            ("template", t.template.join("\n")),
            ("active", if t.active { "yes" } else { "" }.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        fields.extend(t.item_ids.iter().map(|i| ("item_ids".to_string(), i.to_string())));
        fields.extend(t.issuer_department_ids.iter().map(|i| ("issuer_department_ids".to_string(), i.to_string())));
        TypeForm { fields }
    }
    /// The type's content as entered.
    fn input(&self) -> Result<TypeInput, zwfw_app::AppError> {
        let validity_years = match self.get("validity_years").trim() {
            "" => None,
            y => Some(y.parse().map_err(|_| zwfw_app::AppError::invalid("validity_years"))?),
        };
        Ok(TypeInput {
            code: self.get("code"),
            name: self.get("name"),
            define_authority: self.get("define_authority"),
            define_authority_level: self.get("define_authority_level"),
            holder_kind: self.get("holder_kind"),
            validity_years,
            template: self.get("template"),
            item_ids: self.item_ids()?,
            issuer_department_ids: self.ids("issuer_department_ids")?,
            active: self.active(),
        })
    }
    /// What was entered, to show the form again after an error.
    fn view(&self) -> Value {
        let ticked: Vec<i64> = self.item_ids().unwrap_or_default();
        context! {
            name => self.get("name"), code => self.get("code"), define_authority => self.get("define_authority"),
            define_authority_level => self.get("define_authority_level"), holder_kind => self.get("holder_kind"),
            validity_years => self.get("validity_years"), template => self.get("template"), item_ids => ticked,
            issuer_department_ids => self.ids("issuer_department_ids").unwrap_or_default(), active => self.active(),
        }
    }
}

/// Reads the form with its repeated `item_ids`.
pub struct TypeFormBody(TypeForm);

impl<S: Send + Sync> axum::extract::FromRequest<S> for TypeFormBody {
    type Rejection = WebError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WebError> {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| WebError::bad("bad_request"))?;
        let fields = serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::bad("bad_request"))?;
        Ok(TypeFormBody(TypeForm { fields }))
    }
}

pub async fn create_type_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    TypeFormBody(f): TypeFormBody,
) -> Response {
    if let Err(e) = licenses::authorize_manager(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &e);
    }
    let result = async { licenses::types::create(&ctx(&st, &ra), &f.input()?).await }.await;
    match result {
        Ok(_) => see_other("/admin/licenses?done=type_created"),
        Err(e) if e.kind() != Kind::Forbidden && e.kind() != Kind::Internal && e.kind() != Kind::Unavailable => {
            admin(&st, &ra, None, Some(e.message()), "", &f).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct TypeEditQuery {
    /// The search of the items to link.
    #[serde(default)]
    q: String,
}

/// 修改证照类型: a licence type's fields, validity, holder kind, items,
/// issuing departments and whether it is active (the system administrators).
pub async fn edit_type_page(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<TypeEditQuery>,
) -> Response {
    match licenses::types::get(&ctx(&st, &ra), id).await {
        Ok(t) => edit_type(&st, &ra, &t, None, &q.q, &TypeForm::of_type(&t)).await,
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

async fn edit_type(
    st: &AppState,
    ra: &RequestAuth,
    t: &zwfw_store::licenses::TypeRow,
    error: Option<zwfw_app::AppError>,
    q: &str,
    form: &TypeForm,
) -> Response {
    let c = ctx(st, ra);
    let result = async {
        let keys = licenses::list_keys(&c).await?;
        let departments = zwfw_store::admin::list_departments(&st.store).await?;
        let items = licenses::types::item_choices(&c, q).await?;
        Ok::<_, zwfw_app::AppError>((keys, departments, items))
    }
    .await;
    match result {
        Ok((keys, departments, items)) => {
            let depts = department_choices(&departments, &keys, &t.issuer_department_ids);
            let mut resp = render(
                st,
                ra,
                "license_type_edit.html",
                context! {
                    t => Value::from_serialize(t), departments => depts, levels => licenses::types::AUTHORITY_LEVELS.to_vec(),
                    error => error.as_ref().map(|e| e.message()), items => Value::from_serialize(&items), q => q, form => form.view(),
                },
            );
            if let Some(e) = error {
                *resp.status_mut() = e.status();
            }
            resp
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

/// The active departments (and any inactive one already named) with
/// whether each has a key in use.
fn department_choices(
    departments: &[zwfw_store::admin::Department],
    keys: &[licenses::KeyView],
    named: &[i64],
) -> Vec<Value> {
    departments
        .iter()
        .filter(|d| d.active || named.contains(&d.id))
        .map(|d| context! { id => d.id, name => d.name, has_key => keys.iter().any(|k| k.department_id == d.id && k.retired_at.is_none()) })
        .collect()
}

/// Saves a licence type's changes; the form again with why when refused.
pub async fn edit_type_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    PagePath(id): PagePath<i64>,
    TypeFormBody(f): TypeFormBody,
) -> Response {
    let c = ctx(&st, &ra);
    let before = match licenses::types::get(&c, id).await {
        Ok(t) => t,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let result = async { licenses::types::update(&c, id, &f.input()?).await }.await;
    match result {
        Ok(_) => see_other("/admin/licenses?done=type_updated"),
        Err(e) if matches!(e.kind(), Kind::Invalid | Kind::Conflict | Kind::BadInput | Kind::NotFound) => {
            edit_type(&st, &ra, &before, Some(e), "", &f).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

#[derive(Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    department_id: String,
    /// The explicit confirmation that a department's key in use is replaced.
    #[serde(default)]
    rotate: Option<String>,
}

/// 生成密钥: a department's first key; replacing a key in use needs the
/// form's explicit confirmation (the API rotates on request).
pub async fn create_key_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    form: LateForm<KeyForm>,
) -> Response {
    if let Err(e) = licenses::authorize_manager(&ctx(&st, &ra)) {
        return error_page(&st, Some(&ra), &e);
    }
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let rotate = f.rotate.as_deref() == Some("true");
    let result = match f.department_id.trim().parse::<i64>() {
        Ok(id) => licenses::generate_or_rotate(&ctx(&st, &ra), id, rotate).await,
        Err(_) => Err(zwfw_app::AppError::invalid("department_id")),
    };
    match result {
        Ok(_) => see_other("/admin/licenses?done=key_created"),
        Err(e) if matches!(e.kind(), Kind::Invalid | Kind::Unavailable | Kind::Conflict | Kind::NotFound) => {
            let mut resp = admin(&st, &ra, None, Some(e.message()), "", &TypeForm::default()).await;
            if resp.status() == axum::http::StatusCode::UNPROCESSABLE_ENTITY {
                *resp.status_mut() = e.status();
            }
            resp
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

async fn import_view(
    st: &AppState,
    ra: &RequestAuth,
    preview: Option<&zwfw_app::licenses::import::Preview>,
    imported: Option<&zwfw_app::licenses::import::Imported>,
    report: Option<&zwfw_app::licenses::import::ImportReport>,
) -> Response {
    if let Err(e) = licenses::types::list(&ctx(st, ra)).await {
        return error_page(st, Some(ra), &e);
    }
    let mut resp = render(
        st,
        ra,
        "license_import.html",
        context! {
            preview => preview.map(Value::from_serialize),
            imported => imported.map(Value::from_serialize),
            report => report.map(Value::from_serialize),
        },
    );
    if let Some(r) = report {
        if resp.status().is_success() {
            *resp.status_mut() = super::api::import_status(r);
        }
    }
    resp
}

/// 导入存量电子证照: the upload form.
pub async fn import_page(State(st): State<AppState>, Signed(_s, ra): Signed) -> Response {
    import_view(&st, &ra, None, None, None).await
}

/// The first step: the file checked and kept, its preview (or every bad cell).
pub async fn import_preview_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    multipart: LateMultipart,
) -> Response {
    let c = ctx(&st, &ra);
    if let Some((_, axum::Json(r))) = super::api::import_refusal(&st, &ra) {
        return import_view(&st, &ra, None, None, Some(&r)).await;
    }
    let (name, bytes) = match super::api::import_upload(&st, multipart).await {
        Ok((name, bytes, _)) => (name, bytes),
        Err((_, axum::Json(r))) => return import_view(&st, &ra, None, None, Some(&r)).await,
    };
    match zwfw_app::licenses::import::preview_kept(&c, &name, bytes).await {
        Ok(p) => import_view(&st, &ra, Some(&p), None, None).await,
        Err(r) => import_view(&st, &ra, None, None, Some(&r)).await,
    }
}

#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default)]
    sm3: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    confirm: String,
}

/// The second step: the previewed file imported (its warnings confirmed).
pub async fn import_confirm_submit(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    form: LateForm<ImportForm>,
) -> Response {
    let c = ctx(&st, &ra);
    if let Some((_, axum::Json(r))) = super::api::import_refusal(&st, &ra) {
        return import_view(&st, &ra, None, None, Some(&r)).await;
    }
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match zwfw_app::licenses::import::import_kept(&c, &f.sm3, &f.format, f.confirm == "yes").await {
        Ok(n) => import_view(&st, &ra, None, Some(&n), None).await,
        Err(r) => import_view(&st, &ra, None, None, Some(&r)).await,
    }
}
