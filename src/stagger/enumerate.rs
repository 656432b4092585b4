//! Every calendar of every line, when there are few: the master MIP over all of them is then the
//! whole problem, so its optimum is the calendar's optimum and its bound the problem's bound.
//! The rules mirror [`super::pricing`]: maintenance starts clear of forced days and of each
//! other, chosen days only on choosable non-maintenance days, blocks of at least the minimum
//! length, production runs next to a chosen block of at least the minimum run, at most the
//! season's block limit, every quota window met. Gives up (`None`) beyond [`PER_LINE`] calendars of one line,
//! [`TOTAL`] of all lines, or [`NODES`] search steps of one line: large instances keep column
//! generation.

use super::instance::{runs, Instance, Mode, Unit, UnitPlan};
use super::pricing::job_starts;

/// Most calendars of one line.
pub const PER_LINE: usize = 2_000;
/// Most calendars of all lines together.
pub const TOTAL: usize = 20_000;
/// Most search steps for one line.
pub const NODES: usize = 200_000;

/// Every line's every calendar, or `None` when there are too many.
pub fn all_plans(inst: &Instance) -> Option<Vec<Vec<UnitPlan>>> {
    let mut total = 0;
    let mut out = Vec::with_capacity(inst.units.len());
    for ui in 0..inst.units.len() {
        let plans = line_plans(inst, ui)?;
        total += plans.len();
        if total > TOTAL {
            return None;
        }
        out.push(plans);
    }
    Some(out)
}

/// Every calendar of one line, or `None` beyond [`PER_LINE`] calendars or [`NODES`] steps.
pub fn line_plans(inst: &Instance, ui: usize) -> Option<Vec<UnitPlan>> {
    let u = &inst.units[ui];
    let mut search = Search {
        inst,
        u,
        starts: job_starts(inst, u),
        jobs: Vec::with_capacity(u.jobs.len()),
        job_day: vec![false; inst.days.len()],
        chosen: vec![false; inst.days.len()],
        out: Vec::new(),
        nodes: 0,
    };
    search.jobs().then_some(search.out)
}

struct Search<'a> {
    inst: &'a Instance,
    u: &'a Unit,
    starts: Vec<Vec<usize>>,
    jobs: Vec<usize>,
    job_day: Vec<bool>,
    chosen: Vec<bool>,
    out: Vec<UnitPlan>,
    nodes: usize,
}

