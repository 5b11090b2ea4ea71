use super::*;
use crate::admin::Role;
use crate::ids::CreditCode;

#[test]
fn application_forms_are_checked_against_the_item() {
    let f = |name: &str, kind, required, options: &[&str]| FormField {
        name: name.into(),
        kind,
        required,
        options: options.iter().map(|o| o.to_string()).collect(),
    };
    let fields = vec![
        f("经营场所", FieldKind::Text, true, &[]),
        f("主体业态", FieldKind::Choice, true, &["餐饮服务经营者", "单位食堂"]),
        f("从业人员数", FieldKind::Number, false, &[]),
        f("开业日期", FieldKind::Date, false, &[]),
    ];
    let v = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    let ok = check_form(
        &fields,
        &v(&[("经营场所", " 建设路1号 "), ("主体业态", "单位食堂"), ("其他", "丢弃"), (PURPOSE_FIELD, "新办")]),
    )
    .unwrap();
    assert_eq!(ok, v(&[("经营场所", "建设路1号"), ("主体业态", "单位食堂"), (PURPOSE_FIELD, "新办")]));
    assert_eq!(check_form(&fields, &v(&[("主体业态", "单位食堂")])), Err(FormError::Missing("经营场所".into())));
    let base = [("经营场所", "x"), ("主体业态", "单位食堂")];
    let with = |k: &'static str, val: &'static str| {
        let mut p = base.to_vec();
        p.push((k, val));
        check_form(&fields, &v(&p))
    };
    assert_eq!(with("从业人员数", "十二"), Err(FormError::NotNumber("从业人员数".into())));
    assert_eq!(with("从业人员数", "NaN"), Err(FormError::NotNumber("从业人员数".into())));
    assert!(with("从业人员数", "12").is_ok());
    assert_eq!(with("开业日期", "2026-02-30"), Err(FormError::NotDate("开业日期".into())));
    assert!(with("开业日期", "2026-12-01").is_ok());
    assert_eq!(
        check_form(&fields, &v(&[("经营场所", "x"), ("主体业态", "超市")])),
        Err(FormError::NotAChoice("主体业态".into()))
    );
    let long = "字".repeat(201);
    assert_eq!(
        check_form(&fields, &v(&[("经营场所", &long), ("主体业态", "单位食堂")])),
        Err(FormError::TooLong("经营场所".into()))
    );
    // Definitions: names unique (申请事项说明 is taken), choices need options.
    let mut c = sample(1);
    c.form_fields = vec![f("申请事项说明", FieldKind::Text, true, &[])];
    assert_eq!(c.validate(), Err(ItemError::FormFieldDuplicate { name: "申请事项说明".into() }));
    c.form_fields = vec![f("业态", FieldKind::Choice, true, &[])];
    assert_eq!(c.validate(), Err(ItemError::ChoiceWithoutOptions { name: "业态".into() }));
    c.form_fields = fields;
    assert_eq!(c.validate(), Ok(()));
}

fn sample(department_id: i64) -> ItemContent {
    example(department_id)
}

use crate::admin::test_staff as actor;

#[test]
fn code_lists_round_trip() {
    for t in ItemType::ALL {
        assert_eq!(ItemType::parse(t.code()), Some(*t));
    }
    assert_eq!(ServiceObject::parse("1"), Some(ServiceObject::NaturalPerson));
    assert_eq!(ServiceObject::NaturalPerson.label(), "自然人");
    assert_eq!(HandlingMode::parse("7"), None);
    assert_eq!(serde_json::to_string(&CaseType::Promised).unwrap(), "\"2\"");
}

