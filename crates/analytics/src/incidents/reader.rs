//! The row parser behind [`super::parse_csv`] and [`super::read_csv`].
//!
//! Rows in the canonical shape — three unquoted fields, plain decimals, a
//! `YYYY-MM-DD` date, valid values — are parsed in a single pass over their
//! bytes without allocating. Any other row (spaces, quotes, exponents, extra
//! columns, a bad value) is parsed again by the general path, which also
//! says what is wrong with it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{
    ChunkOutput, Incident, MAX_REJECTED_KEPT, RejectReason, RejectedRow, coordinate_problem, fields,
};
use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};

/// The kind of a column the analysis reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Lat,
    Lon,
    Date,
}

/// Where the needed columns are in a row.
pub(super) struct Columns {
    count: usize,
    lat: usize,
    lon: usize,
    date: usize,
    /// The column kinds in order, when the header has exactly the three
    /// columns, which is when the single-pass path applies.
    fast: Option<[Field; 3]>,
}

/// Parses the header from the start of the input; returns the columns and
/// the offset of the first byte after the header line.
pub(super) fn parse_header(input: &[u8]) -> Result<(Columns, usize)> {
    let bom = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let text = &input[bom..];
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::new(
            ErrorKind::EmptyInput,
            "the input is empty: expected a header line `lat,lon,date` and one incident per line",
        ));
    }
    let line_end = text.iter().position(|&b| b == b'\n');
    let header = &text[..line_end.unwrap_or(text.len())];
    let columns = columns_from_header(header)?;
    let body_start = bom + line_end.map_or(text.len(), |p| p + 1);
    Ok((columns, body_start))
}

/// Why the header of a file could not be read.
pub(super) enum HeaderError {
    Io(std::io::Error),
    Invalid(Error),
}

/// The longest header line accepted, so a file without line ends is not
/// read whole just to find one.
const MAX_HEADER_BYTES: usize = 1 << 20;

/// Reads the header line from the start of a file.
pub(super) fn read_header(file: &mut File) -> Result<(Columns, u64), HeaderError> {
    let mut head = Vec::new();
    let mut block = [0u8; 4096];
    loop {
        let n = file.read(&mut block).map_err(HeaderError::Io)?;
        head.extend_from_slice(&block[..n]);
        if n == 0 || block[..n].contains(&b'\n') {
            break;
        }
        if head.len() > MAX_HEADER_BYTES {
            return Err(HeaderError::Invalid(Error::at_line(
                ErrorKind::InvalidHeader,
                1,
                "line 1: the header line is longer than 1 MiB",
            )));
        }
    }
    let (columns, body_start) = parse_header(&head).map_err(HeaderError::Invalid)?;
    Ok((columns, body_start as u64))
}

fn columns_from_header(line: &[u8]) -> Result<Columns> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let names = fields::split_quoted(line).map_err(|_| {
        Error::at_line(ErrorKind::InvalidHeader, 1, "line 1: the header has an unclosed quote")
    })?;
    let (mut lat, mut lon, mut date) = (None, None, None);
    for (i, name) in names.iter().enumerate() {
        let name = String::from_utf8_lossy(fields::trim(name)).to_ascii_lowercase();
        let slot = match name.as_str() {
            "lat" | "latitude" => &mut lat,
            "lon" | "lng" | "long" | "longitude" => &mut lon,
            "date" => &mut date,
            _ => continue,
        };
        if slot.replace(i).is_some() {
            return Err(Error::at_line(
                ErrorKind::InvalidHeader,
                1,
                format!("line 1: the header names the column {name:?} twice"),
            ));
        }
    }
    let (Some(lat), Some(lon), Some(date)) = (lat, lon, date) else {
        return Err(Error::at_line(
            ErrorKind::InvalidHeader,
            1,
            format!(
                "line 1: expected a header naming the columns lat, lon and date, found {:?}",
                fields::shorten(line)
            ),
        ));
    };
    let fast = (names.len() == 3).then(|| {
        let mut kinds = [Field::Lat; 3];
        kinds[lat] = Field::Lat;
        kinds[lon] = Field::Lon;
        kinds[date] = Field::Date;
        kinds
    });
    Ok(Columns { count: names.len(), lat, lon, date, fast })
}

