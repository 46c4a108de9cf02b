//! The statistical tables as a workbook: the letterhead in two merged blocks, the title,
//! the period, then one table per section of the template (the indicator tables, the
//! targets T1–T6, the personal-data protection counts and the breach register, and the
//! registry sections of [`crate::tables`]), each with a merged heading and
//! bold, bordered, wrapped headers. A4 portrait, one page wide, Times New Roman.

use crate::tables::{Cell, Table, tables};
use crate::{Document, Error, MOTTO};
use diaban_domain::indicator::Measure;
use diaban_domain::report::template::{Column, Section, TARGET_INDICATORS};
use diaban_domain::report::{number_line, place_date_line};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// The sheet's name.
pub const SHEET: &str = "Báo cáo";

/// The columns the sheet spans: STT, the name, up to five figures.
const WIDTH: u16 = 7;

struct Formats {
    plain: Format,
    bold_center: Format,
    center: Format,
    italic_center: Format,
    title: Format,
    section: Format,
    head: Format,
    text: Format,
    stt: Format,
    count: Format,
    percent: Format,
    change_percent: Format,
    change_points: Format,
    blank: Format,
    quantity: Format,
    bold_text: Format,
    bold_count: Format,
}

fn formats() -> Formats {
    let f = || Format::new().set_font_name("Times New Roman").set_font_size(13);
    let cell = || f().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
    Formats {
        plain: f(),
        bold_center: f().set_bold().set_align(FormatAlign::Center),
        center: f().set_align(FormatAlign::Center),
        italic_center: f().set_italic().set_align(FormatAlign::Center),
        title: f().set_bold().set_font_size(14).set_align(FormatAlign::Center).set_text_wrap(),
        section: f().set_bold(),
        head: cell()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color("#E8EEF7"),
        text: cell().set_text_wrap(),
        stt: cell().set_align(FormatAlign::Center),
        count: cell().set_num_format("#,##0"),
        percent: cell().set_num_format("0.0\"%\""),
        change_percent: cell().set_num_format("+0.0\"%\";-0.0\"%\";0\"%\""),
        change_points: cell().set_num_format("+0.0\" điểm %\";-0.0\" điểm %\";0\" điểm %\""),
        blank: cell().set_align(FormatAlign::Center),
        quantity: cell().set_num_format("#,##0.###"),
        bold_text: cell().set_text_wrap().set_bold(),
        bold_count: cell().set_num_format("#,##0").set_bold(),
    }
}

/// The workbook's bytes.
pub fn xlsx(doc: &Document<'_>) -> Result<Vec<u8>, Error> {
    Ok(workbook(doc)?)
}

fn number(
    sheet: &mut Worksheet,
    r: u32,
    c: u16,
    v: Option<f64>,
    f: &Format,
    fm: &Formats,
) -> Result<(), XlsxError> {
    match v {
        Some(v) => sheet.write_number_with_format(r, c, v, f)?,
        None => sheet.write_string_with_format(r, c, "—", &fm.blank)?,
    };
    Ok(())
}

