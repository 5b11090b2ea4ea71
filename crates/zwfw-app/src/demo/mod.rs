//! The demo city 示例市: three counties, a few towns, departments of every
//! kind, one staff account per role and a few public users. Loading is
//! idempotent: what exists is left as it is.

pub mod cases;
mod forms;
mod item_extras;
pub mod items;
mod licenses;
mod notices;
mod registry;

use crate::accounts::{self, RegisterInput, StaffInput};
use crate::error::AppResult;
use crate::orgs::{self, DepartmentInput, RegionInput};
use crate::state::{App, Ctx};
use serde::Serialize;
use zwfw_domain::audit::action;
use zwfw_domain::ids::{CreditCode, ResidentId};
use zwfw_store::admin as store_admin;

/// The password of every demo account until its first sign-in.
pub const DEMO_PASSWORD: &str = "Demo@12345";

const CITY: (&str, &str) = ("529900", "示例市");
const COUNTIES: [(&str, &str); 3] = [("529902", "东城区"), ("529921", "西山县"), ("529922", "南湖县")];
const TOWNS: [(&str, &str); 5] = [
    ("529902001", "东城街道"),
    ("529902002", "新华街道"),
    ("529921101", "西山镇"),
    ("529921102", "青石镇"),
    ("529922101", "南湖镇"),
];

/// (key, name, short name, kind, region code, serial for the credit code)
const DEPARTMENTS: [(&str, &str, &str, &str, &str, u32); 12] = [
    ("center", "示例市政务服务中心", "市政务服务中心", "service_center", "529900", 1),
    ("supervision", "示例市监察局", "市监察局", "supervision", "529900", 2),
    ("it", "示例市大数据和信息中心", "市信息中心", "it_center", "529900", 3),
    ("justice", "示例市司法局", "市司法局", "legal_affairs", "529900", 4),
    ("market", "示例市市场监督管理局", "市市场监管局", "approval", "529900", 5),
    ("land", "示例市自然资源局", "市自然资源局", "approval", "529900", 6),
    ("housing", "示例市住房和城乡建设局", "市住建局", "approval", "529900", 7),
    ("health", "示例市卫生健康委员会", "市卫健委", "approval", "529900", 8),
    ("dongcheng", "东城区人民政府办公室", "东城区政府办", "county_office", "529902", 9),
    ("xishan", "西山县人民政府办公室", "西山县政府办", "county_office", "529921", 10),
    ("nanhu", "南湖县人民政府办公室", "南湖县政府办", "county_office", "529922", 11),
    ("dc_market", "东城区市场监督管理局", "东城区市场监管局", "approval", "529902", 12),
];

/// (username, name, department key, roles, mobile)
const STAFF: [(&str, &str, &str, &[&str], &str); 13] = [
    ("demo_admin", "赵建国", "it", &["system_admin"], "13900000001"),
    ("demo_center", "钱敏", "center", &["center_admin"], "13900000002"),
    ("demo_deptadmin", "孙立", "market", &["dept_admin"], "13900000003"),
    ("demo_counter", "李娜", "market", &["counter"], "13900000004"),
    ("demo_reviewer", "周强", "market", &["reviewer"], "13900000005"),
    ("demo_head", "吴海", "market", &["dept_head"], "13900000006"),
    ("demo_supervisor", "郑洁", "supervision", &["supervisor"], "13900000007"),
    ("demo_legal", "王磊", "justice", &["legal_review"], "13900000008"),
    ("demo_land", "冯雪", "land", &["reviewer", "counter"], "13900000009"),
    ("demo_county", "刘洋", "dongcheng", &["dept_head"], "13900000010"),
    ("demo_trainee", "何静", "market", &["counter"], "13900000011"),
    ("demo_operator", "陈涛", "it", &["operator"], "13900000012"),
    ("demo_cert", "林晓", "housing", &["dept_admin"], "13900000013"),
];

/// The demo officer who signs in with a staff certificate (数字证书): the
/// program's demo registers one for her ([`certificate`]).
pub const CERTIFICATE_HOLDER: &str = "demo_cert";

/// The one demo officer without a qualification (上岗资格): trained, the
/// examination's result still pending, so she may not act as 窗口人员 yet.
pub const UNQUALIFIED: &str = "demo_trainee";

/// Days before loading that the demo's trainings and examinations were
/// held (before the oldest demo case, played up to 170 days back), and the
/// months their qualifications last.
const QUALIFIED_DAYS_AGO: u64 = 200;
const QUALIFIED_MONTHS: u32 = 36;

