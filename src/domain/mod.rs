//! The typed picture of a city: enterprises, lines, measures, levels, pollutants and scenarios.
//! No file formats and no DataFrames here.

pub mod credit_code;
pub mod decision;
pub mod enterprise;
pub mod fairness;
pub mod industry;
pub mod inventory;
pub mod level;
pub mod line;
pub mod measure;
pub mod scenario;
pub mod summary;
pub mod whatif;

pub use credit_code::CreditCode;
pub use decision::{Decision, DecisionMode, DecisionTarget};
pub use enterprise::{Enterprise, Grade};
pub use industry::{Industry, IndustryTable};
pub use inventory::{District, Inventory};
pub use level::{Level, Pollutant, PollutantVec};
pub use line::{Line, LineStatus};
pub use measure::{DeclaredOption, Measure, Transport};
pub use scenario::Scenario;
