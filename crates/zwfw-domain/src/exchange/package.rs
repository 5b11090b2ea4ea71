//! Offline packages (离线包, 常州 003 第六条): an installation without a line
//! to the province (a county office) writes its exchange rows into one
//! file, signed with its SM2 key, and the installation that has the line
//! (the city) imports it after checking the signature against the key it
//! registered for the sender, and that the package continues exactly where
//! the last one from that sender ended.
//!
//! The file is UTF-8 text, one JSON document a line:
//!
//! 1. the manifest: `format` (`zwfw-exchange-package/1`), the sending
//!    `installation` (its region code, the prefix of its `row_guid`s) and
//!    name, the package's number `seq`, the range of the sender's outbox
//!    it covers (`from` exclusive, `to` inclusive), when it was made, the
//!    row count, and per national table the rows and the SM3 of their lines;
//!    the SM3 of the signing public key;
//! 2. one line per national row: `table`, `row_guid`, `cells` (the
//!    business columns; a `datetime` as `YYYY-MM-DD HH:MM:SS` local time);
//! 3. the signature: `{"sm2_signature": "<r‖s hex>"}`, SM2 with SM3 over
//!    every byte before that line.
//!
//! No I/O here: the application signs, verifies and stores.

use super::{check_row, Cell, ColType, FrontRow, Table};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The format name and version of the first line.
pub const FORMAT: &str = "zwfw-exchange-package/1";

/// One national table's share of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangePackageTable))]
pub struct TableDigest {
    pub table: String,
    pub rows: u64,
    /// SM3 (hex) of the table's row lines, in the order of the file, each with its line feed.
    pub sm3: String,
}

/// What a package says about itself (its first line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangePackageManifest))]
pub struct Manifest {
    pub format: String,
    /// The sending installation's code (its region code, the prefix of its row_guids).
    pub installation: String,
    /// The sending installation's name.
    pub name: String,
    /// The package's number among the sender's packages (1, 2, …).
    pub seq: i64,
    /// The sender's outbox rows after this one …
    pub from: i64,
    /// … up to and including this one.
    pub to: i64,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// National rows in the package.
    pub rows: u64,
    pub tables: Vec<TableDigest>,
    /// SM3 (hex) of the signing SM2 public key (uncompressed, 04‖x‖y).
    pub key: String,
}

/// One national row of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRow {
    pub row_guid: String,
    pub row: FrontRow,
}

/// A package read back: its manifest, rows, the signed bytes and the signature.
#[derive(Debug, Clone)]
pub struct Package {
    pub manifest: Manifest,
    pub rows: Vec<PackageRow>,
    /// Every byte before the signature line.
    pub signed: Vec<u8>,
    /// r‖s, 64 bytes.
    pub signature: Vec<u8>,
}

/// SM3 of the public key, hex: how a manifest names its signing key.
pub fn key_fingerprint(public_key: &[u8]) -> String {
    crate::audit::sm3_hex(public_key)
}

/// A row's cells as the file holds them.
fn cells_json(row: &FrontRow) -> Value {
    let mut m = Map::new();
    for (name, cell) in &row.cells {
        let v = match cell {
            Cell::Null => Value::Null,
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Time(t) => Value::String(t.format("%Y-%m-%d %H:%M:%S").to_string()),
        };
        m.insert((*name).to_string(), v);
    }
    Value::Object(m)
}

/// The line of one row (with its line feed).
fn row_line(row_guid: &str, row: &FrontRow) -> String {
    let v = serde_json::json!({"table": row.table.code(), "row_guid": row_guid, "cells": cells_json(row)});
    format!("{v}\n")
}

fn sm3_of_lines<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    use sm3::{Digest, Sm3};
    let mut h = Sm3::new();
    for l in lines {
        h.update(l.as_bytes());
    }
    hex::encode(h.finalize())
}

/// What the sender fills in; the rows, tables and digests are computed.
#[derive(Debug, Clone)]
pub struct Header {
    pub installation: String,
    pub name: String,
    pub seq: i64,
    pub from: i64,
    pub to: i64,
    pub created_at_ms: i64,
    pub key: String,
}

