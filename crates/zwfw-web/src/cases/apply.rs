//! Applying, online and at the counter, and going on with a saved draft. The
//! files chosen on the form are stored first; if the application is then
//! refused (a missing field, a bad file beside good ones), it is kept as a
//! draft holding every file that was accepted, and the form comes back as
//! that draft's, listing them: nothing has to be chosen again.

use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use std::collections::HashMap;
use zwfw_app::cases;
use zwfw_app::cases::ApplicantInput;
use zwfw_app::cases::ApplicationInput;
use zwfw_app::cases::Draft;
use zwfw_app::cases::DraftInput;
use zwfw_app::cases::MaterialRef;
use zwfw_domain::admin::AccountKind;
use zwfw_domain::admin::Actor;
use zwfw_domain::admin::Role;
use zwfw_domain::catalog::ItemContent;
use zwfw_store::cases as sc;

fn actor(ra: &RequestAuth) -> Option<&Actor> {
    ra.session.as_ref().map(|s| &s.actor)
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{}MB", bytes / (1024 * 1024))
    } else {
        format!("{}KB", bytes.div_ceil(1024))
    }
}

/// The item's materials as the forms list them, with the files a draft holds for each.
fn material_rows(c: &ItemContent, held: &[sc::MaterialRow]) -> Vec<Value> {
    c.materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let hint = [m.requirements.as_str(), m.usage_notes.as_str()]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join("；");
            let files: Vec<Value> = held
                .iter()
                .filter(|h| h.material_no == i as i64 + 1)
                .map(|h| context! { id => h.id, file_name => h.file_name, size => size_text(h.size as usize) })
                .collect();
            context! {
                n => i + 1, name => m.name, required => m.required, hint => hint, files => files,
                form => m.form_sm3, example => m.example_sm3,
            }
        })
        .collect()
}

/// The item's materials as a form offers them: each with the files a draft
/// holds and the ways besides an upload (the apply and the supplement form).
pub(super) fn material_form_rows(
    c: &ItemContent,
    held: &[sc::MaterialRow],
    options: &[cases::MaterialOption],
) -> Vec<Value> {
    material_rows(c, held).into_iter().zip(options_rows(c, options)).map(|(m, o)| context! { ..m, ..o }).collect()
}

/// What each material may be besides an upload: the applicant's licences
/// of its type, their registry record where the item allows it, and the
/// commitment the item allows.
fn options_rows(c: &ItemContent, options: &[cases::MaterialOption]) -> Vec<Value> {
    (1..=c.materials.len())
        .map(|n| match options.iter().find(|o| o.material_no == n) {
            Some(o) => context! {
                licenses => o.licenses.iter().map(|l| context! {
                    identifier => l.identifier, type_name => l.type_name, version => l.version,
                    valid_until => l.valid_until.clone().unwrap_or_else(|| "长期".into()),
                }).collect::<Vec<_>>(),
                commitment => o.commitment, commitment_text => o.commitment_text,
                registry_usable => o.registry_usable,
            },
            None => context! { licenses => Vec::<Value>::new(), commitment => false, registry_usable => false },
        })
        .collect()
}

/// The form's values as a draft holds them (`f1`, `f2`… for the item's fields).
fn draft_values(content: &ItemContent, d: &Draft) -> HashMap<String, String> {
    let get = |k: &str| d.form.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let mut f: HashMap<String, String> =
        content.form_fields.iter().enumerate().map(|(i, x)| (format!("f{}", i + 1), get(&x.name))).collect();
    f.insert("purpose".into(), get(zwfw_domain::catalog::PURPOSE_FIELD));
    f.insert("mobile".into(), d.applicant_mobile.clone());
    f.insert("address".into(), d.applicant_address.clone());
    f
}

/// What the page says above the form.
#[derive(Default)]
struct Note {
    flash: Option<String>,
    error: Option<String>,
}

