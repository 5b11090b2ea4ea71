//! `zwfw bench --only licenses`: what issuance adds to a grant (the same
//! three-step item with and without a licence type, in one run, the
//! lifecycles alternating in rounds so that both see the same database and
//! machine), and how many verifications a second the verification use case
//! and the API through the router answer.

use crate::bench::{percentile, setup, Setup};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;
use zwfw_app::cases::{self, ActionInput};

fn err(e: zwfw_app::AppError) -> anyhow::Error {
    anyhow::anyhow!(e.message())
}

/// Times of one lifecycle: the whole of it and the grant alone (ms).
struct Lap {
    lifecycle: f64,
    grant: f64,
}

/// Plays `n` lifecycles of `item` with `clients` concurrent clients; the
/// wall time (s) and each lifecycle's times.
async fn lifecycles(s: &Setup, item: i64, n: usize, clients: usize) -> anyhow::Result<(f64, Vec<Lap>)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = Arc::new(AtomicUsize::new(0));
    let cast = Arc::new(s.cast.clone());
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (st, cast, next, walk_in) = (s.state.clone(), cast.clone(), next.clone(), s.walk_in.clone());
        tasks.push(tokio::spawn(async move {
            let (counter, reviewer, head) = (&cast.0, &cast.1, &cast.2);
            let ctx = |a| zwfw_app::Ctx { state: &st, actor: Some(a), client_addr: "bench".into() };
            let act = |a: &str, o: &str| ActionInput { action: a.into(), opinion: o.into(), ..Default::default() };
            let mut laps = vec![];
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let t = Instant::now();
                let c = cases::apply(&ctx(counter), item, &walk_in()).await?.case_id;
                cases::act(&ctx(counter), c, &act("accept", "")).await?;
                cases::act(&ctx(counter), c, &act("pass", "材料齐全")).await?;
                cases::act(&ctx(reviewer), c, &act("pass", "审查通过")).await?;
                cases::act(&ctx(head), c, &act("pass", "同意")).await?;
                let mut grant = act("conclude", "");
                grant.outcome = Some("granted".into());
                grant.document_no = Some("JY0000001".into());
                let g = Instant::now();
                cases::act(&ctx(head), c, &grant).await?;
                laps.push(Lap { lifecycle: t.elapsed().as_secs_f64() * 1e3, grant: g.elapsed().as_secs_f64() * 1e3 });
            }
            Ok::<_, zwfw_app::AppError>(laps)
        }));
    }
    let mut laps = vec![];
    for t in tasks {
        laps.extend(t.await?.map_err(err)?);
    }
    Ok((started.elapsed().as_secs_f64(), laps))
}

