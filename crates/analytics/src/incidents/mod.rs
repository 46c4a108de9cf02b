//! Incidents — the geolocated, dated events (arrests, seizures, tips,
//! overdoses, syringe finds) every analysis starts from — and the CSV reader
//! for them.
//!
//! The reader is built for files of millions of rows: it works on the raw
//! bytes, allocates nothing per row, parses the usual decimal coordinates
//! without going through `str::parse`, and splits a large file into one chunk
//! per core. Every rejected row is reported with its 1-based line number (the
//! header is line 1) and the reason.

mod fields;
mod reader;
#[cfg(test)]
mod tests;

use std::fmt;
use std::fs::File;
use std::path::Path;

use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::parallel;

/// One incident: where (WGS84 degrees) and when.
///
/// Built through [`Incident::new`], so a value always has a finite latitude
/// in −90..=90 and longitude in −180..=180.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Incident {
    lat: f64,
    lon: f64,
    date: Date,
}

impl Incident {
    /// Builds an incident, refusing coordinates outside the valid ranges.
    ///
    /// ```
    /// use diaban_analytics::{Date, Incident};
    /// let date = Date::new(2025, 3, 14).unwrap();
    /// assert!(Incident::new(15.12, 108.80, date).is_ok());
    /// assert!(Incident::new(95.0, 108.80, date).is_err());
    /// ```
    pub fn new(lat: f64, lon: f64, date: Date) -> Result<Self> {
        if let Some(reason) = coordinate_problem(lat, lon) {
            return Err(Error::parameter(reason.to_string()));
        }
        Ok(Self { lat, lon, date })
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// The day it happened.
    pub fn date(&self) -> Date {
        self.date
    }
}

fn coordinate_problem(lat: f64, lon: f64) -> Option<RejectReason> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        Some(RejectReason::LatitudeOutOfRange(lat))
    } else if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        Some(RejectReason::LongitudeOutOfRange(lon))
    } else {
        None
    }
}

/// How to treat rows that cannot be used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    skip_bad_rows: bool,
}

impl ParseOptions {
    /// The default: any rejected row makes the whole input an error, because
    /// an analysis of a silently trimmed file would look complete and not be.
    pub fn new() -> Self {
        Self::default()
    }

    /// Analyse the good rows anyway, keeping the rejected ones in
    /// [`ParsedIncidents::rejected`].
    pub fn skip_bad_rows(mut self, yes: bool) -> Self {
        self.skip_bad_rows = yes;
        self
    }
}

/// Why a row was rejected.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RejectReason {
    /// The row does not have one field per header column.
    FieldCount {
        /// Columns in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A quoted field is not closed on its line.
    UnclosedQuote,
    /// The latitude is not a number (the text is kept, shortened).
    BadLatitude(String),
    /// The longitude is not a number.
    BadLongitude(String),
    /// The latitude is outside −90..=90.
    LatitudeOutOfRange(f64),
    /// The longitude is outside −180..=180.
    LongitudeOutOfRange(f64),
    /// The date is not a real `YYYY-MM-DD` date.
    BadDate(String),
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FieldCount { expected, found } => {
                write!(f, "expected {expected} fields, found {found}")
            }
            Self::UnclosedQuote => f.write_str("a quoted field is not closed"),
            Self::BadLatitude(t) => write!(f, "latitude {t:?} is not a number"),
            Self::BadLongitude(t) => write!(f, "longitude {t:?} is not a number"),
            Self::LatitudeOutOfRange(v) => write!(f, "latitude {v} is outside -90..90"),
            Self::LongitudeOutOfRange(v) => write!(f, "longitude {v} is outside -180..180"),
            Self::BadDate(t) => write!(f, "date {t:?} is not a valid YYYY-MM-DD date"),
        }
    }
}

/// A row that was not used.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    /// 1-based line number in the input (the header is line 1).
    pub line: u64,
    /// Why it was rejected.
    pub reason: RejectReason,
}

impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The rejected rows kept with their reasons; past this only the count grows,
/// so a file of garbage cannot exhaust memory.
pub const MAX_REJECTED_KEPT: usize = 1000;

/// The incidents read from an input, and what was left out.
#[derive(Debug, Clone, Default)]
pub struct ParsedIncidents {
    /// The usable incidents, in input order.
    pub incidents: Vec<Incident>,
    /// The first [`MAX_REJECTED_KEPT`] rejected rows, in input order.
    pub rejected: Vec<RejectedRow>,
    /// How many rows were rejected in all.
    pub rejected_count: u64,
}

/// Reads a `lat,lon,date` CSV file; see [`parse_csv`] for the format.
///
/// Large files are read and parsed in one byte range per core, each thread
/// streaming its range through a small buffer, so the file is never held in
/// memory whole.
pub fn read_csv(path: &Path, options: ParseOptions) -> Result<ParsedIncidents> {
    read_csv_in_parts(path, options, None, reader::BLOCK_BYTES)
}

