//! One HiGHS session set-up for every model the crate solves (the list's LP master and exact MIP,
//! the fair-list MIP, the calendar's LP master and MIP): quiet unless `JIANPAI_HIGHS_LOG` is set,
//! a fixed random seed, the thread count, the time limit, and — for MIPs — the relative gap,
//! tight feasibility tolerances and an objective cut-off. Options HiGHS refuses come back as a
//! value; what stopped a MIP is read the same way everywhere ([`stop_of`]).

use super::status::Stop;
use highs::HighsModelStatus;

/// Settings of one HiGHS run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Session {
    /// HiGHS threads (at least 1). HiGHS fixes its thread pool at the first solve of a process,
    /// so a refused change is not an error.
    pub threads: u32,
    /// Time limit, seconds (at least 0.05).
    pub seconds: f64,
    /// Relative MIP gap, for MIPs.
    pub mip_gap: Option<f64>,
    /// Primal and MIP feasibility tolerance, when tighter than HiGHS's default is needed.
    pub tolerance: Option<f64>,
    /// Objective cut-off: only solutions below it are of interest.
    pub cutoff: Option<f64>,
}

impl Session {
    /// Apply the settings to `hm`; `Err` names the first option HiGHS refused (the model may be
    /// partly configured then).
    pub fn apply(&self, hm: &mut highs::Model) -> Result<(), String> {
        hm.make_quiet();
        if std::env::var_os("JIANPAI_HIGHS_LOG").is_some() {
            let _ = hm.try_set_option("output_flag", true);
            let _ = hm.try_set_option("log_to_console", true);
        }
        let _ = hm.try_set_option("threads", self.threads.max(1) as i32);
        let _ = hm.try_set_option("random_seed", 0);
        let mut settings: Vec<(&str, f64)> = vec![("time_limit", self.seconds.max(0.05))];
        if let Some(gap) = self.mip_gap {
            settings.push(("mip_rel_gap", gap));
        }
        if let Some(tol) = self.tolerance {
            settings.push(("mip_feasibility_tolerance", tol));
            settings.push(("primal_feasibility_tolerance", tol));
        }
        if let Some(cutoff) = self.cutoff {
            settings.push(("objective_bound", cutoff));
        }
        for (key, value) in settings {
            hm.try_set_option(key, value)
                .map_err(|e| format!("HiGHS refused {key} = {value} ({e:?})"))?;
        }
        Ok(())
    }
}

/// Why HiGHS's MIP stopped, from its model status.
pub fn stop_of(status: HighsModelStatus) -> Stop {
    match status {
        HighsModelStatus::Optimal | HighsModelStatus::Infeasible => Stop::Finished,
        HighsModelStatus::ReachedTimeLimit => Stop::TimeLimit,
        _ => Stop::Trouble,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_option_comes_back_as_a_value() {
        let mut pb = highs::RowProblem::default();
        let x = pb.add_integer_column(1.0, 0.0..=1.0);
        pb.add_row(1.0.., [(x, 1.0)]);
        let mut hm = pb.optimise(highs::Sense::Minimise);
        let ok = Session {
            threads: 1,
            seconds: 5.0,
            mip_gap: Some(1e-4),
            tolerance: Some(1e-9),
            cutoff: Some(10.0),
        };
        assert_eq!(ok.apply(&mut hm), Ok(()));
        let bad = Session {
            mip_gap: Some(-1.0),
            ..ok
        };
        let e = bad.apply(&mut hm).unwrap_err();
        assert!(e.contains("mip_rel_gap"), "{e}");
        let solved = hm.try_solve().expect("solves");
        assert_eq!(stop_of(solved.status()), Stop::Finished);
        assert_eq!(stop_of(HighsModelStatus::ReachedTimeLimit), Stop::TimeLimit);
        assert_eq!(stop_of(HighsModelStatus::Unknown), Stop::Trouble);
    }
}
