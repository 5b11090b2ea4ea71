use super::*;
use crate::error::DomainError;
use crate::ids::CreditCode;
use chrono::NaiveDate;
use proptest::prelude::*;

/// Real and published identifiers whose check characters we reproduced
/// (e-license.md §2).
const REAL: [&str; 3] = [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
];

#[test]
fn the_worked_example_step_by_step() {
    let input = "11100000000013338W01111430000006122244L20230000403001";
    assert_eq!(input.len(), 53);
    assert_eq!(check_char(input), Some('U'));
    assert!(check_holds(&format!("{input}U")));
    assert!(!check_holds(&format!("{input}V")));
}

#[test]
fn real_identifiers_parse_and_format_back() {
    for s in REAL {
        let id = LicenseId::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(id.to_string(), s);
        assert!(check_holds(&format!("{}{}", id.check_input(), id.check())));
    }
    let id = LicenseId::parse(REAL[1]).unwrap();
    assert_eq!(id.type_code().as_str(), "11100000000013338W009");
    assert_eq!(id.type_code().authority(), "11100000000013338W");
    assert_eq!(id.issuer().as_str(), "11330105002500287C");
    assert_eq!(id.serial(), "2025052201");
    assert_eq!((id.version(), id.version_text(), id.check()), (2, "002".to_string(), '0'));
}

#[test]
fn the_test_fixture_with_a_short_issuer_code() {
    // Its check character holds, but `340100` is no 统一社会信用代码.
    assert_eq!(check_char("11100000MB03271699022340100000000016001"), Some('9'));
    assert_eq!(
        LicenseId::parse("1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9"),
        Err(DomainError::InvalidLicenseId("issuer"))
    );
}

#[test]
fn the_two_illustrative_examples_do_not_verify() {
    let a = "1.2.156.3005.2.11100000000013661B006.113700000045046442.209FA4E88F9E4C878F3E9BED2CE7EA49.001.M";
    assert_eq!(LicenseId::parse(a), Err(DomainError::InvalidLicenseId("check_character")));
    assert_eq!(check_char("11100000000013661B006113700000045046442209FA4E88F9E4C878F3E9BED2CE7EA49001"), Some('D'));
    let b = "1.2.156.3005.2.11100000000013338W050.91610800064834709T.2023000001.001.X";
    assert_eq!(LicenseId::parse(b), Err(DomainError::InvalidLicenseId("check_character")));
    assert_eq!(check_char("11100000000013338W05091610800064834709T2023000001001"), Some('2'));
}

#[test]
fn generic_mod37_36_vectors() {
    for (input, check) in [("TBR", '1'), ("OW", 'N'), ("9", 'J'), ("A12425GABC1234002", 'M')] {
        assert_eq!(check_char(input), Some(check), "{input}");
        assert!(check_holds(&format!("{input}{check}")));
    }
    assert_eq!(check_char("ab"), None);
    assert_eq!(check_char("A-1"), None);
    assert!(!check_holds(""));
}

