//! The import: every sheet parsed and checked, cross-field rules naming their columns, then all items created as drafts in one transaction, or none.

use super::*;

/// Parses the workbook into contents (keyed by row), collecting every error.
pub(super) async fn parse(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Vec<(usize, ItemContent, String)>, Vec<CellError>> {
    let store = &ctx.state.store;
    let mut errors = Vec::new();
    let Ok(mut wb) = Xlsx::new(Cursor::new(bytes.to_vec())) else {
        return Err(file_error("文件不是有效的Excel工作簿（.xlsx），请使用下载的模板".into()));
    };
    let (Ok(items), Ok(mats)) = (wb.worksheet_range(ITEM_SHEET), wb.worksheet_range(MATERIAL_SHEET)) else {
        return Err(file_error(format!("工作簿须包含“{ITEM_SHEET}”和“{MATERIAL_SHEET}”两个工作表，请使用下载的模板")));
    };
    let step_range = if wb.sheet_names().iter().any(|n| n == STEP_SHEET) {
        match wb.worksheet_range(STEP_SHEET) {
            Ok(r) => Some(r),
            Err(_) => return Err(file_error(format!("无法读取“{STEP_SHEET}”工作表"))),
        }
    } else {
        None
    };
    let item_layout = Layout::of(ITEM_SHEET, ITEM_COLUMNS, &items);
    let mat_layout = Layout::of(MATERIAL_SHEET, MATERIAL_COLUMNS, &mats);
    let step_layout = step_range.as_ref().map(|r| Layout::of(STEP_SHEET, STEP_COLUMNS, r));
    errors.extend(item_layout.missing());
    errors.extend(mat_layout.missing());
    if let Some(l) = &step_layout {
        errors.extend(l.missing());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let dept_list = store_admin::list_departments(store).await.unwrap_or_default();
    let depts = Departments(&dept_list);

    // Materials and steps first, grouped by (basic code, credit code).
    let mut materials: HashMap<Key, Group<Material>> = HashMap::new();
    for (i, row) in data_rows(&mats) {
        let before = errors.len();
        let mut r = RowReader { layout: &mat_layout, row: i, cells: row, errors: &mut errors };
        let key = (r.required(mc::BASIC_CODE), r.required(mc::CREDIT).to_ascii_uppercase());
        let m = Material {
            name: r.required(mc::NAME),
            kind: r.text(mc::KIND),
            source: r.text(mc::SOURCE),
            issuer: r.text(mc::ISSUER),
            issue_time_requirement: r.text(mc::ISSUE_TIME),
            how_to_obtain: r.text(mc::HOW),
            where_to_obtain: r.text(mc::WHERE),
            usage_notes: r.text(mc::USAGE),
            acceptance_standard: r.text(mc::STANDARD),
            requirements: r.text(mc::REQUIREMENTS),
            originals: r.number(mc::ORIGINALS, Some(1)),
            copies: r.number(mc::COPIES, Some(0)),
            required: r.flag(mc::REQUIRED, Some(true)),
            form_sm3: r.file(mc::FORM, store).await,
            example_sm3: r.file(mc::EXAMPLE, store).await,
            license_type_code: r.text(mc::LICENSE_TYPE).to_ascii_uppercase(),
            commitment: r.flag(mc::COMMITMENT, Some(false)),
            // A kind not recognised is kept as written, for the content's
            // check to name the cell.
            registry: {
                let t = r.text(mc::REGISTRY);
                zwfw_domain::registry::SlipKind::from_text(&t).map(|k| k.code().to_string()).unwrap_or(t)
            },
        };
        let g = materials.entry(key).or_default();
        g.rows.push((i, m));
        g.bad |= errors.len() > before;
    }
    let mut steps_of: HashMap<Key, Group<StepRow>> = HashMap::new();
    if let (Some(range), Some(layout)) = (&step_range, &step_layout) {
        for (i, row) in data_rows(range) {
            let before = errors.len();
            let mut r = RowReader { layout, row: i, cells: row, errors: &mut errors };
            let key = (r.required(sc::BASIC_CODE), r.required(sc::CREDIT).to_ascii_uppercase());
            let name = r.required(sc::NAME);
            let role_text = r.required(sc::ROLE);
            let role = role_of(&role_text);
            if role.is_none() && !role_text.is_empty() {
                r.err(sc::ROLE, format!("“{role_text}”不是角色代码（如 counter、reviewer、dept_head）"));
            }
            if let Some(x) = role.filter(|x| !at_steps(*x)) {
                r.err(sc::ROLE, not_at_steps(x, &role_text));
            }
            let limit_days = r.number(sc::DAYS, None);
            let department = r.department(sc::DEPT, &depts);
            let may_suspend = r.flag(sc::SPECIAL, Some(false));
            let mut joint = Vec::new();
            for part in r.text(sc::JOINT).split([';', '；', ',', '，', '、']).map(str::trim).filter(|p| !p.is_empty())
            {
                let Some((credit, days)) = part.split_once([':', '：']) else {
                    r.err(sc::JOINT, format!("“{part}”应写成“统一社会信用代码:时限”"));
                    continue;
                };
                let credit = credit.trim().to_ascii_uppercase();
                match (depts.find(&credit), days.trim().parse::<u32>()) {
                    (Ok(id), Ok(days)) => joint.push(CoReview { department_id: id, limit_days: days }),
                    (Err(m), _) => r.err(sc::JOINT, m),
                    (_, Err(_)) => r.err(sc::JOINT, format!("“{part}”的时限“{}”不是整数", days.trim())),
                }
            }
            let step = Step {
                name,
                department_id: department.unwrap_or_default(),
                role: role.unwrap_or(Role::Reviewer),
                limit_days,
                may_suspend,
                joint,
            };
            let g = steps_of.entry(key).or_default();
            g.rows.push((i, StepRow { step, department }));
            g.bad |= errors.len() > before;
        }
    }

    let mut out = Vec::new();
    let mut seen_codes = std::collections::HashSet::new();
    for (i, row) in data_rows(&items) {
        let before = errors.len();
        let mut r = RowReader { layout: &item_layout, row: i, cells: row, errors: &mut errors };
        let name = r.required(ic::NAME);
        let basic_code = r.required(ic::BASIC_CODE);
        let item_type = r.code(ic::ITEM_TYPE, ItemType::parse, "事项类型代码（A.1）");
        let legal_basis = r.required(ic::LEGAL_BASIS);
        let level = r.code(ic::LEVEL, ExerciseLevel::parse, "行使层级代码（A.2）");
        let credit = r.required(ic::CREDIT).to_ascii_uppercase();
        let dept = if credit.is_empty() {
            None
        } else {
            match depts.find(&credit) {
                Err(m) => {
                    r.err(ic::CREDIT, m);
                    None
                }
                Ok(d) if ctx.actor.is_some_and(|a| !zwfw_domain::access::catalog::may_author(a, d)) => {
                    r.err(ic::CREDIT, "您无权为该部门录入事项");
                    None
                }
                Ok(d) => Some(d),
            }
        };
        let nature = r.code(ic::NATURE, SubjectNature::parse, "实施主体性质代码（A.3）");
        let legal = r.number(ic::LEGAL, None);
        let promised = r.number(ic::PROMISED, None);
        let case_type = r.code(ic::CASE_TYPE, CaseType::parse, "办件类型代码（A.6）");
        let acceptance = r.required(ic::ACCEPTANCE);
        let result = r.required(ic::RESULT);
        let fee = r.flag(ic::FEE, None);
        let objects = r.codes(ic::OBJECTS, ServiceObject::parse, "服务对象代码（A.4）");
        let life_events = if r.text(ic::LIFE_EVENTS).is_empty() {
            vec![]
        } else {
            r.codes(ic::LIFE_EVENTS, zwfw_domain::catalog::LifeEvent::parse, "人生事件代码")
        };
        let modes_text = r.text(ic::MODES);
        let modes = r.codes(ic::MODES, HandlingMode::parse, "办理形式代码（A.5）");
        let location = r.required(ic::LOCATION);
        let hours = r.required(ic::HOURS);
        let enquiry = r.required(ic::ENQUIRY);
        let supervision = r.required(ic::SUPERVISION);
        let mut form_fields = Vec::new();
        for part in r.text(ic::FORM_FIELDS).split([';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
            let f: Vec<&str> = part.split([':', '：']).collect();
            match zwfw_domain::catalog::FormField::from_parts(&f) {
                Some(field) => form_fields.push(field),
                None => r.err(ic::FORM_FIELDS, format!("申请表字段“{part}”应写成“名称:类型:必填/选填[:选项]”")),
            }
        }
        let co_department_ids = r.departments(ic::CO_DEPTS, &depts);
        let regulator_department_ids = r.departments(ic::REGULATORS, &depts);
        let fee_amount_text = r.text(ic::FEE_AMOUNT);
        let fee_amount_fen = if fee_amount_text.is_empty() {
            None
        } else {
            let v = parse_yuan(&fee_amount_text);
            if v.is_none() {
                r.err(ic::FEE_AMOUNT, format!("“{fee_amount_text}”不是金额（元，最多两位小数）"));
            }
            v
        };
        let special_procedure_max_days = r.optional_number(ic::SPECIAL_MAX);
        let extension_moves_promised = r.flag(ic::EXTENSION, Some(false));
        let appointment = r.flag(ic::APPOINTMENT, Some(false));
        let online_payment = r.flag(ic::ONLINE_PAYMENT, Some(false));
        let courier = r.flag(ic::COURIER, Some(false));
        let online = r.flag(ic::ONLINE, Some(modes_online(&modes_text)));
        let visits = r.number(ic::VISITS, Some(1));
        let result_sample_sm3 = r.file(ic::RESULT_SAMPLE, store).await;

        let key = (basic_code.clone(), credit.clone());
        let mats = materials.remove(&key).unwrap_or_default();
        if mats.rows.is_empty() && !basic_code.is_empty() {
            r.err(ic::BASIC_CODE, format!("“{MATERIAL_SHEET}”表中没有该事项（基本编码{basic_code}）的材料"));
        }
        let step_rows = steps_of.remove(&key);
        let inline = r.text(ic::STEPS);
        let mut steps = Vec::new();
        let mut steps_bad = false;
        let step_origin = match step_rows {
            Some(g) if inline.is_empty() => {
                steps_bad = g.bad;
                let origin = StepOrigin::Sheet(g.rows.iter().map(|(row, s)| (*row, s.department.is_some())).collect());
                steps = g
                    .rows
                    .into_iter()
                    .map(|(_, s)| Step { department_id: s.department.or(dept).unwrap_or_default(), ..s.step })
                    .collect();
                origin
            }
            Some(_) => {
                r.err(ic::STEPS, format!("该事项的环节已在“{STEP_SHEET}”表中列出，本列须留空（环节只在一处填写）"));
                StepOrigin::Column
            }
            None if inline.is_empty() => {
                r.err(
                    ic::STEPS,
                    format!("该事项没有环节：请在“{STEP_SHEET}”表中逐行填写，或在本列按“名称:角色代码:时限”填写"),
                );
                StepOrigin::Column
            }
            None => {
                for part in inline.split([';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
                    let f: Vec<&str> = part.split([':', '：']).map(str::trim).collect();
                    match (f.as_slice(), dept) {
                        ([n, role, days], Some(d)) => match (Role::parse(role), days.parse::<u32>()) {
                            (Ok(x), _) if !at_steps(x) => {
                                r.err(ic::STEPS, format!("环节“{part}”：{}", not_at_steps(x, role)))
                            }
                            (Ok(role), Ok(days)) => steps.push(Step {
                                name: n.to_string(),
                                department_id: d,
                                role,
                                limit_days: days,
                                may_suspend: false,
                                joint: vec![],
                            }),
                            _ => r.err(ic::STEPS, format!("环节“{part}”的角色代码或时限不正确")),
                        },
                        ([_, _, _], None) => {}
                        _ => r.err(ic::STEPS, format!("环节“{part}”应写成“名称:角色代码:时限”")),
                    }
                }
                StepOrigin::Column
            }
        };
        let process_description = if r.present(ic::PROCESS) {
            r.text(ic::PROCESS)
        } else {
            steps.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(" → ")
        };
        if errors.len() > before || mats.bad || steps_bad {
            continue;
        }
        let (Some(item_type), Some(level), Some(dept), Some(nature), Some(case_type)) =
            (item_type, level, dept, nature, case_type)
        else {
            continue;
        };
        let r = RowReader { layout: &item_layout, row: i, cells: row, errors: &mut errors };
        let content = ItemContent {
            name,
            sub_name: r.text(ic::SUB_NAME),
            basic_code,
            item_type,
            legal_basis,
            exercise_level: level,
            authority_division: r.text(ic::AUTHORITY),
            content_exercised: r.text(ic::CONTENT),
            department_id: dept,
            subject_nature: nature,
            legal_limit_days: legal,
            legal_limit_note: r.text(ic::LEGAL_NOTE),
            promised_limit_days: promised,
            promised_limit_note: r.text(ic::PROMISED_NOTE),
            case_type,
            acceptance_conditions: acceptance,
            process_description,
            co_department_ids,
            regulator_department_ids,
            handling_office: r.text(ic::OFFICE),
            intermediary_services: r.text(ic::INTERMEDIARY),
            quantity_limit: r.text(ic::QUANTITY),
            result_name: result,
            result_type: r.text(ic::RESULT_TYPE),
            result_delivery: r.text(ic::RESULT_DELIVERY),
            result_sample_sm3,
            fee,
            fee_standard: r.text(ic::FEE_STANDARD),
            fee_amount_fen,
            fee_basis: r.text(ic::FEE_BASIS),
            scope: r.text(ic::SCOPE),
            service_objects: objects,
            themes: list(&r.text(ic::THEMES)),
            handling_modes: modes,
            special_procedures: list(&r.text(ic::SPECIAL)),
            special_procedure_max_days,
            extension_moves_promised,
            jurisdiction: r.text(ic::JURISDICTION),
            appointment,
            online_payment,
            courier,
            online,
            online_url: r.text(ic::ONLINE_URL),
            system_level: r.text(ic::SYSTEM_LEVEL),
            location,
            traffic_guide: r.text(ic::TRAFFIC),
            office_hours: hours,
            visits,
            enquiry_channels: r.text(ic::CHANNELS),
            enquiry_phone: enquiry,
            supervision_phone: supervision,
            faq: r.text(ic::FAQ),
            materials: mats.rows.iter().map(|(_, m)| m.clone()).collect(),
            steps,
            form_fields,
            life_events,
        };
        if let Err(e) = content.validate() {
            let place = Place {
                items: &item_layout,
                materials: &mat_layout,
                steps: step_layout.as_ref(),
                row: i,
                material_rows: mats.rows.iter().map(|(row, _)| *row).collect(),
                step_origin,
            };
            errors.push(place.locate(&e, &content));
            continue;
        }
        let code = match crate::catalog::checked_code(ctx, &content).await {
            Ok(c) => c,
            Err(e) => {
                errors.push(item_layout.error(i, &[ic::CREDIT], e.message()));
                continue;
            }
        };
        if !seen_codes.insert(code.clone()) {
            errors.push(item_layout.error(
                i,
                &[ic::BASIC_CODE, ic::LEVEL, ic::CREDIT],
                "同一部门同一行使层级的基本编码在文件中重复",
            ));
            continue;
        }
        if zwfw_store::catalog::find_item_by_code(store, &code).await.ok().flatten().is_some() {
            errors.push(item_layout.error(
                i,
                &[ic::BASIC_CODE],
                format!("实施编码{code}的事项已存在，请通过“发起变更”修改"),
            ));
            continue;
        }
        out.push((i, content, code));
    }
    let orphan = |layout: &Layout, row: usize, (basic, credit): &Key| {
        layout.error(row, &[0, 1], format!("对应的事项（基本编码{basic}，实施主体{credit}）不在“{ITEM_SHEET}”表中"))
    };
    let mut orphans: Vec<CellError> =
        materials.iter().filter_map(|(k, g)| g.rows.first().map(|(row, _)| orphan(&mat_layout, *row, k))).collect();
    if let Some(l) = &step_layout {
        orphans.extend(steps_of.iter().filter_map(|(k, g)| g.rows.first().map(|(row, _)| orphan(l, *row, k))));
    }
    orphans.sort_by(|a, b| (&a.sheet, a.row).cmp(&(&b.sheet, b.row)));
    errors.extend(orphans);
    if out.is_empty() && errors.is_empty() {
        errors.push(CellError {
            sheet: ITEM_SHEET.into(),
            row: 2,
            column: String::new(),
            message: "文件中没有事项".into(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub(super) fn modes_online(t: &str) -> bool {
    t.contains('2') || t.contains('3')
}

/// Data rows with their Excel row numbers, skipping the header and empty rows.
pub(super) fn data_rows(range: &calamine::Range<Data>) -> Vec<(usize, &[Data])> {
    let start = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    range
        .rows()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|(i, r)| (start + i + 1, r))
        .collect()
}

/// Imports a workbook: all items as drafts in one transaction, or nothing.
pub async fn import(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<usize, ImportReport> {
    let reject = |errors: Vec<CellError>| ImportReport {
        code: "import_rejected".into(),
        message: format!("导入未执行：发现{}处错误，请修改后重新导入（文件中的事项均未保存）", errors.len()),
        errors,
    };
    if !ctx.actor.is_some_and(zwfw_domain::access::catalog::may_import) {
        return Err(ImportReport {
            code: "forbidden".into(),
            message: crate::messages::error_text("forbidden", None),
            errors: vec![],
        });
    }
    let rows = parse(ctx, bytes).await.map_err(reject)?;
    let store = &ctx.state.store;
    let result = async {
        let mut tx = store.begin().await?;
        for (_, content, code) in &rows {
            crate::catalog::create_item_in(ctx, &mut tx, code, content, "Excel批量导入", None).await?;
        }
        tx.commit().await?;
        Ok::<_, crate::AppError>(rows.len())
    }
    .await;
    result.map_err(|e| {
        reject(vec![CellError { sheet: String::new(), row: 0, column: String::new(), message: e.message() }])
    })
}
