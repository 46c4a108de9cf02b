//! The registry sections as plain tables (headers, rows of typed cells, a note), built
//! once from the figures so the workbook and the document show the same rows: the
//! workbook writes the cells with number formats, the document as Vietnamese text.

use diaban_domain::plan::TaskState;
use diaban_domain::report::template::Section;
use diaban_domain::report::{Figures, fmt_count_vi};

/// A cell of a registry table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Count(i64),
    /// A quantity that may have decimals (a seizure's sum).
    Quantity(f64),
    /// Nothing to show ("—").
    Blank,
}

impl Cell {
    /// The cell as text for people: counts with thousands dots, decimals with a comma.
    pub fn text_vi(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => fmt_count_vi(*n as f64),
            Cell::Quantity(q) => fmt_quantity_vi(*q),
            Cell::Blank => "—".into(),
        }
    }
}

/// A quantity with up to three decimals (1.234,5; 12).
pub fn fmt_quantity_vi(q: f64) -> String {
    let whole = q.trunc();
    let s = format!("{:.3}", q - whole);
    let frac =
        s.trim_start_matches('-').trim_start_matches('0').trim_start_matches('.').trim_end_matches('0');
    let int = fmt_count_vi(whole);
    if frac.is_empty() { int } else { format!("{int},{frac}") }
}

/// A row: its cells (the first is the number, STT) and whether it is a heading or total.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The cells, one per header.
    pub cells: Vec<Cell>,
    /// Bold (a group's heading or a total).
    pub bold: bool,
}

/// A registry table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The headers, "STT" first.
    pub head: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Row>,
    /// A line under the table, if any.
    pub note: Option<String>,
}

fn row(n: usize, cells: Vec<Cell>) -> Row {
    let mut c = vec![Cell::Count(n as i64)];
    c.extend(cells);
    Row { cells: c, bold: false }
}

fn total(label: &str, cells: Vec<Cell>) -> Row {
    let mut c = vec![Cell::Text(String::new()), Cell::Text(label.into())];
    c.extend(cells);
    Row { cells: c, bold: true }
}

fn counts_table(lines: &[(&str, &str, i64)], unit: &'static str) -> Table {
    Table {
        head: vec!["STT", "Nội dung", unit],
        rows: lines
            .iter()
            .enumerate()
            .map(|(i, (_, label, n))| row(i + 1, vec![Cell::Text((*label).into()), Cell::Count(*n)]))
            .collect(),
        note: None,
    }
}

