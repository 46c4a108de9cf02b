//! The one CSV writer of every export. A spreadsheet opening a CSV reads a cell starting
//! with `=`, `+`, `-` or `@` (and, in some programs, a tab or carriage return) as a
//! formula, so a site named `=HYPERLINK("http://…")` becomes a live link in the officer's
//! Excel. [`CsvOut`] writes every cell through [`neutralise`], which puts a single quote
//! in front of such a cell, as OWASP's "CSV injection" page recommends; a cell that is
//! wholly a number (`-12.5`, a negative figure in a numeric column) is left as it is,
//! since a spreadsheet reads it as that number and nothing else. docs/decisions.md says
//! why.

use std::borrow::Cow;

/// Whether a cell is nothing but a decimal number (optional sign, digits, an optional
/// fraction and exponent): a spreadsheet reads it as a number, never as a formula.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// A cell safe to open in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or carriage
/// return gets a single quote in front, unless the whole cell is a plain number.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// A CSV file being written in memory, every cell neutralised. It mirrors the parts of
/// `csv::Writer` the exports use.
pub struct CsvOut(csv::Writer<Vec<u8>>);

impl Default for CsvOut {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvOut {
    /// An empty file.
    pub fn new() -> Self {
        CsvOut(csv::Writer::from_writer(Vec::new()))
    }

    /// Writes one record; every cell goes through [`neutralise`].
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<T> = record.into_iter().collect();
        self.0.write_record(cells.iter().map(|c| neutralise(c.as_ref()).into_owned()))
    }

    /// The bytes written (the error is the writer's flush error, as text).
    pub fn into_inner(self) -> Result<Vec<u8>, String> {
        self.0.into_inner().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_and_numbers_kept() {
        for (cell, out) in [
            ("=1+1", "'=1+1"),
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+84 90", "'+84 90"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("-1e5", "-1e5"),
            ("-1.", "'-1."),
            ("Quảng Ngãi", "Quảng Ngãi"),
            ("a=1", "a=1"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), out, "{cell:?}");
        }
    }

    #[test]
    fn the_writer_neutralises_every_cell() {
        let mut w = CsvOut::new();
        w.write_record(["name", "n"]).unwrap();
        w.write_record(["=1+1".to_owned(), "-4".to_owned()]).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "name,n\n'=1+1,-4\n");
    }
}
