//! The writers on a small template and hand-made figures, without a database: the
//! workbook opens with calamine and has its cells where the layout says; the document's
//! text has the Decree 30 heading, the filled narrative, the table and the closing blocks.

use crate::{Document, docx, xlsx};
use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, NaiveDate};
use diaban_domain::business::BusinessLine;
use diaban_domain::indicator::IndicatorId;
use diaban_domain::plan::LateReason;
use diaban_domain::plan::TargetStatus;
use diaban_domain::report::sections::{BreachFigures, BusinessFigure, SeizureFigure, TaskFigure};
use diaban_domain::report::template::{Block, Blocks, Column, Section, Template};
use diaban_domain::report::{Figure, Figures, Letterhead, Protection, Registries, ReportLevel, TargetFigure};
use diaban_domain::seizures::{Drug, QuantityUnit};
use std::collections::BTreeMap;
use std::io::Read;

fn template() -> Template {
    let block = Block {
        superior: "BỘ CÔNG AN".into(),
        issuer: "CÔNG AN {PROVINCE}".into(),
        symbol: "BC-CAT".into(),
        signer_title: "GIÁM ĐỐC".into(),
        recipients: vec!["UBND tỉnh;".into(), "Lưu: VT, PC04.".into()],
    };
    Template {
        title: "Báo cáo kết quả {period}".into(),
        blocks: Blocks { province: block.clone(), commune: block },
        sections: vec![
            Section::Narrative {
                key: "chung".into(),
                title: "I. CHUNG".into(),
                text: "Có {cases} vụ & {unit}.".into(),
            },
            Section::Table {
                title: "II. VỤ VIỆC".into(),
                rows: vec![IndicatorId::Cases, IndicatorId::DrugFreeCommunes],
                columns: vec![Column::Value, Column::SamePeriodLastYear, Column::Change],
            },
            Section::Targets { title: "III. CHỈ TIÊU".into() },
            Section::Protection { title: "IV. DỮ LIỆU CÁ NHÂN".into() },
            Section::Seizures { title: "V. THU GIỮ".into() },
            Section::Tasks { title: "VI. NHIỆM VỤ".into() },
            Section::Businesses { title: "VII. CƠ SỞ KINH DOANH".into() },
        ],
    }
}

fn figures() -> Figures {
    Figures {
        unit_code: "51".into(),
        unit_name: "Tỉnh Quảng Ngãi".into(),
        level: ReportLevel::Province,
        period: "2026".into(),
        period_label: "Năm 2026".into(),
        from: NaiveDate::from_ymd_opt(2025, 12, 15).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
        computed_at: DateTime::from_timestamp(0, 0).unwrap(),
        plan: Some("3220/KH-UBND".into()),
        plan_territory: None,
        indicators: vec![
            Figure {
                id: IndicatorId::Cases,
                value: Some(1234.0),
                previous: Some(1000.0),
                numerator: 1234.0,
                denominator: None,
            },
            Figure {
                id: IndicatorId::DrugFreeCommunes,
                value: Some(62.5),
                previous: None,
                numerator: 5.0,
                denominator: Some(8.0),
            },
        ],
        targets: vec![TargetFigure {
            indicator: IndicatorId::T1SitesChange,
            target: "T1 ≤ -5% (hằng năm)".into(),
            current: Some(-10.0),
            status: Some(TargetStatus::OnTrack),
        }],
        protection: Protection { person_reads: 12, ..Default::default() },
        registries: Registries {
            seizures: vec![
                SeizureFigure { drug: Drug::Heroin, unit: QuantityUnit::Gram, quantity: 1234.5, cases: 3 },
                SeizureFigure { drug: Drug::Heroin, unit: QuantityUnit::Brick, quantity: 2.0, cases: 1 },
            ],
            tasks: vec![TaskFigure {
                title: "Rà soát điểm, tụ điểm".into(),
                assignee: "Phường Kon Tum".into(),
                percent: Some(60),
                done: false,
                late: Some(LateReason::DeadlinePassed),
                reminders: 2,
                inspections: 1,
            }],
            businesses: vec![BusinessFigure {
                line: BusinessLine::Karaoke,
                businesses_inspected: 4,
                inspections: 5,
                ad_hoc: 2,
                with_violations: 1,
                businesses_with_violations: 1,
            }],
            breaches: BreachFigures { detected: 3, overdue: 1, ..Default::default() },
            ..Default::default()
        },
    }
}