async fn apply_view(
    st: &AppState,
    ra: &RequestAuth,
    item_id: i64,
    f: &HashMap<String, String>,
    draft: Option<&Draft>,
    note: Note,
) -> Response {
    let item = match zwfw_store::catalog::get_item(&st.store, item_id).await {
        Ok(i) => i,
        Err(e) => return error_page(st, Some(ra), &e.into()),
    };
    let active =
        zwfw_domain::catalog::ItemStatus::parse(&item.status) == Some(zwfw_domain::catalog::ItemStatus::Active);
    // A draft goes on with the version it was saved under.
    let version = match draft {
        Some(_) => {
            sc::get_case(&st.store, draft.map(|d| d.case_id).unwrap_or_default()).await.ok().map(|c| c.version_id)
        }
        None => item.published_version_id.filter(|_| active),
    };
    let content = match version {
        Some(v) => match cases::item_version(st, v).await {
            Ok(c) => c,
            Err(e) => return error_page(st, Some(ra), &e),
        },
        None => return error_page(st, Some(ra), &WebError::not_found("item")),
    };
    let me = actor(ra);
    let counter = me.is_some_and(|a| a.is_staff());
    if counter && !me.is_some_and(|a| a.has(Role::Counter) && a.department_id == Some(content.department_id)) {
        return error_page(
            st,
            Some(ra),
            &WebError::with_detail(Kind::Forbidden, "forbidden", "只有该事项实施部门的窗口人员可以登记申请"),
        );
    }
    let mut applicant = None;
    let mut library = vec![];
    let mut f = f.clone();
    if let (Some(d), Ok(c)) = (draft, sc::get_case(&st.store, draft.map(|d| d.case_id).unwrap_or_default()).await) {
        let id_masked = zwfw_domain::ids::mask_middle(&c.applicant_id_no, 4, 4);
        applicant = Some(context! { name => c.applicant_name, id_masked => id_masked });
        f.entry("mobile".into()).or_insert_with(|| d.applicant_mobile.clone());
    } else if let Some(a) = me.filter(|a| !a.is_staff()) {
        if let Ok(u) = zwfw_store::admin::get_user(&st.store, a.user_id).await {
            let id = match u.kind {
                AccountKind::Company => u.credit_code.clone().unwrap_or_default(),
                _ => u.id_number.clone().unwrap_or_default(),
            };
            // The applicant's record in the 人口库 / 法人库 prefills the form.
            let record = zwfw_app::registry::own_record(&ctx(st, ra)).await.ok().flatten();
            if let Some(r) = &record {
                f.entry("address".into()).or_insert_with(|| r.address.clone());
            }
            applicant = Some(context! {
                name => u.display_name, id_masked => zwfw_domain::ids::mask_middle(&id, 4, 4),
                legal_rep => record.as_ref().map(|r| r.legal_rep.clone()), registry => record.is_some(),
                registry_kind => record.as_ref().map(|r| r.kind.clone()),
            });
            f.entry("mobile".into()).or_insert_with(|| u.mobile.clone().unwrap_or_default());
        }
    }
    if let Some(a) = me.filter(|a| !a.is_staff()) {
        library = super::api::e_materials(st, a).await.unwrap_or_default();
    }
    // The applicant's licences that may serve as a material, and the
    // commitments the item allows.
    let options = if me.is_some() {
        cases::sources::options_of(&ctx(st, ra), &content).await.unwrap_or_default()
    } else {
        vec![]
    };
    let status = note.error.as_ref().map(|_| StatusCode::UNPROCESSABLE_ENTITY).unwrap_or(StatusCode::OK);
    // A counter draft's "申请删除" (its author), or the open request for it.
    let deletion = match draft {
        Some(d) if me.is_some_and(|a| a.is_staff()) => {
            let kind = zwfw_domain::governance::deletion::RecordKind::CaseDraft;
            crate::governance::deletions::offer_context(st, ra, kind, d.case_id).await
        }
        _ => minijinja::Value::from(()),
    };
    // Each material's own "申请删除该材料记录" (its author), or the open request for it.
    let mut material_deletion = std::collections::BTreeMap::new();
    if let Some(d) = draft.filter(|_| me.is_some_and(|a| a.is_staff())) {
        let kind = zwfw_domain::governance::deletion::RecordKind::DraftMaterial;
        for m in &d.materials {
            material_deletion
                .insert(m.id.to_string(), crate::governance::deletions::offer_context(st, ra, kind, m.id).await);
        }
    }
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let held = draft.map(|d| d.materials.as_slice()).unwrap_or_default();
    let r = render(
        st,
        ra,
        "apply.html",
        context! {
            item_id => item_id,
            name => content.name,
            online => content.online,
            counter => counter,
            signed_in => me.is_some(),
            promised => content.promised_limit_days,
            legal => content.legal_limit_days,
            location => content.location,
            hours => content.office_hours,
            phone => content.enquiry_phone,
            applicant => applicant,
            materials => material_form_rows(&content, held, &options),
            draft => draft.map(|d| context! { case_id => d.case_id, missing => d.missing, deletion => deletion,
                material_deletion => material_deletion }),
            fields => content.form_fields.iter().enumerate().map(|(i, x)| context! {
                n => i + 1, name => x.name, kind => format!("{:?}", x.kind).to_lowercase(), required => x.required,
                options => x.options, value => field(&format!("f{}", i + 1)),
            }).collect::<Vec<_>>(),
            library => library,
            max_size => size_text(st.config.max_upload_bytes),
            idem_key => f.get("idem_key").filter(|k| !k.is_empty()).cloned().unwrap_or_else(|| zwfw_app::accounts::sessions::random_token(12)),
            found => f.contains_key("found"),
            f => context! {
                kind => f.get("kind").cloned().unwrap_or_else(|| "natural".into()),
                name => field("name"), id_no => field("id_no"), mobile => field("mobile"),
                address => field("address"), email => field("email"), purpose => field("purpose"),
            },
            flash => note.flash,
            error => note.error,
        },
    );
    with_status(r, status)
}

