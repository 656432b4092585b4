//! Scaling harness for the calendar optimiser: solve synthetic instances (deterministic) and print
//! size, status, loss, bound, gap, the greedy's loss and the seconds. Used by
//! `scripts/stagger-scale.sh`.
//!
//! `cargo run --release --example stagger_scale -- LINES DAYS MIN_BLOCK [SEED] [TIME_LIMIT] [GAP] [MIN_RUN] [THREADS]`
//! (MIN_RUN: least production days between a chosen block and another stop; default 0, no rule;
//! THREADS: threads pricing the lines, default 1 — the same calendar for any count)

use jianpai::solve::{Method, SolveOptions};
use jianpai::stagger::{check, generate, solve};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: f64| args.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(d);
    let spec = generate::Spec {
        lines: arg(0, 300.0) as usize,
        days: arg(1, 120.0) as usize,
        min_block: arg(2, 7.0) as usize,
        seed: arg(3, 1.0) as u64,
        min_run: arg(6, 0.0) as usize,
    };
    let opts = SolveOptions {
        method: Method::Mip,
        time_limit: arg(4, 60.0),
        rel_gap: arg(5, 0.01),
        threads: arg(7, 1.0).clamp(1.0, 256.0) as u32,
    };
    let inst = generate::instance(spec);
    let t = std::time::Instant::now();
    let out = solve::solve(&inst, &opts);
    let secs = t.elapsed().as_secs_f64();
    let violations = out
        .states
        .as_ref()
        .map(|s| check::check_states(&inst, s).len());
    let f = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into());
    println!(
        "lines={} days={} block={} run={} seed={} cols={} binaries={} rows={} status={:?} loss={} bound={} gap={} greedy={} saving={} violations={:?} greedy_s={:.2} total_s={secs:.2}",
        spec.lines,
        spec.days,
        spec.min_block,
        spec.min_run,
        spec.seed,
        out.size.0,
        out.size.1,
        out.size.2,
        out.status,
        f(out.objective),
        f(out.bound),
        out.gap.map(|g| format!("{:.4}%", g * 100.0)).unwrap_or_else(|| "-".into()),
        f(out.greedy_objective),
        match (out.greedy_objective, out.objective) {
            (Some(g), Some(o)) => format!("{:.2}%", (g - o) / g * 100.0),
            _ => "-".into(),
        },
        violations,
        out.seconds.0,
    );
    for n in &out.notes {
        println!("note: {n}");
    }
}
