//! The narrative report as a WordprocessingML document, written by hand into a zip
//! (docs/decisions.md says why not a DOCX crate). Layout per Decree 30/2020/NĐ-CP,
//! Appendix I: A4, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New
//! Roman; a borderless two-column heading with the issuing body, its number and symbol
//! on the left and the national motto, place and date on the right; the title; the body
//! (narratives with their figures filled in, and the template's tables); then the
//! recipients (Nơi nhận) on the left and the signature block on the right.

use crate::tables::{Table, tables};
use crate::{Document, Error, MOTTO};
use diaban_domain::report::template::{Column, Section, TARGET_INDICATORS};
use diaban_domain::report::{fmt_change_vi, fmt_count_vi, fmt_value_vi, number_line, place_date_line};
use std::io::Write;

/// Font sizes in half-points.
const SZ_BODY: u32 = 28; // 14 pt
const SZ_HEAD: u32 = 26; // 13 pt
const SZ_TABLE: u32 = 24; // 12 pt
const SZ_RECIPIENTS: u32 = 22; // 11 pt

/// The document's bytes.
pub fn docx(doc: &Document<'_>) -> Result<Vec<u8>, Error> {
    let body = document_xml(doc);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let title = esc(doc.title);
    let parts: [(&str, String); 6] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", ROOT_RELS.to_owned()),
        ("docProps/core.xml", CORE.replace("{title}", &title)),
        ("word/_rels/document.xml.rels", DOC_RELS.to_owned()),
        ("word/styles.xml", STYLES.to_owned()),
        ("word/document.xml", body),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// XML text escaping.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// How a run looks.
#[derive(Clone, Copy, Default)]
struct Style {
    bold: bool,
    italic: bool,
    underline: bool,
    size: u32,
}

const fn st(bold: bool, italic: bool, size: u32) -> Style {
    Style { bold, italic, underline: false, size }
}

fn run(text: &str, s: Style) -> String {
    let mut rpr = String::new();
    if s.bold {
        rpr.push_str("<w:b/>");
    }
    if s.italic {
        rpr.push_str("<w:i/>");
    }
    if s.underline {
        rpr.push_str("<w:u w:val=\"single\"/>");
    }
    if s.size > 0 {
        rpr.push_str(&format!("<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>", s.size));
    }
    format!("<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>", esc(text))
}

/// Paragraph alignment.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Justify,
}

fn para(text: &str, s: Style, align: Align, indent_first: bool) -> String {
    let jc = match align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Justify => "both",
    };
    let ind = if indent_first { "<w:ind w:firstLine=\"567\"/>" } else { "" };
    format!(
        "<w:p><w:pPr><w:spacing w:before=\"60\" w:after=\"60\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>{}</w:p>",
        run(text, s)
    )
}

fn cell(width: u32, content: &str) -> String {
    format!("<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>{content}</w:tc>")
}

/// How far the heading and closing tables reach into the left margin, as in documents
/// drafted by hand: the national motto then fits on one line.
const LAYOUT_OUTDENT: u32 = 450;

/// A table without borders (the heading and the closing blocks), reaching
/// [`LAYOUT_OUTDENT`] into the left margin.
fn layout_table(widths: &[u32], cells: &[String]) -> String {
    let grid: String = widths.iter().map(|w| format!("<w:gridCol w:w=\"{w}\"/>")).collect();
    let tcs: String = widths.iter().zip(cells).map(|(w, c)| cell(*w, c)).collect();
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:tblInd w:w=\"-{LAYOUT_OUTDENT}\" w:type=\"dxa\"/>\
         <w:tblLayout w:type=\"fixed\"/><w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/>\
         <w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders></w:tblPr>\
         <w:tblGrid>{grid}</w:tblGrid><w:tr>{tcs}</w:tr></w:tbl>",
        widths.iter().sum::<u32>()
    )
}

/// A bordered data table: a bold header row, then the rows.
fn data_table(widths: &[u32], head: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<(Vec<String>, bool)> = rows.iter().map(|r| (r.clone(), false)).collect();
    data_table_rows(widths, head, &rows)
}

/// A registry table ([`crate::tables`]): the first column narrow, the second wide, the
/// others shared; bold rows for headings and totals; the note in italics below.
fn registry_table(t: &Table) -> String {
    let n = t.head.len().max(2) as u32;
    let second = if n > 5 { 2600 } else { 4200 };
    let rest = (TEXT_WIDTH - 700 - second) / (n - 2).max(1);
    let mut widths = vec![700, second];
    widths.extend(std::iter::repeat_n(rest, (n - 2) as usize));
    let rows: Vec<(Vec<String>, bool)> =
        t.rows.iter().map(|r| (r.cells.iter().map(|c| c.text_vi()).collect(), r.bold)).collect();
    let mut out = data_table_rows(&widths, &t.head, &rows);
    if let Some(note) = &t.note {
        out.push_str(&para(note, st(false, true, SZ_TABLE), Align::Left, false));
    }
    out
}

