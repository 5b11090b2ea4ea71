//! Uploaded files: the kind is decided by the content, never by the name.

use serde::{Deserialize, Serialize};

/// A stored file attached to a submission, a finding's or an order's reply
/// (lists of them are kept as JSON beside the record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// SM3 of the stored file.
    pub sm3: String,
    pub name: String,
    /// The kind found from the content (its extension: pdf, jpg, …).
    pub kind: String,
    pub size: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Ofd,
    Png,
    Jpeg,
    Docx,
    Xlsx,
    /// Word 97–2003 or Excel 97–2003 (OLE compound file)
    LegacyOffice,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Ofd => "application/ofd",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::LegacyOffice => "application/octet-stream",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Ofd => "ofd",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
            FileKind::Docx => "docx",
            FileKind::Xlsx => "xlsx",
            FileKind::LegacyOffice => "doc",
        }
    }
    /// Kinds the name claims, from its extension.
    pub fn claimed_by(name: &str) -> Option<FileKind> {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        Some(match ext.as_str() {
            "pdf" => FileKind::Pdf,
            "ofd" => FileKind::Ofd,
            "png" => FileKind::Png,
            "jpg" | "jpeg" => FileKind::Jpeg,
            "docx" => FileKind::Docx,
            "xlsx" => FileKind::Xlsx,
            "doc" | "xls" => FileKind::LegacyOffice,
            _ => return None,
        })
    }
}

fn zip_contains(bytes: &[u8], name: &[u8]) -> bool {
    bytes.windows(name.len()).any(|w| w == name)
}

/// What the content is, from its signature (and, for ZIP containers, the
/// names of the entries that make the format).
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(FileKind::LegacyOffice);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        if zip_contains(bytes, b"OFD.xml") {
            return Some(FileKind::Ofd);
        }
        if zip_contains(bytes, b"[Content_Types].xml") {
            if zip_contains(bytes, b"word/") {
                return Some(FileKind::Docx);
            }
            if zip_contains(bytes, b"xl/") {
                return Some(FileKind::Xlsx);
            }
        }
    }
    None
}

/// Why an upload is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UploadError {
    Empty,
    TooLarge {
        max_bytes: usize,
    },
    /// The content is none of the accepted kinds.
    UnknownContent,
    /// The name says one kind, the content is another.
    Mismatch {
        claimed: FileKind,
        actual: FileKind,
    },
    /// A kind this slot does not accept.
    NotAllowed {
        actual: FileKind,
    },
}

/// Checks an upload for a slot accepting `allowed` kinds.
pub fn check_upload(name: &str, bytes: &[u8], max_bytes: usize, allowed: &[FileKind]) -> Result<FileKind, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(UploadError::TooLarge { max_bytes });
    }
    let actual = sniff(bytes).ok_or(UploadError::UnknownContent)?;
    if let Some(claimed) = FileKind::claimed_by(name) {
        if claimed != actual {
            return Err(UploadError::Mismatch { claimed, actual });
        }
    }
    if !allowed.contains(&actual) {
        return Err(UploadError::NotAllowed { actual });
    }
    Ok(actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides() {
        let pdf = b"%PDF-1.7\n...";
        assert_eq!(check_upload("申请表.pdf", pdf, 100, &[FileKind::Pdf]), Ok(FileKind::Pdf));
        assert_eq!(
            check_upload("申请表.pdf", b"<html>not a pdf", 100, &[FileKind::Pdf]),
            Err(UploadError::UnknownContent)
        );
        let png = b"\x89PNG\r\n\x1a\n....";
        assert_eq!(
            check_upload("申请表.pdf", png, 100, &[FileKind::Pdf, FileKind::Png]),
            Err(UploadError::Mismatch { claimed: FileKind::Pdf, actual: FileKind::Png })
        );
        assert_eq!(
            check_upload("样本.png", png, 100, &[FileKind::Pdf]),
            Err(UploadError::NotAllowed { actual: FileKind::Png })
        );
        assert_eq!(check_upload("a.pdf", pdf, 5, &[FileKind::Pdf]), Err(UploadError::TooLarge { max_bytes: 5 }));
        assert_eq!(check_upload("a.pdf", b"", 5, &[FileKind::Pdf]), Err(UploadError::Empty));
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(sniff(docx), Some(FileKind::Docx));
        assert_eq!(sniff(b"PK\x03\x04....OFD.xml"), Some(FileKind::Ofd));
    }
}
