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
    if k == starts.len() {
        let job_cost: f64 = (0..job_day.len())
            .filter(|&d| job_day[d])
            .map(|d| price.0[d])
            .sum();
        if let Some((blocks, c)) = blocks_dp(inst, u, price, job_day) {
            let total = job_cost + c;
            if best.as_ref().is_none_or(|b| total < b.1 - 1e-12) {
                *best = Some((
                    UnitPlan {
                        blocks,
                        job_starts: chosen.clone(),
                    },
                    total,
                ));
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

/// Mixed-radix fields of a DP state packed into one key: block phase, run days since the last
/// stop, whether that stop was chosen, blocks started in the current season, then one count per
/// quota window.
struct Layout {
    radix: Vec<u64>,
    place: Vec<u64>,
}

/// Field indices of [`Layout`].
const PHASE: usize = 0;
const RUN: usize = 1;
const LAST_CHOSEN: usize = 2;
const BLOCKS: usize = 3;
const QUOTA0: usize = 4;

impl Layout {
    /// `None` when the key would overflow 64 bits.
    fn new(radix: Vec<u64>) -> Option<Self> {
        let mut place = Vec::with_capacity(radix.len());
        let mut p = 1u64;
        for r in &radix {
            place.push(p);
            p = p.checked_mul(*r)?;
        }
        Some(Layout { radix, place })
    }
    fn get(&self, key: u64, f: usize) -> u64 {
        (key / self.place[f]) % self.radix[f]
    }
}

/// Cheapest chosen blocks with job days fixed: (blocks, priced cost). The state carries the
/// position in the current block (capped at the minimum block), the production days since the
/// last stop (capped at the minimum run) and whether that stop was chosen, the blocks started in
/// the current season (up to the limit) and the quota counts, so the run-length and block-count
/// rules hold exactly.
fn blocks_dp(
    inst: &Instance,
    u: &Unit,
    (price, startup): (&[f64], f64),
    job_day: &[bool],
) -> Option<(Vec<(usize, usize)>, f64)> {
    let n = inst.days.len();
    let m = u.min_block.max(1) as u64;
    // Minimum run (0: no rule); the run counter starts "free" (no stop yet).
    let r_max = if u.min_run > 1 { u.min_run as u64 } else { 0 };
    let k_max = u.max_blocks.map(|k| k as u64);
    let mut radix = vec![
        m + 1,
        r_max + 1,
        if r_max > 0 { 2 } else { 1 },
        k_max.map_or(1, |k| k + 1),
    ];
    radix.extend(u.quotas.iter().map(|q| q.min_days as u64 + 1));
    let lay = Layout::new(radix)?;
    let counted = |d: usize| inst.forced(u, d).is_some() || (job_day[d] && inst.maintenance_counts);
    let fixed_stop = |d: usize| inst.forced(u, d).is_some() || job_day[d];
    let season_start = |d: usize| inst.seasons.iter().any(|s| s.first == d);
    let stagger = u.mode == Mode::Stagger;
    // Per day: (key, cost, previous index, chosen).
    let mut layers: Vec<Vec<(u64, f64, u32, bool)>> = Vec::with_capacity(n);
    let mut cur: Vec<(u64, f64, u32, bool)> = vec![(r_max * lay.place[RUN], 0.0, 0, false)];
    let mut index = Map::default();
    for d in 0..n {
        let can_choose = stagger && !job_day[d] && inst.choosable(u, d);
        let fixed_inc = u64::from(counted(d));
        let reset_blocks = season_start(d);
        let mut next: Vec<(u64, f64, u32, bool)> = Vec::with_capacity(cur.len() * 2);
        index.clear();
        for (si, &(key, cost, _, _)) in cur.iter().enumerate() {
            let phase = lay.get(key, PHASE);
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
                    fixed_stop(d),
                    phase,
                    r_max,
                    (reset_blocks, k_max),
                ) else {
                    continue;
                };
                nk += new_phase * lay.place[PHASE];
                let add = if choose {
                    price[d] + if phase == 0 { startup } else { 0.0 }
                } else {
                    0.0
                };
                let inc = if choose { 1 } else { fixed_inc };
                let mut ok = true;
                for (w, q) in u.quotas.iter().enumerate() {
                    let mut c = lay.get(key, QUOTA0 + w);
                    if q.first <= d && d <= q.last {
                        c = (c + inc).min(q.min_days as u64);
                        if d == q.last && c < q.min_days as u64 {
                            ok = false;
                            break;
                        }
                    }
                    nk += c * lay.place[QUOTA0 + w];
                }
                if !ok {
                    continue;
                }
                let nc = cost + add;
                match index.get(&nk) {
                    Some(&i) => {
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
        if next.is_empty() {
            return None;
        }
        layers.push(std::mem::replace(&mut cur, next));
    }
    layers.push(cur);
    // The last layer: a block must be complete.
    let last = &layers[n];
    let (mut si, cost) = last
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            let ph = lay.get(s.0, PHASE);
            ph == 0 || ph == m
        })
        .map(|(i, s)| (i, s.1))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))?;
    let mut chosen = vec![false; n];
    for d in (0..n).rev() {
        let s = layers[d + 1][si];
        chosen[d] = s.3;
        si = s.2 as usize;
    }
    Some((super::instance::runs(&chosen, |&c| c), cost))
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
