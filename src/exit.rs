//! Documented exit codes (also listed in `jianpai --help` and the README).

/// Success: the data is valid, the plan is optimal or proven within the requested gap.
pub const OK: i32 = 0;
/// An unexpected internal error (a bug: please report it).
pub const INTERNAL: i32 = 1;
/// The command line is wrong.
pub const USAGE: i32 = 2;
/// The input data or scenario is invalid (see the messages).
pub const INVALID_INPUT: i32 = 3;
/// The targets cannot be met; the shortfall is explained.
pub const INFEASIBLE: i32 = 4;
/// No plan was found within the time limit.
pub const NO_SOLUTION: i32 = 5;
/// `check` found violations.
pub const CHECK_FAILED: i32 = 6;
/// A file could not be read or written.
pub const IO: i32 = 7;
/// The time limit stopped the search; the best plan found was written, not proven optimal.
pub const TIME_LIMIT: i32 = 8;

/// Table shown in `--help`.
pub const HELP: &str = "Exit codes:
  0  success (data valid; plan optimal or proven within the requested gap)
  1  internal error (a bug)
  2  wrong command line
  3  invalid input data or scenario
  4  targets cannot be met (infeasible; the shortfall is explained)
  5  no plan found within the time limit
  6  check found violations
  7  a file could not be read or written
  8  time limit reached: best plan written, not proven within the gap";
