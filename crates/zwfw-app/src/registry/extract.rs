//! Reading an extract of the 人口库 / 法人库: an Excel workbook (each sheet
//! one kind of record, told by its headers), a CSV file (UTF-8 or GB18030,
//! as Excel writes it) or JSON (`{"persons": [...], "companies": [...]}`).
//! Every bad cell is named (sheet, row, column and what is wrong); a number
//! twice in one extract is an error on its second row.

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use std::collections::HashMap;
use zwfw_domain::registry::{check_record, kind_of_headers, Field, Record, RecordKind};

/// The formats an extract comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Json,
}

impl Format {
    /// The format of a file by its name, else by its first bytes.
    pub fn of(file_name: &str, bytes: &[u8]) -> Option<Format> {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(Format::Xlsx)
        } else if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'{') {
            Some(Format::Json)
        } else {
            None
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// One bad cell (or sheet) of an imported file (an extract of the
/// registry, a file of existing licences), or a warning about one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ImportCellError)]
pub struct CellError {
    /// The sheet (xlsx), the JSON list (`persons`, `companies`,
    /// `up_lic_data`), or empty (CSV).
    pub sheet: String,
    /// The row: the Excel or CSV line number (the header is row 1), or the
    /// 1-based position in the JSON list; 0 for the file as a whole.
    pub row: usize,
    /// The column: its letter and header (`B 公民身份号码`), or the JSON key.
    pub column: String,
    /// A stable code. Registry: `registry_field`, `invalid_resident_id`,
    /// `invalid_credit_code`, `registry_duplicate`, `registry_no_columns`,
    /// `registry_unreadable`. Licences: `license_import_field`,
    /// `invalid_license_id`, `invalid_license_type_code`,
    /// `invalid_credit_code`, `invalid_resident_id`,
    /// `license_import_duplicate`, `license_import_exists`,
    /// `license_import_unknown_type`, `license_import_unknown_issuer`,
    /// `license_import_no_key`, `license_import_holder_kind`,
    /// `license_import_no_columns`, `license_import_unreadable`, and the
    /// warning `license_check_mismatch`.
    pub code: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl CellError {
    pub(crate) fn file(code: &str, detail: Option<&str>) -> CellError {
        CellError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            code: code.into(),
            message: crate::messages::error_text(code, detail),
        }
    }
}

/// Where a record was in its extract: for a number given twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub sheet: String,
    pub row: usize,
    /// The column of the record's number.
    pub column: String,
}

type Out = Vec<(Place, Record)>;

/// The Excel letter of a 0-based column.
pub(crate) fn column_letter(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (i % 26) as u8) as char);
        if i < 26 {
            return s;
        }
        i = i / 26 - 1;
    }
}

/// Reads a table (a sheet, or a CSV file): its first row names the columns.
/// `rows` are (row number, cells).
fn read_table(sheet: &str, rows: Vec<(usize, Vec<String>)>, out: &mut Out, errors: &mut Vec<CellError>) {
    let mut rows = rows.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = rows.next() else { return };
    let fields: Vec<Option<Field>> = header.iter().map(|h| Field::from_header(h)).collect();
    let Some(kind) = kind_of_headers(&fields) else {
        errors.push(CellError { sheet: sheet.into(), row: 1, ..CellError::file("registry_no_columns", None) });
        return;
    };
    let column_of = |f: Field| fields.iter().position(|x| *x == Some(f));
    let name_of = |f: Field| match column_of(f) {
        Some(i) => format!("{} {}", column_letter(i), header[i].trim()),
        None => f.header().to_string(),
    };
    for (row, cells) in rows {
        let get = |f: Field| column_of(f).and_then(|i| cells.get(i)).cloned().unwrap_or_default();
        take(kind, &get, sheet, row, &name_of, out, errors);
    }
}

