//! Server-rendered pages: minijinja templates compiled into the binary, with
//! autoescaping, and the label catalogue available as `label(group, code)`.

use minijinja::{Environment, Value};

pub struct Templates {
    env: Environment<'static>,
}

macro_rules! tpl {
    ($env:expr, $($name:literal),* $(,)?) => {
        $( $env.add_template($name, include_str!(concat!("../templates/", $name))).expect($name); )*
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
        tpl!(
            env,
            "layout.html",
            "error.html",
            "login.html",
            "totp_login.html",
            "password.html",
            "totp_enroll.html",
            "home.html",
            "regions.html",
            "departments.html",
            "department_form.html",
            "users.html",
            "user_form.html",
            "user_secret.html",
            "account.html",
            "register.html",
            "audit.html",
            "calendar.html",
            "guide_list.html",
            "guide_item.html",
            "items.html",
            "item_admin.html",
            "apply.html",
            "import_result.html",
            "item_edit.html",
            "submitted.html",
            "cases.html",
            "case_timeline.html",
            "case.html",
            "track.html",
            "materials.html",
            "interact_list.html",
            "interact_form.html",
            "interact_done.html",
            "interact_detail.html",
            "interact_track.html",
            "interact_body.html",
            "interact_handlers.html",
            "admin_outbox.html",
            "messages.html",
            "ratings.html",
            "rating.html",
            "rate.html",
            "rating_qr.html",
            "rate_form.html",
            "sv_nav.html",
            "sv_dashboard.html",
            "sv_findings.html",
            "sv_finding.html",
            "sv_orders.html",
            "sv_order.html",
            "sv_rules.html",
            "sv_evaluation.html",
            "sv_eval_config.html",
            "ranking.html",
        );
        env.add_function("label", |group: String, code: String| zwfw_app::messages::label(&group, &code));
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
