//! Reading an import file into rows of (line, field → text), whatever its format, so CSV
//! and XLSX go through one validation path. A line is the line of a CSV file or the row
//! number Excel shows; a field is an import column's API name (the header may be that
//! name or the Vietnamese header the export writes).
//!
//! XLSX cells are typed: a number, a date or a boolean is turned back into the text a
//! CSV would hold (`cell_text`), so a unit code Excel stored as 23293.0 reads "23293" and
//! a date cell reads 2024-03-01.

use super::{EXPORT_ONLY, IMPORT_COLUMNS, MAX_IMPORT_ROWS};
use crate::file_limits;
use crate::i18n::Tr;
use calamine::{Data, ExcelDateTime, ExcelDateTimeType, Reader, Xlsx};
use chrono::NaiveDate;
use diaban_domain::text::forbidden_control;

/// The formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// UTF-8 text, comma-separated, header row first.
    Csv,
    /// An Excel workbook (Office Open XML); only the first worksheet is read.
    Xlsx,
}

/// The media type of XLSX files.
pub(crate) const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// An XLSX file is a ZIP archive.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The old binary Excel format (and other OLE compound files).
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

impl Format {
    /// XLSX when the body is a ZIP archive, is labelled as XLSX or is named `.xlsx`;
    /// CSV otherwise. A body labelled XLSX that is not one is then refused as such.
    pub(crate) fn detect(content_type: Option<&str>, file_name: Option<&str>, body: &[u8]) -> Format {
        let labelled = content_type.is_some_and(|c| c.trim().to_ascii_lowercase().starts_with(XLSX_MIME));
        let named = file_name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".xlsx"));
        if body.starts_with(ZIP_MAGIC) || labelled || named { Format::Xlsx } else { Format::Csv }
    }
}

/// Something wrong in the file: with a line, a field, or neither (the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The line (CSV) or row (XLSX); None for the whole file.
    pub line: Option<usize>,
    /// The import column at fault, when one is.
    pub field: Option<&'static str>,
    /// What is wrong, in the user's language.
    pub message: String,
}

impl Problem {
    pub(crate) fn file(message: impl Into<String>) -> Problem {
        Problem { line: None, field: None, message: message.into() }
    }
    pub(crate) fn at(line: usize, field: Option<&'static str>, message: impl Into<String>) -> Problem {
        Problem { line: Some(line), field, message: message.into() }
    }
}

