//! 好差评: one rating per case per stage (一事一评, 国办发〔2019〕51号), five
//! levels coded as GB/T 39046 A.8, the channel it came through (表9), and
//! the follow-up a bad rating opens: a named handler calls back, verifies,
//! rectifies and replies within a limit; the reply is published. A
//! department may appeal a rating to supervision (申诉复核), which decides.

use crate::cases::CaseState;
use crate::codes::code_list;
use serde::{Deserialize, Serialize};

/// Satisfaction, GB/T 39046 A.8 (1 非常满意 … 5 非常不满意).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Level(u8);

impl Level {
    pub fn new(code: i64) -> Result<Level, RatingError> {
        if (1..=5).contains(&code) {
            Ok(Level(code as u8))
        } else {
            Err(RatingError::BadLevel)
        }
    }
    pub fn code(self) -> u8 {
        self.0
    }
    /// Every level, 非常满意 first.
    pub fn all() -> impl Iterator<Item = Level> {
        (1..=5).map(Level)
    }
    /// The A.8 text.
    pub fn text(self) -> &'static str {
        ["非常满意", "满意", "基本满意", "不满意", "非常不满意"][(self.0 - 1) as usize]
    }
    /// 不满意 and 非常不满意 are bad ratings (差评) and open a follow-up.
    pub fn is_bad(self) -> bool {
        self.0 >= 4
    }
}

/// The stage rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 受理 (the acceptance decision: accepted, refused or deemed accepted).
    Acceptance,
    /// 办结 (the conclusion).
    Conclusion,
}

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::Acceptance => "acceptance",
            Stage::Conclusion => "conclusion",
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        match s {
            "acceptance" => Some(Stage::Acceptance),
            "conclusion" => Some(Stage::Conclusion),
            _ => None,
        }
    }
}

/// The rating channels of GB/T 39046 表9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// PC端
    Pc,
    /// 移动服务端
    Mobile,
    /// 二维码 (scanned at the counter)
    QrCode,
    /// 政务大厅平板电脑
    Tablet,
    /// 政务大厅其他终端
    Terminal,
    /// 电话
    Phone,
    /// 短信
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::Pc,
        Channel::Mobile,
        Channel::QrCode,
        Channel::Tablet,
        Channel::Terminal,
        Channel::Phone,
        Channel::Sms,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Pc => "pc",
            Channel::Mobile => "mobile",
            Channel::QrCode => "qr_code",
            Channel::Tablet => "tablet",
            Channel::Terminal => "terminal",
            Channel::Phone => "phone",
            Channel::Sms => "sms",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
    /// The 表9 text.
    pub fn text(self) -> &'static str {
        match self {
            Channel::Pc => "PC端",
            Channel::Mobile => "移动服务端",
            Channel::QrCode => "二维码",
            Channel::Tablet => "政务大厅平板电脑",
            Channel::Terminal => "政务大厅其他终端",
            Channel::Phone => "电话",
            Channel::Sms => "短信",
        }
    }
    /// Channels through which staff record a rating the applicant gave them
    /// (by phone, SMS, or on the hall's devices).
    pub fn recorded_by_staff(self) -> bool {
        matches!(self, Channel::Phone | Channel::Sms | Channel::Tablet | Channel::Terminal)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("the level must be 1 to 5")]
    BadLevel,
    #[error("the stage cannot be rated yet")]
    StageNotReached,
    #[error("this stage is already rated")]
    AlreadyRated,
    #[error("the comment is too long")]
    CommentTooLong,
    #[error("the follow-up is not in a state for this")]
    WrongFollowUpState,
    #[error("a text is required")]
    TextRequired,
    #[error("the rating was already appealed")]
    AlreadyAppealed,
    #[error("there is no pending appeal")]
    NoAppeal,
}

pub const MAX_COMMENT: usize = 500;

