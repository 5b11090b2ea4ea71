//! Demo cases: a few hundred applications on the demo catalogue, in every
//! state, spread over the past months. Each one is played through the real
//! service functions with the clock set back to when it happened, so its
//! events, clock, documents and audit records are what real work leaves
//! behind: some overdue, some in special procedures, some waiting for joint
//! answers, some transferred, urged, extended, returned.

use crate::cases::{self, ActionInput, ApplicantInput, ApplicationInput, MaterialRef};
use crate::error::AppResult;
use crate::state::{App, Ctx};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use zwfw_domain::admin::{Actor, Role};
use zwfw_domain::cases::{ApplicantKind, Outcome};
use zwfw_domain::catalog::ItemContent;
use zwfw_domain::ids::{CreditCode, ResidentId};
use zwfw_domain::interaction::Duty;
use zwfw_store::admin as store_admin;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

/// Where a demo case is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Draft,
    Submitted,
    Supplementing,
    Refused,
    Withdrawn,
    InProgress,
    Deciding,
    Granted,
    Delivered,
    Denied,
    Returned,
    Voided,
}

const TARGETS: [(Target, u32); 12] = [
    (Target::Draft, 3),
    (Target::Submitted, 7),
    (Target::Supplementing, 6),
    (Target::Refused, 3),
    (Target::Withdrawn, 3),
    (Target::InProgress, 28),
    (Target::Deciding, 5),
    (Target::Granted, 20),
    (Target::Delivered, 17),
    (Target::Denied, 4),
    (Target::Returned, 2),
    (Target::Voided, 2),
];

const SURNAMES: &str =
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈";
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华",
    "建华", "志强", "桂兰", "海燕", "晓东",
];
const COMPANIES: [&str; 10] = [
    "示例市恒通商贸有限公司",
    "示例市永丰建设工程有限公司",
    "示例市康宁医疗管理有限公司",
    "示例市味之源餐饮有限公司",
    "示例市绿洲物业服务有限公司",
    "示例市新城房地产开发有限公司",
    "示例市安泰药房连锁有限公司",
    "示例市华达建材有限公司",
    "示例市清源环保科技有限公司",
    "示例市明远律师事务所",
];
/// The names of the officers added per department ([`cast`]): one for each
/// demo department, none a listed demo officer's (a name names one person).
const HIDDEN_STAFF: [&str; 12] =
    ["许晴", "罗斌", "高翔", "梁晓", "宋佳", "唐宁", "韩雪", "曾涛", "彭亮", "董文", "袁媛", "邓辉"];

/// Sets the application's clock to `at_ms`.
fn set_time(st: &App, at_ms: i64) {
    let configured = st.clock.offset_ms() - st.clock.moved_ms();
    st.clock.set_moved_ms(at_ms - crate::clock::real_now_ms() - configured);
}

/// The people who act in the demo: per department, one for each role.
struct Cast {
    by_dept: HashMap<i64, Vec<Actor>>,
    public: Vec<Actor>,
}

impl Cast {
    fn with(&self, dept: i64, role: Role) -> Option<&Actor> {
        self.by_dept.get(&dept)?.iter().find(|a| a.has(role))
    }
    /// A colleague of `not` in the department who can do `role`.
    fn colleague(&self, dept: i64, role: Role, not: i64) -> Option<&Actor> {
        self.by_dept.get(&dept)?.iter().find(|a| a.has(role) && a.user_id != not && !a.has(Role::DeptHead))
    }
}