/// One data row: its line and the text of each import column present in the file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    pub line: usize,
    pub fields: Vec<(&'static str, String)>,
    /// Cells that could not be read at all (a formula error, a control character), by
    /// field, with the message saying why.
    pub bad_cells: Vec<(&'static str, String)>,
}

impl Row {
    /// The text of a field, empty when the column is absent.
    pub(crate) fn get(&self, key: &str) -> &str {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

/// Reads the rows of a file; the problems that stop it from being read at all otherwise.
pub(crate) fn read(body: &[u8], format: Format, tr: Tr) -> Result<Vec<Row>, Vec<Problem>> {
    if body.starts_with(OLE_MAGIC) {
        return Err(vec![Problem::file(tr.t("sites_io.xls"))]);
    }
    match format {
        Format::Csv => read_csv(body, tr),
        Format::Xlsx => {
            // Refused from what the file declares before calamine builds anything.
            if body.starts_with(ZIP_MAGIC)
                && let Err(r) = file_limits::check_xlsx(body)
            {
                return Err(vec![Problem::file(file_limits::sheet_refusal_text(&r, tr))]);
            }
            read_xlsx(body, tr)
        }
    }
}

fn read_csv(body: &[u8], tr: Tr) -> Result<Vec<Row>, Vec<Problem>> {
    let text = file_limits::utf8_text(body, tr).map_err(|m| vec![Problem::file(m)])?;
    if let Some((line, c)) = file_limits::first_control_line(text) {
        return Err(vec![Problem::at(line, None, file_limits::control_text(c, tr))]);
    }
    if text.trim().is_empty() {
        return Err(vec![Problem::file(tr.t("sites_io.no_rows"))]);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(vec![Problem::at(1, None, e.to_string())]),
        None => return Err(vec![Problem::file(tr.t("sites_io.no_rows"))]),
    };
    let header_line = header.position().map_or(1, |p| p.line() as usize);
    let names: Vec<String> = header.iter().map(str::to_owned).collect();
    let columns = map_header(&names, header_line, tr)?;
    let mut rows = Vec::new();
    for rec in records {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                // Bounded before anything is kept: a line of commas is many empty fields.
                if r.len() > file_limits::MAX_CSV_FIELDS {
                    let m = tr
                        .t("limits.too_many_fields")
                        .replace("{line}", &line.to_string())
                        .replace("{max}", &file_limits::MAX_CSV_FIELDS.to_string());
                    return Err(vec![Problem::at(line, None, m)]);
                }
                if rows.len() as u64 >= file_limits::MAX_SHEET_ROWS {
                    let m = tr
                        .t("limits.too_many_lines")
                        .replace("{max}", &tr.num(file_limits::MAX_SHEET_ROWS as i64));
                    return Err(vec![Problem::file(m)]);
                }
                rows.push((line, r.iter().map(|c| Ok(c.to_owned())).collect()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Err(vec![Problem::at(line, None, e.to_string())]);
            }
        }
    }
    build_rows(&columns, header_line, rows.into_iter(), tr)
}

fn read_xlsx(body: &[u8], tr: Tr) -> Result<Vec<Row>, Vec<Problem>> {
    let not_xlsx = |e: &dyn std::fmt::Display| {
        tracing::debug!(error = %e, "unreadable XLSX import");
        vec![Problem::file(tr.t("sites_io.not_xlsx"))]
    };
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).map_err(|e| not_xlsx(&e))?;
    let range = match book.worksheet_range_at(0) {
        None => return Err(vec![Problem::file(tr.t("sites_io.empty_sheet"))]),
        Some(Err(e)) => return Err(not_xlsx(&e)),
        Some(Ok(r)) => r,
    };
    let Some((top, left)) = range.start() else {
        return Err(vec![Problem::file(tr.t("sites_io.empty_sheet"))]);
    };
    let top = top as usize + 1;
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(vec![Problem::file(tr.t("sites_io.empty_sheet"))]);
    };
    // A header cell may be a number or a formula error: only its text matters here.
    let names: Vec<String> = header.iter().map(|c| cell_text(c, None).unwrap_or_default()).collect();
    let columns = map_header_at(&names, top, left as usize, tr)?;
    let records = rows.enumerate().map(|(i, cells)| {
        let line = top + 1 + i;
        let texts = cells
            .iter()
            .enumerate()
            .map(|(c, cell)| cell_text(cell, columns.get(c).copied().flatten()))
            .collect();
        (line, texts)
    });
    build_rows_at(&columns, top, left as usize, records, tr)
}

/// Excel's name of a column (0 → A, 26 → AA).
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Compares headers without regard to case, surrounding space, a BOM or doubled spaces.
fn normalise_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The import column a header names: its API name, the Vietnamese header, or the
/// export's name of the same field.
pub(crate) fn column_of(header: &str) -> Option<&'static str> {
    let h = normalise_header(header);
    for c in &IMPORT_COLUMNS {
        if h == c.key || h == normalise_header(c.header_vi) || c.export_key.is_some_and(|k| h == k) {
            return Some(c.key);
        }
    }
    None
}

fn map_header(names: &[String], line: usize, tr: Tr) -> Result<Vec<Option<&'static str>>, Vec<Problem>> {
    map_header_at(names, line, 0, tr)
}

