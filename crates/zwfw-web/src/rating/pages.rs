//! Pages of 好差评: rating a case, rating links and QR codes, the lists and the follow-up of bad ratings.

use crate::http::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::messages::label;
use zwfw_app::rating;
use zwfw_app::rating::FollowUpInput;
use zwfw_app::rating::RateInput;
use zwfw_app::rating::Rater;
use zwfw_domain::access::rating::{self as access, FollowUpStep};
use zwfw_domain::rating::{Appeal, FollowUp};

// ---------- ratings ----------

#[derive(Deserialize)]
pub struct RateForm {
    stage: String,
    /// Absent when no level was chosen (answered as a missing choice).
    #[serde(default)]
    level: String,
    channel: Option<String>,
    comment: Option<String>,
}

impl RateForm {
    fn input(&self) -> RateInput {
        RateInput {
            stage: self.stage.clone(),
            level: self.level.trim().parse().unwrap_or(0),
            channel: self.channel.clone().filter(|c| !c.is_empty()),
            comment: self.comment.clone(),
        }
    }
}

/// The applicant rates a stage from the case page (or staff record a rating given by phone).
pub async fn rate_submit(
    SignedIn { st, s, ra }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<RateForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match rating::may_rate(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    match rating::rate(&c, id, Rater::Actor(&s.actor), &f.input()).await {
        Ok(r) => Redirect::to(&format!("/cases/{id}?done=rated&rating={}", r.id)).into_response(),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

/// The counter shows a QR code that opens the case's rating page on the applicant's phone.
pub async fn qr_submit(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    headers: axum::http::HeaderMap,
) -> Response {
    let made = async {
        let path = rating::new_link(&ctx(&st, &ra), id).await?;
        // The address the counter reached this server by is the one the phone will use.
        let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        let scheme = if st.web().secure_cookies { "https" } else { "http" };
        let url = format!("{scheme}://{host}{path}");
        let svg = zwfw_app::documents::qr_svg(&url, 240)
            .ok_or_else(|| WebError::from(zwfw_app::AppError::Internal("rating link QR code".into())))?;
        Ok::<_, WebError>((url.clone(), svg))
    }
    .await;
    match made {
        Ok((url, svg)) => render(&st, &ra, "rating_qr.html", context! { url => url, svg => svg, case_id => id }),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

async fn rate_link_view(
    st: &AppState,
    ra: &RequestAuth,
    token: &str,
    done: Option<i64>,
    error: Option<String>,
) -> Response {
    let case_id = match zwfw_store::rating::link_case(&st.store, token, st.now_ms()).await {
        Ok(Some(c)) => c,
        Ok(None) => return error_page(st, Some(ra), &WebError::with_detail(Kind::NotFound, "rating_link_invalid", "")),
        Err(e) => return error_page(st, Some(ra), &e.into()),
    };
    let case = match zwfw_store::cases::get_case(&st.store, case_id).await {
        Ok(c) => c,
        Err(e) => return error_page(st, Some(ra), &e.into()),
    };
    let rated = zwfw_store::rating::of_case(&st.store, case_id).await.unwrap_or_default();
    let stages = rating::open_stages(&case, &rated);
    let r = render(
        st,
        ra,
        "rate.html",
        context! {
            token => token, case_no => case.case_no, item_name => case.item_name, stages => stages,
            done => done, error => error,
        },
    );
    if error.is_some() {
        with_status(r, StatusCode::CONFLICT)
    } else {
        r
    }
}

pub async fn rate_link_page(State(st): State<AppState>, Auth(ra): Auth, PagePath(token): PagePath<String>) -> Response {
    rate_link_view(&st, &ra, &token, None, None).await
}

pub async fn rate_link_submit(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PagePath(token): PagePath<String>,
    Form(f): Form<RateForm>,
) -> Response {
    let case_id = match zwfw_store::rating::link_case(&st.store, &token, st.now_ms()).await {
        Ok(Some(c)) => c,
        _ => return error_page(&st, Some(&ra), &WebError::with_detail(Kind::NotFound, "rating_link_invalid", "")),
    };
    match rating::rate(&ctx(&st, &ra), case_id, Rater::Link(token.clone()), &f.input()).await {
        Ok(r) => rate_link_view(&st, &ra, &token, Some(r.id), None).await,
        Err(e) => rate_link_view(&st, &ra, &token, None, Some(e.message())).await,
    }
}

#[derive(Deserialize, Default)]
pub struct RatingsQuery {
    scope: Option<String>,
    bad: Option<String>,
    page: Option<i64>,
}

/// Ratings of the reader's department, or appeals and all ratings (supervision).
pub async fn ratings_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<RatingsQuery>) -> Response {
    let a = &s.actor;
    let supervisor = access::may_list(Some(a), access::ListScope::Appeals).is_ok();
    let default = if supervisor { "appeals" } else { "department" };
    let scope = q.scope.clone().unwrap_or_else(|| default.into());
    let lq = rating::ListQuery { scope: Some(scope.clone()), bad: q.bad.as_deref() == Some("1"), page: q.page };
    render_result(
        &st,
        &ra,
        "ratings.html",
        rating::list(&st, Some(a), &lq).await,
        |rows| context! { rows => rows, tabs => rating_tabs(supervisor, &scope), public => false },
    )
}

/// The tabs of the ratings list: appeals and all ratings (supervision), or
/// the department's ratings and its bad ones.
fn rating_tabs(supervisor: bool, scope: &str) -> Vec<Value> {
    let t = |query: &str, code: &str, on: bool| tab(format!("/work/ratings?{query}"), label("rating_tab", code), on);
    if supervisor {
        vec![t("scope=appeals", "appeals", scope == "appeals"), t("scope=all", "all", scope == "all")]
    } else {
        vec![t("scope=department", "department", true), t("scope=department&bad=1", "bad", false)]
    }
}

/// Bad ratings with their published rectification replies.
pub async fn public_ratings_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PageQuery(q): PageQuery<RatingsQuery>,
) -> Response {
    let lq = rating::ListQuery { scope: Some("public".into()), bad: false, page: q.page };
    match rating::list(&st, None, &lq).await {
        Ok(rows) => {
            let rows: Vec<_> = rows.into_iter().map(rating::public).collect();
            render(&st, &ra, "ratings.html", context! { rows => rows, public => true })
        }
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

async fn rating_view(
    st: &AppState,
    ra: &RequestAuth,
    id: i64,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    let Some(a) = ra.session.as_ref().map(|s| &s.actor) else {
        return error_page(st, Some(ra), &WebError::not_found("rating"));
    };
    match rating::get(st, a, id).await {
        Ok(r) => {
            let may = |step| access::may_follow_up(a, r.department_id, step).is_ok();
            let follow_up = r.follow_up.as_deref().and_then(FollowUp::parse);
            let can = context! {
                call_back => may(FollowUpStep::CallBack) && follow_up == Some(FollowUp::Open),
                reply => may(FollowUpStep::Reply) && follow_up == Some(FollowUp::CalledBack),
                appeal => may(FollowUpStep::Appeal) && r.appeal.is_none(),
                decide => may(FollowUpStep::DecideAppeal) && r.appeal.as_deref().and_then(Appeal::parse) == Some(Appeal::Pending),
            };
            let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
            with_status(
                render(st, ra, "rating.html", context! { r => r, can => can, flash => flash, error => error }),
                status,
            )
        }
        Err(e) => error_page(st, Some(ra), &e),
    }
}

pub async fn rating_page(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    PageQuery(q): PageQuery<DoneQuery>,
) -> Response {
    rating_view(&st, &ra, id, q.done.map(|d| zwfw_app::messages::label("rating_done", &d)), None).await
}

#[derive(Deserialize, Default)]
pub struct FollowForm {
    action: String,
    note: Option<String>,
    verification: Option<String>,
    rectification: Option<String>,
    reply: Option<String>,
    reason: Option<String>,
    uphold: Option<String>,
}

pub async fn rating_act(
    SignedIn { st, ra, .. }: SignedIn,
    PagePath(id): PagePath<i64>,
    form: LateForm<FollowForm>,
) -> Response {
    let c = ctx(&st, &ra);
    let f = match rating::may_follow_up(&c, id).await.map_err(WebError::from).and_then(|()| form.parse()) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input = FollowUpInput {
        action: f.action.clone(),
        note: f.note,
        verification: f.verification,
        rectification: f.rectification,
        reply: f.reply,
        reason: f.reason,
        uphold: f.uphold.as_deref().map(|u| u == "1"),
    };
    match rating::follow_up(&c, id, &input).await {
        Ok(_) => Redirect::to(&format!("/ratings/{id}?done={}", f.action)).into_response(),
        Err(e) => rating_view(&st, &ra, id, None, Some(e.message())).await,
    }
}
