//! Regional cases of a sweep (base: a `region.toml`): each case is the joint solve of `jianpai
//! region`, and its row holds the region's status, loss, bound and gap, every regional target
//! (required, achieved, met, price) and each city's loss. Regional cases are not warm-started:
//! the regional solve starts from the cities' own solves.

use super::run::{load_message, CaseFile};
use super::spec::{Case, Sweep};
use super::table::{explain_shortfalls, head, num, opt, Row};
use crate::region::scenario::region_from_table;
use crate::region::{build_region, load_cities, plan_region, Region, RegionError, RegionPlanned};
use crate::solve::Method;
use serde_json::Value;
use std::time::Instant;

/// Solve one regional case into its case file (an unreadable case is a row of status
/// "invalid" with the reason).
pub fn solve_case(sweep: &Sweep, case: &Case, english: bool) -> CaseFile {
    let t0 = Instant::now();
    let fail =
        |message: String| CaseFile::failed(case, "invalid", &message, t0.elapsed().as_secs_f64());
    let scenario = match region_from_table(&sweep.file, case.scenario.clone()) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    let (scenario, cities) = match load_cities(scenario, &sweep.file) {
        Ok(x) => x,
        Err(RegionError::City { file, source }) => {
            return fail(format!("{file}: {}", load_message(&source)))
        }
        Err(e) => return fail(e.to_string()),
    };
    let mut opts = crate::pipeline::solve_options(&scenario.solver, Method::Mip, None, None, None);
    opts.threads = 1;
    let region = match build_region(scenario, cities) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    let planned = plan_region(&region, &opts, english);
    let mut row = region_row(case, &region, &planned);
    explain_shortfalls(&mut row, &planned.shortfalls);
    CaseFile::new(case, row, t0.elapsed().as_secs_f64(), None)
}

/// A regional case's row: status, gap, loss and bound of the region; per regional target
/// (`region.<level>.<pollutant>.*`) what is required and achieved (lines plus credits, t/d),
/// whether it is met and its price (万元 per t/d); then each city's loss (`city.<name>.loss`).
pub fn region_row(case: &Case, region: &Region, planned: &RegionPlanned) -> Row {
    let mut r = head(case);
    let report = &planned.report;
    r.insert("status".into(), Value::from(report.status.key()));
    r.insert("gap".into(), report.gap.map(num).unwrap_or(Value::Null));
    r.insert("loss".into(), opt(report.objective));
    r.insert("bound".into(), opt(report.bound));
    for (i, t) in region.regional_targets().iter().enumerate() {
        let k = format!("region.{}.{}", t.level.key(), t.pollutant.key());
        let o = planned.regional_targets.get(i);
        r.insert(format!("{k}.required"), num(t.required));
        r.insert(format!("{k}.achieved"), opt(o.map(|o| o.achieved)));
        r.insert(
            format!("{k}.met"),
            o.map_or(Value::Null, |o| Value::from(o.met)),
        );
        r.insert(format!("{k}.marginal"), opt(o.and_then(|o| o.price)));
    }
    for (c, p) in region.cities.iter().zip(&planned.cities) {
        r.insert(format!("city.{}.loss", c.name), opt(p.summary.objective));
    }
    r
}