async fn cast(state: &App, depts: &[i64]) -> AppResult<Cast> {
    let ctx = Ctx { state, actor: None, client_addr: "demo".into() };
    let mut by_dept = HashMap::new();
    for (n, d) in depts.iter().enumerate() {
        // demo_housing_staff, demo_market_staff…: one more officer in every
        // department the demo cases pass through (not listed on the login page).
        let dept = store_admin::get_department(&state.store, *d).await?;
        let key = crate::demo::department_key(&dept.credit_code).map(str::to_string).unwrap_or_else(|| d.to_string());
        let username = format!("demo_{key}_staff");
        if store_admin::find_user_by_username(&state.store, &username).await?.is_none() {
            let staff = store_admin::list_staff(&state.store, Some(*d)).await?;
            let mut roles = vec!["counter".to_string(), "reviewer".to_string()];
            if !staff.iter().any(|u| u.active && u.roles.contains(&Role::DeptHead)) {
                roles.push("dept_head".into());
            }
            crate::accounts::create_staff(
                &ctx,
                &crate::accounts::StaffInput {
                    username: username.clone(),
                    display_name: HIDDEN_STAFF[n % HIDDEN_STAFF.len()].into(),
                    department_id: *d,
                    roles,
                    mobile: Some(format!("1390000{:04}", 100 + n)),
                    password: Some(crate::demo::DEMO_PASSWORD.into()),
                    reason: "载入演示办件".into(),
                    request: None,
                    is_demo: true,
                },
            )
            .await?;
        }
        if let Some(u) = store_admin::find_user_by_username(&state.store, &username).await? {
            crate::demo::qualify(state, &u).await?;
        }
        // Each as they act today: an officer without a valid qualification
        // (上岗资格) takes no part.
        let mut staff: Vec<Actor> = Vec::new();
        for u in store_admin::list_staff(&state.store, Some(*d)).await?.iter().filter(|u| u.active) {
            let (actor, _) = crate::governance::qualifications::session_actor(state, u).await?;
            if !actor.roles.is_empty() {
                staff.push(actor);
            }
        }
        // The named demo accounts first, so the story is theirs.
        staff.sort_by_key(|a| a.username.ends_with("_staff"));
        by_dept.insert(*d, staff);
    }
    let mut public = vec![];
    for u in ["demo_citizen", "demo_elder", "demo_company"] {
        if let Some(u) = store_admin::find_user_by_username(&state.store, u).await? {
            public.push(crate::accounts::sessions::actor_of(&u));
        }
    }
    Ok(Cast { by_dept, public })
}

fn resident_id(rng: &mut StdRng) -> String {
    let first17 = format!(
        "5299{:02}{}{:02}{:02}{:03}",
        rng.gen_range(1..30),
        rng.gen_range(1950..2004),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
        rng.gen_range(0..1000)
    );
    format!("{first17}{}", ResidentId::check_char(&first17).unwrap_or('0'))
}

fn credit_code(rng: &mut StdRng) -> String {
    let first17 = format!("91529902MA{:07}", rng.gen_range(0..10_000_000));
    format!("{first17}{}", CreditCode::check_char(&first17).unwrap_or('0'))
}

fn walk_in(rng: &mut StdRng) -> ApplicantInput {
    let legal = rng.gen_bool(0.35);
    let mobile = format!("13{}{:08}", rng.gen_range(5..10), rng.gen_range(0..100_000_000));
    if legal {
        ApplicantInput {
            kind: ApplicantKind::Legal.code().into(),
            name: COMPANIES[rng.gen_range(0..COMPANIES.len())].into(),
            id_no: credit_code(rng),
            mobile,
            address: format!("示例市东城区建设路{}号", rng.gen_range(1..300)),
            email: String::new(),
        }
    } else {
        let surnames: Vec<char> = SURNAMES.chars().collect();
        let name = format!("{}{}", surnames[rng.gen_range(0..surnames.len())], GIVEN[rng.gen_range(0..GIVEN.len())]);
        ApplicantInput {
            kind: ApplicantKind::Natural.code().into(),
            name,
            id_no: resident_id(rng),
            mobile,
            address: format!("示例市西山县城关镇{}组", rng.gen_range(1..20)),
            email: String::new(),
        }
    }
}

/// A small valid PDF standing for a scanned material.
pub(super) fn material_pdf(label: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

/// Plays one case forward. Returns early (leaving the case where it is)
/// when the next step would be in the future.
struct Play<'a> {
    st: &'a App,
    rng: StdRng,
    at: i64,
    until: i64,
}

