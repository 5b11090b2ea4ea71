//! Multipart forms of pages: text fields and checked files.

use crate::http::prelude::*;
use axum::extract::Multipart;
use std::collections::HashMap;

/// The text fields and the non-empty files of a multipart form.
pub struct MultipartForm {
    pub(crate) fields: HashMap<String, String>,
    pub(crate) files: Vec<(String, String, Vec<u8>)>,
}

impl MultipartForm {
    pub(crate) async fn read(mut mp: Multipart, max: usize) -> WebResult<MultipartForm> {
        let mut fields = HashMap::new();
        let mut files = vec![];
        while let Some(mut field) = mp.next_field().await.map_err(|_| WebError::bad("bad_request"))? {
            let name = field.name().unwrap_or("").to_string();
            if let Some(file_name) = field.file_name().map(str::to_string) {
                let buf = file_bytes(&mut field, max).await?;
                if !buf.is_empty() || !file_name.is_empty() {
                    files.push((name, file_name, buf));
                }
            } else {
                let text = field.text().await.map_err(|_| WebError::bad("bad_request"))?;
                if text.len() > 10_000 {
                    return Err(WebError::with_detail(Kind::Invalid, "too_long", name));
                }
                fields.insert(name, text);
            }
        }
        Ok(MultipartForm { fields, files })
    }

    /// The file of the field `file`: its name and bytes (`bad_request`, detail `file`, when there is none).
    pub(crate) fn take_file(self) -> WebResult<(String, Vec<u8>)> {
        self.files
            .into_iter()
            .find(|f| f.0 == "file")
            .map(|(_, name, bytes)| (name, bytes))
            .ok_or_else(|| WebError::with_detail(Kind::BadInput, "bad_request", "file"))
    }

    pub(crate) fn get(&self, k: &str) -> String {
        self.fields.get(k).cloned().unwrap_or_default()
    }

    /// The material number of a field named `m3` (upload) or `lib3` (library).
    pub fn material_no(field: &str, prefix: &str) -> Option<usize> {
        field.strip_prefix(prefix).and_then(|n| n.parse().ok()).filter(|n| *n >= 1)
    }
}

/// A file field's bytes, refused as too large past `max` bytes.
pub(crate) async fn file_bytes(field: &mut axum::extract::multipart::Field<'_>, max: usize) -> WebResult<Vec<u8>> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| WebError::bad("bad_request"))? {
        buf.extend_from_slice(&chunk);
        if buf.len() > max {
            return Err(zwfw_domain::files::UploadError::TooLarge { max_bytes: max }.into());
        }
    }
    Ok(buf)
}