/// Checks one record and keeps it, or names its every bad cell.
fn take(
    kind: RecordKind,
    get: &dyn Fn(Field) -> String,
    sheet: &str,
    row: usize,
    name_of: &dyn Fn(Field) -> String,
    out: &mut Out,
    errors: &mut Vec<CellError>,
) {
    match check_record(kind, get) {
        Ok(r) => {
            let number = if kind == RecordKind::Person { Field::IdNumber } else { Field::CreditCode };
            out.push((Place { sheet: sheet.into(), row, column: name_of(number) }, r))
        }
        Err(problems) => errors.extend(problems.into_iter().map(|p| CellError {
            sheet: sheet.into(),
            row,
            column: name_of(p.field),
            code: p.code.into(),
            message: crate::messages::error_text(p.code, Some(p.detail)),
        })),
    }
}

/// A cell as text: whole numbers without a fraction, a date cell as
/// `YYYY-MM-DD`.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        Data::DateTime(t) if !t.is_duration() => {
            // Excel's day count (1900 system) from 1899-12-30.
            let day = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|d| d.checked_add_signed(chrono::Duration::days(t.as_f64().floor() as i64)));
            day.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
        }
        other => other.to_string(),
    }
}

/// A table of numbered rows (the header is row 1).
pub(crate) type Rows = Vec<(usize, Vec<String>)>;

/// The sheets of a workbook, each with its numbered rows of text; `Err`
/// with the sheet's name (empty: the whole file) that cannot be read.
pub(crate) fn xlsx_sheets(bytes: &[u8]) -> Vec<Result<(String, Rows), String>> {
    let Ok(mut wb) = Xlsx::new(std::io::Cursor::new(bytes)) else { return vec![Err(String::new())] };
    let mut out = vec![];
    for name in wb.sheet_names() {
        let Ok(range) = wb.worksheet_range(&name) else {
            out.push(Err(name));
            continue;
        };
        let start = range.start().map(|(r, _)| r as usize).unwrap_or(0);
        let rows = range.rows().enumerate().map(|(i, r)| (start + i + 1, r.iter().map(cell_text).collect())).collect();
        out.push(Ok((name, rows)));
    }
    out
}

/// Whether the first non-empty row of `rows` has a header `recognised`
/// (a sheet of notes is passed over).
pub(crate) fn has_header(rows: &Rows, recognised: impl Fn(&str) -> bool) -> bool {
    rows.iter()
        .find(|(_, c)| c.iter().any(|x| !x.trim().is_empty()))
        .is_some_and(|(_, c)| c.iter().any(|h| recognised(h)))
}

fn read_xlsx(bytes: &[u8], out: &mut Out, errors: &mut Vec<CellError>) {
    for sheet in xlsx_sheets(bytes) {
        match sheet {
            Ok((name, rows)) => {
                if has_header(&rows, |h| Field::from_header(h).is_some()) {
                    read_table(&name, rows, out, errors);
                }
            }
            Err(name) => errors.push(CellError { sheet: name, ..CellError::file("registry_unreadable", Some("xlsx")) }),
        }
    }
}

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF) into
/// numbered rows.
fn csv_rows(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut rows = vec![];
    let (mut row, mut field, mut quoted, mut line, mut start) = (vec![], String::new(), false, 1usize, 1usize);
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push((start, std::mem::take(&mut row)));
                line += 1;
                start = line;
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((start, row));
    }
    rows
}

/// The numbered rows of a CSV file in UTF-8 or GB18030 (as Excel writes
/// it); `None` when it is neither.
pub(crate) fn csv_table(bytes: &[u8]) -> Option<Rows> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return None;
            }
            t.into_owned()
        }
    };
    Some(csv_rows(&text))
}

fn read_csv(bytes: &[u8], out: &mut Out, errors: &mut Vec<CellError>) {
    match csv_table(bytes) {
        Some(rows) => read_table("", rows, out, errors),
        None => errors.push(CellError::file("registry_unreadable", Some("encoding"))),
    }
}

