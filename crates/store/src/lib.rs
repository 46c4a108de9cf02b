//! The database of diaban. One [`Db`] handle over SQLite (the embedded default) or
//! PostgreSQL (production), chosen from the URL scheme. Every query is written once
//! with sea-query and run on whichever engine is behind the handle; only the private
//! `exec` module matches on the engine. Migrations are kept per engine in plain SQL
//! with the same version numbers. Nothing outside this crate writes SQL.

mod db;
mod error;
mod exec;
pub mod population;
pub mod reference;
#[cfg(feature = "testing")]
pub mod testing;
pub mod units;

pub use db::{Backend, Db, Tx};
pub use error::DbError;
