//! Property-based fuzzing of the import readers and the text checks at the edge (issue
//! 19, item 9; `cargo fuzz` needs nightly Rust). Arbitrary bytes and structured
//! mutations of valid files must never panic. Memory is bounded by construction (the
//! limits in `file_limits` are checked before anything is built) and measured by
//! `import_memory.rs`, which needs the process to itself. `PROPTEST_CASES` sets the
//! number of cases (small by default; `scripts/fuzz.sh` runs many).

use diaban_web::fuzz::{self, SHEET_END, SHEET_START, import_header_row, text_cell, workbook};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// A valid import workbook of a few rows, as raw XML parts.
fn valid_sheet(rows: usize) -> String {
    let body: String = (2..rows + 2)
        .map(|r| {
            format!(
                r#"<row r="{r}">{}{}{}{}{}</row>"#,
                text_cell(&format!("A{r}"), "point"),
                text_cell(&format!("B{r}"), "Nhà trọ"),
                text_cell(&format!("C{r}"), "23293"),
                text_cell(&format!("D{r}"), "14.35"),
                text_cell(&format!("E{r}"), "108.0"),
            )
        })
        .collect();
    format!("{SHEET_START}{}{body}{SHEET_END}", import_header_row())
}

/// Cell references and dimensions a hostile sheet might carry.
fn cell_ref() -> impl Strategy<Value = String> {
    prop_oneof![
        ("[A-Z]{1,3}", 0u64..2_000_000).prop_map(|(c, r)| format!("{c}{r}")),
        Just("XFD1048576".to_owned()),
        "[A-Za-z$0-9:]{0,12}",
    ]
}

fn hostile_sheet() -> impl Strategy<Value = String> {
    (prop::collection::vec((cell_ref(), any::<bool>(), 0u32..3), 0..20), prop::option::of(cell_ref()))
        .prop_map(|(cells, dim)| {
            let cells: String = cells
                .into_iter()
                .map(|(r, shared, v)| {
                    if shared {
                        format!(r#"<row><c r="{r}" t="s"><v>{v}</v></c></row>"#)
                    } else {
                        format!(r#"<row><c r="{r}"><v>{v}</v></c></row>"#)
                    }
                })
                .collect();
            let dim = dim.map(|d| format!(r#"<dimension ref="A1:{d}"/>"#)).unwrap_or_default();
            format!("{SHEET_START}{}{cells}{SHEET_END}", import_header_row())
                .replace("<sheetData>", &format!("{dim}<sheetData>"))
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_import_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = fuzz::sites_import(&bytes, false);
    }

    #[test]
    fn csv_import_survives_mutated_files(
        rows in 0usize..50,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut text = String::from("kind,name,unit,lat,lon\n");
        for i in 0..rows {
            text.push_str(&format!("point,\"Nhà, {i}\",23293,14.35,108.0\n"));
        }
        let mut bytes = text.into_bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let _ = fuzz::sites_import(&bytes, false);
    }

    #[test]
    fn xlsx_import_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = fuzz::sites_import(&bytes, true);
    }

    #[test]
    fn xlsx_import_survives_mutated_workbooks(
        rows in 0usize..20,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = workbook(&valid_sheet(rows), None);
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let _ = fuzz::sites_import(&bytes, true);
    }

    #[test]
    fn xlsx_import_survives_hostile_sheets(sheet in hostile_sheet(), long in 0usize..200_000) {
        let shared = format!("<sst><si><t>{}</t></si><si><t>b</t></si></sst>", "x".repeat(long));
        let bytes = workbook(&sheet, Some(&shared));
        let _ = fuzz::sites_import(&bytes, true);
    }

    #[test]
    fn edge_text_checks_survive_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = fuzz::urlencoded_ok(&bytes);
        let _ = fuzz::json_control(&bytes);
    }
}
