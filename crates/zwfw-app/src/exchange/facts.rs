//! The facts of a case as they stood at a reported event, gathered from the
//! store, and the national rows they map to (one mapping per table, in
//! `zwfw_domain::exchange::mapping`).

use crate::error::{AppError, AppResult};
use crate::state::App;
use std::collections::HashMap;
use std::sync::Arc;
use zwfw_domain::cases::{self as dc, Event};
use zwfw_domain::exchange::mapping::{self as m, material::MaterialFacts, CaseFacts, EventFacts};
use zwfw_domain::exchange::{FrontRow, Table};
use zwfw_store::cases as sc;
use zwfw_store::exchange::OutRow;

/// What a case holds, read once per batch.
struct Case {
    facts: CaseFacts,
    content: Arc<zwfw_domain::catalog::ItemContent>,
    events: Vec<EventFacts>,
    materials: Vec<sc::MaterialRow>,
    documents: Vec<sc::DocumentRow>,
    ratings: Vec<zwfw_store::rating::RatingRow>,
}

pub(super) struct Gatherer<'a> {
    st: &'a App,
    cases: HashMap<i64, Arc<Case>>,
}

impl<'a> Gatherer<'a> {
    pub(super) fn new(st: &'a App) -> Self {
        Gatherer { st, cases: HashMap::new() }
    }

    async fn case(&mut self, id: i64) -> AppResult<Arc<Case>> {
        if let Some(c) = self.cases.get(&id) {
            return Ok(c.clone());
        }
        let st = self.st;
        let row = sc::get_case(&st.store, id).await?;
        let version = zwfw_store::catalog::get_version(&st.store, row.version_id).await?;
        let content = crate::cases::item_version(st, row.version_id).await?;
        let dept = st.department(row.department_id).await?;
        let events = sc::events(&st.store, id)
            .await?
            .into_iter()
            .map(|e| {
                let ev: Event = serde_json::from_value(e.body)
                    .map_err(|x| AppError::Internal(format!("stored event {}: {x}", e.seq)))?;
                Ok(EventFacts {
                    seq: e.seq,
                    at_ms: e.at,
                    actor_name: e.actor_name,
                    step_name: e.step_name,
                    kind: ev.kind,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let facts = CaseFacts {
            case_no: row.case_no.clone().unwrap_or_default(),
            item_name: row.item_name.clone(),
            basic_code: content.basic_code.clone(),
            impl_code: row.impl_code.clone(),
            item_version: version.version_no,
            case_type: content.case_type,
            result_name: content.result_name.clone(),
            org_name: dept.name.clone(),
            org_code: dept.credit_code.clone(),
            applicant_kind: row.applicant_kind.clone(),
            applicant_name: row.applicant_name.clone(),
            applicant_id_no: row.applicant_id_no.clone(),
            applicant_mobile: row.applicant_mobile.clone(),
            applicant_address: row.applicant_address.clone(),
            channel: row.channel.clone(),
        };
        let c = Arc::new(Case {
            facts,
            content,
            events,
            materials: sc::materials(&st.store, id).await?,
            documents: sc::documents(&st.store, id).await?,
            ratings: zwfw_store::rating::of_case(&st.store, id).await?,
        });
        self.cases.insert(id, c.clone());
        Ok(c)
    }

    /// The national rows of outbox row `r`, as the case stood at its event.
    pub(super) async fn front_rows(&mut self, r: &OutRow) -> AppResult<Vec<FrontRow>> {
        let table = Table::parse(&r.tbl).ok_or_else(|| AppError::Internal(format!("unknown table {}", r.tbl)))?;
        if let Some(cells) = &r.payload {
            // Brought by an offline package: mapped by its sender.
            let row = zwfw_domain::exchange::package::row_from_cells(table, cells).map_err(AppError::Internal)?;
            return Ok(vec![row]);
        }
        if table == Table::LicData {
            // The licence version as it was signed (`ref_id`).
            let l = zwfw_store::licenses::get_license(self.st.store.pool(), r.ref_id).await?;
            return Ok(vec![m::license::map(&crate::licenses::status::metadata_of(&l)?)]);
        }
        let c = self.case(r.case_id).await?;
        let n = c
            .events
            .iter()
            .position(|e| e.seq == r.event_seq)
            .ok_or_else(|| AppError::Internal(format!("case {} has no event {}", r.case_id, r.event_seq)))?;
        let h = &c.events[..=n];
        let at = h[n].at_ms;
        let codes = &self.st.config.exchange.codes;
        Ok(match table {
            Table::ProAccept => {
                let doc = c.documents.iter().find(|d| d.event_seq == r.event_seq).map(|d| d.doc_no.as_str());
                let promise = self.promise_ms(&c, n)?;
                vec![m::accept::map(codes, &c.facts, h, doc, promise)]
            }
            Table::ProProcess => vec![m::process::map(codes, &c.facts, h)],
            Table::ProSpecialProcedure => m::special::map(codes, &c.facts, h).into_iter().collect(),
            Table::ProMaterial => {
                let ms: Vec<MaterialFacts> = c
                    .materials
                    .iter()
                    .filter(|x| x.added_at <= at)
                    .map(|x| MaterialFacts {
                        name: x.name.clone(),
                        file_name: x.file_name.clone(),
                        paper: x.file_sm3.is_empty(),
                    })
                    .collect();
                m::material::map(codes, &c.facts, &ms)
            }
            Table::ProResult => {
                // The latest rating this row version reports (none for the first version).
                let level = c.ratings.iter().filter(|x| r.ref_id > 0 && x.id <= r.ref_id).map(|x| x.level).next_back();
                m::result::map(codes, &c.facts, h, level).into_iter().collect()
            }
            Table::LicData => unreachable!("mapped above"),
        })
    }

    /// The end of the promised day (承诺办结时间) as the case's clock stood
    /// after event `n` (its acceptance).
    fn promise_ms(&self, c: &Case, n: usize) -> AppResult<Option<i64>> {
        let events: Vec<Event> = c.events[..=n]
            .iter()
            .map(|e| Event {
                at_ms: e.at_ms,
                actor_id: None,
                role: None,
                department_id: None,
                kind: e.kind.clone(),
                backfill: None,
            })
            .collect();
        let view = match dc::replay(&c.content, &events) {
            Ok(v) => v,
            Err(_) => return Ok(None),
        };
        let Some(clock) = view.clock else { return Ok(None) };
        let at = c.events[n].at_ms;
        let status = clock.status_at(&self.st.calendar(), at).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Some(zwfw_domain::clock::end_of_day_ms(status.promised.deadline) - 1000))
    }
}
