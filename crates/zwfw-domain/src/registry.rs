//! 人口库 and 法人库 (承德 004 第十七条): the platform's local copy of the
//! base records of natural persons (姓名, 居民身份证号码, 住址) and legal
//! persons (名称, 统一社会信用代码, 法定代表人, 住所, 登记状态), fed by
//! extracts and by an optional look-up service.
//!
//! The rules here: what a record must hold (each field checked, each
//! problem named by its field), how the columns of an extract are
//! recognised, the key a 身份证号 is stored under (its SM3, never the number
//! itself), and what a registration is checked against.

use crate::codes::code_list;
use crate::error::DomainError;
use crate::ids::{CreditCode, ResidentId};
use serde::Serialize;

code_list!(
    /// The two kinds of base record.
    RecordKind {
        /// 人口库: a natural person.
        Person = "person": "自然人",
        /// 法人库: a legal person.
        Company = "company": "法人",
    }
);

code_list!(
    /// 登记状态 of a legal person.
    CompanyStatus {
        /// 存续 (在业)
        Active = "active": "存续",
        /// 注销
        Cancelled = "cancelled": "注销",
        /// 吊销
        Revoked = "revoked": "吊销",
        /// 迁出
        MovedOut = "moved_out": "迁出",
        /// 停业
        Suspended = "suspended": "停业",
    }
);

impl CompanyStatus {
    /// The statuses in which a legal person may register and apply.
    pub const OPERATING: &'static [Self] = &[Self::Active];

    /// A status as an extract writes it: the code or the Chinese name
    /// (在业 and 开业 are read as 存续).
    pub fn from_extract(text: &str) -> Option<CompanyStatus> {
        let t = text.trim();
        CompanyStatus::parse(t).or_else(|| CompanyStatus::ALL.iter().copied().find(|s| s.label() == t)).or(match t {
            "在业" | "开业" | "存续（在营、开业、在册）" => Some(CompanyStatus::Active),
            _ => None,
        })
    }
}

code_list!(
    /// Where a record came from.
    RecordSource {
        /// An extract imported by an administrator or from the watched folder.
        Import = "import": "数据导入",
        /// The look-up service, when the local copy had no record.
        Lookup = "lookup": "接口查询",
        /// The demo city.
        Demo = "demo": "演示数据",
    }
);

/// The fields of a record, as extracts name their columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    IdNumber,
    CreditCode,
    LegalRep,
    Address,
    Status,
}

impl Field {
    /// The JSON key (and English CSV header) of the field.
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::IdNumber => "id_number",
            Field::CreditCode => "credit_code",
            Field::LegalRep => "legal_rep",
            Field::Address => "address",
            Field::Status => "status",
        }
    }

    /// The column header the template uses.
    pub fn header(self) -> &'static str {
        match self {
            Field::Name => "姓名/名称",
            Field::IdNumber => "公民身份号码",
            Field::CreditCode => "统一社会信用代码",
            Field::LegalRep => "法定代表人",
            Field::Address => "住址/住所",
            Field::Status => "登记状态",
        }
    }

    /// The field a column header names (the template's, the usual names of
    /// GB/T 39046 表12 and of the registers, or the JSON key).
    pub fn from_header(h: &str) -> Option<Field> {
        let h = h.trim().trim_end_matches('*');
        Some(match h {
            "name" | "姓名" | "名称" | "姓名/名称" | "单位名称" | "企业名称" | "机构名称" | "市场主体名称" => {
                Field::Name
            }
            "id_number" | "公民身份号码" | "身份证号" | "身份证号码" | "居民身份证号码" | "身份证件号码" => {
                Field::IdNumber
            }
            "credit_code" | "统一社会信用代码" => Field::CreditCode,
            "legal_rep" | "法定代表人" | "法定代表人/负责人" | "负责人" => Field::LegalRep,
            "address" | "住址" | "住所" | "地址" | "住址/住所" | "注册地址" | "户籍地址" => {
                Field::Address
            }
            "status" | "登记状态" | "经营状态" => Field::Status,
            _ => return None,
        })
    }

    /// The fields a record of `kind` has, in the template's order.
    pub fn of(kind: RecordKind) -> &'static [Field] {
        match kind {
            RecordKind::Person => &[Field::Name, Field::IdNumber, Field::Address],
            RecordKind::Company => &[Field::Name, Field::CreditCode, Field::LegalRep, Field::Address, Field::Status],
        }
    }

    /// The field's name as a record of `kind` shows it (姓名 for a person,
    /// 名称 for a legal person, …).
    pub fn label(self, kind: RecordKind) -> &'static str {
        match (self, kind) {
            (Field::Name, RecordKind::Person) => "姓名",
            (Field::Name, RecordKind::Company) => "名称",
            (Field::IdNumber, _) => "公民身份号码",
            (Field::CreditCode, _) => "统一社会信用代码",
            (Field::LegalRep, _) => "法定代表人",
            (Field::Address, RecordKind::Person) => "住址",
            (Field::Address, RecordKind::Company) => "住所",
            (Field::Status, _) => "登记状态",
        }
    }

    /// The fields that must be filled.
    pub fn required(self) -> bool {
        !matches!(self, Field::Address)
    }

    /// The longest value (characters).
    pub fn max_len(self) -> usize {
        match self {
            Field::Name => 100,
            Field::LegalRep => 30,
            Field::Address => 200,
            Field::IdNumber | Field::CreditCode => 18,
            Field::Status => 20,
        }
    }
}

