//! Rules as data: the grade × industry × level table of minimum obligations, and how they apply
//! to each line (exempt firms, A / 引领性, 保障类 floors, whole-line and named-process stops).

pub mod apply;
pub mod decide;
pub mod fair;
pub mod obligation;
pub mod table;

pub use apply::{resolve, LineRule, Resolved, StopGroup};
pub use obligation::Obligation;
pub use table::{RuleRow, Rules};
