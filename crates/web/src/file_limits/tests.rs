use super::*;
use crate::fuzz::{SHEET_END, SHEET_START, import_header_row, text_cell, workbook};
use crate::i18n::Lang;

fn sheet(rows: &str) -> String {
    format!("{SHEET_START}{}{rows}{SHEET_END}", import_header_row())
}

#[test]
fn an_ordinary_workbook_passes() {
    let row = format!(r#"<row r="2">{}{}</row>"#, text_cell("A2", "point"), text_cell("B2", "Nhà trọ"));
    assert_eq!(check_xlsx(&workbook(&sheet(&row), None)), Ok(()));
}

#[test]
fn far_cells_and_declared_dimensions_are_refused_by_reach() {
    let far = workbook(&sheet(r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#), None);
    assert!(matches!(check_xlsx(&far), Err(SheetRefusal::Reach { ref cell, .. }) if cell == "XFD1048576"));
    let declared = sheet("").replace("<sheetData>", r#"<dimension ref="A1:XFD1048576"/><sheetData>"#);
    assert!(matches!(check_xlsx(&workbook(&declared, None)), Err(SheetRefusal::Reach { .. })));
    // A cell without a reference in a far row, and cells without references running past BL.
    assert!(matches!(
        check_xlsx(&workbook(&sheet(r#"<row r="20001"><c><v>1</v></c></row>"#), None)),
        Err(SheetRefusal::Reach { ref cell, .. }) if cell == "A20001"
    ));
    assert_eq!(check_xlsx(&workbook(&sheet(r#"<row r="20001"/>"#), None)), Ok(()));
    let many: String = (0..70).map(|_| "<c><v>1</v></c>").collect();
    let wide = workbook(&sheet(&format!("<row>{many}</row>")), None);
    assert!(matches!(check_xlsx(&wide), Err(SheetRefusal::Reach { ref cell, .. }) if cell == "BM2"));
}

#[test]
fn a_sparse_span_is_refused_by_its_area() {
    let span = workbook(&sheet(r#"<row r="19999"><c r="BL19999"><v>1</v></c></row>"#), None);
    assert!(matches!(check_xlsx(&span), Err(SheetRefusal::Cells { count, .. }) if count == 64 * 19_999));
}

#[test]
fn a_long_shared_string_copied_into_many_cells_is_refused() {
    let shared = format!(r#"<sst><si><t>{}</t></si></sst>"#, "x".repeat(100_000));
    let cells: String =
        (2..400).map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#)).collect();
    let book = workbook(&sheet(&cells), Some(&shared));
    assert!(matches!(check_xlsx(&book), Err(SheetRefusal::CellText { .. })));
}

#[test]
fn a_zip_bomb_is_refused_from_its_directory() {
    let padding = " ".repeat(8 * 1024 * 1024);
    let book = workbook(&sheet(&padding), None);
    assert!(book.len() < 64 * 1024, "{}", book.len());
    assert!(matches!(check_xlsx(&book), Err(SheetRefusal::Container(ContainerRefusal::RatioTooHigh { .. }))));
}

#[test]
fn cell_references_parse_with_and_without_dollars() {
    assert_eq!(parse_cell_ref("A1"), Some((Some(1), Some(1))));
    assert_eq!(parse_cell_ref("$BL$20000"), Some((Some(64), Some(20_000))));
    assert_eq!(parse_cell_ref("XFD1048576"), Some((Some(16_384), Some(1_048_576))));
    assert_eq!(parse_cell_ref("B"), Some((Some(2), None)));
    assert_eq!(parse_cell_ref("12"), Some((None, Some(12))));
    assert_eq!(parse_cell_ref("A1B"), None);
    assert_eq!(parse_cell_ref(""), None);
    assert_eq!(parse_cell_ref(&"Z".repeat(40)), Some((Some(u64::MAX), Some(u64::MAX))));
    assert_eq!(column_name(1), "A");
    assert_eq!(column_name(64), "BL");
    assert_eq!(column_name(16_384), "XFD");
}

#[test]
fn non_utf8_text_is_named_with_its_likely_encoding_and_line() {
    let tr = Tr(Lang::Vi);
    let m = not_utf8_text(b"kind,name\npoint,Nh\xe0 tro\xf2\n", tr);
    assert!(m.contains("dòng 2") && m.contains("Windows-1258") && m.contains("CSV UTF-8"), "{m}");
    let utf16: Vec<u8> = [0xFF, 0xFE, b'k', 0, b'i', 0].to_vec();
    assert!(not_utf8_text(&utf16, tr).contains("UTF-16"));
    assert_eq!(utf8_text("\u{feff}kind".as_bytes(), tr), Ok("kind"));
    assert_eq!(first_control_line("a\nb\nc\u{0}"), Some((3, '\0')));
    assert_eq!(first_control_line("a\tb\r\n"), None);
}
