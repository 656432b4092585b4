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
    /// The solver stopped without a proof for a reason other than the time limit (HiGHS status
    /// `Unknown`, numerical trouble, an error); the plan is the best found, checked by us.
    NotProven,
    /// The solver failed (see the notes) and no plan was found.
    SolverError,
    /// The model holds numbers no solver can use (not finite, or beyond 1e15); see the notes.
    InvalidNumbers,
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
            Status::NotProven => "not_proven",
            Status::SolverError => "solver_error",
            Status::InvalidNumbers => "invalid_numbers",
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
            Status::NotProven => "求解器未完成证明即停止（非时间上限，见说明）：给出当前最好方案，未证明最优 / the solver stopped without a proof (not the time limit, see notes): best plan found, not proven",
            Status::SolverError => "求解器出错，未找到方案（见说明） / the solver failed (see notes): no plan found",
            Status::InvalidNumbers => "模型数值超出可求解范围（见说明） / the model holds numbers no solver can use (see notes)",
        }
    }

    /// Every status, in the order of [`Status::key`]'s documentation.
    pub const ALL: [Status; 9] = [
        Status::Optimal,
        Status::GapLimit,
        Status::TimeLimit,
        Status::Infeasible,
        Status::NoSolution,
        Status::Heuristic,
        Status::NotProven,
        Status::SolverError,
        Status::InvalidNumbers,
    ];

    /// Why a search that ended with this status stopped, for a search made of several: the time
    /// limit (also when no plan was found in time), solver trouble (not proven), or its end.
    pub fn stop(self) -> Stop {
        match self {
            Status::TimeLimit | Status::NoSolution => Stop::TimeLimit,
            Status::NotProven | Status::SolverError => Stop::Trouble,
            _ => Stop::Finished,
        }
    }

    /// The status of a finished search from what it proved, never guessed: a plan within the
    /// gap is (gap-)optimal; an unproven plan is `time_limit` only when the time limit stopped
    /// the search and `not_proven` otherwise; no plan is `solver_error` when the solver failed and
    /// `no_solution` otherwise (a proven infeasibility is set by the caller that proved it).
    pub fn of_search(objective: Option<f64>, gap: Option<f64>, rel_gap: f64, stop: Stop) -> Status {
        match (objective, gap, stop) {
            (None, _, Stop::Trouble) => Status::SolverError,
            (None, _, _) => Status::NoSolution,
            (Some(_), Some(g), _) if g <= 1e-6 => Status::Optimal,
            (Some(_), Some(g), _) if g <= rel_gap + 1e-12 => Status::GapLimit,
            (Some(_), _, Stop::TimeLimit) => Status::TimeLimit,
            (Some(_), _, _) => Status::NotProven,
        }
    }
}

/// Why a search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// It ran to its end (every phase finished).
    Finished,
    /// The time limit stopped it.
    TimeLimit,
    /// The solver stopped for another reason (status `Unknown`, numerical trouble, an error).
    Trouble,
}

impl Stop {
    /// The more telling of two reasons: the time limit, then solver trouble, then finished.
    pub fn and(self, other: Stop) -> Stop {
        match (self, other) {
            (Stop::TimeLimit, _) | (_, Stop::TimeLimit) => Stop::TimeLimit,
            (Stop::Trouble, _) | (_, Stop::Trouble) => Stop::Trouble,
            _ => Stop::Finished,
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
    /// LP duals of the station rows (万元 of season loss per extra µg/m³ required), one per
    /// `Problem::stations` entry; empty without station rows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub station_duals: Vec<f64>,
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
            station_duals: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Set objective, gap and status from the final numbers and why the search stopped.
    pub fn finish(
        &mut self,
        objective: Option<f64>,
        opts: &SolveOptions,
        start: Instant,
        stop: Stop,
    ) {
        self.objective = objective;
        self.solve_seconds = start.elapsed().as_secs_f64();
        // Targets are met within a tolerance of each row, so a bound may pass the objective by
        // that much: report it as closed, never as a negative gap.
        if let (Some(o), Some(b)) = (objective, self.bound) {
            if b > o {
                self.bound = Some(o);
            }
        }
        self.gap = match (objective, self.bound) {
            (Some(o), Some(b)) => Some(relative_gap(o, b)),
            _ => None,
        };
        self.status = if objective.is_some() && self.method == Method::Greedy {
            Status::Heuristic
        } else {
            Status::of_search(objective, self.gap, opts.rel_gap, stop)
        };
    }
}

/// Relative gap with a floor on the denominator.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    ((objective - bound) / objective.abs().max(1e-9)).max(0.0)
}
