//! Exchange with the provincial platform (数据交换): which national table a
//! change of a case feeds, the national tables and their columns, the
//! envelope of every row (`row_guid`, `cd_batch`, `cd_operation`, `cd_time`,
//! `data_source`), the code values the national lists do not publish (with
//! documented defaults, configurable), and one mapping per table from a
//! case and its events to the national columns. No I/O: the application
//! gathers the facts, the exporter delivers.

pub mod feedback;
pub mod mapping;
pub mod package;
pub mod reported;
mod tables;

pub use tables::*;

use crate::cases::{EventKind, Outcome};

/// The tables an event of a case feeds, in the order they are written.
/// The province sees a case from its acceptance (or its refusal) on:
/// what happens before (submission, 补正) is reported with the acceptance.
pub fn tables_of(kind: &EventKind) -> &'static [Table] {
    use EventKind::*;
    use Table::*;
    match kind {
        Submitted | SupplementRequested { .. } | SupplementProvided => &[],
        Accepted | DeemedAccepted => &[ProAccept, ProMaterial, ProProcess],
        Refused { .. } | Concluded { .. } | Withdrawn { .. } => &[ProProcess, ProResult],
        ExtensionDecided { approved: true, .. } | SpecialEnded { .. } => &[ProProcess, ProSpecialProcedure],
        StepPassed { .. }
        | ReturnedToStep { .. }
        | Transferred { .. }
        | Urged { .. }
        | ExtensionRequested { .. }
        | ExtensionDecided { .. }
        | SpecialStarted { .. }
        | JointAnswered { .. }
        | JointTimedOut { .. }
        | Delivered { .. }
        | WithdrawalRequested { .. }
        | WithdrawalDeclined { .. }
        | Corrected { .. } => &[ProProcess],
    }
}

/// The code values of the exchange that no published national list fixes
/// (the 前置库's operator tells them; these defaults are documented in
/// `docs/areas/exchange.md`). The national lists that are published
/// (GB/T 39046 A.4–A.8, the 办结结果 codes) are not configurable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Codes {
    /// `cd_operation` of a new row (同步类型): "I".
    pub operation_insert: String,
    /// `data_source` (数据来源) of every row: "01".
    pub data_source: String,
    /// `event_name` (业务动作) of a step passed or a positive decision: "1".
    pub action_pass: String,
    /// `event_name` of a return or refusal: "2".
    pub action_return: String,
    /// `event_name` of every other recorded action: "9".
    pub action_other: String,
    /// `applyer_page_type` of a 居民身份证 (GA/T 2000.156): "111".
    pub id_card: String,
    /// `applyer_page_type` of a 统一社会信用代码: "001".
    pub credit_code: String,
    /// `get_type` (收取方式) of a material received electronically: "1".
    pub get_electronic: String,
    /// `get_type` of a material received on paper: "2".
    pub get_paper: String,
    /// Prefix of every `row_guid` (this installation, e.g. its region code):
    /// "zwfw".
    pub guid_prefix: String,
}

impl Default for Codes {
    fn default() -> Codes {
        Codes {
            operation_insert: "I".into(),
            data_source: "01".into(),
            action_pass: "1".into(),
            action_return: "2".into(),
            action_other: "9".into(),
            id_card: "111".into(),
            credit_code: "001".into(),
            get_electronic: "1".into(),
            get_paper: "2".into(),
            guid_prefix: "zwfw".into(),
        }
    }
}

