//! The optimisation model: every active line's options and nested option triples, the coupling
//! row families (targets, whole-line stop groups; see [`family`]), and a registry that names
//! every row.
//!
//! Formulation: each line chooses one *nested triple* (yellow, orange, red option) whose options
//! satisfy the rules and never weaken from one level to the next. Only the target rows
//! (level × pollutant × city/district/controlled) and the stop groups couple lines, which the
//! solver exploits (Lagrangian pricing, column generation, reduced-cost fixing).

pub mod build;
pub mod export;
pub mod family;
pub mod problem;
pub mod registry;

pub use build::build;
pub use problem::{Choice, Group, Problem, Scope, StationTarget, Target, Unit};
