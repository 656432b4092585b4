//! What-if sweeps: a base scenario and named overrides solved in parallel into one results table,
//! with resumable runs, shards for array jobs, cost curves and the grade-upgrade ranking.

pub mod curve;
pub mod digest;
pub mod region;
pub mod run;
pub mod spec;
pub mod table;
pub mod upgrade;

pub use run::{merge, run, RunOptions, RunSummary, SweepError};
pub use spec::{read_sweep, Case, Kind, Sweep};