/// What is wrong with one field: a stable code and its detail, which the
/// message catalogue renders in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: Field,
    /// `registry_field` (detail `required` | `too_long` | `status`),
    /// `invalid_resident_id` or `invalid_credit_code` (detail the reason).
    pub code: &'static str,
    pub detail: &'static str,
}

impl FieldProblem {
    fn new(field: Field, detail: &'static str) -> Self {
        FieldProblem { field, code: "registry_field", detail }
    }
    fn id(field: Field, e: DomainError) -> Self {
        FieldProblem { field, code: e.code(), detail: e.detail().unwrap_or("") }
    }
}

/// A natural person's base record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub name: String,
    pub id: ResidentId,
    pub address: String,
}

/// A legal person's base record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyRecord {
    pub name: String,
    pub code: CreditCode,
    pub legal_rep: String,
    pub address: String,
    pub status: CompanyStatus,
}

/// A checked record of either kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Person(PersonRecord),
    Company(CompanyRecord),
}

impl Record {
    /// The number that identifies the record (身份证号 or 统一社会信用代码).
    pub fn number(&self) -> &str {
        match self {
            Record::Person(p) => p.id.as_str(),
            Record::Company(c) => c.code.as_str(),
        }
    }
}

/// The value of `field` in `get`, trimmed and checked for presence and length.
fn text(get: &dyn Fn(Field) -> String, field: Field, problems: &mut Vec<FieldProblem>) -> String {
    let v: String = get(field).split_whitespace().collect::<Vec<_>>().join(" ");
    if v.is_empty() && field.required() {
        problems.push(FieldProblem::new(field, "required"));
    } else if v.chars().count() > field.max_len() {
        problems.push(FieldProblem::new(field, "too_long"));
    }
    v
}

/// Checks a record of `kind` whose fields `get` gives: the record, or every
/// problem, each with its field.
pub fn check_record(kind: RecordKind, get: &dyn Fn(Field) -> String) -> Result<Record, Vec<FieldProblem>> {
    let mut problems = vec![];
    let name = text(get, Field::Name, &mut problems);
    let address = text(get, Field::Address, &mut problems);
    let record = match kind {
        RecordKind::Person => {
            let id = ResidentId::parse(&get(Field::IdNumber)).map_err(|e| FieldProblem::id(Field::IdNumber, e));
            match id {
                Ok(id) => Some(Record::Person(PersonRecord { name, id, address })),
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        }
        RecordKind::Company => {
            let legal_rep = text(get, Field::LegalRep, &mut problems);
            let code = CreditCode::parse(&get(Field::CreditCode)).map_err(|e| FieldProblem::id(Field::CreditCode, e));
            let raw_status = get(Field::Status);
            let status = if raw_status.trim().is_empty() {
                problems.push(FieldProblem::new(Field::Status, "required"));
                None
            } else {
                let s = CompanyStatus::from_extract(&raw_status);
                if s.is_none() {
                    problems.push(FieldProblem::new(Field::Status, "status"));
                }
                s
            };
            match (code, status) {
                (Ok(code), Some(status)) => {
                    Some(Record::Company(CompanyRecord { name, code, legal_rep, address, status }))
                }
                (Err(p), _) => {
                    problems.push(p);
                    None
                }
                _ => None,
            }
        }
    };
    match record {
        Some(r) if problems.is_empty() => Ok(r),
        _ => Err(problems),
    }
}

/// The kind of record a sheet holds, from its headers: a column of
/// 统一社会信用代码 makes it the 法人库's, one of 身份证号 the 人口库's.
pub fn kind_of_headers(fields: &[Option<Field>]) -> Option<RecordKind> {
    if fields.contains(&Some(Field::CreditCode)) {
        Some(RecordKind::Company)
    } else if fields.contains(&Some(Field::IdNumber)) {
        Some(RecordKind::Person)
    } else {
        None
    }
}

/// The key a 身份证号 is stored and found under: its SM3 (the number itself
/// is not kept; lists show it masked).
pub fn person_key(id: &ResidentId) -> String {
    crate::audit::sm3_hex(format!("zwfw-registry:{}", id.as_str()).as_bytes())
}

/// Names compared as people write them: blanks (also full-width) ignored,
/// the middle dots of transliterated names taken as one.
pub fn same_name(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '•' | '・' | '．' | '.' => '·',
                '（' => '(',
                '）' => ')',
                c => c,
            })
            .collect()
    }
    norm(a) == norm(b)
}