/// [`read_csv`] with the number of ranges (default: one per core for large
/// files) and the read size fixed, so tests can exercise range and block
/// boundaries on small files.
fn read_csv_in_parts(
    path: &Path,
    options: ParseOptions,
    parts: Option<usize>,
    block_bytes: usize,
) -> Result<ParsedIncidents> {
    let io = |e: std::io::Error| Error::io(format_args!("reading {}", path.display()), &e);
    let mut file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let (columns, body_start) = reader::read_header(&mut file).map_err(|e| match e {
        reader::HeaderError::Io(e) => io(e),
        reader::HeaderError::Invalid(e) => e,
    })?;
    let body = len.saturating_sub(body_start);
    let parts = parts.unwrap_or_else(|| {
        parallel::chunk_count(usize::try_from(body).unwrap_or(usize::MAX), MIN_BYTES_PER_THREAD)
    });
    let ranges: Vec<(u64, u64)> = parallel::split_ranges(usize::try_from(body).unwrap_or(usize::MAX), parts)
        .into_iter()
        .map(|r| (body_start + r.start as u64, body_start + r.end as u64))
        .collect();
    let read_range = |(start, end): (u64, u64)| {
        let capacity = if start == body_start { body } else { end - start };
        let capacity = estimated_rows(usize::try_from(capacity).unwrap_or(0));
        reader::parse_file_range(path, &columns, start..end, body_start, block_bytes, capacity)
    };
    let outputs: Vec<Result<ChunkOutput, std::io::Error>> = if ranges.len() == 1 {
        ranges.into_iter().map(read_range).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> =
                ranges.into_iter().map(|range| scope.spawn(move || read_range(range))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    let outputs = outputs.into_iter().collect::<Result<Vec<_>, _>>().map_err(io)?;
    merge(outputs, options)
}

/// Below this many bytes per thread, reading stays on the calling thread.
const MIN_BYTES_PER_THREAD: usize = 4 << 20;

/// Parses incidents from CSV bytes.
///
/// The first line is a header naming the columns `lat` (or `latitude`), `lon`
/// (or `lng`, `longitude`) and `date`, in any order, possibly among other
/// columns; every row must have one field per header column. Fields may be
/// surrounded by spaces or double quotes; blank lines are ignored; `\r\n`
/// line ends are accepted; a UTF-8 byte order mark is skipped.
///
/// Errors: [`ErrorKind::EmptyInput`] when there is no header or no row after
/// it, [`ErrorKind::InvalidHeader`], and — unless the options skip bad rows —
/// [`ErrorKind::InvalidRow`] naming the first rejected line.
///
/// ```
/// use diaban_analytics::incidents::{parse_csv, ParseOptions};
/// let csv = b"lat,lon,date\n15.1,108.8,2025-01-31\n15.2,999,2025-02-01\n";
/// let err = parse_csv(csv, ParseOptions::new()).unwrap_err();
/// assert_eq!(err.line(), Some(3));
/// assert_eq!(err.to_string(), "line 3: longitude 999 is outside -180..180");
/// let ok = parse_csv(csv, ParseOptions::new().skip_bad_rows(true)).unwrap();
/// assert_eq!(ok.incidents.len(), 1);
/// assert_eq!(ok.rejected[0].line, 3);
/// ```
pub fn parse_csv(input: &[u8], options: ParseOptions) -> Result<ParsedIncidents> {
    let (columns, body_start) = reader::parse_header(input)?;
    let body = &input[body_start..];
    let parts = parallel::chunk_count(body.len(), MIN_BYTES_PER_THREAD);
    let chunks = reader::split_at_lines(body, parts);
    let outputs: Vec<ChunkOutput> = if chunks.len() == 1 {
        vec![reader::parse_block(body, &columns, estimated_rows(body.len()))]
    } else {
        std::thread::scope(|scope| {
            let columns = &columns;
            let handles: Vec<_> = chunks
                .iter()
                .enumerate()
                .map(|(k, chunk)| {
                    let capacity = estimated_rows(if k == 0 { body.len() } else { chunk.len() });
                    scope.spawn(move || reader::parse_block(chunk, columns, capacity))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    merge(outputs, options)
}

/// Room for the incidents of `bytes` bytes of rows. Rows are rarely under
/// 24 bytes, so vectors seldom grow; the first chunk reserves room for the
/// whole input because the others are appended to it.
fn estimated_rows(bytes: usize) -> usize {
    bytes / 24
}

/// What one thread parsed from its share of the lines.
#[derive(Default)]
struct ChunkOutput {
    incidents: Vec<Incident>,
    /// Line numbers relative to the chunk's first line (which is 1).
    rejected: Vec<RejectedRow>,
    rejected_count: u64,
    /// Non-blank rows seen.
    rows: u64,
    /// Lines the chunk spans.
    lines: u64,
}

/// Joins the chunks in order, numbering lines across them, and applies the
/// bad-row policy.
fn merge(mut parts: Vec<ChunkOutput>, options: ParseOptions) -> Result<ParsedIncidents> {
    // The first chunk's vector becomes the result, so only the later chunks
    // are copied.
    let total: usize = parts.iter().map(|p| p.incidents.len()).sum();
    let mut incidents = parts.first_mut().map(|p| std::mem::take(&mut p.incidents)).unwrap_or_default();
    incidents.reserve_exact(total - incidents.len());
    let mut parsed = ParsedIncidents { incidents, ..ParsedIncidents::default() };
    let mut rows = 0u64;
    // Chunk-local line numbers become file line numbers: the header is line 1.
    let mut line_offset = 1u64;
    for part in parts {
        parsed.incidents.extend_from_slice(&part.incidents);
        for mut rejected in part.rejected {
            if parsed.rejected.len() < MAX_REJECTED_KEPT {
                rejected.line += line_offset;
                parsed.rejected.push(rejected);
            }
        }
        parsed.rejected_count += part.rejected_count;
        rows += part.rows;
        line_offset += part.lines;
    }

    if let Some(first) = parsed.rejected.first()
        && !options.skip_bad_rows
    {
        let more = match parsed.rejected_count {
            1 => String::new(),
            n => format!(" ({n} rows rejected in all)"),
        };
        return Err(Error::at_line(ErrorKind::InvalidRow, first.line, format!("{first}{more}")));
    }
    if rows == 0 {
        return Err(Error::new(ErrorKind::EmptyInput, "the input has a header but no incident rows"));
    }
    Ok(parsed)
}
