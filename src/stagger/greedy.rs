//! The planner's greedy calendar (also the MIP's cut-off and fallback): place maintenance jobs at
//! their cheapest allowed dates, fill every quota with the cheapest blocks, then cover the daily
//! cut deficits with the blocks that cover most deficit per 万元, all within the industry caps;
//! finally trim block ends that nothing needs.

use super::check::counts_toward_quota;
use super::instance::{Instance, Mode, State, Unit, TOL};

struct Greedy<'a> {
    inst: &'a Instance,
    states: Vec<Vec<State>>,
    cap: Vec<Vec<f64>>,
    cut: Vec<[f64; 4]>,
}

impl<'a> Greedy<'a> {
    fn new(inst: &'a Instance) -> Self {
        let states: Vec<Vec<State>> = inst
            .units
            .iter()
            .map(|u| {
                (0..inst.days.len())
                    .map(|d| inst.forced(u, d).unwrap_or(State::Run))
                    .collect()
            })
            .collect();
        Self::from_states(inst, states)
    }

    fn from_states(inst: &'a Instance, states: Vec<Vec<State>>) -> Self {
        let cap = super::check::stopped_capacity(inst, &states);
        let cut = super::check::cuts(inst, &states);
        Greedy {
            inst,
            states,
            cap,
            cut,
        }
    }

    fn set(&mut self, u: usize, d: usize, s: State) {
        let unit = &self.inst.units[u];
        let sign = match (self.states[u][d].stopped(), s.stopped()) {
            (false, true) => 1.0,
            (true, false) => -1.0,
            _ => 0.0,
        };
        self.cap[d][unit.industry] += sign * unit.capacity;
        for p in 0..4 {
            self.cut[d][p] += sign * unit.emissions[p];
        }
        self.states[u][d] = s;
    }

    fn cap_ok(&self, u: &Unit, days: std::ops::RangeInclusive<usize>) -> bool {
        let ind = &self.inst.industries[u.industry];
        days.into_iter()
            .all(|d| self.cap[d][u.industry] + u.capacity <= ind.limit() + TOL)
    }

    /// Cost of turning [a, b] into a chosen block (start-up unless it joins a chosen block).
    fn block_cost(&self, ui: usize, a: usize, b: usize) -> f64 {
        let u = &self.inst.units[ui];
        let s = &self.states[ui];
        let joins =
            (a > 0 && s[a - 1] == State::Chosen) || (b + 1 < s.len() && s[b + 1] == State::Chosen);
        (a..=b).map(|d| self.inst.day_value(u, d)).sum::<f64>()
            + if joins { 0.0 } else { u.startup_cost }
    }

    /// Whether [a, b] can become chosen for unit ui (choosable, running, within the cap, the
    /// line's minimum run and block limit kept).
    fn free(&self, ui: usize, a: usize, b: usize) -> bool {
        let u = &self.inst.units[ui];
        b < self.inst.days.len()
            && (a..=b).all(|d| self.inst.choosable(u, d) && self.states[ui][d] == State::Run)
            && self.cap_ok(u, a..=b)
            && self.runs_ok(ui, a, b)
            && self.block_count_ok(ui, a, b)
    }

    /// Whether the production runs either side of a new chosen block [a, b] stay at least the
    /// line's minimum run (or are empty, or reach the horizon's ends).
    fn runs_ok(&self, ui: usize, a: usize, b: usize) -> bool {
        let u = &self.inst.units[ui];
        if u.min_run <= 1 {
            return true;
        }
        let s = &self.states[ui];
        let short = |days: &mut dyn Iterator<Item = usize>| {
            let mut run = 0;
            for d in days {
                if s[d].stopped() {
                    return run > 0 && run < u.min_run;
                }
                run += 1;
                if run >= u.min_run {
                    return false;
                }
            }
            false
        };
        !short(&mut (0..a).rev()) && !short(&mut (b + 1..s.len()))
    }

    /// Whether the season of day `a` keeps within the line's block limit with [a, b] chosen.
    fn block_count_ok(&self, ui: usize, a: usize, b: usize) -> bool {
        let u = &self.inst.units[ui];
        let (Some(max), Some(season)) = (u.max_blocks, self.inst.days[a].season) else {
            return true;
        };
        let s = &self.states[ui];
        let se = &self.inst.seasons[season];
        let chosen = |d: usize| s[d] == State::Chosen || (a..=b).contains(&d);
        let starts = (se.first..=se.last)
            .filter(|&d| chosen(d) && (d == 0 || !chosen(d - 1)))
            .count();
        starts <= max
    }

