//! Performance evaluation (绩效考核) of departments per period, its
//! configuration, the reports (.xlsx and PDF) and the rankings published on
//! the portal. The figures are counted from what the platform recorded; the
//! domain scores, grades and ranks them.

use crate::documents::pdf::{Align, Block, Column, Orientation, Part, Table};
use crate::error::Kind;
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use zwfw_domain::admin::{Actor, DepartmentKind, Role};
use zwfw_domain::clock::{local_date, start_of_day_ms};
use zwfw_domain::evaluation::{self as de, Config, ConfigError, Figures, Period, PeriodKind, Presence, WeekLogins};
use zwfw_store::admin as sa;
use zwfw_store::evaluation as se;
use zwfw_store::settings;

/// Where the configuration is kept (the settings table, as JSON).
pub const CONFIG_KEY: &str = "evaluation_config";

impl From<ConfigError> for AppError {
    fn from(e: ConfigError) -> Self {
        let detail = match e {
            ConfigError::Weights => "weights",
            ConfigError::CardPoints => "card_points",
            ConfigError::ComplaintRate => "complaint_rate",
            ConfigError::Thresholds => "thresholds",
            ConfigError::WeeklyLogins => "weekly_logins",
        };
        AppError::with_detail(Kind::Invalid, "invalid_evaluation_config", detail)
    }
}

/// Who reads evaluations and reports: supervision officers and the platform's administrators.
pub fn may_read(a: &Actor) -> bool {
    zwfw_domain::access::supervision::may_read_overview(a)
}

pub fn parse_period(s: &str) -> AppResult<Period> {
    Period::parse(s).ok_or_else(|| AppError::with_detail(Kind::Invalid, "invalid_period", s.trim()))
}

/// The period of `kind` shown by default: the last one that has ended.
pub fn default_period(st: &App, kind: PeriodKind) -> Period {
    Period::containing(kind, st.today()).previous()
}

/// The period asked for by its code, else the last ended one of the kind asked for (half-month by default).
pub fn period_or_default(st: &App, code: Option<&str>, kind: Option<&str>) -> AppResult<Period> {
    match code.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => parse_period(p),
        None => Ok(default_period(st, kind.and_then(PeriodKind::parse).unwrap_or(PeriodKind::HalfMonth))),
    }
}

// ---------- configuration ----------

