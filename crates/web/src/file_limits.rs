//! Limits on imported files, checked before a reader builds anything from them, and the
//! messages that name each refusal in the user's language. An XLSX workbook is a ZIP of
//! XML parts that calamine reads as given: a 1.5 KB sheet declaring a cell at XFD1048576
//! makes it allocate a dense grid of 17 billion cells, and a short shared string used by
//! many cells is copied into each. [`check_xlsx`] reads the container's directory, then
//! streams every part once (decompressing into nothing) and counts what the sheet would
//! become (its reach in rows and columns, its cells, the text its cells copy) so that
//! calamine only ever sees a workbook whose range is bounded. CSV files are bounded by
//! [`MAX_CSV_FIELDS`] per record and the row limits of each import.
//!
//! Memory per XLSX import is then at most about: the upload (10 MiB), the shared strings
//! (at most [`MAX_SHARED_STRING_BYTES`]), the dense range ([`MAX_SHEET_CELLS`] × 32 bytes,
//! 20 MiB) and the text copied into cells ([`MAX_CELL_TEXT_BYTES`]), twice for the rows
//! handed to validation: a bounded multiple of the upload limit, whatever the file says.

use crate::i18n::Tr;
use diaban_domain::attachment::human_size;
use diaban_domain::container::{self, ContainerLimits, ContainerRefusal};
use diaban_domain::text::code_point;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor, Read};

/// The container limits of an imported workbook (a 10 MiB upload of real data
/// decompresses to well under 64 MiB; XML compresses about ten times, not hundreds).
pub(crate) const XLSX_IMPORT: ContainerLimits = ContainerLimits {
    max_entries: 1_000,
    max_entry_bytes: 64 * 1024 * 1024,
    max_total_bytes: 128 * 1024 * 1024,
    max_ratio: 100,
    ratio_from_bytes: 1024 * 1024,
};
/// The last row number a worksheet may use (10,000 data rows leave room for blank ones).
pub(crate) const MAX_SHEET_ROWS: u64 = 20_000;
/// The last column a worksheet may use: BL (an import has 13 columns).
pub(crate) const MAX_SHEET_COLUMNS: u64 = 64;
/// The most cells in the rectangle a worksheet's cells span (calamine allocates it whole).
pub(crate) const MAX_SHEET_CELLS: u64 = 640_000;
/// The most shared strings.
pub(crate) const MAX_SHARED_STRINGS: u64 = 500_000;
/// The most text in the shared strings, in bytes.
pub(crate) const MAX_SHARED_STRING_BYTES: u64 = 32 * 1024 * 1024;
/// The most text the cells of one worksheet copy from the shared strings, in bytes.
pub(crate) const MAX_CELL_TEXT_BYTES: u64 = 32 * 1024 * 1024;
/// The most fields in one CSV record.
pub(crate) const MAX_CSV_FIELDS: usize = 64;

/// Why an XLSX import was refused before it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SheetRefusal {
    /// The ZIP container is out of [`XLSX_IMPORT`] (declared or measured).
    Container(ContainerRefusal),
    /// A part could not be decompressed or parsed.
    Unreadable,
    /// A cell (or the declared dimension) beyond the last row or column allowed.
    Reach {
        /// The worksheet part.
        part: String,
        /// The cell reference as written.
        cell: String,
    },
    /// The rectangle the cells span is larger than [`MAX_SHEET_CELLS`].
    Cells {
        /// The worksheet part.
        part: String,
        /// The cells it spans.
        count: u64,
    },
    /// More than [`MAX_SHARED_STRINGS`] shared strings or [`MAX_SHARED_STRING_BYTES`].
    SharedStrings,
    /// The cells would copy more than [`MAX_CELL_TEXT_BYTES`] of text.
    CellText {
        /// The worksheet part.
        part: String,
    },
}

impl From<ContainerRefusal> for SheetRefusal {
    fn from(r: ContainerRefusal) -> Self {
        SheetRefusal::Container(r)
    }
}

