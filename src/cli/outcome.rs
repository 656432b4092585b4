//! The one mapping from a solve's status to the command's exit code and failure, for every
//! command that plans (plan, stagger, revise, sweep): the library reports what it proved, the
//! command line decides how a process ends.

use super::Failure;
use crate::exit;
use crate::solve::Status;

/// Exit code of a command whose solve ended with `status`.
pub fn exit_code(status: Status) -> i32 {
    match status {
        Status::Optimal | Status::GapLimit | Status::Heuristic => exit::OK,
        Status::TimeLimit | Status::NotProven => exit::TIME_LIMIT,
        Status::Infeasible => exit::INFEASIBLE,
        Status::NoSolution | Status::SolverError => exit::NO_SOLUTION,
        Status::InvalidNumbers => exit::INVALID_INPUT,
    }
}

/// `Ok` when the status gives a usable plan or calendar, else the failure with its message.
pub fn result(status: Status) -> Result<(), Failure> {
    match exit_code(status) {
        exit::OK => Ok(()),
        code => Err(Failure::new(code, status.message())),
    }
}

/// `Ok` when a checker found nothing, else the check failure (exit 6) with the count.
pub fn check_result(violations: usize) -> Result<(), Failure> {
    if violations == 0 {
        Ok(())
    } else {
        Err(Failure::new(
            exit::CHECK_FAILED,
            format!("{violations} violations"),
        ))
    }
}

/// A figure of a summary, `—` when the solve has none.
pub fn figure(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

/// A relative gap as a percentage, `—` when unknown.
pub fn gap(g: Option<f64>) -> String {
    g.map(|g| format!("{:.4}%", g * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// The line comparing the optimised result with the greedy one (`greedy_en` names it in English),
/// when the solve recorded both.
pub fn print_saving_vs_greedy(
    greedy_en: &str,
    english: bool,
    greedy: Option<f64>,
    saving: Option<f64>,
    share: Option<f64>,
) {
    if let (Some(g), Some(sv), Some(sh)) = (greedy, saving, share) {
        let (label, saved) = if english {
            (greedy_en, "saved")
        } else {
            ("贪心方案:", "节省")
        };
        println!("{label} {g:.2} → {saved} {sv:.2} ({:.2}%)", sh * 100.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_documented_exit_code_and_only_plans_succeed() {
        for s in Status::ALL {
            let code = exit_code(s);
            assert_ne!(code, exit::INTERNAL, "{s:?}");
            let usable = matches!(s, Status::Optimal | Status::GapLimit | Status::Heuristic);
            assert_eq!(result(s).is_ok(), usable, "{s:?}");
        }
        assert_eq!(exit_code(Status::TimeLimit), exit::TIME_LIMIT);
        assert_eq!(exit_code(Status::Infeasible), exit::INFEASIBLE);
        assert_eq!(exit_code(Status::InvalidNumbers), exit::INVALID_INPUT);
    }
}