pub async fn config(st: &App) -> AppResult<Config> {
    Ok(match settings::get(&st.store, CONFIG_KEY).await? {
        Some(text) => serde_json::from_str::<Config>(&text).unwrap_or_default(),
        None => Config::default(),
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ConfigInput {
    #[serde(flatten)]
    pub config: Config,
    /// Why it changes (kept in the audit trail).
    pub reason: String,
}

/// Changes the evaluation's weights and thresholds (supervision officers; audited).
pub async fn update_config(ctx: &Ctx<'_>, input: &ConfigInput) -> AppResult<Config> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    zwfw_domain::access::supervision::may_supervise(actor).map_err(|r| AppError::refused(r, "evaluation"))?;
    let reason = zwfw_domain::supervision::text("reason", &input.reason, 500)?;
    input.config.check()?;
    let before = config(ctx.state).await?;
    let text = serde_json::to_string(&input.config).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = ctx.state.store.begin().await?;
    settings::put(&mut tx, CONFIG_KEY, &text, ctx.now()).await?;
    let e = ctx.entry(
        "evaluation_config",
        "evaluation_config",
        CONFIG_KEY,
        json!({"before": before, "after": input.config}),
        &reason,
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(input.config)
}

// ---------- evaluation ----------

/// One department's line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeptLine {
    pub department_id: i64,
    pub department: String,
    /// The county the department belongs to; none for city departments.
    pub county: Option<String>,
    pub figures: Figures,
    #[schema(value_type = zwfw_domain::evaluation::Indicators)]
    pub indicators: serde_json::Value,
    pub score: Option<f64>,
    /// excellent | good | pass | fail; none when the department had nothing to be judged on.
    pub grade: Option<String>,
    pub rank: Option<u32>,
}

/// A supervision officer's logins per judged week (regulation 003 第五条).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficerActivity {
    pub user_id: i64,
    pub name: String,
    pub weeks: Vec<WeekLogins>,
    /// Every judged week reached the required number.
    pub met: bool,
}

/// A department's sign-ins on the working days (regulation 000 第七条(五)).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeptActivity {
    pub department_id: i64,
    pub department: String,
    pub presence: Presence,
}

/// A department's 补录 of the period: the paper cases and actions entered
/// later (by their real time), and its conclusions of cases entered so,
/// with those past the promised deadline (lateness from the paper period).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct BackfillLine {
    pub department_id: i64,
    pub department: String,
    /// Cases with at least one 补录 entry in the period.
    pub cases: i64,
    /// 补录 entries (applications and actions) in the period.
    pub entries: i64,
    /// Cases carrying 补录 entries concluded in the period, and of them those
    /// concluded after the promised deadline.
    pub concluded: u64,
    pub late: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evaluation {
    /// e.g. `2025-10-1`
    pub period: String,
    /// half_month | month | quarter
    pub kind: String,
    pub label: String,
    /// First and last day.
    pub first_day: String,
    pub last_day: String,
    /// The day the figures were read; deadlines are judged up to the day before.
    pub as_of: String,
    /// The period has ended: its figures no longer change with time.
    pub complete: bool,
    pub config: Config,
    pub lines: Vec<DeptLine>,
    pub totals: Figures,
    pub officers: Vec<OfficerActivity>,
    pub departments: Vec<DeptActivity>,
    /// 补录 per department (only departments with any), counted apart: the
    /// figures above include these cases as their real times fall.
    pub backfill: Vec<BackfillLine>,
}

fn day(d: NaiveDate) -> String {
    zwfw_domain::time::ymd(d)
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    zwfw_domain::time::parse_ymd(s)
}

/// The evaluation of a period (supervision officers and administrators).
pub async fn evaluation(st: &App, actor: &Actor, period: Period) -> AppResult<Evaluation> {
    if !may_read(actor) {
        return Err(AppError::forbidden());
    }
    compute(st, period).await
}

/// Counts, scores and ranks a period as of today.
pub async fn compute(st: &App, period: Period) -> AppResult<Evaluation> {
    // Records of conclusions (审管 pushes, 双公示) are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(st).await;
    let cfg = config(st).await?;
    let today = st.today();
    let (start, end) = (period.start(), period.end());
    let from_ms = start_of_day_ms(start);
    let until_ms = start_of_day_ms(end);
    // Deadlines and rectification dues are judged once they have passed.
    let judged_until = end.min(today);

    let regions = sa::list_regions(&st.store).await?;
    let depts: Vec<_> = sa::list_departments(&st.store)
        .await?
        .into_iter()
        .filter(|d| d.active && d.kind != DepartmentKind::Supervision)
        .collect();
    let county_name = |region_id: i64| -> Option<String> {
        let r = regions.iter().find(|r| r.id == region_id)?;
        match r.level {
            zwfw_domain::ids::RegionLevel::County => Some(r.name.clone()),
            zwfw_domain::ids::RegionLevel::Town => {
                r.parent_id.and_then(|p| regions.iter().find(|x| x.id == p)).map(|x| x.name.clone())
            }
            _ => None,
        }
    };
    let mut figures: BTreeMap<i64, Figures> = depts.iter().map(|d| (d.id, Figures::default())).collect();

    for c in se::concluded_between(&st.store, from_ms, until_ms).await? {
        if let Some(f) = figures.get_mut(&c.department_id) {
            f.concluded(local_date(c.concluded_at), c.promised_due.as_deref().and_then(parse_day));
        }
    }
    if start < judged_until {
        for c in se::deadlines_between(&st.store, &day(start), &day(judged_until)).await? {
            if let (Some(f), Some(due)) = (figures.get_mut(&c.department_id), parse_day(&c.promised_due)) {
                f.deadline(due, c.concluded_at.map(local_date));
            }
        }
        for r in se::rectifications_between(&st.store, &day(start), &day(judged_until)).await? {
            if let (Some(f), Some(due)) = (figures.get_mut(&r.department_id), parse_day(&r.reply_due)) {
                f.rectification(due, r.replied_at.map(local_date), &r.state);
            }
        }
    }
    for (d, severity, n) in se::findings_between(&st.store, &day(start), &day(end)).await? {
        if let Some(f) = figures.get_mut(&d) {
            for _ in 0..n {
                f.finding(&severity);
            }
        }
    }
    for (d, level, appeal, n) in se::ratings_between(&st.store, from_ms, until_ms).await? {
        if let Some(f) = figures.get_mut(&d) {
            for _ in 0..n {
                f.rating(level.clamp(1, 5) as u8, appeal.as_deref() == Some("upheld"));
            }
        }
    }
    if start < judged_until {
        let (from, until) = (day(start), day(judged_until));
        for (d, due, claimed_at) in zwfw_store::handover::claims_due_between(&st.store, &from, &until).await? {
            if let (Some(f), Some(due)) = (figures.get_mut(&d), parse_day(&due)) {
                f.claim(due, claimed_at.map(local_date));
            }
        }
        for (d, due, published_on) in zwfw_store::credit::publications_due_between(&st.store, &from, &until).await? {
            if let (Some(f), Some(due)) = (figures.get_mut(&d), parse_day(&due)) {
                f.publication(due, published_on.as_deref().and_then(parse_day));
            }
        }
    }
    for (d, n) in se::complaints_between(&st.store, from_ms, until_ms).await? {
        if let Some(f) = figures.get_mut(&d) {
            f.complaints += n.max(0) as u64;
        }
    }

    let mut totals = Figures::default();
    for f in figures.values() {
        totals += f;
    }
    let names: HashMap<i64, (&str, Option<String>)> =
        depts.iter().map(|d| (d.id, (d.name.as_str(), county_name(d.region_id)))).collect();
    let lines = de::rank(&cfg, depts.iter().map(|d| (d.id, figures[&d.id])).collect())
        .into_iter()
        .map(|l| DeptLine {
            department_id: l.key,
            department: names[&l.key].0.to_string(),
            county: names[&l.key].1.clone(),
            figures: l.figures,
            indicators: serde_json::to_value(l.indicators).unwrap_or_default(),
            score: l.score,
            grade: l.grade.map(|g| g.code().to_string()),
            rank: l.rank,
        })
        .collect();

    // Activity.
    let logins = se::staff_logins_between(&st.store, from_ms, until_ms).await?;
    let weeks = de::judged_weeks(&period, today);
    // A week judged in this period may start before it: read its first days too.
    let week_from = weeks.first().map(|w| start_of_day_ms(*w)).unwrap_or(from_ms);
    let early =
        if week_from < from_ms { se::staff_logins_between(&st.store, week_from, from_ms).await? } else { vec![] };
    let officers = se::staff_with_role(&st.store, Role::Supervisor.code())
        .await?
        .into_iter()
        .map(|(id, name)| {
            let days: Vec<NaiveDate> =
                early.iter().chain(&logins).filter(|l| l.user_id == id).map(|l| local_date(l.at)).collect();
            let weeks = de::weekly_logins(&cfg, &weeks, &days);
            let met = weeks.iter().all(|w| w.met);
            OfficerActivity { user_id: id, name, weeks, met }
        })
        .collect();
    let working = de::judged_working_days(&st.calendar(), &period, today)?;
    let departments = depts
        .iter()
        .map(|d| {
            let mut days: Vec<NaiveDate> =
                logins.iter().filter(|l| l.department_id == Some(d.id)).map(|l| local_date(l.at)).collect();
            days.dedup();
            DeptActivity { department_id: d.id, department: d.name.clone(), presence: de::presence(&working, &days) }
        })
        .collect();

    let backfill = backfill_lines(st, &depts, from_ms, until_ms).await?;

    Ok(Evaluation {
        period: period.code(),
        kind: period.kind.code().to_string(),
        label: period.label(),
        first_day: day(start),
        last_day: day(end - Duration::days(1)),
        as_of: day(today),
        complete: end <= today,
        config: cfg,
        lines,
        totals,
        officers,
        departments,
        backfill,
    })
}

/// The 补录 lines of a period: entries and cases by real time, and the
/// conclusions of cases entered so, on time or late as the figures judge them.
async fn backfill_lines(
    st: &App,
    depts: &[zwfw_store::admin::Department],
    from_ms: i64,
    until_ms: i64,
) -> AppResult<Vec<BackfillLine>> {
    let mut lines: BTreeMap<i64, BackfillLine> = BTreeMap::new();
    let name = |id: i64| depts.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_default();
    for (d, cases, entries) in zwfw_store::backfill::counts(&st.store, from_ms, until_ms).await? {
        let l = lines.entry(d).or_insert_with(|| BackfillLine {
            department_id: d,
            department: name(d),
            ..Default::default()
        });
        l.cases = cases;
        l.entries = entries;
    }
    for (d, concluded_at, due) in zwfw_store::backfill::concluded_between(&st.store, from_ms, until_ms).await? {
        let mut f = Figures::default();
        f.concluded(local_date(concluded_at), due.as_deref().and_then(parse_day));
        let l = lines.entry(d).or_insert_with(|| BackfillLine {
            department_id: d,
            department: name(d),
            ..Default::default()
        });
        l.concluded += f.concluded;
        l.late += f.concluded - f.on_time;
    }
    Ok(lines.into_values().collect())
}

// ---------- publication ----------

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PublishInput {
    pub period: String,
    /// A note shown with the ranking (optional).
    #[serde(default)]
    pub note: String,
}

/// A ranking as the portal shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ranking {
    pub id: i64,
    pub period: String,
    pub label: String,
    pub published_at: i64,
    pub note: String,
    pub lines: Vec<DeptLine>,
}