code_list!(
    /// Which base record may stand for an application material (the
    /// material's `registry` in the catalogue): the platform's 信息核验单
    /// of the applicant's own record replaces an upload (trust A) only for
    /// a material whose item says so.
    SlipKind {
        /// 人口库: a natural person's record (an identity document).
        Person = "person": "人口库",
        /// 法人库: a legal person's record (a business licence).
        Company = "company": "法人库",
        /// 人口库或法人库: the applicant's own record, whichever kind it is
        /// (an applicant's proof of identity).
        Either = "any": "人口库或法人库",
    }
);

impl SlipKind {
    /// The kind a cell or an editor's tag names: its code or its Chinese
    /// name (人口库, 法人库, 人口库或法人库).
    pub fn from_text(t: &str) -> Option<SlipKind> {
        let t = t.trim();
        SlipKind::parse(&t.to_ascii_lowercase()).or_else(|| SlipKind::ALL.iter().copied().find(|k| k.label() == t))
    }

    /// Whether an applicant whose record is of `kind` may use it.
    pub fn accepts(self, kind: RecordKind) -> bool {
        match self {
            SlipKind::Person => kind == RecordKind::Person,
            SlipKind::Company => kind == RecordKind::Company,
            SlipKind::Either => true,
        }
    }
}

/// Whether the applicant's record, of `kind`, may stand for a material whose
/// catalogue entry names `flag` (empty: no record may).
pub fn slip_accepted(flag: &str, kind: RecordKind) -> bool {
    SlipKind::parse(flag).is_some_and(|s| s.accepts(kind))
}

/// What a registration's name and number are found to be against the
/// registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The registry holds the number under this name (and a legal person is 存续).
    Confirmed,
    /// The registry does not hold the number: nothing to check against.
    Unknown,
    /// The registry holds the number under another name.
    NameMismatch,
    /// The legal person is no longer operating (注销, 吊销 …).
    NotOperating(CompanyStatus),
}

