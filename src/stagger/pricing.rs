//! One line's cheapest calendar under day prices: a dynamic programme over days whose state is
//! the position in the current stop block (capped at the minimum length), the production days
//! since the last stop (capped at the minimum run) and whether that stop was chosen, the blocks
//! started in the current season (capped at the limit) and the stop days counted so far in each
//! open quota window (capped at the quota). Maintenance jobs are placed
//! by enumerating their allowed starts. Exact: it is the pricing problem of the column
//! generation and the Lagrangian bound rests on it.

use super::instance::{Instance, Mode, Unit, UnitPlan};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher for the DP's integer keys.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Map = HashMap<u64, u32, BuildHasherDefault<KeyHasher>>;

/// Largest key space indexed densely (one `u64` slot per key, reused between calls on a thread).
const DENSE_KEYS: u64 = 1 << 22;

/// Where each state key of the day being built sits in its layer: a dense slot table stamped
/// per day when the key space is small (no hashing on the DP's hot path), a hash map otherwise.
/// Both give the same layer (states in first-reached order).
enum Index {
    Dense { slots: Vec<u64>, stamp: u64 },
    Sparse(Map),
}

thread_local! {
    /// Largest key space this thread indexes densely ([`DENSE_KEYS`]; tests lower it to run the
    /// hash-map path on the same instances).
    static DENSE_LIMIT: std::cell::Cell<u64> = const { std::cell::Cell::new(DENSE_KEYS) };
    /// The dense slot table of this thread, kept between calls (stamps make clearing free).
    static SLOTS: std::cell::RefCell<(Vec<u64>, u64)> = const { std::cell::RefCell::new((Vec::new(), 0)) };
}

impl Index {
    fn new(keys: u64) -> Self {
        if keys > DENSE_LIMIT.with(std::cell::Cell::get) {
            return Index::Sparse(Map::default());
        }
        let (mut slots, stamp) = SLOTS.with(|s| std::mem::take(&mut *s.borrow_mut()));
        if slots.len() < keys as usize {
            slots = vec![0; keys as usize];
        }
        Index::Dense { slots, stamp }
    }
    /// Forget every key (the next day).
    fn clear(&mut self) {
        match self {
            Index::Dense { slots, stamp } => {
                *stamp += 1;
                // Stamps live in the upper 32 bits; on wrap-around start from clean slots.
                if *stamp >= u64::from(u32::MAX) {
                    slots.iter_mut().for_each(|x| *x = 0);
                    *stamp = 1;
                }
            }
            Index::Sparse(map) => map.clear(),
        }
    }
    fn get(&self, key: u64) -> Option<u32> {
        match self {
            Index::Dense { slots, stamp } => {
                let v = slots[key as usize];
                (v >> 32 == *stamp).then_some(v as u32)
            }
            Index::Sparse(map) => map.get(&key).copied(),
        }
    }
    fn insert(&mut self, key: u64, at: u32) {
        match self {
            Index::Dense { slots, stamp } => slots[key as usize] = (*stamp << 32) | u64::from(at),
            Index::Sparse(map) => {
                map.insert(key, at);
            }
        }
    }
}

impl Drop for Index {
    fn drop(&mut self) {
        if let Index::Dense { slots, stamp } = self {
            let kept = (std::mem::take(slots), *stamp);
            SLOTS.with(|s| *s.borrow_mut() = kept);
        }
    }
}

/// The cheapest calendar of one unit: its plan and its priced cost (Σ day prices of chosen and
/// maintenance days + `startup` per chosen block). `None` when no calendar meets the quotas.
pub fn cheapest(
    inst: &Instance,
    ui: usize,
    price: &[f64],
    startup: f64,
) -> Option<(UnitPlan, f64)> {
    let u = &inst.units[ui];
    let n = inst.days.len();
    let starts = job_starts(inst, u);
    let mut best: Option<(UnitPlan, f64)> = None;
    let mut chosen_jobs = Vec::with_capacity(u.jobs.len());
    let mut job_day = vec![false; n];
    enumerate_jobs(
        inst,
        u,
        (price, startup),
        &starts,
        &mut chosen_jobs,
        &mut job_day,
        &mut best,
    );
    best
}

