//! 绩效考核: the evaluation of departments per period (half-month, month,
//! quarter) from the facts the platform records — conclusions against their
//! promised deadlines, deadlines missed, yellow and red cards, rectification
//! in time, ratings and complaints — into a weighted score, a ranking and a
//! grade; and the login activity regulations 003 第五条 (supervision officers
//! at least three times a week) and 000 第七条(五) (departments on working
//! days) ask for.
//!
//! Every indicator is a sub-score from 0 to 100. The score is the weighted
//! mean of the sub-scores that have data (an indicator without a denominator
//! is left out, its weight with it). A department with no data at all is
//! listed but not ranked.

use crate::calendar::{Calendar, CalendarError};
use crate::cases::{CaseState, Outcome};
use crate::supervision::{FindingState, Severity};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The cases judged against their promised deadline: accepted and still
/// in the department's hands, or concluded (办结, delivered or not).
/// Refused and withdrawn cases are left out, and so are the outcomes of
/// [`UNCOUNTED_OUTCOMES`].
pub const JUDGED_STATES: &[CaseState] =
    &[CaseState::InProgress, CaseState::Deciding, CaseState::Concluded, CaseState::Delivered];

/// Conclusions the evaluation does not count: a voided case (作废) is
/// neither a conclusion nor a missed deadline of its department.
pub const UNCOUNTED_OUTCOMES: &[Outcome] = &[Outcome::Voided];

/// The length of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// 半月 (regulation 004 第二十五条)
    HalfMonth,
    Month,
    Quarter,
}

impl PeriodKind {
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::HalfMonth => "half_month",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
        }
    }
    pub fn parse(s: &str) -> Option<PeriodKind> {
        match s {
            "half_month" => Some(PeriodKind::HalfMonth),
            "month" => Some(PeriodKind::Month),
            "quarter" => Some(PeriodKind::Quarter),
            _ => None,
        }
    }
}

/// One evaluation period. Its code is `2025-10-1` / `2025-10-2` (the first
/// and second half of October 2025), `2025-10` (the month) or `2025-Q4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i32,
    /// Month 1–12 (half-month and month) or quarter 1–4.
    pub index: u32,
    /// 1 or 2 for a half-month, 0 otherwise.
    pub half: u32,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (year, rest) = s.split_once('-')?;
        if year.len() != 4 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if !(2000..=2999).contains(&year) {
            return None;
        }
        if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
            let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return Some(Period { kind: PeriodKind::Quarter, year, index: q, half: 0 });
        }
        let (month, half) = match rest.split_once('-') {
            Some((m, h)) => (m, Some(h)),
            None => (rest, None),
        };
        if month.len() != 2 {
            return None;
        }
        let month: u32 = month.parse().ok().filter(|m| (1..=12).contains(m))?;
        match half {
            None => Some(Period { kind: PeriodKind::Month, year, index: month, half: 0 }),
            Some("1") => Some(Period { kind: PeriodKind::HalfMonth, year, index: month, half: 1 }),
            Some("2") => Some(Period { kind: PeriodKind::HalfMonth, year, index: month, half: 2 }),
            Some(_) => None,
        }
    }

    /// The period of this kind that holds `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Period {
        let (year, month) = (day.year(), day.month());
        match kind {
            PeriodKind::HalfMonth => Period { kind, year, index: month, half: if day.day() <= 15 { 1 } else { 2 } },
            PeriodKind::Month => Period { kind, year, index: month, half: 0 },
            PeriodKind::Quarter => Period { kind, year, index: (month - 1) / 3 + 1, half: 0 },
        }
    }

    pub fn code(&self) -> String {
        match self.kind {
            PeriodKind::HalfMonth => format!("{}-{:02}-{}", self.year, self.index, self.half),
            PeriodKind::Month => format!("{}-{:02}", self.year, self.index),
            PeriodKind::Quarter => format!("{}-Q{}", self.year, self.index),
        }
    }

    /// The name shown in reports.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::HalfMonth => {
                format!("{}年{}月{}", self.year, self.index, if self.half == 1 { "上半月" } else { "下半月" })
            }
            PeriodKind::Month => format!("{}年{}月", self.year, self.index),
            PeriodKind::Quarter => {
                format!("{}年第{}季度", self.year, ["一", "二", "三", "四"][(self.index - 1) as usize])
            }
        }
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        let month = match self.kind {
            PeriodKind::Quarter => (self.index - 1) * 3 + 1,
            _ => self.index,
        };
        let day = if self.half == 2 { 16 } else { 1 };
        NaiveDate::from_ymd_opt(self.year, month, day).expect("valid period")
    }

    /// The day after the last day.
    pub fn end(&self) -> NaiveDate {
        let first_of = |y: i32, m: u32| {
            let (y, m) = if m > 12 { (y + 1, m - 12) } else { (y, m) };
            NaiveDate::from_ymd_opt(y, m, 1).expect("valid month")
        };
        match self.kind {
            PeriodKind::HalfMonth if self.half == 1 => {
                NaiveDate::from_ymd_opt(self.year, self.index, 16).expect("valid day")
            }
            PeriodKind::HalfMonth | PeriodKind::Month => first_of(self.year, self.index + 1),
            PeriodKind::Quarter => first_of(self.year, self.index * 3 + 1),
        }
    }

    /// The period before this one, of the same kind.
    pub fn previous(&self) -> Period {
        Period::containing(self.kind, self.start() - Duration::days(1))
    }

    /// The period after this one, of the same kind.
    pub fn next(&self) -> Period {
        Period::containing(self.kind, self.end())
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start() <= d && d < self.end()
    }
}