/// Splits `body` into at most `parts` pieces that each end at a line end, so
/// that every piece holds whole lines.
pub(super) fn split_at_lines(body: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(parts);
    let mut rest = body;
    for k in (1..parts).rev() {
        let target = rest.len() / (k + 1);
        match rest[target..].iter().position(|&b| b == b'\n') {
            Some(pos) => {
                let (head, tail) = rest.split_at(target + pos + 1);
                pieces.push(head);
                rest = tail;
            }
            None => break,
        }
    }
    pieces.push(rest);
    pieces
}

/// Parses a block of whole lines held in memory, making room for `capacity`
/// incidents at once.
pub(super) fn parse_block(block: &[u8], columns: &Columns, capacity: usize) -> ChunkOutput {
    let mut out = ChunkOutput { incidents: Vec::with_capacity(capacity), ..ChunkOutput::default() };
    parse_lines(block, block.len(), columns, &mut out);
    out
}

/// The read size when streaming a file: large enough that system calls do
/// not matter, small enough to stay in cache while it is parsed.
pub(super) const BLOCK_BYTES: usize = 1 << 20;

/// Parses the lines of a file that start in `range` (a line starting before
/// its end is followed past it), reading `block_bytes` at a time and making
/// room for `capacity` incidents. `body_start` is where the first row
/// begins: a range starting later first skips the partial line it lands in,
/// which belongs to the range before.
pub(super) fn parse_file_range(
    path: &Path,
    columns: &Columns,
    range: std::ops::Range<u64>,
    body_start: u64,
    block_bytes: usize,
    capacity: usize,
) -> std::io::Result<ChunkOutput> {
    let (start, end) = (range.start, range.end);
    let mut out = ChunkOutput { incidents: Vec::with_capacity(capacity), ..ChunkOutput::default() };
    let mut file = File::open(path)?;
    // Starting one byte early tells whether `start` begins a line: it does
    // exactly when that byte is a line end.
    let mut skip_partial = start > body_start;
    // The file offset of buf[0].
    let mut at = if skip_partial { start - 1 } else { start };
    file.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; block_bytes.max(1)];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            // A line longer than the buffer: make room for it.
            buf.resize(buf.len() * 2, 0);
        }
        let n = file.read(&mut buf[filled..])?;
        filled += n;
        let eof = n == 0;
        let mut from = 0;
        if skip_partial {
            match buf[..filled].iter().position(|&b| b == b'\n') {
                Some(p) => {
                    from = p + 1;
                    skip_partial = false;
                }
                None if eof => return Ok(out),
                None => {
                    at += filled as u64;
                    filled = 0;
                    continue;
                }
            }
        }
        let complete = if eof {
            filled
        } else {
            buf[from..filled].iter().rposition(|&b| b == b'\n').map_or(from, |p| from + p + 1)
        };
        // Lines starting at or after `end` belong to the next range.
        let limit = usize::try_from(end.saturating_sub(at)).unwrap_or(usize::MAX);
        let stopped = parse_lines(&buf[from..complete], limit.saturating_sub(from), columns, &mut out);
        if stopped || eof || limit <= complete {
            return Ok(out);
        }
        buf.copy_within(complete..filled, 0);
        at += complete as u64;
        filled -= complete;
    }
}

/// Parses the lines of `block` that start before offset `limit`; returns
/// whether it stopped at the limit with lines left over.
fn parse_lines(block: &[u8], limit: usize, columns: &Columns, out: &mut ChunkOutput) -> bool {
    let mut pos = 0;
    while pos < block.len() {
        if pos >= limit {
            return true;
        }
        out.lines += 1;
        if let Some(kinds) = &columns.fast
            && let Some((incident, next)) = fast_row(block, pos, kinds)
        {
            out.incidents.push(incident);
            out.rows += 1;
            pos = next;
            continue;
        }
        let end = block[pos..].iter().position(|&b| b == b'\n').map_or(block.len(), |p| pos + p);
        let line = &block[pos..end];
        pos = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|&b| b == b' ' || b == b'\t') {
            continue;
        }
        out.rows += 1;
        match parse_row(line, columns) {
            Ok(incident) => out.incidents.push(incident),
            Err(reason) => {
                out.rejected_count += 1;
                if out.rejected.len() < MAX_REJECTED_KEPT {
                    out.rejected.push(RejectedRow { line: out.lines, reason });
                }
            }
        }
    }
    false
}

