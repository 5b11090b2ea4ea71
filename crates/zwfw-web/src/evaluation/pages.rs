//! Pages of the performance evaluation: the evaluation of a period with its
//! reports and publication (supervision), its configuration, and the
//! published rankings on the portal. The templates hold the text.

use crate::http::prelude::*;

use crate::http::auth::Auth;
use crate::http::auth::RequestAuth;
use crate::http::error::HttpStatus as _;
use crate::http::error::WebError;
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use minijinja::context;
use minijinja::Value;
use serde::Deserialize;
use zwfw_app::evaluation as ev;
use zwfw_app::evaluation::ConfigInput;
use zwfw_app::evaluation::Format;
use zwfw_app::evaluation::PublishInput;
use zwfw_app::messages::label;
use zwfw_domain::access::supervision as access;
use zwfw_domain::admin::Actor;
use zwfw_domain::evaluation::Config;
use zwfw_domain::evaluation::Period;
use zwfw_domain::evaluation::PeriodKind;
use zwfw_domain::evaluation::Weights;

#[derive(Deserialize, Default)]
pub struct EvalQuery {
    period: Option<String>,
    kind: Option<String>,
    done: Option<String>,
}

fn flash(done: &Option<String>) -> Option<String> {
    done.as_deref().map(|d| label("evaluation_done", d))
}

/// The period asked for: a code, else the last ended period of the kind asked for (half-month by default).
fn period_of(st: &AppState, q: &EvalQuery) -> Result<Period, WebError> {
    Ok(ev::period_or_default(st, q.period.as_deref(), q.kind.as_deref())?)
}

/// 绩效考核: the evaluation of a period.
pub async fn evaluation_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<EvalQuery>) -> Response {
    let period = match period_of(&st, &q) {
        Ok(p) => p,
        Err(e) => {
            let p = ev::default_period(&st, PeriodKind::HalfMonth);
            return evaluation_view(&st, &ra, &s.actor, p, None, Some(e.message()), e.status()).await;
        }
    };
    evaluation_view(&st, &ra, &s.actor, period, flash(&q.done), None, StatusCode::OK).await
}

async fn evaluation_view(
    st: &AppState,
    ra: &RequestAuth,
    actor: &Actor,
    period: Period,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let e = match ev::evaluation(st, actor, period).await {
        Ok(e) => e,
        Err(e) => return error_page(st, Some(ra), &e),
    };
    let published = zwfw_store::evaluation::publications_of(&st.store, &e.period).await.unwrap_or_default();
    // The same stretch of time in the other period lengths.
    let kinds: Vec<Value> = [PeriodKind::HalfMonth, PeriodKind::Month, PeriodKind::Quarter]
        .iter()
        .map(|k| {
            let p = Period::containing(*k, period.start());
            let label = zwfw_app::messages::label("period_kind", k.code());
            Value::from_serialize(serde_json::json!({"label": label, "code": p.code(), "current": *k == period.kind}))
        })
        .collect();
    with_status(
        render(
            st,
            ra,
            "sv_evaluation.html",
            context! {
                e => Value::from_serialize(&e),
                kinds => kinds,
                previous => period.previous().code(),
                next => period.next().code(),
                published => published.first().map(|p| Value::from_serialize(serde_json::json!({"at": zwfw_domain::time::format_local(p.published_at), "by": p.publisher_name, "versions": published.len()}))),
                supervisor => access::may_supervise(actor).is_ok(),
                flash => flash,
                error => error,
            },
        ),
        status,
    )
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    period: Option<String>,
    format: Option<String>,
}

pub async fn report(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<ReportQuery>) -> Response {
    let result = async {
        let period = ev::period_or_default(&st, q.period.as_deref(), None)?;
        let format = Format::parse(q.format.as_deref().unwrap_or("xlsx"))?;
        let (bytes, name) = ev::report(&st, &s.actor, period, format).await?;
        Ok::<_, WebError>(crate::evaluation::api::download(bytes, &name, format))
    }
    .await;
    result.unwrap_or_else(|e| error_page(&st, Some(&ra), &e))
}

#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    note: String,
}

