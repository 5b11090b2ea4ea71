//! The notices a step of a case sends: the applicant is told of every step
//! that concerns them on each channel they have (in-app for an account, SMS
//! to the application's mobile, e-mail to the account's address), and the
//! department heads who must decide are told what waits for them; the
//! staff of a regulator are told of each record pushed to it (审管交互).
//!
//! The step writes none of them: they are derived after its commit from the
//! audit trail, whose records of case events are in commit order on both
//! databases ([`derive`], migration 0031). The derivation runs on a task of
//! its own soon after each step (the notices of many steps written together
//! cost the database a fraction of what each step's own did), and before
//! anything that reads the notices (an in-app list, the unread count, the
//! senders, the outbox page), so that a reader never misses a notice of a
//! step already acknowledged.

use super::*;
use crate::messages::{applicant_notice, head_notice, NoticeFacts};
use std::collections::HashMap;
use zwfw_store::outbox::{self as so, Notice};

/// Records of the audit trail read per batch.
const BATCH: i64 = 1000;
/// Records without a notice after which the position moves on anyway, so
/// that a reader does not look through them again.
const PASS_OVER: usize = 100;
/// How long the derivation lets steps gather after the first wakes it.
const GATHER: std::time::Duration = std::time::Duration::from_millis(50);
/// How often it looks anyway (steps written by another app server or by a
/// process that died before deriving their notices).
const EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Writes the notices of every case step committed since the last
/// derivation, in the order of the audit trail, and moves the derivation's
/// position with them in one transaction; returns how many were written.
/// A notice is written once: by the process that moved the position from
/// where it read it (another app server doing the same finds it moved and
/// reads again). A step whose notices cannot be computed stops the
/// derivation there (an error, logged and tried again), so that none after
/// it goes before it and none is lost.
pub async fn derive(st: &App) -> AppResult<usize> {
    let _turn = st.notices_turn.lock().await;
    let committed = st.store.trail_commits();
    // PostgreSQL: the records committed and not yet sealed take their place
    // in the trail (a batch of them: under a steady flow of commits there
    // are always more, which the store's sealer seals soon).
    let sealed = zwfw_store::audit::seal_batch(&st.store).await?;
    // Everything committed here before `committed` is in the trail now,
    // unless more than a batch waited to be sealed.
    let caught_up = || {
        if sealed < zwfw_store::audit::SEAL_BATCH {
            st.notices_derived.fetch_max(committed, std::sync::atomic::Ordering::SeqCst);
        }
    };
    let mut written = 0;
    loop {
        let Some((pos, records)) = so::trail_after_cursor(&st.store, so::CASE_NOTICES, BATCH).await? else {
            caught_up();
            return Ok(written);
        };
        let last = records.last().map_or(pos, |r| r.seq);
        let events: Vec<(i64, i64, Event)> = records.iter().filter_map(case_event).collect();
        let steps: Vec<(i64, i64, Event)> = events.iter().filter(|(_, _, e)| may_notify(&e.kind)).cloned().collect();
        let mut out = notices_of_steps(st, &steps).await?;
        let pushes: Vec<(i64, String)> = records.iter().filter_map(push_record).collect();
        out.extend(crate::handover::notices_of_pushes(st, &pushes).await?);
        let concluded = conclusions(st, &events).await?;
        let full = records.len() as i64 == BATCH;
        if out.is_empty() && concluded.is_empty() && records.len() < PASS_OVER {
            // Nothing to write: the position moves with the next notice
            // (or once enough other records follow it to be worth a write).
            caught_up();
            return Ok(written);
        }
        if advance(st, pos, last, &out, &concluded).await? {
            written += out.len();
            if !full {
                caught_up();
                return Ok(written);
            }
        }
    }
}

/// A conclusion whose records (审管 push, 双公示) the derivation writes,
/// with everything they are made of, read before the derivation's
/// transaction: there it costs the writer only the records' inserts.
struct Concluded {
    row: CaseRow,
    content: Arc<ItemContent>,
    event: Event,
    /// The case's events and materials for its 审管 record, when it pushes
    /// one that is not written yet.
    push: Option<(Vec<sc::EventRow>, Vec<sc::MaterialRow>)>,
    /// The deciding department and the 法定代表人 for its 双公示 record,
    /// when it has one that is not written yet.
    credit: Option<(Arc<zwfw_store::admin::Department>, String)>,
}