impl Codes {
    /// Checks the values against their national columns; the error names the setting.
    pub fn check(&self) -> Result<(), String> {
        let fits = |name: &str, v: &str, max: usize| {
            if v.trim().is_empty() || v.chars().count() > max {
                Err(format!("exchange.codes.{name} must be 1 to {max} characters (got {v:?})"))
            } else {
                Ok(())
            }
        };
        fits("operation_insert", &self.operation_insert, 2)?;
        fits("data_source", &self.data_source, 3)?;
        fits("action_pass", &self.action_pass, 2)?;
        fits("action_return", &self.action_return, 2)?;
        fits("action_other", &self.action_other, 2)?;
        fits("id_card", &self.id_card, 70)?;
        fits("credit_code", &self.credit_code, 70)?;
        fits("get_electronic", &self.get_electronic, 2)?;
        fits("get_paper", &self.get_paper, 2)?;
        // The prefix, a separator and two numbers of up to 19 digits must fit varchar(50).
        fits("guid_prefix", &self.guid_prefix, 10)?;
        if !self.guid_prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err("exchange.codes.guid_prefix: letters, digits and _ only".into());
        }
        Ok(())
    }
}

/// The `row_guid` of row `sub` of outbox row `outbox_id`: stable, so that a
/// row sent again is recognised, and new for every new row version (a new
/// outbox row). At most 10 + 1 + 19 + 1 + 10 characters.
pub fn row_guid(codes: &Codes, outbox_id: i64, sub: u32) -> String {
    format!("{}-{outbox_id}-{sub}", codes.guid_prefix)
}

/// A batch number (`cd_batch`, 32 characters) from 16 random bytes.
pub fn batch_id(random: [u8; 16]) -> String {
    hex::encode(random)
}

/// The 办结结果 (`result_type`) of how a case ended, in the codes of the
/// national 办件 specification: 0 出证办结, 1 不予许可, 2 作废办结, 4 转报办结,
/// 5 退件, 6 不予受理 (`None`: refused before acceptance).
pub fn result_type(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        Some(Outcome::Granted) => "0",
        Some(Outcome::Denied) => "1",
        Some(Outcome::Voided) => "2",
        Some(Outcome::Forwarded) => "4",
        Some(Outcome::Returned) => "5",
        None => "6",
    }
}

/// Back-off after `failures` failed deliveries in a row: 1 s, 2 s, 4 s …
/// up to 5 minutes.
pub fn backoff_ms(failures: u32) -> i64 {
    let exp = failures.saturating_sub(1).min(20);
    (1000_i64 << exp).min(300_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_values_fit_their_columns() {
        let codes = Codes { guid_prefix: "a".repeat(10), ..Codes::default() };
        let guid = row_guid(&codes, i64::MAX, u32::MAX);
        assert!(guid.len() <= 50, "{guid}");
        assert_eq!(batch_id([0xab; 16]).len(), 32);
        assert!(Codes::default().check().is_ok());
        let bad = Codes { data_source: "0001".into(), ..Codes::default() };
        assert!(bad.check().unwrap_err().contains("data_source"));
    }

    #[test]
    fn backoff_doubles_and_stops() {
        assert_eq!(backoff_ms(1), 1000);
        assert_eq!(backoff_ms(2), 2000);
        assert_eq!(backoff_ms(4), 8000);
        assert_eq!(backoff_ms(50), 300_000);
    }

    #[test]
    fn acceptance_feeds_accept_material_and_process() {
        assert_eq!(tables_of(&EventKind::Accepted), &[Table::ProAccept, Table::ProMaterial, Table::ProProcess]);
        assert!(tables_of(&EventKind::Submitted).is_empty());
        let ext = EventKind::ExtensionDecided { approved: false, opinion: String::new() };
        assert_eq!(tables_of(&ext), &[Table::ProProcess]);
    }

    #[test]
    fn length_violations_name_the_column() {
        let row = FrontRow {
            table: Table::ProMaterial,
            sub: 0,
            cells: vec![("material_name", Cell::text("材".repeat(201))), ("project_no", Cell::text("X"))],
        };
        let e = check_row(&row).unwrap_err();
        assert!(e.contains("material_name") && e.contains("varchar(200)"), "{e}");
        let row = FrontRow { table: Table::ProMaterial, sub: 0, cells: vec![("material_name", Cell::text("a"))] };
        assert!(check_row(&row).unwrap_err().contains("project_no"));
    }
}