/// Checks an XLSX workbook against the import limits without building any of it.
pub(crate) fn check_xlsx(body: &[u8]) -> Result<(), SheetRefusal> {
    container::check(body, &XLSX_IMPORT)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(body)).map_err(|_| SheetRefusal::Unreadable)?;
    // The directory may lie: decompress every part once into nothing, stopping at the
    // size it declared (or the limit), so no part is bigger than it said.
    let mut total: u64 = 0;
    let mut sheets = Vec::new();
    let mut shared = None;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| SheetRefusal::Unreadable)?;
        let name = part.name().map_err(|_| SheetRefusal::Unreadable)?.into_owned();
        let cap = part.size().min(XLSX_IMPORT.max_entry_bytes);
        let read = std::io::copy(&mut (&mut part).take(cap + 1), &mut std::io::sink())
            .map_err(|_| SheetRefusal::Unreadable)?;
        if read > cap {
            return Err(ContainerRefusal::EntryTooLarge { name, size: read, max: cap }.into());
        }
        total += read;
        if total > XLSX_IMPORT.max_total_bytes {
            return Err(
                ContainerRefusal::TotalTooLarge { size: total, max: XLSX_IMPORT.max_total_bytes }.into()
            );
        }
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("xl/worksheets/") && lower.ends_with(".xml") && !lower.contains("_rels") {
            sheets.push(name);
        } else if lower == "xl/sharedstrings.xml" {
            shared = Some(name);
        }
    }
    let lengths = match shared {
        Some(name) => {
            let part = zip.by_name(&name).map_err(|_| SheetRefusal::Unreadable)?;
            shared_string_lengths(part)?
        }
        None => Vec::new(),
    };
    for name in sheets {
        let part = zip.by_name(&name).map_err(|_| SheetRefusal::Unreadable)?;
        check_sheet(part, &name, &lengths)?;
    }
    Ok(())
}

/// The length in bytes of each shared string (`<si>`), refusing too many or too much.
fn shared_string_lengths(part: impl Read) -> Result<Vec<u32>, SheetRefusal> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    let mut lengths = Vec::new();
    let mut current: Option<u64> = None;
    let mut total: u64 = 0;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|_| SheetRefusal::Unreadable)? {
            Event::Start(e) if e.local_name().as_ref() == "si" => current = Some(0),
            Event::Empty(e) if e.local_name().as_ref() == "si" => lengths.push(0),
            Event::Text(t) => {
                if let Some(n) = current.as_mut() {
                    *n += t.len() as u64;
                }
            }
            Event::CData(t) => {
                if let Some(n) = current.as_mut() {
                    *n += t.len() as u64;
                }
            }
            // An entity (&amp;) stands for a character or two.
            Event::GeneralRef(_) => {
                if let Some(n) = current.as_mut() {
                    *n += 4;
                }
            }
            Event::End(e) if e.local_name().as_ref() == "si" => {
                let n = current.take().unwrap_or(0);
                total += n;
                lengths.push(u32::try_from(n).unwrap_or(u32::MAX));
            }
            Event::Eof => break,
            _ => {}
        }
        if lengths.len() as u64 > MAX_SHARED_STRINGS || total > MAX_SHARED_STRING_BYTES {
            return Err(SheetRefusal::SharedStrings);
        }
    }
    Ok(lengths)
}

/// A cell reference (`B12`, `$B$12`) as 1-based (column, row); either may be absent
/// (`B` in a column range, `12` in a row range). None when it is not a reference.
pub(crate) fn parse_cell_ref(r: &str) -> Option<(Option<u64>, Option<u64>)> {
    let r = r.trim();
    let mut col: u64 = 0;
    let mut row: u64 = 0;
    let mut seen_col = false;
    let mut seen_row = false;
    for ch in r.chars() {
        match ch {
            '$' => {}
            'A'..='Z' | 'a'..='z' if !seen_row => {
                seen_col = true;
                let d = u64::from(ch.to_ascii_uppercase() as u8 - b'A' + 1);
                col = col.checked_mul(26)?.checked_add(d)?;
            }
            '0'..='9' => {
                seen_row = true;
                row = row.checked_mul(10)?.checked_add(u64::from(ch as u8 - b'0'))?;
            }
            _ => return None,
        }
        // Anything longer than Excel's own XFD1048576 is out of reach anyway.
        if col > 1 << 20 || row > 1 << 40 {
            return Some((Some(u64::MAX), Some(u64::MAX)));
        }
    }
    if !seen_col && !seen_row {
        return None;
    }
    Some((seen_col.then_some(col), seen_row.then_some(row)))
}