fn workbook(doc: &Document<'_>) -> Result<Vec<u8>, XlsxError> {
    let fm = formats();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET)?;
    let lh = doc.letterhead;
    let figures = doc.figures;
    // The letterhead: the issuer's block on the left (A:C), the motto on the right (D:G).
    sheet.merge_range(0, 0, 0, 2, &lh.superior, &fm.center)?;
    sheet.merge_range(0, 3, 0, WIDTH - 1, MOTTO.0, &fm.bold_center)?;
    sheet.merge_range(1, 0, 1, 2, &lh.issuer, &fm.bold_center)?;
    sheet.merge_range(1, 3, 1, WIDTH - 1, MOTTO.1, &fm.bold_center)?;
    sheet.merge_range(2, 0, 2, 2, &number_line(doc.number, &lh.symbol), &fm.center)?;
    sheet.merge_range(2, 3, 2, WIDTH - 1, &place_date_line(&lh.place, doc.issued_on), &fm.italic_center)?;
    let mut r = 4;
    if doc.draft {
        sheet.merge_range(r, 0, r, WIDTH - 1, "DỰ THẢO", &fm.bold_center)?;
        r += 1;
    }
    sheet.merge_range(r, 0, r, WIDTH - 1, doc.title, &fm.title)?;
    sheet.set_row_height(r, 36)?;
    r += 1;
    sheet.merge_range(r, 0, r, WIDTH - 1, &doc.period_line(), &fm.italic_center)?;
    r += 1;
    sheet.merge_range(
        r,
        0,
        r,
        WIDTH - 1,
        &format!("Đơn vị: {} ({})", figures.unit_name, figures.unit_code),
        &fm.center,
    )?;
    r += 2;
    for section in &doc.template.sections {
        match section {
            Section::Narrative { .. } => continue,
            Section::Table { title, rows, columns } => {
                sheet.merge_range(r, 0, r, WIDTH - 1, title, &fm.section)?;
                r += 1;
                let heads: Vec<&str> = columns.iter().map(|c| c.header_vi()).collect();
                header(sheet, r, &heads, &fm)?;
                r += 1;
                for (i, id) in rows.iter().enumerate() {
                    let fig = figures.get(*id);
                    sheet.write_number_with_format(r, 0, (i + 1) as f64, &fm.stt)?;
                    sheet.write_string_with_format(r, 1, id.label_vi(), &fm.text)?;
                    let value_f = match id.measure() {
                        Measure::Count => &fm.count,
                        _ => &fm.percent,
                    };
                    for (j, col) in columns.iter().take(usize::from(WIDTH - 2)).enumerate() {
                        let c = 2 + j as u16;
                        let target =
                            figures.targets.iter().find(|t| t.indicator == *id && !t.target.is_empty());
                        match col {
                            Column::Value => number(sheet, r, c, fig.and_then(|f| f.value), value_f, &fm)?,
                            Column::SamePeriodLastYear => {
                                number(sheet, r, c, fig.and_then(|f| f.previous), value_f, &fm)?
                            }
                            Column::Change => {
                                let cf = match id.measure() {
                                    Measure::Count => &fm.change_percent,
                                    _ => &fm.change_points,
                                };
                                number(sheet, r, c, fig.and_then(|f| f.change()), cf, &fm)?
                            }
                            Column::Target => {
                                sheet.write_string_with_format(
                                    r,
                                    c,
                                    target.map_or("—", |t| t.target.as_str()),
                                    &fm.text,
                                )?;
                            }
                            Column::Status => {
                                let s = target.and_then(|t| t.status).map_or("—", |s| s.label_vi());
                                sheet.write_string_with_format(r, c, s, &fm.blank)?;
                            }
                        }
                    }
                    r += 1;
                }
                r += 1;
            }
            Section::Targets { title } => {
                sheet.merge_range(r, 0, r, WIDTH - 1, title, &fm.section)?;
                r += 1;
                targets_header(sheet, r, &fm)?;
                r += 1;
                for (i, id) in TARGET_INDICATORS.iter().enumerate() {
                    let t = figures.targets.iter().find(|t| t.indicator == *id);
                    sheet.write_number_with_format(r, 0, (i + 1) as f64, &fm.stt)?;
                    sheet.write_string_with_format(r, 1, id.label_vi(), &fm.text)?;
                    let value = t.and_then(|t| t.current).or_else(|| figures.get(*id).and_then(|f| f.value));
                    number(sheet, r, 2, value, &fm.percent, &fm)?;
                    let target = t
                        .map(|t| t.target.as_str())
                        .filter(|s| !s.is_empty())
                        .unwrap_or("Chưa giao chỉ tiêu");
                    sheet.merge_range(r, 3, r, 5, target, &fm.text)?;
                    let s = t.and_then(|t| t.status).map_or("—", |s| s.label_vi());
                    sheet.write_string_with_format(r, 6, s, &fm.blank)?;
                    sheet.set_row_height(r, 48)?;
                    r += 1;
                }
                if let Some(plan) = &figures.plan {
                    sheet.merge_range(
                        r,
                        0,
                        r,
                        WIDTH - 1,
                        &match &figures.plan_territory {
                            Some(t) => format!("Chỉ tiêu theo Kế hoạch số {plan}, đánh giá trên {t}."),
                            None => format!("Chỉ tiêu theo Kế hoạch số {plan}."),
                        },
                        &fm.plain,
                    )?;
                    r += 1;
                }
                r += 1;
            }
            Section::Tasks { title }
            | Section::Escalations { title }
            | Section::Seizures { title }
            | Section::Persons { title }
            | Section::Businesses { title }
            | Section::Classification { title }
            | Section::PropagandaVenues { title } => {
                sheet.merge_range(r, 0, r, WIDTH - 1, title, &fm.section)?;
                r += 1;
                for t in tables(section, figures) {
                    r = registry_table(sheet, r, &t, &fm)?;
                }
            }
            Section::Protection { title } => {
                sheet.merge_range(r, 0, r, WIDTH - 1, title, &fm.section)?;
                r += 1;
                header(sheet, r, &["Số lượt"], &fm)?;
                r += 1;
                for (i, (_, label, n)) in figures.protection.lines().iter().enumerate() {
                    sheet.write_number_with_format(r, 0, (i + 1) as f64, &fm.stt)?;
                    sheet.write_string_with_format(r, 1, *label, &fm.text)?;
                    sheet.write_number_with_format(r, 2, *n as f64, &fm.count)?;
                    r += 1;
                }
                sheet.merge_range(
                    r,
                    0,
                    r,
                    WIDTH - 1,
                    "Số liệu tổng hợp từ nhật ký hệ thống; báo cáo không chứa thông tin định danh.",
                    &fm.plain,
                )?;
                r += 2;
                for t in tables(section, figures) {
                    r = registry_table(sheet, r, &t, &fm)?;
                }
            }
        }
    }
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 48)?;
    for c in 2..WIDTH {
        sheet.set_column_width(c, 14)?;
    }
    sheet.set_paper_size(9);
    sheet.set_portrait();
    sheet.set_margins(0.6, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_footer("&C&\"Times New Roman\"Trang &P/&N");
    book.save_to_buffer()
}

