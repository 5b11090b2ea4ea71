//! The demo city's 人口库 / 法人库: the records of the demo citizens and the
//! demo company (so that their registration is confirmed and their forms
//! are prefilled), a second company that was revoked (吊销), and a few
//! neighbours.

use crate::error::AppResult;
use crate::state::{App, Ctx};
use zwfw_domain::registry::{check_record, Field, Record, RecordKind, RecordSource};

/// (kind, name, number's first 17 characters, legal representative, address, status).
const RECORDS: &[(RecordKind, &str, &str, &str, &str, &str)] = &[
    (RecordKind::Person, "陈小华", "52990219850612302", "", "示例市城关区建设路18号2单元301室", ""),
    (RecordKind::Person, "刘桂芳", "52992119520308402", "", "示例市东城区幸福里小区5栋102室", ""),
    (RecordKind::Person, "黄志明", "52990219780915301", "", "示例市城关区人民路66号", ""),
    (
        RecordKind::Company,
        "示例市明达餐饮有限公司",
        "91529902MA1234567",
        "黄志明",
        "示例市城关区人民路66号一楼",
        "active",
    ),
    (
        RecordKind::Company,
        "示例市恒通商贸有限公司",
        "91529902MA7654321",
        "马强",
        "示例市东城区商贸城B区12号",
        "revoked",
    ),
];

/// The demo records, stored as the registry stores imported ones.
pub async fn load(state: &App) -> AppResult<usize> {
    let ctx = Ctx { state, actor: None, client_addr: "demo".into() };
    let mut records = vec![];
    for (kind, name, first17, rep, address, status) in RECORDS {
        let number = match kind {
            RecordKind::Person => super::resident_id(first17),
            RecordKind::Company => {
                format!("{first17}{}", zwfw_domain::ids::CreditCode::check_char(first17).expect("a valid demo code"))
            }
        };
        let get = |f: Field| match f {
            Field::Name => name.to_string(),
            Field::IdNumber | Field::CreditCode => number.clone(),
            Field::LegalRep => rep.to_string(),
            Field::Address => address.to_string(),
            Field::Status => status.to_string(),
        };
        let r: Record =
            check_record(*kind, &get).map_err(|p| crate::AppError::Internal(format!("demo record: {p:?}")))?;
        records.push(r);
    }
    crate::registry::store_alone(&ctx, &records, RecordSource::Demo).await
}
