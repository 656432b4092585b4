//! Validation: raw tables → typed [`Inventory`](crate::domain::Inventory), with every problem
//! reported as a [`Diagnostic`] naming file, row, column and value.

pub(crate) mod cells;
mod diagnostic;
pub mod header_units;
pub mod plausibility;
mod tables;

pub use diagnostic::{Diagnostic, Report, Severity};
pub use tables::{default_industries, load_dataset, load_dataset_with};