fn with_doc<T>(number: Option<&str>, on: Option<NaiveDate>, f: impl FnOnce(&Document<'_>) -> T) -> T {
    let t = template();
    let fig = figures();
    let lh = Letterhead::of(ReportLevel::Province, "Tỉnh Quảng Ngãi", "Tỉnh Quảng Ngãi", &t.blocks);
    let narratives = BTreeMap::new();
    let title = t.title_for(diaban_domain::report::ReportKind::Annual, &fig.period_label);
    let doc = Document {
        template: &t,
        figures: &fig,
        letterhead: &lh,
        title: &title,
        number,
        issued_on: on,
        narratives: &narratives,
        draft: number.is_none(),
    };
    f(&doc)
}

#[test]
fn the_workbook_has_the_heading_the_figures_and_number_formats() {
    let bytes = with_doc(None, None, xlsx::xlsx).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range(xlsx::SHEET).unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String("BỘ CÔNG AN".into()));
    assert_eq!(cell(1, 0), Data::String("CÔNG AN TỈNH QUẢNG NGÃI".into()));
    assert_eq!(cell(4, 0), Data::String("DỰ THẢO".into()));
    assert_eq!(cell(5, 0), Data::String("Báo cáo kết quả năm 2026".into()));
    let row =
        (0..sheet.height() as u32).find(|r| cell(*r, 1) == Data::String("Vụ việc phát hiện".into())).unwrap();
    assert_eq!(cell(row, 2), Data::Float(1234.0));
    assert_eq!(cell(row, 3), Data::Float(1000.0));
    assert!(matches!(cell(row, 4), Data::Float(x) if (x - 23.4).abs() < 1e-9));
    assert_eq!(cell(row + 1, 3), Data::String("—".into()), "no previous value: a dash");
    let merged = book.merge_cells_by_sheet_name(xlsx::SHEET).unwrap();
    assert!(merged.iter().any(|m| m.start == (0, 3) && m.end == (0, 6)), "{merged:?}");
    // The registry tables: one row per (drug, unit), quantities as numbers; the task's
    // standing; the businesses with their total; the breach register under section IV.
    let row_of = |col: u32, text: &str| {
        (0..sheet.height() as u32).filter(|r| cell(*r, col) == Data::String(text.into())).collect::<Vec<_>>()
    };
    let heroin = row_of(1, "Heroin");
    assert_eq!(heroin.len(), 2);
    assert_eq!(cell(heroin[0], 2), Data::String("gam".into()));
    assert_eq!(cell(heroin[0], 3), Data::Float(1234.5));
    assert_eq!(cell(heroin[1], 2), Data::String("bánh".into()));
    assert_eq!(cell(heroin[0] - 1, 1), Data::String("Loại ma túy".into()), "the header row");
    let task = row_of(1, "Rà soát điểm, tụ điểm")[0];
    assert_eq!(cell(task, 3), Data::Float(60.0));
    assert_eq!(cell(task, 4), Data::String("Chậm: quá hạn hoàn thành".into()));
    assert_eq!((cell(task, 5), cell(task, 6)), (Data::Float(2.0), Data::Float(1.0)));
    let total = row_of(1, "Tổng cộng")[0];
    assert_eq!(cell(total, 3), Data::Float(5.0));
    let detected = row_of(1, "Sự cố lộ, lọt dữ liệu cá nhân phát hiện trong kỳ")[0];
    assert_eq!(cell(detected, 2), Data::Float(3.0));
}

#[test]
fn the_document_follows_decree_30_and_fills_the_narrative() {
    let on = NaiveDate::from_ymd_opt(2027, 1, 5);
    let bytes = with_doc(Some("7/BC-CAT"), on, docx::docx).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    for part in ["[Content_Types].xml", "_rels/.rels", "word/styles.xml", "docProps/core.xml"] {
        assert!(z.by_name(part).is_ok(), "{part}");
    }
    let mut xml = String::new();
    z.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    assert!(xml.contains("&amp;"), "text is escaped");
    assert!(xml.contains("w:w=\"11906\" w:h=\"16838\""), "A4");
    let text = docx::text_of(&xml);
    for needle in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 7/BC-CAT",
        "Quảng Ngãi, ngày 05 tháng 01 năm 2027",
        "BÁO CÁO",
        "Kết quả năm 2026",
        "Có 1.234 vụ & Tỉnh Quảng Ngãi.",
        "+23,4%",
        "62,5%",
        "T1 ≤ -5% (hằng năm)",
        "Đạt",
        "Chưa giao chỉ tiêu",
        "Nơi nhận:",
        "- Lưu: VT, PC04.",
        "GIÁM ĐỐC",
        "V. THU GIỮ",
        "1.234,5",
        "Chậm: quá hạn hoàn thành",
        "Nhiệm vụ của Kế hoạch 3220/KH-UBND",
        "Sự cố lộ, lọt dữ liệu cá nhân phát hiện trong kỳ",
        "Chưa thông báo, đã quá hạn",
    ] {
        assert!(text.contains(needle), "no «{needle}» in\n{text}");
    }
    assert!(!text.contains("DỰ THẢO"));
}