/// A bordered data table: a bold header row repeated on each page, then the rows (bold
/// when flagged).
fn data_table_rows(widths: &[u32], head: &[&str], rows: &[(Vec<String>, bool)]) -> String {
    let grid: String = widths.iter().map(|w| format!("<w:gridCol w:w=\"{w}\"/>")).collect();
    let row = |cells: &[String], bold: bool, is_head: bool| -> String {
        let tcs: String = widths
            .iter()
            .zip(cells)
            .enumerate()
            .map(|(i, (w, c))| {
                let align = if i == 1 && !is_head { Align::Left } else { Align::Center };
                cell(*w, &para(c, st(bold, false, SZ_TABLE), align, false))
            })
            .collect();
        let header = if is_head { "<w:trPr><w:tblHeader/></w:trPr>" } else { "" };
        format!("<w:tr>{header}{tcs}</w:tr>")
    };
    let head: Vec<String> = head.iter().map(|s| (*s).to_owned()).collect();
    let mut trs = row(&head, true, true);
    for (r, bold) in rows {
        trs.push_str(&row(r, *bold, false));
    }
    let b = "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"";
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/>\
         <w:tblBorders><w:top {b}/><w:left {b}/><w:bottom {b}/><w:right {b}/><w:insideH {b}/><w:insideV {b}/></w:tblBorders>\
         </w:tblPr><w:tblGrid>{grid}</w:tblGrid>{trs}</w:tbl>",
        widths.iter().sum::<u32>()
    )
}

/// The text width of the page: A4 (11906 twips) less 30 mm and 15 mm margins.
const TEXT_WIDTH: u32 = 11906 - 1701 - 850;