/// The bytes to sign (the manifest line and every row line) and the manifest.
pub fn encode(header: &Header, rows: &[PackageRow]) -> (Vec<u8>, Manifest) {
    let lines: Vec<(Table, String)> = rows.iter().map(|r| (r.row.table, row_line(&r.row_guid, &r.row))).collect();
    let mut tables = vec![];
    for t in Table::ALL {
        let mine: Vec<&str> = lines.iter().filter(|(x, _)| *x == *t).map(|(_, l)| l.as_str()).collect();
        if !mine.is_empty() {
            tables.push(TableDigest {
                table: t.code().to_string(),
                rows: mine.len() as u64,
                sm3: sm3_of_lines(mine.into_iter()),
            });
        }
    }
    let manifest = Manifest {
        format: FORMAT.to_string(),
        installation: header.installation.clone(),
        name: header.name.clone(),
        seq: header.seq,
        from: header.from,
        to: header.to,
        created_at: crate::time::format_rfc3339(header.created_at_ms),
        rows: rows.len() as u64,
        tables,
        key: header.key.clone(),
    };
    let mut out = serde_json::to_string(&manifest).expect("a manifest serialises");
    out.push('\n');
    for (_, l) in &lines {
        out.push_str(l);
    }
    (out.into_bytes(), manifest)
}

/// The signed bytes followed by the signature line: the whole file.
pub fn seal(signed: Vec<u8>, signature: &[u8]) -> Vec<u8> {
    let mut out = signed;
    out.extend_from_slice(format!("{}\n", serde_json::json!({"sm2_signature": hex::encode(signature)})).as_bytes());
    out
}

/// Why a file is not a package that can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformed {
    /// Not UTF-8 text, or no line at all.
    NotText,
    /// The first line is not a manifest of this format.
    Manifest(String),
    /// The last line is not the signature: the file was cut short.
    Truncated,
    /// Line `n` (1-based) is not a valid row: why.
    Row(usize, String),
}

impl Malformed {
    /// The detail of the `package_malformed` error.
    pub fn detail(&self) -> String {
        match self {
            Malformed::NotText => "not_text".into(),
            Malformed::Manifest(_) => "manifest".into(),
            Malformed::Truncated => "truncated".into(),
            Malformed::Row(n, why) => format!("第 {n} 行：{why}"),
        }
    }
}

#[derive(Deserialize)]
struct RowLine {
    table: String,
    row_guid: String,
    cells: Map<String, Value>,
}

#[derive(Deserialize)]
struct SignatureLine {
    sm2_signature: String,
}

fn cell_of(table: Table, name: &str, v: &Value) -> Result<(&'static str, Cell), String> {
    let col = table
        .columns()
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("{name} 不是 {} 的字段", table.code()))?;
    let cell = match (col.ty, v) {
        (_, Value::Null) => Cell::Null,
        (ColType::Varchar(_) | ColType::LongText, Value::String(s)) => Cell::Text(s.clone()),
        (ColType::Int, Value::Number(n)) => Cell::Int(n.as_i64().ok_or_else(|| format!("{name} 不是整数"))?),
        (ColType::Datetime, Value::String(s)) => Cell::Time(
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                .map_err(|_| format!("{name} 不是“年-月-日 时:分:秒”格式的时间"))?,
        ),
        _ => return Err(format!("{name}（{}）的值类型不是 {}", col.comment, col.ty.mysql())),
    };
    Ok((col.name, cell))
}

/// A row's columns as JSON text (how an imported row waits in the outbox).
pub fn cells_text(row: &FrontRow) -> String {
    cells_json(row).to_string()
}

/// The row of `table` whose columns [`cells_text`] wrote; checked against
/// the table (the error names the column).
pub fn row_from_cells(table: Table, text: &str) -> Result<FrontRow, String> {
    let row = cells_row(table, text)?;
    check_row(&row)?;
    Ok(row)
}

