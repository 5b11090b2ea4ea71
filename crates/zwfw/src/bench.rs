//! `zwfw bench`: measured figures for the working-day arithmetic, printed
//! (build with `--release` for meaningful numbers). Single-threaded: the
//! figures are per core.

use chrono::{Datelike, Duration, NaiveDate};
use std::hint::black_box;
use std::time::Instant;
use zwfw_domain::calendar::{shipped_years, Calendar};
use zwfw_domain::clock::CaseClock;

/// A small deterministic generator, so that every run measures the same work.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:.1} million/s", n as f64 / secs / 1e6)
}

pub fn run(ops: usize, clocks: usize) {
    let t = Instant::now();
    let cal = Calendar::new(shipped_years()).expect("shipped calendar");
    println!("calendar 2010–2026 compiled in {:.2} ms", t.elapsed().as_secs_f64() * 1e3);

    let base = NaiveDate::from_ymd_opt(2010, 1, 1).expect("valid");
    let mut rng = XorShift(0x5eed_1234_abcd_9876);
    // 2010-01-01 .. 2026-06-30, so that adding up to 120 working days stays configured.
    let inputs: Vec<(NaiveDate, u32, NaiveDate)> = (0..1 << 16)
        .map(|_| {
            let from = base + Duration::days(rng.below(6025) as i64);
            let to = from + Duration::days(rng.below(170) as i64);
            (from, 1 + rng.below(120) as u32, to)
        })
        .collect();
    let mask = inputs.len() - 1;

    let t = Instant::now();
    let mut acc = 0i64;
    for i in 0..ops {
        let (from, n, _) = inputs[i & mask];
        acc +=
            i64::from(black_box(&cal).add_working_days(black_box(from), black_box(n)).map(|d| d.day0()).unwrap_or(0));
    }
    let secs = t.elapsed().as_secs_f64();
    black_box(acc);
    println!("add N working days:        {ops} in {:.0} ms = {}", secs * 1e3, rate(ops, secs));

    let t = Instant::now();
    let mut acc = 0i64;
    for i in 0..ops {
        let (from, _, to) = inputs[i & mask];
        acc += black_box(&cal).working_days_between(black_box(from), black_box(to)).unwrap_or(0);
    }
    let secs = t.elapsed().as_secs_f64();
    black_box(acc);
    println!("count working days:        {ops} in {:.0} ms = {}", secs * 1e3, rate(ops, secs));

    // Open cases on 2026-06-30: accepted since 2025-01-02, promised 1–60 days
    // (legal twice that), a third with a special procedure (ended or running).
    let today = NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid");
    let start = NaiveDate::from_ymd_opt(2025, 1, 2).expect("valid");
    let open: Vec<CaseClock> = (0..clocks)
        .map(|_| {
            let accepted = start + Duration::days(rng.below(535) as i64);
            let promised = 1 + rng.below(60) as u32;
            let accepted_ms = accepted.and_hms_opt(2, 0, 0).expect("valid").and_utc().timestamp_millis();
            let mut c = CaseClock::new(accepted_ms, promised, promised * 2).expect("valid limits");
            if rng.below(3) == 0 {
                let s = (accepted + Duration::days(rng.below(20) as i64)).min(today);
                if c.start_suspension("检测", s, "送检").is_ok() && rng.below(2) == 0 {
                    let _ = c.end_suspension(s + Duration::days(rng.below(15) as i64));
                }
            }
            c
        })
        .collect();
    let mut best = f64::MAX;
    let mut overdue = 0usize;
    for _ in 0..5 {
        let t = Instant::now();
        overdue = 0;
        for c in &open {
            if black_box(c).promised_remaining_on(&cal, today).unwrap_or(0) < 0 {
                overdue += 1;
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("remaining time of {clocks} open clocks: {:.1} ms (best of 5; {overdue} overdue)", best * 1e3);
    let t = Instant::now();
    let mut n = 0usize;
    for c in open.iter().take(100_000) {
        if black_box(c).status_on(&cal, today).map(|s| s.promised.overdue).unwrap_or(false) {
            n += 1;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "full status (deadlines, used, remaining) of {} clocks: {:.1} ms ({n} overdue)",
        open.len().min(100_000),
        secs * 1e3
    );
}

pub(crate) fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

/// Search over 10,000 items and guide-page rendering.
pub async fn run_catalog(items: usize) -> anyhow::Result<()> {
    use zwfw_app::catalog::search::{Doc, Index};
    use zwfw_app::demo::items::{content, ITEMS};
    const PLACES: [&str; 8] = ["示例市", "东城区", "西山县", "南湖县", "东城街道", "新华街道", "西山镇", "青石镇"];
    let t = Instant::now();
    let docs: Vec<Doc> = (0..items)
        .map(|i| {
            let d = &ITEMS[i % ITEMS.len()];
            let mut c = content(d, &|k: &str| k.len() as i64, "0858-88000000");
            c.name = format!("{}（{}第{}项）", c.name, PLACES[(i / ITEMS.len()) % PLACES.len()], i);
            Doc::new(i as i64, &c, PLACES[i % PLACES.len()])
        })
        .collect();
    let index = Index::build(docs);
    println!("search index of {} items built in {:.0} ms", index.len(), t.elapsed().as_secs_f64() * 1e3);
    let queries = [
        "营业执照",
        "开餐馆",
        "食品经营",
        "建设工程规划",
        "医师执业注册",
        "公积金提取",
        "不动产登记",
        "户外广告",
        "开药店",
        "排水许可",
    ];
    let mut lat = Vec::new();
    for round in 0..100 {
        for q in queries {
            let t = Instant::now();
            let hits = index.search(q, 20);
            lat.push(t.elapsed().as_secs_f64() * 1e3);
            if round == 0 {
                black_box(&hits);
            }
        }
    }
    let (p50, p95) = (percentile(&mut lat, 0.5), percentile(&mut lat, 0.95));
    println!("search over {items} items: p50 {p50:.2} ms, p95 {p95:.2} ms ({} queries)", lat.len());

    // Guide page: the whole handler (database reads, template) through the router.
    let dir = std::env::temp_dir().join(format!("zwfw_bench_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = zwfw_store::Store::connect(&format!("sqlite://{}", dir.join("bench.db").display())).await?;
    store.migrate().await?;
    let state = zwfw_app::App::new(store, zwfw_app::Clock::system(), zwfw_app::AppConfig::default());
    zwfw_app::startup(&state).await.map_err(|e| anyhow::anyhow!(e.message()))?;
    zwfw_app::demo::load(&state).await.map_err(|e| anyhow::anyhow!(e.message()))?;
    let ids: Vec<i64> = zwfw_store::catalog::list(
        &state.store,
        &zwfw_store::catalog::ItemFilter { published_only: true, limit: 1000, ..Default::default() },
    )
    .await?
    .iter()
    .map(|i| i.item_id)
    .collect();
    let app = zwfw_web::router(zwfw_web::AppState::new(state, zwfw_web::WebConfig::default()));
    let mut lat = Vec::new();
    for i in 0..1000 {
        let id = ids[i % ids.len()];
        let req = axum::http::Request::get(format!("/guide/{id}")).body(axum::body::Body::empty())?;
        let t = Instant::now();
        let resp = tower::ServiceExt::oneshot(app.clone(), req).await?;
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        black_box(body);
    }
    let (p50, p95) = (percentile(&mut lat, 0.5), percentile(&mut lat, 0.95));
    println!("guide page (read + render, SQLite): p50 {p50:.2} ms, p95 {p95:.2} ms (1000 requests)");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Case handling through the service layer: `cases` full lifecycles
/// (registration and submission → acceptance → three steps → grant, six
/// transactions each, every one with its event, projection and audit record)
/// by `clients` concurrent clients; then a department inbox of `inbox` open
/// cases, read page by page. With `exchange` false the steps' exchange rows
/// are not derived (the lifecycle as it is without the exchange).
/// Returns the lifecycles' transactions per second.
pub async fn run_cases(
    url: &str,
    label: &str,
    cases: usize,
    clients: usize,
    inbox: i64,
    exchange: bool,
    derive_after: bool,
) -> anyhow::Result<f64> {
    use std::sync::Arc;
    use zwfw_app::cases;
    let err = |e: zwfw_app::AppError| anyhow::anyhow!(e.message());
    let Setup { state, item, dir, cast, walk_in } = setup(url, zwfw_app::Clock::system(), exchange).await?;
    let cast = Arc::new(cast);
    let outbox_before = outbox_rows(&state).await?;
    let exchange_before = exchange_rows(&state).await?;
    let statements = zwfw_store::db::statements_run();
    let groups = zwfw_store::group::stats();
    // With `derive_after`, the derivation waits for its turn (held here)
    // until every lifecycle is written: the steps are measured alone, and
    // the derivation of what they cause on its own after them.
    let held = if derive_after { Some(state.notices_turn.lock().await) } else { None };
    let started = Instant::now();
    lifecycles(&state, &cast, item, &walk_in, cases, clients).await.map_err(err)?;
    let secs = started.elapsed().as_secs_f64();
    let per_s = cases as f64 / secs;
    println!(
        "case lifecycle on {label}, {clients} clients: {cases} cases in {secs:.2} s = {per_s:.0} cases/s ({:.0} transactions/s, 6 per case){}",
        per_s * 6.0,
        if derive_after { ", the steps alone" } else { "" }
    );
    if let Some(held) = held {
        drop(held);
        let t = Instant::now();
        zwfw_app::cases::notices::derive(&state).await.map_err(err)?;
        if exchange {
            while zwfw_store::exchange::derive(&state.store).await? > 0 {}
        }
        let d = t.elapsed().as_secs_f64();
        println!(
            "  then their notices, 审管 and 双公示 records{} derived in {d:.2} s ({:.0} cases/s); steps and derivation one after the other: {:.0} cases/s",
            if exchange { " and exchange rows" } else { "" },
            cases as f64 / d,
            cases as f64 / (secs + d)
        );
    }
    if state.store.backend() == zwfw_store::Backend::Sqlite {
        let n = zwfw_store::db::statements_run() - statements;
        println!("  {:.1} SQL statements per transaction", n as f64 / (cases * 6) as f64);
        let (g, t, p) = zwfw_store::group::stats();
        let (g, t, p) = (g - groups.0, t - groups.1, p - groups.2);
        println!(
            "  {:.1} transactions per group commit, {:.1} pages written to the WAL per group ({:.1} per transaction)",
            t as f64 / g.max(1) as f64,
            p as f64 / g.max(1) as f64,
            p as f64 / t.max(1) as f64
        );
    }
    // The notices of the steps are derived after their commits, on the
    // program's own task, during the run: those written by its end, and
    // those still to be written then.
    let derived = outbox_rows(&state).await? - outbox_before;
    zwfw_app::cases::notices::derive(&state).await.map_err(err)?;
    let all = outbox_rows(&state).await? - outbox_before;
    println!("  notices written to the outbox after their steps: {derived} during the run, {all} in all once derived");
    if exchange {
        let derived = exchange_rows(&state).await? - exchange_before;
        zwfw_store::exchange::derive(&state.store).await?;
        let all = exchange_rows(&state).await? - exchange_before;
        println!("  exchange rows written to the outbox after their steps: {derived} during the run, {all} in all once derived");
    } else {
        println!("  exchange rows not derived (--exchange off)");
    }

    // A department inbox of `inbox` open cases.
    let template = cases::apply(
        &zwfw_app::Ctx { state: &state, actor: Some(&cast.0), client_addr: "bench".into() },
        item,
        &walk_in(),
    )
    .await
    .map_err(err)?
    .case_id;
    let t = Instant::now();
    let mut made = 0;
    while made < inbox {
        let mut tx = state.store.begin().await?;
        made += zwfw_store::cases::clone_open_cases(&mut tx, template, made, (inbox - made).min(20_000)).await? as i64;
        tx.commit().await?;
    }
    state.store.analyze().await?;
    println!("  {made} open cases added to one inbox (and analyzed) in {:.1} s", t.elapsed().as_secs_f64());
    let mut lat = vec![];
    let q = |page| zwfw_web::cases::api::InboxQuery { scope: None, page: Some(page) };
    for i in 0..200 {
        let page = [1, 1, 2, 5, 20][i % 5];
        let t = Instant::now();
        let r = zwfw_web::cases::api::inbox(&state, &cast.0, &q(page)).await.map_err(|e| err(e.0))?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        black_box(r);
    }
    let (p50, p95) = (percentile(&mut lat, 0.5), percentile(&mut lat, 0.95));
    println!("  department inbox with {made} open cases (page of 50 and the count): p50 {p50:.1} ms, p95 {p95:.1} ms");
    // Closed before its database is dropped, so that its audit sealer stops.
    state.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(per_s * 6.0)
}

/// `cases` full lifecycles (registration and submission → acceptance →
/// three steps → grant) of `item` by `clients` concurrent clients.
pub(crate) async fn lifecycles(
    state: &zwfw_app::App,
    cast: &std::sync::Arc<(zwfw_domain::admin::Actor, zwfw_domain::admin::Actor, zwfw_domain::admin::Actor)>,
    item: i64,
    walk_in: &std::sync::Arc<dyn Fn() -> zwfw_app::cases::ApplicationInput + Send + Sync>,
    cases: usize,
    clients: usize,
) -> Result<(), zwfw_app::AppError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use zwfw_app::cases::{self, ActionInput};
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = vec![];
    for _ in 0..clients {
        let (st, cast, next, walk_in) = (state.clone(), cast.clone(), next.clone(), walk_in.clone());
        tasks.push(tokio::spawn(async move {
            let (counter, reviewer, head) = (&cast.0, &cast.1, &cast.2);
            let ctx = |a| zwfw_app::Ctx { state: &st, actor: Some(a), client_addr: "bench".into() };
            let act = |a: &str, o: &str| ActionInput { action: a.into(), opinion: o.into(), ..Default::default() };
            while next.fetch_add(1, Ordering::Relaxed) < cases {
                let c = cases::apply(&ctx(counter), item, &walk_in()).await?.case_id;
                cases::act(&ctx(counter), c, &act("accept", "")).await?;
                cases::act(&ctx(counter), c, &act("pass", "材料齐全")).await?;
                cases::act(&ctx(reviewer), c, &act("pass", "审查通过")).await?;
                cases::act(&ctx(head), c, &act("pass", "同意")).await?;
                let mut grant = act("conclude", "");
                grant.outcome = Some("granted".into());
                grant.document_no = Some("JY0000001".into());
                cases::act(&ctx(head), c, &grant).await?;
            }
            Ok::<(), zwfw_app::AppError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| zwfw_app::AppError::Internal(e.to_string()))??;
    }
    Ok(())
}

/// Backup and restore of a city's worth of cases: `cases` full lifecycles
/// (with their notices, exchange rows, pushes and 双公示 records) written
/// into the database at `url`, then a backup of it written, verified, and
/// restored into a new SQLite database and, when `postgres` names a
/// server, a new PostgreSQL database there: each step's time and the
/// backup's size.
pub async fn run_backup(
    url: &str,
    label: &str,
    cases: usize,
    clients: usize,
    postgres: Option<&str>,
) -> anyhow::Result<()> {
    let err = |e: zwfw_app::AppError| anyhow::anyhow!(e.message());
    let Setup { state, item, dir, cast, walk_in } = setup(url, zwfw_app::Clock::system(), true).await?;
    let cast = std::sync::Arc::new(cast);
    let t = Instant::now();
    lifecycles(&state, &cast, item, &walk_in, cases, clients).await.map_err(err)?;
    zwfw_app::cases::notices::derive(&state).await.map_err(err)?;
    zwfw_store::exchange::derive(&state.store).await?;
    println!(
        "backup on {label}: {cases} case lifecycles written (with what they derive) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let out = std::env::temp_dir().join(format!("zwfw_bench_backup_{}.zwfwbak", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let ctx = zwfw_app::Ctx { state: &state, actor: None, client_addr: "bench".into() };
    let c = zwfw_app::backup::create(&ctx, &out, false).await.map_err(err)?;
    println!(
        "  backup created: {} rows in {} tables, {} files, {:.1} MB, in {:.1} s (the database in use meanwhile)",
        c.manifest.rows,
        c.manifest.tables,
        c.manifest.files,
        c.size as f64 / 1e6,
        c.millis as f64 / 1e3
    );
    let v = zwfw_app::backup::verify(&out, None).await.map_err(err)?;
    println!("  backup verified (every part against its SM3) in {:.1} s", v.millis as f64 / 1e3);
    let master = state.config.licenses.master_key.clone();
    state.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let restore = |url: String, what: &'static str| {
        let (out, master) = (out.clone(), master.clone());
        async move {
            let store = zwfw_store::Store::connect(&url).await?;
            let files = std::env::temp_dir().join(format!("zwfw_bench_restore_{}_{what}", std::process::id()));
            let _ = std::fs::remove_dir_all(&files);
            let licenses = zwfw_app::licenses::LicensesConfig { master_key: master, ..Default::default() };
            let config = zwfw_app::AppConfig { data_dir: files.clone(), licenses, ..Default::default() };
            let st = zwfw_app::App::new(store, zwfw_app::Clock::system(), config);
            let ctx = zwfw_app::Ctx { state: &st, actor: None, client_addr: "bench".into() };
            let r = zwfw_app::backup::restore(&ctx, &out).await;
            st.store.close().await;
            let _ = std::fs::remove_dir_all(&files);
            let r = r.map_err(|e| anyhow::anyhow!(e.message()))?;
            println!(
                "  restored into a new {what} database and checked (counts, audit chain of {} records, schema) in {:.1} s",
                r.audit_checked,
                r.millis as f64 / 1e3
            );
            anyhow::Ok(())
        }
    };
    let db = zwfw_store::scratch::ScratchDb::sqlite();
    let r = restore(db.url.clone(), "SQLite").await;
    db.cleanup().await;
    r?;
    if let Some(admin) = postgres {
        let db = zwfw_store::scratch::ScratchDb::postgres_on(admin).await?;
        let r = restore(db.url.clone(), "PostgreSQL").await;
        db.cleanup().await;
        r?;
    }
    let _ = std::fs::remove_file(&out);
    Ok(())
}

/// The outbox's messages.
async fn outbox_rows(state: &zwfw_app::App) -> anyhow::Result<i64> {
    count(state, "notifications").await
}

/// The exchange outbox's rows, as written (none derived for the count).
async fn exchange_rows(state: &zwfw_app::App) -> anyhow::Result<i64> {
    count(state, "exchange_outbox").await
}

async fn count(state: &zwfw_app::App, table: &str) -> anyhow::Result<i64> {
    let r = zwfw_store::db::query(format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(state.store.pool()).await?;
    Ok(match r.value("n") {
        Some(zwfw_store::db::Value::Int(n)) => *n,
        _ => 0,
    })
}

/// Prints the share of the ceiling `ceiling` (commits/s) that `tx_per_s` is.
pub fn print_share(tx_per_s: f64, ceiling: f64, what: &str) {
    println!(
        "  {what}: {ceiling:.0} single-row commits/s measured just before; the lifecycle's {tx_per_s:.0} transactions/s are {:.0} % of it",
        tx_per_s / ceiling * 100.0
    );
}

/// A demo database with a published three-step item of the market department.
pub(crate) struct Setup {
    pub(crate) state: zwfw_app::App,
    pub(crate) item: i64,
    /// The files directory (removed at the end).
    pub(crate) dir: std::path::PathBuf,
    /// The counter officer, the reviewer and the department head.
    pub(crate) cast: (zwfw_domain::admin::Actor, zwfw_domain::admin::Actor, zwfw_domain::admin::Actor),
    /// A walk-in application by one natural person.
    pub(crate) walk_in: std::sync::Arc<dyn Fn() -> zwfw_app::cases::ApplicationInput + Send + Sync>,
}

/// A demo database (with a master key, for licences) and a published
/// three-step item of the market department, linked to no licence type;
/// the steps' exchange rows derived in the background unless `exchange` is
/// false.
pub(crate) async fn setup(url: &str, clock: zwfw_app::Clock, exchange: bool) -> anyhow::Result<Setup> {
    use zwfw_app::cases::{ApplicantInput, ApplicationInput};
    let err = |e: zwfw_app::AppError| anyhow::anyhow!(e.message());
    let store = zwfw_store::Store::connect(url).await?;
    store.migrate().await?;
    let dir = std::env::temp_dir().join(format!("zwfw_bench_files_{}", std::process::id()));
    let licenses = zwfw_app::licenses::LicensesConfig {
        master_key: Some(zwfw_app::licenses::MasterKey::random()),
        ..Default::default()
    };
    let exchange = zwfw_app::exchange::ExchangeConfig { derive: exchange, ..Default::default() };
    // The benchmark measures the work, not the per-address limits of the
    // public look-ups (its verifications come from one address).
    let lookups = zwfw_app::lookups::LookupLimits::OFF;
    let config = zwfw_app::AppConfig { data_dir: dir.clone(), licenses, exchange, lookups, ..Default::default() };
    let state = zwfw_app::App::new(store, clock, config);
    zwfw_app::startup(&state).await.map_err(err)?;
    zwfw_app::demo::load(&state).await.map_err(err)?;
    // A three-step item of the market department, its material optional.
    let market = zwfw_store::admin::list_departments(&state.store)
        .await?
        .into_iter()
        .find(|d| d.name == "示例市市场监督管理局")
        .ok_or_else(|| anyhow::anyhow!("demo department missing"))?;
    let mut content = zwfw_domain::catalog::example(market.id);
    content.materials[0].required = false;
    let item = {
        let mut tx = state.store.begin().await?;
        let (item, v) =
            zwfw_store::catalog::create_item(&mut tx, "BENCH00000000000000000000000001", &content, "基准", None, 0)
                .await?;
        use zwfw_domain::catalog::VersionState::*;
        zwfw_store::catalog::move_version(&mut tx, v, Draft, CenterApproval, 0).await?;
        zwfw_store::catalog::publish(&mut tx, item, v, 0).await?;
        tx.commit().await?;
        item
    };
    let actor = |name: &'static str| {
        let st = state.clone();
        async move {
            let u = zwfw_store::admin::find_user_by_username(&st.store, name)
                .await?
                .ok_or_else(|| anyhow::anyhow!("{name} missing"))?;
            anyhow::Ok(zwfw_app::accounts::sessions::actor_of(&u))
        }
    };
    let cast = (actor("demo_counter").await?, actor("demo_reviewer").await?, actor("demo_head").await?);
    // A person the demo's 人口库 does not hold (one it holds must give the name it gives).
    let first17 = "11010519491231002";
    let id_no = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap_or('0'));
    let walk_in = std::sync::Arc::new(move || ApplicationInput {
        applicant: Some(ApplicantInput {
            kind: "natural".into(),
            name: "基准申请人".into(),
            id_no: id_no.clone(),
            mobile: "13800138000".into(),
            address: String::new(),
            email: String::new(),
        }),
        ..Default::default()
    });
    Ok(Setup { state, item, dir, cast, walk_in })
}

/// Electronic supervision over `open` open cases spread over ten
/// departments, their promised deadlines from two days ago to forty days
/// ahead (about one in twenty overdue): a first full evaluation (which makes
/// the findings), a repeated full one, an incremental run with nothing
/// changed, the run of the next day, and the dashboard's figures.
pub async fn run_supervision(url: &str, label: &str, open: i64) -> anyhow::Result<()> {
    use zwfw_app::supervision as sv;
    use zwfw_store::db::query;
    let err = |e: zwfw_app::AppError| anyhow::anyhow!(e.message());
    let Setup { state, item, dir, cast, walk_in } = setup(url, zwfw_app::Clock::system(), true).await?;
    let ctx = |a| zwfw_app::Ctx { state: &state, actor: Some(a), client_addr: "bench".into() };
    let act =
        |a: &str, o: &str| zwfw_app::cases::ActionInput { action: a.into(), opinion: o.into(), ..Default::default() };
    let base = zwfw_app::cases::apply(&ctx(&cast.0), item, &walk_in()).await.map_err(err)?.case_id;
    zwfw_app::cases::act(&ctx(&cast.0), base, &act("accept", "")).await.map_err(err)?;
    zwfw_app::cases::act(&ctx(&cast.0), base, &act("pass", "材料齐全")).await.map_err(err)?;
    // First this run's own evaluation of the demo data, so that what follows measures the open cases.
    sv::evaluate(&state, true).await.map_err(err)?;

    let t = Instant::now();
    let departments: Vec<i64> =
        zwfw_store::admin::list_departments(&state.store).await?.into_iter().map(|d| d.id).take(10).collect();
    let today = state.today();
    let day = |off: i64| (today + Duration::days(off)).format("%Y-%m-%d").to_string();
    let offsets: Vec<i64> = (-2..40).collect();
    let templates = departments.len() as i64 * offsets.len() as i64;
    let per = (open / templates).max(1);
    let mut made = 0i64;
    let mut serial = 0i64;
    for d in &departments {
        for off in &offsets {
            let mut tx = state.store.begin().await?;
            serial += 1;
            zwfw_store::cases::clone_open_cases(&mut tx, base, serial * 1_000_000, 1).await?;
            let id = query("SELECT MAX(id) AS id FROM cases").fetch_one(tx.conn()).await?.value("id").cloned();
            let Some(zwfw_store::db::Value::Int(id)) = id else { anyhow::bail!("no template") };
            query("UPDATE cases SET handling_department_id = $1, promised_due = $2, legal_due = $3, step_due = $4 WHERE id = $5")
                .bind(*d)
                .bind(day(*off))
                .bind(day(off + 14))
                .bind(day(off - 3))
                .bind(id)
                .execute(tx.conn())
                .await?;
            let mut left = per - 1;
            while left > 0 {
                let n = left.min(20_000);
                made += zwfw_store::cases::clone_open_cases(&mut tx, id, serial * 1_000_000 + (per - left), n).await?
                    as i64;
                left -= n;
            }
            made += 1;
            tx.commit().await?;
        }
    }
    state.store.analyze().await?;
    println!(
        "supervision on {label}: {made} open cases in {} departments made in {:.1} s",
        departments.len(),
        t.elapsed().as_secs_f64()
    );
    let run = |full: bool| {
        let st = state.clone();
        async move {
            let t = Instant::now();
            let r = sv::evaluate(&st, full)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?
                .ok_or_else(|| anyhow::anyhow!("job busy"))?;
            anyhow::Ok((t.elapsed().as_secs_f64(), r))
        }
    };
    let (s, r) = run(true).await?;
    println!(
        "  first full evaluation: {s:.2} s, {} cases read, {} findings made {:?}",
        r.cases_read, r.new_findings, r.by_rule
    );
    let (s, r) = run(true).await?;
    println!(
        "  full evaluation again (every fact known): {s:.2} s, {} cases read, {} new findings",
        r.cases_read, r.new_findings
    );
    let (s, r) = run(false).await?;
    println!(
        "  incremental run, nothing changed: {:.1} ms, {} cases read, {} audit records read",
        s * 1e3,
        r.cases_read,
        r.changes_read
    );
    state.clock.set_moved_ms(86_400_000);
    let (s, r) = run(false).await?;
    println!(
        "  incremental run the next day: {:.2} s, {} cases read, {} new findings {:?}",
        s, r.cases_read, r.new_findings, r.by_rule
    );
    let mut lat = vec![];
    for _ in 0..30 {
        let t = Instant::now();
        black_box(sv::dashboard_fresh(&state).await.map_err(err)?);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p95) = (percentile(&mut lat, 0.5), percentile(&mut lat, 0.95));
    println!("  dashboard figures read from the database: p50 {p50:.1} ms, p95 {p95:.1} ms");
    let time =
        |label: &'static str, t: Instant| println!("    of which {label}: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    black_box(zwfw_store::supervision::open_cases_by_department(&state.store).await?);
    time("open cases per department", t);
    let t = Instant::now();
    black_box(zwfw_store::supervision::tallies(&state.store, "active", "").await?);
    time("active findings per department (running counts)", t);
    let t = Instant::now();
    black_box(zwfw_store::supervision::tallies(&state.store, "day", &day(-29)).await?);
    time("findings per day, 30 days (running counts)", t);
    let t = Instant::now();
    black_box(zwfw_store::supervision::count_active(&state.store).await?);
    time("for comparison, counting active findings instead", t);
    let t = Instant::now();
    black_box(zwfw_store::supervision::open_orders_by_department(&state.store).await?);
    time("open orders per department", t);
    let supervisor = zwfw_store::admin::find_user_by_username(&state.store, "demo_supervisor")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no supervisor"))?;
    let sup = zwfw_app::accounts::sessions::actor_of(&supervisor);
    let mut lat = vec![];
    for _ in 0..200 {
        let t = Instant::now();
        black_box(sv::dashboard(&state, &sup).await.map_err(err)?);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p95) = (percentile(&mut lat, 0.5), percentile(&mut lat, 0.95));
    println!("  dashboard as served (figures reused for 15 s): p50 {p50:.3} ms, p95 {p95:.3} ms");
    // The evaluation (绩效考核) of the periods holding these deadlines, and a report.
    use zwfw_domain::evaluation::{Period, PeriodKind};
    for kind in [PeriodKind::HalfMonth, PeriodKind::Month, PeriodKind::Quarter] {
        let p = Period::containing(kind, today);
        let t = Instant::now();
        let e = zwfw_app::evaluation::compute(&state, p).await.map_err(err)?;
        let due: u64 = e.lines.iter().map(|l| l.figures.due).sum();
        println!(
            "  evaluation of {} ({} deadlines passed, {} departments): {:.2} s",
            p.code(),
            due,
            e.lines.len(),
            t.elapsed().as_secs_f64()
        );
    }
    // After the quarter has ended, when every deadline in it has passed.
    let quarter = Period::containing(PeriodKind::Quarter, today);
    state.clock.set_moved_ms((quarter.end() - today).num_milliseconds() + 86_400_000);
    let t = Instant::now();
    let e = zwfw_app::evaluation::compute(&state, quarter).await.map_err(err)?;
    let due: u64 = e.lines.iter().map(|l| l.figures.due).sum();
    println!(
        "  evaluation of {} once it has ended ({} deadlines judged): {:.2} s",
        quarter.code(),
        due,
        t.elapsed().as_secs_f64()
    );
    for format in [zwfw_app::evaluation::Format::Xlsx, zwfw_app::evaluation::Format::Pdf] {
        let t = Instant::now();
        let (bytes, _) = zwfw_app::evaluation::report(&state, &sup, quarter, format).await.map_err(err)?;
        println!(
            "  report of {} as {format:?}: {:.2} s, {} bytes",
            quarter.code(),
            t.elapsed().as_secs_f64(),
            bytes.len()
        );
    }
    state.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The exporter's throughput: `cases` full lifecycles played on a fresh
/// SQLite database (each writes 8 outbox rows: acceptance, materials, five
/// actions, the result), then every row delivered into a fresh database on
/// the MySQL/MariaDB or PostgreSQL server `front` (dropped afterwards), in
/// batches of `batch`. Prints outbox rows and front rows per second.
pub async fn run_exchange(front: &str, cases: usize, batch: i64) -> anyhow::Result<()> {
    use zwfw_app::cases::{self, ActionInput};
    let err = |e: zwfw_app::AppError| anyhow::anyhow!(e.message());
    let db = zwfw_store::scratch::ScratchDb::sqlite();
    let Setup { state, item, dir, cast, .. } = setup(&db.url, zwfw_app::Clock::system(), true).await?;
    let (counter, reviewer, head) = (&cast.0, &cast.1, &cast.2);
    // An applicant the demo's 人口库 does not hold (its records are checked).
    let first17 = "11010519491231002";
    let id_no = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap_or('0'));
    let walk_in = || zwfw_app::cases::ApplicationInput {
        applicant: Some(zwfw_app::cases::ApplicantInput {
            kind: "natural".into(),
            name: "交换基准申请人".into(),
            id_no: id_no.clone(),
            mobile: "13800138000".into(),
            address: String::new(),
            email: String::new(),
        }),
        ..Default::default()
    };
    let ctx = |a| zwfw_app::Ctx { state: &state, actor: Some(a), client_addr: "bench".into() };
    let act = |a: &str, o: &str| ActionInput { action: a.into(), opinion: o.into(), ..Default::default() };
    for _ in 0..cases {
        let c = cases::apply(&ctx(counter), item, &walk_in()).await.map_err(err)?.case_id;
        cases::act(&ctx(counter), c, &act("accept", "")).await.map_err(err)?;
        cases::act(&ctx(counter), c, &act("pass", "材料齐全")).await.map_err(err)?;
        cases::act(&ctx(reviewer), c, &act("pass", "审查通过")).await.map_err(err)?;
        cases::act(&ctx(head), c, &act("pass", "同意")).await.map_err(err)?;
        let mut grant = act("conclude", "");
        grant.outcome = Some("granted".into());
        grant.document_no = Some("JY0000001".into());
        cases::act(&ctx(head), c, &grant).await.map_err(err)?;
    }
    let name = format!("zwfw_bench_{}", std::process::id());
    let url = zwfw_app::exchange::front::create_database(front, &name).await.map_err(|e| anyhow::anyhow!(e))?;
    let ex = zwfw_app::exchange::Exporter::new(&url, 10_000).map_err(|e| anyhow::anyhow!(e))?.with_batch(batch);
    let (mut rows, mut front_rows) = (0u64, 0u64);
    let started = Instant::now();
    loop {
        let r = zwfw_app::exchange::deliver_once(&state, &ex).await.map_err(err)?;
        if r.failed {
            let st = zwfw_store::exchange::status(&state.store).await?;
            anyhow::bail!("the front database refused: {}", st.last_error.unwrap_or_default());
        }
        if r.delivered + r.rejected == 0 {
            break;
        }
        rows += u64::from(r.delivered);
        front_rows += u64::from(r.front_rows);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "exchange into {}: {rows} outbox rows ({front_rows} front rows) of {cases} cases in {secs:.2} s = {:.0} rows/s ({:.0} front rows/s), batches of {batch}",
        zwfw_app::exchange::front::redact(front),
        rows as f64 / secs,
        front_rows as f64 / secs
    );
    ex.front().close().await;
    zwfw_app::exchange::front::drop_database(front, &name).await.map_err(|e| anyhow::anyhow!(e))?;
    state.store.close().await;
    db.cleanup().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
