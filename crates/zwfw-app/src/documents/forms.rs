//! Blank forms (空白表格) and filled-in samples (样表) of an item's
//! materials: a PDF to print and fill by hand, and a Word document (DOCX)
//! to fill on a computer. The DOCX is written here, a stored (uncompressed)
//! ZIP holding the three parts WordprocessingML needs, so that no office
//! library is pulled in for a few kilobytes of XML.

use crate::documents::pdf::{self, Align, Block, Column, Part, Table};

/// A blank form to print: the title, the fields as a ruled table with
/// empty values, and the signature lines.
pub fn blank_form_pdf(item: &str, title: &str, fields: &[&str]) -> Result<Vec<u8>, pdf::PdfError> {
    let parts = vec![
        Part::Text(Block::new(title, 18.0, Align::Center)),
        Part::Text(Block::new(format!("（{item}）"), 12.0, Align::Center).gap(4.0)),
        Part::Table(Table {
            columns: vec![Column::new("项目", 0.3, Align::Left), Column::new("填写内容", 0.7, Align::Left)],
            rows: fields.iter().map(|f| vec![f.to_string(), String::new()]).collect(),
            size: 12.0,
            space_before: 12.0,
        }),
        Part::Text(
            Block::para("本人（单位）承诺所填写内容及提交的材料真实、有效，如有虚假，愿承担相应的法律责任。").gap(16.0),
        ),
        Part::Text(
            Block::new("申请人（签字或盖章）：                    日期：      年    月    日", 12.0, Align::Left)
                .gap(24.0),
        ),
    ];
    pdf::render_parts(title, &parts, pdf::Orientation::Portrait)
}

/// A filled-in sample as a Word document: the title, a note, and the
/// fields with example values.
pub fn sample_docx(item: &str, title: &str, rows: &[(&str, &str)]) -> Vec<u8> {
    let mut body = String::new();
    body += &paragraph(&format!("{title}（样表）"), true, 32);
    body += &paragraph(&format!("事项：{item}。本样表仅示范填写方法，内容为虚构示例。"), false, 21);
    body += r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders><w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr>"#;
    for (k, v) in rows {
        body +=
            &format!("<w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr>", paragraph(k, true, 21), paragraph(v, false, 21));
    }
    body += "</w:tbl>";
    body += &paragraph("申请人（签字或盖章）：张三        日期：2026年1月5日", false, 21);
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/></w:sectPr></w:body></w:document>"#
    );
    stored_zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A paragraph in the given size (half-points), bold or not; a title is centred.
fn paragraph(text: &str, bold: bool, half_points: u32) -> String {
    let centre = if half_points >= 28 { r#"<w:pPr><w:jc w:val="center"/></w:pPr>"# } else { "" };
    let b = if bold { "<w:b/>" } else { "" };
    format!(
        r#"<w:p>{centre}<w:r><w:rPr>{b}<w:sz w:val="{half_points}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        xml_escape(text)
    )
}

/// A ZIP archive of `entries`, stored without compression (method 0).
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let (crc, size, offset) = (crc.sum(), data.len() as u32, out.len() as u32);
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            v.extend_from_slice(&0u16.to_le_bytes()); // stored
            v.extend_from_slice(&0u16.to_le_bytes()); // time
            v.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        common(&mut central);
        central.extend_from_slice(&[0; 8]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (at, len, n) = (out.len() as u32, central.len() as u32, entries.len() as u16);
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_a_docx_and_the_blank_form_a_pdf() {
        let d = sample_docx("食品经营许可", "食品经营许可申请书", &[("申请人名称", "示例市明达餐饮有限公司 <A&B>")]);
        assert_eq!(zwfw_domain::files::sniff(&d), Some(zwfw_domain::files::FileKind::Docx));
        let xml = String::from_utf8_lossy(&d);
        assert!(xml.contains("示例市明达餐饮有限公司 &lt;A&amp;B&gt;"));
        assert!(d.ends_with(&[0, 0]) && d.windows(4).filter(|w| w == b"PK\x01\x02").count() == 3);
        let p = blank_form_pdf("食品经营许可", "食品经营许可申请书", &["申请人名称", "经营场所"]).unwrap();
        assert_eq!(zwfw_domain::files::sniff(&p), Some(zwfw_domain::files::FileKind::Pdf));
    }
}