impl Play<'_> {
    /// Moves time on by a few working hours (nights and weekends skipped
    /// roughly); false when that is past the present.
    fn later(&mut self, min_h: i64, max_h: i64) -> bool {
        let mut t = self.at + self.rng.gen_range(min_h * HOUR..=max_h * HOUR);
        // Office hours, 09:00–17:00 China time (UTC+8).
        let local = (t + 8 * HOUR).rem_euclid(DAY);
        if local < 9 * HOUR {
            t += 9 * HOUR - local + self.rng.gen_range(0..HOUR);
        } else if local >= 17 * HOUR {
            t += DAY - local + 9 * HOUR + self.rng.gen_range(0..HOUR);
        }
        let wd = zwfw_domain::clock::local_date(t).format("%u").to_string();
        if wd == "6" {
            t += 2 * DAY;
        } else if wd == "7" {
            t += DAY;
        }
        if t >= self.until {
            return false;
        }
        self.at = t;
        set_time(self.st, t);
        true
    }

    async fn act(&mut self, who: &Actor, case: i64, input: ActionInput) -> bool {
        let ctx = Ctx { state: self.st, actor: Some(who), client_addr: "demo".into() };
        match cases::act(&ctx, case, &input).await {
            Ok(_) => true,
            Err(e) => {
                tracing::debug!(case, action = %input.action, error = %e.message(), "demo action skipped");
                false
            }
        }
    }
}

fn action(a: &str, opinion: &str) -> ActionInput {
    ActionInput { action: a.into(), opinion: opinion.into(), ..ActionInput::default() }
}

const OPINIONS: [&str; 6] = [
    "材料齐全，符合法定形式，同意。",
    "经审查，符合条件，拟同意。",
    "现场核查情况与申报材料一致。",
    "同意，按程序办理。",
    "符合相关规定，建议准予。",
    "经复核无异议。",
];