/// Maps each header to its import column (None for a blank header); refuses unknown,
/// export-only, repeated and missing required columns, naming them all.
fn map_header_at(
    names: &[String],
    line: usize,
    left: usize,
    tr: Tr,
) -> Result<Vec<Option<&'static str>>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut columns = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let shown = name.trim().trim_start_matches('\u{feff}');
        if let Some(c) = forbidden_control(shown) {
            problems.push(Problem::at(line, None, file_limits::control_text(c, tr)));
            columns.push(None);
            continue;
        }
        if shown.is_empty() {
            columns.push(None);
            continue;
        }
        let col = column_of(shown);
        if col.is_none() {
            let h = normalise_header(shown);
            if EXPORT_ONLY.iter().any(|(k, vi, _)| h == *k || h == normalise_header(vi)) {
                let m = tr.t("sites_io.export_only_column").replace("{col}", &format!("\"{shown}\""));
                problems.push(Problem::at(line, None, m));
            } else {
                unknown.push(format!("\"{shown}\" ({})", column_letter(left + i)));
            }
        } else if columns.contains(&col) {
            let m = tr.t("sites_io.duplicate_column").replace("{col}", &format!("\"{shown}\""));
            problems.push(Problem::at(line, None, m));
        }
        columns.push(col);
    }
    if !unknown.is_empty() {
        let expected: Vec<&str> = IMPORT_COLUMNS.iter().map(|c| c.key).collect();
        let m = tr
            .t("sites_io.unknown_columns")
            .replace("{cols}", &unknown.join(", "))
            .replace("{expected}", &expected.join(", "));
        problems.push(Problem::at(line, None, m));
    }
    let missing: Vec<&str> = IMPORT_COLUMNS
        .iter()
        .filter(|c| c.required && !columns.contains(&Some(c.key)))
        .map(|c| c.key)
        .collect();
    if !missing.is_empty() {
        problems.push(Problem::at(
            line,
            None,
            tr.t("sites_io.missing_columns").replace("{cols}", &missing.join(", ")),
        ));
    }
    if problems.is_empty() { Ok(columns) } else { Err(problems) }
}

fn build_rows(
    columns: &[Option<&'static str>],
    header_line: usize,
    records: impl Iterator<Item = (usize, Vec<Result<String, String>>)>,
    tr: Tr,
) -> Result<Vec<Row>, Vec<Problem>> {
    build_rows_at(columns, header_line, 0, records, tr)
}

/// Turns records (line, cell texts) into rows. Blank rows are skipped; a value under a
/// blank header or beyond the last header refuses the file (it would be lost silently).
fn build_rows_at(
    columns: &[Option<&'static str>],
    header_line: usize,
    left: usize,
    records: impl Iterator<Item = (usize, Vec<Result<String, String>>)>,
    tr: Tr,
) -> Result<Vec<Row>, Vec<Problem>> {
    let mut rows = Vec::new();
    let mut headless = Vec::new();
    for (line, cells) in records {
        let blank = cells.iter().all(|c| matches!(c, Ok(s) if s.trim().is_empty()));
        if blank {
            continue;
        }
        if rows.len() == MAX_IMPORT_ROWS {
            let m = tr.t("sites_io.too_many_rows").replace("{max}", &tr.num(MAX_IMPORT_ROWS as i64));
            return Err(vec![Problem::file(m)]);
        }
        let mut row = Row { line, ..Row::default() };
        for (i, cell) in cells.into_iter().enumerate() {
            match (columns.get(i).copied().flatten(), cell) {
                (Some(key), Ok(text)) => match forbidden_control(&text) {
                    Some(c) => row.bad_cells.push((key, file_limits::control_text(c, tr))),
                    None => row.fields.push((key, text.trim().to_owned())),
                },
                (Some(key), Err(e)) => {
                    row.bad_cells.push((key, tr.t("sites_io.cell_error").replace("{e}", &e)))
                }
                (None, Ok(text)) if text.trim().is_empty() => {}
                (None, _) => {
                    if !headless.contains(&i) {
                        headless.push(i);
                    }
                }
            }
        }
        rows.push(row);
    }
    if !headless.is_empty() {
        headless.sort_unstable();
        return Err(headless
            .into_iter()
            .map(|i| {
                let m = tr.t("sites_io.headerless_values").replace("{col}", &column_letter(left + i));
                Problem::at(header_line, None, m)
            })
            .collect());
    }
    if rows.is_empty() {
        return Err(vec![Problem::file(tr.t("sites_io.no_rows"))]);
    }
    Ok(rows)
}

/// The text of an XLSX cell as a CSV would hold it, for the import column `key`:
/// a whole number without its `.0` (a commune code stored as a number gets back its
/// leading zeros: 4 → 00004), a date cell (or a number in the date column `on`, which is
/// a date serial) as YYYY-MM-DD, a boolean as true/false. A formula error is an error
/// naming it.
pub(crate) fn cell_text(cell: &Data, key: Option<&str>) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Bool(b) => b.to_string(),
        Data::Int(n) => number_text(*n as f64, key),
        Data::Float(f) => number_text(*f, key),
        Data::DateTime(dt) if dt.is_datetime() => {
            excel_date(dt).unwrap_or_else(|| number_text(dt.as_f64(), None))
        }
        Data::DateTime(dt) => number_text(dt.as_f64(), None),
        Data::DateTimeIso(s) => match s.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        {
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => s.trim().to_owned(),
        },
        Data::DurationIso(s) => s.trim().to_owned(),
        Data::Error(e) => return Err(e.to_string()),
    })
}

