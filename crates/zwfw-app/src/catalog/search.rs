//! Full-text search of the published catalogue in Chinese: jieba word
//! segmentation, a small synonym table for what citizens type ("开餐馆"),
//! BM25 ranking with field weights, and highlighted snippets.
//!
//! Every app server keeps the index in memory, built from the database; it is
//! rebuilt when the catalogue changes (an item published or retired here, or
//! a change seen in the database by the periodic check), so it works the same
//! on SQLite and PostgreSQL deployments.
//!
//! Each change of what the index covers (a version published, an item
//! retired, a department renamed) adds one to the catalogue's generation in
//! the change's own transaction. A build reads the generation before the
//! catalogue, so it holds at least that generation, and is installed only
//! over an older one: of two builds finishing in the wrong order, the older
//! is dropped. The index is current when its generation is the stored one
//! (`/readyz` answers so).

use crate::error::AppResult;
use crate::state::App;
use jieba_rs::Jieba;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use zwfw_domain::catalog::ItemContent;

/// Settings key of the catalogue's generation: one more at every change of
/// what the index covers.
pub const CATALOG_GENERATION: &str = "catalog_generation";

fn jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(Jieba::new)
}

/// Words people use for what the catalogue calls otherwise.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("餐馆", &["餐饮", "食品经营"]),
    ("饭店", &["餐饮", "食品经营"]),
    ("饭馆", &["餐饮", "食品经营"]),
    ("餐厅", &["餐饮", "食品经营"]),
    ("小吃店", &["餐饮", "食品经营"]),
    ("开店", &["个体工商户", "开办企业"]),
    ("开公司", &["企业设立", "开办企业"]),
    ("公司", &["企业"]),
    ("执照", &["营业执照"]),
    ("盖房", &["建房", "乡村建设"]),
    ("建房", &["乡村建设", "建设"]),
    ("房产证", &["不动产"]),
    ("药店", &["药品零售"]),
    ("诊所", &["医疗机构"]),
    ("医生", &["医师"]),
    ("公积金", &["住房公积金"]),
    ("广告牌", &["户外广告"]),
    ("挖路", &["挖掘城市道路"]),
];

/// Tokens of a text: jieba's search segmentation, lower-cased, without
/// punctuation and the most common function characters.
pub fn tokens(text: &str) -> Vec<String> {
    const STOP: &[&str] = &["的", "和", "与", "及", "或", "等", "我", "要", "在", "了", "是", "为", "对", "中", "有"];
    jieba()
        .cut_for_search(text, true)
        .into_iter()
        .map(|t| t.word.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t.chars().any(|c| c.is_alphanumeric()) && !STOP.contains(&t.as_str()))
        .collect()
}

fn query_tokens(q: &str) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = Vec::new();
    let mut push = |t: String, w: f32| {
        if !out.iter().any(|(x, _)| *x == t) {
            out.push((t, w));
        }
    };
    for t in tokens(q) {
        for (word, alts) in SYNONYMS {
            if t == *word || (t.chars().count() > 1 && word.contains(t.as_str()) && q.contains(word)) {
                for a in *alts {
                    for at in tokens(a) {
                        push(at, 0.7);
                    }
                }
            }
        }
        push(t, 1.0);
    }
    out
}

/// A searchable document: the published version of an item.
#[derive(Debug, Clone)]
pub struct Doc {
    pub item_id: i64,
    pub name: String,
    pub department: String,
    /// (field weight, text) pairs, kept for snippets.
    fields: Vec<(f32, String)>,
    /// token → weighted frequency
    terms: HashMap<String, f32>,
    len: f32,
}

