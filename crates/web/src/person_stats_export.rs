//! The persons statistics of a statistical year as a table for officials: one row per
//! commune of the scope and a total row, the breakdowns of DOMAIN.md §5 side by side
//! under merged section headings, the growth against the year before (T6) and the share
//! reached by services (T5). XLSX with Vietnamese headers and print setup, or CSV with
//! stable machine keys. Aggregates only: no identity reaches this module.

use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use diaban_domain::person::stats::{
    Breakdown, HELD_LINES, PersonStats, REHAB_FORMS, USE_DURATION_BANDS, growth,
};
use diaban_domain::person::{AgeBand, EpisodeKind, HeldIn, Substance};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

fn label<T: Copy>(tr: Tr, v: T, vi: fn(T) -> &'static str, en: fn(T) -> &'static str) -> &'static str {
    if tr.0 == Lang::Vi { vi(v) } else { en(v) }
}

/// One count of a section: its CSV key, its label and the count.
pub(crate) type Cell = (String, String, i64);

/// The breakdown as labelled sections: `(heading, cells)`, in the order the page and the
/// workbook show them.
pub(crate) fn sections(tr: Tr, b: &Breakdown) -> Vec<(String, Vec<Cell>)> {
    let vi = tr.0 == Lang::Vi;
    let pick = |a: &'static str, e: &'static str| if vi { a.to_owned() } else { e.to_owned() };
    let keyed = |prefix: &str, key: &str| format!("{prefix}_{key}");
    vec![
        (
            tr.t("records.by_age").into(),
            AgeBand::ALL
                .iter()
                .map(|a| {
                    (
                        keyed("age", a.as_str()),
                        label(tr, *a, AgeBand::label_vi, AgeBand::label_en).to_owned(),
                        b.by_age_band[a.as_str()],
                    )
                })
                .collect(),
        ),
        (
            tr.t("persons.sex").into(),
            vec![
                ("sex_male".into(), tr.t("persons.male").into(), b.by_sex["male"]),
                ("sex_female".into(), tr.t("persons.female").into(), b.by_sex["female"]),
            ],
        ),
        (
            tr.t("persons.ethnicity").into(),
            vec![
                ("ethnicity_kinh".into(), pick("Kinh", "Kinh"), b.kinh),
                ("ethnicity_other".into(), pick("Dân tộc khác", "Other ethnicities"), b.other_ethnicity),
            ],
        ),
        (
            tr.t("records.substances").into(),
            Substance::ALL
                .iter()
                .map(|s| {
                    (
                        keyed("substance", s.as_str()),
                        label(tr, *s, Substance::label_vi, Substance::label_en).to_owned(),
                        b.by_substance[s.as_str()],
                    )
                })
                .chain([(
                    "substance_unknown".to_owned(),
                    tr.t("records.unknown").to_owned(),
                    b.by_substance["unknown"],
                )])
                .collect(),
        ),
        (
            tr.t("records.use_duration").into(),
            USE_DURATION_BANDS
                .iter()
                .map(|k| {
                    (keyed("use", k), tr.t(&format!("records.use_{k}")).to_owned(), b.by_use_duration[k])
                })
                .collect(),
        ),
        (
            tr.t("records.rehab_form").into(),
            REHAB_FORMS
                .iter()
                .map(|k| {
                    (
                        keyed("rehab", k.as_str()),
                        label(tr, *k, EpisodeKind::label_vi, EpisodeKind::label_en).to_owned(),
                        b.by_rehab_form[k.as_str()],
                    )
                })
                .collect(),
        ),
        (
            tr.t("records.held_in").into(),
            HELD_LINES
                .iter()
                .map(|k| {
                    let l = match k.parse::<HeldIn>() {
                        Ok(h) => label(tr, h, HeldIn::label_vi, HeldIn::label_en).to_owned(),
                        Err(_) => tr.t("records.in_rehab_facility").to_owned(),
                    };
                    (keyed("held", k), l, b.by_held[k])
                })
                .collect(),
        ),
    ]
}

/// One line of the table: a commune or the total.
pub(crate) struct Line {
    /// Unit code (empty on the total line).
    pub code: String,
    /// Unit name, or "Tổng cộng".
    pub name: String,
    /// This year's breakdown.
    pub cur: Breakdown,
    /// Persons with records the year before.
    pub previous: i64,
}

/// The lines of the table: communes in code order, then the total.
pub(crate) fn lines(
    tr: Tr,
    cur: &PersonStats,
    prev: &PersonStats,
    names: &std::collections::HashMap<i64, (String, String)>,
) -> Vec<Line> {
    let mut out: Vec<Line> = cur
        .by_unit
        .iter()
        .map(|(id, b)| {
            let (code, name) = names.get(id).cloned().unwrap_or_default();
            Line { code, name, cur: b.clone(), previous: prev.by_unit.get(id).map_or(0, |p| p.with_records) }
        })
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out.push(Line {
        code: String::new(),
        name: tr.t("records.total_line").to_owned(),
        cur: cur.total.clone(),
        previous: prev.total.with_records,
    });
    out
}