/// The single-pass path: a canonical, valid row starting at `pos`, and the
/// offset just past its line end. `None` sends the row to the general path.
#[inline]
fn fast_row(b: &[u8], mut pos: usize, kinds: &[Field; 3]) -> Option<(Incident, usize)> {
    let (mut lat, mut lon, mut date) = (0.0, 0.0, None);
    for (k, kind) in kinds.iter().enumerate() {
        if k > 0 {
            if b.get(pos) != Some(&b',') {
                return None;
            }
            pos += 1;
        }
        match kind {
            Field::Lat => (lat, pos) = fast_decimal(b, pos)?,
            Field::Lon => (lon, pos) = fast_decimal(b, pos)?,
            Field::Date => {
                date = Date::parse_iso_bytes(b.get(pos..pos + 10)?);
                pos += 10;
            }
        }
    }
    let next = match b.get(pos) {
        None => pos,
        Some(b'\n') => pos + 1,
        Some(b'\r') if b.get(pos + 1) == Some(&b'\n') => pos + 2,
        Some(_) => return None,
    };
    if coordinate_problem(lat, lon).is_some() {
        return None;
    }
    Some((Incident { lat, lon, date: date? }, next))
}

/// Parses `-?digits(.digits)?` at `pos` with at most 15 digits, returning the
/// value and the offset after it. The digits form an integer below 2^53 and
/// the divisor is an exact power of ten, so the one division is correctly
/// rounded, exactly as `str::parse` would round.
#[inline]
fn fast_decimal(b: &[u8], mut pos: usize) -> Option<(f64, usize)> {
    let negative = b.get(pos) == Some(&b'-');
    if negative {
        pos += 1;
    }
    let mut mantissa = 0u64;
    let int_start = pos;
    while let Some(d) = b.get(pos).map(|c| c.wrapping_sub(b'0')).filter(|d| *d <= 9) {
        mantissa = mantissa * 10 + u64::from(d);
        pos += 1;
        if pos - int_start > 15 {
            return None;
        }
    }
    let int_digits = pos - int_start;
    if int_digits == 0 {
        return None;
    }
    let mut fraction = 0;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let frac_start = pos;
        while let Some(d) = b.get(pos).map(|c| c.wrapping_sub(b'0')).filter(|d| *d <= 9) {
            mantissa = mantissa * 10 + u64::from(d);
            pos += 1;
            if int_digits + (pos - frac_start) > 15 {
                return None;
            }
        }
        fraction = pos - frac_start;
    }
    // Below 2^53, so the signed conversion (one instruction, unlike the
    // unsigned one) is exact.
    let value = mantissa as i64 as f64 / fields::EXACT_POWERS_OF_TEN[fraction];
    Some((if negative { -value } else { value }, pos))
}

/// The general path for one line (without its line end).
fn parse_row(line: &[u8], columns: &Columns) -> Result<Incident, RejectReason> {
    let owned: Vec<Vec<u8>>;
    let borrowed: Vec<&[u8]>;
    let mut plain: [&[u8]; 3] = [&[]; 3];
    let fields: &[&[u8]] = if columns.count == 3 && !line.contains(&b'"') {
        let mut parts = line.splitn(4, |&b| b == b',');
        for slot in &mut plain {
            *slot = parts.next().unwrap_or_default();
        }
        let found = 1 + line.iter().filter(|&&b| b == b',').count();
        if found != 3 {
            return Err(RejectReason::FieldCount { expected: 3, found });
        }
        &plain
    } else {
        let split = fields::split_quoted(line).map_err(|_| RejectReason::UnclosedQuote)?;
        if split.len() != columns.count {
            return Err(RejectReason::FieldCount { expected: columns.count, found: split.len() });
        }
        owned = split;
        borrowed = owned.iter().map(Vec::as_slice).collect();
        &borrowed
    };
    let lat_text = fields::trim(fields[columns.lat]);
    let lon_text = fields::trim(fields[columns.lon]);
    let date_text = fields::trim(fields[columns.date]);
    let lat = fields::parse_f64(lat_text)
        .filter(|v| v.is_finite())
        .ok_or_else(|| RejectReason::BadLatitude(fields::shorten(lat_text)))?;
    let lon = fields::parse_f64(lon_text)
        .filter(|v| v.is_finite())
        .ok_or_else(|| RejectReason::BadLongitude(fields::shorten(lon_text)))?;
    if let Some(reason) = coordinate_problem(lat, lon) {
        return Err(reason);
    }
    let date =
        Date::parse_iso_bytes(date_text).ok_or_else(|| RejectReason::BadDate(fields::shorten(date_text)))?;
    Ok(Incident { lat, lon, date })
}
