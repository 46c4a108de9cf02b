//! Issue 19, items 1 and 2: how much memory an import of a hostile workbook takes. A
//! file of a few hundred kilobytes whose cells all copy one long shared string took the
//! server to gigabytes, and a sheet declaring a cell at XFD1048576 aborted it. The peak
//! resident size of this process (Linux `VmHWM`, reset through `/proc/self/clear_refs`)
//! is measured around the reader, so this file holds one test: nothing else may run
//! beside it.

use diaban_web::fuzz::{self, SHEET_END, SHEET_START, import_header_row, workbook};

const MIB: u64 = 1024 * 1024;
/// A small multiple of the 10 MiB upload limit.
const IMPORT_MEMORY: u64 = 8 * 10 * MIB;

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The growth of the peak resident size while `f` runs, when the system can tell.
fn peak_growth<T>(f: impl FnOnce() -> T) -> (T, Option<u64>) {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kib("VmRSS:");
    let out = f();
    let after = status_kib("VmHWM:");
    let growth = match (reset, before, after) {
        (true, Some(b), Some(a)) => Some(a.saturating_sub(b) * 1024),
        _ => None,
    };
    (out, growth)
}

#[test]
fn hostile_workbooks_are_refused_within_a_bounded_amount_of_memory() {
    // Item 2: 10,000 cells each copying a 40,000-character shared string (400 MB).
    let shared = format!("<sst><si><t>{}</t></si></sst>", "x".repeat(40_000));
    let cells: String =
        (2..10_002).map(|r| format!(r#"<row r="{r}"><c r="B{r}" t="s"><v>0</v></c></row>"#)).collect();
    let copies = workbook(&format!("{SHEET_START}{}{cells}{SHEET_END}", import_header_row()), Some(&shared));
    assert!((copies.len() as u64) < MIB, "{} bytes", copies.len());
    // Item 1: one cell at XFD1048576 (549 GB as a dense range).
    let far = workbook(
        &format!(
            r#"{SHEET_START}{}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>{SHEET_END}"#,
            import_header_row()
        ),
        None,
    );
    for (what, book) in [("shared-string copies", copies), ("far cell", far)] {
        let (result, growth) = peak_growth(|| fuzz::sites_import(&book, true));
        assert!(result.is_err(), "{what}: refused");
        if let Some(g) = growth {
            assert!(g < IMPORT_MEMORY, "{what}: peak grew by {} MiB", g / MIB);
        }
    }
}