/// The conclusions among `events` that push records to regulators or write
/// a 双公示 record not written yet, read before the derivation's
/// transaction (which reads nothing but through itself): the batch's cases,
/// which of them have their records already (written by an earlier version
/// in the conclusion's own transaction), their events and materials, each
/// in one statement whatever their number.
async fn conclusions(st: &App, events: &[(i64, i64, Event)]) -> AppResult<Vec<Concluded>> {
    let concluded: Vec<&(i64, i64, Event)> =
        events.iter().filter(|(_, _, e)| matches!(e.kind, EventKind::Concluded { .. })).collect();
    if concluded.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<i64> = concluded.iter().map(|(c, _, _)| *c).collect();
    let rows: HashMap<i64, CaseRow> = sc::get_cases(&st.store, &ids).await?.into_iter().map(|r| (r.id, r)).collect();
    let mut wanted = vec![];
    for (case_id, _, event) in concluded {
        let row = rows.get(case_id).cloned().ok_or_else(|| AppError::not_found("case"))?;
        // A conclusion corrected since (办结结论有误) derives nothing: the
        // case waits for its new decision, which derives its own.
        if !CaseState::parse(&row.p.state).is_some_and(CaseState::is_concluded) {
            continue;
        }
        let content = item_version(st, row.version_id).await?;
        let (push, credit) = (crate::handover::pushes(&event.kind), crate::credit::records(&content, &event.kind));
        if push || credit {
            wanted.push((row, content, event, push, credit));
        }
    }
    let pushing: Vec<i64> = wanted.iter().filter(|w| w.3).map(|w| w.0.id).collect();
    let crediting: Vec<i64> = wanted.iter().filter(|w| w.4).map(|w| w.0.id).collect();
    let kind = zwfw_domain::handover::Kind::Conclusion.code();
    let pushed = zwfw_store::handover::cases_pushed(&st.store, &pushing, kind).await?;
    let recorded = zwfw_store::credit::cases_recorded(&st.store, &crediting).await?;
    let pushing: Vec<i64> = pushing.into_iter().filter(|c| !pushed.contains(c)).collect();
    let mut case_events: HashMap<i64, Vec<sc::EventRow>> = HashMap::new();
    for (case_id, e) in sc::events_of_cases(&st.store, &pushing).await? {
        case_events.entry(case_id).or_default().push(e);
    }
    let mut materials: HashMap<i64, Vec<sc::MaterialRow>> = HashMap::new();
    for (case_id, m) in sc::materials_of_cases(&st.store, &pushing).await? {
        materials.entry(case_id).or_default().push(m);
    }
    // Each deciding department read once per batch, as it is now (its name
    // and code are published).
    let mut departments: HashMap<i64, Arc<zwfw_store::admin::Department>> = HashMap::new();
    let mut out = vec![];
    for (row, content, event, push, credit) in wanted {
        let push = (push && !pushed.contains(&row.id))
            .then(|| (case_events.remove(&row.id).unwrap_or_default(), materials.remove(&row.id).unwrap_or_default()));
        let credit = match credit && !recorded.contains(&row.id) {
            true => {
                let authority = match departments.get(&row.department_id) {
                    Some(d) => d.clone(),
                    None => {
                        let d = Arc::new(zwfw_store::admin::get_department(&st.store, row.department_id).await?);
                        departments.insert(row.department_id, d.clone());
                        d
                    }
                };
                Some((authority, crate::credit::legal_rep(st, &row).await?))
            }
            false => None,
        };
        if push.is_some() || credit.is_some() {
            out.push(Concluded { row, content, event: event.clone(), push, credit });
        }
    }
    Ok(out)
}

/// Moves the derivation from `from` to `to` and writes, in one
/// transaction, the notices `notices` and the records of the conclusions
/// `concluded`; false, having written nothing, when the position was no
/// longer `from` (another app server moved it and wrote them).
async fn advance(st: &App, from: i64, to: i64, notices: &[(i64, Notice)], concluded: &[Concluded]) -> AppResult<bool> {
    let mut tx = st.store.begin().await?;
    if !so::move_cursor(&mut tx, so::CASE_NOTICES, from, to).await? {
        return Ok(false);
    }
    so::write_timed(&mut tx, notices).await?;
    let ctx = Ctx { state: st, actor: None, client_addr: "system".into() };
    let (mut pushes, mut records) = (vec![], vec![]);
    for c in concluded {
        let (row, content, kind, at) = (&c.row, &*c.content, &c.event.kind, c.event.at_ms);
        if let Some((events, materials)) = &c.push {
            pushes.extend(crate::handover::conclusion_push(st, row, content, kind, at, events, materials)?);
        }
        if let Some((authority, rep)) = &c.credit {
            records.extend(crate::credit::conclusion_record(st, row, content, kind, at, authority, rep));
        }
    }
    // The batch's records in a few statements: the writer runs no read.
    crate::handover::write_conclusion_pushes(&ctx, &mut tx, &pushes).await?;
    crate::credit::write_conclusion_records(&ctx, &mut tx, &records).await?;
    tx.commit().await?;
    Ok(true)
}

