use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

fn parse(text: &str) -> Result<ParsedIncidents> {
    parse_csv(text.as_bytes(), ParseOptions::new())
}

fn lenient(text: &str) -> ParsedIncidents {
    parse_csv(text.as_bytes(), ParseOptions::new().skip_bad_rows(true)).unwrap()
}

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

/// A temporary file removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(contents: &[u8]) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "diaban-incidents-{}-{}.csv",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::File::create(&path).unwrap().write_all(contents).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn reads_the_canonical_form() {
    let p = parse("lat,lon,date\n15.12,108.8,2025-01-31\n-33.5,-70.25,1999-12-01\n").unwrap();
    assert_eq!(
        p.incidents,
        [
            Incident::new(15.12, 108.8, date(2025, 1, 31)).unwrap(),
            Incident::new(-33.5, -70.25, date(1999, 12, 1)).unwrap(),
        ]
    );
    assert!(p.rejected.is_empty());
    assert_eq!(p.rejected_count, 0);
}

#[test]
fn accepts_the_usual_variations() {
    // BOM, CRLF, header case and order, spaces, quotes, blank lines, extra
    // columns, a last line without a line end, exponents.
    let text = "\u{feff}Date , LONGITUDE,Lat,note\r\n\
                2025-02-03, 108.5 ,15.25,\"a, b\"\r\n\
                \r\n\
                \"2025-02-04\",\"108.6\",\"1.525e1\",x\n\
                \t\n\
                2025-02-05,108.7,15.0,";
    let p = parse(text).unwrap();
    assert_eq!(p.incidents.len(), 3);
    assert_eq!(p.incidents[0], Incident::new(15.25, 108.5, date(2025, 2, 3)).unwrap());
    assert_eq!(p.incidents[1], Incident::new(15.25, 108.6, date(2025, 2, 4)).unwrap());
    assert_eq!(p.incidents[2].lon(), 108.7);
    // The alternative column names.
    let p = parse("latitude,lng,date\n1,2,2020-02-29\n").unwrap();
    assert_eq!((p.incidents[0].lat(), p.incidents[0].lon()), (1.0, 2.0));
}

#[test]
fn bad_rows_are_named_by_line_and_reason() {
    let text = "lat,lon,date\n\
                15.1,108.8,2025-01-01\n\
                abc,108.8,2025-01-01\n\
                \n\
                15.1,north,2025-01-01\n\
                91,108.8,2025-01-01\n\
                15.1,-180.5,2025-01-01\n\
                15.1,108.8,2025-02-30\n\
                15.1,108.8\n\
                15.1,108.8,2025-01-01,extra\n\
                \"15.1,108.8,2025-01-01\n\
                NaN,108.8,2025-01-01\n\
                15.1,inf,2025-01-01\n\
                90,180,2025-01-01\n";
    let err = parse(text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRow);
    assert_eq!(err.line(), Some(3));
    assert_eq!(err.to_string(), "line 3: latitude \"abc\" is not a number (10 rows rejected in all)");

    let p = lenient(text);
    assert_eq!(p.incidents.len(), 2);
    assert_eq!(p.rejected_count, 10);
    let got: Vec<(u64, String)> = p.rejected.iter().map(|r| (r.line, r.reason.to_string())).collect();
    let expected = [
        (3, "latitude \"abc\" is not a number"),
        (5, "longitude \"north\" is not a number"),
        (6, "latitude 91 is outside -90..90"),
        (7, "longitude -180.5 is outside -180..180"),
        (8, "date \"2025-02-30\" is not a valid YYYY-MM-DD date"),
        (9, "expected 3 fields, found 2"),
        (10, "expected 3 fields, found 4"),
        (11, "a quoted field is not closed"),
        (12, "latitude \"NaN\" is not a number"),
        (13, "longitude \"inf\" is not a number"),
    ];
    for (g, e) in got.iter().zip(expected) {
        assert_eq!((g.0, g.1.as_str()), e);
    }
    assert_eq!(p.rejected[0].to_string(), "line 3: latitude \"abc\" is not a number");
}

#[test]
fn empty_inputs_are_clear_errors() {
    for text in ["", "\n\n  \n", "\u{feff}"] {
        let err = parse(text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::EmptyInput, "{text:?}");
        assert!(err.to_string().contains("empty"));
    }
    for text in ["lat,lon,date", "lat,lon,date\n", "lat,lon,date\n\n\r\n"] {
        let err = parse(text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::EmptyInput, "{text:?}");
        assert!(err.to_string().contains("no incident rows"));
    }
    // Every row skipped: parsing succeeds with nothing, the analysis refuses.
    let p = lenient("lat,lon,date\n1,2,3\n");
    assert!(p.incidents.is_empty());
    assert_eq!(p.rejected_count, 1);
}

#[test]
fn headers_are_checked() {
    for text in
        ["15.1,108.8,2025-01-01\n", "lat,lon\n1,2\n", "x,y,when\n1,2,2025-01-01\n", "\"lat,lon,date\n"]
    {
        let err = parse(text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidHeader, "{text:?}");
        assert_eq!(err.line(), Some(1));
    }
    let err = parse("lat,lat,lon,date\n").unwrap_err();
    assert!(err.to_string().contains("twice"));
}

#[test]
fn garbage_is_counted_but_not_all_kept() {
    let mut text = String::from("lat,lon,date\n");
    for _ in 0..(MAX_REJECTED_KEPT + 500) {
        text.push_str("x,y,z\n");
    }
    let p = lenient(&text);
    assert_eq!(p.rejected.len(), MAX_REJECTED_KEPT);
    assert_eq!(p.rejected_count, (MAX_REJECTED_KEPT + 500) as u64);
}

