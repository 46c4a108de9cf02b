//! Exports of the operations modules (propaganda, cases, case totals) as CSV and XLSX
//! from one table description, so both formats always carry the same columns: CSV under
//! the API names, XLSX under Vietnamese headers with numbers as numbers and dates as
//! dates (the layout of the sites export in `api::sites_io`). No export carries an
//! identity: the callers build tables from ids, units, dates and counts only.

use crate::error::AppError;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// One cell.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A decimal (quantities, coordinates).
    Num(f64),
    /// A date.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

/// A table to export: columns as (CSV name, Vietnamese header, XLSX width) and rows.
pub struct Table {
    /// The worksheet's name.
    pub sheet: &'static str,
    /// (CSV name, Vietnamese header, width).
    pub columns: &'static [(&'static str, &'static str, f64)],
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The CSV form: a header of API names, ISO dates, decimals with a point.
    pub fn csv(&self) -> Result<Vec<u8>, AppError> {
        let mut w = crate::export::CsvOut::new();
        let io = |e: csv::Error| AppError::internal(e);
        w.write_record(self.columns.iter().map(|c| c.0)).map_err(io)?;
        for row in &self.rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Int(n) => n.to_string(),
                Cell::Num(x) => x.to_string(),
                Cell::Date(d) => d.to_string(),
                Cell::Empty => String::new(),
            }))
            .map_err(io)?;
        }
        w.into_inner().map_err(|e| AppError::internal(e.to_string()))
    }

    /// The XLSX form: bold frozen headers, an autofilter, typed cells.
    pub fn xlsx(&self) -> Result<Vec<u8>, AppError> {
        self.workbook().map_err(AppError::internal)
    }

    fn workbook(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(self.sheet)?;
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        for (c, (_, header, width)) in self.columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *header, &bold)?;
            sheet.set_column_width(c as u16, *width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (i, row) in self.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) if !s.is_empty() => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Int(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Num(x) => {
                        sheet.write_number(r, c, *x)?;
                    }
                    Cell::Date(d) => {
                        let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                        sheet.write_datetime_with_format(r, c, x, &date)?;
                    }
                    Cell::Text(_) | Cell::Empty => {}
                }
            }
        }
        if !self.columns.is_empty() {
            sheet.autofilter(0, 0, self.rows.len() as u32, self.columns.len() as u16 - 1)?;
        }
        book.save_to_buffer()
    }
}

/// A CSV file to download.
pub fn csv_response(body: Vec<u8>, file_name: &'static str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// An XLSX file to download.
pub fn xlsx_response(body: Vec<u8>, file_name: &'static str) -> Response {
    crate::api::sites_io::xlsx_response(body, file_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[(&str, &str, f64)] =
        &[("id", "Mã", 6.0), ("on", "Ngày", 12.0), ("note", "Ghi chú", 20.0)];

    #[test]
    fn csv_and_xlsx_carry_the_same_columns() {
        let t = Table {
            sheet: "Thử",
            columns: COLUMNS,
            rows: vec![vec![
                Cell::Int(7),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
                Cell::Text("a, \"b\"".into()),
            ]],
        };
        let csv = String::from_utf8(t.csv().unwrap()).unwrap();
        assert_eq!(csv, "id,on,note\n7,2026-03-01,\"a, \"\"b\"\"\"\n");
        let xlsx = t.xlsx().unwrap();
        assert_eq!(&xlsx[..2], b"PK");
    }
}
