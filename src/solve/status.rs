//! Solver status and report: honest about optimal, gap, time limit and infeasibility.

use serde::Serialize;
use std::time::Instant;

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal (gap below 1e-6).
    Optimal,
    /// Proven within the requested relative gap.
    GapLimit,
    /// The time limit stopped the search; the plan is the best found, not proven within the gap.
    TimeLimit,
    /// The targets cannot be met.
    Infeasible,
    /// No plan found within the time limit.
    NoSolution,
    /// A heuristic plan (greedy) with the bound shown for comparison.
    Heuristic,
}

impl Status {
    /// Keyword as in summary.json (`optimal`, `gap_limit`, …).
    pub fn key(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::GapLimit => "gap_limit",
            Status::TimeLimit => "time_limit",
            Status::Infeasible => "infeasible",
            Status::NoSolution => "no_solution",
            Status::Heuristic => "heuristic",
        }
    }

    /// Chinese and English message.
    pub fn message(self) -> &'static str {
        match self {
            Status::Optimal => "最优解（已证明） / optimal (proven)",
            Status::GapLimit => "在设定间隙内的最优解（已证明） / within the requested gap (proven)",
            Status::TimeLimit => "达到时间上限：给出当前最好方案，未证明最优 / time limit reached: best plan found, not proven",
            Status::Infeasible => "无法满足减排目标 / infeasible: the targets cannot be met",
            Status::NoSolution => "时间上限内未找到方案 / no plan found within the time limit",
            Status::Heuristic => "贪心启发式方案（非最优） / greedy heuristic plan (not optimised)",
        }
    }

    /// Exit code of `jianpai plan` for this status.
    pub fn exit_code(self) -> i32 {
        match self {
            Status::Optimal | Status::GapLimit | Status::Heuristic => crate::exit::OK,
            Status::TimeLimit => crate::exit::TIME_LIMIT,
            Status::Infeasible => crate::exit::INFEASIBLE,
            Status::NoSolution => crate::exit::NO_SOLUTION,
        }
    }
}

/// Which method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Column generation + reduced-cost fixing + exact MIP (HiGHS).
    Mip,
    /// Adaptive cost-effectiveness greedy with clean-up.
    Greedy,
}

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Method.
    pub method: Method,
    /// Wall-clock limit, seconds.
    pub time_limit: f64,
    /// Requested relative gap.
    pub rel_gap: f64,
    /// HiGHS threads.
    pub threads: u32,
}

/// What the solver reports.
#[derive(Debug, Clone, Serialize)]
pub struct SolveReport {
    /// Status.
    pub status: Status,
    /// Method used.
    pub method: Method,
    /// Objective of the plan (expected season loss, 万元).
    pub objective: Option<f64>,
    /// Proven lower bound on any plan's objective.
    pub bound: Option<f64>,
    /// Relative gap (objective − bound) / objective.
    pub gap: Option<f64>,
    /// Objective of the greedy plan.
    pub greedy_objective: Option<f64>,
    /// Seconds for the greedy (reported under `timing`, not here, so runs compare byte for byte).
    #[serde(skip)]
    pub greedy_seconds: f64,
    /// Seconds for the whole solve (reported under `timing`).
    #[serde(skip)]
    pub solve_seconds: f64,
    /// Column-generation rounds.
    pub lp_rounds: usize,
    /// Columns in the final LP master.
    pub lp_columns: usize,
    /// Lines left free in the exact MIP after reduced-cost fixing.
    pub mip_lines: usize,
    /// Binary variables in the exact MIP.
    pub mip_columns: usize,
    /// LP duals of the target rows (万元 of season loss per extra t/d), one per target.
    pub duals: Vec<f64>,
    /// Free-text notes (what limited the proof, fallbacks used).
    pub notes: Vec<String>,
}

impl SolveReport {
    /// An empty report.
    pub fn new(method: Method) -> Self {
        SolveReport {
            status: Status::NoSolution,
            method,
            objective: None,
            bound: None,
            gap: None,
            greedy_objective: None,
            greedy_seconds: 0.0,
            solve_seconds: 0.0,
            lp_rounds: 0,
            lp_columns: 0,
            mip_lines: 0,
            mip_columns: 0,
            duals: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Set objective, gap and status from the final numbers.
    pub fn finish(
        &mut self,
        objective: Option<f64>,
        opts: &SolveOptions,
        start: Instant,
        timed_out: bool,
    ) {
        self.objective = objective;
        self.solve_seconds = start.elapsed().as_secs_f64();
        // Targets are met within a tolerance of 1e-7 of each row, so a bound may pass the
        // objective by that much: report it as closed, never as a negative gap.
        if let (Some(o), Some(b)) = (objective, self.bound) {
            if b > o {
                self.bound = Some(o);
            }
        }
        self.gap = match (objective, self.bound) {
            (Some(o), Some(b)) => Some(relative_gap(o, b)),
            _ => None,
        };
        self.status = match (objective, self.gap) {
            (None, _) if timed_out => Status::NoSolution,
            (None, _) => Status::Infeasible,
            (Some(_), _) if self.method == Method::Greedy => Status::Heuristic,
            (Some(_), Some(g)) if g <= 1e-6 => Status::Optimal,
            (Some(_), Some(g)) if g <= opts.rel_gap + 1e-12 => Status::GapLimit,
            (Some(_), _) => Status::TimeLimit,
        };
    }
}

/// Relative gap with a floor on the denominator.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    ((objective - bound) / objective.abs().max(1e-9)).max(0.0)
}
