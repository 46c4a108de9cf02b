//! The vocabulary of diaban: administrative units and their levels, text folding for
//! Vietnamese search, and the conventions for dates and times. Nothing here does I/O;
//! the store and the web layer build on these types.

#![deny(missing_docs)]

pub mod access;
pub mod analytics_signal;
pub mod area;
pub mod attachment;
pub mod breach;
pub mod business;
pub mod cases;
pub mod classification;
pub mod container;
pub mod escalation;
pub mod incident;
pub mod indicator;
mod ops_enum;
pub mod period;
pub mod person;
pub mod plan;
pub mod propaganda;
pub mod report;
pub mod route;
pub mod seizures;
pub mod site;
pub mod text;
pub mod time;
pub mod tip;
pub mod unit;

pub use unit::{LineageKind, UnitLevel};