async fn play_case(
    p: &mut Play<'_>,
    cast: &Cast,
    item_id: i64,
    content: &ItemContent,
    target: Target,
    serial: usize,
) -> AppResult<()> {
    let dept = content.department_id;
    let Some(counter) = cast.with(dept, Role::Counter).cloned() else { return Ok(()) };
    let head = cast.with(dept, Role::DeptHead).cloned().unwrap_or_else(|| counter.clone());
    let online = content.online && !cast.public.is_empty() && p.rng.gen_bool(0.4);
    let applicant_actor = if online { Some(cast.public[serial % cast.public.len()].clone()) } else { None };
    let submitter = applicant_actor.clone().unwrap_or_else(|| counter.clone());
    let ctx = Ctx { state: p.st, actor: Some(&submitter), client_addr: "demo".into() };
    // Materials, scanned at the counter or uploaded by the applicant.
    let mut materials = vec![];
    for (i, m) in content.materials.iter().enumerate() {
        if !m.required && p.rng.gen_bool(0.5) {
            continue;
        }
        let label = format!("{}-{}", submitter.user_id, m.name);
        let u = cases::upload(&ctx, &format!("{}.pdf", m.name), &material_pdf(&label)).await?;
        materials.push(MaterialRef {
            material_no: i + 1,
            upload_id: Some(u.id),
            e_material_id: None,
            from_registry: false,
            ..Default::default()
        });
    }
    let mut form = serde_json::Map::new();
    form.insert(zwfw_domain::catalog::PURPOSE_FIELD.into(), format!("申请办理{}", content.name).into());
    for f in &content.form_fields {
        use zwfw_domain::catalog::FieldKind::*;
        let v = match f.kind {
            Text => format!("示例市东城区建设路{}号", p.rng.gen_range(1..300)),
            LongText => "按申请书所列内容办理".to_string(),
            Number => p.rng.gen_range(1..50).to_string(),
            Date => (zwfw_domain::clock::local_date(p.at) + chrono::Duration::days(730)).format("%Y-%m-%d").to_string(),
            Choice => f.options.first().cloned().unwrap_or_default(),
        };
        form.insert(f.name.clone(), v.into());
    }
    let input = ApplicationInput {
        applicant: (!online).then(|| walk_in(&mut p.rng)),
        form,
        materials,
        draft: target == Target::Draft,
        idem_key: None,
    };
    let submitted = cases::apply(&ctx, item_id, &input).await?;
    let case = submitted.case_id;
    if target == Target::Draft {
        return Ok(());
    }
    // Pre-review: sometimes one supplement notice first.
    if target == Target::Supplementing || p.rng.gen_bool(0.2) {
        if !p.later(2, 20) {
            return Ok(());
        }
        let mut a = action("supplement_request", "");
        a.missing = vec!["申请书缺少申请人签字（盖章）".into(), "身份证明复印件不清晰，请重新提供".into()];
        if !p.act(&counter, case, a).await || target == Target::Supplementing || !p.later(20, 70) {
            return Ok(());
        }
        let who = applicant_actor.as_ref().unwrap_or(&counter);
        let c = Ctx { state: p.st, actor: Some(who), client_addr: "demo".into() };
        let u = cases::upload(&c, "补正材料.pdf", &material_pdf(&format!("{case}-补正"))).await?;
        let mut a = action("supplement_provide", "");
        a.materials = vec![MaterialRef { material_no: 1, upload_id: Some(u.id), ..Default::default() }];
        if !p.act(who, case, a).await {
            return Ok(());
        }
    }
    if target == Target::Submitted {
        return Ok(());
    }
    if !p.later(1, 30) {
        return Ok(());
    }
    match target {
        Target::Refused => {
            p.act(&counter, case, action("refuse", "申请事项不属于本机关职权范围，请向有关行政机关申请。")).await;
            return Ok(());
        }
        Target::Withdrawn => {
            let who = applicant_actor.as_ref().unwrap_or(&counter);
            p.act(who, case, action("withdraw", "申请人书面申请撤回")).await;
            return Ok(());
        }
        _ => {}
    }
    if !p.act(&counter, case, action("accept", "")).await {
        return Ok(());
    }
    // The steps. A case left in progress stops at a random step.
    let stop_at =
        if target == Target::InProgress { p.rng.gen_range(0..content.steps.len().max(1)) } else { usize::MAX };
    let mut returned = false;
    let mut extended = false;
    let mut step = 0;
    while step < content.steps.len() {
        let s = &content.steps[step];
        let Some(mut worker) = cast.with(s.department_id, s.role).cloned() else { return Ok(()) };
        if !p.later(3, 40) {
            return Ok(());
        }
        // Joint review: the co-departments answer (one may be late).
        for (k, co) in s.joint.iter().enumerate() {
            let Some(r) = cast.with(co.department_id, Role::Reviewer).cloned() else { continue };
            if step == stop_at && k + 1 == s.joint.len() {
                return Ok(());
            }
            let mut a = action("joint_answer", "经会审，同意，请牵头部门按程序办理。");
            a.agree = Some(p.rng.gen_bool(0.9));
            p.act(&r, case, a).await;
            if !p.later(2, 30) {
                return Ok(());
            }
        }
        // Transferred to a colleague now and then.
        if p.rng.gen_bool(0.1) {
            if let Some(c) = cast.colleague(s.department_id, s.role, worker.user_id).cloned() {
                let mut a = action("transfer", "工作调整，转交办理");
                a.to_user = Some(c.user_id);
                if p.act(&worker, case, a).await {
                    worker = c;
                }
            }
        }
        // A special procedure where the step allows one.
        let stay_suspended = step == stop_at && p.rng.gen_bool(0.6);
        if s.may_suspend && (stay_suspended || p.rng.gen_bool(0.3)) {
            let mut a = action("special_start", "依法需现场核查，核查期间不计入审批期限。");
            a.kind = Some(content.special_procedures.first().cloned().unwrap_or_else(|| "现场核查".into()));
            if p.act(&worker, case, a).await {
                if stay_suspended {
                    return Ok(());
                }
                if !p.later(24, 120) {
                    return Ok(());
                }
                p.act(&worker, case, action("special_end", "现场核查完毕，情况属实。")).await;
            }
        }
        // An extension, approved by the head.
        if !extended && p.rng.gen_bool(0.06) {
            let mut a = action("extension_request", "情况复杂，需进一步调查核实。");
            a.days = Some(10);
            if p.act(&worker, case, a).await {
                extended = true;
                if step == stop_at && p.rng.gen_bool(0.5) {
                    return Ok(());
                }
                let mut d = action("extension_decide", "同意延长十个工作日，并告知申请人。");
                d.approved = Some(true);
                if let Some(h) = cast.with(s.department_id, Role::DeptHead).cloned() {
                    p.act(&h, case, d).await;
                }
            }
        }
        if step == stop_at {
            // Waiting; the head urges some of those that are late.
            if p.rng.gen_bool(0.3) && p.later(24, 96) {
                p.act(&head, case, action("urge", "请抓紧办理，按时办结。")).await;
            }
            return Ok(());
        }
        // A return to the step before, once in a while.
        if step > 0 && !returned && p.rng.gen_bool(0.06) {
            let mut a = action("return", "审查意见需补充核实，退回上一环节。");
            a.step = Some(step);
            if p.act(&worker, case, a).await {
                returned = true;
                step -= 1;
                continue;
            }
        }
        let opinion = OPINIONS[p.rng.gen_range(0..OPINIONS.len())];
        if !p.act(&worker, case, action("pass", opinion)).await {
            return Ok(());
        }
        step += 1;
    }
    if target == Target::Deciding || target == Target::InProgress || !p.later(2, 30) {
        return Ok(());
    }
    let mut a = action("conclude", "");
    match target {
        Target::Denied => {
            a.outcome = Some("denied".into());
            a.opinion = "经审查，申请人不符合法定条件。".into();
        }
        Target::Returned => {
            a.outcome = Some(Outcome::Returned.code().into());
            a.opinion = "申请人逾期未补正，作退件处理。".into();
        }
        Target::Voided => {
            a.outcome = Some(Outcome::Voided.code().into());
            a.opinion = "重复申请，作废。".into();
        }
        _ => {
            a.outcome = Some(Outcome::Granted.code().into());
            a.document_no = Some(format!("{}{:06}", &content.basic_code.get(..4).unwrap_or("ZW"), serial + 1));
            let until = zwfw_domain::clock::local_date(p.at) + chrono::Duration::days(5 * 365);
            a.valid_until = Some(until.format("%Y-%m-%d").to_string());
        }
    }
    if !p.act(&head, case, a).await || target != Target::Delivered || !p.later(4, 60) {
        return Ok(());
    }
    let mut d = action("deliver", "");
    let (method, tracking) = match p.rng.gen_range(0..3) {
        0 => ("窗口领取", String::new()),
        1 => ("邮寄", format!("EMS{:010}", p.rng.gen_range(0..10_000_000_000i64))),
        _ => ("电子送达", String::new()),
    };
    d.method = Some(method.into());
    d.tracking_no = Some(tracking);
    p.act(&counter, case, d).await;
    Ok(())
}

