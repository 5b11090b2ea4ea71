//! Import of existing licences (存量证照) given in the columns of the
//! national exchange table `up_lic_data`: which columns are recognised, what
//! each row must hold (every problem named by its column), and what is only
//! a warning — a check character that does not match, as some deployed
//! systems compute it wrongly. Whether a licence type, an issuer or an
//! identifier exists is for the application to ask the store.

use super::{HolderKind, LicenseId, LicenseTypeCode};
use crate::error::DomainError;
use crate::ids::{CreditCode, ResidentId};
use chrono::NaiveDate;
use serde::Serialize;

/// The columns of an import: those of `up_lic_data`, and the validity of
/// the fuller records (证照有效期起始 / 截止), which the table lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportField {
    SourceId,
    Name,
    Number,
    TypeName,
    TypeCode,
    IssueDept,
    IssueDeptCode,
    IssueDate,
    Holder,
    HolderCode,
    HolderType,
    AreaCode,
    ValidFrom,
    ValidUntil,
}

impl ImportField {
    pub const ALL: [ImportField; 14] = [
        ImportField::SourceId,
        ImportField::Name,
        ImportField::Number,
        ImportField::TypeName,
        ImportField::TypeCode,
        ImportField::IssueDept,
        ImportField::IssueDeptCode,
        ImportField::IssueDate,
        ImportField::Holder,
        ImportField::HolderCode,
        ImportField::HolderType,
        ImportField::AreaCode,
        ImportField::ValidFrom,
        ImportField::ValidUntil,
    ];

    /// The column of `up_lic_data` (and the JSON key).
    pub fn key(self) -> &'static str {
        match self {
            ImportField::SourceId => "certificate_source_id",
            ImportField::Name => "certificate_name",
            ImportField::Number => "certificate_number",
            ImportField::TypeName => "certificate_type",
            ImportField::TypeCode => "certificate_type_code",
            ImportField::IssueDept => "issue_dept",
            ImportField::IssueDeptCode => "issue_dept_code",
            ImportField::IssueDate => "issue_date",
            ImportField::Holder => "certificate_holder",
            ImportField::HolderCode => "certificate_holder_code",
            ImportField::HolderType => "certificate_holder_type",
            ImportField::AreaCode => "certificate_area_code",
            ImportField::ValidFrom => "valid_from",
            ImportField::ValidUntil => "valid_until",
        }
    }

    /// The column's Chinese name (the table's comment).
    pub fn header(self) -> &'static str {
        match self {
            ImportField::SourceId => "电子证照源标识",
            ImportField::Name => "证照名称",
            ImportField::Number => "证照编码",
            ImportField::TypeName => "证照类型名称",
            ImportField::TypeCode => "证照类型代码",
            ImportField::IssueDept => "证照颁发机构",
            ImportField::IssueDeptCode => "证照颁发机构代码",
            ImportField::IssueDate => "证照颁发日期",
            ImportField::Holder => "持证主体",
            ImportField::HolderCode => "持证主体代码",
            ImportField::HolderType => "持证主体代码类型",
            ImportField::AreaCode => "证照所属管辖属地编码",
            ImportField::ValidFrom => "证照有效期起始",
            ImportField::ValidUntil => "证照有效期截止",
        }
    }

    /// The field a column header names: the column name (any case) or its
    /// Chinese name (证照编号 and 证照有效期截至 as some systems write them).
    pub fn from_header(h: &str) -> Option<ImportField> {
        let h = h.trim().trim_end_matches('*').trim();
        let lower = h.to_ascii_lowercase();
        ImportField::ALL.into_iter().find(|f| f.key() == lower || f.header() == h).or(match h {
            "证照编号" => Some(ImportField::Number),
            "证照有效期截至" | "证照有效期至" => Some(ImportField::ValidUntil),
            "证照有效期开始" => Some(ImportField::ValidFrom),
            _ => None,
        })
    }

    /// `up_lic_data` holds every column but the holder's code type NOT
    /// NULL; the validity is optional (the licence type's rule then).
    pub fn required(self) -> bool {
        !matches!(self, ImportField::HolderType | ImportField::ValidFrom | ImportField::ValidUntil)
    }

    /// The longest value accepted (characters; the table's widths where
    /// they are narrow, 200 for its longtext columns).
    pub fn max_len(self) -> usize {
        match self {
            ImportField::SourceId | ImportField::Number => 128,
            ImportField::TypeName => 256,
            ImportField::TypeCode => 64,
            ImportField::AreaCode | ImportField::IssueDate | ImportField::ValidFrom | ImportField::ValidUntil => 32,
            ImportField::Name | ImportField::IssueDept | ImportField::Holder => 200,
            ImportField::IssueDeptCode | ImportField::HolderCode | ImportField::HolderType => 64,
        }
    }
}