/// Grades (考核等次).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 优秀
    Excellent,
    /// 良好
    Good,
    /// 合格
    Pass,
    /// 不合格
    Fail,
}

impl Grade {
    pub fn code(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Good => "good",
            Grade::Pass => "pass",
            Grade::Fail => "fail",
        }
    }
    pub fn text(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }
}

/// The weight of each indicator (whole numbers; only their ratios matter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EvaluationWeights))]
pub struct Weights {
    pub on_time: u32,
    pub early: u32,
    pub overdue: u32,
    pub cards: u32,
    pub rectified: u32,
    pub satisfaction: u32,
    pub complaints: u32,
    /// 审管 records claimed by their last day (as regulator); 0 by default:
    /// the scores do not move until the supervision office weighs it.
    #[serde(default)]
    pub handover: u32,
    /// 行政许可 decisions published (双公示) by their last day; 0 by default.
    #[serde(default)]
    pub credit: u32,
}

/// What the supervision office sets for the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EvaluationConfig))]
pub struct Config {
    pub weights: Weights,
    /// Points a yellow card takes off the cards sub-score.
    pub yellow_points: u32,
    /// Points a red card takes off the cards sub-score.
    pub red_points: u32,
    /// Complaints per 100 concluded cases at which the complaints sub-score is 0.
    pub complaints_zero_per_100: u32,
    /// Lowest score of 优秀, 良好 and 合格.
    pub excellent_from: u32,
    pub good_from: u32,
    pub pass_from: u32,
    /// Logins a supervision officer owes per week (regulation 003 第五条).
    pub weekly_logins: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            weights: Weights {
                on_time: 30,
                early: 10,
                overdue: 15,
                cards: 15,
                rectified: 10,
                satisfaction: 15,
                complaints: 5,
                handover: 0,
                credit: 0,
            },
            yellow_points: 2,
            red_points: 5,
            complaints_zero_per_100: 5,
            excellent_from: 90,
            good_from: 80,
            pass_from: 60,
            weekly_logins: 3,
        }
    }
}

/// Why a configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("every weight is 0–100 and at least one is above 0")]
    Weights,
    #[error("card points are 0–100")]
    CardPoints,
    #[error("the complaint rate that gives 0 is 1–100 per 100 cases")]
    ComplaintRate,
    #[error("grade thresholds must be 100 ≥ excellent > good > pass ≥ 1")]
    Thresholds,
    #[error("weekly logins are 1–7")]
    WeeklyLogins,
}

