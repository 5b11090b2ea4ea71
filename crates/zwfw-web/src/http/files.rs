//! Sending stored files: listed attachments and documents with their content type.

use crate::http::prelude::*;
use axum::response::IntoResponse;
use axum::response::Response;

/// A file named in one of `lists` (JSON arrays of `{sm3, name, kind}`, as
/// the reader may see them) as a private download; not found otherwise.
pub async fn send_listed<'a>(
    st: &AppState,
    ra: &crate::http::auth::RequestAuth,
    lists: impl Iterator<Item = &'a serde_json::Value>,
    sm3: &str,
) -> Response {
    let found =
        lists.filter_map(|l| l.as_array()).flatten().find(|a| a["sm3"].as_str() == Some(sm3)).map(|a| {
            (a["kind"].as_str().unwrap_or("pdf").to_string(), a["name"].as_str().unwrap_or("附件").to_string())
        });
    match found {
        Some((kind, name)) => send_file(st, ra, sm3, &kind, &name, "private, no-store").await,
        None => crate::http::pages::error_page(st, Some(ra), &WebError::not_found("file")),
    }
}

/// A stored file as a download named `label.kind`.
pub async fn send_file(
    st: &AppState,
    ra: &crate::http::auth::RequestAuth,
    sm3: &str,
    kind: &str,
    label: &str,
    cache: &'static str,
) -> Response {
    let bytes = match st.file(sm3).await {
        Ok(Some(b)) => b,
        _ => return crate::http::pages::error_page(st, Some(ra), &WebError::not_found("file")),
    };
    let mime = match kind {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" => "image/jpeg",
        "ofd" => "application/ofd",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    };
    let filename = if label.ends_with(&format!(".{kind}")) { label.to_string() } else { format!("{label}.{kind}") };
    let disposition = attachment(&format!("file.{kind}"), &filename);
    (
        [
            (axum::http::header::CONTENT_TYPE, mime.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CACHE_CONTROL, cache.to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A file's bytes, as the OpenAPI document shows a download's body or a form's file.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

/// A multipart form with one file in the field `file`.
#[derive(utoipa::ToSchema)]
pub struct FileUpload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The `Content-Disposition` of a download named `name`, with `fallback`
/// (ASCII) for clients without RFC 6266: the name percent-encoded as RFC
/// 5987 asks, every byte outside its attr-chars encoded (a `/` or `..` of
/// an uploaded file's name cannot reach a path).
pub fn attachment(fallback: &str, name: &str) -> String {
    let mut enc = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{enc}")
}

#[cfg(test)]
mod attachment_tests {
    #[test]
    fn names_are_encoded_whole() {
        assert_eq!(
            super::attachment("file", "../../etc/passwd.pdf"),
            "attachment; filename=\"file\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd.pdf"
        );
        assert_eq!(
            super::attachment("a.pdf", "答复 1.pdf"),
            "attachment; filename=\"a.pdf\"; filename*=UTF-8''%E7%AD%94%E5%A4%8D%201.pdf"
        );
    }
}
