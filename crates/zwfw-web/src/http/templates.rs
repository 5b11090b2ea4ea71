//! Server-rendered pages: minijinja templates compiled into the binary, with
//! autoescaping, and the label catalogue available as `label(group, code)`.

use minijinja::Environment;
use minijinja::Value;

pub struct Templates {
    env: Environment<'static>,
}

/// Registers an area's templates, each under its file name (names are
/// unique across areas), from `src/<area>/templates/`.
macro_rules! tpl {
    ($env:expr, $area:literal: $($name:literal),* $(,)?) => {
        $( $env.add_template($name, include_str!(concat!("../", $area, "/templates/", $name))).expect($name); )*
    };
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    pub fn new() -> Templates {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        tpl!(env, "http": "layout.html", "error.html", "forms.html");
        tpl!(env, "accounts": "login.html", "totp_login.html", "password.html", "totp_enroll.html", "users.html", "user_form.html", "user_secret.html", "account.html", "register.html", "cert_login.html", "cert_admin.html");
        tpl!(env, "portal": "home.html", "portal.html");
        tpl!(env, "notices": "notice_list.html", "notice.html", "notice_admin.html", "notice_edit.html");
        tpl!(env, "registry": "registry_admin.html", "registry_lookup.html");
        tpl!(env, "orgs": "regions.html", "departments.html", "department_form.html");
        tpl!(env, "audit": "audit.html");
        tpl!(env, "licenses": "license_verify.html", "license_admin.html", "my_licenses.html", "my_license_uses.html", "license_import.html", "license_verify_start.html", "license_staff_list.html", "license_staff_detail.html", "license_type_edit.html", "license_type_fields.html");
        tpl!(env, "calendar": "calendar.html");
        tpl!(env, "catalog": "guide_list.html", "guide_item.html", "items.html", "item_admin.html", "import_result.html", "item_edit.html");
        tpl!(env, "cases": "apply.html", "submitted.html", "cases.html", "case_timeline.html", "case.html", "track.html", "materials.html", "material_inputs.html", "form_field_inputs.html");
        tpl!(env, "interaction": "interact_list.html", "interact_form.html", "interact_done.html", "interact_detail.html", "interact_track.html", "interact_body.html", "interact_handlers.html");
        tpl!(env, "outbox": "admin_outbox.html", "messages.html");
        tpl!(env, "exchange": "admin_exchange.html", "admin_exchange_row.html", "exchange_packages.html");
        tpl!(env, "backup": "admin_backups.html");
        tpl!(env, "handover": "handover_list.html", "handover.html");
        tpl!(env, "governance": "gov_requests.html", "gov_request.html", "gov_request_new.html", "gov_qualifications.html", "gov_qualification.html", "gov_deletions.html", "gov_deletion.html", "gov_deletion_new.html", "gov_rights.html", "gov_right.html", "gov_right_new.html", "gov_corrections.html", "gov_correction.html", "gov_correction_new.html");
        tpl!(env, "credit": "credit_public.html", "credit_manage.html");
        tpl!(env, "faults": "fault_list.html", "fault_new.html", "fault.html");
        tpl!(env, "backfill": "backfill_list.html", "backfill_new.html", "backfill_case.html", "backfill_marks.html");
        tpl!(env, "rating": "ratings.html", "rating.html", "rate.html", "rating_qr.html", "rate_form.html");
        tpl!(env, "supervision": "sv_nav.html", "sv_dashboard.html", "sv_findings.html", "sv_finding.html", "sv_orders.html", "sv_order.html", "sv_rules.html");
        tpl!(env, "evaluation": "sv_evaluation.html", "sv_eval_config.html", "ranking.html");
        env.add_function("label", |group: String, code: String| zwfw_app::messages::label(&group, &code));
        // A 办件编号 in a list: the implementation code shortened to "…" on screen (the
        // full number stays in the text, for copying and screen readers, and in the title).
        env.add_function("case_no", |no: Option<String>| -> Value {
            let Some(no) = no.filter(|n| !n.is_empty()) else { return Value::from("（草稿）") };
            let (head, tail) = zwfw_domain::cases::case_number_parts(&no);
            let esc = |t: &str| minijinja::HtmlEscape(t).to_string();
            Value::from_safe_string(format!(
                "<span class=\"case-no\" title=\"{}\"><span class=\"head\">{}</span>{}</span>",
                esc(&no),
                esc(head),
                esc(tail)
            ))
        });
        // The satisfaction levels (GB/T 39046 A.8) a rating form offers, by code.
        env.add_global(
            "rating_levels",
            Value::from(zwfw_domain::rating::Level::all().map(|l| l.code().to_string()).collect::<Vec<_>>()),
        );
        env.add_filter("localtime", |ms: i64| zwfw_domain::time::format_local(ms));
        // A score to one decimal; a rate (0–1) as a percentage to one decimal; "—" for none.
        env.add_filter("fixed1", |v: minijinja::Value| match f64::try_from(v) {
            Ok(f) => format!("{f:.1}"),
            Err(_) => "—".to_string(),
        });
        env.add_filter("pct", |v: minijinja::Value| match f64::try_from(v) {
            Ok(f) => format!("{:.1}%", f * 100.0),
            Err(_) => "—".to_string(),
        });
        Templates { env }
    }

    pub fn render(&self, name: &str, ctx: Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }
}

#[cfg(test)]
mod tests {
    /// Every template file under `src/<area>/templates/` is registered: a
    /// page that includes one left out fails to render at run time only.
    #[test]
    fn every_template_file_is_registered() {
        let t = super::Templates::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        for area in std::fs::read_dir(&src).unwrap() {
            let dir = area.unwrap().path().join("templates");
            let Ok(files) = std::fs::read_dir(&dir) else { continue };
            for f in files {
                let name = f.unwrap().file_name().to_string_lossy().to_string();
                if name.ends_with(".html") && t.env.get_template(&name).is_err() {
                    missing.push(name);
                }
            }
        }
        assert!(missing.is_empty(), "not registered in Templates::new: {missing:?}");
    }
}