impl Doc {
    pub fn new(item_id: i64, c: &ItemContent, department: &str) -> Doc {
        let materials: Vec<&str> = c.materials.iter().map(|m| m.name.as_str()).collect();
        let fields: Vec<(f32, String)> = vec![
            (6.0, c.name.clone()),
            (3.0, c.sub_name.clone()),
            (3.0, c.themes.join(" ")),
            (2.0, c.result_name.clone()),
            (1.0, department.to_string()),
            (1.0, materials.join("；")),
            (0.8, c.acceptance_conditions.clone()),
            (0.5, c.legal_basis.clone()),
            (0.5, c.special_procedures.join(" ")),
        ];
        let mut terms: HashMap<String, f32> = HashMap::new();
        let mut len = 0.0;
        for (w, text) in &fields {
            for t in tokens(text) {
                *terms.entry(t).or_default() += *w;
                len += *w;
            }
        }
        Doc { item_id, name: c.name.clone(), department: department.to_string(), fields, terms, len }
    }
}

/// The in-memory index.
#[derive(Debug, Default)]
pub struct Index {
    docs: Vec<Doc>,
    postings: HashMap<String, Vec<(u32, f32)>>,
    avg_len: f32,
    /// The catalogue's generation it was built from (none before the first build).
    generation: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub item_id: i64,
    pub name: String,
    pub department: String,
    pub score: f32,
    /// HTML: escaped text with the matched words in `<mark>`.
    pub snippet: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Escapes `text` and marks the query words in it.
fn highlight(text: &str, words: &[&str]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut marked = vec![false; chars.len()];
    for w in words {
        let wc: Vec<char> = w.chars().collect();
        if wc.is_empty() {
            continue;
        }
        let mut i = 0;
        while i + wc.len() <= chars.len() {
            if chars[i..i + wc.len()].iter().zip(&wc).all(|(a, b)| a.to_lowercase().eq(b.to_lowercase())) {
                marked[i..i + wc.len()].iter_mut().for_each(|m| *m = true);
                i += wc.len();
            } else {
                i += 1;
            }
        }
    }
    let mut out = String::new();
    let mut open = false;
    for (c, m) in chars.iter().zip(&marked) {
        if *m && !open {
            out.push_str("<mark>");
            open = true;
        } else if !*m && open {
            out.push_str("</mark>");
            open = false;
        }
        out.push_str(&escape(&c.to_string()));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

impl Index {
    pub fn build(docs: Vec<Doc>) -> Index {
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        let mut total = 0.0;
        for (i, d) in docs.iter().enumerate() {
            total += d.len;
            for (t, f) in &d.terms {
                postings.entry(t.clone()).or_default().push((i as u32, *f));
            }
        }
        let avg_len = if docs.is_empty() { 1.0 } else { total / docs.len() as f32 };
        Index { docs, postings, avg_len, generation: None }
    }

    /// The index, marked as built from the catalogue's `generation`.
    pub fn at(self, generation: i64) -> Index {
        Index { generation: Some(generation), ..self }
    }

    /// The catalogue's generation it was built from.
    pub fn generation(&self) -> Option<i64> {
        self.generation
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// BM25 over the weighted term frequencies; the best `limit` hits.
    pub fn search(&self, q: &str, limit: usize) -> Vec<Hit> {
        let qt = query_tokens(q);
        if qt.is_empty() || self.docs.is_empty() {
            return vec![];
        }
        let n = self.docs.len() as f32;
        let (k1, b) = (1.2f32, 0.75f32);
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for (t, qw) in &qt {
            let Some(list) = self.postings.get(t) else { continue };
            let idf = ((n - list.len() as f32 + 0.5) / (list.len() as f32 + 0.5) + 1.0).ln();
            for (doc, tf) in list {
                let dl = self.docs[*doc as usize].len;
                let s = idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * dl / self.avg_len));
                *scores.entry(*doc).or_default() += s * qw;
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        let words: Vec<&str> = qt.iter().map(|(t, _)| t.as_str()).collect();
        ranked
            .into_iter()
            .map(|(i, score)| {
                let d = &self.docs[i as usize];
                Hit {
                    item_id: d.item_id,
                    name: d.name.clone(),
                    department: d.department.clone(),
                    score,
                    snippet: snippet(d, &words),
                }
            })
            .collect()
    }
}

/// The first field (after the name) that contains a query word, cut around it.
fn snippet(d: &Doc, words: &[&str]) -> String {
    for (_, text) in d.fields.iter().skip(1) {
        let lower = text.to_lowercase();
        if let Some(pos) = words.iter().filter_map(|w| lower.find(w)).min() {
            let start_char = lower[..pos].chars().count().saturating_sub(20);
            let piece: String = text.chars().skip(start_char).take(60).collect();
            let prefix = if start_char > 0 { "…" } else { "" };
            return format!("{prefix}{}", highlight(&piece, words));
        }
    }
    highlight(&d.fields[0].1, words)
}

/// Builds the index of every published, active item, marked with the
/// catalogue's generation read before the catalogue.
pub async fn build_from_store(state: &App) -> AppResult<Index> {
    let store = &state.store;
    let generation = stored_generation(state).await?;
    let depts = zwfw_store::admin::list_departments(store).await?;
    let list = zwfw_store::catalog::list(
        store,
        &zwfw_store::catalog::ItemFilter { published_only: true, limit: 1_000_000, ..Default::default() },
    )
    .await?;
    let mut contents = Vec::with_capacity(list.len());
    for s in &list {
        let v = zwfw_store::catalog::get_version(store, s.version_id).await?;
        let dn = depts.iter().find(|d| d.id == s.department_id).map(|d| d.name.clone()).unwrap_or_default();
        contents.push((s.item_id, v.content, dn));
    }
    let docs = tokio::task::spawn_blocking(move || {
        contents.iter().map(|(id, c, dn)| Doc::new(*id, c, dn)).collect::<Vec<_>>()
    })
    .await
    .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    Ok(Index::build(docs).at(generation))
}

/// The catalogue's generation as stored (0 before the first change).
pub async fn stored_generation(state: &App) -> AppResult<i64> {
    Ok(zwfw_store::settings::number(&state.store, CATALOG_GENERATION).await?)
}

/// Marks the catalogue changed (inside the transaction of the change), so
/// that every app server rebuilds its index. Returns the new generation.
pub async fn mark_changed(tx: &mut zwfw_store::Tx, now_ms: i64) -> AppResult<i64> {
    Ok(zwfw_store::settings::bump(tx, CATALOG_GENERATION, now_ms).await?)
}

/// Rebuilds the index in the background after a change made here.
pub fn refresh_soon(state: &App) {
    let st = state.clone();
    tokio::spawn(async move {
        if let Err(e) = refresh(&st).await {
            tracing::error!(error = %e.message(), "rebuilding the search index failed");
        }
    });
}

/// Installs `index` unless this server already serves one of the same or a
/// newer generation; returns whether it was installed.
pub fn install(state: &App, index: Index) -> bool {
    let mut current = state.search.write().expect("search lock");
    if index.generation <= current.generation {
        return false;
    }
    *current = Arc::new(index);
    true
}

/// Rebuilds this server's index when the stored generation is newer than the
/// one it serves (builds here take turns, so a change starts one build).
pub async fn refresh(state: &App) -> AppResult<()> {
    let _turn = state.search_build.lock().await;
    if state.search_index().generation >= Some(stored_generation(state).await?) {
        return Ok(());
    }
    let index = build_from_store(state).await?;
    install(state, index);
    Ok(())
}

/// Whether this server's index is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SearchStatus {
    /// The catalogue's generation as stored.
    pub generation: i64,
    /// The generation the index served here was built from (none before the first build).
    pub built: Option<i64>,
    /// The index holds every change of the catalogue.
    pub current: bool,
}

pub async fn status(state: &App) -> AppResult<SearchStatus> {
    let generation = stored_generation(state).await?;
    let built = state.search_index().generation;
    Ok(SearchStatus { generation, built, current: built >= Some(generation) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segmentation_and_synonyms() {
        let t = tokens("食品经营许可证");
        assert!(t.contains(&"食品".to_string()) && t.contains(&"经营".to_string()), "{t:?}");
        let q: Vec<String> = query_tokens("开餐馆").into_iter().map(|(t, _)| t).collect();
        assert!(q.contains(&"餐饮".to_string()), "{q:?}");
        assert_eq!(highlight("营业执照<b>", &["执照"]), "营业<mark>执照</mark>&lt;b&gt;");
    }
}