impl Search<'_> {
    /// Places the remaining jobs, then the stop days; false when a limit is exceeded.
    fn jobs(&mut self) -> bool {
        let k = self.jobs.len();
        if k == self.starts.len() {
            return self.days();
        }
        let dur = self.u.jobs[k].duration;
        for i in 0..self.starts[k].len() {
            let t = self.starts[k][i];
            if self.job_day[t..t + dur].iter().any(|&b| b) {
                continue;
            }
            self.job_day[t..t + dur].iter_mut().for_each(|b| *b = true);
            self.jobs.push(t);
            let ok = self.jobs();
            self.jobs.pop();
            self.job_day[t..t + dur].iter_mut().for_each(|b| *b = false);
            if !ok {
                return false;
            }
        }
        true
    }

    /// Every choice of stop days with the jobs placed.
    fn days(&mut self) -> bool {
        let (inst, u) = (self.inst, self.u);
        let n = inst.days.len();
        let can: Vec<bool> = (0..n)
            .map(|d| u.mode == Mode::Stagger && !self.job_day[d] && inst.choosable(u, d))
            .collect();
        let counted: Vec<bool> = (0..n)
            .map(|d| inst.forced(u, d).is_some() || (self.job_day[d] && inst.maintenance_counts))
            .collect();
        // possible[d]: days from d on that can count towards a quota (suffix sums).
        let mut possible = vec![0usize; n + 1];
        for d in (0..n).rev() {
            possible[d] = possible[d + 1] + usize::from(can[d] || counted[d]);
        }
        self.walk_days(&can, &counted, &possible)
    }

    /// Depth-first over days with an explicit stack (one frame per day, never recursion: a
    /// horizon of many days must not overflow the call stack); false when a limit is exceeded.
    fn walk_days(&mut self, can: &[bool], counted: &[bool], possible: &[usize]) -> bool {
        let u = self.u;
        let m = u.min_block.max(1);
        let n = self.inst.days.len();
        let r_max = if u.min_run > 1 { u.min_run } else { 0 };
        let stop: Vec<bool> = (0..n)
            .map(|d| self.inst.forced(u, d).is_some() || self.job_day[d])
            .collect();
        let mut stack: Vec<Frame> = Vec::new();
        let start = Frame {
            phase: 0,
            choice: 0,
            counts: vec![0; u.quotas.len()],
            run: r_max,
            last_chosen: false,
            blocks: 0,
        };
        if !self.enter(0, start, &mut stack) {
            return false;
        }
        while let Some(d) = stack.len().checked_sub(1) {
            let top = &mut stack[d];
            if top.choice == 2 {
                self.chosen[d] = false;
                stack.pop();
                continue;
            }
            let choose = top.choice == 1;
            top.choice += 1;
            let next = match (choose, top.phase) {
                (false, p) if p == 0 || p == m => 0,
                (false, _) => continue,
                (true, _) if !can[d] => continue,
                (true, p) => (p + 1).min(m),
            };
            // Minimum run: a stop after a short run is allowed only when neither side is chosen.
            let (run, last_chosen) = if choose || stop[d] {
                if 0 < top.run && top.run < r_max && (top.last_chosen || choose) {
                    continue;
                }
                (0, choose)
            } else {
                ((top.run + 1).min(r_max), top.last_chosen)
            };
            // Blocks started in the current season.
            let season_start = self.inst.seasons.iter().any(|s| s.first == d);
            let mut blocks = if season_start { 0 } else { top.blocks };
            if choose && top.phase == 0 {
                blocks += 1;
                if u.max_blocks.is_some_and(|k| blocks > k) {
                    continue;
                }
            }
            let inc = usize::from(choose || counted[d]);
            let mut counts = top.counts.clone();
            let mut alive = true;
            for (c, q) in counts.iter_mut().zip(&u.quotas) {
                if q.first <= d && d <= q.last {
                    *c = (*c + inc).min(q.min_days);
                    // The window's remaining days must still be able to meet the quota.
                    if *c + possible[d + 1] - possible[(q.last + 1).min(n)] < q.min_days {
                        alive = false;
                    }
                }
            }
            self.chosen[d] = choose;
            let frame = Frame {
                phase: next,
                choice: 0,
                counts,
                run,
                last_chosen,
                blocks,
            };
            if alive && !self.enter(d + 1, frame, &mut stack) {
                return false;
            }
        }
        true
    }

    /// Arrive at day `d` with the walk's state `frame`: at the end of the horizon record the
    /// calendar (when its last block is complete), else push the day's frame. False when a
    /// limit is exceeded.
    fn enter(&mut self, d: usize, frame: Frame, stack: &mut Vec<Frame>) -> bool {
        self.nodes += 1;
        if self.nodes > NODES {
            return false;
        }
        let m = self.u.min_block.max(1);
        if d == self.inst.days.len() {
            if frame.phase == 0 || frame.phase == m {
                if self.out.len() == PER_LINE {
                    return false;
                }
                self.out.push(UnitPlan {
                    blocks: runs(&self.chosen, |&c| c),
                    job_starts: self.jobs.clone(),
                });
            }
            return true;
        }
        stack.push(frame);
        true
    }
}

/// One day of the depth-first walk: the block phase on arrival, the next choice to try (0: run,
/// 1: stop, 2: done), the quota counts, the production days since the last stop (capped at the
/// minimum run) and whether that stop was chosen, and the blocks started in the season, all on
/// arrival.
struct Frame {
    phase: usize,
    choice: u8,
    counts: Vec<usize>,
    run: usize,
    last_chosen: bool,
    blocks: usize,
}