/// [`derive`], its failure logged (a reader of the notices still reads
/// what was derived).
pub async fn derive_logged(st: &App) {
    if let Err(e) = derive(st).await {
        tracing::error!(error = %e.message(), "deriving the notices of case steps failed");
    }
}

/// [`derive_logged`] when this process committed audit records since the
/// last derivation that looked at everything before it; else nothing (the
/// unread count shown on every page: it then costs no derivation, and no
/// wait for one under way). A step written by another app server is
/// derived there soon after its commit, or here within a second.
pub async fn derive_if_behind(st: &App) {
    if st.store.trail_commits() > st.notices_derived.load(std::sync::atomic::Ordering::SeqCst) {
        derive_logged(st).await;
    }
}

/// Starts the derivation's own task: soon after each step written here,
/// and every second in any case, it derives the steps' notices and then
/// their exchange rows ([`crate::exchange::derive`]); it ends with the
/// application's state.
pub fn spawn_derivation(st: &App) {
    let app = std::sync::Arc::downgrade(&st.0);
    let wake = st.notices_wake.clone();
    tokio::spawn(async move {
        loop {
            if tokio::time::timeout(EVERY, wake.notified()).await.is_ok() {
                tokio::time::sleep(GATHER).await;
            }
            let Some(inner) = app.upgrade() else { return };
            let st = App(inner);
            if let Err(e) = derive(&st).await {
                if st.store.is_closed() {
                    return;
                }
                tracing::error!(error = %e.message(), "deriving the notices of case steps failed; retrying");
            }
            if let Err(e) = crate::exchange::derive(&st).await {
                if st.store.is_closed() {
                    return;
                }
                tracing::error!(error = %e.message(), "deriving the exchange rows of case steps failed; retrying");
            }
        }
    });
}

/// The case, the event number and the event a record of the trail is of,
/// when it records a case event (`case_<kind>` with `{"seq", "event"}`).
fn case_event(r: &so::TrailRecord) -> Option<(i64, i64, Event)> {
    if r.object_type != "case" || !r.action.starts_with("case_") {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        seq: i64,
        event: Event,
    }
    let case_id = r.object_id.parse().ok()?;
    let d: Detail = serde_json::from_str(&r.detail).ok()?;
    Some((case_id, d.seq, d.event))
}

/// The record and the words of its decision a record of the trail tells
/// of, when it records a push to a regulator (审管交互).
fn push_record(r: &so::TrailRecord) -> Option<(i64, String)> {
    if r.object_type != "handover" || r.action != crate::handover::PUSHED {
        return None;
    }
    // A record without `what` was written with its notices (before they
    // were derived): it is not told again.
    #[derive(serde::Deserialize)]
    struct Detail {
        what: Option<String>,
    }
    let d: Detail = serde_json::from_str(&r.detail).ok()?;
    Some((r.object_id.parse().ok()?, d.what?))
}

/// Whether an event of this kind tells anybody anything (the others need
/// no look at their case).
fn may_notify(kind: &EventKind) -> bool {
    let f = NoticeFacts {
        item_name: "",
        case_no: "",
        applicant_name: "",
        actor_name: "",
        supplement_due: None,
        promised_due: None,
        legal_due: None,
        extension_days: None,
    };
    applicant_notice(kind, &f).is_some() || head_notice(kind, &f).is_some()
}