impl Config {
    pub fn check(&self) -> Result<(), ConfigError> {
        let w = &self.weights;
        let all =
            [w.on_time, w.early, w.overdue, w.cards, w.rectified, w.satisfaction, w.complaints, w.handover, w.credit];
        if all.iter().any(|x| *x > 100) || all.iter().all(|x| *x == 0) {
            return Err(ConfigError::Weights);
        }
        if self.yellow_points > 100 || self.red_points > 100 {
            return Err(ConfigError::CardPoints);
        }
        if !(1..=100).contains(&self.complaints_zero_per_100) {
            return Err(ConfigError::ComplaintRate);
        }
        if !(self.excellent_from <= 100
            && self.excellent_from > self.good_from
            && self.good_from > self.pass_from
            && self.pass_from >= 1)
        {
            return Err(ConfigError::Thresholds);
        }
        if !(1..=7).contains(&self.weekly_logins) {
            return Err(ConfigError::WeeklyLogins);
        }
        Ok(())
    }

    pub fn grade(&self, score: f64) -> Grade {
        if score >= f64::from(self.excellent_from) {
            Grade::Excellent
        } else if score >= f64::from(self.good_from) {
            Grade::Good
        } else if score >= f64::from(self.pass_from) {
            Grade::Pass
        } else {
            Grade::Fail
        }
    }
}

/// The raw counts of one department in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EvaluationFigures))]
pub struct Figures {
    /// Cases concluded in the period (voided ones left out).
    pub concluded: u64,
    /// … of which by their promised deadline.
    pub on_time: u64,
    /// … of which before their promised deadline (提前办结).
    pub early: u64,
    /// Cases whose promised deadline fell in the period and has passed.
    pub due: u64,
    /// … of which not concluded by it (超期).
    pub overdue: u64,
    pub warnings: u64,
    pub yellow: u64,
    pub red: u64,
    /// Findings whose rectification deadline fell in the period and has passed (or that were answered).
    pub rectify_due: u64,
    /// … of which answered by the deadline with the answer not rejected.
    pub rectified_in_time: u64,
    /// Ratings given in the period, less those an appeal struck out.
    pub rated: u64,
    /// … of which 非常满意, 满意 or 基本满意.
    pub satisfied: u64,
    /// Ratings struck out by an upheld appeal (申诉复核).
    pub struck_out: u64,
    /// Complaints (投诉) received in the period.
    pub complaints: u64,
    /// 审管 records pushed to the department whose last day to claim fell
    /// in the period and has passed (or that were claimed).
    #[serde(default)]
    pub handover_due: u64,
    /// … of which claimed by their last day.
    #[serde(default)]
    pub handover_in_time: u64,
    /// 行政许可 decisions whose last day to publish (双公示) fell in the
    /// period and has passed (or that were published).
    #[serde(default)]
    pub credit_due: u64,
    /// … of which published by their last day.
    #[serde(default)]
    pub credit_in_time: u64,
}

impl Figures {
    /// A concluded case, on the day it concluded.
    pub fn concluded(&mut self, on: NaiveDate, promised_due: Option<NaiveDate>) {
        self.concluded += 1;
        // A case without a promised deadline (never accepted into time) is on time.
        let due = promised_due.unwrap_or(on);
        if on <= due {
            self.on_time += 1;
        }
        if on < due {
            self.early += 1;
        }
    }

    /// A case whose promised deadline fell in the period and is past
    /// (`today` is after it); `concluded_on` is its conclusion day, if any.
    pub fn deadline(&mut self, due: NaiveDate, concluded_on: Option<NaiveDate>) {
        self.due += 1;
        if concluded_on.is_none_or(|c| c > due) {
            self.overdue += 1;
        }
    }

    /// A finding found in the period, by its severity code.
    pub fn finding(&mut self, severity: &str) {
        match Severity::parse(severity) {
            Some(Severity::Warning) => self.warnings += 1,
            Some(Severity::Yellow) => self.yellow += 1,
            Some(Severity::Red) => self.red += 1,
            _ => {}
        }
    }

