//! Load generator of the web workbench benchmark (`scripts/serve-bench.sh`): VIEWERS threads, each
//! one viewer with its own keep-alive connection (as a browser keeps one), fetch PATHS in turn for
//! DURATION seconds with the session COOKIE. Prints requests, errors (not 200, or no answer),
//! median, p95 and max latency, overall and per path. One process, so the load generator does not
//! itself take the cores from the server (curl loops fork a process per request).
//!
//! `cargo run --example serve_load -- BASE COOKIE VIEWERS DURATION PATH...`

use std::time::{Duration, Instant};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn line(label: &str, mut ms: Vec<f64>, errors: usize) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "{label}: {} requests, {errors} errors, median {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms.last().copied().unwrap_or(0.0)
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!("usage: serve_load BASE COOKIE VIEWERS DURATION PATH...");
        std::process::exit(2);
    }
    let (base, cookie) = (args[0].clone(), args[1].clone());
    let viewers: usize = args[2].parse().expect("VIEWERS");
    let duration = Duration::from_secs(args[3].parse().expect("DURATION"));
    let paths: Vec<String> = args[4..].to_vec();
    let end = Instant::now() + duration;
    let handles: Vec<_> = (0..viewers)
        .map(|v| {
            let (base, cookie, paths) = (base.clone(), cookie.clone(), paths.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .timeout_global(Some(Duration::from_secs(30)))
                    .build()
                    .into();
                let mut out: Vec<(usize, bool, f64)> = Vec::new();
                // Viewers start at different pages so that the paths interleave.
                let mut k = v;
                while Instant::now() < end {
                    let i = k % paths.len();
                    k += 1;
                    let t = Instant::now();
                    let ok = match agent
                        .get(format!("{base}{}", paths[i]))
                        .header("Cookie", &cookie)
                        .header("Accept-Encoding", "gzip")
                        .call()
                    {
                        Ok(mut r) => {
                            let status = r.status().as_u16();
                            let body = r.body_mut().with_config().limit(1 << 30).read_to_vec();
                            status == 200 && body.is_ok()
                        }
                        Err(_) => false,
                    };
                    out.push((i, ok, t.elapsed().as_secs_f64() * 1000.0));
                }
                out
            })
        })
        .collect();
    let all: Vec<(usize, bool, f64)> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("viewer thread"))
        .collect();
    let errors = |f: &dyn Fn(usize) -> bool| all.iter().filter(|(i, ok, _)| f(*i) && !ok).count();
    println!(
        "{}",
        line(
            &format!("viewers {viewers}, {} s", duration.as_secs()),
            all.iter().map(|r| r.2).collect(),
            errors(&|_| true)
        )
    );
    for (i, p) in paths.iter().enumerate() {
        println!(
            "{}",
            line(
                &format!("  {p}"),
                all.iter().filter(|r| r.0 == i).map(|r| r.2).collect(),
                errors(&|j| j == i)
            )
        );
    }
}
