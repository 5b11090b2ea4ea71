//! What is signed: a licence's metadata and each change of its status, as
//! canonical bytes.
//!
//! The encoding is UTF-8 text, one field a line, `name=value`, in a fixed
//! order after a first line naming the encoding and its version
//! (`zwfw-license/1`). A value's `\`, line feed and carriage return are
//! written `\\`, `\n` and `\r`, so that a line is always one field and the
//! bytes read back to the same fields. The template's own fields follow the
//! base fields as `field.<name>=<value>`, sorted by name. The same metadata
//! give the same bytes on every machine, and anyone holding the bytes can
//! read what was signed.

use crate::licenses::{LicenseId, LicenseStatus};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The first line of a licence's signed bytes in the first encoding, which
/// names the holder in full (versions signed before `zwfw-license/2`).
pub const METADATA_HEADER: &str = "zwfw-license/1";
/// The first line of a licence's signed bytes in the encoding every new
/// version is signed with: the holder's details as salted SM3 digests, so
/// that the signed text can be published.
pub const PUBLIC_METADATA_HEADER: &str = "zwfw-license/2";
/// The length of the random salt of a licence version's holder digests.
pub const HOLDER_SALT_LEN: usize = 16;
/// The first line of a status change's signed bytes.
pub const STATUS_HEADER: &str = "zwfw-license-status/1";

/// The metadata of one version of a licence (the up_lic_data fields and
/// the base fields of a licence file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseMetadata {
    pub id: LicenseId,
    /// 证照名称
    pub name: String,
    /// 证照编号 (the number printed on it)
    pub number: String,
    /// 证照类型名称
    pub type_name: String,
    /// 证照定义机构
    pub define_authority: String,
    /// 证照颁发机构
    pub issuer_name: String,
    /// 证照颁发日期 (China time)
    pub issued_on: NaiveDate,
    /// 持证主体
    pub holder_name: String,
    /// 持证主体代码
    pub holder_code: String,
    /// 持证主体代码类型
    pub holder_code_type: String,
    /// 证照所属管辖属地编码
    pub area_code: String,
    /// 有效期起始
    pub valid_from: NaiveDate,
    /// 有效期截止 (`None`: long-term, 长期)
    pub valid_until: Option<NaiveDate>,
    /// 关联事项名称 and 代码
    pub item_name: String,
    pub item_code: String,
    /// The case it was issued on (办件编号).
    pub case_no: String,
    /// SM3 of the rendered licence file, lower-case hex.
    pub file_sm3: String,
    /// The template's fields, by name.
    pub fields: BTreeMap<String, String>,
}

fn escape(v: &str, out: &mut String) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn line(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push('=');
    escape(value, out);
    out.push('\n');
}