#[test]
fn malformed_identifiers_name_their_fault() {
    let ok = REAL[0];
    let cases = [
        ("1.2.156.3005.3.11100000000013338W011.11430000006122244L.20230000403.001.U", "root"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.U", "parts"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-0000403.001.U", "characters"),
        ("1.2.156.3005.2.11100000000013338w011.11430000006122244L.20230000403.001.U", "characters"),
        ("1.2.156.3005.2.11100000000013338X011.11430000006122244L.20230000403.001.U", "type_code"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244M.20230000403.001.U", "issuer"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L..001.U", "serial"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U", "version"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.000.U", "version"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.UU", "check_character"),
        ("", "root"),
    ];
    for (s, why) in cases {
        assert_eq!(LicenseId::parse(s), Err(DomainError::InvalidLicenseId(why)), "{s}");
    }
    assert!(LicenseId::parse(&format!("  {ok} ")).is_ok());
}

#[test]
fn type_codes() {
    let t = LicenseTypeCode::parse("11100000000013338w032").unwrap();
    assert_eq!(t.as_str(), "11100000000013338W032");
    assert_eq!(LicenseTypeCode::parse("11100000000013338W03"), Err(DomainError::InvalidLicenseTypeCode("length")));
    assert_eq!(LicenseTypeCode::parse("11100000000013338X032"), Err(DomainError::InvalidLicenseTypeCode("authority")));
    assert_eq!(LicenseTypeCode::parse("11100000000013338W03A"), Err(DomainError::InvalidLicenseTypeCode("sequence")));
}

#[test]
fn versions_count_up_keeping_the_serial() {
    let t = LicenseTypeCode::parse("11100000000013338W032").unwrap();
    let issuer = CreditCode::parse("11220000013544541J").unwrap();
    let first = LicenseId::new(t, issuer, "2430599", 1).unwrap();
    assert_eq!(first.to_string(), REAL[2]);
    let second = first.next_version().unwrap();
    assert_eq!((second.serial(), second.version_text().as_str()), ("2430599", "002"));
    assert_eq!(LicenseId::parse(&second.to_string()).unwrap(), second);
    let last = LicenseId::new(first.type_code().clone(), first.issuer().clone(), "2430599", 999).unwrap();
    assert_eq!(last.next_version(), Err(DomainError::InvalidLicenseId("version")));
    let long = "A".repeat(SERIAL_MAX + 1);
    assert!(LicenseId::new(first.type_code().clone(), first.issuer().clone(), &long, 1).is_err());
}

#[test]
fn status_transitions() {
    use LicenseStatus::*;
    let allowed = [
        (Valid, Superseded),
        (Valid, Cancelled),
        (Valid, Revoked),
        (Valid, Expired),
        (Valid, Voided),
        (Expired, Cancelled),
    ];
    for from in LicenseStatus::ALL {
        for to in LicenseStatus::ALL {
            assert_eq!(from.may_become(*to), allowed.contains(&(*from, *to)), "{from:?} → {to:?}");
        }
    }
    assert!(Revoked.change_to(Valid).is_err());
    assert_eq!(Valid.change_to(Revoked), Ok(Revoked));
    assert_eq!(Superseded.label(), "已换发");
    assert_eq!(LicenseChange::Amended.status_after(), Superseded);
    assert_eq!(LicenseChange::Issued.status_after(), Valid);
    assert_eq!(LicenseChange::Voided.status_after(), Voided);
    assert!(Voided.change_to(Valid).is_err(), "作废 is final");
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn validity_and_expiry() {
    assert_eq!(Validity::Years(5).valid_until(d("2025-03-10")), Some(d("2030-03-09")));
    assert_eq!(Validity::Years(1).valid_until(d("2024-02-29")), Some(d("2025-02-28")));
    assert_eq!(Validity::Years(4).valid_until(d("2024-02-29")), Some(d("2028-02-28")));
    assert_eq!(Validity::LongTerm.valid_until(d("2024-02-29")), None);
    assert_eq!(Validity::from_years(None), Ok(Validity::LongTerm));
    assert_eq!(Validity::from_years(Some(5)).unwrap().label(), "5年");
    assert!(Validity::from_years(Some(0)).is_err());
    assert!(!expired_on(Some(d("2030-03-09")), d("2030-03-09")));
    assert!(expired_on(Some(d("2030-03-09")), d("2030-03-10")));
    assert!(!expired_on(None, d("2999-01-01")));
}

#[test]
fn templates_and_masking() {
    assert_eq!(
        template_fields("经营者名称\n 经营场所 | 主体业态\n\n").unwrap(),
        ["经营者名称", "经营场所", "主体业态"]
    );
    assert!(template_fields("a=b").is_err());
    assert!(template_fields("甲|甲").is_err());
    assert!(template_fields(&(0..31).map(|i| i.to_string()).collect::<Vec<_>>().join("|")).is_err());
    assert_eq!(mask_holder("张三丰", HolderKind::Person), "张**");
    assert_eq!(mask_holder("某某餐饮有限公司", HolderKind::Legal), "某某餐饮有限公司");
}

fn metadata() -> LicenseMetadata {
    LicenseMetadata {
        id: LicenseId::parse(REAL[2]).unwrap(),
        name: "食品经营许可证".into(),
        number: "JY12201020000001".into(),
        type_name: "食品经营许可证".into(),
        define_authority: "国家市场监督管理总局".into(),
        issuer_name: "某市市场监督管理局".into(),
        issued_on: d("2025-03-10"),
        holder_name: "某某餐饮有限公司".into(),
        holder_code: "91220102MA0000000X".into(),
        holder_code_type: HolderKind::Legal.code_type().into(),
        area_code: "220102".into(),
        valid_from: d("2025-03-10"),
        valid_until: Some(d("2030-03-09")),
        item_name: "食品经营许可".into(),
        item_code: "000117008000".into(),
        case_no: "2025-0001".into(),
        file_sm3: "ab".repeat(32),
        fields: [("经营场所".to_string(), "某路1号\n二层".to_string()), ("主体业态".into(), "餐饮服务经营者".into())]
            .into_iter()
            .collect(),
    }
}

#[test]
fn signing_bytes_are_canonical_and_name_identifier_version_and_file() {
    let m = metadata();
    let text = String::from_utf8(m.signing_bytes()).unwrap();
    assert!(text.starts_with("zwfw-license/1\nidentifier=1.2.156.3005.2.11100000000013338W032."));
    assert!(text.contains("\nversion=001\n"));
    assert!(text.contains(&format!("\nfile_sm3={}\n", "ab".repeat(32))));
    assert!(text.contains("\nvalid_until=2030-03-09\n"));
    // Escaped: one field a line; the template's fields sorted after the base.
    assert!(text.ends_with("field.主体业态=餐饮服务经营者\nfield.经营场所=某路1号\\n二层\n"));
    assert_eq!(m.signing_bytes(), metadata().signing_bytes());
    let mut other = metadata();
    other.valid_until = None;
    assert!(String::from_utf8(other.signing_bytes()).unwrap().contains("\nvalid_until=长期\n"));
    // A field holding what looks like another line stays one line.
    other.holder_name = "甲\nfile_sm3=00".into();
    assert_eq!(String::from_utf8(other.signing_bytes()).unwrap().matches("\nfile_sm3=").count(), 1);
    let r =
        StatusRecord {
            id: m.id.clone(), status: LicenseStatus::Revoked, at_ms: 0, note: "市监罚〔2025〕1号".into()
        };
    let rt = String::from_utf8(r.signing_bytes()).unwrap();
    assert!(rt.starts_with("zwfw-license-status/1\nidentifier="));
    assert!(rt.contains("\nstatus=revoked\n") && rt.contains("\nversion=001\n"));
}

const SYMBOLS: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

proptest! {
    /// Any single character changed anywhere in a valid identifier (to
    /// another symbol or a dot) is refused.
    #[test]
    fn any_single_change_is_detected(
        serial in "[0-9A-Z]{1,32}",
        version in 1u16..=999,
        which in 0usize..3,
        pos in any::<prop::sample::Index>(),
        replacement in any::<prop::sample::Index>(),
    ) {
        let base = LicenseId::parse(REAL[which]).unwrap();
        let id = LicenseId::new(base.type_code().clone(), base.issuer().clone(), &serial, version).unwrap();
        let text = id.to_string();
        let parsed = LicenseId::parse(&text);
        prop_assert_eq!(parsed, Ok(id));
        let i = pos.index(text.len());
        let choices: Vec<char> = SYMBOLS.chars().chain(['.']).filter(|c| *c != text.as_bytes()[i] as char).collect();
        let c = choices[replacement.index(choices.len())];
        let mut changed = text.clone().into_bytes();
        changed[i] = c as u8;
        let changed = String::from_utf8(changed).unwrap();
        prop_assert!(LicenseId::parse(&changed).is_err(), "{} accepted", changed);
    }

    /// The check character always makes the string verify.
    #[test]
    fn computed_check_characters_verify(input in "[0-9A-Z]{1,80}") {
        let c = check_char(&input).unwrap();
        let with_check = format!("{input}{c}");
        prop_assert!(check_holds(&with_check));
    }
}

#[test]
fn the_holder_kind_is_the_types_and_the_applicant_must_be_one() {
    use crate::cases::ApplicantKind;
    assert_eq!(holder_kind_for(HolderKind::Legal, ApplicantKind::Legal), Some(HolderKind::Legal));
    assert_eq!(holder_kind_for(HolderKind::Person, ApplicantKind::Natural), Some(HolderKind::Person));
    assert_eq!(holder_kind_for(HolderKind::Legal, ApplicantKind::Natural), None);
    assert_eq!(holder_kind_for(HolderKind::Person, ApplicantKind::Legal), None);
}

#[test]
fn a_licence_serves_as_a_material_only_when_valid_signed_of_the_type_and_held() {
    use super::{usable_as_material, UseFacts, UseRefusal};
    let ok = UseFacts {
        status: LicenseStatus::Valid,
        holder_user_id: Some(7),
        holder_code: "91529902MA12345678",
        type_code: "11100000000013338W001",
        signature_valid: true,
    };
    let ty = "11100000000013338W001";
    assert_eq!(usable_as_material(&ok, Some(7), "", ty), Ok(()));
    // Held by number (a counter registration of a holder without account).
    assert_eq!(usable_as_material(&ok, None, "91529902MA12345678", ty), Ok(()));
    assert_eq!(usable_as_material(&ok, Some(8), "91529902MA1234567X", ty), Err(UseRefusal::OtherHolder));
    assert_eq!(usable_as_material(&ok, None, "", ty), Err(UseRefusal::OtherHolder));
    assert_eq!(usable_as_material(&ok, Some(7), "", "11100000000013338W002"), Err(UseRefusal::OtherType));
    assert_eq!(usable_as_material(&ok, Some(7), "", ""), Err(UseRefusal::OtherType));
    let unusable = [
        LicenseStatus::Revoked,
        LicenseStatus::Expired,
        LicenseStatus::Superseded,
        LicenseStatus::Cancelled,
        LicenseStatus::Voided,
    ];
    for s in unusable {
        let f = UseFacts { status: s, ..ok };
        let e = usable_as_material(&f, Some(7), "", ty).unwrap_err();
        assert_eq!((e.code(), e.detail()), ("license_not_usable", s.code()));
    }
    // A forged one is refused before anything else is said about it.
    let forged = UseFacts { signature_valid: false, status: LicenseStatus::Revoked, ..ok };
    assert_eq!(usable_as_material(&forged, Some(8), "", ""), Err(UseRefusal::Signature));
}

mod import {
    use super::super::import::*;
    use super::REAL;
    use crate::licenses::HolderKind;
    use chrono::NaiveDate;
    use std::collections::HashMap;

    /// A row of the Jilin sample (a legal holder), with `changes`.
    fn row(changes: &[(ImportField, &str)]) -> HashMap<ImportField, String> {
        let mut r: HashMap<ImportField, String> = [
            (ImportField::SourceId, REAL[2]),
            (ImportField::Name, "建筑业企业资质证书"),
            (ImportField::Number, "D322012345"),
            (ImportField::TypeName, "建筑业企业资质证书"),
            (ImportField::TypeCode, "11100000000013338W032"),
            (ImportField::IssueDept, "吉林省住房和城乡建设厅"),
            (ImportField::IssueDeptCode, "11220000013544541J"),
            (ImportField::IssueDate, "20240315"),
            (ImportField::Holder, "示例建筑有限公司"),
            (ImportField::HolderCode, "91529902MA0000001U"),
            (ImportField::AreaCode, "220000"),
        ]
        .into_iter()
        .map(|(f, v)| (f, v.to_string()))
        .collect();
        for (f, v) in changes {
            r.insert(*f, v.to_string());
        }
        r
    }

    fn check(r: &HashMap<ImportField, String>) -> Result<(ImportedLicense, Option<ImportProblem>), Vec<ImportProblem>> {
        refused(r).map_err(|e| e.problems)
    }

    fn refused(r: &HashMap<ImportField, String>) -> Result<(ImportedLicense, Option<ImportProblem>), RowRefused> {
        check_row(&|f| r.get(&f).cloned().unwrap_or_default())
    }

    fn holder_code() -> String {
        let first = "91529902MA0000001";
        format!("{first}{}", crate::ids::CreditCode::check_char(first).unwrap())
    }

    #[test]
    fn headers_are_the_exchange_columns_or_their_chinese_names() {
        assert_eq!(ImportField::from_header("certificate_source_id"), Some(ImportField::SourceId));
        assert_eq!(ImportField::from_header("CERTIFICATE_HOLDER_CODE"), Some(ImportField::HolderCode));
        assert_eq!(ImportField::from_header("电子证照源标识*"), Some(ImportField::SourceId));
        assert_eq!(ImportField::from_header("证照有效期截至"), Some(ImportField::ValidUntil));
        assert_eq!(ImportField::from_header("备注"), None);
        for f in ImportField::ALL {
            assert_eq!(ImportField::from_header(f.key()), Some(f));
            assert_eq!(ImportField::from_header(f.header()), Some(f));
        }
    }

    #[test]
    fn a_good_row_is_read_with_the_holder_kind_its_code_shows() {
        let (l, warning) = check(&row(&[(ImportField::HolderCode, &holder_code())])).unwrap();
        assert_eq!(warning, None);
        assert_eq!(l.id.to_string(), REAL[2]);
        assert_eq!(l.holder_kind, HolderKind::Legal);
        assert_eq!(l.holder_code_type, "统一社会信用代码");
        assert_eq!((l.issued_on, l.valid_from), (NaiveDate::from_ymd_opt(2024, 3, 15).unwrap(), l.issued_on));
        assert_eq!(l.valid_until, ImportedUntil::Unstated);
        let (l, _) = check(&row(&[
            (ImportField::HolderCode, "11010519491231002X"),
            (ImportField::HolderType, "111"),
            (ImportField::ValidUntil, "2029/03/14"),
        ]))
        .unwrap();
        assert_eq!(l.holder_kind, HolderKind::Person);
        assert_eq!(l.valid_until, ImportedUntil::Day(NaiveDate::from_ymd_opt(2029, 3, 14).unwrap()));
    }

    #[test]
    fn a_wrong_check_character_is_a_warning_and_the_identifier_is_kept_as_written() {
        let written = REAL[2].replace(".001.F", ".001.G");
        let (l, warning) =
            check(&row(&[(ImportField::SourceId, &written), (ImportField::HolderCode, &holder_code())])).unwrap();
        assert_eq!(l.id.to_string(), written);
        assert!(!l.id.check_valid());
        let w = warning.unwrap();
        assert_eq!((w.field, w.code, w.detail.as_str()), (ImportField::SourceId, "license_check_mismatch", "F/G"));
        assert_eq!(same_version_key(&l.id), same_version_key(&crate::licenses::LicenseId::parse(REAL[2]).unwrap()));
        // A check "character" outside 0-9A-Z, or two of them, is an error.
        for bad in [REAL[2].replace(".001.F", ".001.f"), REAL[2].replace(".001.F", ".001.FF")] {
            let e = check(&row(&[(ImportField::SourceId, &bad), (ImportField::HolderCode, &holder_code())]));
            assert!(e.is_err(), "{bad}");
        }
    }

    #[test]
    fn every_bad_cell_of_a_row_is_named() {
        let e = check(&row(&[
            (ImportField::Name, ""),
            (ImportField::IssueDate, "2024-13-01"),
            (ImportField::HolderCode, "110105194912310021"),
            (ImportField::HolderType, "111"),
            (ImportField::IssueDeptCode, "11330105002500287C"),
            (ImportField::ValidUntil, "20200101"),
        ]))
        .unwrap_err();
        let got: Vec<_> = e.iter().map(|p| (p.field, p.code, p.detail.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (ImportField::Name, "license_import_field", "required"),
                (ImportField::IssueDeptCode, "license_import_field", "issuer_differs"),
                (ImportField::IssueDate, "license_import_field", "date"),
                (ImportField::HolderCode, "invalid_resident_id", "check_digit"),
            ]
        );
        let e = check(&row(&[(ImportField::SourceId, "1.2.156.3005.2.X"), (ImportField::HolderCode, &holder_code())]))
            .unwrap_err();
        assert_eq!((e[0].field, e[0].code), (ImportField::SourceId, "invalid_license_id"));
        let e = check(&row(&[(ImportField::ValidUntil, "20200101"), (ImportField::HolderCode, &holder_code())]))
            .unwrap_err();
        assert_eq!((e[0].field, e[0].detail.as_str()), (ImportField::ValidUntil, "validity_order"));
    }

    #[test]
    fn a_refused_row_keeps_its_identifier_when_that_cell_is_right() {
        // Bad cells elsewhere: the identifier (its check character wrong or
        // not) is still known, to find the row's duplicates.
        let written = REAL[2].replace(".001.F", ".001.G");
        for id in [REAL[2].to_string(), written] {
            let e = refused(&row(&[
                (ImportField::SourceId, &id),
                (ImportField::IssueDate, "2024-13-01"),
                (ImportField::HolderCode, &holder_code()),
            ]))
            .unwrap_err();
            assert_eq!(e.id.map(|i| i.to_string()), Some(id.clone()));
            assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
        }
        let e = refused(&row(&[(ImportField::SourceId, "1.2.156.3005.2.X")])).unwrap_err();
        assert_eq!(e.id, None);
    }

    #[test]
    fn days_in_the_usual_shapes() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5);
        assert_eq!((parse_day("20240305"), parse_day("2024-03-05"), parse_day("2024/03/05")), (d, d, d));
        assert_eq!((parse_day("2024-03/05"), parse_day("2024305"), parse_day("20240230")), (None, None, None));
    }

    #[test]
    fn the_import_seal_says_imported_and_from_which_file() {
        let (l, _) = check(&row(&[(ImportField::HolderCode, &holder_code())])).unwrap();
        let seal = ImportSeal {
            license: &l,
            define_authority: "住房和城乡建设部",
            valid_until: None,
            file_sm3: "ab",
            at_ms: 0,
        };
        let text = String::from_utf8(seal.signing_bytes()).unwrap();
        assert!(text.starts_with("zwfw-license-import/1\nidentifier=1.2.156.3005.2."), "{text}");
        for line in
            ["origin=imported", "check_character_valid=yes", "import_file_sm3=ab", "valid_until=长期", "version=001"]
        {
            assert!(text.lines().any(|x| x == line), "{line} in {text}");
        }
    }
}