    /// A finding whose rectification deadline is in the period, with its
    /// last answer's day and its state code. An answer stands unless it was
    /// sent back (the finding is `open` again).
    pub fn rectification(&mut self, due: NaiveDate, answered_on: Option<NaiveDate>, state: &str) {
        self.rectify_due += 1;
        let answer_stands = state != FindingState::Open.code();
        if answer_stands && answered_on.is_some_and(|a| a <= due) {
            self.rectified_in_time += 1;
        }
    }

    /// A rating given in the period (level 1–5), and whether an appeal against it was upheld.
    pub fn rating(&mut self, level: u8, struck_out: bool) {
        if struck_out {
            self.struck_out += 1;
            return;
        }
        self.rated += 1;
        if level <= 3 {
            self.satisfied += 1;
        }
    }

    /// A 审管 record whose last day to claim `due` is in the period, and the
    /// day it was claimed, if it was.
    pub fn claim(&mut self, due: NaiveDate, claimed_on: Option<NaiveDate>) {
        self.handover_due += 1;
        if claimed_on.is_some_and(|c| c <= due) {
            self.handover_in_time += 1;
        }
    }

    /// A 行政许可 decision whose last day to publish `due` is in the period,
    /// and the day it was published, if it was.
    pub fn publication(&mut self, due: NaiveDate, published_on: Option<NaiveDate>) {
        self.credit_due += 1;
        if published_on.is_some_and(|p| p <= due) {
            self.credit_in_time += 1;
        }
    }

    /// Nothing judged on the cases, rectifications, ratings or complaints
    /// (the 审管 and 双公示 figures are weighed only where configured and
    /// leave this as it was).
    pub fn is_empty(&self) -> bool {
        self.concluded == 0 && self.due == 0 && self.rectify_due == 0 && self.rated == 0 && self.complaints == 0
    }
}