#[test]
fn incident_constructor_checks_ranges() {
    let d = date(2025, 1, 1);
    assert!(Incident::new(90.0, 180.0, d).is_ok());
    assert!(Incident::new(-90.0, -180.0, d).is_ok());
    assert!(Incident::new(90.000001, 0.0, d).is_err());
    assert!(Incident::new(0.0, f64::NAN, d).is_err());
    assert!(Incident::new(f64::INFINITY, 0.0, d).is_err());
}

/// A synthetic file with a mix of canonical and odd rows and some bad ones.
fn mixed_file(rows: usize) -> String {
    let mut text = String::from("lat,lon,date\n");
    let mut state = 12345u64;
    for i in 0..rows {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let lat = 14.0 + (state >> 40) as f64 / (1u64 << 24) as f64;
        let lon = 107.5 + ((state >> 16) & 0xFFFFFF) as f64 / (1u64 << 24) as f64;
        let day = 1 + (state % 28) as u8;
        let line = match i % 97 {
            13 => format!("{lat:.3}, {lon:.3} ,2024-03-{day:02}\r\n"),
            29 => format!("\"{lat}\",\"{lon}\",2024-03-{day:02}\n"),
            41 => "\n".to_string(),
            53 => format!("{lat:.6},{lon:.6},2024-02-30\n"),
            71 => format!("{lat:.6}\n"),
            _ => format!("{lat:.6},{lon:.6},2024-03-{day:02}\n"),
        };
        text.push_str(&line);
    }
    text
}

#[test]
fn file_ranges_and_blocks_give_the_same_result_as_memory() {
    let text = mixed_file(3000);
    let expected = lenient(&text);
    assert!(expected.rejected_count > 0);
    let file = TempFile::new(text.as_bytes());
    let options = ParseOptions::new().skip_bad_rows(true);
    // Tiny blocks force lines across block ends; many ranges put range ends
    // inside lines, on line ends and on blank lines.
    for parts in [1, 2, 3, 7, 64] {
        for block in [1, 7, 64, 4096] {
            let got = read_csv_in_parts(&file.0, options, Some(parts), block).unwrap();
            assert_eq!(got.incidents, expected.incidents, "parts {parts} block {block}");
            assert_eq!(got.rejected, expected.rejected, "parts {parts} block {block}");
            assert_eq!(got.rejected_count, expected.rejected_count);
        }
    }
    // The public entry point agrees too.
    let got = read_csv(&file.0, options).unwrap();
    assert_eq!(got.incidents, expected.incidents);
}

#[test]
fn large_inputs_are_split_without_losing_line_numbers() {
    // Over 8 MiB, so parse_csv splits the body into chunks (on machines with
    // more than one core); the bad row sits near the end.
    let mut text = mixed_file(400_000);
    text.push_str("15.0,108.0,2024-13-01\n");
    let err = parse_csv(text.as_bytes(), ParseOptions::new()).unwrap_err();
    // The first bad row is the first 2024-02-30 (row i = 53, line 55).
    assert_eq!(err.line(), Some(55));
    let p = lenient(&text);
    let bad_per_period = (0..400_000).filter(|i| i % 97 == 53 || i % 97 == 71).count();
    assert_eq!(p.rejected_count, bad_per_period as u64 + 1);
    assert_eq!(p.rejected[1].line, 73);
    let file = TempFile::new(text.as_bytes());
    let from_file = read_csv(&file.0, ParseOptions::new().skip_bad_rows(true)).unwrap();
    assert_eq!(from_file.incidents, p.incidents);
    assert_eq!(from_file.rejected, p.rejected);
    assert_eq!(from_file.rejected_count, p.rejected_count);
}

#[test]
fn a_missing_file_is_an_io_error() {
    let err = read_csv(Path::new("/nonexistent/incidents.csv"), ParseOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().contains("/nonexistent/incidents.csv"));
}

#[test]
fn long_lines_grow_the_read_buffer() {
    let mut text = String::from("lat,lon,note,date\n");
    text.push_str(&format!("15.5,108.5,{},2025-06-01\n", "n".repeat(5000)));
    text.push_str("15.6,108.6,short,2025-06-02\n");
    let file = TempFile::new(text.as_bytes());
    let got = read_csv_in_parts(&file.0, ParseOptions::new(), Some(3), 64).unwrap();
    assert_eq!(got.incidents.len(), 2);
    assert_eq!(got.incidents[1].date(), date(2025, 6, 2));
}

#[test]
fn arbitrary_bytes_never_panic() {
    // Random lines drawn from the characters that matter to the parser,
    // after a valid header, through both entry points.
    let alphabet = b"0123456789.,-+e\"\r\n \tNaN:/T\xff\xc3\xa9";
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..3000 {
        let mut input = if round % 10 == 0 { Vec::new() } else { b"lat,lon,date\n".to_vec() };
        let len = (next() % 200) as usize;
        for _ in 0..len {
            input.push(alphabet[(next() % alphabet.len() as u64) as usize]);
        }
        // Also valid-looking rows with random damage.
        if round % 3 == 0 {
            input.extend_from_slice(b"15.1,108.2,2024-01-0");
            input.push(alphabet[(next() % alphabet.len() as u64) as usize]);
        }
        for options in [ParseOptions::new(), ParseOptions::new().skip_bad_rows(true)] {
            let _ = parse_csv(&input, options);
        }
        if round % 100 == 0 {
            let file = TempFile::new(&input);
            let _ = read_csv_in_parts(&file.0, ParseOptions::new(), Some(3), 5);
        }
    }
}