fn number_text(f: f64, key: Option<&str>) -> String {
    let whole = f.fract() == 0.0 && f.abs() < 1e15;
    match key {
        Some("on") if f >= 1.0 => excel_date(&ExcelDateTime::new(f, ExcelDateTimeType::DateTime, false))
            .unwrap_or_else(|| f.to_string()),
        Some("unit") if whole && (0.0..100_000.0).contains(&f) => format!("{:05}", f as i64),
        _ if whole => format!("{}", f as i64),
        _ => f.to_string(),
    }
}

/// The calendar date of an Excel date serial (the time of day is dropped); None for
/// Excel's fictitious 29 February 1900 and values before 1900.
fn excel_date(dt: &ExcelDateTime) -> Option<String> {
    if dt.as_f64() < 1.0 {
        return None;
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use calamine::CellErrorType;

    #[test]
    fn whole_numbers_lose_their_fraction_and_unit_codes_their_lost_zeros() {
        assert_eq!(cell_text(&Data::Float(23293.0), Some("unit")).unwrap(), "23293");
        assert_eq!(cell_text(&Data::Float(4.0), Some("unit")).unwrap(), "00004");
        assert_eq!(cell_text(&Data::Int(23293), Some("unit")).unwrap(), "23293");
        assert_eq!(cell_text(&Data::Float(123456.0), Some("unit")).unwrap(), "123456");
        assert_eq!(cell_text(&Data::String(" 00004 ".into()), Some("unit")).unwrap(), "00004");
        assert_eq!(cell_text(&Data::Float(42.0), Some("business_ref")).unwrap(), "42");
        assert_eq!(cell_text(&Data::Float(14.355), Some("lat")).unwrap(), "14.355");
        assert_eq!(cell_text(&Data::Float(108.014_123), Some("lon")).unwrap(), "108.014123");
        assert_eq!(cell_text(&Data::Float(-3.5), None).unwrap(), "-3.5");
    }

    #[test]
    fn dates_read_as_iso_dates() {
        // 45352 is 1 March 2024 in Excel's 1900 system.
        let serial = ExcelDateTime::new(45352.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(serial), Some("on")).unwrap(), "2024-03-01");
        let with_time = ExcelDateTime::new(45352.75, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(with_time), Some("on")).unwrap(), "2024-03-01");
        // A plain number in the date column is a serial too.
        assert_eq!(cell_text(&Data::Float(45352.0), Some("on")).unwrap(), "2024-03-01");
        assert_eq!(cell_text(&Data::Int(45352), Some("on")).unwrap(), "2024-03-01");
        // The 1904 system (old Mac workbooks).
        let mac = ExcelDateTime::new(43890.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(cell_text(&Data::DateTime(mac), Some("on")).unwrap(), "2024-03-01");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2024-03-01T00:00:00".into()), Some("on")).unwrap(),
            "2024-03-01"
        );
        // Text is left to the validation, which reads dd/mm/yyyy too.
        assert_eq!(cell_text(&Data::String("01/03/2024".into()), Some("on")).unwrap(), "01/03/2024");
        // Excel's fictitious 29/02/1900 and nonsense serials stay numbers (and fail validation).
        assert_eq!(cell_text(&Data::Float(60.0), Some("on")).unwrap(), "60");
        assert_eq!(cell_text(&Data::Float(0.5), Some("on")).unwrap(), "0.5");
    }

    #[test]
    fn booleans_empties_and_errors() {
        assert_eq!(cell_text(&Data::Bool(true), Some("hot_spot")).unwrap(), "true");
        assert_eq!(cell_text(&Data::Empty, Some("name")).unwrap(), "");
        assert_eq!(cell_text(&Data::Error(CellErrorType::NA), Some("lat")).unwrap_err(), "#N/A");
    }

    #[test]
    fn format_is_detected_from_magic_type_or_name() {
        assert_eq!(Format::detect(None, None, b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(Format::detect(Some("text/csv"), None, b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(Format::detect(Some(XLSX_MIME), None, b"kind,name"), Format::Xlsx);
        assert_eq!(Format::detect(None, Some("Danh sach.XLSX"), b""), Format::Xlsx);
        assert_eq!(Format::detect(Some("text/csv; charset=utf-8"), Some("a.csv"), b"kind"), Format::Csv);
        assert_eq!(Format::detect(None, None, b"kind,name"), Format::Csv);
    }

    #[test]
    fn headers_accept_api_names_vietnamese_headers_and_export_names() {
        assert_eq!(column_of("unit"), Some("unit"));
        assert_eq!(column_of(" Mã  xã, PHƯỜNG "), Some("unit"));
        assert_eq!(column_of("unit_code"), Some("unit"));
        assert_eq!(column_of("state_since"), Some("on"));
        assert_eq!(column_of("Từ ngày"), Some("on"));
        assert_eq!(column_of("\u{feff}kind"), Some("kind"));
        assert_eq!(column_of("colour"), None);
        assert_eq!(column_of("id"), None);
    }

    #[test]
    fn csv_header_problems_are_named() {
        let tr = Tr(Lang::En);
        let err = read(b"kind,name,unit,lat,lon,colour,id,name\n", Format::Csv, tr).unwrap_err();
        let text: Vec<&str> = err.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(err.len(), 3, "{text:?}");
        assert!(text.iter().any(|m| m.contains("\"id\"") && m.contains("export")), "{text:?}");
        assert!(text.iter().any(|m| m.contains("\"name\"") && m.contains("twice")), "{text:?}");
        assert!(text.iter().any(|m| m.contains("\"colour\" (F)")), "{text:?}");
        let err = read(b"kind,name\npoint,X\n", Format::Csv, tr).unwrap_err();
        assert!(err[0].message.contains("unit, lat, lon"), "{err:?}");
        assert_eq!(err[0].line, Some(1));
    }

    #[test]
    fn csv_lines_count_blank_and_quoted_lines() {
        let tr = Tr(Lang::En);
        let text = "kind,name,unit,lat,lon,description\n\
                    point,A,23293,14.3,108.0,\"two\nlines\"\n\
                    \n\
                    ,,,,,\n\
                    point,B,23293,14.3,108.0,\n";
        let rows = read(text.as_bytes(), Format::Csv, tr).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 6]);
        assert_eq!(rows[0].get("description"), "two\nlines");
        assert_eq!(rows[1].get("note"), "");
        let err =
            read(b"kind,name,unit,lat,lon\npoint,A,23293,14.3,108.0,extra\n", Format::Csv, tr).unwrap_err();
        assert!(err[0].message.contains("Column F has values"), "{err:?}");
        assert_eq!(read(b"\xff\xfe", Format::Csv, tr).unwrap_err()[0].line, None);
        assert_eq!(read(b"kind,name,unit,lat,lon\n", Format::Csv, tr).unwrap_err()[0].line, None);
    }

    #[test]
    fn not_a_workbook_is_said_plainly() {
        let tr = Tr(Lang::En);
        let err = read(b"kind,name\n", Format::Xlsx, tr).unwrap_err();
        assert_eq!(err, vec![Problem::file(tr.t("sites_io.not_xlsx"))]);
        let err = read(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1....", Format::Csv, tr).unwrap_err();
        assert_eq!(err, vec![Problem::file(tr.t("sites_io.xls"))]);
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