#[test]
fn content_rules() {
    assert!(sample(1).validate().is_ok());
    let mut c = sample(1);
    c.promised_limit_days = 25;
    assert_eq!(c.validate(), Err(ItemError::PromisedOverLegal { promised: 25, legal: 20 }));
    let mut c = sample(1);
    c.steps[1].limit_days = 7;
    assert_eq!(c.validate(), Err(ItemError::StepsOverPromised { sum: 11, promised: 10 }));
    let mut c = sample(1);
    c.case_type = CaseType::Immediate;
    assert_eq!(c.validate(), Err(ItemError::SameDayLimit));
    let mut c = sample(1);
    c.basic_code = "abc".into();
    assert_eq!(c.validate(), Err(ItemError::BasicCode));
    let mut c = sample(1);
    c.steps[1].joint = vec![CoReview { department_id: 2, limit_days: 7 }];
    assert_eq!(c.validate(), Err(ItemError::JointOverStep { step: 2 }));
    c.steps[1].joint = vec![CoReview { department_id: 2, limit_days: 5 }, CoReview { department_id: 2, limit_days: 5 }];
    assert_eq!(c.validate(), Err(ItemError::JointDuplicate { step: 2 }));
    c.steps[1].joint = vec![CoReview { department_id: 2, limit_days: 5 }, CoReview { department_id: 3, limit_days: 4 }];
    assert!(c.validate().is_ok());
    assert!(c.has_joint_review());
    assert_eq!(c.department_ids(), vec![1, 2, 3]);
    let mut c = sample(1);
    c.fee = true;
    assert_eq!(c.validate(), Err(ItemError::FeeWithoutStandard));
    let mut c = sample(1);
    c.materials.clear();
    assert_eq!(c.validate(), Err(ItemError::Empty { field: "materials" }));
    // An operator acts at no step, however the item arrives (editor, workbook, API).
    let mut c = sample(1);
    for role in [crate::admin::Role::Operator, crate::admin::Role::Supervisor, crate::admin::Role::CenterAdmin] {
        c.steps[1].role = role;
        assert_eq!(c.validate(), Err(ItemError::StepRole { step: 2 }), "{role:?}");
    }
    c.steps[1].role = crate::admin::Role::LegalReview;
    assert!(c.validate().is_ok());
}

#[test]
fn implementation_codes_carry_department_and_level() {
    let cc = CreditCode::parse("11520200MB0000005X").or_else(|_| {
        let first = "11520200MB0000005";
        CreditCode::parse(&format!("{first}{}", CreditCode::check_char(first).unwrap()))
    });
    let cc = cc.unwrap();
    let code = implementation_code(&cc, ExerciseLevel::Municipal, "000117008000");
    assert_eq!(code.len(), 31);
    assert!(code.starts_with(cc.as_str()));
    assert_eq!(&code[18..19], "3");
    assert!(code.ends_with("000117008000"));
}

#[test]
fn governance_flow_and_roles() {
    use GovernanceAction::*;
    use VersionState::*;
    let dept_admin = actor(5, &[Role::DeptAdmin]);
    let other_admin = actor(6, &[Role::DeptAdmin]);
    let legal = actor(4, &[Role::LegalReview]);
    let center = actor(1, &[Role::CenterAdmin]);
    assert_eq!(transition(Draft, Submit, &dept_admin, 5, "新增事项"), Ok(LegalReview));
    assert_eq!(transition(Draft, Submit, &other_admin, 5, "x"), Err(GovernanceError::WrongRole));
    assert_eq!(transition(Draft, Submit, &dept_admin, 5, " "), Err(GovernanceError::ReasonRequired));
    assert_eq!(
        transition(LegalReview, Approve, &center, 5, "x"),
        Err(GovernanceError::WrongState { state: LegalReview })
    );
    assert_eq!(transition(LegalReview, PassLegalReview, &center, 5, "x"), Err(GovernanceError::WrongRole));
    assert_eq!(transition(LegalReview, PassLegalReview, &legal, 5, "合法"), Ok(CenterApproval));
    assert_eq!(transition(LegalReview, SendBack, &legal, 5, "依据不全"), Ok(Draft));
    assert_eq!(transition(CenterApproval, SendBack, &legal, 5, "x"), Err(GovernanceError::WrongRole));
    assert_eq!(transition(CenterApproval, Approve, &center, 5, "同意"), Ok(Published));
    assert_eq!(transition(Published, Edit, &dept_admin, 5, "x"), Err(GovernanceError::WrongState { state: Published }));
    assert_eq!(transition(Draft, Withdraw, &dept_admin, 5, "不再需要"), Ok(Withdrawn));
}

#[test]
fn exports_with_standard_names() {
    let c = sample(1);
    let v = c.to_gbt39046(&ExportNames {
        impl_code: "X",
        department: "示例局",
        department_code: "Y",
        co_departments: &[("甲".into(), "1".into()), ("乙".into(), "2".into())],
    });
    assert_eq!(v["事项名称"], "食品经营许可");
    assert_eq!(v["事项类型代码"], "01");
    assert_eq!(v["办件类型代码"], "2");
    assert_eq!(v["服务对象代码"], "2,1");
    assert_eq!(v["共同实施部门"], "甲；乙");
    assert_eq!(v["申请材料"][0]["是否必备材料"], "1");
}

#[test]
fn diff_lists_changed_fields() {
    let a = sample(1);
    let mut b = sample(1);
    b.promised_limit_days = 8;
    b.materials[0].copies = 2;
    b.themes.push("食品".into());
    let d = diff(&a, &b);
    let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["materials[1].copies", "promised_limit_days", "themes"]);
    assert_eq!(d[1].before, serde_json::json!(10));
    assert!(diff(&a, &a).is_empty());
}
