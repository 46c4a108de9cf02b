//! Spatio-temporal analytics for drug-control work: where activity is
//! emerging, persisting or fading, and how well a hot-spot map predicts.
//!
//! Pure functions on plain data, following the exact definitions of the
//! project's `ANALYTICS.md`:
//!
//! - [`incidents`]: the `lat,lon,date` CSV reader and the [`Incident`] type;
//! - [`SpaceTimeCube`]: incident counts per H3 cell × calendar month;
//! - [`ehsa`]: emerging hot spot analysis (space-time Gi*, Benjamini–Hochberg,
//!   Mann–Kendall, 17 [`Category`] values) and its CSV output;
//! - [`kde`]: the quartic kernel density surface for heat maps;
//! - [`pai`]: the Prediction Accuracy Index of several hot-spot methods;
//! - [`stats`]: the statistical building blocks on their own;
//! - cell helpers ([`cell_boundary`], [`cell_center`], [`cell_hex`], …) so
//!   callers can draw cells without knowing the H3 library.
//!
//! # Example
//!
//! ```
//! use diaban_analytics::incidents::{parse_csv, ParseOptions};
//! use diaban_analytics::{Category, Ehsa};
//!
//! // Three months of incidents: a steady cluster in one place, and a new
//! // burst in another place in the last month only.
//! let mut csv = String::from("lat,lon,date\n");
//! for month in 1..=3 {
//!     for k in 0..4 {
//!         csv += &format!("15.120{k},108.800{k},2025-0{month}-1{k}\n");
//!     }
//! }
//! for k in 0..9 {
//!     csv += &format!("15.300{k},108.600{k},2025-03-0{}\n", k + 1);
//! }
//!
//! let parsed = parse_csv(csv.as_bytes(), ParseOptions::new())?;
//! let report = Ehsa::builder().resolution(8).build()?.analyse(&parsed.incidents)?;
//! assert_eq!(report.cube().steps(), 3);
//! for row in report.rows() {
//!     println!("{} {} {}", row.cell_hex(), row.category, row.category.label_vi());
//! }
//! let mut out = Vec::new();
//! report.write_csv(&mut out)?;
//! assert!(out.starts_with(b"cell,lat,lon,category,hot_bins,cold_bins,final_z,mk_tau,mk_z,mk_p\n"));
//! # assert!(report.rows().iter().all(|r| Category::ALL.contains(&r.category)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod cell;
mod cube;
mod date;
pub mod ehsa;
mod error;
pub mod incidents;
pub mod indicators;
pub mod kde;
mod locate;
pub mod pai;
mod parallel;
pub mod stats;

pub use cell::{cell_area_km2, cell_at, cell_boundary, cell_center, cell_hex, parse_cell};
pub use cube::SpaceTimeCube;
pub use date::{Date, YearMonth};
pub use ehsa::{Category, Ehsa, EhsaBuilder, EhsaReport, EhsaRow, write_ehsa_csv};
pub use error::{Error, ErrorKind, Result};
pub use incidents::{Incident, ParseOptions, ParsedIncidents, RejectedRow, parse_csv, read_csv};
