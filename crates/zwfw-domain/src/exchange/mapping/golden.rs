//! Golden tests: each table's rows for a demo case (食品经营许可, applied for
//! online by a company, accepted, a step passed, an on-site inspection as a
//! special procedure, an extension, granted, rated 满意), compared with the
//! files in `golden/`. `ZWFW_UPDATE_GOLDEN=1 cargo test -p zwfw-domain
//! exchange` rewrites them after a deliberate change (review the diff).

use super::material::MaterialFacts;
use super::*;
use crate::cases::Outcome;
use crate::exchange::{check_row, Codes, FrontRow};

const MS_PER_HOUR: i64 = 3_600_000;
/// 2025-03-03 09:00 Asia/Shanghai.
const T0: i64 = 1_740_963_600_000;

fn demo_case() -> CaseFacts {
    CaseFacts {
        case_no: "91520200MB1234567X31000117008000250303001".chars().take(40).collect(),
        item_name: "食品经营许可证核发".into(),
        basic_code: "000117008000".into(),
        impl_code: "11520200MB1234567X3000117008000".into(),
        item_version: 2,
        case_type: CaseType::Promised,
        result_name: "食品经营许可证".into(),
        org_name: "示例市市场监督管理局".into(),
        org_code: "11520200MB1234567X".into(),
        applicant_kind: "legal".into(),
        applicant_name: "示例市明达餐饮有限公司".into(),
        applicant_id_no: "91520200MA6DX0PE9K".into(),
        applicant_mobile: "13800000000".into(),
        applicant_address: "示例市钟山区人民路1号".into(),
        channel: "online".into(),
    }
}

fn ev(seq: i64, hours: i64, actor: &str, step: &str, kind: EventKind) -> EventFacts {
    EventFacts { seq, at_ms: T0 + hours * MS_PER_HOUR, actor_name: actor.into(), step_name: step.into(), kind }
}

fn demo_history() -> Vec<EventFacts> {
    use EventKind::*;
    vec![
        ev(1, 0, "示例市明达餐饮有限公司", "草稿", Submitted),
        ev(2, 2, "李娜", "预审", Accepted),
        ev(3, 26, "周强", "审查", StepPassed { opinion: "材料齐全，符合要求".into() }),
        ev(4, 27, "吴海", "决定", SpecialStarted { kind: "现场核查".into(), reason: "需核查经营场所".into() }),
        ev(5, 75, "吴海", "决定", SpecialEnded { result: "经营场所符合要求".into() }),
        ev(6, 76, "周强", "决定", ExtensionRequested { days: 10, reason: "情况复杂".into() }),
        ev(7, 77, "吴海", "决定", ExtensionDecided { approved: true, opinion: "同意延长".into() }),
        ev(
            8,
            98,
            "吴海",
            "决定",
            Concluded {
                outcome: Outcome::Granted,
                reason: String::new(),
                document_no: "示市监食许〔2025〕12号".into(),
                valid_until: None,
                fee_fen: None,
            },
        ),
    ]
}

fn show(rows: &[FrontRow]) -> String {
    let mut out = String::new();
    for r in rows {
        check_row(r).unwrap_or_else(|e| panic!("{} row {}: {e}", r.table.code(), r.sub));
        out += &format!("# {} row {}\n", r.table.code(), r.sub);
        let mut cells = r.cells.clone();
        cells.sort_by_key(|(n, _)| *n);
        for (n, v) in cells {
            out += &format!("{n} = {}\n", v.show());
        }
    }
    out
}

fn golden(name: &str, rows: &[FrontRow]) {
    let path = format!("{}/src/exchange/mapping/golden/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    let got = show(rows);
    if std::env::var_os("ZWFW_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} missing: run with ZWFW_UPDATE_GOLDEN=1"));
    assert_eq!(got, want, "{name} differs from {path}");
}

