//! Cases (办件): the append-only events, the projection row used by inboxes
//! and lists, materials, the e-materials library, documents and the register
//! of paper originals.

mod documents;
mod events;
mod inbox;
mod joint;
mod materials;
mod reads;
mod registration;
mod serials;
mod track_codes;
mod transitions;
mod uploads;

pub use documents::*;
pub use events::*;
pub use inbox::*;
pub use joint::*;
pub use materials::*;
pub use reads::*;
pub use registration::*;
pub use serials::*;
pub use track_codes::*;
pub use transitions::*;
pub use uploads::*;

use crate::db::Row;
use crate::RowExt;
use serde::Serialize;

const CASE_COLS: &str = "id, case_no, item_id, version_id, item_name, impl_code, department_id, applicant_user_id, \
     applicant_kind, applicant_name, applicant_id_no, applicant_mobile, applicant_address, applicant_email, form, channel, \
     registered_by, state, seq, step_no, step_name, handling_department_id, assignee_id, submitted_at, accepted_at, \
     concluded_at, acceptance_due, promised_due, legal_due, step_due, suspended, supplement_notices, deemed_accepted, \
     outcome, result_no, view, created_at, updated_at";

/// The projection of a case: what lists and inboxes read.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRow {
    pub id: i64,
    pub case_no: Option<String>,
    pub item_id: i64,
    pub version_id: i64,
    pub item_name: String,
    pub impl_code: String,
    pub department_id: i64,
    pub applicant_user_id: Option<i64>,
    /// natural | legal
    pub applicant_kind: String,
    pub applicant_name: String,
    #[serde(skip)]
    pub applicant_id_no: String,
    #[serde(skip)]
    pub applicant_mobile: String,
    #[serde(skip)]
    pub applicant_address: String,
    /// Where notices go by e-mail ("" for none).
    #[serde(skip)]
    pub applicant_email: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: serde_json::Value,
    /// online | counter
    pub channel: String,
    pub registered_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(flatten)]
    pub p: Projection,
}

/// Everything about a case that its events decide.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseProjection))]
pub struct Projection {
    pub state: String,
    pub seq: i64,
    pub step_no: i64,
    pub step_name: String,
    /// The department whose inbox holds the case (none once closed).
    pub handling_department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub submitted_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub concluded_at: Option<i64>,
    pub acceptance_due: Option<String>,
    pub promised_due: Option<String>,
    pub legal_due: Option<String>,
    pub step_due: Option<String>,
    pub suspended: bool,
    pub supplement_notices: i64,
    pub deemed_accepted: bool,
    pub outcome: Option<String>,
    pub result_no: Option<String>,
    /// The domain view after the last event, as JSON (empty: replay the events).
    #[serde(skip)]
    pub view: String,
}

fn case_row(r: &Row) -> CaseRow {
    CaseRow {
        id: r.i64("id"),
        case_no: r.opt_str("case_no"),
        item_id: r.i64("item_id"),
        version_id: r.i64("version_id"),
        item_name: r.str("item_name"),
        impl_code: r.str("impl_code"),
        department_id: r.i64("department_id"),
        applicant_user_id: r.opt_i64("applicant_user_id"),
        applicant_kind: r.str("applicant_kind"),
        applicant_name: r.str("applicant_name"),
        applicant_id_no: r.str("applicant_id_no"),
        applicant_mobile: r.str("applicant_mobile"),
        applicant_address: r.str("applicant_address"),
        applicant_email: r.opt_str("applicant_email").unwrap_or_default(),
        form: serde_json::from_str(&r.str("form")).unwrap_or_default(),
        channel: r.str("channel"),
        registered_by: r.opt_i64("registered_by"),
        created_at: r.i64("created_at"),
        updated_at: r.i64("updated_at"),
        p: Projection {
            state: r.str("state"),
            seq: r.i64("seq"),
            step_no: r.i64("step_no"),
            step_name: r.str("step_name"),
            handling_department_id: r.opt_i64("handling_department_id"),
            assignee_id: r.opt_i64("assignee_id"),
            submitted_at: r.opt_i64("submitted_at"),
            accepted_at: r.opt_i64("accepted_at"),
            concluded_at: r.opt_i64("concluded_at"),
            acceptance_due: r.opt_str("acceptance_due"),
            promised_due: r.opt_str("promised_due"),
            legal_due: r.opt_str("legal_due"),
            step_due: r.opt_str("step_due"),
            suspended: r.flag("suspended"),
            supplement_notices: r.i64("supplement_notices"),
            deemed_accepted: r.flag("deemed_accepted"),
            outcome: r.opt_str("outcome"),
            result_no: r.opt_str("result_no"),
            view: r.str("view"),
        },
    }
}