#[test]
fn the_public_encoding_states_the_holder_by_salted_digests() {
    use crate::licenses::{is_public_encoding, salted_sm3};
    let salt = [7u8; 16];
    let m = metadata();
    let text = String::from_utf8(m.public_signing_bytes(&salt)).unwrap();
    assert!(text.starts_with("zwfw-license/2\nidentifier=1.2.156.3005.2.11100000000013338W032."));
    assert!(text.contains("\nversion=001\n"));
    assert!(!text.contains("某某餐饮有限公司") && !text.contains("91220102MA0000000X"));
    assert!(text.contains(&format!("\nholder_sm3={}\n", salted_sm3(&salt, "某某餐饮有限公司"))));
    assert!(text.contains(&format!("\nholder_code_sm3={}\n", salted_sm3(&salt, "91220102MA0000000X"))));
    // A legal person's fields stay readable; every other line is the first encoding's.
    assert!(text.ends_with("field.主体业态=餐饮服务经营者\nfield.经营场所=某路1号\\n二层\n"));
    let v1 = String::from_utf8(m.signing_bytes()).unwrap();
    assert_eq!(v1.lines().count(), text.lines().count());
    assert!(m.hidden_fields().is_empty());
    // Another salt, other digests; the digest is SM3 over salt ‖ UTF-8.
    assert_ne!(m.public_signing_bytes(&[8u8; 16]), m.public_signing_bytes(&salt));
    assert_eq!(salted_sm3(b"", "abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    assert!(is_public_encoding(text.as_bytes()) && !is_public_encoding(v1.as_bytes()));
    assert!(!is_public_encoding(b"zwfw-license/20\n"));
    // A natural person's template fields are digests too, kept beside.
    let mut p = metadata();
    p.holder_code_type = HolderKind::Person.code_type().into();
    p.holder_name = "陈小明".into();
    p.fields = [("姓名".to_string(), "陈小明".to_string())].into_iter().collect();
    let text = String::from_utf8(p.public_signing_bytes(&salt)).unwrap();
    assert!(!text.contains("陈小明"));
    assert!(text.ends_with(&format!("\nfield_sm3.姓名={}\n", salted_sm3(&salt, "陈小明"))));
    assert_eq!(p.hidden_fields().get("姓名").map(String::as_str), Some("陈小明"));
}