fn document_xml(doc: &Document<'_>) -> String {
    let lh = doc.letterhead;
    let f = doc.figures;
    let mut b = String::new();
    if doc.draft {
        b.push_str(&para("DỰ THẢO", st(true, false, SZ_HEAD), Align::Left, false));
    }
    // The heading (Decree 30, Appendix I, items 1–4).
    let left = [
        para(&lh.superior, st(false, false, SZ_HEAD), Align::Center, false),
        para(
            &lh.issuer,
            Style { bold: true, underline: true, ..st(true, false, SZ_HEAD) },
            Align::Center,
            false,
        ),
        para(&number_line(doc.number, &lh.symbol), st(false, false, SZ_HEAD), Align::Center, false),
    ]
    .concat();
    let right = [
        // Decree 30: the national motto in 12–13 pt; 12 keeps it on one line.
        para(MOTTO.0, st(true, false, SZ_TABLE), Align::Center, false),
        para(MOTTO.1, Style { underline: true, ..st(true, false, SZ_BODY) }, Align::Center, false),
        para(&place_date_line(&lh.place, doc.issued_on), st(false, true, SZ_BODY), Align::Center, false),
    ]
    .concat();
    b.push_str(&layout_table(&[4300, TEXT_WIDTH + LAYOUT_OUTDENT - 4300], &[left, right]));
    // The title: the kind of document, then its summary.
    b.push_str(&para("", st(false, false, SZ_BODY), Align::Center, false));
    b.push_str(&para("BÁO CÁO", st(true, false, SZ_BODY), Align::Center, false));
    let summary = doc.title.strip_prefix("Báo cáo ").unwrap_or(doc.title);
    let summary = summary
        .chars()
        .next()
        .map_or(String::new(), |c| c.to_uppercase().collect::<String>() + &summary[c.len_utf8()..]);
    b.push_str(&para(&summary, st(true, false, SZ_BODY), Align::Center, false));
    b.push_str(&para(&doc.period_line(), st(false, true, SZ_BODY), Align::Center, false));
    for section in &doc.template.sections {
        b.push_str(&para(section.title(), st(true, false, SZ_BODY), Align::Justify, true));
        match section {
            Section::Narrative { key, text, .. } => {
                for line in doc.narrative(key, text).lines().filter(|l| !l.trim().is_empty()) {
                    b.push_str(&para(line.trim(), st(false, false, SZ_BODY), Align::Justify, true));
                }
            }
            Section::Table { rows, columns, .. } => {
                let mut head = vec!["STT", "Chỉ tiêu"];
                head.extend(columns.iter().map(|c| c.header_vi()));
                let lines: Vec<Vec<String>> = rows
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        let fig = f.get(*id);
                        let target = f.targets.iter().find(|t| t.indicator == *id && !t.target.is_empty());
                        let mut cells = vec![(i + 1).to_string(), id.label_vi().to_owned()];
                        cells.extend(columns.iter().map(|c| match c {
                            Column::Value => fmt_value_vi(*id, fig.and_then(|f| f.value)),
                            Column::SamePeriodLastYear => fmt_value_vi(*id, fig.and_then(|f| f.previous)),
                            Column::Change => fig.map_or("—".into(), fmt_change_vi),
                            Column::Target => target.map_or("—".into(), |t| t.target.clone()),
                            Column::Status => {
                                target.and_then(|t| t.status).map_or("—".into(), |s| s.label_vi().into())
                            }
                        }));
                        cells
                    })
                    .collect();
                let rest = (TEXT_WIDTH - 700 - 3700) / columns.len().max(1) as u32;
                let mut widths = vec![700, 3700];
                widths.extend(std::iter::repeat_n(rest, columns.len()));
                b.push_str(&data_table(&widths, &head, &lines));
            }
            Section::Targets { .. } => {
                let lines: Vec<Vec<String>> = TARGET_INDICATORS
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        let t = f.targets.iter().find(|t| t.indicator == *id);
                        let value = t.and_then(|t| t.current).or_else(|| f.get(*id).and_then(|x| x.value));
                        vec![
                            (i + 1).to_string(),
                            id.label_vi().to_owned(),
                            fmt_value_vi(*id, value),
                            t.map(|t| t.target.clone())
                                .filter(|s| !s.is_empty())
                                .unwrap_or_else(|| "Chưa giao chỉ tiêu".into()),
                            t.and_then(|t| t.status).map_or("—".into(), |s| s.label_vi().into()),
                        ]
                    })
                    .collect();
                b.push_str(&data_table(
                    &[700, 3300, 1300, 2600, TEXT_WIDTH - 7900],
                    &["STT", "Chỉ tiêu", "Giá trị", "Chỉ tiêu kế hoạch", "Đánh giá"],
                    &lines,
                ));
                if let Some(plan) = &f.plan {
                    b.push_str(&para(
                        &match &f.plan_territory {
                            Some(t) => format!("Chỉ tiêu theo Kế hoạch số {plan}, đánh giá trên {t}."),
                            None => format!("Chỉ tiêu theo Kế hoạch số {plan}."),
                        },
                        st(false, true, SZ_TABLE),
                        Align::Left,
                        false,
                    ));
                }
            }
            Section::Protection { .. } => {
                let lines: Vec<Vec<String>> = f
                    .protection
                    .lines()
                    .iter()
                    .enumerate()
                    .map(|(i, (_, label, n))| {
                        vec![(i + 1).to_string(), (*label).to_owned(), fmt_count_vi(*n as f64)]
                    })
                    .collect();
                b.push_str(&data_table(
                    &[700, TEXT_WIDTH - 2700, 2000],
                    &["STT", "Nội dung", "Số lượt"],
                    &lines,
                ));
                for t in tables(section, f) {
                    b.push_str(&registry_table(&t));
                }
            }
            Section::Tasks { .. }
            | Section::Escalations { .. }
            | Section::Seizures { .. }
            | Section::Persons { .. }
            | Section::Businesses { .. }
            | Section::Classification { .. }
            | Section::PropagandaVenues { .. } => {
                for t in tables(section, f) {
                    b.push_str(&registry_table(&t));
                }
            }
        }
    }
    // Recipients and signature (Decree 30, Appendix I, items 7–9).
    b.push_str(&para("", st(false, false, SZ_BODY), Align::Left, false));
    let mut left = para("Nơi nhận:", st(true, true, 24), Align::Left, false);
    for r in &lh.recipients {
        left.push_str(&para(&format!("- {r}"), st(false, false, SZ_RECIPIENTS), Align::Left, false));
    }
    let mut right = para(&lh.signer_title, st(true, false, SZ_BODY), Align::Center, false);
    right.push_str(&para("(Ký, ghi rõ họ tên, đóng dấu)", st(false, true, SZ_BODY), Align::Center, false));
    b.push_str(&layout_table(&[4400, TEXT_WIDTH + LAYOUT_OUTDENT - 4400], &[left, right]));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{b}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"1134\" w:right=\"850\" w:bottom=\"1134\" w:left=\"1701\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>\
         </w:sectPr></w:body></w:document>"
    )
}

/// The text of a `word/document.xml`: the contents of its `w:t` elements, one paragraph a
/// line, entities decoded (for tests and checks).
pub fn text_of(document_xml: &str) -> String {
    let mut out = String::new();
    for p in document_xml.split("</w:p>") {
        let mut rest = p;
        while let Some(i) = rest.find("<w:t") {
            let after = &rest[i..];
            let Some(open_end) = after.find('>') else { break };
            let content = &after[open_end + 1..];
            let Some(close) = content.find("</w:t>") else { break };
            out.push_str(&content[..close]);
            rest = &content[close..];
        }
        out.push('\n');
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title><dc:creator>diaban</dc:creator></cp:coreProperties>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#;