/// The notices of the steps `steps` (case, event number, event), in their
/// order, each with its time: those the steps planned here taken as they
/// are; for the others, the cases and their events are read for all of
/// them at once (two statements, whatever their number).
async fn notices_of_steps(st: &App, steps: &[(i64, i64, Event)]) -> AppResult<Vec<(i64, Notice)>> {
    if steps.is_empty() {
        return Ok(vec![]);
    }
    let mut planned = st.notices_handed.take(steps);
    let mut ids: Vec<i64> = steps.iter().zip(&planned).filter(|(_, p)| p.is_none()).map(|(s, _)| s.0).collect();
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        let cases: HashMap<i64, CaseRow> =
            sc::get_cases(&st.store, &ids).await?.into_iter().map(|r| (r.id, r)).collect();
        let mut rows: HashMap<i64, Vec<sc::EventRow>> = HashMap::new();
        for (case_id, e) in sc::events_of_cases(&st.store, &ids).await? {
            rows.entry(case_id).or_default().push(e);
        }
        // Each case's events read once, whatever the number of its steps here.
        let mut events: HashMap<i64, Vec<Event>> = HashMap::new();
        for ((case_id, seq, _), p) in steps.iter().zip(planned.iter_mut()) {
            if p.is_some() {
                continue;
            }
            let row = cases.get(case_id).ok_or_else(|| AppError::not_found("case"))?;
            let rows = rows.get(case_id).map_or(&[][..], Vec::as_slice);
            let events = match events.entry(*case_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(to_events(rows)?),
            };
            *p = Some(plan_of_step(st, row, rows, events, *seq).await?);
        }
    }
    let mut known = HashMap::new();
    let mut out = vec![];
    for ((_, _, event), p) in steps.iter().zip(planned) {
        let p = p.expect("every step planned");
        out.extend(resolve(st, p, &mut known).await?.into_iter().map(|n| (event.at_ms, n)));
    }
    Ok(out)
}

/// The notices of event `seq` of case `row`, whose events are `rows` as
/// stored and `events` as read from them (in their order), computed on the
/// case as that event found and left it (its events replayed up to it).
async fn plan_of_step(
    st: &App,
    row: &CaseRow,
    rows: &[sc::EventRow],
    events: &[Event],
    seq: i64,
) -> AppResult<Planned> {
    let case_id = row.id;
    let content = item_version(st, row.version_id).await?;
    let Some(at) = rows.iter().position(|r| r.seq == seq) else {
        return Err(AppError::Internal(format!("case {case_id} has no event {seq} that the audit trail records")));
    };
    let (e, before) = events[..=at].split_last().expect("the event itself");
    // Replayed as written, whatever the times say (a demo clock set back).
    let mut view = CaseView::new();
    for x in before {
        view = dc::apply(&content, &view, x)?;
    }
    let next = dc::apply(&content, &view, e)?;
    let p = project(st, &content, row, &next, e, seq)?;
    plan(st, row, &content, &view, e, &p, &rows[at].actor_name)
}

/// The notices of a step as far as they are known without a read: the
/// applicant's, and the heads' words with the departments whose heads are
/// to be told (looked up when written, [`resolve`]).
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    applicant: Option<Notice>,
    heads: Option<(Vec<i64>, String, String, String)>,
}

/// What event `e` tells, moving the case `row` from `view` (before) to the
/// projection `p` (after); nothing is read.
pub(super) fn plan(
    st: &App,
    row: &CaseRow,
    content: &ItemContent,
    view: &CaseView,
    e: &Event,
    p: &Projection,
    actor_name: &str,
) -> AppResult<Planned> {
    let supplement_due = match e.kind {
        EventKind::SupplementRequested { .. } => {
            Some(day_text(dc::supplement_due(&st.calendar(), e.at_ms).map_err(CaseError::from)?))
        }
        _ => None,
    };
    let case_no = row.case_no.clone().unwrap_or_default();
    let f = NoticeFacts {
        item_name: &row.item_name,
        case_no: &case_no,
        applicant_name: &row.applicant_name,
        actor_name,
        supplement_due: supplement_due.as_deref(),
        promised_due: p.promised_due.as_deref(),
        legal_due: p.legal_due.as_deref(),
        extension_days: view.extension_pending,
    };
    let link = format!("/cases/{}", row.id);
    let applicant = applicant_notice(&e.kind, &f).map(|(title, body)| Notice {
        user_id: row.applicant_user_id,
        mobile: Some(row.applicant_mobile.clone()),
        email: Some(row.applicant_email.clone()).filter(|e| !e.is_empty()),
        sms_to_account: false,
        title,
        body,
        link: link.clone(),
    });
    let departments = access::heads_to_decide(&e.kind, &facts(row), content, view);
    let heads = match (departments.is_empty(), head_notice(&e.kind, &f)) {
        (false, Some((title, body))) => Some((departments, title, body, link)),
        _ => None,
    };
    Ok(Planned { applicant, heads })
}

/// The notices `planned`, the heads it names looked up (each department's
/// once per `known`, which keeps them for the batch).
async fn resolve(
    st: &App,
    planned: Planned,
    known: &mut HashMap<Vec<i64>, Vec<zwfw_store::admin::User>>,
) -> AppResult<Vec<Notice>> {
    let mut out: Vec<Notice> = planned.applicant.into_iter().collect();
    if let Some((departments, title, body, link)) = planned.heads {
        let heads = match known.get(&departments) {
            Some(h) => h.clone(),
            None => {
                let h = heads(st, &departments).await?;
                known.insert(departments, h.clone());
                h
            }
        };
        for head in heads {
            out.push(Notice {
                user_id: Some(head.id),
                mobile: head.mobile,
                email: None,
                sms_to_account: false,
                title: title.clone(),
                body: body.clone(),
                link: link.clone(),
            });
        }
    }
    Ok(out)
}

