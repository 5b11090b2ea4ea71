//! 电子证照: licence types (证照目录) kept by the system administrators,
//! the issuing departments' SM2 keys, issuance on the grant of an item
//! whose result is a licence, public verification, and the status changes
//! (换发, 变更, 注销, 吊销, 过期), each signed and audited.

pub mod holder;
pub mod import;
pub mod issue;
pub mod keys;
pub mod qr;
pub mod staff;
pub mod status;
pub mod types;
pub mod verify;

pub use keys::{
    generate_key, generate_or_rotate, list_keys, KeyView, MasterKey, Signer, SoftwareSigner, DEFAULT_SIGNER_ID,
};

use crate::error::{AppError, AppResult};
use crate::state::Ctx;
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{Actor, Role};

/// The licence settings: the master key the departments' private keys are
/// sealed under, and the SM2 signer ID.
#[derive(Debug, Clone)]
pub struct LicensesConfig {
    /// Without one, keys cannot be generated or used (a demo keeps one in
    /// its data directory).
    pub master_key: Option<MasterKey>,
    pub signer_id: String,
    /// The platform's public address (`https://…`, no trailing `/`) the
    /// QR code's verification link starts with; the path alone when empty.
    pub verify_base: String,
}

impl Default for LicensesConfig {
    fn default() -> Self {
        LicensesConfig { master_key: None, signer_id: DEFAULT_SIGNER_ID.into(), verify_base: String::new() }
    }
}

/// The acting staff member, if `rule` lets them act.
fn manager<'a>(ctx: &'a Ctx<'_>, rule: fn(&Actor) -> Result<Role, Refusal>) -> AppResult<&'a Actor> {
    let a = ctx.actor.ok_or_else(AppError::forbidden)?;
    rule(a).map_err(|r| AppError::refused(r, "license"))?;
    Ok(a)
}

/// Whether the signed-in account may keep the licence types, the signing
/// keys and the imports at all (the system administrators): decided before
/// any body is read, so that a caller who may not act learns nothing about
/// the body they sent.
pub fn authorize_manager(ctx: &Ctx<'_>) -> AppResult<()> {
    manager(ctx, zwfw_domain::access::licenses::may_manage_types).map(|_| ())
}

/// The plain facts of a stored licence version that the access rules read.
pub(crate) fn facts(l: &zwfw_store::licenses::LicenseRow) -> zwfw_domain::access::licenses::LicenseFacts {
    zwfw_domain::access::licenses::LicenseFacts {
        issuer_department_id: l.issuer_department_id,
        holder_user_id: l.holder_user_id,
    }
}

/// The path of a licence's public verification page.
pub fn verify_path(identifier: &str) -> String {
    format!("/verify/{identifier}")
}
