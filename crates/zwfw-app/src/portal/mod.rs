//! The portal's home page (门户首页): what a visitor finds without signing
//! in, gathered from the other areas' use cases: the most applied items,
//! the ways to browse the guide (主题, 人生事件, 部门, 层级), the service
//! centre's notices and policy documents, the latest public answers of
//! 政民互动, the 好差评 figures and the published department ranking.

use crate::error::AppResult;
use crate::state::App;
use serde::Serialize;
use utoipa::ToSchema;
use zwfw_domain::catalog::{ExerciseLevel, LifeEvent};
use zwfw_domain::notices::NoticeKind;

/// How many of each list the home page shows.
pub const SHOWN: usize = 6;

/// How far back the hot items are counted.
const HOT_WINDOW_MS: i64 = 365 * 86_400_000;

/// A code with its Chinese name (a life event, a level).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PortalCode)]
pub struct CodeLabel {
    pub code: String,
    pub label: String,
}

/// A way into the guide with how many items it holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalTheme {
    pub name: String,
    pub items: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalItem {
    pub item_id: i64,
    pub name: String,
    /// Applications in the last year.
    pub applications: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalDepartment {
    pub id: i64,
    pub name: String,
}

/// A published answer of 政民互动.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalReply {
    pub code: String,
    pub kind: String,
    pub title: String,
    pub department: String,
    pub replied_at: Option<i64>,
}

/// The 好差评 figures: ratings per level (1 非常满意 … 5 非常不满意).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingFigures {
    pub total: i64,
    /// Counts of levels 1 to 5.
    pub levels: Vec<i64>,
    /// Ratings that are not 差评 (levels 1–3), as a share of all (0–1); none without ratings.
    pub satisfied_rate: Option<f64>,
}

/// A department's place in the latest published ranking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalRank {
    pub rank: Option<u32>,
    pub department: String,
    pub score: Option<f64>,
    pub grade: Option<String>,
}

/// Everything on the portal's home page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalHome {
    pub hot_items: Vec<PortalItem>,
    pub themes: Vec<PortalTheme>,
    pub life_events: Vec<CodeLabel>,
    pub departments: Vec<PortalDepartment>,
    pub levels: Vec<CodeLabel>,
    pub announcements: Vec<crate::notices::NoticeView>,
    pub policies: Vec<crate::notices::NoticeView>,
    pub replies: Vec<PortalReply>,
    pub ratings: RatingFigures,
    /// The period of the ranking shown, e.g. 2026年11月下半月; none before the first publication.
    pub ranking_label: Option<String>,
    pub ranking: Vec<PortalRank>,
}

/// The levels a visitor browses by: 市级, 县级, 镇级.
pub const LEVELS: &[ExerciseLevel] = &[ExerciseLevel::Municipal, ExerciseLevel::County, ExerciseLevel::Town];

/// The figures of a list of (level, count).
pub fn rating_figures(counts: &[(i64, i64)]) -> RatingFigures {
    let mut levels = vec![0; 5];
    for (l, n) in counts {
        if let Some(slot) = usize::try_from(*l - 1).ok().and_then(|i| levels.get_mut(i)) {
            *slot += n;
        }
    }
    let total: i64 = levels.iter().sum();
    let good: i64 = levels
        .iter()
        .enumerate()
        .filter(|(i, _)| zwfw_domain::rating::Level::new(*i as i64 + 1).is_ok_and(|l| !l.is_bad()))
        .map(|(_, n)| n)
        .sum();
    RatingFigures { total, levels, satisfied_rate: (total > 0).then(|| good as f64 / total as f64) }
}

pub async fn home(st: &App) -> AppResult<PortalHome> {
    let store = &st.store;
    let hot = zwfw_store::catalog::most_applied(store, st.now_ms() - HOT_WINDOW_MS, SHOWN as i64).await?;
    let themes = zwfw_store::catalog::published_themes(store).await?;
    let with_items: std::collections::BTreeSet<i64> = zwfw_store::catalog::list(
        store,
        &zwfw_store::catalog::ItemFilter { published_only: true, limit: 100_000, ..Default::default() },
    )
    .await?
    .iter()
    .map(|i| i.department_id)
    .collect();
    let departments = zwfw_store::admin::list_departments(store)
        .await?
        .into_iter()
        .filter(|d| d.active && with_items.contains(&d.id))
        .map(|d| PortalDepartment { id: d.id, name: d.name })
        .collect();
    let notices = |k| crate::notices::list_public(st, Some(k), 1);
    let (announcements, policies) = (notices(NoticeKind::Announcement).await?, notices(NoticeKind::Policy).await?);
    let q = crate::interaction::ListQuery { scope: Some("public".into()), ..Default::default() };
    let replies = crate::interaction::list(st, None, &q)
        .await?
        .rows
        .into_iter()
        .take(SHOWN)
        .map(|r| PortalReply {
            code: r.row.code,
            kind: r.row.kind,
            title: r.row.title,
            department: r.row.department_name,
            replied_at: r.row.replied_at,
        })
        .collect();
    let ratings = rating_figures(&zwfw_store::rating::level_counts(store).await?);
    let latest = crate::evaluation::rankings(st).await?.into_iter().next();
    let ranking = latest
        .as_ref()
        .map(|r| {
            let mut lines: Vec<_> = r.lines.iter().filter(|l| l.rank.is_some()).collect();
            lines.sort_by_key(|l| l.rank);
            lines
                .into_iter()
                .take(SHOWN)
                .map(|l| PortalRank {
                    rank: l.rank,
                    department: l.department.clone(),
                    score: l.score,
                    grade: l.grade.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(PortalHome {
        hot_items: hot
            .into_iter()
            .map(|h| PortalItem { item_id: h.item_id, name: h.name, applications: h.applications })
            .collect(),
        themes: themes.into_iter().take(12).map(|(name, items)| PortalTheme { name, items }).collect(),
        life_events: LifeEvent::ALL
            .iter()
            .map(|e| CodeLabel { code: e.code().into(), label: e.label().into() })
            .collect(),
        departments,
        levels: LEVELS.iter().map(|l| CodeLabel { code: l.code().into(), label: l.label().into() }).collect(),
        announcements: announcements.items.into_iter().take(SHOWN).collect(),
        policies: policies.items.into_iter().take(SHOWN).collect(),
        replies,
        ratings,
        ranking_label: latest.map(|r| r.label),
        ranking,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_count_levels_and_the_satisfied_share() {
        let f = rating_figures(&[(1, 6), (2, 2), (3, 0), (4, 1), (5, 1), (9, 4)]);
        assert_eq!(f.levels, vec![6, 2, 0, 1, 1]);
        assert_eq!(f.total, 10);
        assert_eq!(f.satisfied_rate, Some(0.8));
        assert_eq!(rating_figures(&[]).satisfied_rate, None);
    }
}