/// Adds `n` demo cases unless there are cases already. Returns how many were made.
/// The latest 17:00 China time of a Monday to Friday at or before `t`.
fn last_close(t: i64) -> i64 {
    let close_of = |d: chrono::NaiveDate| zwfw_domain::clock::end_of_day_ms(d) - 7 * HOUR;
    let mut day = zwfw_domain::clock::local_date(t);
    loop {
        use chrono::Datelike;
        let weekday = day.weekday().number_from_monday();
        if weekday <= 5 && close_of(day) <= t {
            return close_of(day);
        }
        day -= chrono::Duration::days(1);
    }
}

/// The notices the played cases sent by SMS and e-mail are given up, with
/// the reason, and not sent: their applicants are invented. (In-app notices
/// stay: the demo accounts read them.)
async fn hold_messages(state: &App) -> AppResult<()> {
    let ctx = Ctx { state, actor: None, client_addr: "demo".into() };
    crate::cases::notices::derive(state).await?;
    let mut tx = state.store.begin().await?;
    let why = "演示办件的消息，不对外发送";
    let n = zwfw_store::outbox::give_up_waiting(&mut tx, why, state.now_ms()).await?;
    if n > 0 {
        ctx.audit(
            &mut tx,
            ctx.entry("demo_messages_held", "notification", "demo", serde_json::json!({"messages": n}), why),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn load(state: &App, n: usize) -> AppResult<usize> {
    let existing: i64 = zwfw_store::cases::counts(&state.store, None).await?.iter().map(|(_, c)| c).sum();
    if existing > 0 || n == 0 {
        return Ok(0);
    }
    // The published items and the departments that work on them.
    let mut items = vec![];
    let mut depts = vec![];
    let filter = zwfw_store::catalog::ItemFilter { published_only: true, limit: 1000, ..Default::default() };
    for item in zwfw_store::catalog::list(&state.store, &filter).await? {
        let c = cases::item_version(state, item.version_id).await?;
        if c.steps.is_empty() || c.materials.is_empty() {
            continue;
        }
        for s in &c.steps {
            depts.push(s.department_id);
            depts.extend(s.joint.iter().map(|j| j.department_id));
        }
        items.push((item.item_id, c));
    }
    if items.is_empty() {
        return Ok(0);
    }
    depts.sort();
    depts.dedup();
    let cast = cast(state, &depts).await?;
    name_handlers(state, &cast).await?;
    let now = crate::clock::real_now_ms() + state.clock.offset_ms();
    // The cases are played up to the close of the last working day that
    // ended at least an hour ago, so that what they show does not depend on
    // the hour the demo is loaded at (in the evening, cases played up to
    // the present stopped short of the steps they were meant to reach).
    let until = last_close(now - HOUR);
    let moved = state.clock.moved_ms();
    let mut rng = StdRng::seed_from_u64(20_261_124);
    let total: u32 = TARGETS.iter().map(|t| t.1).sum();
    let mut made = 0;
    for i in 0..n {
        let mut pick = rng.gen_range(0..total);
        let target = TARGETS
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map(|t| t.0)
            .unwrap_or(Target::InProgress);
        // Finished work started long ago; open work mostly lately, some of it stuck for months.
        let days_ago = match target {
            Target::Draft | Target::Submitted => rng.gen_range(0..4),
            Target::Supplementing => rng.gen_range(1..12),
            Target::InProgress | Target::Deciding if rng.gen_bool(0.2) => rng.gen_range(30..120),
            Target::InProgress | Target::Deciding => rng.gen_range(3..14),
            _ => rng.gen_range(15..170),
        };
        let start = until - days_ago * DAY - rng.gen_range(0..8 * HOUR);
        let (item_id, content) = &items[i % items.len()];
        let mut p = Play { st: state, rng: StdRng::seed_from_u64(rng.gen()), at: start, until };
        if !p.later(0, 2) {
            continue;
        }
        match play_case(&mut p, &cast, *item_id, content, target, i).await {
            Ok(()) => made += 1,
            Err(e) => tracing::warn!(error = %e.message(), "demo case not made"),
        }
    }
    state.clock.set_moved_ms(moved);
    hold_messages(state).await?;
    sign_in_history(state, now, &mut rng).await?;
    publish_rankings(state).await?;
    // The demo company's 营业执照, to be used in its later applications.
    if let Err(e) = super::licenses::issue_held(state).await {
        tracing::warn!(error = %e.message(), "the demo company's business licence was not issued");
    }
    Ok(made)
}

/// Interaction handlers (留言办理人) for the departments the demo cases pass
/// through and for 东城区's government office: the head as lead, one officer
/// as staff. The other counties' offices stay without, so that the county
/// view has a gap to show.
async fn name_handlers(state: &App, cast: &Cast) -> AppResult<()> {
    let ctx = Ctx { state, actor: None, client_addr: "demo".into() };
    let mut depts: Vec<i64> = cast.by_dept.keys().copied().collect();
    depts.sort();
    let office = store_admin::list_departments(&state.store)
        .await?
        .into_iter()
        .find(|d| crate::demo::department_key(&d.credit_code) == Some("dongcheng"));
    // Who is named is read first; the write transaction is only the inserts.
    let handler = |d: i64, u: &store_admin::User, duty: &'static str| {
        (d, u.id, duty, u.mobile.clone().unwrap_or_else(|| format!("1390001{:04}", u.id % 10_000)))
    };
    let mut rows = vec![];
    for d in depts.iter().copied().chain(office.map(|o| o.id)) {
        let staff: Vec<_> =
            store_admin::list_staff(&state.store, Some(d)).await?.into_iter().filter(|u| u.active).collect();
        if let Some(head) = staff.iter().find(|u| u.roles.contains(&Role::DeptHead)) {
            rows.push(handler(d, head, Duty::Lead.code()));
        }
        if let Some(officer) =
            staff.iter().find(|u| !u.roles.contains(&Role::DeptHead) && u.roles.contains(&Role::Reviewer))
        {
            rows.push(handler(d, officer, Duty::Staff.code()));
        }
    }
    let mut tx = state.store.begin().await?;
    for (d, u, duty, mobile) in &rows {
        zwfw_store::interaction::add_handler(&mut tx, *d, *u, duty, mobile, None, state.now_ms()).await?;
    }
    let e = ctx.entry(
        "interaction_handler_add",
        "department",
        "demo",
        serde_json::json!({"handlers": rows.len()}),
        "载入演示办件",
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// Past sign-ins of the demo staff on the working days of the last 120 days
/// (each on about three days in five), so that the evaluation's activity
/// figures have something to show. Each session was ended by signing out.
async fn sign_in_history(state: &App, now: i64, rng: &mut StdRng) -> AppResult<()> {
    let cal = state.calendar();
    let staff = store_admin::list_staff(&state.store, None).await?;
    let today = zwfw_domain::clock::local_date(now);
    let mut tx = state.store.begin().await?;
    for back in (1..=120).rev() {
        let day = today - chrono::Duration::days(back);
        if !cal.is_working_day(day).unwrap_or(false) {
            continue;
        }
        let morning = zwfw_domain::clock::start_of_day_ms(day) + 8 * HOUR + HOUR / 2;
        for u in staff.iter().filter(|u| u.active) {
            if !rng.gen_bool(0.6) {
                continue;
            }
            let at = morning + rng.gen_range(0..90 * 60_000);
            let token = hex::encode(rng.gen::<[u8; 16]>());
            let id = zwfw_store::auth::insert_session(
                &mut tx,
                &zwfw_store::auth::NewSession {
                    token_hash: &format!("demo-history-{token}"),
                    user_id: u.id,
                    csrf_token: &token,
                    mfa_pending: false,
                    client_addr: "10.0.0.10",
                    user_agent: "demo",
                },
                at,
            )
            .await?;
            zwfw_store::auth::end_session(&mut tx, id, "logout", at + 8 * HOUR).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The rankings of the last half-month and month that ended, published by the demo supervision officer.
async fn publish_rankings(state: &App) -> AppResult<()> {
    use zwfw_domain::evaluation::PeriodKind;
    let Some(user) = store_admin::find_user_by_username(&state.store, "demo_supervisor").await? else {
        return Ok(());
    };
    let actor = crate::accounts::sessions::actor_of(&user);
    let ctx = Ctx { state, actor: Some(&actor), client_addr: "demo".into() };
    for kind in [PeriodKind::Month, PeriodKind::HalfMonth] {
        let period = crate::evaluation::default_period(state, kind).code();
        crate::evaluation::publish(&ctx, &crate::evaluation::PublishInput { period, note: String::new() }).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::last_close;

    #[test]
    fn every_demo_officer_has_a_name_of_their_own() {
        let listed = crate::demo::STAFF.iter().map(|s| s.1);
        let mut names: Vec<&str> = listed.chain(super::HIDDEN_STAFF).collect();
        assert!(super::HIDDEN_STAFF.len() >= crate::demo::DEPARTMENTS.len(), "one per department, none twice");
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "two demo officers share a name");
    }

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn the_demo_plays_up_to_the_last_close_of_a_working_day() {
        // Tuesday evening: that day's close.
        assert_eq!(last_close(at("2026-11-24T20:48:00+08:00")), at("2026-11-24T17:00:00+08:00"));
        assert_eq!(last_close(at("2026-11-24T17:00:00+08:00")), at("2026-11-24T17:00:00+08:00"));
        // Tuesday morning: Monday's.
        assert_eq!(last_close(at("2026-11-24T10:30:00+08:00")), at("2026-11-23T17:00:00+08:00"));
        // Over the weekend and on Monday morning: Friday's.
        assert_eq!(last_close(at("2026-11-29T12:00:00+08:00")), at("2026-11-27T17:00:00+08:00"));
        assert_eq!(last_close(at("2026-11-30T08:00:00+08:00")), at("2026-11-27T17:00:00+08:00"));
        // Just after midnight China time (the evening before in UTC).
        assert_eq!(last_close(at("2026-11-25T00:30:00+08:00")), at("2026-11-24T17:00:00+08:00"));
    }
}