/// How long a step's notices planned by the step wait for the derivation
/// here before they are dropped (another app server derived them; or the
/// derivation reads the step again).
const HANDED_FOR: std::time::Duration = std::time::Duration::from_secs(120);
/// The most planned steps kept waiting.
const HANDED_MAX: usize = 200_000;

/// The notices of steps written by this process, planned by the steps
/// themselves (which had the case before and after them at hand), by case
/// and event number: the derivation takes them instead of reading the
/// cases and their events and replaying them. Only a shortcut: a step not
/// here is derived from the database as ever, and the trail still decides
/// which steps are derived, in what order, and once.
#[derive(Default)]
pub struct Handed {
    planned: std::sync::Mutex<HashMap<(i64, i64), (std::time::Instant, Planned)>>,
    /// Steps plan nothing (tests: their notices are derived as another
    /// server's are).
    off: std::sync::atomic::AtomicBool,
    /// Steps derived from their plans, and from the database.
    taken: std::sync::atomic::AtomicU64,
    replayed: std::sync::atomic::AtomicU64,
}

/// How many steps' notices were derived from the steps' plans, and how
/// many from the database.
#[cfg(feature = "testing")]
pub fn handed_counts(st: &App) -> (u64, u64) {
    use std::sync::atomic::Ordering::SeqCst;
    (st.notices_handed.taken.load(SeqCst), st.notices_handed.replayed.load(SeqCst))
}

/// Whether the steps written here plan their notices (on unless a test
/// turns it off, to compare both ways of deriving them).
#[cfg(feature = "testing")]
pub fn set_handing(st: &App, on: bool) {
    st.notices_handed.off.store(!on, std::sync::atomic::Ordering::SeqCst);
}

impl Handed {
    fn put(&self, case_id: i64, seq: i64, planned: Planned) {
        if self.off.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let mut m = self.planned.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() < HANDED_MAX {
            m.insert((case_id, seq), (std::time::Instant::now(), planned));
        }
    }

    /// The planned steps among `steps`, taken out (None for the others);
    /// those planned too long ago dropped.
    fn take(&self, steps: &[(i64, i64, Event)]) -> Vec<Option<Planned>> {
        let mut m = self.planned.lock().unwrap_or_else(|e| e.into_inner());
        let out: Vec<Option<Planned>> = steps.iter().map(|(c, s, _)| m.remove(&(*c, *s)).map(|(_, p)| p)).collect();
        let taken = out.iter().filter(|p| p.is_some()).count() as u64;
        self.taken.fetch_add(taken, std::sync::atomic::Ordering::Relaxed);
        self.replayed.fetch_add(out.len() as u64 - taken, std::sync::atomic::Ordering::Relaxed);
        if !m.is_empty() {
            let now = std::time::Instant::now();
            m.retain(|_, (at, _)| now.duration_since(*at) < HANDED_FOR);
        }
        out
    }
}

/// A step about to be written: its notices planned from what the step has
/// at hand, when its kind tells anybody anything.
pub(super) fn plan_step(
    st: &App,
    row: &CaseRow,
    content: &ItemContent,
    view: &CaseView,
    w: &super::write::Prepared,
) -> Option<Planned> {
    if !may_notify(&w.event.kind) {
        return None;
    }
    plan(st, row, content, view, &w.event, &w.p, &w.actor_name).ok()
}

/// A step written and committed: its notices, planned before, wait for the
/// derivation.
pub(super) fn handed(st: &App, case_id: i64, seq: i64, planned: Option<Planned>) {
    if let Some(p) = planned {
        st.notices_handed.put(case_id, seq, p);
    }
}

/// The active department heads of `departments`, each once.
pub(crate) async fn heads(st: &App, departments: &[i64]) -> AppResult<Vec<zwfw_store::admin::User>> {
    let mut out: Vec<zwfw_store::admin::User> = vec![];
    for d in departments {
        for u in zwfw_store::admin::list_staff(&st.store, Some(*d)).await? {
            if u.active && u.roles.contains(&Role::DeptHead) && !out.iter().any(|o| o.id == u.id) {
                out.push(u);
            }
        }
    }
    Ok(out)
}
