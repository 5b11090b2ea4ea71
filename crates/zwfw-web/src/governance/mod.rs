//! 配置/维护需求: the requests of the departments and the supervision
//! office, the service centre's answers and the changes made under them
//! (`api.rs`), and the pages (`pages.rs`).

pub mod api;
pub mod corrections;
pub mod deletions;
pub mod pages;
pub mod qualifications;
pub mod rights;

use crate::http::prelude::*;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The refusal's PDF reply of request `id` as a download.
pub(crate) async fn reply_pdf(st: &AppState, ra: &RequestAuth, id: i64) -> WebResult<Response> {
    let bytes = zwfw_app::governance::reply_pdf(&ctx(st, ra), id).await?;
    let name = format!("配置维护需求第{id}号答复书.pdf");
    let disp = crate::http::files::attachment("reply.pdf", &name);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disp),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The attachments of a submission form (field `attachment`), checked by content and stored.
pub(crate) async fn stored_attachments(
    st: &AppState,
    f: &MultipartForm,
) -> WebResult<Vec<zwfw_app::interaction::Attachment>> {
    let mut files = vec![];
    for (_, name, bytes) in f.files.iter().filter(|(field, _, b)| field == "attachment" && !b.is_empty()) {
        files.push(zwfw_app::interaction::store_attachment(st, name, bytes).await?);
    }
    Ok(files)
}