pub async fn publish_submit(SignedIn { st, s, ra }: SignedIn, form: LateForm<PublishForm>) -> Response {
    let f = match crate::supervision::pages::supervised(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let input = PublishInput { period: f.period.clone(), note: f.note.clone() };
    match ev::publish(&ctx(&st, &ra), &input).await {
        Ok(r) => Redirect::to(&format!("/supervision/evaluation?period={}&done=published", r.period)).into_response(),
        Err(e) => match Period::parse(&f.period) {
            Some(p) => evaluation_view(&st, &ra, &s.actor, p, None, Some(e.message()), e.status()).await,
            None => error_page(&st, Some(&ra), &e),
        },
    }
}

// ---------- configuration ----------

pub async fn config_page(SignedIn { st, s, ra }: SignedIn, PageQuery(q): PageQuery<EvalQuery>) -> Response {
    if !ev::may_read(&s.actor) {
        return error_page(&st, Some(&ra), &WebError::forbidden());
    }
    match ev::config(&st).await {
        Ok(c) => config_view(&st, &ra, &s.actor, &c, flash(&q.done), None, StatusCode::OK),
        Err(e) => error_page(&st, Some(&ra), &e),
    }
}

fn config_view(
    st: &AppState,
    ra: &RequestAuth,
    actor: &Actor,
    c: &Config,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    with_status(
        render(
            st,
            ra,
            "sv_eval_config.html",
            context! { c => Value::from_serialize(c), editable => access::may_supervise(actor).is_ok(), supervisor => access::may_supervise(actor).is_ok(), flash => flash, error => error },
        ),
        status,
    )
}

#[derive(Deserialize, Default)]
pub struct ConfigForm {
    #[serde(default)]
    on_time: String,
    #[serde(default)]
    early: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    cards: String,
    #[serde(default)]
    rectified: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    complaints: String,
    #[serde(default)]
    yellow_points: String,
    #[serde(default)]
    red_points: String,
    #[serde(default)]
    complaints_zero_per_100: String,
    #[serde(default)]
    excellent_from: String,
    #[serde(default)]
    good_from: String,
    #[serde(default)]
    pass_from: String,
    #[serde(default)]
    weekly_logins: String,
    #[serde(default)]
    handover: String,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    reason: String,
}

pub async fn config_submit(SignedIn { st, s, ra }: SignedIn, form: LateForm<ConfigForm>) -> Response {
    let f = match crate::supervision::pages::supervised(&st, &ra, form) {
        Ok(f) => f,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    // Every figure is a whole number; the first that is not is named.
    let parsed = (|| -> Result<Config, WebError> {
        let n = |field: &'static str, v: &str| v.trim().parse::<u32>().map_err(|_| WebError::invalid(field));
        Ok(Config {
            weights: Weights {
                on_time: n("weight", &f.on_time)?,
                early: n("weight", &f.early)?,
                overdue: n("weight", &f.overdue)?,
                cards: n("weight", &f.cards)?,
                rectified: n("weight", &f.rectified)?,
                satisfaction: n("weight", &f.satisfaction)?,
                complaints: n("weight", &f.complaints)?,
                handover: if f.handover.trim().is_empty() { 0 } else { n("weight", &f.handover)? },
                credit: if f.credit.trim().is_empty() { 0 } else { n("weight", &f.credit)? },
            },
            yellow_points: n("card_points", &f.yellow_points)?,
            red_points: n("card_points", &f.red_points)?,
            complaints_zero_per_100: n("complaint_rate", &f.complaints_zero_per_100)?,
            excellent_from: n("threshold", &f.excellent_from)?,
            good_from: n("threshold", &f.good_from)?,
            pass_from: n("threshold", &f.pass_from)?,
            weekly_logins: n("weekly_logins", &f.weekly_logins)?,
        })
    })();
    let result = match parsed {
        Ok(config) => ev::update_config(&ctx(&st, &ra), &ConfigInput { config, reason: f.reason.clone() }).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Redirect::to("/supervision/evaluation/config?done=config").into_response(),
        Err(e) => {
            let current = ev::config(&st).await.unwrap_or_default();
            config_view(&st, &ra, &s.actor, &current, None, Some(e.message()), e.status())
        }
    }
}

// ---------- the portal ----------

#[derive(Deserialize, Default)]
pub struct RankingQuery {
    period: Option<String>,
}

/// 考核排名: the published rankings, for everyone.
pub async fn ranking_page(
    State(st): State<AppState>,
    Auth(ra): Auth,
    PageQuery(q): PageQuery<RankingQuery>,
) -> Response {
    let list = match ev::rankings(&st).await {
        Ok(l) => l,
        Err(e) => return error_page(&st, Some(&ra), &e),
    };
    let shown = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => match ev::ranking_of(&st, p).await {
            Ok(r) => Some(r),
            Err(e) => return error_page(&st, Some(&ra), &e),
        },
        None => list.first().cloned(),
    };
    let published_at = shown.as_ref().map(|r| zwfw_domain::time::format_local(r.published_at));
    render(
        &st,
        &ra,
        "ranking.html",
        context! { list => Value::from_serialize(&list), r => shown.map(|r| Value::from_serialize(&r)), published_at => published_at },
    )
}