/// Whether `stage` of a case in `state` can be rated: the acceptance stage
/// once the application has been decided (accepted, refused or deemed
/// accepted), the conclusion once concluded.
pub fn stage_reached(stage: Stage, state: CaseState, accepted_or_refused: bool) -> bool {
    match stage {
        Stage::Acceptance => accepted_or_refused,
        Stage::Conclusion => state.is_concluded(),
    }
}

code_list!(
    /// The follow-up of a bad rating.
    FollowUp {
        /// Opened; waiting for the handler's call-back.
        Open = "open",
        /// The applicant was called back; verification and rectification under way.
        CalledBack = "called_back",
        /// Rectified and replied; the reply is published.
        Replied = "replied",
        /// Closed without a reply: supervision upheld the department's
        /// appeal of the rating, so nothing is owed for it.
        Closed = "closed",
    }
);

impl FollowUp {
    /// Not replied yet: past its due day, supervision's rule A08 holds.
    pub const PENDING: &'static [FollowUp] = &[FollowUp::Open, FollowUp::CalledBack];

    /// The follow-up once the rating's appeal is decided: an upheld appeal
    /// strikes the rating out, so a follow-up still pending closes (and rule
    /// A08 can no longer hold for it); a rejected appeal leaves it as it is,
    /// and so does an upheld one after the reply.
    pub fn after_appeal(state: Option<FollowUp>, outcome: Appeal) -> Option<FollowUp> {
        match state {
            Some(s) if outcome == Appeal::Upheld && FollowUp::PENDING.contains(&s) => Some(FollowUp::Closed),
            other => other,
        }
    }
}

/// Default working days for the follow-up's reply.
pub const DEFAULT_FOLLOW_UP_DAYS: u32 = 5;

/// What may happen to a follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpAction {
    /// The call-back, with what the applicant said (recorded).
    CallBack { note: String },
    /// The verification, the rectification and the reply to publish.
    Reply { verification: String, rectification: String, reply: String },
}

fn required(s: &str, max: usize) -> Result<(), RatingError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(RatingError::TextRequired);
    }
    if t.chars().count() > max {
        return Err(RatingError::CommentTooLong);
    }
    Ok(())
}

/// The next state of a follow-up: call back first, then reply.
pub fn follow_up(state: FollowUp, action: &FollowUpAction) -> Result<FollowUp, RatingError> {
    match (state, action) {
        (FollowUp::Open, FollowUpAction::CallBack { note }) => {
            required(note, 2000)?;
            Ok(FollowUp::CalledBack)
        }
        (FollowUp::CalledBack, FollowUpAction::Reply { verification, rectification, reply }) => {
            required(verification, 2000)?;
            required(rectification, 2000)?;
            required(reply, 2000)?;
            Ok(FollowUp::Replied)
        }
        _ => Err(RatingError::WrongFollowUpState),
    }
}

code_list!(
    /// The appeal of a rating (申诉复核).
    Appeal {
        Pending = "pending",
        /// Supervision found the rating malicious or mistaken: it no longer
        /// counts in the evaluation (it stays on record).
        Upheld = "upheld",
        /// The rating stands.
        Rejected = "rejected",
    }
);

/// A department appeals once per rating, with its reason.
pub fn appeal(current: Option<Appeal>, reason: &str) -> Result<Appeal, RatingError> {
    if current.is_some() {
        return Err(RatingError::AlreadyAppealed);
    }
    required(reason, 2000)?;
    Ok(Appeal::Pending)
}

/// Supervision decides a pending appeal, with its reasoning.
pub fn decide_appeal(current: Option<Appeal>, uphold: bool, reasoning: &str) -> Result<Appeal, RatingError> {
    if current != Some(Appeal::Pending) {
        return Err(RatingError::NoAppeal);
    }
    required(reasoning, 2000)?;
    Ok(if uphold { Appeal::Upheld } else { Appeal::Rejected })
}

