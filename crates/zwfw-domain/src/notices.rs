//! 通知公告 and 政策文件: what the service centre publishes on the portal.
//! A notice is written as a draft, published, and may be withdrawn (撤回)
//! with a reason; a withdrawn notice may be edited and published again.
//! Nothing is deleted: a withdrawn notice stays on record.

use crate::codes::code_list;
use serde::Serialize;

code_list!(
    /// The two columns of the portal.
    NoticeKind {
        /// 通知公告
        Announcement = "announcement": "通知公告",
        /// 政策文件
        Policy = "policy": "政策文件",
    }
);

code_list!(
    /// Where a notice stands.
    NoticeState {
        Draft = "draft": "草稿",
        Published = "published": "已发布",
        Withdrawn = "withdrawn": "已撤回",
    }
);

impl NoticeState {
    /// The states in which the text and the attachments may change.
    pub const EDITABLE: &'static [Self] = &[Self::Draft, Self::Withdrawn];
    /// What the public reads.
    pub const PUBLIC: &'static [Self] = &[Self::Published];
}

code_list!(
    /// What is done to a notice.
    NoticeAction {
        Publish = "publish": "发布",
        Withdraw = "withdraw": "撤回",
    }
);

/// The most attachments a notice carries.
pub const MAX_ATTACHMENTS: usize = 10;

/// Why a notice cannot be written or moved as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoticeError {
    /// A field is empty or too long: its name and its longest length.
    Field { field: &'static str, max: usize },
    /// The action does not apply in this state.
    WrongState { state: NoticeState },
    /// Withdrawing needs a reason.
    ReasonRequired,
    /// More than [`MAX_ATTACHMENTS`].
    TooManyAttachments,
}

/// The text of a notice as its author writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText<'a> {
    pub title: &'a str,
    /// 文号, e.g. 示政务〔2026〕3号 (optional)
    pub doc_no: &'a str,
    /// 发布机构 (optional; the service centre when empty)
    pub issuer: &'a str,
    pub body: &'a str,
}

fn field(name: &'static str, v: &str, max: usize, required: bool) -> Result<(), NoticeError> {
    let n = v.trim().chars().count();
    if (required && n == 0) || n > max || v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(NoticeError::Field { field: name, max });
    }
    Ok(())
}

impl NoticeText<'_> {
    /// Title 1–200 characters, 文号 and issuer up to 100, body 1–20,000.
    pub fn validate(&self) -> Result<(), NoticeError> {
        field("title", self.title, 200, true)?;
        field("doc_no", self.doc_no, 100, false)?;
        field("issuer", self.issuer, 100, false)?;
        field("body", self.body, 20_000, true)?;
        if self.title.contains('\n') {
            return Err(NoticeError::Field { field: "title", max: 200 });
        }
        Ok(())
    }
}

/// The state after `action`, or why not. Withdrawing needs a reason.
pub fn transition(state: NoticeState, action: NoticeAction, reason: &str) -> Result<NoticeState, NoticeError> {
    match (state, action) {
        (NoticeState::Draft | NoticeState::Withdrawn, NoticeAction::Publish) => Ok(NoticeState::Published),
        (NoticeState::Published, NoticeAction::Withdraw) if reason.trim().is_empty() => {
            Err(NoticeError::ReasonRequired)
        }
        (NoticeState::Published, NoticeAction::Withdraw) => Ok(NoticeState::Withdrawn),
        _ => Err(NoticeError::WrongState { state }),
    }
}

/// Whether the text and attachments may change in `state`.
pub fn check_editable(state: NoticeState) -> Result<(), NoticeError> {
    if NoticeState::EDITABLE.contains(&state) {
        Ok(())
    } else {
        Err(NoticeError::WrongState { state })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_publish_withdraw_publish_again() {
        use NoticeAction::*;
        use NoticeState::*;
        assert_eq!(transition(Draft, Publish, ""), Ok(Published));
        assert_eq!(transition(Published, Withdraw, ""), Err(NoticeError::ReasonRequired));
        assert_eq!(transition(Published, Withdraw, "内容有误"), Ok(Withdrawn));
        assert_eq!(transition(Withdrawn, Publish, ""), Ok(Published));
        assert_eq!(transition(Published, Publish, ""), Err(NoticeError::WrongState { state: Published }));
        assert_eq!(transition(Draft, Withdraw, "x"), Err(NoticeError::WrongState { state: Draft }));
        assert!(check_editable(Draft).is_ok() && check_editable(Withdrawn).is_ok());
        assert!(check_editable(Published).is_err());
    }

    #[test]
    fn text_rules() {
        let ok =
            NoticeText { title: "关于元旦假期办事安排的通知", doc_no: "", issuer: "", body: "正文" };
        assert!(ok.validate().is_ok());
        let empty = NoticeText { title: " ", ..ok.clone() };
        assert_eq!(empty.validate(), Err(NoticeError::Field { field: "title", max: 200 }));
        let long = "长".repeat(201);
        assert!(NoticeText { title: &long, ..ok.clone() }.validate().is_err());
        assert!(NoticeText { body: "", ..ok.clone() }.validate().is_err());
        assert!(NoticeText { title: "a\u{7}b", ..ok.clone() }.validate().is_err());
        assert!(NoticeText { body: "第一段\n第二段", ..ok }.validate().is_ok());
    }
}
