//! A table of typed cells written as CSV (machine headers, ISO dates, for integrations)
//! or as an XLSX workbook (Vietnamese headers, bold frozen header row, autofilter, dates
//! as dates, numbers as numbers, codes as text so leading zeros stay). Exports that are a
//! plain list use it; the site export keeps its own writer because its import template
//! shares the layout.

use crate::error::AppError;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (codes included).
    Text(String),
    /// A number.
    Num(f64),
    /// A date.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Num(n as f64)
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Cell::Num(n)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

/// A column: its CSV name, its Vietnamese header and its width in the workbook.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// CSV header.
    pub key: &'static str,
    /// XLSX header.
    pub header_vi: &'static str,
    /// Width in characters.
    pub width: f64,
}

/// A column.
pub const fn col(key: &'static str, header_vi: &'static str, width: f64) -> Column {
    Column { key, header_vi, width }
}

/// Rows under columns.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet's name.
    pub sheet: &'static str,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

fn csv_text(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Cell::Num(n) => n.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Empty => String::new(),
    }
}

impl Table {
    /// The CSV bytes (UTF-8, header line of keys).
    pub fn to_csv(&self) -> Result<Vec<u8>, AppError> {
        let mut w = crate::export::CsvOut::new();
        let io = |e: csv::Error| AppError::internal(e);
        w.write_record(self.columns.iter().map(|c| c.key)).map_err(io)?;
        for r in &self.rows {
            w.write_record(r.iter().map(csv_text)).map_err(io)?;
        }
        w.into_inner().map_err(|e| AppError::internal(e.to_string()))
    }

    /// The XLSX bytes.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, AppError> {
        self.workbook().map_err(AppError::internal)
    }

    fn workbook(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(self.sheet)?;
        let bold = Format::new().set_bold().set_text_wrap();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        for (c, column) in self.columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, column.header_vi, &bold)?;
            sheet.set_column_width(c as u16, column.width)?;
        }
        for (i, row) in self.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) if !s.is_empty() => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Num(n) => {
                        sheet.write_number(r, c, *n)?;
                    }
                    Cell::Date(d) => {
                        let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                        sheet.write_datetime_with_format(r, c, &x, &date)?;
                    }
                    _ => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        if !self.columns.is_empty() {
            sheet.autofilter(0, 0, self.rows.len() as u32, self.columns.len() as u16 - 1)?;
        }
        book.save_to_buffer()
    }
}

/// The response for a download.
pub fn download(body: Vec<u8>, file_name: &str, xlsx: bool) -> Response {
    let mime = if xlsx {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    let disposition = format!("attachment; filename=\"{file_name}\"");
    ([(CONTENT_TYPE, mime.to_owned()), (CONTENT_DISPOSITION, disposition)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            sheet: "Thử",
            columns: vec![col("code", "Mã", 8.0), col("n", "Số", 6.0), col("on", "Ngày", 12.0)],
            rows: vec![
                vec!["00004".into(), 3i64.into(), NaiveDate::from_ymd_opt(2025, 12, 14).into()],
                vec!["a,b".into(), 1.5.into(), Cell::Empty],
            ],
        }
    }

    #[test]
    fn csv_quotes_and_keeps_codes_as_typed() {
        let csv = String::from_utf8(table().to_csv().unwrap()).unwrap();
        assert_eq!(csv, "code,n,on\n00004,3,2025-12-14\n\"a,b\",1.5,\n");
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = table().to_xlsx().unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