/// Per-second rate, p50 and p95 of `f` called `n` times by `clients`
/// concurrent clients, each call timed.
async fn rate<F, Fut>(n: usize, clients: usize, f: F) -> anyhow::Result<(f64, f64, f64)>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (f, next) = (f.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = vec![];
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                f(i).await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut lat = vec![];
    for t in tasks {
        lat.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    Ok((n as f64 / secs, percentile(&mut lat, 0.5), percentile(&mut lat, 0.95)))
}

/// The licence benchmark on the database at `url`: `cases` lifecycles of
/// each item in `rounds` alternating rounds, then `verifications`
/// verifications through the use case and through the router.
pub async fn run(url: &str, label: &str, cases: usize, clients: usize, verifications: usize) -> anyhow::Result<()> {
    let s = setup(url, zwfw_app::Clock::system(), true).await?;
    let st = s.state.clone();
    let admin = zwfw_store::admin::find_user_by_username(&st.store, "demo_admin")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo_admin missing"))?;
    let admin = zwfw_app::accounts::sessions::actor_of(&admin);
    let actx = zwfw_app::Ctx { state: &st, actor: Some(&admin), client_addr: "bench".into() };

    // The same item again, its grant issuing a licence to the natural person applying.
    let plain = s.item;
    let content = zwfw_app::cases::item_version(
        &st,
        zwfw_store::catalog::get_item(&st.store, plain).await?.published_version_id.unwrap_or_default(),
    )
    .await
    .map_err(err)?;
    let licensed = {
        let mut tx = st.store.begin().await?;
        let (item, v) = zwfw_store::catalog::create_item(
            &mut tx,
            "BENCHLIC000000000000000000000001",
            &content,
            "基准（证照）",
            None,
            0,
        )
        .await?;
        use zwfw_domain::catalog::VersionState::*;
        zwfw_store::catalog::move_version(&mut tx, v, Draft, CenterApproval, 0).await?;
        zwfw_store::catalog::publish(&mut tx, item, v, 0).await?;
        tx.commit().await?;
        item
    };
    let input = zwfw_app::licenses::types::TypeInput {
        code: format!("{}001", zwfw_app::demo::credit_code_for("100000", 990)),
        name: "基准许可证".into(),
        define_authority: "基准定义机构".into(),
        define_authority_level: "地市级".into(),
        holder_kind: "person".into(),
        validity_years: Some(5),
        template: "经营者名称\n经营场所".into(),
        item_ids: vec![licensed],
        issuer_department_ids: vec![],
        active: true,
    };
    zwfw_app::licenses::types::create(&actx, &input).await.map_err(err)?;
    let market = content.department_id;
    zwfw_app::licenses::generate_key(&actx, market).await.map_err(err)?;

    // (a) Lifecycles of both items, alternating in rounds.
    let rounds = 4;
    let per = (cases / rounds).max(1);
    let (mut plain_laps, mut licensed_laps, mut plain_secs, mut licensed_secs) = (vec![], vec![], 0.0, 0.0);
    for _ in 0..rounds {
        let (secs, laps) = lifecycles(&s, plain, per, clients).await?;
        plain_secs += secs;
        plain_laps.extend(laps);
        let (secs, laps) = lifecycles(&s, licensed, per, clients).await?;
        licensed_secs += secs;
        licensed_laps.extend(laps);
    }
    let issued = zwfw_store::db::query("SELECT identifier FROM licenses WHERE origin = 'issued'")
        .fetch_all(st.store.pool())
        .await?
        .iter()
        .filter_map(|r| match r.value("identifier") {
            Some(zwfw_store::db::Value::Text(t)) => Some(t.clone()),
            _ => None,
        })
        .collect::<Vec<String>>();
    if issued.len() < licensed_laps.len() {
        anyhow::bail!("{} grants issued {} licences", licensed_laps.len(), issued.len());
    }
    let n = plain_laps.len();
    let summary = |laps: &mut Vec<Lap>, secs: f64| {
        let mut life: Vec<f64> = laps.iter().map(|l| l.lifecycle).collect();
        let mut grant: Vec<f64> = laps.iter().map(|l| l.grant).collect();
        let mean = grant.iter().sum::<f64>() / grant.len().max(1) as f64;
        (
            laps.len() as f64 / secs,
            percentile(&mut life, 0.5),
            percentile(&mut grant, 0.5),
            percentile(&mut grant, 0.95),
            mean,
        )
    };
    let (p_rate, p_life, p_g50, p_g95, p_mean) = summary(&mut plain_laps, plain_secs);
    let (l_rate, l_life, l_g50, l_g95, l_mean) = summary(&mut licensed_laps, licensed_secs);
    println!("licences on {label}, {clients} clients, {n} lifecycles of each item in {rounds} alternating rounds:");
    println!(
        "  item without a licence: {p_rate:.0} lifecycles/s, lifecycle p50 {p_life:.1} ms, grant p50 {p_g50:.1} ms, p95 {p_g95:.1} ms"
    );
    println!(
        "  item issuing a licence: {l_rate:.0} lifecycles/s, lifecycle p50 {l_life:.1} ms, grant p50 {l_g50:.1} ms, p95 {l_g95:.1} ms (PDF, file store, SM2 signature, licence, event and audit rows)"
    );
    println!(
        "  issuance adds {:.1} ms to the mean grant ({:+.0} % lifecycles/s)",
        l_mean - p_mean,
        (l_rate / p_rate - 1.0) * 100.0
    );

    // (b) Verifications of the issued licences.
    let ids = Arc::new(issued);
    let (r, p50, p95) = {
        let (st, ids) = (st.clone(), ids.clone());
        rate(verifications, clients, move |i| {
            let (st, id) = (st.clone(), ids[i % ids.len()].clone());
            async move {
                let ctx = zwfw_app::Ctx { state: &st, actor: None, client_addr: "bench".into() };
                black_box(zwfw_app::licenses::verify::verify(&ctx, &id).await.map_err(err)?);
                Ok(())
            }
        })
        .await?
    };
    println!(
        "  verification (use case: read, SM2 check, 用证 record), {clients} clients: {r:.0}/s, p50 {p50:.2} ms, p95 {p95:.2} ms"
    );
    let router = zwfw_web::router(zwfw_web::AppState::new(st.clone(), zwfw_web::WebConfig::default()));
    let (r, p50, p95) = rate(verifications, clients, move |i| {
        let (router, id) = (router.clone(), ids[i % ids.len()].clone());
        async move {
            let req = axum::http::Request::get(format!("/api/v1/licenses/{id}/verification"))
                .body(axum::body::Body::empty())?;
            let resp = tower::ServiceExt::oneshot(router, req).await?;
            if !resp.status().is_success() {
                anyhow::bail!("verification answered {}", resp.status());
            }
            black_box(axum::body::to_bytes(resp.into_body(), 1 << 20).await?);
            Ok(())
        }
    })
    .await?;
    println!("  verification API through the router, {clients} clients: {r:.0}/s, p50 {p50:.2} ms, p95 {p95:.2} ms");
    st.store.close().await;
    let _ = std::fs::remove_dir_all(&s.dir);
    Ok(())
}
