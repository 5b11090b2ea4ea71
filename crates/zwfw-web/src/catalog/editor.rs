//! The draft editor of an item version.

use super::api::{api_ctx, read_upload};
use crate::http::prelude::*;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use zwfw_app::catalog::attach;
use zwfw_app::catalog::edit_draft;
use zwfw_domain::catalog::ItemContent;
use zwfw_domain::catalog::VersionState;
use zwfw_domain::registry::SlipKind;
use zwfw_store::catalog as store_cat;

// ---------- the draft editor ----------

/// A material line's tag naming the licence type the material is.
const LICENSE_TAG: &str = "证照:";
/// A material line's tag allowing a 告知承诺 instead of the material.
const COMMITMENT_TAG: &str = "告知承诺";

/// The editor's text form of the lists: one material or step per line.
fn materials_text(c: &ItemContent) -> String {
    c.materials
        .iter()
        .map(|m| {
            let mut line = format!(
                "{} | {} | {} | {} | {} | {} | {}",
                m.name,
                m.kind,
                m.source,
                m.originals,
                m.copies,
                if m.required { "必须" } else { "非必须" },
                m.requirements
            );
            if !m.license_type_code.is_empty() {
                line += &format!(" | {LICENSE_TAG}{}", m.license_type_code);
            }
            if let Some(k) = SlipKind::parse(&m.registry) {
                line += &format!(" | {}", k.label());
            }
            if m.commitment {
                line += &format!(" | {COMMITMENT_TAG}");
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn form_fields_text(c: &ItemContent) -> String {
    c.form_fields
        .iter()
        .map(|f| {
            let mut line = format!("{} | {} | {}", f.name, f.kind.label(), if f.required { "必填" } else { "选填" });
            if !f.options.is_empty() {
                line += &format!(" | {}", f.options.join("、"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn steps_text(c: &ItemContent) -> String {
    c.steps
        .iter()
        .map(|s| {
            let mut line = format!("{} | {} | {}", s.name, s.role.code(), s.limit_days);
            if s.may_suspend {
                line += " | 特殊环节";
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Applies the editor's form to a content. Returns the first problem in Chinese.
pub fn apply_form(base: &ItemContent, f: &[(String, String)]) -> Result<ItemContent, String> {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let all = |k: &str| f.iter().filter(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).collect::<Vec<_>>();
    let num = |k: &str, label: &str| get(k).parse::<u32>().map_err(|_| format!("{label}应为整数"));
    let mut c = base.clone();
    c.name = get("name");
    c.sub_name = get("sub_name");
    c.legal_basis = get("legal_basis");
    c.legal_limit_days = num("legal_limit_days", "法定办结时限")?;
    c.promised_limit_days = num("promised_limit_days", "承诺办结时限")?;
    c.case_type = if c.promised_limit_days == 0 {
        zwfw_domain::catalog::CaseType::Immediate
    } else {
        zwfw_domain::catalog::CaseType::Promised
    };
    c.acceptance_conditions = get("acceptance_conditions");
    c.result_name = get("result_name");
    c.fee = get("fee") == "1";
    c.fee_standard = get("fee_standard");
    c.fee_basis = get("fee_basis");
    c.location = get("location");
    c.office_hours = get("office_hours");
    c.enquiry_phone = get("enquiry_phone");
    c.supervision_phone = get("supervision_phone");
    c.faq = get("faq");
    c.themes =
        get("themes").split([',', '，', '、']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
    c.service_objects = all("objects").iter().filter_map(|o| zwfw_domain::catalog::ServiceObject::parse(o)).collect();
    c.handling_modes = all("modes").iter().filter_map(|m| zwfw_domain::catalog::HandlingMode::parse(m)).collect();
    c.life_events = all("life_events").iter().filter_map(|e| zwfw_domain::catalog::LifeEvent::parse(e)).collect();
    c.regulator_department_ids = all("regulators")
        .iter()
        .map(|d| d.parse::<i64>().map_err(|_| "监管部门选择不正确".to_string()))
        .collect::<Result<_, _>>()?;
    let mut materials = Vec::new();
    for (i, line) in get("materials").lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let p: Vec<&str> = line.split('|').map(str::trim).collect();
        if p.len() < 6 {
            return Err(format!(
                "申请材料第{}行应写成“名称 | 材料类型 | 来源渠道 | 原件份数 | 复印件份数 | 必须/非必须 | 要求”",
                i + 1
            ));
        }
        let n = |s: &str| s.parse::<u32>().map_err(|_| format!("申请材料第{}行的份数应为整数", i + 1));
        // Keep attachments of a material whose name did not change.
        let old = base.materials.iter().find(|m| m.name == p[0]);
        // After the requirements, optional tags: `证照:<证照类型代码>`,
        // `人口库` / `法人库` / `人口库或法人库` and `告知承诺`.
        let tags = p.get(7..).unwrap_or_default();
        let license_type_code = tags
            .iter()
            .find_map(|t| t.strip_prefix(LICENSE_TAG).or_else(|| t.strip_prefix("证照：")))
            .map(|c| c.trim().to_ascii_uppercase())
            .unwrap_or_default();
        let registry = tags.iter().find_map(|t| SlipKind::ALL.iter().find(|k| k.label() == *t));
        if let Some(t) = tags.iter().find(|t| {
            !t.is_empty()
                && **t != COMMITMENT_TAG
                && !t.starts_with(LICENSE_TAG)
                && !t.starts_with("证照：")
                && !SlipKind::ALL.iter().any(|k| k.label() == **t)
        }) {
            return Err(format!(
                "申请材料第{}行的“{t}”无法识别：要求之后只能写“{LICENSE_TAG}证照类型代码”、“人口库”、“法人库”、“人口库或法人库”或“{COMMITMENT_TAG}”",
                i + 1
            ));
        }
        materials.push(zwfw_domain::catalog::Material {
            name: p[0].into(),
            kind: p[1].into(),
            source: p[2].into(),
            originals: n(p[3])?,
            copies: n(p[4])?,
            required: p[5] != "非必须",
            requirements: p.get(6).map(|s| s.to_string()).unwrap_or_default(),
            license_type_code,
            registry: registry.map(|k| k.code().to_string()).unwrap_or_default(),
            commitment: tags.contains(&COMMITMENT_TAG),
            ..old.cloned().unwrap_or_default()
        });
    }
    c.materials = materials;
    let mut steps = Vec::new();
    for (i, line) in get("steps").lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let p: Vec<&str> = line.split('|').map(str::trim).collect();
        if p.len() < 3 {
            return Err(format!("办理环节第{}行应写成“名称 | 角色代码 | 时限 [| 特殊环节]”", i + 1));
        }
        let role = zwfw_domain::admin::Role::parse(p[1])
            .map_err(|_| format!("办理环节第{}行的角色代码“{}”不存在", i + 1, p[1]))?;
        let days = p[2].parse::<u32>().map_err(|_| format!("办理环节第{}行的时限应为整数", i + 1))?;
        // Keep the department and joint review of a step whose name did not change.
        let old = base.steps.iter().find(|s| s.name == p[0]);
        steps.push(zwfw_domain::catalog::Step {
            name: p[0].into(),
            department_id: old.map(|s| s.department_id).unwrap_or(base.department_id),
            role,
            limit_days: days,
            may_suspend: p.get(3).is_some_and(|s| s.contains("特殊")),
            joint: old.map(|s| s.joint.clone()).unwrap_or_default(),
        });
    }
    c.steps = steps;
    let mut fields = Vec::new();
    for (i, line) in get("form_fields").lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let p: Vec<&str> = line.split('|').map(str::trim).collect();
        let kinds: Vec<&str> = zwfw_domain::catalog::FieldKind::ALL.iter().map(|k| k.label()).collect();
        let kind = p.get(1).and_then(|k| zwfw_domain::catalog::FieldKind::from_label(k)).ok_or_else(|| {
            format!("申请表字段第{}行应写成“名称 | 类型（{}） | 必填/选填 [| 选项1、选项2]”", i + 1, kinds.join("/"))
        })?;
        fields.push(zwfw_domain::catalog::FormField {
            name: p[0].into(),
            kind,
            required: p.get(2).is_none_or(|r| *r != "选填"),
            options: p
                .get(3)
                .map(|o| {
                    o.split(['、', ',', '，']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
                })
                .unwrap_or_default(),
        });
    }
    c.form_fields = fields;
    Ok(c)
}

async fn editor_view(
    st: &AppState,
    ra: &RequestAuth,
    item_id: i64,
    v: &store_cat::Version,
    form: Option<&[(String, String)]>,
    error: Option<String>,
) -> Response {
    let c = &v.content;
    let get = |k: &str, dflt: String| {
        form.and_then(|f| f.iter().find(|(n, _)| n == k).map(|(_, x)| x.clone())).unwrap_or(dflt)
    };
    let objects: Vec<Value> = zwfw_domain::catalog::ServiceObject::ALL
        .iter()
        .map(|o| context! { code => o.code(), label => o.label(), on => c.service_objects.contains(o) })
        .collect();
    let modes: Vec<Value> = zwfw_domain::catalog::HandlingMode::ALL
        .iter()
        .map(|m| context! { code => m.code(), label => m.label(), on => c.handling_modes.contains(m) })
        .collect();
    let life_events: Vec<Value> = zwfw_domain::catalog::LifeEvent::ALL
        .iter()
        .map(|e| context! { code => e.code(), label => e.label(), on => c.life_events.contains(e) })
        .collect();
    // 审管交互: the departments a grant or denial is pushed to (none ticked:
    // the implementing department).
    let regulators: Vec<Value> = zwfw_store::admin::list_departments(&st.store)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.active)
        .map(|d| context! { id => d.id, name => d.name, on => c.regulator_department_ids.contains(&d.id) })
        .collect();
    let fields = context! {
        name => get("name", c.name.clone()), sub_name => get("sub_name", c.sub_name.clone()),
        legal_basis => get("legal_basis", c.legal_basis.clone()),
        legal_limit_days => get("legal_limit_days", c.legal_limit_days.to_string()),
        promised_limit_days => get("promised_limit_days", c.promised_limit_days.to_string()),
        acceptance_conditions => get("acceptance_conditions", c.acceptance_conditions.clone()),
        result_name => get("result_name", c.result_name.clone()), fee => c.fee,
        fee_standard => get("fee_standard", c.fee_standard.clone()), fee_basis => get("fee_basis", c.fee_basis.clone()),
        location => get("location", c.location.clone()), office_hours => get("office_hours", c.office_hours.clone()),
        enquiry_phone => get("enquiry_phone", c.enquiry_phone.clone()), supervision_phone => get("supervision_phone", c.supervision_phone.clone()),
        faq => get("faq", c.faq.clone()), themes => get("themes", c.themes.join("，")),
        materials => get("materials", materials_text(c)), steps => get("steps", steps_text(c)),
        form_fields => get("form_fields", form_fields_text(c)), reason => get("reason", String::new()),
        request => get("request", String::new()),
    };
    let mut resp = crate::http::pages::render(
        st,
        ra,
        "item_edit.html",
        context! { item_id => item_id, version_id => v.id, version_no => v.version_no, f => fields, objects => objects, modes => modes, life_events => life_events, regulators => regulators,
                   materials => c.materials.iter().enumerate().map(|(i, m)| context! { n => i + 1, name => m.name, form => m.form_sm3.is_some(), example => m.example_sm3.is_some() }).collect::<Vec<_>>(),
                   result_sample => c.result_sample_sm3.is_some(),
        error => error.clone(), roles => zwfw_app::messages::role_codes().into_iter()
            .filter(|c| zwfw_domain::admin::Role::parse(c).is_ok_and(zwfw_domain::access::operator::acts_at_steps)).collect::<Vec<_>>() },
    );
    if error.is_some() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

async fn open_draft(
    st: &AppState,
    s: &zwfw_app::accounts::sessions::SessionCtx,
    item_id: i64,
) -> WebResult<store_cat::Version> {
    let item = store_cat::get_item(&st.store, item_id).await?;
    if !zwfw_domain::access::catalog::may_author(&s.actor, item.department_id) {
        return Err(WebError::forbidden());
    }
    let v = match item.open_version_id {
        Some(v) => store_cat::get_version(&st.store, v).await?,
        None => return Err(WebError::with_detail(Kind::Conflict, "wrong_state", "published")),
    };
    if v.state != VersionState::Draft {
        return Err(WebError::with_detail(Kind::Conflict, "wrong_state", v.state.code().to_string()));
    }
    Ok(v)
}

pub async fn edit_page(SignedIn { st, s, ra }: SignedIn, PagePath(id): PagePath<i64>) -> Response {
    match open_draft(&st, &s, id).await {
        Ok(v) => editor_view(&st, &ra, id, &v, None, None).await,
        Err(e) => crate::http::pages::error_page(&st, Some(&ra), &e),
    }
}

pub async fn edit_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: crate::accounts::pages::RawForm,
) -> Response {
    let v = match open_draft(&st, &s, id).await {
        Ok(v) => v,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let f = match form.parse() {
        Ok(f) => f,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let fields = f.fields().to_vec();
    let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, r)| r.clone()).unwrap_or_default();
    let reason = field("reason");
    let result = match (apply_form(&v.content, &fields), super::pages::request_field(&field("request"))) {
        (Ok(c), Ok(request)) => {
            edit_draft(&api_ctx(&st, &ra), v.id, &c, &reason, request).await.map_err(|e| e.message())
        }
        (Err(msg), _) => Err(msg),
        (_, Err(e)) => Err(e.message()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/items/{id}")).into_response(),
        Err(msg) => editor_view(&st, &ra, id, &v, Some(&fields), Some(msg)).await,
    }
}

/// The upload form of the draft editor.
pub async fn attach_page(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    multipart: LateMultipart,
) -> Response {
    let opened = match open_draft(&st, &s, id).await {
        Ok(v) => multipart.open().map(|m| (v, m)),
        Err(e) => Err(e),
    };
    let (v, multipart) = match opened {
        Ok(x) => x,
        Err(e) => return crate::http::pages::error_page(&st, Some(&ra), &e),
    };
    let result = match read_upload(multipart, st.config.max_upload_bytes).await {
        Ok((slot, name, bytes)) => attach(&api_ctx(&st, &ra), v.id, slot, &name, &bytes).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/items/{id}/edit")).into_response(),
        Err(e) => {
            let v = store_cat::get_version(&st.store, v.id).await.unwrap_or(v);
            editor_view(&st, &ra, id, &v, None, Some(format!("上传失败：{}", e.message()))).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn materials_of(base: &ItemContent, text: &str) -> Result<Vec<zwfw_domain::catalog::Material>, String> {
        let mut form = vec![("materials".to_string(), text.to_string())];
        for (k, v) in [
            ("name", base.name.as_str()),
            ("legal_limit_days", "20"),
            ("promised_limit_days", "10"),
            ("steps", "受理 | counter | 1"),
        ] {
            form.push((k.to_string(), v.to_string()));
        }
        apply_form(base, &form).map(|c| c.materials)
    }

    #[test]
    fn a_material_line_names_the_registry_record_that_may_stand_for_it() {
        let base = zwfw_domain::catalog::example(1);
        let m = materials_of(
            &base,
            "营业执照 | 原件 | 政府部门核发 | 1 | 0 | 必须 | 有效期内 | 法人库\n\
             身份证明 | 原件 | 申请人自备 | 1 | 0 | 必须 | | 人口库或法人库 | 告知承诺\n\
             申请书 | 原件 | 申请人自备 | 1 | 0 | 必须 | 签字",
        )
        .unwrap();
        let got: Vec<(&str, &str, bool)> =
            m.iter().map(|m| (m.name.as_str(), m.registry.as_str(), m.commitment)).collect();
        assert_eq!(got, [("营业执照", "company", false), ("身份证明", "any", true), ("申请书", "", false)]);
        // Written back as the editor shows it, and read again the same.
        let c = ItemContent { materials: m.clone(), ..base.clone() };
        assert_eq!(materials_of(&base, &materials_text(&c)).unwrap(), m);
        let e = materials_of(&base, "营业执照 | 原件 | 政府部门核发 | 1 | 0 | 必须 | 有效期内 | 户籍库").unwrap_err();
        assert!(e.contains("“户籍库”无法识别") && e.contains("法人库"), "{e}");
    }
}