    /// Whether unit ui may stop choosing day d at the end of a block (the neighbour on the side
    /// of `next` runs, so no short production run appears before another stop).
    fn trim_keeps_runs(&self, ui: usize, next: Option<usize>) -> bool {
        let u = &self.inst.units[ui];
        u.min_run <= 1
            || next.is_none_or(|n| n >= self.inst.days.len() || !self.states[ui][n].stopped())
    }

    fn place_jobs(&mut self) -> bool {
        for ui in 0..self.inst.units.len() {
            let u = &self.inst.units[ui];
            for (k, job) in u.jobs.iter().enumerate() {
                let best = (0..self.inst.days.len())
                    .filter(|&t| job.allowed_start(t))
                    .filter(|&t| (t..t + job.duration).all(|d| self.states[ui][d] == State::Run))
                    .filter(|&t| self.cap_ok(u, t..=t + job.duration - 1))
                    .map(|t| {
                        (
                            (t..t + job.duration)
                                .map(|d| self.inst.day_value(u, d))
                                .sum::<f64>(),
                            t,
                        )
                    })
                    .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let Some((_, t)) = best else { return false };
                for d in t..t + job.duration {
                    self.set(ui, d, State::Maint(k));
                }
            }
        }
        true
    }

    fn quota_count(&self, ui: usize, q: &super::Quota) -> usize {
        self.states[ui][q.first..=q.last]
            .iter()
            .filter(|&&s| counts_toward_quota(self.inst, s))
            .count()
    }

    fn fill_quotas(&mut self) -> bool {
        for ui in 0..self.inst.units.len() {
            let u = &self.inst.units[ui];
            if u.mode != Mode::Stagger {
                continue;
            }
            let mut quotas: Vec<&super::Quota> = u.quotas.iter().collect();
            quotas.sort_by_key(|q| (q.last - q.first, q.first));
            for q in quotas {
                loop {
                    let have = self.quota_count(ui, q);
                    if have >= q.min_days {
                        break;
                    }
                    let need = q.min_days - have;
                    let mut best: Option<(f64, usize, usize)> = None;
                    for len in [need.max(u.min_block), u.min_block, 1] {
                        for a in q.first.saturating_sub(len - 1)..=q.last {
                            let b = a + len - 1;
                            if !self.free(ui, a, b) {
                                continue;
                            }
                            let joined = len >= u.min_block
                                || (a > 0 && self.states[ui][a - 1] == State::Chosen)
                                || (b + 1 < self.inst.days.len()
                                    && self.states[ui][b + 1] == State::Chosen);
                            let gain = (a.max(q.first)..=b.min(q.last)).count();
                            if !joined || gain == 0 {
                                continue;
                            }
                            let score = self.block_cost(ui, a, b) / gain.min(need) as f64;
                            if best.is_none_or(|(s, _, _)| score < s - 1e-12) {
                                best = Some((score, a, b));
                            }
                        }
                        if best.is_some() {
                            break;
                        }
                    }
                    let Some((_, a, b)) = best else { return false };
                    for d in a..=b {
                        self.set(ui, d, State::Chosen);
                    }
                }
            }
        }
        true
    }

    fn deficit(&self, d: usize, p: usize) -> f64 {
        (self.inst.days[d].target[p] - self.cut[d][p]).max(0.0)
    }

    /// Deficit covered by stopping unit u on [a, b], in target shares.
    fn coverage(&self, u: &Unit, a: usize, b: usize) -> f64 {
        (a..=b)
            .map(|d| {
                (0..4)
                    .filter(|&p| self.inst.days[d].target[p] > 0.0)
                    .map(|p| u.emissions[p].min(self.deficit(d, p)) / self.inst.days[d].target[p])
                    .sum::<f64>()
            })
            .sum()
    }

    fn cover_cuts(&mut self) -> bool {
        loop {
            let mut worst: Option<(f64, usize)> = None;
            for d in 0..self.inst.days.len() {
                for p in 0..4 {
                    let t = self.inst.days[d].target[p];
                    if t > 0.0 && self.deficit(d, p) > TOL {
                        let share = self.deficit(d, p) / t;
                        if worst.is_none_or(|(s, _)| share > s + 1e-12) {
                            worst = Some((share, d));
                        }
                    }
                }
            }
            let Some((_, d)) = worst else { return true };
            let mut best: Option<(f64, usize, usize, usize)> = None;
            for (ui, u) in self.inst.units.iter().enumerate() {
                if u.mode != Mode::Stagger || self.states[ui][d] != State::Run {
                    continue;
                }
                let s = &self.states[ui];
                let mut cands = Vec::new();
                if (d > 0 && s[d - 1] == State::Chosen)
                    || (d + 1 < s.len() && s[d + 1] == State::Chosen)
                {
                    cands.push((d, d));
                }
                for a in d.saturating_sub(u.min_block - 1)..=d {
                    cands.push((a, a + u.min_block - 1));
                }
                // Stretch a nearby block of the line up to d (no new start: keeps the block
                // limit and the runs on the far side).
                let reach = 2 * u.min_block + u.min_run;
                for (a, b) in super::instance::runs(s, |x| *x == State::Chosen) {
                    if b < d && d - b <= reach {
                        cands.push((b + 1, d));
                    } else if a > d && a - d <= reach {
                        cands.push((d, a - 1));
                    }
                }
                for (a, b) in cands {
                    if b < a.max(d) || !self.free(ui, a, b) {
                        continue;
                    }
                    let cover = self.coverage(u, a, b);
                    if cover <= 0.0 {
                        continue;
                    }
                    let score = self.block_cost(ui, a, b) / cover;
                    if best.is_none_or(|(sc, ..)| score < sc - 1e-12) {
                        best = Some((score, ui, a, b));
                    }
                }
            }
            let Some((_, ui, a, b)) = best else {
                return false;
            };
            for x in a..=b {
                self.set(ui, x, State::Chosen);
            }
        }
    }

