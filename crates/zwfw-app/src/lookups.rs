//! The public look-ups anyone may make without signing in — the licence
//! checks (verification page and API, QR check), the 双公示 list of
//! 行政许可 decisions (page, API and workbook) and the tracking of cases
//! (`/track`) — each limited per client address: at most so many in a
//! 15-minute window (windows start at whole quarter hours, UTC). The count
//! is kept in the database (`license_check_counts`, one row per look-up,
//! address and window; the first look-up of a new window deletes the
//! windows that ended), so that every app server of one database counts
//! the same look-ups. The limits are configuration (`[lookups]`), 0 turns
//! one off.

use crate::error::{AppError, AppResult, Kind};
use crate::state::App;

/// The length of a window.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// A kind of public look-up, limited on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// A licence verification (page or API) or a QR check.
    LicenseCheck,
    /// The 双公示 list of 行政许可 decisions: a page of it or its workbook.
    Credit,
    /// A case tracked without signing in: by number and query password, by
    /// identity number, mobile and SMS code, or the code asked for.
    Track,
}

impl Lookup {
    /// The stable code of the refusal (429).
    pub fn code(self) -> &'static str {
        match self {
            Lookup::LicenseCheck => "license_verify_limited",
            Lookup::Credit => "credit_lookup_limited",
            Lookup::Track => "track_lookup_limited",
        }
    }

    /// The key the look-up is counted under for `client`. A licence check
    /// is counted under the address alone, as before the other look-ups
    /// were limited.
    fn key(self, client: &str) -> String {
        match self {
            Lookup::LicenseCheck => client.to_string(),
            Lookup::Credit => format!("credit:{client}"),
            Lookup::Track => format!("track:{client}"),
        }
    }
}

/// How many look-ups of each kind one client address may make in a window;
/// 0: not limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupLimits {
    /// Licence checks by a visitor not signed in (default 60).
    pub license_checks: u32,
    /// Pages and workbooks of the 双公示 list by a visitor not signed in (default 300).
    pub credit: u32,
    /// Case tracking, signed in or not (default 120).
    pub track: u32,
}

impl Default for LookupLimits {
    fn default() -> Self {
        LookupLimits { license_checks: crate::licenses::verify::ANONYMOUS_CHECKS, credit: 300, track: 120 }
    }
}

impl LookupLimits {
    /// No limit on any look-up (a benchmark).
    pub const OFF: LookupLimits = LookupLimits { license_checks: 0, credit: 0, track: 0 };

    /// The limit of `lookup`.
    pub fn of(self, lookup: Lookup) -> u32 {
        match lookup {
            Lookup::LicenseCheck => self.license_checks,
            Lookup::Credit => self.credit,
            Lookup::Track => self.track,
        }
    }
}

/// Counts a look-up by `client` and refuses it (429, the look-up's code,
/// the limit as the detail) once the address made the configured number in
/// the current window. A look-up the caller does not limit (`limited` is
/// false: a signed-in account's licence check, named in the 用证 log) is
/// neither counted nor refused.
pub async fn throttle(st: &App, lookup: Lookup, client: &str, limited: bool) -> AppResult<()> {
    let max = st.config.lookups.of(lookup);
    if !limited || max == 0 {
        return Ok(());
    }
    let now = st.now_ms();
    let window_start = now - now.rem_euclid(WINDOW_MS);
    let made = zwfw_store::licenses::count_check(&st.store, &lookup.key(client), window_start).await?;
    if made > i64::from(max) {
        return Err(AppError::with_detail(Kind::TooMany, lookup.code(), max.to_string()));
    }
    Ok(())
}
