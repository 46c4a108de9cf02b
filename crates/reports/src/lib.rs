//! Periodic reports as files, from figures already computed: [`xlsx`] writes the
//! statistical tables (Vietnamese headers, merged header cells, number formats, print
//! setup, Times New Roman), [`docx`] the narrative report laid out per Decree
//! 30/2020/NĐ-CP (national motto, issuing body, number and symbol, place and date, title,
//! body with the figures, recipients, signature block). Both read one [`Document`]; no
//! I/O and no database here, so the CLI, the web layer and the benchmark share them.
//! Aggregates only: a [`Figures`] cannot hold a person.

#![deny(missing_docs)]

pub mod docx;
pub mod tables;
#[cfg(test)]
mod tests;
pub mod xlsx;

use chrono::NaiveDate;
use diaban_domain::report::template::Template;
use diaban_domain::report::{Figures, Letterhead};
use std::collections::BTreeMap;

/// Everything a report file shows.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The layout.
    pub template: &'a Template,
    /// The figures (frozen for an issued report).
    pub figures: &'a Figures,
    /// The heading and the closing blocks.
    pub letterhead: &'a Letterhead,
    /// The title ("Báo cáo kết quả … năm 2026").
    pub title: &'a str,
    /// Number and symbol once issued.
    pub number: Option<&'a str>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// The report's narratives by key (missing keys take the template's text).
    pub narratives: &'a BTreeMap<String, String>,
    /// Whether to mark the file as a draft (not yet issued).
    pub draft: bool,
}

impl Document<'_> {
    /// A narrative's text with its placeholders filled.
    pub fn narrative(&self, key: &str, default: &str) -> String {
        let text = self.narratives.get(key).map(String::as_str).unwrap_or(default);
        diaban_domain::report::template::fill(text, self.figures)
    }

    /// The period line: "Kỳ báo cáo: năm 2026 (từ 15/12/2025 đến 14/12/2026)".
    pub fn period_line(&self) -> String {
        format!(
            "Kỳ báo cáo: {} (từ {} đến {})",
            self.figures.period_label,
            self.figures.from.format("%d/%m/%Y"),
            self.figures.to.format("%d/%m/%Y")
        )
    }
}

/// A file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The workbook writer failed.
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The zip container failed.
    #[error("cannot write the document: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Writing to memory failed.
    #[error("cannot write the document: {0}")]
    Io(#[from] std::io::Error),
}

/// The national motto (quốc hiệu) and the motto line (tiêu ngữ).
pub const MOTTO: (&str, &str) = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc");