/// Every job's allowed starts (inside its window, clear of forced days).
pub(super) fn job_starts(inst: &Instance, u: &Unit) -> Vec<Vec<usize>> {
    let n = inst.days.len();
    u.jobs
        .iter()
        .map(|j| {
            (0..n)
                .filter(|&t| {
                    j.allowed_start(t) && (t..t + j.duration).all(|d| inst.forced(u, d).is_none())
                })
                .collect()
        })
        .collect()
}

/// Place the jobs before `chosen.len()` by enumeration; the last job is placed by the DP itself
/// (its start is a state field), so a line with one job needs one DP, not one per start.
fn enumerate_jobs(
    inst: &Instance,
    u: &Unit,
    price: (&[f64], f64),
    starts: &[Vec<usize>],
    chosen: &mut Vec<usize>,
    job_day: &mut Vec<bool>,
    best: &mut Option<(UnitPlan, f64)>,
) {
    let k = chosen.len();
    if k + 1 >= starts.len() {
        let job_cost: f64 = (0..job_day.len())
            .filter(|&d| job_day[d])
            .map(|d| price.0[d])
            .sum();
        // The last job (if any) may start where it overlaps none of the placed jobs.
        let free = starts.get(k).map(|ts| {
            let dur = u.jobs[k].duration;
            let mut at = vec![false; job_day.len()];
            for &t in ts {
                at[t] = !job_day[t..t + dur].iter().any(|&b| b);
            }
            FreeJob { at, duration: dur }
        });
        if let Some((blocks, c, start)) = blocks_dp(inst, u, price, job_day, free.as_ref()) {
            let total = job_cost + c;
            if best.as_ref().is_none_or(|b| total < b.1 - 1e-12) {
                let mut job_starts = chosen.clone();
                job_starts.extend(start);
                *best = Some((UnitPlan { blocks, job_starts }, total));
            }
        }
        return;
    }
    let dur = u.jobs[k].duration;
    for &t in &starts[k] {
        if job_day[t..t + dur].iter().any(|&b| b) {
            continue;
        }
        job_day[t..t + dur].iter_mut().for_each(|b| *b = true);
        chosen.push(t);
        enumerate_jobs(inst, u, price, starts, chosen, job_day, best);
        chosen.pop();
        job_day[t..t + dur].iter_mut().for_each(|b| *b = false);
    }
}

/// A maintenance job the DP places: the days it may start on and its length.
struct FreeJob {
    at: Vec<bool>,
    duration: usize,
}

/// Mixed-radix fields of a DP state packed into one key: block phase, run days since the last
/// stop, whether that stop was chosen, blocks started in the current season, the placed job's
/// progress (0: not started, then its days done, its length: done), then one count per quota
/// window.
struct Layout {
    radix: Vec<u64>,
    place: Vec<u64>,
    /// Number of distinct keys (the product of the radices).
    keys: u64,
}

/// Field indices of [`Layout`].
const PHASE: usize = 0;
const RUN: usize = 1;
const LAST_CHOSEN: usize = 2;
const BLOCKS: usize = 3;
const JOB: usize = 4;
const QUOTA0: usize = 5;

impl Layout {
    /// `None` when the key would overflow 64 bits.
    fn new(radix: Vec<u64>) -> Option<Self> {
        let mut place = Vec::with_capacity(radix.len());
        let mut p = 1u64;
        for r in &radix {
            place.push(p);
            p = p.checked_mul(*r)?;
        }
        Some(Layout {
            radix,
            place,
            keys: p,
        })
    }
    fn get(&self, key: u64, f: usize) -> u64 {
        (key / self.place[f]) % self.radix[f]
    }
}

/// What [`blocks_dp`] found: chosen blocks, their priced cost, the free job's start.
type Priced = (Vec<(usize, usize)>, f64, Option<usize>);