/// The canonical bytes of `fields` after the `header` line.
pub(super) fn encode(header: &str, fields: &[(&str, String)]) -> Vec<u8> {
    let mut s = String::new();
    s.push_str(header);
    s.push('\n');
    for (name, value) in fields {
        line(&mut s, name, value);
    }
    s.into_bytes()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `长期` for a long-term licence's end.
pub fn until_text(d: Option<NaiveDate>) -> String {
    d.map(day).unwrap_or_else(|| "长期".into())
}

impl LicenseMetadata {
    /// The bytes the issuer signs.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut s = String::new();
        s.push_str(METADATA_HEADER);
        s.push('\n');
        for (name, value) in &self.base_fields() {
            line(&mut s, name, value);
        }
        for (name, value) in &self.fields {
            // A template's field names hold no `=` and no control character
            // (checked by `template_fields`).
            line(&mut s, &format!("field.{name}"), value);
        }
        s.into_bytes()
    }

    /// The bytes the issuer signs in the public encoding
    /// (`zwfw-license/2`): the lines of `zwfw-license/1`, except that the
    /// holder's name and code are replaced by `holder_sm3` and
    /// `holder_code_sm3`, and, for a natural person's licence, each
    /// template field `field.<name>` by `field_sm3.<name>`: the lower-case
    /// hex SM3 of `salt ‖` the value's UTF-8 bytes ([`salted_sm3`]). The
    /// salt is the version's own and is not published; the holder, who
    /// knows it, can show that a value is the one signed.
    pub fn public_signing_bytes(&self, salt: &[u8; HOLDER_SALT_LEN]) -> Vec<u8> {
        let mut s = String::new();
        s.push_str(PUBLIC_METADATA_HEADER);
        s.push('\n');
        for (name, value) in &self.base_fields() {
            match *name {
                "holder" => line(&mut s, "holder_sm3", &salted_sm3(salt, value)),
                "holder_code" => line(&mut s, "holder_code_sm3", &salted_sm3(salt, value)),
                _ => line(&mut s, name, value),
            }
        }
        let person = self.holder_code_type == super::HolderKind::Person.code_type();
        for (name, value) in &self.fields {
            if person {
                line(&mut s, &format!("field_sm3.{name}"), &salted_sm3(salt, value));
            } else {
                line(&mut s, &format!("field.{name}"), value);
            }
        }
        s.into_bytes()
    }

    /// The template fields the public encoding gives as digests only (a
    /// natural person's): they must be kept beside the signed text.
    pub fn hidden_fields(&self) -> BTreeMap<String, String> {
        if self.holder_code_type == super::HolderKind::Person.code_type() {
            self.fields.clone()
        } else {
            BTreeMap::new()
        }
    }

    fn base_fields(&self) -> [(&'static str, String); 20] {
        [
            ("identifier", self.id.to_string()),
            ("version", self.id.version_text()),
            ("name", self.name.clone()),
            ("number", self.number.clone()),
            ("type_name", self.type_name.clone()),
            ("type_code", self.id.type_code().to_string()),
            ("define_authority", self.define_authority.clone()),
            ("define_authority_code", self.id.type_code().authority().to_string()),
            ("issuer", self.issuer_name.clone()),
            ("issuer_code", self.id.issuer().to_string()),
            ("issued_on", day(self.issued_on)),
            ("holder", self.holder_name.clone()),
            ("holder_code", self.holder_code.clone()),
            ("holder_code_type", self.holder_code_type.clone()),
            ("area_code", self.area_code.clone()),
            ("valid_from", day(self.valid_from)),
            ("valid_until", until_text(self.valid_until)),
            ("item", format!("{} {}", self.item_code, self.item_name)),
            ("case_no", self.case_no.clone()),
            ("file_sm3", self.file_sm3.clone()),
        ]
    }
}

/// Lower-case hex SM3 of `salt ‖ value` (the value's UTF-8 bytes, not
/// escaped): how the public encoding states a holder's detail.
pub fn salted_sm3(salt: &[u8], value: &str) -> String {
    use sm3::{Digest, Sm3};
    let mut h = Sm3::new();
    h.update(salt);
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

/// Whether signed licence bytes are in the public encoding
/// (`zwfw-license/2`), which anyone may read.
pub fn is_public_encoding(signed: &[u8]) -> bool {
    signed.starts_with(PUBLIC_METADATA_HEADER.as_bytes()) && signed.get(PUBLIC_METADATA_HEADER.len()) == Some(&b'\n')
}

/// A change of a licence version's status, signed on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    pub id: LicenseId,
    pub status: LicenseStatus,
    /// When, in ms since the epoch (UTC).
    pub at_ms: i64,
    /// The reason (注销), the decision number (吊销) or the new version's
    /// identifier (换发, 变更).
    pub note: String,
}

impl StatusRecord {
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut s = String::new();
        s.push_str(STATUS_HEADER);
        s.push('\n');
        line(&mut s, "identifier", &self.id.to_string());
        line(&mut s, "version", &self.id.version_text());
        line(&mut s, "status", self.status.code());
        line(&mut s, "at", &crate::time::format_rfc3339(self.at_ms));
        line(&mut s, "note", &self.note);
        s.into_bytes()
    }
}