/// The fixed columns before the breakdowns: `(key, header)`.
fn leading(tr: Tr) -> [(&'static str, String); 7] {
    [
        ("unit_code", tr.t("records.col_code").to_owned()),
        ("unit_name", tr.t("records.col_unit").to_owned()),
        ("with_records", tr.t("records.col_with_records").to_owned()),
        ("previous_year", tr.t("records.col_previous").to_owned()),
        ("growth_percent", tr.t("records.col_growth").to_owned()),
        ("reached", tr.t("records.col_reached").to_owned()),
        ("t5_percent", tr.t("records.col_t5").to_owned()),
    ]
}

fn percent(x: Option<f64>) -> Option<f64> {
    x.map(|x| (x * 1000.0).round() / 10.0)
}

/// The CSV: one header line of keys, one line per commune and the total.
pub(crate) fn csv(tr: Tr, lines: &[Line]) -> Result<Vec<u8>, AppError> {
    let mut w = crate::export::CsvOut::new();
    let io = |e: csv::Error| AppError::internal(e);
    let Some(first) = lines.first() else { return Ok(Vec::new()) };
    let mut header: Vec<String> = leading(tr).iter().map(|(k, _)| (*k).to_owned()).collect();
    header.extend(sections(tr, &first.cur).into_iter().flat_map(|(_, cells)| cells.into_iter().map(|c| c.0)));
    w.write_record(&header).map_err(io)?;
    let num = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
    for l in lines {
        let mut row = vec![
            l.code.clone(),
            l.name.clone(),
            l.cur.with_records.to_string(),
            l.previous.to_string(),
            num(percent(growth(l.cur.with_records, l.previous))),
            l.cur.reached_by_services.to_string(),
            num(percent(l.cur.t5_rate())),
        ];
        row.extend(
            sections(tr, &l.cur).into_iter().flat_map(|(_, c)| c.into_iter().map(|c| c.2.to_string())),
        );
        w.write_record(&row).map_err(io)?;
    }
    w.into_inner().map_err(|e| AppError::internal(e.to_string()))
}

/// The workbook: a title, the period, two header rows (sections merged over their
/// columns), the lines, A4 landscape fitted to one page wide with the headers repeated.
pub(crate) fn xlsx(tr: Tr, title: &str, period: &str, lines: &[Line]) -> Result<Vec<u8>, AppError> {
    workbook(tr, title, period, lines).map_err(AppError::internal)
}

fn workbook(tr: Tr, title: &str, period: &str, lines: &[Line]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(tr.t("records.sheet_name"))?;
    let font = |f: Format| f.set_font_name("Times New Roman").set_font_size(12);
    let title_f = font(Format::new()).set_bold().set_font_size(14).set_align(FormatAlign::Center);
    let head = font(Format::new())
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#E8EEF7");
    let int = font(Format::new()).set_num_format("#,##0").set_border(FormatBorder::Thin);
    let pct = font(Format::new()).set_num_format("0.0").set_border(FormatBorder::Thin);
    let text = font(Format::new()).set_border(FormatBorder::Thin);
    let bold_int = int.clone().set_bold();
    let bold_text = text.clone().set_bold();
    let Some(first) = lines.first() else { return book.save_to_buffer() };
    let secs = sections(tr, &first.cur);
    let lead = leading(tr);
    let width: u16 = (lead.len() + secs.iter().map(|s| s.1.len()).sum::<usize>()) as u16;
    sheet.merge_range(0, 0, 0, width - 1, title, &title_f)?;
    sheet.merge_range(1, 0, 1, width - 1, period, &font(Format::new()).set_align(FormatAlign::Center))?;
    // Rows 3–4: the leading columns span both header rows; each section spans its columns.
    for (c, (_, h)) in lead.iter().enumerate() {
        sheet.merge_range(3, c as u16, 4, c as u16, h, &head)?;
    }
    sheet.set_column_width(0, 10)?;
    sheet.set_column_width(1, 28)?;
    for c in 2..lead.len() as u16 {
        sheet.set_column_width(c, 11)?;
    }
    let mut c = lead.len() as u16;
    for (heading, cells) in &secs {
        let n = cells.len() as u16;
        if n > 1 {
            sheet.merge_range(3, c, 3, c + n - 1, heading, &head)?;
        } else {
            sheet.write_string_with_format(3, c, heading, &head)?;
        }
        for (i, (_, l, _)) in cells.iter().enumerate() {
            sheet.write_string_with_format(4, c + i as u16, l, &head)?;
            sheet.set_column_width(c + i as u16, 11)?;
        }
        c += n;
    }
    sheet.set_row_height(4, 45)?;
    for (i, l) in lines.iter().enumerate() {
        let r = 5 + i as u32;
        let total = i + 1 == lines.len();
        let (tf, nf) = if total { (&bold_text, &bold_int) } else { (&text, &int) };
        sheet.write_string_with_format(r, 0, &l.code, tf)?;
        sheet.write_string_with_format(r, 1, &l.name, tf)?;
        sheet.write_number_with_format(r, 2, l.cur.with_records as f64, nf)?;
        sheet.write_number_with_format(r, 3, l.previous as f64, nf)?;
        match percent(growth(l.cur.with_records, l.previous)) {
            Some(g) => sheet.write_number_with_format(r, 4, g, &pct)?,
            None => sheet.write_blank(r, 4, &pct)?,
        };
        sheet.write_number_with_format(r, 5, l.cur.reached_by_services as f64, nf)?;
        match percent(l.cur.t5_rate()) {
            Some(t) => sheet.write_number_with_format(r, 6, t, &pct)?,
            None => sheet.write_blank(r, 6, &pct)?,
        };
        let counts = sections(tr, &l.cur).into_iter().flat_map(|(_, c)| c.into_iter().map(|c| c.2));
        for (j, n) in counts.enumerate() {
            sheet.write_number_with_format(r, lead.len() as u16 + j as u16, n as f64, nf)?;
        }
    }
    sheet.set_freeze_panes(5, 2)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(3, 4)?;
    book.save_to_buffer()
}