/// Cheapest chosen blocks with the placed jobs' days fixed and `free` (if any) placed by the DP:
/// (blocks, priced cost of the blocks and of the free job's days, the free job's start). The
/// state carries the position in the current block (capped at the minimum block), the production
/// days since the last stop (capped at the minimum run) and whether that stop was chosen, the
/// blocks started in the current season (up to the limit), the free job's progress and the quota
/// counts, so the run-length and block-count rules hold exactly.
fn blocks_dp(
    inst: &Instance,
    u: &Unit,
    (price, startup): (&[f64], f64),
    job_day: &[bool],
    free: Option<&FreeJob>,
) -> Option<Priced> {
    let n = inst.days.len();
    let m = u.min_block.max(1) as u64;
    // Minimum run (0: no rule); the run counter starts "free" (no stop yet).
    let r_max = if u.min_run > 1 { u.min_run as u64 } else { 0 };
    let k_max = u.max_blocks.map(|k| k as u64);
    // The free job's "done" value, and its last possible start (no start at all: no calendar).
    let done = free.map_or(0, |j| j.duration as u64);
    let last_start = match free {
        Some(j) => Some(j.at.iter().rposition(|&a| a)?),
        None => None,
    };
    let mut radix = vec![
        m + 1,
        r_max + 1,
        if r_max > 0 { 2 } else { 1 },
        k_max.map_or(1, |k| k + 1),
        done + 1,
    ];
    radix.extend(u.quotas.iter().map(|q| q.min_days as u64 + 1));
    let lay = Layout::new(radix)?;
    let season_start = |d: usize| inst.seasons.iter().any(|s| s.first == d);
    let stagger = u.mode == Mode::Stagger;
    // Per day: (key, cost, previous index, chosen).
    let mut layers: Vec<Vec<(u64, f64, u32, bool)>> = Vec::with_capacity(n);
    let mut cur: Vec<(u64, f64, u32, bool)> = vec![(r_max * lay.place[RUN], 0.0, 0, false)];
    let mut index = Index::new(lay.keys);
    for d in 0..n {
        let reset_blocks = season_start(d);
        // The day's own facts, the same for every state.
        let forced = inst.forced(u, d).is_some();
        let choosable = stagger && inst.choosable(u, d);
        let mut next: Vec<(u64, f64, u32, bool)> = Vec::with_capacity(cur.len() * 2);
        index.clear();
        for (si, &(key, cost, _, _)) in cur.iter().enumerate() {
            let phase = lay.get(key, PHASE);
            let j = lay.get(key, JOB);
            // The free job's moves today: (its progress after today, today one of its days).
            let moves: &[(u64, bool)] = match free {
                None => &[(0, false)],
                Some(_) if j == done => &[(done, false)],
                Some(_) if j > 0 => &[(j + 1, true)],
                // Not started and no start left: dead.
                Some(_) if last_start.is_some_and(|l| d > l) => &[],
                Some(f) if f.at[d] => &[(0, false), (1, true)],
                Some(_) => &[(0, false)],
            };
            for &(jn, job_today) in moves {
                let stopped = job_day[d] || job_today;
                let can_choose = choosable && !stopped;
                let counted = forced || (stopped && inst.maintenance_counts);
                for choose in [false, true] {
                    let new_phase = match (choose, phase) {
                        (false, ph) if ph == 0 || ph == m => 0,
                        (false, _) => continue,
                        (true, _) if !can_choose => continue,
                        (true, 0) => 1,
                        (true, ph) => (ph + 1).min(m),
                    };
                    let Some(mut nk) = rule_fields(
                        &lay,
                        key,
                        choose,
                        forced || stopped,
                        phase,
                        r_max,
                        (reset_blocks, k_max),
                    ) else {
                        continue;
                    };
                    nk += new_phase * lay.place[PHASE] + jn.min(done) * lay.place[JOB];
                    let add = if choose {
                        price[d] + if phase == 0 { startup } else { 0.0 }
                    } else if job_today {
                        price[d]
                    } else {
                        0.0
                    };
                    let Some(quotas) = quota_fields(&lay, key, u, d, choose || counted) else {
                        continue;
                    };
                    nk += quotas;
                    let nc = cost + add;
                    match index.get(nk) {
                        Some(i) => {
                            if nc < next[i as usize].1 - 1e-12 {
                                next[i as usize] = (nk, nc, si as u32, choose);
                            }
                        }
                        None => {
                            index.insert(nk, next.len() as u32);
                            next.push((nk, nc, si as u32, choose));
                        }
                    }
                }
            }
        }
        if next.is_empty() {
            return None;
        }
        layers.push(std::mem::replace(&mut cur, next));
    }
    layers.push(cur);
    // The last layer: a block must be complete, the free job done.
    let last = &layers[n];
    let (mut si, cost) = last
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            let ph = lay.get(s.0, PHASE);
            (ph == 0 || ph == m) && lay.get(s.0, JOB) == done
        })
        .map(|(i, s)| (i, s.1))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))?;
    let mut chosen = vec![false; n];
    let mut start = None;
    for d in (0..n).rev() {
        let s = layers[d + 1][si];
        chosen[d] = s.3;
        if free.is_some() && lay.get(s.0, JOB) > 0 {
            start = Some(d);
        }
        si = s.2 as usize;
    }
    Some((super::instance::runs(&chosen, |&c| c), cost, start))
}