#[test]
fn up_pro_accept() {
    let h = demo_history();
    let promise = crate::clock::end_of_day_ms(chrono::NaiveDate::from_ymd_opt(2025, 3, 24).unwrap()) - 1000;
    golden(
        "up_pro_accept",
        &[accept::map(&Codes::default(), &demo_case(), &h[..2], Some("示市监受〔2025〕7号"), Some(promise))],
    );
}

#[test]
fn up_pro_process() {
    let h = demo_history();
    let rows: Vec<_> = (2..=h.len()).map(|n| process::map(&Codes::default(), &demo_case(), &h[..n])).collect();
    golden("up_pro_process", &rows);
}

#[test]
fn up_pro_special_procedure() {
    let h = demo_history();
    let rows: Vec<_> = (2..=h.len()).filter_map(|n| special::map(&Codes::default(), &demo_case(), &h[..n])).collect();
    assert_eq!(rows.len(), 2, "the inspection and the extension");
    golden("up_pro_special_procedure", &rows);
}

#[test]
fn up_pro_material() {
    let m = vec![
        MaterialFacts { name: "食品经营许可申请书".into(), file_name: "申请书.pdf".into(), paper: false },
        MaterialFacts { name: "营业执照".into(), file_name: String::new(), paper: true },
    ];
    golden("up_pro_material", &material::map(&Codes::default(), &demo_case(), &m));
}

#[test]
fn up_pro_result() {
    let h = demo_history();
    assert!(result::map(&Codes::default(), &demo_case(), &h[..7], None).is_none());
    let first = result::map(&Codes::default(), &demo_case(), &h, None).unwrap();
    let rated = result::map(&Codes::default(), &demo_case(), &h, Some(2)).unwrap();
    // A refusal before acceptance is 6 不予受理.
    let refused =
        vec![h[0].clone(), ev(2, 3, "李娜", "预审", EventKind::Refused { reason: "不属于本部门职权范围".into() })];
    let refused = result::map(&Codes::default(), &demo_case(), &refused, None).unwrap();
    golden("up_pro_result", &[first, rated, refused]);
}

#[test]
fn up_lic_data() {
    use crate::licenses::{HolderKind, LicenseId, LicenseMetadata};
    let day = |s: &str| crate::time::parse_ymd(s).unwrap();
    let m = LicenseMetadata {
        id: LicenseId::parse("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F").unwrap(),
        name: "食品经营许可证".into(),
        number: "示市监食许〔2025〕12号".into(),
        type_name: "食品经营许可证".into(),
        define_authority: "国家市场监督管理总局".into(),
        issuer_name: "示例市市场监督管理局".into(),
        issued_on: day("2025-03-07"),
        holder_name: "示例市明达餐饮有限公司".into(),
        holder_code: "91520200MA6DX0PE9K".into(),
        holder_code_type: HolderKind::Legal.code_type().into(),
        area_code: "220000".into(),
        valid_from: day("2025-03-07"),
        valid_until: Some(day("2030-03-06")),
        item_name: "食品经营许可证核发".into(),
        item_code: "11520200MB1234567X3000117008000".into(),
        case_no: demo_case().case_no,
        file_sm3: "ab".repeat(32),
        fields: Default::default(),
    };
    let mut person = m.clone();
    person.holder_name = "陈小华".into();
    person.holder_code = "520201199001011234".into();
    person.holder_code_type = HolderKind::Person.code_type().into();
    golden("up_lic_data", &[license::map(&m), license::map(&person)]);
}

#[test]
fn a_natural_person_at_the_counter() {
    let mut c = demo_case();
    c.applicant_kind = "natural".into();
    c.channel = "counter".into();
    let h = demo_history();
    let r = accept::map(&Codes::default(), &c, &h[..2], None, None);
    assert_eq!(r.get("applyer_type"), Some(&Cell::text("1")));
    assert_eq!(r.get("applyer_page_type"), Some(&Cell::text("111")));
    assert_eq!(r.get("apply_type"), Some(&Cell::text("1")));
}

use crate::exchange::Cell;