/// The 办件编号 (`project_no`) among the columns [`cells_text`] wrote.
pub fn project_no(text: &str) -> Option<String> {
    let m: Map<String, Value> = serde_json::from_str(text).ok()?;
    m.get("project_no").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The row of `table` whose columns [`cells_text`] wrote, not checked
/// against the columns' lengths (a row to be corrected).
pub fn cells_row(table: Table, text: &str) -> Result<FrontRow, String> {
    let m: Map<String, Value> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let cells = m.iter().map(|(k, v)| cell_of(table, k, v)).collect::<Result<Vec<_>, _>>()?;
    Ok(FrontRow { table, sub: 0, cells })
}

/// Reads a package. Checks its shape and every row against its national
/// table; the signature and the digests are checked by [`verify_digests`]
/// and by the application (which holds the keys).
pub fn parse(bytes: &[u8]) -> Result<Package, Malformed> {
    let text = std::str::from_utf8(bytes).map_err(|_| Malformed::NotText)?;
    if text.is_empty() {
        return Err(Malformed::NotText);
    }
    if !text.ends_with('\n') {
        return Err(Malformed::Truncated);
    }
    let body = &text[..text.len() - 1];
    let (signed_part, last) = match body.rfind('\n') {
        Some(i) => (&text[..=i], &body[i + 1..]),
        None => return Err(Malformed::Truncated),
    };
    let first = signed_part.split('\n').next().unwrap_or_default();
    let manifest: Manifest = match serde_json::from_str::<Manifest>(first) {
        Ok(m) if m.format == FORMAT => m,
        Ok(m) => return Err(Malformed::Manifest(format!("format {}", m.format))),
        Err(e) => return Err(Malformed::Manifest(e.to_string())),
    };
    let sig: SignatureLine = serde_json::from_str(last).map_err(|_| Malformed::Truncated)?;
    let signature = hex::decode(sig.sm2_signature.trim()).map_err(|_| Malformed::Truncated)?;
    if signature.len() != 64 {
        return Err(Malformed::Truncated);
    }
    let mut rows = vec![];
    let mut seen = std::collections::HashSet::new();
    for (i, line) in signed_part.split('\n').enumerate().skip(1) {
        if line.is_empty() {
            continue; // after the last line feed
        }
        let n = i + 1;
        let r: RowLine = serde_json::from_str(line).map_err(|e| Malformed::Row(n, e.to_string()))?;
        let table = Table::parse(&r.table).ok_or_else(|| Malformed::Row(n, format!("没有国家表 {}", r.table)))?;
        if r.row_guid.trim().is_empty() || r.row_guid.chars().count() > 50 {
            return Err(Malformed::Row(n, "row_guid 应为 1 至 50 个字符".into()));
        }
        if !seen.insert(r.row_guid.clone()) {
            return Err(Malformed::Row(n, format!("row_guid {} 重复", r.row_guid)));
        }
        let mut cells = vec![];
        for (k, v) in &r.cells {
            cells.push(cell_of(table, k, v).map_err(|e| Malformed::Row(n, e))?);
        }
        let row = FrontRow { table, sub: 0, cells };
        check_row(&row).map_err(|e| Malformed::Row(n, e))?;
        rows.push(PackageRow { row_guid: r.row_guid, row });
    }
    Ok(Package { manifest, rows, signed: signed_part.as_bytes().to_vec(), signature })
}

/// Whether the rows are those the manifest lists: the count and, per
/// table, the rows and the SM3 of their lines. The error names the table.
pub fn verify_digests(p: &Package) -> Result<(), String> {
    let text = std::str::from_utf8(&p.signed).map_err(|_| "text".to_string())?;
    let mut by_table: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut lines = text.split_inclusive('\n');
    lines.next();
    for l in lines {
        let table = serde_json::from_str::<RowLine>(l).map(|r| r.table).unwrap_or_default();
        by_table.entry(table).or_default().push(l);
    }
    if p.manifest.rows != p.rows.len() as u64 {
        return Err(format!("rows {} ≠ {}", p.manifest.rows, p.rows.len()));
    }
    let listed: Vec<&str> = p.manifest.tables.iter().map(|t| t.table.as_str()).collect();
    if let Some(t) = by_table.keys().find(|t| !listed.contains(&t.as_str())) {
        return Err(t.clone());
    }
    for t in &p.manifest.tables {
        let lines = by_table.get(&t.table).cloned().unwrap_or_default();
        if lines.len() as u64 != t.rows || sm3_of_lines(lines.into_iter()) != t.sm3 {
            return Err(t.table.clone());
        }
    }
    Ok(())
}

/// Where a package's range falls against what was imported from its sender
/// (`next_from`: the end of the last package imported, the sender's
/// starting point before the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// It begins where the last one ended (or before, and goes further:
    /// its rows already imported are recognised by their row_guid).
    Continues,
    /// It ends where the imported ones reach or before: an old package.
    Replayed,
    /// It begins after the last one ended: the packages between are missing.
    Gap,
}

pub fn placement(next_from: i64, from: i64, to: i64) -> Placement {
    if to <= next_from {
        Placement::Replayed
    } else if from > next_from {
        Placement::Gap
    } else {
        Placement::Continues
    }
}