/// Records the trainings and passed examinations of a demo officer (every
/// role not qualified today), or, for [`UNQUALIFIED`], a training and an
/// examination whose result is pending (once).
pub async fn qualify(state: &App, u: &store_admin::User) -> AppResult<()> {
    use crate::governance::qualifications as q;
    if !u.is_demo {
        return Ok(());
    }
    if u.username != UNQUALIFIED {
        let today = state.today();
        let held = today.checked_sub_days(chrono::Days::new(QUALIFIED_DAYS_AGO)).unwrap_or(today);
        let until = today.checked_add_months(chrono::Months::new(QUALIFIED_MONTHS)).unwrap_or(today);
        q::qualify_all(state, u.id, held, until, "政务服务平台上岗培训及考试（演示）").await?;
        return Ok(());
    }
    if !zwfw_store::governance::qualification::for_user(state.store.pool(), u.id).await?.is_empty() {
        return Ok(());
    }
    let ctx = Ctx { state, actor: None, client_addr: "demo".into() };
    let today = state.today();
    // Trained a week ago; examined today, the result not yet known.
    let trained = today.checked_sub_days(chrono::Days::new(7)).unwrap_or(today);
    for (kind, result, on) in [("training", "passed", trained), ("exam", "pending", today)] {
        let input = q::RecordInput {
            role: "counter".into(),
            kind: kind.into(),
            held_on: zwfw_domain::time::ymd(on),
            content: "窗口受理业务规范及政务服务平台操作".into(),
            result: result.into(),
            score: None,
            valid_until: None,
        };
        q::record(&ctx, u.id, &input).await?;
    }
    Ok(())
}

/// What [`certificate`] left: where the holder's key and certificate are.
#[derive(Debug, Clone, Serialize)]
pub struct DemoCertificate {
    pub username: String,
    pub serial: String,
    pub certificate: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// Registers the demo certificate of [`CERTIFICATE_HOLDER`]: an SM2 key and
/// certificate issued by the demo CA of `dir` (made there on first use:
/// `ca.pem`, `ca.key`) and written there as `demo_cert.pem` and
/// `demo_cert.key`, registered by the demo system administrator.
/// Nothing is done when she holds a certificate already (the paths are
/// answered when the files are there) or when the configured CA is another
/// than the demo CA (its certificates only are accepted).
pub async fn certificate(state: &App, dir: &std::path::Path) -> AppResult<Option<DemoCertificate>> {
    use crate::accounts::certificates::{self as certs, x509};
    use crate::error::AppError;
    let store = &state.store;
    let (Some(holder), Some(admin)) = (
        store_admin::find_user_by_username(store, CERTIFICATE_HOLDER).await?,
        // The centre does not change an administrator's account: the system administrator registers it.
        store_admin::find_user_by_username(store, "demo_admin").await?,
    ) else {
        return Ok(None);
    };
    let (pem_path, key_path) = (dir.join("demo_cert.pem"), dir.join("demo_cert.key"));
    if let Some(held) = zwfw_store::certificates::for_user(store.pool(), holder.id).await?.into_iter().next() {
        let there = pem_path.exists() && key_path.exists();
        return Ok(there.then(|| DemoCertificate {
            username: holder.username.clone(),
            serial: held.serial,
            certificate: pem_path,
            key: key_path,
        }));
    }
    let now = state.now_ms();
    let (ca_name, ca_key) = certs::demo_ca(dir, now).map_err(AppError::Internal)?;
    let ca_pem = std::fs::read(dir.join("ca.pem")).map_err(|e| AppError::Internal(e.to_string()))?;
    let demo_ca = x509::read(&ca_pem).map_err(|_| AppError::Internal("the demo CA does not read".into()))?;
    if state.config.certificates.ca.as_ref().is_some_and(|ca| ca.fingerprint != demo_ca.fingerprint) {
        return Ok(None);
    }
    let subject = format!("CN={},OU=示例市住房和城乡建设局,O=示例市,C=CN", holder.display_name);
    let issued = certs::issue_with_key(&subject, now - 86_400_000, now + 730 * 86_400_000, &ca_name, &ca_key)
        .map_err(AppError::Internal)?;
    let write = |p: &std::path::Path, text: &str| {
        std::fs::write(p, text).map_err(|e| AppError::Internal(format!("{}: {e}", p.display())))
    };
    write(&key_path, &issued.key_pem)?;
    write(&pem_path, &issued.certificate_pem)?;
    let registrar = crate::accounts::sessions::actor_of(&admin);
    let ctx = Ctx { state, actor: Some(&registrar), client_addr: "demo".into() };
    let v =
        certs::register(&ctx, holder.id, issued.certificate_pem.as_bytes(), "演示证书（载入演示数据）", None).await?;
    Ok(Some(DemoCertificate { username: holder.username, serial: v.serial, certificate: pem_path, key: key_path }))
}

/// The demo key (`market`, `housing`…) of a demo department, by its credit code.
pub fn department_key(credit_code: &str) -> Option<&'static str> {
    DEPARTMENTS.iter().find(|d| credit_code_for(d.4, d.5) == credit_code).map(|d| d.0)
}