/// The tables of a registry section (the breach register's for the protection section);
/// none for the other sections.
pub fn tables(section: &Section, f: &Figures) -> Vec<Table> {
    let r = &f.registries;
    match section {
        Section::Tasks { .. } => {
            let rows = r
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let state = match (t.done, t.late) {
                        (true, _) => TaskState::Done.label_vi().to_owned(),
                        (false, Some(why)) => format!("Chậm: {}", why.label_vi().to_lowercase()),
                        (false, None) => TaskState::Open.label_vi().to_owned(),
                    };
                    row(
                        i + 1,
                        vec![
                            Cell::Text(t.title.clone()),
                            Cell::Text(t.assignee.clone()),
                            t.percent.map_or(Cell::Blank, Cell::Count),
                            Cell::Text(state),
                            Cell::Count(t.reminders),
                            Cell::Count(t.inspections),
                        ],
                    )
                })
                .collect();
            let note = match (&f.plan, r.tasks.is_empty()) {
                (None, _) => Some("Đơn vị không có kế hoạch đang thực hiện.".into()),
                (Some(p), true) => Some(format!("Kế hoạch {p} chưa giao nhiệm vụ cho đơn vị.")),
                (Some(p), false) => Some(format!(
                    "Nhiệm vụ của Kế hoạch {p}; tiến độ và tình trạng tại ngày cuối kỳ; đôn đốc, kiểm tra của Công an tỉnh trong kỳ."
                )),
            };
            vec![Table {
                head: vec![
                    "STT",
                    "Nhiệm vụ",
                    "Đơn vị thực hiện",
                    "Tiến độ (%)",
                    "Tình trạng",
                    "Đôn đốc",
                    "Kiểm tra",
                ],
                rows,
                note,
            }]
        }
        Section::Escalations { .. } => vec![counts_table(&r.escalations.lines(), "Số lượng")],
        Section::Seizures { .. } => {
            let rows = r
                .seizures
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    row(
                        i + 1,
                        vec![
                            Cell::Text(s.drug.label_vi().into()),
                            Cell::Text(s.unit.label_vi().into()),
                            Cell::Quantity(s.quantity),
                            Cell::Count(s.cases),
                        ],
                    )
                })
                .collect();
            vec![Table {
                head: vec!["STT", "Loại ma túy", "Đơn vị tính", "Số lượng", "Số vụ"],
                rows,
                note: Some(if r.seizures.is_empty() {
                    "Không thu giữ ma túy trong kỳ.".into()
                } else {
                    "Cộng theo từng loại ma túy và đơn vị tính như đã ghi nhận; không quy đổi giữa các đơn vị.".into()
                }),
            }]
        }
        Section::Persons { .. } => {
            let mut rows =
                vec![total("Tổng số người có hồ sơ quản lý", vec![Cell::Count(r.persons.with_records)])];
            for g in &r.persons.groups {
                rows.push(total(&g.heading, vec![Cell::Text(String::new())]));
                for (i, l) in g.lines.iter().enumerate() {
                    rows.push(row(i + 1, vec![Cell::Text(l.label.clone()), Cell::Count(l.count)]));
                }
            }
            vec![Table {
                head: vec!["STT", "Chỉ tiêu", "Số người"],
                rows,
                note: Some(
                    "Theo QĐ 127/2009/QĐ-TTg (sửa đổi bởi QĐ 13/2019/QĐ-TTg); một người dùng nhiều chất hoặc qua nhiều hình thức cai nghiện được tính ở mỗi dòng.".into(),
                ),
            }]
        }
        Section::Businesses { .. } => {
            let b = &r.businesses;
            let mut rows: Vec<Row> = b
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    row(
                        i + 1,
                        vec![
                            Cell::Text(x.line.label_vi().into()),
                            Cell::Count(x.businesses_inspected),
                            Cell::Count(x.inspections),
                            Cell::Count(x.ad_hoc),
                            Cell::Count(x.with_violations),
                            Cell::Count(x.businesses_with_violations),
                        ],
                    )
                })
                .collect();
            let sum = |g: fn(&diaban_domain::report::sections::BusinessFigure) -> i64| {
                Cell::Count(b.iter().map(g).sum())
            };
            rows.push(total(
                "Tổng cộng",
                vec![
                    sum(|x| x.businesses_inspected),
                    sum(|x| x.inspections),
                    sum(|x| x.ad_hoc),
                    sum(|x| x.with_violations),
                    sum(|x| x.businesses_with_violations),
                ],
            ));
            vec![Table {
                head: vec![
                    "STT",
                    "Ngành nghề kinh doanh",
                    "Số cơ sở được kiểm tra",
                    "Số lượt kiểm tra",
                    "Trong đó đột xuất",
                    "Lượt phát hiện vi phạm",
                    "Số cơ sở vi phạm",
                ],
                rows,
                note: None,
            }]
        }
        Section::Classification { .. } => {
            let c = &r.classification;
            let mut rows: Vec<Row> = c
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    row(
                        i + 1,
                        vec![
                            Cell::Text(l.class.label_vi().into()),
                            Cell::Text(l.version.label_vi().into()),
                            Cell::Count(l.communes),
                        ],
                    )
                })
                .collect();
            rows.push(row(
                c.lines.len() + 1,
                vec![Cell::Text("Chưa phân loại".into()), Cell::Blank, Cell::Count(c.not_classified)],
            ));
            rows.push(total(
                "Tổng số xã, phường, đặc khu",
                vec![Cell::Text(String::new()), Cell::Count(c.communes)],
            ));
            vec![Table {
                head: vec!["STT", "Loại địa bàn", "Tiêu chí áp dụng", "Số xã, phường"],
                rows,
                note: Some(format!("Năm thống kê {}.", c.year)),
            }]
        }
        Section::PropagandaVenues { .. } => {
            let p = &r.propaganda;
            let mut rows: Vec<Row> = p
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    row(
                        i + 1,
                        vec![
                            Cell::Text(v.venue.label_vi().into()),
                            Cell::Count(v.sessions),
                            Cell::Count(v.participants),
                        ],
                    )
                })
                .collect();
            rows.push(total(
                "Tổng cộng",
                vec![
                    Cell::Count(p.iter().map(|v| v.sessions).sum()),
                    Cell::Count(p.iter().map(|v| v.participants).sum()),
                ],
            ));
            vec![Table {
                head: vec!["STT", "Loại địa điểm", "Số buổi", "Số lượt người tham dự"],
                rows,
                note: None,
            }]
        }
        Section::Protection { .. } => {
            let mut t = counts_table(&r.breaches.lines(), "Số lượng");
            t.note = Some(
                "Sổ theo dõi sự cố dữ liệu cá nhân; hạn thông báo cho A05 tính từ thời điểm phát hiện theo tham số đang áp dụng.".into(),
            );
            vec![t]
        }
        Section::Table { .. } | Section::Targets { .. } | Section::Narrative { .. } => vec![],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quantities_keep_their_decimals() {
        assert_eq!(super::fmt_quantity_vi(1234.5), "1.234,5");
        assert_eq!(super::fmt_quantity_vi(12.0), "12");
        assert_eq!(super::fmt_quantity_vi(0.125), "0,125");
    }
}