/// An installation's code: 1 to 10 letters, digits or `_` (the prefix of
/// its row_guids, usually its region code).
pub fn valid_installation_code(code: &str) -> bool {
    (1..=10).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<PackageRow> {
        let t = chrono::NaiveDate::from_ymd_opt(2025, 6, 3).unwrap().and_hms_opt(9, 30, 0).unwrap();
        vec![
            PackageRow {
                row_guid: "520221-7-0".into(),
                row: FrontRow {
                    table: Table::ProProcess,
                    sub: 0,
                    cells: vec![
                        ("event_end_time", Cell::Time(t)),
                        ("event_name", Cell::text("1")),
                        ("event_start_time", Cell::Time(t)),
                        ("handle_explain", Cell::text("同意\n\"引号\"")),
                        ("handle_user_name", Cell::text("王五")),
                        ("process_name", Cell::text("审查")),
                        ("project_no", Cell::text("P1")),
                        ("remark", Cell::Null),
                    ],
                },
            },
            PackageRow {
                row_guid: "520221-8-0".into(),
                row: FrontRow {
                    table: Table::ProMaterial,
                    sub: 0,
                    cells: vec![("material_name", Cell::text("申请书")), ("project_no", Cell::text("P1"))],
                },
            },
        ]
    }

    fn header() -> Header {
        Header {
            installation: "520221".into(),
            name: "六枝特区".into(),
            seq: 2,
            from: 6,
            to: 8,
            created_at_ms: 1_748_914_200_000,
            key: "ab".repeat(32),
        }
    }

    #[test]
    fn a_package_reads_back_as_written() {
        let (signed, m) = encode(&header(), &rows());
        assert_eq!(m.rows, 2);
        assert_eq!(m.tables.len(), 2);
        let file = seal(signed.clone(), &[7u8; 64]);
        let p = parse(&file).unwrap();
        assert_eq!(p.manifest, m);
        assert_eq!(p.signed, signed);
        assert_eq!(p.signature, vec![7u8; 64]);
        assert_eq!(p.rows.len(), 2);
        let a: Vec<_> = p.rows[0].row.cells.iter().filter(|c| c.1 != Cell::Null).cloned().collect();
        let mut b: Vec<_> = rows()[0].row.cells.iter().filter(|c| c.1 != Cell::Null).cloned().collect();
        b.sort_by_key(|c| c.0);
        assert_eq!(a, b);
        assert_eq!(verify_digests(&p), Ok(()));
        let again = row_from_cells(Table::ProProcess, &cells_text(&p.rows[0].row)).unwrap();
        assert_eq!(again, p.rows[0].row);
    }

    #[test]
    fn a_changed_row_or_a_cut_file_is_noticed() {
        let (signed, _) = encode(&header(), &rows());
        let file = seal(signed, &[7u8; 64]);
        let text = String::from_utf8(file.clone()).unwrap();
        let changed = text.replace("王五", "王六");
        let p = parse(changed.as_bytes()).unwrap();
        assert_eq!(verify_digests(&p), Err("up_pro_process".into()));
        assert_eq!(parse(&file[..file.len() - 10]).unwrap_err(), Malformed::Truncated);
        let no_sig = text.rsplit_once("{\"sm2").unwrap().0;
        assert_eq!(parse(no_sig.as_bytes()).unwrap_err(), Malformed::Truncated);
        assert!(matches!(parse(b"hello\n{}\n").unwrap_err(), Malformed::Manifest(_)));
        let bad = text.replace("\"申请书\"", "\"申请书\",\"nope\":\"x\"");
        assert!(matches!(parse(bad.as_bytes()).unwrap_err(), Malformed::Row(3, e) if e.contains("nope")));
    }

    #[test]
    fn ranges_continue_or_are_replayed_or_leave_a_gap() {
        assert_eq!(placement(0, 0, 10), Placement::Continues);
        assert_eq!(placement(10, 10, 20), Placement::Continues);
        assert_eq!(placement(15, 10, 20), Placement::Continues, "overlapping: the new rows count");
        assert_eq!(placement(20, 10, 20), Placement::Replayed);
        assert_eq!(placement(20, 0, 5), Placement::Replayed);
        assert_eq!(placement(10, 11, 20), Placement::Gap);
    }

    #[test]
    fn installation_codes() {
        assert!(valid_installation_code("520221"));
        assert!(!valid_installation_code(""));
        assert!(!valid_installation_code("52-0221"));
        assert!(!valid_installation_code("12345678901"));
    }
}