    /// Whether unit ui may drop its chosen stop on day d (quotas and cuts still hold).
    fn removable(&self, ui: usize, d: usize) -> bool {
        let u = &self.inst.units[ui];
        u.quotas
            .iter()
            .all(|q| d < q.first || d > q.last || self.quota_count(ui, q) > q.min_days)
            && (0..4).all(|p| self.cut[d][p] - u.emissions[p] >= self.inst.days[d].target[p] - TOL)
    }

    /// Trim block ends that neither a quota nor a cut needs, keeping blocks ≥ the minimum.
    fn trim(&mut self) {
        for ui in 0..self.inst.units.len() {
            let u = &self.inst.units[ui];
            if u.mode != Mode::Stagger {
                continue;
            }
            loop {
                let mut changed = false;
                for (a, b) in super::instance::runs(&self.states[ui], |s| *s == State::Chosen) {
                    let whole = (a..=b).all(|d| self.removable_after(ui, a, b, d));
                    if whole {
                        for d in a..=b {
                            self.set(ui, d, State::Run);
                        }
                        changed = true;
                        continue;
                    }
                    let (mut a, mut b) = (a, b);
                    while b - a + 1 > u.min_block
                        && self.removable(ui, b)
                        && self.trim_keeps_runs(ui, Some(b + 1))
                    {
                        self.set(ui, b, State::Run);
                        b -= 1;
                        changed = true;
                    }
                    while b - a + 1 > u.min_block
                        && self.removable(ui, a)
                        && self.trim_keeps_runs(ui, a.checked_sub(1))
                    {
                        self.set(ui, a, State::Run);
                        a += 1;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
        }
    }

    /// Whether the whole block [a, b] can go: every quota keeps enough days and every cut holds.
    fn removable_after(&self, ui: usize, a: usize, b: usize, d: usize) -> bool {
        let u = &self.inst.units[ui];
        let lost = |q: &super::Quota| (a.max(q.first)..=b.min(q.last)).count();
        u.quotas
            .iter()
            .all(|q| self.quota_count(ui, q) >= q.min_days + lost(q))
            && (0..4).all(|p| self.cut[d][p] - u.emissions[p] >= self.inst.days[d].target[p] - TOL)
    }
}

/// The greedy calendar (every unit's day states), or `None` when the greedy gets stuck.
pub fn greedy(inst: &Instance) -> Option<Vec<Vec<State>>> {
    let mut g = Greedy::new(inst);
    if !(g.place_jobs() && g.fill_quotas() && g.cover_cuts()) {
        return None;
    }
    g.trim();
    let states = g.states;
    super::check::check_states(inst, &states)
        .is_empty()
        .then_some(states)
}

/// Drop the chosen stop days no quota and no daily target needs (block ends and whole blocks,
/// keeping block lengths, minimum runs and block limits), so that a line stops beyond its quota
/// only where a daily cut target needs it. Returns the calendar unchanged when the result would
/// fail the checker.
pub fn polish(inst: &Instance, states: Vec<Vec<State>>) -> Vec<Vec<State>> {
    let mut g = Greedy::from_states(inst, states.clone());
    g.trim();
    if super::check::check_states(inst, &g.states).is_empty() {
        g.states
    } else {
        states
    }
}

/// Complete a calendar whose lines each meet their own rules (quotas, blocks, jobs) and whose
/// days stay within the caps: cover the remaining cut deficits, then trim. `None` when stuck.
pub fn repair(inst: &Instance, states: Vec<Vec<State>>) -> Option<Vec<Vec<State>>> {
    let mut g = Greedy::from_states(inst, states);
    if !g.cover_cuts() {
        return None;
    }
    g.trim();
    let states = g.states;
    super::check::check_states(inst, &states)
        .is_empty()
        .then_some(states)
}
