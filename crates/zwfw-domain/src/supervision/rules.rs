//! The coded rules, their severities and parameters, and the rule set
//! evaluation runs with.

use super::SupervisionError;
use crate::codes::code_list;
use serde::{Deserialize, Serialize};

/// The rule codes. Their names live in the rules table (editable); the
/// defaults are in the web layer's message catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RuleCode {
    /// 预警: the promised deadline is at most `days` working days away.
    W01,
    /// 环节超时 while the case is within its promised limit.
    W02,
    /// 预警: a record pushed to a regulator (审管交互) still unclaimed and
    /// its last day to claim at most `days` working days away.
    W03,
    /// 黄牌: promised limit exceeded.
    Y01,
    /// 黄牌: a complaint about staff conduct that supervision verified
    /// (投诉查实, regulation 001 第十二条); recorded by an officer, not evaluated.
    Y02,
    /// 黄牌: a record pushed to a regulator still unclaimed after its last
    /// day to claim.
    Y03,
    /// 红牌: legal limit exceeded.
    R01,
    /// 红牌: a yellow card not rectified within `days` working days.
    R02,
    /// 红牌: `count` yellow cards for one department in a calendar month.
    R03,
    /// Acceptance not decided within 5 working days (deemed accepted).
    A01,
    /// More than one supplement notice on one application.
    A02,
    /// Refusal, denial or void without a reason.
    A03,
    /// Fee charged differs from the item's fee standard.
    A04,
    /// Concluded without passing its steps, or steps out of order.
    A05,
    /// Special procedure longer than the item declares, or an extension
    /// without approval (or beyond the statutory ten days).
    A06,
    /// Item changed outside the governance flow; deletion of business data.
    A07,
    /// A consultation, complaint or bad-rating follow-up past its due day.
    A08,
    /// A 告知承诺 (a commitment signed instead of a material) that the
    /// department found unfulfilled; recorded by the department, not
    /// evaluated.
    A09,
    /// Continuity in question: no successful backup for 26 hours, or the
    /// restore drill failed or did not pass in its period.
    A10,
    /// 数据交换: the oldest row waiting for the 前置库 is older than `hours`,
    /// or a row the province (or the exporter's checks) rejected is still
    /// not corrected and sent again `days` working days later.
    A11,
    /// 双公示超期未公示: a 行政许可 decision not published by the seventh
    /// working day after it.
    A12,
    /// 维护需求超期未答复: a configuration or maintenance request (配置/维护需求)
    /// left unanswered by the service centre beyond `days` working days after
    /// its submission (default 5).
    A13,
}

impl RuleCode {
    pub const ALL: [RuleCode; 22] = [
        RuleCode::W01,
        RuleCode::W02,
        RuleCode::W03,
        RuleCode::Y01,
        RuleCode::Y02,
        RuleCode::Y03,
        RuleCode::R01,
        RuleCode::R02,
        RuleCode::R03,
        RuleCode::A01,
        RuleCode::A02,
        RuleCode::A03,
        RuleCode::A04,
        RuleCode::A05,
        RuleCode::A06,
        RuleCode::A07,
        RuleCode::A08,
        RuleCode::A09,
        RuleCode::A10,
        RuleCode::A11,
        RuleCode::A12,
        RuleCode::A13,
    ];

    /// The rules on 审管 pushes left unclaimed (W03, Y03): the regulator's
    /// duty, kept out of the department evaluation's cards and of R03.
    pub const HANDOVER: [RuleCode; 2] = [RuleCode::W03, RuleCode::Y03];

    /// Whether `code` names one of [`RuleCode::HANDOVER`].
    pub fn is_handover_code(code: &str) -> bool {
        RuleCode::HANDOVER.iter().any(|r| r.code() == code)
    }