fn ranking(p: &se::Publication) -> Ranking {
    Ranking {
        id: p.id,
        period: p.period.clone(),
        label: p.label.clone(),
        published_at: p.published_at,
        note: p.note.clone(),
        lines: serde_json::from_str(&p.body).unwrap_or_default(),
    }
}

/// Publishes the ranking of an ended period on the portal (supervision
/// officers; audited). Publishing again adds a newer version.
pub async fn publish(ctx: &Ctx<'_>, input: &PublishInput) -> AppResult<Ranking> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    zwfw_domain::access::supervision::may_supervise(actor).map_err(|r| AppError::refused(r, "evaluation"))?;
    let period = parse_period(&input.period)?;
    let note = if input.note.trim().is_empty() {
        String::new()
    } else {
        zwfw_domain::supervision::text("note", &input.note, 500)?
    };
    let ev = compute(ctx.state, period).await?;
    if !ev.complete {
        return Err(AppError::with_detail(Kind::Conflict, "period_not_over", ev.last_day.clone()));
    }
    let body = serde_json::to_string(&ev.lines).map_err(|e| AppError::Internal(e.to_string()))?;
    let config = serde_json::to_string(&ev.config).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = ctx.state.store.begin().await?;
    let id = se::publish(
        &mut tx,
        &se::NewPublication {
            period: &ev.period,
            kind: &ev.kind,
            label: &ev.label,
            body: &body,
            config: &config,
            published_by: actor.user_id,
            publisher_name: &actor.display_name,
            note: &note,
        },
        ctx.now(),
    )
    .await?;
    let ranked = ev.lines.iter().filter(|l| l.rank.is_some()).count();
    let e = ctx.entry(
        "evaluation_publish",
        "evaluation_publication",
        id,
        json!({"period": ev.period, "ranked": ranked}),
        &note,
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    let published = se::publications_of(&ctx.state.store, &ev.period).await?;
    published.first().map(ranking).ok_or_else(|| AppError::not_found("publication"))
}

/// The latest publication of each period, newest first (public).
pub async fn rankings(st: &App) -> AppResult<Vec<Ranking>> {
    Ok(se::latest_publications(&st.store, 60).await?.iter().map(ranking).collect())
}

/// The latest publication of a period (public).
pub async fn ranking_of(st: &App, period: &str) -> AppResult<Ranking> {
    let p = parse_period(period)?;
    se::publications_of(&st.store, &p.code())
        .await?
        .first()
        .map(ranking)
        .ok_or_else(|| AppError::not_found("publication"))
}

// ---------- reports ----------

/// A report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Pdf,
}