/// A registry table from row `r`: its headers, its rows (numbers with their formats, bold
/// headings and totals), its note; returns the row after it and a blank line.
fn registry_table(sheet: &mut Worksheet, mut r: u32, t: &Table, fm: &Formats) -> Result<u32, XlsxError> {
    for (j, h) in t.head.iter().take(usize::from(WIDTH)).enumerate() {
        sheet.write_string_with_format(r, j as u16, *h, &fm.head)?;
    }
    sheet.set_row_height(r, 34)?;
    r += 1;
    for row in &t.rows {
        for (j, c) in row.cells.iter().take(usize::from(WIDTH)).enumerate() {
            let j = j as u16;
            let (text_f, count_f) =
                if row.bold { (&fm.bold_text, &fm.bold_count) } else { (&fm.text, &fm.count) };
            match c {
                Cell::Text(s) if j == 0 => sheet.write_string_with_format(r, j, s, &fm.stt)?,
                Cell::Text(s) => sheet.write_string_with_format(r, j, s, text_f)?,
                Cell::Count(n) if j == 0 => sheet.write_number_with_format(r, j, *n as f64, &fm.stt)?,
                Cell::Count(n) => sheet.write_number_with_format(r, j, *n as f64, count_f)?,
                Cell::Quantity(q) => sheet.write_number_with_format(r, j, *q, &fm.quantity)?,
                Cell::Blank => sheet.write_string_with_format(r, j, "—", &fm.blank)?,
            };
        }
        r += 1;
    }
    if let Some(note) = &t.note {
        sheet.merge_range(r, 0, r, WIDTH - 1, note, &fm.plain)?;
        r += 1;
    }
    Ok(r + 1)
}

/// A header row: "STT", "Chỉ tiêu", then the given headers.
fn header(sheet: &mut Worksheet, r: u32, heads: &[&str], fm: &Formats) -> Result<(), XlsxError> {
    sheet.write_string_with_format(r, 0, "STT", &fm.head)?;
    sheet.write_string_with_format(r, 1, "Chỉ tiêu", &fm.head)?;
    for (j, h) in heads.iter().take(usize::from(WIDTH - 2)).enumerate() {
        sheet.write_string_with_format(r, 2 + j as u16, *h, &fm.head)?;
    }
    sheet.set_row_height(r, 34)?;
    Ok(())
}

/// The targets table's header: the target's text spans three columns (D:F).
fn targets_header(sheet: &mut Worksheet, r: u32, fm: &Formats) -> Result<(), XlsxError> {
    header(sheet, r, &["Giá trị"], fm)?;
    sheet.merge_range(r, 3, r, 5, "Chỉ tiêu kế hoạch", &fm.head)?;
    sheet.write_string_with_format(r, 6, "Đánh giá", &fm.head)?;
    Ok(())
}