impl std::ops::AddAssign<&Figures> for Figures {
    /// Adds another department's figures (the city's totals).
    fn add_assign(&mut self, f: &Figures) {
        self.concluded += f.concluded;
        self.on_time += f.on_time;
        self.early += f.early;
        self.due += f.due;
        self.overdue += f.overdue;
        self.warnings += f.warnings;
        self.yellow += f.yellow;
        self.red += f.red;
        self.rectify_due += f.rectify_due;
        self.rectified_in_time += f.rectified_in_time;
        self.rated += f.rated;
        self.satisfied += f.satisfied;
        self.struck_out += f.struck_out;
        self.complaints += f.complaints;
        self.handover_due += f.handover_due;
        self.handover_in_time += f.handover_in_time;
        self.credit_due += f.credit_due;
        self.credit_in_time += f.credit_in_time;
    }
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// The rates and sub-scores derived from the figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EvaluationIndicators))]
pub struct Indicators {
    pub on_time_rate: Option<f64>,
    pub early_rate: Option<f64>,
    pub overdue_rate: Option<f64>,
    pub rectified_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    /// Complaints per 100 concluded cases.
    pub complaints_per_100: Option<f64>,
    pub on_time: Option<f64>,
    pub early: Option<f64>,
    pub overdue: Option<f64>,
    pub cards: Option<f64>,
    pub rectified: Option<f64>,
    pub satisfaction: Option<f64>,
    pub complaints: Option<f64>,
    /// 审管 records claimed in time over those due, and its sub-score.
    pub handover_rate: Option<f64>,
    pub handover: Option<f64>,
    /// 双公示 published in time over those due, and its sub-score.
    pub credit_rate: Option<f64>,
    pub credit: Option<f64>,
}

pub fn indicators(cfg: &Config, f: &Figures) -> Indicators {
    let on_time_rate = ratio(f.on_time, f.concluded);
    let early_rate = ratio(f.early, f.concluded);
    let overdue_rate = ratio(f.overdue, f.due);
    let rectified_rate = ratio(f.rectified_in_time, f.rectify_due);
    let satisfaction_rate = ratio(f.satisfied, f.rated);
    let handover_rate = ratio(f.handover_in_time, f.handover_due);
    let credit_rate = ratio(f.credit_in_time, f.credit_due);
    let complaints_per_100 = ratio(f.complaints * 100, f.concluded);
    let pct = |r: Option<f64>| r.map(|r| round(r * 100.0, 2));
    let complaints = if f.concluded == 0 {
        (f.complaints > 0).then_some(0.0)
    } else {
        complaints_per_100.map(|c| round((1.0 - c / f64::from(cfg.complaints_zero_per_100)).max(0.0) * 100.0, 2))
    };
    // Cards count when the department had any work to be judged on.
    let cards = (!f.is_empty() || f.yellow + f.red > 0).then(|| {
        let lost = f.yellow * u64::from(cfg.yellow_points) + f.red * u64::from(cfg.red_points);
        100.0 - (lost.min(100) as f64)
    });
    Indicators {
        on_time_rate: on_time_rate.map(|r| round(r, 4)),
        early_rate: early_rate.map(|r| round(r, 4)),
        overdue_rate: overdue_rate.map(|r| round(r, 4)),
        rectified_rate: rectified_rate.map(|r| round(r, 4)),
        satisfaction_rate: satisfaction_rate.map(|r| round(r, 4)),
        complaints_per_100: complaints_per_100.map(|r| round(r, 2)),
        on_time: pct(on_time_rate),
        early: pct(early_rate),
        overdue: pct(overdue_rate.map(|r| 1.0 - r)),
        cards,
        rectified: pct(rectified_rate),
        satisfaction: pct(satisfaction_rate),
        complaints,
        handover_rate: handover_rate.map(|r| round(r, 4)),
        handover: pct(handover_rate),
        credit_rate: credit_rate.map(|r| round(r, 4)),
        credit: pct(credit_rate),
    }
}

/// The weighted mean of the sub-scores that have data, to one decimal.
pub fn score(cfg: &Config, i: &Indicators) -> Option<f64> {
    let w = &cfg.weights;
    let parts = [
        (i.on_time, w.on_time),
        (i.early, w.early),
        (i.overdue, w.overdue),
        (i.cards, w.cards),
        (i.rectified, w.rectified),
        (i.satisfaction, w.satisfaction),
        (i.complaints, w.complaints),
        (i.handover, w.handover),
        (i.credit, w.credit),
    ];
    let (mut sum, mut weight) = (0.0, 0u32);
    for (s, w) in parts {
        if let (Some(s), true) = (s, w > 0) {
            sum += s * f64::from(w);
            weight += w;
        }
    }
    (weight > 0).then(|| round(sum / f64::from(weight), 1))
}

/// One department's line of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line<K> {
    pub key: K,
    pub figures: Figures,
    pub indicators: Indicators,
    pub score: Option<f64>,
    pub grade: Option<Grade>,
    /// 1 for the best; equal scores share a rank (1, 2, 2, 4).
    pub rank: Option<u32>,
}

/// Scores, grades and ranks the departments. A department with no figures
/// is listed last, unranked. Ties are listed in the order given.
pub fn rank<K: Clone>(cfg: &Config, departments: Vec<(K, Figures)>) -> Vec<Line<K>> {
    let mut lines: Vec<Line<K>> = departments
        .into_iter()
        .map(|(key, figures)| {
            let indicators = indicators(cfg, &figures);
            // The 审管 and 双公示 figures alone give a score only where weighed.
            let weighed = (cfg.weights.handover > 0 && figures.handover_due > 0)
                || (cfg.weights.credit > 0 && figures.credit_due > 0);
            let score = if figures.is_empty() && figures.yellow + figures.red == 0 && !weighed {
                None
            } else {
                score(cfg, &indicators)
            };
            Line { key, figures, indicators, score, grade: score.map(|s| cfg.grade(s)), rank: None }
        })
        .collect();
    // Stable: equal scores keep the given order.
    lines.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut prev: Option<(f64, u32)> = None;
    for (i, l) in lines.iter_mut().enumerate() {
        let Some(s) = l.score else { break };
        let r = match prev {
            Some((p, r)) if p == s => r,
            _ => i as u32 + 1,
        };
        l.rank = Some(r);
        prev = Some((s, r));
    }
    lines
}

