//! Byte-level helpers for CSV fields: trimming, quoted fields, and a decimal
//! parser whose fast path covers coordinates as they are usually written.

/// Powers of ten that an `f64` holds exactly (10^22 is the largest).
pub(super) const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// Parses a decimal number, giving exactly what `str::parse::<f64>` gives.
///
/// Plain decimals (`-14.123456`) with at most 15 significant digits take a
/// fast path: the digits form an integer below 2^53 and the divisor is an
/// exact power of ten, so one IEEE division is correctly rounded, which is
/// the same result the standard parser returns. Anything else (exponents,
/// long mantissas, `inf`) goes to the standard parser.
pub(crate) fn parse_f64(text: &[u8]) -> Option<f64> {
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut mantissa: u64 = 0;
    let mut significant = 0u32;
    let mut fraction_digits = 0usize;
    let mut seen_point = false;
    let mut seen_digit = false;
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                seen_digit = true;
                if mantissa != 0 || c != b'0' {
                    significant += 1;
                    if significant > 15 {
                        return parse_slow(text);
                    }
                }
                mantissa = mantissa * 10 + u64::from(c - b'0');
                if seen_point {
                    fraction_digits += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => return parse_slow(text),
        }
    }
    if !seen_digit {
        return parse_slow(text);
    }
    let Some(&divisor) = EXACT_POWERS_OF_TEN.get(fraction_digits) else {
        return parse_slow(text);
    };
    // At most 15 significant digits, so the integer is exact in an f64.
    let value = mantissa as f64 / divisor;
    Some(if negative { -value } else { value })
}

fn parse_slow(text: &[u8]) -> Option<f64> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// Strips spaces and tabs around a field.
pub(crate) fn trim(field: &[u8]) -> &[u8] {
    let is_blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = field.iter().position(|b| !is_blank(b)).unwrap_or(field.len());
    let end = field.iter().rposition(|b| !is_blank(b)).map_or(start, |p| p + 1);
    &field[start..end]
}

/// The text of a field for an error message: lossy UTF-8, at most 40
/// characters, so that a garbage line cannot flood a terminal.
pub(crate) fn shorten(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(field);
    let mut out: String = text.chars().take(40).collect();
    if text.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// Splits one line into fields, honouring double quotes (`"a,b"`, with `""`
/// for a quote inside). The slow path: only lines containing a quote, and
/// the header, come here. A quote must open a field (after optional spaces)
/// to count as one; elsewhere it is an ordinary character.
pub(crate) fn split_quoted(line: &[u8]) -> Result<Vec<Vec<u8>>, UnclosedQuote> {
    let mut fields = Vec::new();
    let mut current = Vec::new();
    let mut i = 0;
    loop {
        let leading = line[i..].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        if line.get(i + leading) == Some(&b'"') {
            i += leading + 1;
            loop {
                match line.get(i) {
                    None => return Err(UnclosedQuote),
                    Some(b'"') if line.get(i + 1) == Some(&b'"') => {
                        current.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&b) => {
                        current.push(b);
                        i += 1;
                    }
                }
            }
            // Anything between the closing quote and the comma is kept, as
            // spreadsheets do; trimming removes the usual spaces.
            while let Some(&b) = line.get(i) {
                if b == b',' {
                    break;
                }
                current.push(b);
                i += 1;
            }
        } else {
            while let Some(&b) = line.get(i) {
                if b == b',' {
                    break;
                }
                current.push(b);
                i += 1;
            }
        }
        fields.push(std::mem::take(&mut current));
        if i >= line.len() {
            return Ok(fields);
        }
        // Skip the comma.
        i += 1;
    }
}

/// A quoted field runs to the end of its line.
#[derive(Debug)]
pub(crate) struct UnclosedQuote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_matches_the_standard_parser() {
        let samples = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "14.5",
            "108.123456",
            "-33.8688",
            "+12.25",
            ".5",
            "5.",
            "0.000001",
            "89.999999999999",
            "179.99999999999999",
            "1e2",
            "1.5E-3",
            "123456789012345",
            "1234567890123456",
            "0.1234567890123456789",
            "90",
            "-180",
            "15.000000000000000000000",
            "00000000000000000000014.1",
        ];
        for s in samples {
            let expected: f64 = s.parse().unwrap();
            let got = parse_f64(s.as_bytes()).unwrap();
            assert_eq!(got.to_bits(), expected.to_bits(), "{s}");
        }
        // A pseudo-random sweep of typical coordinates with 1 to 15 decimals.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let decimals = (state % 15) as usize + 1;
            let value = (state >> 11) as f64 / (1u64 << 53) as f64 * 360.0 - 180.0;
            let s = format!("{value:.decimals$}");
            let expected: f64 = s.parse().unwrap();
            assert_eq!(parse_f64(s.as_bytes()).unwrap().to_bits(), expected.to_bits(), "{s}");
        }
    }

    #[test]
    fn non_numbers_are_refused() {
        for s in ["", "-", ".", "+", "1.2.3", "abc", "1,5", "--1", "1 2"] {
            assert_eq!(parse_f64(s.as_bytes()), None, "{s}");
        }
        assert!(parse_f64(b"NaN").unwrap().is_nan());
        assert!(parse_f64(b"inf").unwrap().is_infinite());
    }

    #[test]
    fn quoted_fields_split_like_a_spreadsheet() {
        let f = split_quoted(br#""15.1", "108.2" ,"a ""b"", c",,x"#).unwrap();
        let f: Vec<String> = f.iter().map(|v| String::from_utf8(v.clone()).unwrap()).collect();
        assert_eq!(f, ["15.1", "108.2 ", "a \"b\", c", "", "x"]);
        assert!(split_quoted(br#"1,"2,3"#).is_err());
        assert_eq!(split_quoted(b"").unwrap().len(), 1);
        assert_eq!(trim(b"  1.5\t"), b"1.5");
        assert_eq!(trim(b"   "), b"");
        assert_eq!(shorten("x".repeat(50).as_bytes()).chars().count(), 41);
    }
}
