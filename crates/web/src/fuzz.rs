//! Entry points for the property-based fuzz harness (`crates/web/tests/fuzz_readers.rs`,
//! run at length by `scripts/fuzz.sh`) and a builder of workbooks from raw XML, so tests
//! can make the hostile files they need instead of keeping binaries in the repository.
//! Not used by the application itself.

use crate::api::sites_io::{Format, read_rows};
use crate::i18n::{Lang, Tr};
use std::io::Write;

/// Reads a sites import file as the import does (CSV, or XLSX when `xlsx`): the number
/// of rows, or the messages of the problems.
pub fn sites_import(bytes: &[u8], xlsx: bool) -> Result<usize, Vec<String>> {
    let format = if xlsx { Format::Xlsx } else { Format::Csv };
    read_rows(bytes, format, Tr(Lang::Vi))
}

/// The XLSX limits check alone: None when the workbook passes, else the message.
pub fn xlsx_limits(bytes: &[u8]) -> Option<String> {
    crate::file_limits::check_xlsx(bytes)
        .err()
        .map(|r| crate::file_limits::sheet_refusal_text(&r, Tr(Lang::Vi)))
}

/// The text check of query strings and form bodies.
pub fn urlencoded_ok(bytes: &[u8]) -> bool {
    crate::input_text::check_urlencoded(bytes).is_ok()
}

/// The text check of JSON bodies: the forbidden character found, if any.
pub fn json_control(bytes: &[u8]) -> Option<char> {
    crate::input_text::json_control(bytes)
}

/// A minimal workbook whose first worksheet is `sheet_xml` (the whole
/// `xl/worksheets/sheet1.xml`), with `xl/sharedStrings.xml` when given. Deflated, as
/// Excel writes them.
pub fn workbook(sheet_xml: &str, shared_strings_xml: Option<&str>) -> Vec<u8> {
    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut parts = vec![
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ];
    if let Some(s) = shared_strings_xml {
        parts.push(("xl/sharedStrings.xml", s));
    }
    for (name, text) in parts {
        // Writing into memory cannot fail.
        let _ = zip.start_file(name, opts);
        let _ = zip.write_all(text.as_bytes());
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

/// The opening of a worksheet part, to be followed by rows and [`SHEET_END`].
pub const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
/// The end of a worksheet part.
pub const SHEET_END: &str = "</sheetData></worksheet>";

/// An inline-string cell.
pub fn text_cell(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The header row of a sites import (row 1, columns A to E).
pub fn import_header_row() -> String {
    let cells: String = ["kind", "name", "unit", "lat", "lon"]
        .iter()
        .zip(["A1", "B1", "C1", "D1", "E1"])
        .map(|(h, r)| text_cell(r, h))
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}
