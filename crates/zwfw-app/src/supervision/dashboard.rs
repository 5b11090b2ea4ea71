//! The supervision dashboard's figures per department and county, cached for a short while.

use super::*;

// ---------- dashboard ----------

/// One department's row on the dashboard.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct DeptFigures {
    pub id: i64,
    pub name: String,
    pub county_region_id: Option<i64>,
    pub open_cases: i64,
    pub warning: i64,
    pub yellow: i64,
    pub red: i64,
    pub anomaly: i64,
    pub open_orders: i64,
    pub escalated_orders: i64,
    /// 审管: records pushed to this department (as regulator) not claimed, and
    /// of those the ones past their last day.
    pub handover_unclaimed: i64,
    pub handover_overdue: i64,
    /// 双公示 of its 行政许可 decisions: published on time, published late,
    /// unpublished past the last day, unpublished and not yet due.
    pub credit_on_time: i64,
    pub credit_late: i64,
    pub credit_overdue: i64,
    pub credit_pending: i64,
    /// green | blue | yellow | red: the worst active finding or order
    pub status: String,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CountyFigures {
    /// None: the city's own departments
    pub region_id: Option<i64>,
    pub name: String,
    pub open_cases: i64,
    pub warning: i64,
    pub yellow: i64,
    pub red: i64,
    pub anomaly: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Dashboard {
    pub as_of: String,
    pub totals: CountyFigures,
    pub departments: Vec<DeptFigures>,
    pub counties: Vec<CountyFigures>,
    /// Findings per day over the last 30 days: (day, warning, yellow, red, anomaly).
    pub trend: Vec<(String, i64, i64, i64, i64)>,
    pub job: Option<ss::JobRow>,
    /// The latest anchor of the audit chain written outside the database.
    pub anchor: Option<crate::audit::anchor::LatestAnchor>,
    /// Anchors are configured but the latest is older than two intervals (or there is none).
    pub anchor_late: bool,
    /// 区县报送: per county reporting by offline package, its last package's
    /// period and the cases its rows report (received, concluded, granted,
    /// denied, on time, overdue).
    pub reported: Vec<crate::exchange::package::ReportedFigures>,
}

/// How long the figures are reused before they are read again.
pub(super) const DASHBOARD_TTL_MS: i64 = 15_000;

pub async fn dashboard(st: &App, actor: &Actor) -> AppResult<Arc<Dashboard>> {
    if !access::supervision::may_read_overview(actor) {
        return Err(AppError::forbidden());
    }
    let now = st.now_ms();
    if let Some((at, d)) = st.dashboard.lock().expect("dashboard lock").clone() {
        if (0..DASHBOARD_TTL_MS).contains(&(now - at)) {
            return Ok(d);
        }
    }
    let d = Arc::new(dashboard_fresh(st).await?);
    *st.dashboard.lock().expect("dashboard lock") = Some((now, d.clone()));
    Ok(d)
}

/// Reads the dashboard's figures from the database.
pub async fn dashboard_fresh(st: &App) -> AppResult<Dashboard> {
    let anchor = crate::audit::anchor::latest(st).await?;
    let depts = sa::list_departments(&st.store).await?;
    let regions = sa::list_regions(&st.store).await?;
    let org = org(st).await?;
    let mut rows: BTreeMap<i64, DeptFigures> = depts
        .iter()
        .filter(|d| d.active)
        .map(|d| {
            (
                d.id,
                DeptFigures {
                    id: d.id,
                    name: d.name.clone(),
                    county_region_id: org.county_of.get(&d.id).copied().flatten(),
                    ..Default::default()
                },
            )
        })
        .collect();
    for (d, n) in ss::open_cases_by_department(&st.store).await? {
        if let Some(r) = rows.get_mut(&d) {
            r.open_cases = n;
        }
    }
    let mut no_department = 0;
    for (d, sev, n) in ss::tallies(&st.store, "active", "").await? {
        if d.is_empty() {
            // Findings of no department (the audit trail, A07) count in the city's total.
            no_department += n;
            continue;
        }
        if let Some(r) = d.parse::<i64>().ok().and_then(|d| rows.get_mut(&d)) {
            match ds::Severity::parse(&sev) {
                Some(ds::Severity::Warning) => r.warning = n,
                Some(ds::Severity::Yellow) => r.yellow = n,
                Some(ds::Severity::Red) => r.red = n,
                _ => r.anomaly = n,
            }
        }
    }
    for (d, n, e) in ss::open_orders_by_department(&st.store).await? {
        if let Some(r) = rows.get_mut(&d) {
            r.open_orders = n;
            r.escalated_orders = e;
        }
    }
    let today_text = day_text(st.today());
    for (d, n, late) in zwfw_store::handover::backlog_by_regulator(&st.store, &today_text).await? {
        if let Some(r) = rows.get_mut(&d) {
            (r.handover_unclaimed, r.handover_overdue) = (n, late);
        }
    }
    for (d, [on_time, late, overdue, pending]) in crate::credit::timeliness(st, None, None).await? {
        if let Some(r) = rows.get_mut(&d) {
            (r.credit_on_time, r.credit_late, r.credit_overdue, r.credit_pending) = (on_time, late, overdue, pending);
        }
    }
    for r in rows.values_mut() {
        r.status = if r.red > 0 || r.escalated_orders > 0 {
            "red"
        } else if r.yellow > 0 || r.anomaly > 0 || r.open_orders > 0 {
            "yellow"
        } else if r.warning > 0 {
            "blue"
        } else {
            "green"
        }
        .into();
    }
    let mut counties: BTreeMap<Option<i64>, CountyFigures> = BTreeMap::new();
    let mut totals = CountyFigures { name: "全市".into(), ..Default::default() };
    for r in rows.values() {
        let c = counties.entry(r.county_region_id).or_insert_with(|| CountyFigures {
            region_id: r.county_region_id,
            name: match r.county_region_id {
                Some(id) => regions.iter().find(|x| x.id == id).map(|x| x.name.clone()).unwrap_or_default(),
                None => "市本级".into(),
            },
            ..Default::default()
        });
        for t in [&mut *c, &mut totals] {
            t.open_cases += r.open_cases;
            t.warning += r.warning;
            t.yellow += r.yellow;
            t.red += r.red;
            t.anomaly += r.anomaly;
        }
    }
    totals.anomaly += no_department;
    let today = st.today();
    let from = today - chrono::Duration::days(29);
    let mut days: BTreeMap<String, (i64, i64, i64, i64)> =
        (0..30).map(|i| (day_text(from + chrono::Duration::days(i)), (0, 0, 0, 0))).collect();
    for (day, sev, n) in ss::tallies(&st.store, "day", &day_text(from)).await? {
        if let Some(e) = days.get_mut(&day) {
            match ds::Severity::parse(&sev) {
                Some(ds::Severity::Warning) => e.0 += n,
                Some(ds::Severity::Yellow) => e.1 += n,
                Some(ds::Severity::Red) => e.2 += n,
                _ => e.3 += n,
            }
        }
    }
    Ok(Dashboard {
        as_of: zwfw_domain::time::format_local(st.now_ms()),
        totals,
        departments: rows.into_values().collect(),
        counties: counties.into_values().collect(),
        trend: days.into_iter().map(|(d, (w, y, r, a))| (d, w, y, r, a)).collect(),
        job: ss::job(&st.store, JOB).await?,
        anchor_late: st.config.audit.dir.is_some()
            && anchor.as_ref().is_none_or(|a| st.now_ms() - a.at_ms > 2 * st.config.audit.interval_ms),
        anchor,
        reported: crate::exchange::package::reported(st).await?,
    })
}

/// Asks the next run to be a full evaluation (after a calendar change, say).
pub async fn request_full(st: &App) -> AppResult<()> {
    let mut tx = st.store.begin().await?;
    ss::reset_job(&mut tx, JOB).await?;
    tx.commit().await?;
    Ok(())
}