pub fn credit_code_for(region: &str, serial: u32) -> String {
    let first = format!("11{region}MB{serial:07}");
    let check = CreditCode::check_char(&first).expect("valid charset");
    format!("{first}{check}")
}

fn resident_id(first17: &str) -> String {
    format!("{first17}{}", ResidentId::check_char(first17).expect("digits"))
}

/// What `zwfw demo` reports.
#[derive(Debug, Serialize)]
pub struct DemoSummary {
    pub created: Vec<String>,
    pub accounts: Vec<DemoAccount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoAccount {
    pub username: String,
    pub name: String,
    pub role: String,
    pub password: String,
}

pub async fn load(state: &App) -> AppResult<DemoSummary> {
    let ctx = Ctx { state, actor: None, client_addr: "demo".into() };
    let store = &state.store;
    let mut created = Vec::new();
    let demo_reason = "载入演示数据";
    for (code, name) in std::iter::once(CITY).chain(COUNTIES).chain(TOWNS) {
        if store_admin::find_region_by_code(store, code).await?.is_none() {
            orgs::create_region(
                &ctx,
                &RegionInput { code: code.into(), name: name.into(), reason: demo_reason.into() },
            )
            .await?;
            created.push(format!("region {code} {name}"));
        }
    }
    let mut dept_ids = std::collections::HashMap::new();
    for (key, name, short, kind, region, serial) in DEPARTMENTS {
        let code = credit_code_for(region, serial);
        let id = match store_admin::find_department_by_code(store, &code).await? {
            Some(d) => d.id,
            None => {
                let region_id =
                    store_admin::find_region_by_code(store, region).await?.map(|r| r.id).unwrap_or_default();
                let d = orgs::create_department(
                    &ctx,
                    &DepartmentInput {
                        name: name.into(),
                        short_name: short.into(),
                        credit_code: code,
                        kind: kind.into(),
                        region_id,
                        parent_id: None,
                        phone: format!("0858-88{serial:06}"),
                        address: format!("{}行政中心{}号楼", &CITY.1, serial),
                        active: true,
                        reason: demo_reason.into(),
                        request: None,
                    },
                )
                .await?;
                created.push(format!("department {name}"));
                d.id
            }
        };
        dept_ids.insert(key, id);
    }
    for (username, name, dept, roles, mobile) in STAFF {
        if store_admin::find_user_by_username(store, username).await?.is_none() {
            accounts::create_staff(
                &ctx,
                &StaffInput {
                    username: username.into(),
                    display_name: name.into(),
                    department_id: dept_ids[dept],
                    roles: roles.iter().map(|r| r.to_string()).collect(),
                    mobile: Some(mobile.into()),
                    password: Some(DEMO_PASSWORD.into()),
                    reason: demo_reason.into(),
                    request: None,
                    is_demo: true,
                },
            )
            .await?;
            created.push(format!("staff {username}"));
        }
        if let Some(u) = store_admin::find_user_by_username(store, username).await? {
            qualify(state, &u).await?;
        }
    }
    let items = load_items(state, &dept_ids).await?;
    created.extend(notices::load(state).await?);
    if !items.is_empty() {
        crate::catalog::search::refresh(state).await?;
    }
    created.extend(items);
    created.extend(licenses::load(state).await?);
    if crate::registry::is_empty(state).await? {
        let n = registry::load(state).await?;
        created.push(format!("registry records {n}"));
    }
    let public = [
        RegisterInput {
            kind: "person".into(),
            username: "demo_citizen".into(),
            password: DEMO_PASSWORD.into(),
            name: "陈小华".into(),
            id_number: Some(resident_id("52990219850612302")),
            credit_code: None,
            legal_rep: None,
            mobile: "13800000001".into(),
            is_demo: true,
        },
        RegisterInput {
            kind: "person".into(),
            username: "demo_elder".into(),
            password: DEMO_PASSWORD.into(),
            name: "刘桂芳".into(),
            id_number: Some(resident_id("52992119520308402")),
            credit_code: None,
            legal_rep: None,
            mobile: "13800000002".into(),
            is_demo: true,
        },
        RegisterInput {
            kind: "company".into(),
            username: "demo_company".into(),
            password: DEMO_PASSWORD.into(),
            name: "示例市明达餐饮有限公司".into(),
            id_number: None,
            credit_code: Some(format!("91529902MA{}", {
                let first = "91529902MA1234567";
                CreditCode::check_char(first).map(|c| format!("1234567{c}")).unwrap_or_default()
            })),
            legal_rep: Some("黄志明".into()),
            mobile: "13800000003".into(),
            is_demo: true,
        },
    ];
    for p in public {
        if store_admin::find_user_by_username(store, &p.username).await?.is_none() {
            accounts::register_public(&ctx, &p).await?;
            created.push(format!("public {}", p.username));
        }
    }
    if !created.is_empty() {
        ctx.audit_alone(ctx.entry(
            action::DEMO_LOADED,
            "system",
            "demo",
            serde_json::json!({"created": created.len()}),
            demo_reason,
        ))
        .await?;
    }
    Ok(DemoSummary { created, accounts: listed_accounts(state).await })
}

/// Publishes the demo catalogue through the real governance flow: the
/// service-centre administrator drafts and submits, the legal reviewer passes,
/// the service centre approves.
async fn load_items(state: &App, dept_ids: &std::collections::HashMap<&str, i64>) -> AppResult<Vec<String>> {
    use crate::demo::items::{content, ITEMS};
    use zwfw_domain::catalog::{implementation_code, GovernanceAction};
    let store = &state.store;
    let (Some(center), Some(legal)) = (
        store_admin::find_user_by_username(store, "demo_center").await?,
        store_admin::find_user_by_username(store, "demo_legal").await?,
    ) else {
        return Ok(vec![]);
    };
    let (center, legal) = (crate::accounts::sessions::actor_of(&center), crate::accounts::sessions::actor_of(&legal));
    let as_center = Ctx { state, actor: Some(&center), client_addr: "demo".into() };
    let as_legal = Ctx { state, actor: Some(&legal), client_addr: "demo".into() };
    let dept = |k: &str| dept_ids.get(k).copied().unwrap_or_default();
    let mut created = Vec::new();
    for (n, d) in ITEMS.iter().enumerate() {
        let c = content(d, &dept, &format!("0858-88{:06}", 100 + n));
        let dep = store_admin::get_department(store, c.department_id).await?;
        let code = implementation_code(&CreditCode::parse(&dep.credit_code)?, c.exercise_level, &c.basic_code);
        if zwfw_store::catalog::find_item_by_code(store, &code).await?.is_some() {
            continue;
        }
        let (_, v) = crate::catalog::create_item(&as_center, &c, "载入演示事项", None).await?;
        if forms::WITH_FORMS.contains(&d.name) {
            forms::attach_forms(&as_center, v, &c).await?;
        }
        crate::catalog::act(&as_center, v, GovernanceAction::Submit, "提交法制审核", None).await?;
        crate::catalog::act(&as_legal, v, GovernanceAction::PassLegalReview, "设定依据合法有效", None).await?;
        crate::catalog::act(&as_center, v, GovernanceAction::Approve, "同意发布", None).await?;
        created.push(format!("item {}", d.name));
    }
    Ok(created)
}

async fn listed_accounts(state: &App) -> Vec<DemoAccount> {
    let mut out = Vec::new();
    let names: Vec<&str> = STAFF.iter().map(|s| s.0).chain(["demo_citizen", "demo_elder", "demo_company"]).collect();
    for username in names {
        if let Ok(Some(u)) = store_admin::find_user_by_username(&state.store, username).await {
            if !u.is_demo {
                continue;
            }
            let role = match u.roles.first() {
                Some(r) => crate::messages::label("role", r.code()),
                None => crate::messages::label("account_kind", u.kind.code()),
            };
            // Shown until the account has chosen its own password.
            let unchanged = u.must_change_password || u.password_changed_at == u.created_at;
            out.push(DemoAccount {
                username: u.username,
                name: u.display_name,
                role,
                password: if unchanged { DEMO_PASSWORD.into() } else { "（已修改）".into() },
            });
        }
    }
    out
}

pub async fn accounts_for_login_page(state: &App) -> Vec<DemoAccount> {
    listed_accounts(state).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_codes_are_valid() {
        for (_, _, _, _, region, serial) in DEPARTMENTS {
            assert!(CreditCode::parse(&credit_code_for(region, serial)).is_ok());
        }
        assert!(ResidentId::parse(&resident_id("52990219850612302")).is_ok());
    }
}
