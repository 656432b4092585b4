//! Validation: raw tables → typed [`Inventory`](crate::domain::Inventory), with every problem
//! reported as a [`Diagnostic`] naming file, row, column and value.

pub(crate) mod cells;
pub mod decisions;
mod diagnostic;
pub mod header_units;
pub mod plausibility;
mod tables;

pub use diagnostic::{escape_controls, escape_terminal, is_control, Diagnostic, Report, Severity};
pub use tables::{default_industries, load_dataset, load_dataset_with, validate_tables};