/// What is wrong with one cell of a row, or what to warn of: a stable code
/// and its detail, which the message catalogue renders in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    pub field: ImportField,
    /// `license_import_field` (detail `required` | `too_long` | `characters` | `date` |
    /// `type_code_differs` | `issuer_differs` | `validity_order` |
    /// `holder_type`), `invalid_license_id`, `invalid_license_type_code`,
    /// `invalid_credit_code`, `invalid_resident_id` (detail the reason);
    /// the warning `license_check_mismatch` (detail: the computed
    /// character and the written one, `X/Y`).
    pub code: &'static str,
    pub detail: String,
}

impl ImportProblem {
    fn field(field: ImportField, detail: &str) -> Self {
        ImportProblem { field, code: "license_import_field", detail: detail.into() }
    }
    fn of(field: ImportField, e: DomainError) -> Self {
        ImportProblem { field, code: e.code(), detail: e.detail().unwrap_or("").into() }
    }
}

/// The end of validity a row gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportedUntil {
    /// Not given: the licence type's rule from the day of issue.
    Unstated,
    /// 长期
    LongTerm,
    Day(NaiveDate),
}

/// One checked row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedLicense {
    /// The identifier as written (its check character possibly wrong).
    pub id: LicenseId,
    pub name: String,
    pub number: String,
    pub type_name: String,
    pub type_code: LicenseTypeCode,
    pub issuer_name: String,
    pub issuer_code: CreditCode,
    pub issued_on: NaiveDate,
    pub holder_name: String,
    pub holder_code: String,
    /// The kind of holder the code shows (a 公民身份号码 or a 统一社会信用代码).
    pub holder_kind: HolderKind,
    /// 持证主体代码类型 as written, else the kind's name.
    pub holder_code_type: String,
    pub area_code: String,
    pub valid_from: NaiveDate,
    pub valid_until: ImportedUntil,
}

/// A day as exchange files write it: `yyyyMMdd`, `yyyy-MM-dd` or
/// `yyyy/MM/dd`.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let shape_ok = match t.len() {
        8 => digits.len() == 8,
        10 => {
            let b = t.as_bytes();
            digits.len() == 8 && b[4] == b[7] && (b[4] == b'-' || b[4] == b'/')
        }
        _ => false,
    };
    if !shape_ok {
        return None;
    }
    NaiveDate::from_ymd_opt(digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..].parse().ok()?)
}

/// The holder kind a 持证主体代码类型 names, when it names one: the code
/// `111` or 公民身份号码/身份证 for a person, `001`/`049` or 统一社会信用代码
/// for an organisation.
fn kind_of_code_type(t: &str) -> Option<Option<HolderKind>> {
    let t = t.trim();
    if t.is_empty() {
        return Some(None);
    }
    match t {
        "111" | "公民身份号码" | "居民身份证" | "身份证" | "居民身份证号码" => {
            Some(Some(HolderKind::Person))
        }
        "001" | "049" | "统一社会信用代码" => Some(Some(HolderKind::Legal)),
        _ => None,
    }
}

/// A row refused: every problem of it, and its identifier when that cell
/// was right, so that the row is still checked against the others and the
/// stored licences (a duplicate is reported beside the row's other problems).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRefused {
    pub id: Option<LicenseId>,
    pub problems: Vec<ImportProblem>,
}