/// A week (Monday to Sunday) judged in a period: those whose Sunday falls
/// in the period and is before `today`. The week in progress is not judged.
pub fn judged_weeks(p: &Period, today: NaiveDate) -> Vec<NaiveDate> {
    let mut out = vec![];
    let start = p.start();
    // The first Sunday on or after the start.
    let mut sunday = start + Duration::days((6 - i64::from(start.weekday().num_days_from_monday())).rem_euclid(7));
    while sunday < p.end() && sunday < today {
        out.push(sunday - Duration::days(6));
        sunday += Duration::days(7);
    }
    out
}

/// The working days of a period up to (not including) `today`.
pub fn judged_working_days(cal: &Calendar, p: &Period, today: NaiveDate) -> Result<Vec<NaiveDate>, CalendarError> {
    let mut out = vec![];
    let mut d = p.start();
    let end = p.end().min(today);
    while d < end {
        if cal.is_working_day(d)? {
            out.push(d);
        }
        d += Duration::days(1);
    }
    Ok(out)
}

/// A supervision officer's logins per judged week, against the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekLogins {
    /// The Monday.
    pub week: NaiveDate,
    pub logins: u32,
    pub met: bool,
}

/// Counts `logins` (their local days) into the judged weeks.
pub fn weekly_logins(cfg: &Config, weeks: &[NaiveDate], logins: &[NaiveDate]) -> Vec<WeekLogins> {
    weeks
        .iter()
        .map(|monday| {
            let n = logins.iter().filter(|d| **d >= *monday && **d < *monday + Duration::days(7)).count() as u32;
            WeekLogins { week: *monday, logins: n, met: n >= cfg.weekly_logins }
        })
        .collect()
}

/// A department's presence on the working days of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Presence {
    pub working_days: u32,
    pub days_signed_in: u32,
    /// The working days on which nobody of the department signed in.
    pub missed: Vec<NaiveDate>,
}

