//! The database of diaban. One [`Db`] handle over SQLite (the embedded default) or
//! PostgreSQL (production), chosen from the URL scheme. Every query is written once
//! with sea-query and run on whichever engine is behind the handle; only the private
//! `exec` module matches on the engine. Migrations are kept per engine in plain SQL
//! with the same version numbers. Nothing outside this crate writes SQL.

pub mod analytics_signals;
pub mod areas;
pub mod audit;
pub mod backup;
pub mod businesses;
pub mod cases;
pub mod classification;
pub mod data_breaches;
mod db;
mod error;
pub mod escalations;
mod exec;
pub mod incidents;
pub mod indicator_data;
pub mod notifications;
pub mod parameters;
pub mod person_duplicates;
pub mod person_facts;
pub mod person_records;
pub mod person_stats;
pub mod person_transfers;
pub mod person_work;
pub mod persons;
pub mod plan_tasks;
pub mod plans;
pub mod population;
pub mod propaganda;
pub mod reference;
pub mod report_sections;
pub mod reports;
pub mod rings;
pub mod routes;
pub mod sessions;
pub mod site_attachments;
pub mod site_links;
pub mod sites;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tips;
pub mod tokens;
pub mod unit_index;
pub mod units;
pub mod users;

pub use db::{Backend, Db, Tx};
pub use error::DbError;

/// Now, truncated to microseconds: the precision both engines keep, so a timestamp reads
/// back exactly as it was written.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