/// Checks one row whose cells `get` gives: the licence and, when its check
/// character does not match, the warning; or every problem of the row.
pub fn check_row(get: &dyn Fn(ImportField) -> String) -> Result<(ImportedLicense, Option<ImportProblem>), RowRefused> {
    let mut problems = vec![];
    let mut text = |f: ImportField| {
        let v: String = get(f).split_whitespace().collect::<Vec<_>>().join(" ");
        if v.is_empty() && f.required() {
            problems.push(ImportProblem::field(f, "required"));
        } else if v.chars().count() > f.max_len() {
            problems.push(ImportProblem::field(f, "too_long"));
        } else if v.chars().any(char::is_control) {
            problems.push(ImportProblem::field(f, "characters"));
        }
        v
    };
    let source = text(ImportField::SourceId);
    let name = text(ImportField::Name);
    let number = text(ImportField::Number);
    let type_name = text(ImportField::TypeName);
    let type_code_text = text(ImportField::TypeCode);
    let issuer_name = text(ImportField::IssueDept);
    let issuer_text = text(ImportField::IssueDeptCode);
    let issue_date = text(ImportField::IssueDate);
    let holder_name = text(ImportField::Holder);
    let holder_code = text(ImportField::HolderCode).to_ascii_uppercase();
    let holder_type = text(ImportField::HolderType);
    let area_code = text(ImportField::AreaCode);
    let from_text = text(ImportField::ValidFrom);
    let until_text = text(ImportField::ValidUntil);

    let mut warning = None;
    let id = if source.is_empty() {
        None
    } else {
        match LicenseId::parse_as_written(&source) {
            Ok((id, true)) => Some(id),
            Ok((id, false)) => {
                warning = Some(ImportProblem {
                    field: ImportField::SourceId,
                    code: "license_check_mismatch",
                    detail: format!("{}/{}", id.expected_check(), id.check()),
                });
                Some(id)
            }
            Err(e) => {
                problems.push(ImportProblem::of(ImportField::SourceId, e));
                None
            }
        }
    };
    let type_code = if type_code_text.is_empty() {
        None
    } else {
        LicenseTypeCode::parse(&type_code_text)
            .map_err(|e| problems.push(ImportProblem::of(ImportField::TypeCode, e)))
            .ok()
    };
    let issuer = if issuer_text.is_empty() {
        None
    } else {
        CreditCode::parse(&issuer_text)
            .map_err(|e| problems.push(ImportProblem::of(ImportField::IssueDeptCode, e)))
            .ok()
    };
    if let (Some(id), Some(t)) = (&id, &type_code) {
        if id.type_code() != t {
            problems.push(ImportProblem::field(ImportField::TypeCode, "type_code_differs"));
        }
    }
    if let (Some(id), Some(i)) = (&id, &issuer) {
        if id.issuer() != i {
            problems.push(ImportProblem::field(ImportField::IssueDeptCode, "issuer_differs"));
        }
    }
    let day = |f: ImportField, t: &str, problems: &mut Vec<ImportProblem>| {
        if t.is_empty() {
            return None;
        }
        let d = parse_day(t);
        if d.is_none() {
            problems.push(ImportProblem::field(f, "date"));
        }
        d
    };
    let issued_on = day(ImportField::IssueDate, &issue_date, &mut problems);
    let valid_from = day(ImportField::ValidFrom, &from_text, &mut problems);
    let valid_until = match until_text.as_str() {
        "" => Some(ImportedUntil::Unstated),
        "长期" | "永久" | "长期有效" => Some(ImportedUntil::LongTerm),
        t => day(ImportField::ValidUntil, t, &mut problems).map(ImportedUntil::Day),
    };
    let valid_from = valid_from.or(issued_on);
    if let (Some(from), Some(ImportedUntil::Day(until))) = (valid_from, valid_until) {
        if until < from {
            problems.push(ImportProblem::field(ImportField::ValidUntil, "validity_order"));
        }
    }
    let holder_kind = match kind_of_code_type(&holder_type) {
        None => {
            problems.push(ImportProblem::field(ImportField::HolderType, "holder_type"));
            None
        }
        _ if holder_code.is_empty() => None,
        Some(Some(HolderKind::Person)) => ResidentId::parse(&holder_code)
            .map(|_| HolderKind::Person)
            .map_err(|e| problems.push(ImportProblem::of(ImportField::HolderCode, e)))
            .ok(),
        Some(Some(HolderKind::Legal)) => CreditCode::parse(&holder_code)
            .map(|_| HolderKind::Legal)
            .map_err(|e| problems.push(ImportProblem::of(ImportField::HolderCode, e)))
            .ok(),
        // No code type: the code tells (18 characters either way).
        Some(None) => match (ResidentId::parse(&holder_code), CreditCode::parse(&holder_code)) {
            (Ok(_), _) => Some(HolderKind::Person),
            (_, Ok(_)) => Some(HolderKind::Legal),
            (Err(e), _) if holder_code.bytes().take(17).all(|c| c.is_ascii_digit()) => {
                problems.push(ImportProblem::of(ImportField::HolderCode, e));
                None
            }
            (_, Err(e)) => {
                problems.push(ImportProblem::of(ImportField::HolderCode, e));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(RowRefused { id, problems });
    }
    match (id, type_code, issuer, issued_on, valid_from, valid_until, holder_kind) {
        (
            Some(id),
            Some(type_code),
            Some(issuer_code),
            Some(issued_on),
            Some(valid_from),
            Some(valid_until),
            Some(kind),
        ) => {
            let holder_code_type = if holder_type.is_empty() { kind.code_type().to_string() } else { holder_type };
            Ok((
                ImportedLicense {
                    id,
                    name,
                    number,
                    type_name,
                    type_code,
                    issuer_name,
                    issuer_code,
                    issued_on,
                    holder_name,
                    holder_code,
                    holder_kind: kind,
                    holder_code_type,
                    area_code,
                    valid_from,
                    valid_until,
                },
                warning,
            ))
        }
        // Every missing part was reported as a problem above.
        (id, ..) => Err(RowRefused { id, problems: vec![ImportProblem::field(ImportField::SourceId, "required")] }),
    }
}

/// The fields that identify a licence version whatever its check
/// character: two rows (or a row and a stored licence) with the same are
/// the same licence.
pub fn same_version_key(id: &LicenseId) -> String {
    id.check_input()
}

/// The first line of an imported licence's signed bytes.
pub const IMPORT_HEADER: &str = "zwfw-license-import/1";

/// What the platform signs when it imports a licence: the row as read, that
/// it was imported (not issued here), from which file (its SM3) and when,
/// and whether the identifier's check character held. The issuing
/// department's key attests the imported record, not the original file.
#[derive(Debug, Clone)]
pub struct ImportSeal<'a> {
    pub license: &'a ImportedLicense,
    /// 证照定义机构 (the licence type's).
    pub define_authority: &'a str,
    /// The last valid day (`None`: long-term), the type's rule applied.
    pub valid_until: Option<NaiveDate>,
    /// SM3 of the imported file, lower-case hex.
    pub file_sm3: &'a str,
    /// When, in ms since the epoch (UTC).
    pub at_ms: i64,
}

impl ImportSeal<'_> {
    pub fn signing_bytes(&self) -> Vec<u8> {
        let l = self.license;
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        super::signing::encode(
            IMPORT_HEADER,
            &[
                ("identifier", l.id.to_string()),
                ("version", l.id.version_text()),
                ("origin", "imported".into()),
                ("check_character_valid", if l.id.check_valid() { "yes" } else { "no" }.into()),
                ("name", l.name.clone()),
                ("number", l.number.clone()),
                ("type_name", l.type_name.clone()),
                ("type_code", l.type_code.to_string()),
                ("define_authority", self.define_authority.to_string()),
                ("issuer", l.issuer_name.clone()),
                ("issuer_code", l.issuer_code.to_string()),
                ("issued_on", day(l.issued_on)),
                ("holder", l.holder_name.clone()),
                ("holder_code", l.holder_code.clone()),
                ("holder_code_type", l.holder_code_type.clone()),
                ("area_code", l.area_code.clone()),
                ("valid_from", day(l.valid_from)),
                ("valid_until", super::until_text(self.valid_until)),
                ("import_file_sm3", self.file_sm3.to_string()),
                ("imported_at", crate::time::format_rfc3339(self.at_ms)),
            ],
        )
    }
}
