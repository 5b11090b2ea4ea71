//! Application forms: the fields an item declares, and the check of the
//! values an applicant filled in.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The kind of an application form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line, at most 200 characters.
    Text,
    /// Several lines, at most 2000 characters.
    LongText,
    /// A decimal number.
    Number,
    /// YYYY-MM-DD
    Date,
    /// One of `options`.
    Choice,
}

impl FieldKind {
    pub const ALL: [FieldKind; 5] =
        [FieldKind::Text, FieldKind::LongText, FieldKind::Number, FieldKind::Date, FieldKind::Choice];
    /// The Chinese name used in the item editor.
    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Text => "文本",
            FieldKind::LongText => "长文本",
            FieldKind::Number => "数字",
            FieldKind::Date => "日期",
            FieldKind::Choice => "选项",
        }
    }
    pub fn from_label(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.label() == s.trim())
    }
}

/// A field of an item's application form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormField {
    /// Label and key, e.g. 经营场所.
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
    /// The choices of a `Choice` field.
    #[serde(default)]
    pub options: Vec<String>,
}

impl FormField {
    /// A field from its written parts: name, kind label (文本/长文本/数字/日期/选项),
    /// 必填 or 选填 (default 必填), and the choices separated by 、 or commas.
    pub fn from_parts(parts: &[&str]) -> Option<FormField> {
        let name = parts.first()?.trim();
        let kind = FieldKind::from_label(parts.get(1)?)?;
        if name.is_empty() {
            return None;
        }
        Some(FormField {
            name: name.into(),
            kind,
            required: parts.get(2).is_none_or(|r| r.trim() != "选填"),
            options: parts
                .get(3)
                .map(|o| {
                    o.split(['、', ',', '，']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The written parts, the inverse of `from_parts`.
    pub fn parts(&self) -> Vec<String> {
        let mut p = vec![
            self.name.clone(),
            self.kind.label().to_string(),
            if self.required { "必填" } else { "选填" }.to_string(),
        ];
        if !self.options.is_empty() {
            p.push(self.options.join("、"));
        }
        p
    }
}

/// What is wrong with a filled-in application form.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormError {
    #[error("{0} is required")]
    Missing(String),
    #[error("{0} is too long")]
    TooLong(String),
    #[error("{0} is not a number")]
    NotNumber(String),
    #[error("{0} is not a date")]
    NotDate(String),
    #[error("{0} is not one of the choices")]
    NotAChoice(String),
}

/// The free field every application form has.
pub const PURPOSE_FIELD: &str = "申请事项说明";

/// Checks a filled-in form against the item's fields and returns the values
/// kept: the declared fields (trimmed; empty optional ones left out) and the
/// free 申请事项说明. Anything else is dropped.
pub fn check_form(fields: &[FormField], values: &[(String, String)]) -> Result<Vec<(String, String)>, FormError> {
    let get = |k: &str| values.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim()).unwrap_or("");
    let mut out = vec![];
    for f in fields {
        let v = get(&f.name);
        if v.is_empty() {
            if f.required {
                return Err(FormError::Missing(f.name.clone()));
            }
            continue;
        }
        let max = if f.kind == FieldKind::LongText { 2000 } else { 200 };
        if v.chars().count() > max {
            return Err(FormError::TooLong(f.name.clone()));
        }
        let bad = match f.kind {
            FieldKind::Number => {
                v.parse::<f64>().map_or(true, |n| !n.is_finite()).then(|| FormError::NotNumber(f.name.clone()))
            }
            FieldKind::Date => {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err().then(|| FormError::NotDate(f.name.clone()))
            }
            FieldKind::Choice => (!f.options.iter().any(|o| o == v)).then(|| FormError::NotAChoice(f.name.clone())),
            FieldKind::Text | FieldKind::LongText => None,
        };
        if let Some(e) = bad {
            return Err(e);
        }
        out.push((f.name.clone(), v.to_string()));
    }
    let purpose = get(PURPOSE_FIELD);
    if purpose.chars().count() > 2000 {
        return Err(FormError::TooLong(PURPOSE_FIELD.into()));
    }
    if !purpose.is_empty() {
        out.push((PURPOSE_FIELD.into(), purpose.to_string()));
    }
    Ok(out)
}
