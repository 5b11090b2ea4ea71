//! Pages of regions and departments.

use crate::http::prelude::*;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::accounts::sessions::SessionCtx;
use zwfw_app::orgs;
use zwfw_app::orgs::DepartmentInput;
use zwfw_app::orgs::RegionInput;
use zwfw_domain::access::staff;
use zwfw_store::admin as store_admin;

// ---------- organizations ----------

/// Regions and departments, for the organization pages.
async fn organizations(
    st: &AppState,
) -> WebResult<(Vec<zwfw_store::admin::Region>, Vec<zwfw_store::admin::Department>)> {
    Ok((store_admin::list_regions(&st.store).await?, store_admin::list_departments(&st.store).await?))
}

async fn regions_view(
    st: &AppState,
    s: &SessionCtx,
    ra: &RequestAuth,
    form: Value,
    err: Option<&zwfw_app::AppError>,
) -> Response {
    if !staff::may_read_organizations(&s.actor) {
        return error_page(st, Some(ra), &WebError::forbidden());
    }
    let (regions, depts) = match organizations(st).await {
        Ok(x) => x,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let rows: Vec<Value> = regions
        .iter()
        .map(|r| {
            let n = depts.iter().filter(|d| d.region_id == r.id).count();
            context! { id => r.id, code => r.code, name => r.name, level => r.level.code(), departments => n }
        })
        .collect();
    let mut resp = render(
        st,
        ra,
        "regions.html",
        context! { regions => rows, can_edit => staff::may_manage_organizations(&s.actor), form => form, error => err.map(|e| e.message()) },
    );
    if let Some(e) = err {
        *resp.status_mut() = e.status();
    }
    resp
}

pub async fn regions_page(SignedIn { st, s, ra }: SignedIn) -> Response {
    regions_view(&st, &s, &ra, context! {}, None).await
}

/// The form, once the reader is known to manage the organisations.
fn managed<T>(st: &AppState, ra: &RequestAuth, form: LateForm<T>) -> Result<T, WebError> {
    orgs::may_manage(&ctx(st, ra))?;
    form.parse()
}

pub async fn regions_submit(SignedIn { st, s, ra }: SignedIn, form: LateForm<RegionInput>) -> Response {
    let f = match managed(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match orgs::create_region(&ctx(&st, &ra), &f).await {
        Ok(_) => see_other("/admin/regions"),
        Err(e) => {
            regions_view(&st, &s, &ra, context! { code => f.code, name => f.name, reason => f.reason }, Some(&e)).await
        }
    }
}

#[derive(Deserialize)]
pub struct RenameForm {
    name: String,
    #[serde(default)]
    reason: String,
}

pub async fn region_rename(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<RenameForm>,
) -> Response {
    let f = match managed(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match orgs::rename_region(&ctx(&st, &ra), id, &f.name, &f.reason).await {
        Ok(_) => see_other("/admin/regions"),
        Err(e) => regions_view(&st, &s, &ra, context! {}, Some(&e)).await,
    }
}

pub async fn departments_page(SignedIn { st, s, ra }: SignedIn) -> Response {
    if !staff::may_read_organizations(&s.actor) {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    let (regions, depts) = match organizations(&st).await {
        Ok(x) => x,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let rows: Vec<Value> = depts
        .iter()
        .map(|d| {
            let region_name = regions.iter().find(|r| r.id == d.region_id).map(|r| r.name.clone()).unwrap_or_default();
            context! { id => d.id, name => d.name, credit_code => d.credit_code, kind => d.kind.code(), region_name => region_name, active => d.active }
        })
        .collect();
    render(
        &st,
        &ra,
        "departments.html",
        context! { departments => rows, can_edit => staff::may_manage_organizations(&s.actor) },
    )
}

/// The department form posts strings; empty parent means none.
#[derive(Deserialize, serde::Serialize, Default)]
pub struct DepartmentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    region_id: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    request: String,
}

impl DepartmentForm {
    fn input(&self) -> WebResult<DepartmentInput> {
        Ok(DepartmentInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            credit_code: self.credit_code.clone(),
            kind: self.kind.clone(),
            region_id: self.region_id.trim().parse().map_err(|_| WebError::invalid("region_id"))?,
            parent_id: match self.parent_id.trim() {
                "" => None,
                p => Some(p.parse().map_err(|_| WebError::invalid("parent_id"))?),
            },
            phone: self.phone.clone(),
            address: self.address.clone(),
            active: self.active.is_some(),
            reason: self.reason.clone(),
            request: match self.request.trim() {
                "" => None,
                r => Some(r.parse().map_err(|_| WebError::invalid("request"))?),
            },
        })
    }
    fn view(&self) -> Value {
        context! {
            name => self.name, short_name => self.short_name, credit_code => self.credit_code, kind => self.kind,
            region_id => self.region_id.parse::<i64>().ok(), parent_id => self.parent_id.parse::<i64>().ok(),
            phone => self.phone, address => self.address, active => self.active.is_some(), reason => self.reason,
            request => self.request,
        }
    }
}

async fn department_form_view(
    st: &AppState,
    s: &SessionCtx,
    ra: &RequestAuth,
    id: Option<i64>,
    form: Value,
    err: Option<&zwfw_app::AppError>,
) -> Response {
    if !staff::may_manage_organizations(&s.actor) {
        return error_page(st, Some(ra), &WebError::forbidden());
    }
    let (regions, depts) = match organizations(st).await {
        Ok(x) => x,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let depts: Vec<_> = depts.into_iter().filter(|d| Some(d.id) != id).collect();
    let mut resp = render(
        st,
        ra,
        "department_form.html",
        context! { id => id, form => form, regions => regions, departments => depts,
        kinds => zwfw_app::messages::DEPT_KIND_CODES, error => err.map(|e| e.message()) },
    );
    if let Some(e) = err {
        *resp.status_mut() = e.status();
    }
    resp
}

pub async fn department_new_page(SignedIn { st, s, ra }: SignedIn) -> Response {
    department_form_view(&st, &s, &ra, None, context! { active => true, kind => "approval" }, None).await
}

pub async fn department_create(SignedIn { st, s, ra }: SignedIn, form: LateForm<DepartmentForm>) -> Response {
    let f = match managed(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let result = match f.input() {
        Ok(input) => orgs::create_department(&ctx(&st, &ra), &input).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => see_other("/admin/departments"),
        Err(e) => department_form_view(&st, &s, &ra, None, f.view(), Some(&e)).await,
    }
}

pub async fn department_edit_page(SignedIn { st, s, ra }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    let d = match store_admin::get_department(&st.store, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&st, Some(&ra), &e.into()),
    };
    let form = context! {
        name => d.name, short_name => d.short_name, credit_code => d.credit_code, kind => d.kind.code(),
        region_id => d.region_id, parent_id => d.parent_id, phone => d.phone, address => d.address, active => d.active,
    };
    department_form_view(&st, &s, &ra, Some(id), form, None).await
}

pub async fn department_update(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<DepartmentForm>,
) -> Response {
    let f = match managed(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let result = match f.input() {
        Ok(input) => orgs::update_department(&ctx(&st, &ra), id, &input).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => see_other("/admin/departments"),
        Err(e) => department_form_view(&st, &s, &ra, Some(id), f.view(), Some(&e)).await,
    }
}