#[derive(Deserialize, Default)]
pub struct ApplyQuery {
    /// Counter staff look an applicant up by ID number or credit code.
    lookup: Option<String>,
}

pub async fn apply_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<ApplyQuery>,
) -> Response {
    let mut f = HashMap::new();
    let mut error = None;
    let lookup = q.lookup.as_deref().map(str::trim).filter(|l| !l.is_empty());
    if let (Some(no), Some(a)) = (lookup, actor(&ra).filter(|a| a.is_staff() && a.has(Role::Counter))) {
        let no = no.to_uppercase();
        f.insert("id_no".to_string(), no.clone());
        match sc::known_applicant(&st.store, a.department_id.unwrap_or_default(), &no).await {
            Ok(Some((kind, name, mobile, address))) => {
                f.extend([
                    ("kind".to_string(), kind),
                    ("name".to_string(), name),
                    ("mobile".to_string(), mobile),
                    ("address".to_string(), address),
                    ("found".to_string(), "1".to_string()),
                ]);
            }
            // Not an applicant of the department yet: the 人口库 / 法人库's record, if any.
            Ok(None) => match registry_applicant(&st, &ra, &no).await {
                Some(found) => f.extend(found),
                None => error = Some(zwfw_app::messages::label("apply", "applicant_unknown")),
            },
            Err(e) => return error_page(&st, Some(&ra), &e.into()),
        }
    }
    let mut r = apply_view(&st, &ra, id, &f, None, Note { flash: None, error }).await;
    if r.status() == StatusCode::UNPROCESSABLE_ENTITY && lookup.is_some() {
        // Not finding someone is not an error of the request.
        *r.status_mut() = StatusCode::OK;
    }
    r
}

/// The form's applicant fields from the 人口库 / 法人库's record of a number
/// (a 身份证号 or a 统一社会信用代码), looked up by the counter.
async fn registry_applicant(st: &AppState, ra: &RequestAuth, no: &str) -> Option<Vec<(String, String)>> {
    let (kind, applicant) =
        if zwfw_domain::ids::ResidentId::parse(no).is_ok() { ("person", "natural") } else { ("company", "legal") };
    let r = zwfw_app::registry::look_up(&ctx(st, ra), kind, no).await.ok()?;
    Some(vec![
        ("kind".to_string(), applicant.to_string()),
        ("name".to_string(), r.name),
        ("address".to_string(), r.address),
        ("found".to_string(), "1".to_string()),
    ])
}

/// The application form's own fields: 申请事项说明 and the item's fields (f1, f2…).
fn form_fields(form: &MultipartForm, content: Option<&ItemContent>) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    let purpose = form.get("purpose");
    if !purpose.trim().is_empty() {
        fields.insert(zwfw_domain::catalog::PURPOSE_FIELD.into(), serde_json::Value::String(purpose));
    }
    // ASCII names survive every browser.
    for (i, f) in content.map(|c| c.form_fields.as_slice()).unwrap_or_default().iter().enumerate() {
        fields.insert(f.name.clone(), serde_json::Value::String(form.get(&format!("f{}", i + 1))));
    }
    fields
}