/// The quota fields of the next state (packed) when day `d` counts as a stop day (`counts`), or
/// `None` when some window can no longer be met (even a stop on every day left in it falls
/// short; at the window's last day: its quota is not met).
fn quota_fields(lay: &Layout, key: u64, u: &Unit, d: usize, counts: bool) -> Option<u64> {
    let mut packed = 0;
    for (w, q) in u.quotas.iter().enumerate() {
        let mut c = lay.get(key, QUOTA0 + w);
        if q.first <= d && d <= q.last {
            c = (c + u64::from(counts)).min(q.min_days as u64);
            if c + ((q.last - d) as u64) < q.min_days as u64 {
                return None;
            }
        }
        packed += c * lay.place[QUOTA0 + w];
    }
    Some(packed)
}

/// The run and block-count fields of the next state (packed), or `None` when the day's decision
/// breaks the minimum run (a stop after fewer than `r_max` production days, next to a chosen
/// block) or the season's block limit.
fn rule_fields(
    lay: &Layout,
    key: u64,
    choose: bool,
    fixed_stop: bool,
    phase: u64,
    r_max: u64,
    (season_start, k_max): (bool, Option<u64>),
) -> Option<u64> {
    let mut nk = 0;
    if r_max > 0 {
        let r = lay.get(key, RUN);
        let last_chosen = lay.get(key, LAST_CHOSEN) == 1;
        let (nr, nf) = if choose || fixed_stop {
            if 0 < r && r < r_max && (last_chosen || choose) {
                return None;
            }
            (0, u64::from(choose))
        } else if r + 1 >= r_max {
            // Free again: whatever stopped last no longer matters.
            (r_max, 0)
        } else {
            (r + 1, u64::from(last_chosen))
        };
        nk += nr * lay.place[RUN] + nf * lay.place[LAST_CHOSEN];
    }
    if let Some(k) = k_max {
        let mut b = if season_start {
            0
        } else {
            lay.get(key, BLOCKS)
        };
        if choose && phase == 0 {
            b += 1;
            if b > k {
                return None;
            }
        }
        nk += b * lay.place[BLOCKS];
    }
    Some(nk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stagger::enumerate::line_plans;
    use crate::stagger::generate::{instance, Spec};
    use crate::stagger::instance::Job;

    /// A plan's cost under day prices: its chosen days and job days, a start-up per block.
    fn priced(inst: &Instance, ui: usize, p: &UnitPlan, price: &[f64]) -> f64 {
        let u = &inst.units[ui];
        let blocks: f64 = p
            .blocks
            .iter()
            .map(|&(a, b)| u.startup_cost + price[a..=b].iter().sum::<f64>())
            .sum();
        let jobs: f64 = p
            .job_starts
            .iter()
            .zip(&u.jobs)
            .map(|(&t, j)| price[t..t + j.duration].iter().sum::<f64>())
            .sum();
        blocks + jobs
    }

    /// The DP places a line's last maintenance job itself (the others are enumerated): on small
    /// calendars with one or two jobs, quotas that maintenance does or does not count toward, and
    /// prices that make stops worth choosing, its cheapest calendar costs exactly the least
    /// priced cost over every calendar of the line, and is one of them.
    #[test]
    fn the_dp_places_jobs_as_cheaply_as_enumerating_every_calendar() {
        let mut compared = 0;
        for seed in 1..=8 {
            let mut inst = crate::stagger::compact::tests::small(seed);
            inst.maintenance_counts = seed % 2 == 0;
            inst.units[2].jobs.push(Job {
                name: "小修".into(),
                duration: 2,
                earliest: 0,
                latest: 13,
                avoid: vec![],
            });
            inst.units[3].jobs = vec![Job {
                name: "检修".into(),
                duration: 4,
                earliest: 1,
                latest: 13,
                avoid: vec![(6, 6)],
            }];
            for ui in 0..inst.units.len() {
                let u = &inst.units[ui];
                let price: Vec<f64> = (0..inst.days.len())
                    .map(|d| {
                        u.value
                            * if (d * 7 + ui + seed as usize).is_multiple_of(4) {
                                -3.0
                            } else {
                                1.0
                            }
                    })
                    .collect();
                let all = line_plans(&inst, ui).expect("few calendars");
                let best = all
                    .iter()
                    .map(|p| priced(&inst, ui, p, &price))
                    .min_by(f64::total_cmp);
                let got = cheapest(&inst, ui, &price, u.startup_cost);
                match (best, got) {
                    (Some(b), Some((plan, c))) => {
                        assert!(
                            (b - c).abs() <= 1e-9 * b.abs().max(1.0),
                            "seed {seed} line {ui}: {c} vs {b}"
                        );
                        assert!(all.contains(&plan), "seed {seed} line {ui}: {plan:?}");
                        let again = priced(&inst, ui, &plan, &price);
                        assert!((again - c).abs() <= 1e-9 * c.abs().max(1.0));
                        compared += usize::from(!u.jobs.is_empty());
                    }
                    (None, None) => {}
                    (b, g) => panic!("seed {seed} line {ui}: enumeration {b:?}, DP {g:?}"),
                }
            }
        }
        assert!(compared >= 8, "only {compared} lines with jobs compared");
    }

    /// The dense slot table and the hash map give the same plans and costs (same tie-breaks).
    #[test]
    fn dense_and_hashed_state_indices_agree() {
        let inst = instance(Spec {
            lines: 12,
            days: 60,
            min_block: 3,
            min_run: 4,
            seed: 7,
        });
        for ui in 0..inst.units.len() {
            let u = &inst.units[ui];
            // Prices mixing costly and rewarding days, so that stops are worth choosing.
            let prices: Vec<f64> = (0..inst.days.len())
                .map(|d| u.value * if (d * 7 + ui) % 5 == 0 { -2.0 } else { 1.0 })
                .collect();
            DENSE_LIMIT.with(|l| l.set(DENSE_KEYS));
            let dense = cheapest(&inst, ui, &prices, u.startup_cost);
            DENSE_LIMIT.with(|l| l.set(0));
            let hashed = cheapest(&inst, ui, &prices, u.startup_cost);
            DENSE_LIMIT.with(|l| l.set(DENSE_KEYS));
            let (dp, dc) = dense.expect("a calendar");
            let (hp, hc) = hashed.expect("a calendar");
            assert_eq!(dp, hp, "line {ui}");
            assert!(
                (dc - hc).abs() <= 1e-9 * dc.abs().max(1.0),
                "line {ui}: {dc} vs {hc}"
            );
            assert!(!dp.blocks.is_empty(), "line {ui} stops somewhere");
        }
    }
}
