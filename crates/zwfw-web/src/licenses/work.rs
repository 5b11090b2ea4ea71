//! The issuing department's licence pages: 电子证照 (`/work/licenses`), the
//! list with its filters, and a licence's page with its history and the
//! changes (换发, 变更, 注销, 吊销) its staff may take, each confirmed.

use crate::http::prelude::*;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::licenses::staff::{self, ListQuery};
use zwfw_app::licenses::status::ChangeInput;

/// 电子证照: the department's licences (every department's for the overseers).
pub async fn list_page(SignedIn { st, ra, .. }: SignedIn, PageQuery(q): PageQuery<ListQuery>) -> Response {
    let c = ctx(&st, &ra);
    let result = async {
        let page = staff::list(&c, &q).await?;
        let types = zwfw_store::licenses::list_types(st.store.pool()).await?;
        Ok::<_, zwfw_app::AppError>((page, types))
    }
    .await;
    let (page, types) = match result {
        Ok(v) => v,
        Err(e) if e.kind() == Kind::Invalid => {
            let mut resp = render(&st, &ra, "license_staff_list.html", view(&q, None, &[], Some(e.message())));
            *resp.status_mut() = e.status();
            return resp;
        }
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    render(&st, &ra, "license_staff_list.html", view(&q, Some(&page), &types, None))
}

fn view(
    q: &ListQuery,
    page: Option<&staff::ListPage>,
    types: &[zwfw_store::licenses::TypeRow],
    error: Option<String>,
) -> Value {
    let keep: Vec<String> =
        [("type_id", &q.type_id), ("holder", &q.holder), ("status", &q.status), ("from", &q.from), ("to", &q.to)]
            .into_iter()
            .filter_map(|(k, v)| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{k}={}", crate::http::auth::urlencode(v)))
            })
            .collect();
    let types: Vec<Value> = types.iter().map(|t| context! { id => t.id.to_string(), name => t.name }).collect();
    let statuses: Vec<Value> = zwfw_domain::licenses::LicenseStatus::ALL
        .iter()
        .map(|s| context! { code => s.code(), label => s.label() })
        .collect();
    context! {
        page => page.map(Value::from_serialize), types => types, statuses => statuses, error => error,
        f => context! { type_id => q.type_id, holder => q.holder, status => q.status, from => q.from, to => q.to },
        keep => keep.join("&"),
    }
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    #[serde(default)]
    done: Option<String>,
}

/// A licence's page for its issuing department (and the overseers, read only).
pub async fn detail_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(identifier): PagePath<String>,
    PageQuery(q): PageQuery<DetailQuery>,
) -> Response {
    let flash = q.done.as_deref().map(|d| zwfw_app::messages::label("license_done", d));
    detail(&st, &ra, &identifier, flash, None, &ChangeForm::default()).await
}

async fn detail(
    st: &AppState,
    ra: &RequestAuth,
    identifier: &str,
    flash: Option<String>,
    error: Option<(axum::http::StatusCode, String)>,
    form: &ChangeForm,
) -> Response {
    match staff::detail(&ctx(st, ra), identifier).await {
        Ok(d) => {
            let status = error.as_ref().map(|(s, _)| *s);
            let mut resp = render(
                st,
                ra,
                "license_staff_detail.html",
                context! {
                    l => Value::from_serialize(&d), flash => flash, error => error.map(|(_, m)| m),
                    form => context! {
                        action => form.action, reason => form.reason, decision_no => form.decision_no,
                        fields => form.fields,
                    },
                },
            );
            if let Some(s) = status {
                *resp.status_mut() = s;
            }
            resp
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

/// A change asked for on the licence's page: 变更's fields come as
/// `field.<name>`.
#[derive(Default)]
pub struct ChangeForm {
    action: String,
    reason: String,
    decision_no: String,
    /// The explicit confirmation the form asks for.
    confirm: Option<String>,
    fields: std::collections::BTreeMap<String, String>,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for ChangeForm {
    type Rejection = WebError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WebError> {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| WebError::bad("bad_request"))?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::bad("bad_request"))?;
        let mut f = ChangeForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "action" => f.action = v,
                "reason" => f.reason = v,
                "decision_no" => f.decision_no = v,
                "confirm" => f.confirm = Some(v),
                _ => {
                    if let Some(name) = k.strip_prefix("field.") {
                        f.fields.insert(name.to_string(), v);
                    }
                }
            }
        }
        Ok(f)
    }
}

/// 换发 / 注销 / 吊销 from the licence's page: confirmed with a tick, then
/// the licence (its new version after 换发) is shown with what was done.
pub async fn change_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(identifier): PagePath<String>,
    f: ChangeForm,
) -> Response {
    let c = ctx(&st, &ra);
    // Whether the reader may change this licence at all comes first: the
    // supervision bureau or a department administrator is refused (403)
    // whatever the form holds.
    if let Err(e) = zwfw_app::licenses::status::authorize(&c, &identifier).await {
        return error_page(&st, Some(&ra), &e);
    }
    if f.confirm.as_deref() != Some("yes") {
        // Nothing is changed without the tick; the reader learns nothing
        // the page would not show them.
        return match staff::detail(&c, &identifier).await {
            Ok(_) => {
                let msg = zwfw_app::messages::label("license_confirm", &f.action);
                detail(&st, &ra, &identifier, None, Some((axum::http::StatusCode::UNPROCESSABLE_ENTITY, msg)), &f).await
            }
            Err(e) => error_page(&st, Some(&ra), &e),
        };
    }
    // 变更 carries the fields that differ from the version's.
    let fields = match staff::detail(&c, &identifier).await {
        Ok(d) if f.action == "amend" => f
            .fields
            .iter()
            .filter(|(name, value)| d.fields.iter().any(|h| &h.name == *name && h.value != value.trim()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
        Ok(_) => Default::default(),
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input =
        ChangeInput { action: f.action.clone(), reason: f.reason.clone(), decision_no: f.decision_no.clone(), fields };
    match zwfw_app::licenses::status::change(&c, &identifier, &input).await {
        Ok(current) => {
            let done =
                zwfw_domain::access::licenses::LicenseAction::parse(&f.action).map(|a| a.code()).unwrap_or("changed");
            see_other(&format!("/work/licenses/{current}?done={done}"))
        }
        // Refused for the role (吊销 is the head's), the input or the status:
        // said on the licence's page, nothing changed.
        Err(e) if matches!(e.kind(), Kind::Invalid | Kind::Conflict | Kind::BadInput | Kind::Forbidden) => {
            detail(&st, &ra, &identifier, None, Some((e.status(), e.message())), &f).await
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}