/// The verdict on `given_name` for the registry's record (`None`: no record).
pub fn verdict(record_name: Option<&str>, status: Option<CompanyStatus>, given_name: &str) -> Verdict {
    match record_name {
        None => Verdict::Unknown,
        Some(n) if !same_name(n, given_name) => Verdict::NameMismatch,
        Some(_) => match status {
            Some(s) if !CompanyStatus::OPERATING.contains(&s) => Verdict::NotOperating(s),
            _ => Verdict::Confirmed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_stands_only_for_a_material_that_names_its_kind() {
        use RecordKind::*;
        for (flag, person, company) in [
            ("", false, false),
            ("person", true, false),
            ("company", false, true),
            ("any", true, true),
            ("Person", false, false),
            ("人口库", false, false),
        ] {
            assert_eq!((slip_accepted(flag, Person), slip_accepted(flag, Company)), (person, company), "{flag:?}");
        }
        assert_eq!(SlipKind::from_text(" 法人库 "), Some(SlipKind::Company));
        assert_eq!(SlipKind::from_text("人口库或法人库"), Some(SlipKind::Either));
        assert_eq!(SlipKind::from_text("Person"), Some(SlipKind::Person));
        assert_eq!(SlipKind::from_text("户籍"), None);
    }

    fn fields<'a>(pairs: &'a [(Field, &'a str)]) -> impl Fn(Field) -> String + 'a {
        move |f| pairs.iter().find(|(k, _)| *k == f).map(|(_, v)| v.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_person_is_checked_field_by_field() {
        let ok = check_record(
            RecordKind::Person,
            &fields(&[
                (Field::Name, " 张 三 "),
                (Field::IdNumber, "11010519491231002x"),
                (Field::Address, "示例路1号"),
            ]),
        )
        .unwrap();
        let Record::Person(p) = ok else { panic!() };
        assert_eq!((p.name.as_str(), p.id.as_str()), ("张 三", "11010519491231002X"));
        let bad = check_record(RecordKind::Person, &fields(&[(Field::IdNumber, "110105194912310021")])).unwrap_err();
        assert_eq!(
            bad,
            vec![
                FieldProblem { field: Field::Name, code: "registry_field", detail: "required" },
                FieldProblem { field: Field::IdNumber, code: "invalid_resident_id", detail: "check_digit" },
            ]
        );
    }

    #[test]
    fn a_company_needs_a_valid_code_a_representative_and_a_known_status() {
        let code = format!("91529902MA1234567{}", CreditCode::check_char("91529902MA1234567").unwrap());
        let pairs = [
            (Field::Name, "示例科技有限公司"),
            (Field::CreditCode, code.as_str()),
            (Field::LegalRep, "李四"),
            (Field::Status, "在业"),
        ];
        let get = fields(&pairs);
        let Record::Company(c) = check_record(RecordKind::Company, &get).unwrap() else { panic!() };
        assert_eq!(c.status, CompanyStatus::Active);
        let pairs = [(Field::Name, "x"), (Field::CreditCode, "91529902MA12345670"), (Field::Status, "歇业了")];
        let get = fields(&pairs);
        let p = check_record(RecordKind::Company, &get).unwrap_err();
        let got: Vec<_> = p.iter().map(|p| (p.field, p.detail)).collect();
        assert_eq!(
            got,
            vec![(Field::LegalRep, "required"), (Field::Status, "status"), (Field::CreditCode, "check_digit")]
        );
    }

    #[test]
    fn headers_and_statuses_are_recognised() {
        assert_eq!(Field::from_header("身份证号"), Some(Field::IdNumber));
        assert_eq!(Field::from_header("统一社会信用代码*"), Some(Field::CreditCode));
        assert_eq!(Field::from_header("备注"), None);
        for f in Field::of(RecordKind::Company).iter().chain(Field::of(RecordKind::Person)) {
            assert_eq!(Field::from_header(f.header()), Some(*f));
            assert_eq!(Field::from_header(f.key()), Some(*f));
        }
        assert_eq!(kind_of_headers(&[Some(Field::Name), Some(Field::IdNumber)]), Some(RecordKind::Person));
        assert_eq!(kind_of_headers(&[Some(Field::CreditCode), None]), Some(RecordKind::Company));
        assert_eq!(kind_of_headers(&[Some(Field::Name)]), None);
        for s in CompanyStatus::ALL {
            assert_eq!(CompanyStatus::from_extract(s.label()), Some(*s));
            assert_eq!(CompanyStatus::from_extract(s.code()), Some(*s));
        }
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(None, None, "张三"), Verdict::Unknown);
        assert_eq!(verdict(Some("张三"), None, " 张 三"), Verdict::Confirmed);
        assert_eq!(verdict(Some("阿依古丽·买买提"), None, "阿依古丽•买买提"), Verdict::Confirmed);
        assert_eq!(verdict(Some("张三"), None, "张四"), Verdict::NameMismatch);
        assert_eq!(
            verdict(Some("示例公司"), Some(CompanyStatus::Revoked), "示例公司"),
            Verdict::NotOperating(CompanyStatus::Revoked)
        );
        assert_eq!(verdict(Some("示例公司"), Some(CompanyStatus::Revoked), "别的公司"), Verdict::NameMismatch);
    }

    #[test]
    fn the_person_key_hides_the_number() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        let k = person_key(&id);
        assert_eq!(k.len(), 64);
        assert!(!k.contains("1949"));
        assert_eq!(k, person_key(&ResidentId::parse("11010519491231002x").unwrap()));
    }
}