fn read_json(bytes: &[u8], out: &mut Out, errors: &mut Vec<CellError>) {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return errors.push(CellError::file("registry_unreadable", Some("json")));
    };
    for (key, kind) in [("persons", RecordKind::Person), ("companies", RecordKind::Company)] {
        let Some(list) = top.get(key) else { continue };
        let Some(list) = list.as_array() else {
            errors.push(CellError { sheet: key.into(), ..CellError::file("registry_unreadable", Some("json")) });
            continue;
        };
        for (i, v) in list.iter().enumerate() {
            let get = |f: Field| match v.get(f.key()) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            take(kind, &get, key, i + 1, &|f: Field| f.key().to_string(), out, errors);
        }
    }
    if !top.contains_key("persons") && !top.contains_key("companies") {
        errors.push(CellError::file("registry_no_columns", None));
    }
}

/// The records of an extract, or every problem in it. An extract with no
/// record at all is an error too.
pub fn read(format: Format, bytes: &[u8]) -> Result<Out, Vec<CellError>> {
    let (mut out, mut errors) = (vec![], vec![]);
    match format {
        Format::Xlsx => read_xlsx(bytes, &mut out, &mut errors),
        Format::Csv => read_csv(bytes, &mut out, &mut errors),
        Format::Json => read_json(bytes, &mut out, &mut errors),
    }
    if out.is_empty() && errors.is_empty() {
        return Err(vec![CellError::file("registry_empty", None)]);
    }
    // A number twice in one extract: which of the two is right is not known.
    let mut first: HashMap<&str, &Place> = HashMap::new();
    for (place, r) in &out {
        match first.get(r.number()) {
            Some(p) => errors.push(CellError {
                sheet: place.sheet.clone(),
                row: place.row,
                column: place.column.clone(),
                code: "registry_duplicate".into(),
                message: crate::messages::error_text("registry_duplicate", Some(&p.row.to_string())),
            }),
            None => {
                first.insert(r.number(), place);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_and_line_breaks() {
        let rows = csv_rows("\u{feff}a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n");
        assert_eq!(
            rows,
            vec![
                (1, vec!["a".to_string(), "b".to_string()]),
                (2, vec!["x,1".to_string(), "say \"hi\"".to_string()]),
                (3, vec!["two\nlines".to_string(), "z".to_string()]),
            ]
        );
    }

    #[test]
    fn columns_are_lettered_like_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn every_bad_cell_is_named() {
        let csv = "姓名,公民身份号码,住址\n张三,11010519491231002X,示例路1号\n,110105194912310021,\n";
        let e = read(Format::Csv, csv.as_bytes()).unwrap_err();
        let got: Vec<_> = e.iter().map(|e| (e.row, e.column.as_str(), e.code.as_str())).collect();
        assert_eq!(got, vec![(3, "A 姓名", "registry_field"), (3, "B 公民身份号码", "invalid_resident_id")]);
        assert!(e[1].message.contains("校验位"), "{}", e[1].message);
        let gbk = encoding_rs::GB18030.encode("姓名,身份证号\n张三,11010519491231002X\n").0;
        assert_eq!(read(Format::Csv, &gbk).unwrap().len(), 1);
        let twice = "姓名,身份证号\n张三,11010519491231002X\n李四,11010519491231002x\n";
        let e = read(Format::Csv, twice.as_bytes()).unwrap_err();
        assert_eq!((e[0].row, e[0].column.as_str(), e[0].code.as_str()), (3, "B 身份证号", "registry_duplicate"));
        assert!(e[0].message.contains("第2行"), "{}", e[0].message);
        let e =
            read(Format::Json, br#"{"companies":[{"name":"x","credit_code":"1","legal_rep":"y","status":"active"}]}"#)
                .unwrap_err();
        assert_eq!((e[0].sheet.as_str(), e[0].row, e[0].column.as_str()), ("companies", 1, "credit_code"));
        assert_eq!(read(Format::Csv, b"a,b\n1,2\n").unwrap_err()[0].code, "registry_no_columns");
        assert_eq!(read(Format::Json, b"{\"persons\": []}").unwrap_err()[0].code, "registry_empty");
    }
}