fn submitted(st: &AppState, ra: &RequestAuth, s: &cases::Submitted) -> Response {
    render(
        st,
        ra,
        "submitted.html",
        context! {
            case_id => s.case_id, case_no => s.case_no, password => s.query_password,
            draft => s.state == zwfw_domain::cases::CaseState::Draft.code(), repeated => s.repeated,
        },
    )
}

pub async fn apply_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    mp: LateMultipart,
) -> Response {
    // Who may not apply is refused before the form is read.
    let mp = match cases::may_apply(&ctx(&st, &ra), id).await.map_err(WebError::from).and_then(|()| mp.open()) {
        Ok(mp) => mp,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let form = match MultipartForm::read(mp, st.config.max_upload_bytes).await {
        Ok(f) => f,
        Err(e) => {
            return apply_view(&st, &ra, id, &HashMap::new(), None, Note { error: Some(e.message()), flash: None })
                .await
        }
    };
    let content = match zwfw_store::catalog::get_item(&st.store, id).await.map(|i| i.published_version_id) {
        Ok(Some(v)) => cases::item_version(&st, v).await.ok(),
        _ => None,
    };
    let (materials, bad_files) = form.materials(&st, &ra).await;
    let staff = actor(&ra).is_some_and(|a| a.is_staff());
    let mut input = ApplicationInput {
        applicant: Some(ApplicantInput {
            kind: if staff { form.get("kind") } else { String::new() },
            name: form.get("name"),
            id_no: form.get("id_no"),
            mobile: form.get("mobile"),
            address: form.get("address"),
            email: form.get("email"),
        }),
        form: form_fields(&form, content.as_deref()),
        materials,
        draft: form.get("draft") == "1",
        idem_key: Some(form.get("idem_key")),
    };
    let c = ctx(&st, &ra);
    let result = match bad_files {
        Some(e) => Err(e.0),
        None => cases::apply(&c, id, &input).await,
    };
    let e = match result {
        Ok(s) if s.state == zwfw_domain::cases::CaseState::Draft.code() => {
            return Redirect::to(&format!("/cases/{}/edit?saved=1", s.case_id)).into_response();
        }
        Ok(s) => return submitted(&st, &ra, &s),
        Err(e) => e,
    };
    // Refused with files accepted: kept as a draft holding them, and shown as that draft.
    input.draft = true;
    let kept = match input.materials.is_empty() {
        true => None,
        false => match cases::apply(&c, id, &input).await {
            Ok(s) => cases::draft(&c, s.case_id).await.ok(),
            Err(_) => None,
        },
    };
    match (kept, &content) {
        (Some(d), Some(content)) => {
            let mut f = draft_values(content, &d);
            f.extend(form.fields.clone());
            let flash = Some(zwfw_app::messages::label("apply", "kept_as_draft"));
            apply_view(&st, &ra, id, &f, Some(&d), Note { flash, error: Some(e.message()) }).await
        }
        _ => {
            let error = format!("{}（如已选择文件，请重新选择）", e.message());
            apply_view(&st, &ra, id, &form.fields, None, Note { error: Some(error), flash: None }).await
        }
    }
}

// ---------- going on with a draft ----------

#[derive(Deserialize, Default)]
pub struct DraftQuery {
    saved: Option<String>,
}

async fn draft_view(
    st: &AppState,
    ra: &RequestAuth,
    d: &Draft,
    extra: &HashMap<String, String>,
    note: Note,
) -> Response {
    let row = match sc::get_case(&st.store, d.case_id).await {
        Ok(r) => r,
        Err(e) => return error_page(st, Some(ra), &e.into()),
    };
    let content = match cases::item_version(st, row.version_id).await {
        Ok(c) => c,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let mut f = draft_values(&content, d);
    f.extend(extra.clone());
    apply_view(st, ra, d.item_id, &f, Some(d), note).await
}

pub async fn draft_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DraftQuery>,
) -> Response {
    match cases::draft(&ctx(&st, &ra), id).await {
        Ok(d) => {
            let flash = q.saved.is_some().then(|| zwfw_app::messages::label("apply", "draft_saved"));
            draft_view(&st, &ra, &d, &HashMap::new(), Note { flash, error: None }).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// The draft's form posted: its fields and new files are saved; then a file
/// is taken off (删除), or the draft is kept (保存草稿), or submitted.
pub async fn draft_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    mp: LateMultipart,
) -> Response {
    let c = ctx(&st, &ra);
    let d = match cases::draft(&c, id).await {
        Ok(d) => d,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let form = match async { MultipartForm::read(mp.open()?, st.config.max_upload_bytes).await }.await {
        Ok(f) => f,
        Err(e) => {
            return draft_view(&st, &ra, &d, &HashMap::new(), Note { error: Some(e.message()), flash: None }).await
        }
    };
    let row = match sc::get_case(&st.store, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&st, Some(&ra), &e.into()),
    };
    let content = cases::item_version(&st, row.version_id).await.ok();
    let (materials, bad_files) = form.materials(&st, &ra).await;
    let input = DraftInput {
        mobile: Some(form.get("mobile")),
        address: Some(form.get("address")),
        form: Some(form_fields(&form, content.as_deref())),
        materials,
    };
    let mut d = match cases::update_draft(&c, id, &input).await {
        Ok(d) => d,
        Err(e) => return draft_view(&st, &ra, &d, &form.fields, Note { error: Some(e.message()), flash: None }).await,
    };
    if let Some(e) = bad_files {
        return draft_view(&st, &ra, &d, &HashMap::new(), Note { error: Some(e.message()), flash: None }).await;
    }
    let label = |k: &str| Some(zwfw_app::messages::label("apply", k));
    if let Ok(mid) = form.get("remove").trim().parse::<i64>() {
        let note = match cases::remove_draft_material(&c, id, mid).await {
            Ok(after) => {
                d = after;
                Note { flash: label("file_removed"), error: None }
            }
            Err(e) => Note { flash: None, error: Some(e.message()) },
        };
        return draft_view(&st, &ra, &d, &HashMap::new(), note).await;
    }
    if form.get("draft") == "1" {
        return draft_view(&st, &ra, &d, &HashMap::new(), Note { flash: label("draft_saved"), error: None }).await;
    }
    match cases::submit_draft(&c, id, Some(&form.get("idem_key"))).await {
        Ok(s) => submitted(&st, &ra, &s),
        Err(e) => draft_view(&st, &ra, &d, &HashMap::new(), Note { error: Some(e.message()), flash: None }).await,
    }
}

/// The materials a case form carries: uploaded here or taken from the
/// library. A file refused (its kind, its size) does not stop the others
/// from being stored: the refusal comes back beside them.
impl MultipartForm {
    pub(crate) async fn materials(&self, st: &AppState, ra: &RequestAuth) -> (Vec<MaterialRef>, Option<WebError>) {
        let c = ctx(st, ra);
        let mut refs = vec![];
        let mut refused = None;
        for (field, file_name, bytes) in &self.files {
            let Some(n) = Self::material_no(field, "m") else { continue };
            match cases::upload(&c, file_name, bytes).await {
                Ok(u) => refs.push(MaterialRef { material_no: n, upload_id: Some(u.id), ..MaterialRef::default() }),
                Err(e) => {
                    refused.get_or_insert_with(|| {
                        WebError::with_detail(e.kind(), "invalid_upload", format!("材料{n}：{}", e.message()))
                    });
                }
            }
        }
        // For a material no file was given for: an electronic licence the
        // applicant holds (trust A), an entry of their library, or their
        // 人口库 / 法人库 record (trust A), the first of these chosen. A 告知承诺
        // ticked (trust D) is a signed statement: beside anything else for
        // the same material it is refused with its reason, never dropped.
        for prefix in ["lic", "cm", "lib", "reg"] {
            for (field, value) in &self.fields {
                let Some(n) = Self::material_no(field, prefix) else { continue };
                let v = value.trim();
                let r = MaterialRef { material_no: n, ..MaterialRef::default() };
                let r = match prefix {
                    "lic" if !v.is_empty() => MaterialRef { license: Some(v.to_string()), ..r },
                    "cm" if v == "1" => MaterialRef { commitment: true, ..r },
                    "lib" => match v.parse::<i64>() {
                        Ok(id) => MaterialRef { e_material_id: Some(id), ..r },
                        Err(_) => continue,
                    },
                    "reg" if v == "1" => MaterialRef { from_registry: true, ..r },
                    _ => continue,
                };
                if r.commitment || !refs.iter().any(|x| x.material_no == n && !x.commitment) {
                    refs.push(r);
                }
            }
        }
        refs.sort_by_key(|r| r.material_no);
        (refs, refused)
    }
}
