//! One line's cheapest calendar under day prices: a dynamic programme over days whose state is
//! the position in the current stop block (capped at the minimum length) and the stop days
//! counted so far in each open quota window (capped at the quota). Maintenance jobs are placed
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

/// Cheapest chosen blocks with job days fixed: (blocks, priced cost).
fn blocks_dp(
    inst: &Instance,
    u: &Unit,
    (price, startup): (&[f64], f64),
    job_day: &[bool],
) -> Option<(Vec<(usize, usize)>, f64)> {
    let n = inst.days.len();
    let m = u.min_block.max(1) as u64;
    let radix: Vec<u64> = u.quotas.iter().map(|q| q.min_days as u64 + 1).collect();
    // Key: phase + (m + 1) · Σ count_w · Π_{v<w} radix_v.
    let mut place = Vec::with_capacity(radix.len());
    let mut p = m + 1;
    for r in &radix {
        place.push(p);
        p = p.checked_mul(*r)?;
    }
    let counted = |d: usize| inst.forced(u, d).is_some() || (job_day[d] && inst.maintenance_counts);
    let stagger = u.mode == Mode::Stagger;
    // Per day: (key, cost, previous index, chosen).
    let mut layers: Vec<Vec<(u64, f64, u32, bool)>> = Vec::with_capacity(n);
    let mut cur: Vec<(u64, f64, u32, bool)> = vec![(0, 0.0, 0, false)];
    let mut index = Map::default();
    for d in 0..n {
        let can_choose = stagger && !job_day[d] && inst.choosable(u, d);
        let fixed_inc = u64::from(counted(d));
        let mut next: Vec<(u64, f64, u32, bool)> = Vec::with_capacity(cur.len() * 2);
        index.clear();
        for (si, &(key, cost, _, _)) in cur.iter().enumerate() {
            let phase = key % (m + 1);
            for choose in [false, true] {
                let new_phase = match (choose, phase) {
                    (false, ph) if ph == 0 || ph == m => 0,
                    (false, _) => continue,
                    (true, _) if !can_choose => continue,
                    (true, 0) => 1,
                    (true, ph) => (ph + 1).min(m),
                };
                let add = if choose {
                    price[d] + if phase == 0 { startup } else { 0.0 }
                } else {
                    0.0
                };
                let inc = if choose { 1 } else { fixed_inc };
                let mut nk = new_phase;
                let mut ok = true;
                for (w, q) in u.quotas.iter().enumerate() {
                    let mut c = (key / place[w]) % radix[w];
                    if q.first <= d && d <= q.last {
                        c = (c + inc).min(q.min_days as u64);
                        if d == q.last && c < q.min_days as u64 {
                            ok = false;
                            break;
                        }
                    }
                    nk += c * place[w];
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
            let ph = s.0 % (m + 1);
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
