//! `up_lic_data` (电子证照目录信息): one row for every licence version issued
//! here (an issue on a grant, a 换发 or 变更: each a version with its own
//! identifier), from the metadata the version was signed with. The table
//! has no status column and no `row_guid`: 注销, 吊销 and 过期 are not
//! reported through it, and a row is recognised by its batch and
//! `certificate_source_id`.

use crate::exchange::{Cell, FrontRow, Table};
use crate::licenses::LicenseMetadata;

/// The catalogue row of a licence version.
pub fn map(m: &LicenseMetadata) -> FrontRow {
    FrontRow {
        table: Table::LicData,
        sub: 0,
        cells: vec![
            ("certificate_area_code", Cell::text(&m.area_code)),
            ("certificate_holder", Cell::text(&m.holder_name)),
            ("certificate_holder_code", Cell::text(&m.holder_code)),
            ("certificate_holder_type", Cell::opt(&m.holder_code_type)),
            ("certificate_name", Cell::text(&m.name)),
            ("certificate_number", Cell::text(&m.number)),
            // 电子证照源标识: the GB/T 36904 identifier of the version.
            ("certificate_source_id", Cell::text(m.id.to_string())),
            ("certificate_type", Cell::text(&m.type_name)),
            ("certificate_type_code", Cell::text(m.id.type_code().as_str())),
            ("issue_date", Cell::text(crate::time::ymd(m.issued_on))),
            ("issue_dept", Cell::text(&m.issuer_name)),
            ("issue_dept_code", Cell::text(m.id.issuer().as_str())),
        ],
    }
}
