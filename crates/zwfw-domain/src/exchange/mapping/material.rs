//! `up_pro_material` (材料目录信息): at acceptance, one row per material
//! received by then.

use super::CaseFacts;
use crate::exchange::{Cell, Codes, FrontRow, Table};

/// A material received for a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialFacts {
    pub name: String,
    /// The attached file's name ("" for a paper original only).
    pub file_name: String,
    /// Received on paper at the counter rather than as a file.
    pub paper: bool,
}

pub fn map(codes: &Codes, case: &CaseFacts, materials: &[MaterialFacts]) -> Vec<FrontRow> {
    materials
        .iter()
        .enumerate()
        .map(|(i, m)| FrontRow {
            table: Table::ProMaterial,
            sub: i as u32,
            cells: vec![
                ("get_name", Cell::text("1")),
                ("get_type", Cell::text(if m.paper { &codes.get_paper } else { &codes.get_electronic })),
                ("material_attach_name", Cell::opt(&m.file_name)),
                ("material_name", Cell::text(&m.name)),
                ("project_no", Cell::text(&case.case_no)),
            ],
        })
        .collect()
}
