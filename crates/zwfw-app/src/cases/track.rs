//! Following one's cases without signing in by 身份证号 (or 统一社会信用代码) and
//! mobile: a one-time code is sent by SMS to the mobile the applications
//! gave (kept only as a salted hash, valid five minutes, a few tries, used
//! once), and the right code opens the cases of that applicant and mobile.

use super::*;

/// How long a code is valid.
pub const TRACK_CODE_TTL_MS: i64 = 5 * 60_000;
/// Wrong tries a code allows before a new one must be asked for.
pub const TRACK_CODE_TRIES: i64 = 5;
/// The least time between two codes for the same applicant and mobile.
const TRACK_CODE_GAP_MS: i64 = 60_000;
/// The most cases one look-up shows (newest first).
const TRACK_CASES: i64 = 20;

/// An identity number as stored: a 居民身份证号码 or a 统一社会信用代码, trimmed, in capitals.
fn identity(id_no: &str) -> AppResult<String> {
    let id_no = id_no.trim().to_uppercase();
    match ResidentId::parse(&id_no) {
        Ok(r) => Ok(r.as_str().to_string()),
        Err(e) if id_no.len() == 18 && !id_no.as_bytes()[..17].iter().all(u8::is_ascii_digit) => {
            CreditCode::parse(&id_no).map(|c| c.as_str().to_string()).map_err(|_| e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// A code asked for `id_no` and `mobile` that no case gave, while it would
/// still be valid: (when asked, wrong tries). Kept in the database (by the
/// SM3 of the number and mobile), so that every app server answers alike.
async fn phantom(st: &App, key: &str, now: i64) -> AppResult<Option<(i64, i64)>> {
    Ok(zwfw_store::limits::phantom(&st.store, &phantom_key(key), now - TRACK_CODE_TTL_MS).await?)
}

fn phantom_key(key: &str) -> String {
    zwfw_domain::audit::sm3_hex(format!("track-phantom/{key}").as_bytes())
}

/// Sends a one-time code to `mobile` when cases of `id_no` gave that mobile;
/// answers the same either way (asked again at once too), so that nobody
/// learns whose cases exist.
pub async fn send_track_code(st: &App, client: &str, id_no: &str, mobile: &str) -> AppResult<()> {
    let id_no = identity(id_no)?;
    let mobile = Mobile::parse(mobile.trim())?.as_str().to_string();
    crate::lookups::throttle(st, crate::lookups::Lookup::Track, client, true).await?;
    if st.track_blocked(&[format!("addr:{client}")]).await? {
        return Err(AppError::with_detail(Kind::TooMany, "track_limited", "id_no"));
    }
    let now = st.now_ms();
    let key = format!("{id_no}/{mobile}");
    let last = match sc::latest_track_code(&st.store, &id_no, &mobile).await? {
        Some(c) => Some(c.created_at),
        None => phantom(st, &key, now).await?.map(|(at, _)| at),
    };
    if last.is_some_and(|at| now - at < TRACK_CODE_GAP_MS) {
        return Err(AppError::with_detail(Kind::TooMany, "track_code_wait", "mobile"));
    }
    if sc::cases_of_applicant(&st.store, &id_no, &mobile, 1).await?.is_empty() {
        // Counted like a wrong guess: asking about strangers is limited too.
        st.track_failed(&[format!("addr:{client}")]).await?;
        zwfw_store::limits::put_phantom(&st.store, &phantom_key(&key), now, now - TRACK_CODE_TTL_MS).await?;
        return Ok(());
    }
    let code: String = {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        (0..6).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
    };
    let salt = crate::accounts::sessions::random_token(8);
    let ctx = Ctx { state: st, actor: None, client_addr: client.to_string() };
    let mut tx = st.store.begin().await?;
    sc::insert_track_code(&mut tx, &id_no, &mobile, &hash_query(&salt, &code), now + TRACK_CODE_TTL_MS, now).await?;
    let body = crate::messages::label("track", "sms").replace("{code}", &code);
    let n = zwfw_store::interaction::NewNotification {
        user_id: None,
        mobile: Some(&mobile),
        channel: zwfw_domain::outbox::Channel::Sms.code(),
        title: &crate::messages::label("track", "sms_title"),
        body: &body,
        link: "/track",
    };
    zwfw_store::interaction::notify(&mut tx, &n, now).await?;
    let masked = zwfw_domain::ids::Mobile::mask_stored(Some(&mobile)).unwrap_or_default();
    ctx.audit(&mut tx, ctx.entry("track_code_sent", "track_code", masked, json!({}), "")).await?;
    tx.commit().await?;
    Ok(())
}

/// The cases of `id_no` and `mobile`, as the public timeline shows them, for the right code.
pub async fn track_by_identity(
    st: &App,
    client: &str,
    id_no: &str,
    mobile: &str,
    code: &str,
) -> AppResult<Vec<CaseDetail>> {
    let id_no = identity(id_no)?;
    let mobile = Mobile::parse(mobile.trim())?.as_str().to_string();
    let keys = [format!("addr:{client}")];
    crate::lookups::throttle(st, crate::lookups::Lookup::Track, client, true).await?;
    if st.track_blocked(&keys).await? {
        return Err(AppError::with_detail(Kind::TooMany, "track_limited", "code"));
    }
    let now = st.now_ms();
    let wrong = || AppError::with_detail(Kind::NotFound, "track_code_wrong", "code");
    let expired = || AppError::with_detail(Kind::Conflict, "track_code_expired", "code");
    let Some(c) = sc::latest_track_code(&st.store, &id_no, &mobile).await? else {
        // No code was sent: a code asked for a stranger's number is answered
        // as a real one (wrong, then expired), one never asked as expired.
        let key = format!("{id_no}/{mobile}");
        st.track_failed(&keys).await?;
        return Err(match phantom(st, &key, now).await? {
            Some((_, tries)) if tries < TRACK_CODE_TRIES => {
                zwfw_store::limits::phantom_tried(&st.store, &phantom_key(&key)).await?;
                wrong()
            }
            _ => expired(),
        });
    };
    if c.used_at.is_some() || c.expires_at <= now || c.tries >= TRACK_CODE_TRIES {
        st.track_failed(&keys).await?;
        return Err(expired());
    }
    let right = query_matches(&c.code_hash, code);
    if !sc::try_track_code(&st.store, c.id, right, now).await? || !right {
        st.track_failed(&keys).await?;
        return Err(wrong());
    }
    let mut out = vec![];
    for id in sc::cases_of_applicant(&st.store, &id_no, &mobile, TRACK_CASES).await? {
        out.push(detail(st, None, id, true).await?);
    }
    Ok(out)
}