/// Excel's name of a 1-based column (1 → A, 27 → AA).
pub(crate) fn column_name(mut col: u64) -> String {
    let mut out = Vec::new();
    while col > 0 {
        col -= 1;
        out.push(b'A' + (col % 26) as u8);
        col /= 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned())
}

/// Walks one worksheet: the declared dimension and every row and cell reference stay
/// within the limits, the rectangle they span too, and so does the text the cells copy
/// from the shared strings.
fn check_sheet(part: impl Read, name: &str, lengths: &[u32]) -> Result<(), SheetRefusal> {
    let reach = |cell: &str| SheetRefusal::Reach { part: name.to_owned(), cell: cell.to_owned() };
    let within = |c: Option<u64>, r: Option<u64>| {
        c.is_none_or(|c| c <= MAX_SHEET_COLUMNS) && r.is_none_or(|r| r <= MAX_SHEET_ROWS)
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    let (mut row, mut col) = (0u64, 0u64);
    let (mut top, mut bottom, mut left, mut right) = (u64::MAX, 0u64, u64::MAX, 0u64);
    let mut shared_cell = false;
    let mut in_value = false;
    let mut text: u64 = 0;
    loop {
        buf.clear();
        let event = xml.read_event_into(&mut buf).map_err(|_| SheetRefusal::Unreadable)?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "dimension" => {
                    let Some(r) = attr(e, "ref") else { continue };
                    for corner in r.split(':') {
                        match parse_cell_ref(corner) {
                            Some((c, rw)) if within(c, rw) => {}
                            _ => return Err(reach(&r)),
                        }
                    }
                }
                "row" => {
                    row = match attr(e, "r") {
                        Some(r) => r.trim().parse::<u64>().map_err(|_| reach(&r))?,
                        None => row + 1,
                    };
                    // A row without cells costs calamine nothing; its cells are checked.
                    col = 0;
                }
                "c" => {
                    match attr(e, "r") {
                        Some(r) => match parse_cell_ref(&r) {
                            Some((Some(c), Some(rw))) if within(Some(c), Some(rw)) => {
                                col = c;
                                row = rw;
                            }
                            _ => return Err(reach(&r)),
                        },
                        None => col += 1,
                    }
                    if !within(Some(col), Some(row)) {
                        return Err(reach(&format!("{}{row}", column_name(col))));
                    }
                    top = top.min(row);
                    bottom = bottom.max(row);
                    left = left.min(col);
                    right = right.max(col);
                    let span = (bottom - top + 1) * (right - left + 1);
                    if span > MAX_SHEET_CELLS {
                        return Err(SheetRefusal::Cells { part: name.to_owned(), count: span });
                    }
                    shared_cell = matches!(event, Event::Start(_)) && attr(e, "t").as_deref() == Some("s");
                }
                "v" => in_value = shared_cell,
                _ => {}
            },
            Event::Text(t) if in_value => {
                if let Some(n) = t.trim().parse::<usize>().ok().and_then(|i| lengths.get(i)) {
                    text += u64::from(*n);
                    if text > MAX_CELL_TEXT_BYTES {
                        return Err(SheetRefusal::CellText { part: name.to_owned() });
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "v" => in_value = false,
                "c" => shared_cell = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

/// A refusal of [`check_xlsx`] for people.
pub(crate) fn sheet_refusal_text(r: &SheetRefusal, tr: Tr) -> String {
    match r {
        SheetRefusal::Container(c) => container_text(c, tr),
        SheetRefusal::Unreadable => tr.t("sites_io.not_xlsx").to_owned(),
        SheetRefusal::Reach { part, cell } => tr
            .t("limits.sheet_reach")
            .replace("{part}", part)
            .replace("{cell}", cell)
            .replace("{rows}", &tr.num(MAX_SHEET_ROWS as i64))
            .replace("{col}", &column_name(MAX_SHEET_COLUMNS)),
        SheetRefusal::Cells { part, count } => tr
            .t("limits.sheet_cells")
            .replace("{part}", part)
            .replace("{n}", &tr.num(i64::try_from(*count).unwrap_or(i64::MAX)))
            .replace("{max}", &tr.num(MAX_SHEET_CELLS as i64)),
        SheetRefusal::SharedStrings => tr
            .t("limits.shared_strings")
            .replace("{n}", &tr.num(MAX_SHARED_STRINGS as i64))
            .replace("{size}", &human_size(MAX_SHARED_STRING_BYTES)),
        SheetRefusal::CellText { part } => tr
            .t("limits.cell_text")
            .replace("{part}", part)
            .replace("{size}", &human_size(MAX_CELL_TEXT_BYTES)),
    }
}

/// A container refusal (of an import or an attachment) for people.
pub(crate) fn container_text(r: &ContainerRefusal, tr: Tr) -> String {
    match r {
        ContainerRefusal::Unreadable => tr.t("limits.zip_unreadable").to_owned(),
        ContainerRefusal::TooManyEntries { count, max } => tr
            .t("limits.zip_entries")
            .replace("{n}", &tr.num(i64::try_from(*count).unwrap_or(i64::MAX)))
            .replace("{max}", &tr.num(i64::try_from(*max).unwrap_or(i64::MAX))),
        ContainerRefusal::EntryTooLarge { name, size, max } => tr
            .t("limits.zip_entry")
            .replace("{part}", name)
            .replace("{size}", &human_size(*size))
            .replace("{max}", &human_size(*max)),
        ContainerRefusal::TotalTooLarge { size, max } => {
            tr.t("limits.zip_total").replace("{size}", &human_size(*size)).replace("{max}", &human_size(*max))
        }
        ContainerRefusal::RatioTooHigh { name, ratio, max } => tr
            .t("limits.zip_ratio")
            .replace("{part}", name)
            .replace("{n}", &ratio.to_string())
            .replace("{max}", &max.to_string()),
    }
}

/// What a text file that is not UTF-8 probably is, for the message.
fn likely_encoding(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return "UTF-16 (Unicode Text)";
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let nuls = sample.iter().filter(|b| **b == 0).count();
    if nuls * 4 > sample.len() {
        return "UTF-16 (Unicode Text)";
    }
    // Windows-1258 writes Vietnamese with base letters and combining tone marks in
    // 0xC0–0xFF and 0xCC/0xD2/0xDE/0xEC/0xF2 (the tone marks); Windows-1252 has the
    // same high half without them. Either way it is an 8-bit Windows code page.
    "Windows-1258 / Windows-1252 (ANSI)"
}

/// The message for a text file that is not UTF-8: the line of the first bad byte, what
/// it probably is, and how to save it as UTF-8 in Excel and LibreOffice.
pub(crate) fn not_utf8_text(bytes: &[u8], tr: Tr) -> String {
    let valid_up_to = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    let line = bytes[..valid_up_to].iter().filter(|b| **b == b'\n').count() + 1;
    tr.t("limits.not_utf8")
        .replace("{line}", &tr.num(i64::try_from(line).unwrap_or(i64::MAX)))
        .replace("{enc}", likely_encoding(bytes))
}

/// Decodes an uploaded text file: UTF-8, with or without a byte-order mark (dropped).
pub(crate) fn utf8_text(bytes: &[u8], tr: Tr) -> Result<&str, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| not_utf8_text(bytes, tr))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The message for a forbidden control character, with where it is when known.
pub(crate) fn control_text(c: char, tr: Tr) -> String {
    tr.t("limits.control_char").replace("{code}", &code_point(c))
}

/// The first forbidden control character of a text file and its line (1-based).
pub(crate) fn first_control_line(text: &str) -> Option<(usize, char)> {
    let c = diaban_domain::text::forbidden_control(text)?;
    let at = text.find(c)?;
    Some((text[..at].matches('\n').count() + 1, c))
}

/// The message for a body or file over a size limit, naming the limit.
pub(crate) fn too_large_text(limit: u64, tr: Tr) -> String {
    tr.t("limits.too_large").replace("{max}", &human_size(limit))
}

#[cfg(test)]
mod tests;