pub fn presence(working_days: &[NaiveDate], login_days: &[NaiveDate]) -> Presence {
    let missed: Vec<NaiveDate> = working_days.iter().filter(|d| !login_days.contains(d)).copied().collect();
    Presence {
        working_days: working_days.len() as u32,
        days_signed_in: (working_days.len() - missed.len()) as u32,
        missed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::shipped_years;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_parse_bound_and_step() {
        let h = Period::parse("2025-10-2").unwrap();
        assert_eq!((h.start(), h.end()), (d("2025-10-16"), d("2025-11-01")));
        assert_eq!(h.label(), "2025年10月下半月");
        assert_eq!(h.previous().code(), "2025-10-1");
        assert_eq!(h.next().code(), "2025-11-1");
        let f = Period::parse("2024-02-2").unwrap();
        assert_eq!(f.end(), d("2024-03-01"));
        let m = Period::parse("2025-12").unwrap();
        assert_eq!((m.start(), m.end()), (d("2025-12-01"), d("2026-01-01")));
        assert_eq!(m.next().code(), "2026-01");
        let q = Period::parse("2025-Q4").unwrap();
        assert_eq!((q.start(), q.end(), q.label()), (d("2025-10-01"), d("2026-01-01"), "2025年第四季度".into()));
        assert_eq!(Period::parse("2026-Q1").unwrap().previous(), q);
        assert_eq!(Period::containing(PeriodKind::Quarter, d("2025-08-15")).code(), "2025-Q3");
        assert_eq!(Period::containing(PeriodKind::HalfMonth, d("2025-08-15")).code(), "2025-08-1");
        assert_eq!(Period::containing(PeriodKind::HalfMonth, d("2025-08-16")).code(), "2025-08-2");
        for bad in ["2025-13", "2025-1", "2025-10-3", "2025-Q5", "25-10", "2025", "", "2025-10-", "abcd-10"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert!(q.contains(d("2025-12-31")) && !q.contains(d("2026-01-01")));
    }

    #[test]
    fn figures_count_on_time_early_and_overdue_by_the_day() {
        let mut f = Figures::default();
        f.concluded(d("2025-10-09"), Some(d("2025-10-10"))); // early
        f.concluded(d("2025-10-10"), Some(d("2025-10-10"))); // on the day: on time, not early
        f.concluded(d("2025-10-13"), Some(d("2025-10-10"))); // late
        f.deadline(d("2025-10-10"), Some(d("2025-10-10")));
        f.deadline(d("2025-10-10"), Some(d("2025-10-13")));
        f.deadline(d("2025-10-10"), None);
        assert_eq!((f.concluded, f.on_time, f.early, f.due, f.overdue), (3, 2, 1, 3, 2));
        f.rectification(d("2025-10-10"), Some(d("2025-10-10")), "closed");
        f.rectification(d("2025-10-10"), Some(d("2025-10-09")), "open"); // rejected answer
        f.rectification(d("2025-10-10"), Some(d("2025-10-11")), "replied"); // late
        f.rectification(d("2025-10-10"), None, "open");
        assert_eq!((f.rectify_due, f.rectified_in_time), (4, 1));
        for (level, struck) in [(1, false), (3, false), (4, false), (5, true)] {
            f.rating(level, struck);
        }
        assert_eq!((f.rated, f.satisfied, f.struck_out), (3, 2, 1));
    }

    #[test]
    fn score_is_the_weighted_mean_of_indicators_with_data() {
        let cfg = Config::default();
        let mut f = Figures { concluded: 10, on_time: 9, early: 5, due: 10, overdue: 1, ..Figures::default() };
        f.yellow = 1;
        let i = indicators(&cfg, &f);
        assert_eq!((i.on_time, i.early, i.overdue, i.cards), (Some(90.0), Some(50.0), Some(90.0), Some(98.0)));
        assert_eq!((i.rectified, i.satisfaction), (None, None));
        assert_eq!(i.complaints, Some(100.0));
        // (90·30 + 50·10 + 90·15 + 98·15 + 100·5) / 75 = 6520 / 75 = 86.93…
        assert_eq!(score(&cfg, &i), Some(86.9));
        f.complaints = 1; // 10 per 100 cases ≥ 5: sub-score 0
        assert_eq!(indicators(&cfg, &f).complaints, Some(0.0));
        let f2 = Figures { concluded: 40, on_time: 40, complaints: 1, ..Figures::default() };
        assert_eq!(indicators(&cfg, &f2).complaints, Some(50.0)); // 2.5 per 100 of 5
        let many = Figures { yellow: 20, red: 30, ..Figures::default() };
        assert_eq!(indicators(&cfg, &many).cards, Some(0.0));
    }

    #[test]
    fn ranking_shares_ranks_on_ties_and_leaves_empty_departments_unranked() {
        let cfg = Config::default();
        let perfect = Figures { concluded: 4, on_time: 4, early: 4, due: 4, ..Figures::default() };
        let weak = Figures { concluded: 4, on_time: 2, due: 4, overdue: 2, red: 1, ..Figures::default() };
        let lines = rank(&cfg, vec![("empty", Figures::default()), ("weak", weak), ("a", perfect), ("b", perfect)]);
        let got: Vec<_> = lines.iter().map(|l| (l.key, l.rank, l.grade)).collect();
        assert_eq!(
            got,
            vec![
                ("a", Some(1), Some(Grade::Excellent)),
                ("b", Some(1), Some(Grade::Excellent)),
                ("weak", Some(3), Some(Grade::Fail)),
                ("empty", None, None),
            ]
        );
        // weak: on time 50·30, early 0·10, overdue 50·15, cards 95·15, complaints 100·5 → 4175/75 = 55.7
        assert_eq!(lines[2].score, Some(55.7));
        assert_eq!(cfg.grade(90.0), Grade::Excellent);
        assert_eq!(cfg.grade(89.9), Grade::Good);
        assert_eq!(cfg.grade(60.0), Grade::Pass);
    }

    #[test]
    fn config_is_checked() {
        let ok = Config::default();
        assert_eq!(ok.check(), Ok(()));
        let mut c = ok;
        c.weights = Weights {
            on_time: 0,
            early: 0,
            overdue: 0,
            cards: 0,
            rectified: 0,
            satisfaction: 0,
            complaints: 0,
            handover: 0,
            credit: 0,
        };
        assert_eq!(c.check(), Err(ConfigError::Weights));
        let mut c = ok;
        c.good_from = 90;
        assert_eq!(c.check(), Err(ConfigError::Thresholds));
        let mut c = ok;
        c.weekly_logins = 0;
        assert_eq!(c.check(), Err(ConfigError::WeeklyLogins));
        let mut c = ok;
        c.complaints_zero_per_100 = 0;
        assert_eq!(c.check(), Err(ConfigError::ComplaintRate));
    }

    #[test]
    fn activity_is_judged_on_whole_weeks_and_working_days() {
        let cal = Calendar::new(shipped_years()).unwrap();
        // October 2025, first half: 1–8 are the National Day holiday, 11 (Sat) a make-up working day.
        let p = Period::parse("2025-10-1").unwrap();
        let days = judged_working_days(&cal, &p, d("2025-11-20")).unwrap();
        assert_eq!(
            days,
            vec![d("2025-10-09"), d("2025-10-10"), d("2025-10-11"), d("2025-10-13"), d("2025-10-14"), d("2025-10-15")]
        );
        assert_eq!(judged_working_days(&cal, &p, d("2025-10-13")).unwrap().len(), 3);
        let pr = presence(&days, &[d("2025-10-09"), d("2025-10-12"), d("2025-10-13")]);
        assert_eq!((pr.working_days, pr.days_signed_in, pr.missed.len()), (6, 2, 4));
        // Sundays 10-05 and 10-12 fall in the first half.
        let weeks = judged_weeks(&p, d("2025-11-20"));
        assert_eq!(weeks, vec![d("2025-09-29"), d("2025-10-06")]);
        assert_eq!(judged_weeks(&p, d("2025-10-12")), vec![d("2025-09-29")]);
        let cfg = Config::default();
        let logins = [d("2025-09-29"), d("2025-10-01"), d("2025-10-05"), d("2025-10-06"), d("2025-10-12")];
        let w = weekly_logins(&cfg, &weeks, &logins);
        assert_eq!(w.iter().map(|w| (w.logins, w.met)).collect::<Vec<_>>(), vec![(3, true), (2, false)]);
    }
}

#[cfg(test)]
mod weighed_duties {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn handover_and_credit_move_the_score_only_when_weighed() {
        let mut f = Figures::default();
        f.concluded(d("2025-10-10"), Some(d("2025-10-10")));
        f.claim(d("2025-10-03"), None);
        f.claim(d("2025-10-03"), Some(d("2025-10-03")));
        f.publication(d("2025-10-06"), Some(d("2025-10-07")));
        let plain = {
            let mut p = f;
            (p.handover_due, p.handover_in_time, p.credit_due, p.credit_in_time) = (0, 0, 0, 0);
            p
        };
        let cfg = Config::default();
        assert_eq!((cfg.weights.handover, cfg.weights.credit), (0, 0));
        // With the default weights the score is what it was without the figures.
        let s = |c: &Config, f: &Figures| score(c, &indicators(c, f));
        assert_eq!(s(&cfg, &f), s(&cfg, &plain));
        let i = indicators(&cfg, &f);
        assert_eq!((i.handover, i.credit), (Some(50.0), Some(0.0)));
        // Weighed, they pull it down.
        let weighed = Config { weights: Weights { handover: 10, credit: 10, ..cfg.weights }, ..cfg };
        assert!(weighed.check().is_ok());
        assert!(s(&weighed, &f).unwrap() < s(&cfg, &f).unwrap(), "{:?} {:?}", s(&weighed, &f), s(&cfg, &f));
        // A stored configuration without them reads as 0.
        let old =
            r#"{"on_time":30,"early":10,"overdue":15,"cards":15,"rectified":10,"satisfaction":15,"complaints":5}"#;
        let w: Weights = serde_json::from_str(old).unwrap();
        assert_eq!(w, cfg.weights);
    }
}