/// A rating's optional comment.
pub fn comment(s: Option<&str>) -> Result<String, RatingError> {
    let t = s.unwrap_or("").trim();
    if t.chars().count() > MAX_COMMENT {
        return Err(RatingError::CommentTooLong);
    }
    Ok(t.chars().filter(|c| !c.is_control() || *c == '\n').collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_a8() {
        assert_eq!(Level::new(1).unwrap().text(), "非常满意");
        assert_eq!(Level::new(5).unwrap().text(), "非常不满意");
        assert!(Level::new(0).is_err() && Level::new(6).is_err());
        assert!(!Level::new(3).unwrap().is_bad());
        assert!(Level::new(4).unwrap().is_bad() && Level::new(5).unwrap().is_bad());
    }

    #[test]
    fn stages_open_with_the_case() {
        assert!(!stage_reached(Stage::Acceptance, CaseState::Submitted, false));
        assert!(stage_reached(Stage::Acceptance, CaseState::InProgress, true));
        assert!(!stage_reached(Stage::Conclusion, CaseState::InProgress, true));
        assert!(stage_reached(Stage::Conclusion, CaseState::Concluded, true));
        assert!(stage_reached(Stage::Conclusion, CaseState::Delivered, true));
    }

    #[test]
    fn follow_up_goes_call_back_then_reply() {
        let cb = FollowUpAction::CallBack { note: "已电话联系申请人".into() };
        let reply = FollowUpAction::Reply {
            verification: "情况属实".into(),
            rectification: "已对窗口人员批评教育".into(),
            reply: "已整改".into(),
        };
        assert_eq!(follow_up(FollowUp::Open, &reply), Err(RatingError::WrongFollowUpState));
        assert_eq!(follow_up(FollowUp::Open, &cb), Ok(FollowUp::CalledBack));
        assert_eq!(follow_up(FollowUp::CalledBack, &reply), Ok(FollowUp::Replied));
        assert_eq!(follow_up(FollowUp::Replied, &cb), Err(RatingError::WrongFollowUpState));
        let empty = FollowUpAction::CallBack { note: " ".into() };
        assert_eq!(follow_up(FollowUp::Open, &empty), Err(RatingError::TextRequired));
    }

    #[test]
    fn one_appeal_decided_once() {
        assert_eq!(appeal(None, "评价人误操作"), Ok(Appeal::Pending));
        assert_eq!(appeal(Some(Appeal::Pending), "again"), Err(RatingError::AlreadyAppealed));
        assert_eq!(appeal(None, ""), Err(RatingError::TextRequired));
        assert_eq!(decide_appeal(Some(Appeal::Pending), true, "经核实属误评"), Ok(Appeal::Upheld));
        assert_eq!(decide_appeal(Some(Appeal::Upheld), false, "x"), Err(RatingError::NoAppeal));
        assert_eq!(decide_appeal(None, false, "x"), Err(RatingError::NoAppeal));
    }

    #[test]
    fn an_upheld_appeal_closes_the_pending_follow_up() {
        use FollowUp::*;
        for pending in FollowUp::PENDING {
            assert_eq!(FollowUp::after_appeal(Some(*pending), Appeal::Upheld), Some(Closed));
            assert_eq!(FollowUp::after_appeal(Some(*pending), Appeal::Rejected), Some(*pending));
        }
        assert_eq!(FollowUp::after_appeal(Some(Replied), Appeal::Upheld), Some(Replied));
        assert_eq!(FollowUp::after_appeal(None, Appeal::Upheld), None);
        // Closed is not pending: no overdue finding, no further step.
        assert!(!FollowUp::PENDING.contains(&Closed));
        let cb = FollowUpAction::CallBack { note: "已电话联系申请人".into() };
        assert_eq!(follow_up(Closed, &cb), Err(RatingError::WrongFollowUpState));
    }

    #[test]
    fn channels_are_the_table_9_list() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
        }
        assert!(Channel::Phone.recorded_by_staff() && !Channel::QrCode.recorded_by_staff());
    }
}