impl Format {
    pub fn parse(s: &str) -> AppResult<Format> {
        match s {
            "xlsx" => Ok(Format::Xlsx),
            "pdf" => Ok(Format::Pdf),
            _ => Err(AppError::with_detail(Kind::Invalid, "invalid_report_format", s)),
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
        }
    }
}

/// The report of a period: its bytes and file name.
pub async fn report(st: &App, actor: &Actor, period: Period, format: Format) -> AppResult<(Vec<u8>, String)> {
    let ev = evaluation(st, actor, period).await?;
    let city = sa::list_regions(&st.store)
        .await?
        .into_iter()
        .find(|r| r.parent_id.is_none())
        .map(|r| r.name)
        .unwrap_or_default();
    let name = format!("{}{}{}", city, ev.label, T.file);
    match format {
        Format::Xlsx => {
            let bytes = xlsx(&ev).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((bytes, format!("{name}.xlsx")))
        }
        Format::Pdf => {
            let parts = pdf_parts(&city, &ev);
            let title = format!("{city}{}{}", ev.label, T.title);
            let bytes = tokio::task::spawn_blocking(move || {
                crate::documents::pdf::render_parts(&title, &parts, Orientation::Landscape)
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((bytes, format!("{name}.pdf")))
        }
    }
}

/// The text of the reports, in one place.
struct ReportText {
    title: &'static str,
    file: &'static str,
    ranking: &'static str,
    columns: [&'static str; 13],
    officers: &'static str,
    officer_columns: [&'static str; 4],
    departments: &'static str,
    department_columns: [&'static str; 4],
    method: &'static str,
    not_rated: &'static str,
    met: &'static str,
    not_met: &'static str,
    in_progress: &'static str,
    as_of: &'static str,
    sheet_ranking: &'static str,
    sheet_officers: &'static str,
    sheet_departments: &'static str,
    sheet_method: &'static str,
}

const T: ReportText = ReportText {
    title: "政务服务绩效考核通报",
    file: "绩效考核通报",
    ranking: "一、部门考核排名",
    columns: [
        "名次",
        "部门",
        "所属县区",
        "得分",
        "等次",
        "办结件数",
        "按时办结率",
        "提前办结率",
        "超期件数",
        "黄牌/红牌",
        "整改按期率",
        "满意率",
        "投诉（每百件）",
    ],
    officers: "二、监察人员登录情况",
    officer_columns: ["姓名", "考核周（周一起）", "登录次数", "结论"],
    departments: "三、部门工作日登录情况",
    department_columns: ["部门", "工作日数", "有登录的天数", "未登录的工作日"],
    method: "考核办法",
    not_rated: "不参加排名",
    met: "达标",
    not_met: "未达标",
    in_progress: "（本期尚未结束，数据截至",
    as_of: "统计日期：",
    sheet_ranking: "考核排名",
    sheet_officers: "监察人员登录",
    sheet_departments: "部门登录",
    sheet_method: "考核办法",
};

fn pct(v: Option<f64>) -> String {
    v.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())
}

fn ind(l: &DeptLine, k: &str) -> Option<f64> {
    l.indicators.get(k).and_then(|v| v.as_f64())
}

fn grade_text(code: Option<&str>) -> String {
    code.map(|g| crate::messages::label("grade", g)).unwrap_or_else(|| "—".into())
}

/// The ranking table's cells of a line.
fn ranking_cells(l: &DeptLine) -> Vec<String> {
    vec![
        l.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
        l.department.clone(),
        l.county.clone().unwrap_or_else(|| "市直".into()),
        l.score.map(|s| format!("{s:.1}")).unwrap_or_else(|| T.not_rated.into()),
        grade_text(l.grade.as_deref()),
        l.figures.concluded.to_string(),
        pct(ind(l, "on_time_rate")),
        pct(ind(l, "early_rate")),
        l.figures.overdue.to_string(),
        format!("{}/{}", l.figures.yellow, l.figures.red),
        pct(ind(l, "rectified_rate")),
        pct(ind(l, "satisfaction_rate")),
        ind(l, "complaints_per_100").map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into()),
    ]
}

fn method_text(c: &Config) -> Vec<String> {
    let w = &c.weights;
    vec![
        format!(
            "得分为各项指标分（0–100）的加权平均，权重：按时办结率 {}、提前办结率 {}、超期 {}、红黄牌 {}、整改按期率 {}、满意率 {}、投诉 {}。本期没有数据的指标不计入，其权重随之不计。",
            w.on_time, w.early, w.overdue, w.cards, w.rectified, w.satisfaction, w.complaints
        ) + &if w.handover + w.credit > 0 {
            format!("另计审管推送按期认领率 {}、双公示按期公示率 {}。", w.handover, w.credit)
        } else {
            String::new()
        },
        format!(
            "超期指标分为未超期件数占本期到期件数的比例；红黄牌指标分为 100 分减去每张黄牌 {} 分、每张红牌 {} 分；投诉每百件达到 {} 件时投诉指标分为 0。满意率按非常满意、满意、基本满意计算，经申诉复核认定的误评、恶意评价不计入。",
            c.yellow_points, c.red_points, c.complaints_zero_per_100
        ),
        format!(
            "等次：{} 分及以上为优秀，{} 分及以上为良好，{} 分及以上为合格，以下为不合格。监察人员每周登录不少于 {} 次。",
            c.excellent_from, c.good_from, c.pass_from, c.weekly_logins
        ),
    ]
}

fn officer_rows(ev: &Evaluation) -> Vec<Vec<String>> {
    let mut rows = vec![];
    for o in &ev.officers {
        for w in &o.weeks {
            rows.push(vec![
                o.name.clone(),
                day(w.week),
                w.logins.to_string(),
                if w.met { T.met } else { T.not_met }.to_string(),
            ]);
        }
    }
    rows
}

fn department_rows(ev: &Evaluation) -> Vec<Vec<String>> {
    ev.departments
        .iter()
        .map(|d| {
            let missed: Vec<String> = d.presence.missed.iter().map(|m| m.format("%m-%d").to_string()).collect();
            vec![
                d.department.clone(),
                d.presence.working_days.to_string(),
                d.presence.days_signed_in.to_string(),
                if missed.is_empty() { "—".into() } else { missed.join("、") },
            ]
        })
        .collect()
}

fn summary(ev: &Evaluation) -> String {
    let t = &ev.totals;
    let ranked = ev.lines.iter().filter(|l| l.rank.is_some()).count();
    let count = |g: &str| ev.lines.iter().filter(|l| l.grade.as_deref() == Some(g)).count();
    let rate = |n: u64, d: u64| if d == 0 { "—".to_string() } else { format!("{:.1}%", n as f64 * 100.0 / d as f64) };
    format!(
        "本期（{}至{}）参加排名部门 {} 个，办结 {} 件，按时办结率 {}，提前办结率 {}；到期 {} 件中超期 {} 件；预警 {} 次，黄牌 {} 张，红牌 {} 张；应整改 {} 件，按期整改率 {}；有效评价 {} 条，满意率 {}；投诉 {} 件。考核等次：优秀 {} 个，良好 {} 个，合格 {} 个，不合格 {} 个。",
        ev.first_day, ev.last_day, ranked, t.concluded, rate(t.on_time, t.concluded), rate(t.early, t.concluded),
        t.due, t.overdue, t.warnings, t.yellow, t.red, t.rectify_due, rate(t.rectified_in_time, t.rectify_due),
        t.rated, rate(t.satisfied, t.rated), t.complaints, count("excellent"), count("good"), count("pass"), count("fail")
    )
}

fn pdf_parts(city: &str, ev: &Evaluation) -> Vec<Part> {
    let mut parts = vec![
        Part::Text(Block::new(format!("{city}{}", T.title), 20.0, Align::Center)),
        Part::Text(Block::new(format!("（{}）", ev.label), 14.0, Align::Center)),
    ];
    if !ev.complete {
        parts.push(Part::Text(Block::new(format!("{}{}）", T.in_progress, ev.as_of), 11.0, Align::Center)));
    }
    parts.push(Part::Text(Block::para(summary(ev)).gap(10.0)));
    parts.push(Part::Text(Block::new(T.ranking, 14.0, Align::Left).gap(10.0)));
    let widths = [4.0, 16.0, 7.0, 7.0, 5.0, 6.0, 7.0, 7.0, 6.0, 6.0, 7.0, 6.0, 7.0];
    parts.push(Part::Table(Table {
        columns: T
            .columns
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (h, w))| Column::new(*h, w, if i == 1 || i == 2 { Align::Left } else { Align::Right }))
            .collect(),
        rows: ev.lines.iter().map(ranking_cells).collect(),
        size: 9.0,
        space_before: 4.0,
    }));
    parts.push(Part::Text(Block::new(T.method, 12.0, Align::Left).gap(8.0)));
    for m in method_text(&ev.config) {
        parts.push(Part::Text(Block::para(m)));
    }
    parts.push(Part::Text(
        Block::new(format!("{}（每周不少于 {} 次）", T.officers, ev.config.weekly_logins), 14.0, Align::Left).gap(12.0),
    ));
    parts.push(Part::Table(Table {
        columns: T
            .officer_columns
            .iter()
            .zip([3.0, 3.0, 2.0, 2.0])
            .map(|(h, w)| Column::new(*h, w, Align::Left))
            .collect(),
        rows: officer_rows(ev),
        size: 10.0,
        space_before: 4.0,
    }));
    parts.push(Part::Text(Block::new(T.departments, 14.0, Align::Left).gap(12.0)));
    parts.push(Part::Table(Table {
        columns: T
            .department_columns
            .iter()
            .zip([4.0, 1.5, 1.5, 8.0])
            .map(|(h, w)| Column::new(*h, w, Align::Left))
            .collect(),
        rows: department_rows(ev),
        size: 10.0,
        space_before: 4.0,
    }));
    parts.push(Part::Text(Block::new(format!("{}{}", T.as_of, ev.as_of), 10.0, Align::Right).gap(12.0)));
    parts
}

fn xlsx(ev: &Evaluation) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as F, Workbook};
    let head = F::new().set_bold().set_background_color("DDEBF7");
    let mut wb = Workbook::new();
    let sheet = |wb: &mut Workbook, name: &str, cols: &[&str], rows: &[Vec<String>], widths: &[f64]| {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (c, h) in cols.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
            ws.set_column_width(c as u16, widths.get(c).copied().unwrap_or(12.0))?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // Figures are written as numbers so that they can be summed.
                match v.parse::<f64>() {
                    Ok(n) if !v.contains('-') || v.starts_with('-') => ws.write_number(r as u32 + 1, c as u16, n)?,
                    _ => ws.write_string(r as u32 + 1, c as u16, v)?,
                };
            }
        }
        ws.set_freeze_panes(1, 0)?;
        Ok::<(), rust_xlsxwriter::XlsxError>(())
    };
    let rows: Vec<Vec<String>> = ev.lines.iter().map(ranking_cells).collect();
    sheet(
        &mut wb,
        T.sheet_ranking,
        &T.columns,
        &rows,
        &[6.0, 28.0, 10.0, 8.0, 8.0, 10.0, 12.0, 12.0, 10.0, 10.0, 12.0, 10.0, 14.0],
    )?;
    sheet(&mut wb, T.sheet_officers, &T.officer_columns, &officer_rows(ev), &[12.0, 18.0, 10.0, 10.0])?;
    sheet(&mut wb, T.sheet_departments, &T.department_columns, &department_rows(ev), &[28.0, 10.0, 14.0, 60.0])?;
    let mut method =
        vec![vec![ev.label.clone()], vec![format!("{}至{}", ev.first_day, ev.last_day)], vec![summary(ev)]];
    method.extend(method_text(&ev.config).into_iter().map(|m| vec![m]));
    sheet(&mut wb, T.sheet_method, &[T.method], &method, &[120.0])?;
    wb.save_to_buffer()
}
