//! The EHSA output file (ANALYTICS.md §1, "Output").

use std::fmt::Write as _;
use std::io::Write;

use super::EhsaRow;

/// The header line of the EHSA output CSV.
pub const EHSA_CSV_HEADER: &str = "cell,lat,lon,category,hot_bins,cold_bins,final_z,mk_tau,mk_z,mk_p";

/// Writes EHSA rows as CSV: the header [`EHSA_CSV_HEADER`], then one line
/// per location sorted by cell, the cell as lowercase hexadecimal, every
/// float with 6 decimals, `\n` line ends.
///
/// ```
/// use diaban_analytics::{Date, Ehsa, Incident, write_ehsa_csv};
/// let date = Date::new(2025, 1, 5).unwrap();
/// let report = Ehsa::default().analyse(&[Incident::new(15.1, 108.8, date).unwrap()]).unwrap();
/// let mut out = Vec::new();
/// write_ehsa_csv(report.rows(), &mut out).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("cell,lat,lon,category,"));
/// assert!(text.lines().nth(1).unwrap().ends_with(",NO_PATTERN,0,0,0.000000,0.000000,0.000000,1.000000"));
/// ```
pub fn write_ehsa_csv<W: Write>(rows: &[EhsaRow], mut out: W) -> std::io::Result<()> {
    let mut order: Vec<&EhsaRow> = rows.iter().collect();
    // Reports are already sorted; this keeps the promise for any slice.
    order.sort_by_key(|r| r.cell);
    let mut text = String::with_capacity(100 * (rows.len() + 1));
    text.push_str(EHSA_CSV_HEADER);
    text.push('\n');
    for r in order {
        // Writing into a String cannot fail.
        let _ = writeln!(
            text,
            "{:x},{:.6},{:.6},{},{},{},{:.6},{:.6},{:.6},{:.6}",
            r.cell,
            r.lat,
            r.lon,
            r.category.as_str(),
            r.hot_bins,
            r.cold_bins,
            r.final_z,
            r.trend.tau,
            r.trend.z,
            r.trend.p
        );
    }
    out.write_all(text.as_bytes())?;
    out.flush()
}