    pub const fn code(self) -> &'static str {
        match self {
            RuleCode::W01 => "W01",
            RuleCode::W02 => "W02",
            RuleCode::W03 => "W03",
            RuleCode::Y01 => "Y01",
            RuleCode::Y02 => "Y02",
            RuleCode::Y03 => "Y03",
            RuleCode::R01 => "R01",
            RuleCode::R02 => "R02",
            RuleCode::R03 => "R03",
            RuleCode::A01 => "A01",
            RuleCode::A02 => "A02",
            RuleCode::A03 => "A03",
            RuleCode::A04 => "A04",
            RuleCode::A05 => "A05",
            RuleCode::A06 => "A06",
            RuleCode::A07 => "A07",
            RuleCode::A08 => "A08",
            RuleCode::A09 => "A09",
            RuleCode::A10 => "A10",
            RuleCode::A11 => "A11",
            RuleCode::A12 => "A12",
            RuleCode::A13 => "A13",
        }
    }

    pub fn parse(s: &str) -> Option<RuleCode> {
        RuleCode::ALL.into_iter().find(|c| c.code() == s)
    }

    /// The colour a fact of this rule carries.
    pub fn severity(self) -> Severity {
        match self {
            RuleCode::W01 | RuleCode::W02 | RuleCode::W03 => Severity::Warning,
            RuleCode::Y01 | RuleCode::Y02 | RuleCode::Y03 => Severity::Yellow,
            RuleCode::R01 | RuleCode::R02 | RuleCode::R03 => Severity::Red,
            _ => Severity::Anomaly,
        }
    }

    /// The parameters a rule starts with.
    pub fn default_params(self) -> Params {
        let mut p = Params { days: None, count: None, hours: None, reply_days: DEFAULT_REPLY_DAYS };
        match self {
            RuleCode::W01 | RuleCode::W03 => p.days = Some(1),
            RuleCode::R02 => p.days = Some(5),
            RuleCode::A13 => p.days = Some(crate::governance::DEFAULT_ANSWER_DAYS),
            RuleCode::R03 => p.count = Some(3),
            RuleCode::A11 => {
                p.days = Some(5);
                p.hours = Some(24);
            }
            _ => {}
        }
        p
    }

    /// Whether the rule reads the parameter `days` (its form offers it).
    pub fn takes_days(self) -> bool {
        self.default_params().days.is_some()
    }

    /// Whether the rule reads the parameter `count`.
    pub fn takes_count(self) -> bool {
        self.default_params().count.is_some()
    }

    /// Whether the rule reads the parameter `hours`.
    pub fn takes_hours(self) -> bool {
        self.default_params().hours.is_some()
    }

    /// GB/T 39046 表11 监察预警类型代码 (n1, no code list in the standard):
    /// 1 预警, 2 黄牌, 3 红牌, 4 异常.
    pub fn alert_type(self) -> u8 {
        match self.severity() {
            Severity::Warning => 1,
            Severity::Yellow => 2,
            Severity::Red => 3,
            Severity::Anomaly => 4,
        }
    }
}

code_list!(
    /// 预警 / 黄牌 / 红牌 / 异常 (a breach of procedure).
    Severity {
        Warning = "warning",
        Yellow = "yellow",
        Red = "red",
        Anomaly = "anomaly",
    }
);

impl Severity {
    /// Every finding but a warning asks for an explanation or a
    /// rectification by a due day; a warning is a reminder to the
    /// department. The indexes of findings by state and by rule hold these
    /// only (migration 0015).
    pub const NEEDS_REPLY: &'static [Severity] = &[Severity::Yellow, Severity::Red, Severity::Anomaly];

    /// See [`Severity::NEEDS_REPLY`].
    pub fn needs_reply(self) -> bool {
        Severity::NEEDS_REPLY.contains(&self)
    }
}

/// Working days a department has to explain or rectify a finding, by default.
pub const DEFAULT_REPLY_DAYS: u32 = 5;
/// 行政许可法 第四十二条: an extension is at most ten working days.
pub const MAX_EXTENSION_DAYS: u32 = 10;

/// A rule's parameters. Which ones a rule reads: W01, W03, R02, A11 and A13 `days`,
/// R03 `count`, A11 `hours`; every rule `reply_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RuleParams))]
pub struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
    #[serde(default = "default_reply_days")]
    pub reply_days: u32,
}

fn default_reply_days() -> u32 {
    DEFAULT_REPLY_DAYS
}

impl Params {
    /// Checks the parameters a rule may carry and their ranges.
    pub fn check(&self, rule: RuleCode) -> Result<(), SupervisionError> {
        let range = |param: &'static str, v: Option<u32>, min: u32, max: u32| match v {
            Some(x) if (min..=max).contains(&x) => Ok(()),
            _ => Err(SupervisionError::ParamOutOfRange { rule, param, min, max }),
        };
        let unused = |param: &'static str, v: Option<u32>| match v {
            Some(_) => Err(SupervisionError::ParamNotUsed { rule, param }),
            None => Ok(()),
        };
        match rule {
            RuleCode::W01 | RuleCode::W03 => range("days", self.days, 0, 10)?,
            RuleCode::R02 | RuleCode::A11 | RuleCode::A13 => range("days", self.days, 1, 30)?,
            _ => unused("days", self.days)?,
        }
        match rule {
            RuleCode::R03 => range("count", self.count, 2, 100)?,
            _ => unused("count", self.count)?,
        }
        match rule {
            RuleCode::A11 => range("hours", self.hours, 1, 720)?,
            _ => unused("hours", self.hours)?,
        }
        range("reply_days", Some(self.reply_days), 1, 30)
    }
}

/// A rule as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub code: RuleCode,
    pub enabled: bool,
    pub params: Params,
}

/// The configured rules, every code present (missing ones at their defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet(pub(super) Vec<Rule>);

impl RuleSet {
    pub fn defaults() -> RuleSet {
        RuleSet(
            RuleCode::ALL.into_iter().map(|code| Rule { code, enabled: true, params: code.default_params() }).collect(),
        )
    }

    /// The set from stored rules; codes not stored keep their defaults.
    pub fn from_rules(rules: impl IntoIterator<Item = Rule>) -> RuleSet {
        let mut set = RuleSet::defaults();
        for r in rules {
            if let Some(slot) = set.0.iter_mut().find(|x| x.code == r.code) {
                *slot = r;
            }
        }
        set
    }

    pub fn get(&self, code: RuleCode) -> &Rule {
        self.0.iter().find(|r| r.code == code).expect("every code is present")
    }

    pub fn on(&self, code: RuleCode) -> bool {
        self.get(code).enabled
    }

    pub fn all(&self) -> &[Rule] {
        &self.0
    }
}
