//! Synthetic evidence of a warning from all four sources (`jianpai seeds monitoring`): meter data
//! (by [`super::meters`]), hourly CEMS data, operating-status signals and truck gate logs, with a
//! truth file. Cheats include ones only one source sees: abatement off while the load is cut
//! (CEMS only), banned trucks (gate log only) and a stopped line run at night (status and CEMS;
//! its meter shows the stop). Data have noise, day-to-day swings, gaps, outages, fault flags,
//! duplicates and mixed sampling intervals.

use super::meters::{normal, MeterSettings};
use super::rng::Rng;
use crate::audit::time::{format, HOUR_MS};
use crate::diff::listing::Listing;
use crate::domain::Transport;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;

/// Settings of the generator.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringSettings {
    /// Meter settings (level, seed, noise, days, warning; `cheaters` is overwritten).
    pub meters: MeterSettings,
    /// Cheating lines (and enterprises for banned trucks) in all.
    pub cheaters: usize,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Written {
    /// Cheats by behaviour.
    pub cheats: BTreeMap<String, usize>,
}

/// One line's plan for the generator.
struct LinePlan<'a> {
    id: &'a str,
    code: &'a str,
    /// Required load drop (1 for a stop).
    drop: f64,
    stop: bool,
    /// Expected electricity share.
    share: f64,
    base_kw: f64,
    behaviour: Vec<&'static str>,
    /// Electricity share applied in the warning (from the meter truth).
    applied: f64,
    meter_ok: bool,
    cems: bool,
    status: bool,
    load_signal: bool,
    cems_outage: bool,
    status_outage: bool,
}

impl LinePlan<'_> {
    /// Load share (of baseline) in the warning at local `hour`.
    fn load(&self, hour: i64) -> f64 {
        if self.behaviour.contains(&"night_run") {
            return if !(6..22).contains(&hour) { 1.0 } else { 0.0 };
        }
        let cut = (1.0 - self.applied) / (1.0 - self.share).max(1e-6) * self.drop;
        (1.0 - cut).clamp(0.0, 1.0)
    }
}

/// Local hour (Asia/Shanghai) of a UTC ms time.
fn local_hour(t: i64) -> i64 {
    (t.div_euclid(HOUR_MS) + 8).rem_euclid(24)
}

/// A time stamp as monitoring systems write it: mostly local without offset, some with one.
fn stamp(rng: &mut Rng, t: i64) -> String {
    if rng.chance(0.9) {
        format(t)[..19].to_string()
    } else {
        format(t)
    }
}

/// A file writer: the body gets the file's writer and returns the rows it wrote.
pub type Body<'b> = dyn FnMut(&mut dyn Write) -> std::io::Result<usize> + 'b;

/// Opens the named file of the output folder and runs the body on it.
pub type Open<'o> = dyn FnMut(&str, &mut Body) -> std::io::Result<()> + 'o;

/// Write `meters.csv`, `cems.csv`, `status.csv`, `gates.csv`, `warnings.csv` and `truth.csv`
/// through `open`; the truth names every audited line's behaviours (`compliant`, `ignore`,
/// `under_apply`, `abatement_off`, `night_run`, `banned_trucks`), the sources that can see them
/// and whether any can (`data_ok`: false when outages hide the cheat from every source).
pub fn generate(
    plan: &Listing,
    s: &MonitoringSettings,
    open: &mut Open,
) -> std::io::Result<Written> {
    let m = &s.meters;
    let k = m.level.index();
    let mut rng = Rng::new(m.seed ^ 0x005E_ED0F_CE45);
    let n_single = s.cheaters / 5;
    let mut meter_settings = m.clone();
    meter_settings.cheaters = s.cheaters - 3 * n_single;
    meter_settings.meters = None;
    let mut written = Written::default();
    let mut truth_text = String::new();
    open("meters.csv", &mut |w| {
        let (t, rows) = super::meters::generate(plan, &meter_settings, w)?;
        truth_text = t;
        Ok(rows)
    })?;
    // meter,line_id,behaviour,expected_share,applied_share,data_ok,…
    let meter_truth: BTreeMap<&str, (&str, f64, bool)> = truth_text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            Some((c[1], (c[2], c[4].parse().ok()?, c[5] == "true")))
        })
        .collect();
    let mut lines: Vec<LinePlan> = Vec::new();
    for (id, l) in &plan.lines {
        let Some(&(behaviour, applied, meter_ok)) = meter_truth.get(id.as_str()) else {
            continue;
        };
        let measure = l.measure[k].as_ref();
        let stop = measure.is_some_and(|x| x.is_stop());
        let share = l.electricity_share[k].unwrap_or(1.0);
        let drop = match measure {
            _ if stop => 1.0,
            Some(x) if x.declared.is_none() && x.limit.0 > 1e-9 => x.limit.0,
            _ => 1.0 - share,
        };
        let cems = rng.chance(0.8);
        let status = rng.chance(0.9);
        lines.push(LinePlan {
            id,
            code: &l.credit_code,
            drop,
            stop,
            share,
            base_kw: l.electricity[k].unwrap_or(0.0) / share.max(1e-6) / 24.0,
            behaviour: if behaviour == "compliant" {
                Vec::new()
            } else {
                vec![if behaviour == "ignore" {
                    "ignore"
                } else {
                    "under_apply"
                }]
            },
            applied,
            meter_ok,
            cems,
            status,
            load_signal: rng.chance(0.7),
            cems_outage: cems && rng.chance(0.03),
            status_outage: status && rng.chance(0.03),
        });
    }
    // Single-source cheats on lines the meters show compliant.
    let mut pick =
        |lines: &mut Vec<LinePlan>, what: &'static str, ok: &dyn Fn(&LinePlan) -> bool| {
            let cands: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].behaviour.is_empty() && ok(&lines[i]))
                .collect();
            let mut order = cands.clone();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.int(0, i));
            }
            for &i in order.iter().take(n_single) {
                lines[i].behaviour.push(what);
            }
        };
    pick(&mut lines, "abatement_off", &|l| l.cems && !l.stop);
    pick(&mut lines, "night_run", &|l| l.stop && l.cems && l.status);
    open("cems.csv", &mut |w| {
        cems_rows(&lines, m, &mut Rng::new(m.seed ^ 0xCE45), w)
    })?;
    open("status.csv", &mut |w| {
        status_rows(&lines, m, &mut Rng::new(m.seed ^ 0x57A7), w)
    })?;
    // Gate logs: every enterprise on the list; banned trucks at `n_single` with a restriction.
    let restricted: BTreeMap<&str, Transport> = plan
        .lines
        .values()
        .filter_map(|l| {
            let t = l.measure[k].as_ref()?.transport;
            (t != Transport::None).then_some((l.credit_code.as_str(), t))
        })
        .collect();
    let mut firms: Vec<&str> = restricted.keys().copied().collect();
    for i in (1..firms.len()).rev() {
        firms.swap(i, rng.int(0, i));
    }
    let truckers: BTreeSet<&str> = firms.into_iter().take(n_single).collect();
    let codes: BTreeSet<&str> = plan
        .lines
        .values()
        .map(|l| l.credit_code.as_str())
        .collect();
    open("gates.csv", &mut |w| {
        gate_rows(
            &codes,
            &restricted,
            &truckers,
            m,
            &mut Rng::new(m.seed ^ 0x6A7E),
            w,
        )
    })?;
    open("warnings.csv", &mut |w| {
        writeln!(w, "预警级别,开始时间,结束时间")?;
        writeln!(
            w,
            "{},{},{}",
            m.level.zh(),
            format(m.warning.0),
            format(m.warning.1)
        )?;
        Ok(1)
    })?;
    // Truth: every line with a required drop, and every line of a trucking firm with a restriction.
    let mut truth = String::from("credit_code,line_id,behaviour,seen_by,measure,data_ok\n");
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    for l in &mut lines {
        if truckers.contains(l.code)
            && plan.lines[l.id].measure[k]
                .as_ref()
                .is_some_and(|x| x.transport != Transport::None)
        {
            l.behaviour.push("banned_trucks");
        }
    }
    for l in &lines {
        listed.insert(l.id);
        let mut seen: Vec<&str> = Vec::new();
        let cems_ok = l.cems && !l.cems_outage;
        let status_ok = l.status && !l.status_outage && (l.stop || l.load_signal);
        for b in &l.behaviour {
            match *b {
                "ignore" | "under_apply" => {
                    if l.meter_ok {
                        seen.push("electricity");
                    }
                    if cems_ok {
                        seen.push("cems");
                    }
                    if status_ok {
                        seen.push("status");
                    }
                }
                "abatement_off" if cems_ok => seen.push("cems"),
                "night_run" => {
                    if cems_ok {
                        seen.push("cems");
                    }
                    if l.status && !l.status_outage {
                        seen.push("status");
                    }
                }
                "banned_trucks" => seen.push("gate_log"),
                _ => {}
            }
        }
        seen.dedup();
        let behaviour = if l.behaviour.is_empty() {
            "compliant".to_string()
        } else {
            l.behaviour.join(";")
        };
        for b in &l.behaviour {
            *written.cheats.entry(b.to_string()).or_default() += 1;
        }
        let ok = l.behaviour.is_empty() || !seen.is_empty();
        let _ = writeln!(
            truth,
            "{},{},{behaviour},{},{},{ok}",
            l.code,
            l.id,
            seen.join(";"),
            plan.lines[l.id].code(k)
        );
    }
    for (id, l) in &plan.lines {
        let t = l.measure[k]
            .as_ref()
            .map_or(Transport::None, |x| x.transport);
        if listed.contains(id.as_str()) || t == Transport::None {
            continue;
        }
        let cheat = truckers.contains(l.credit_code.as_str());
        if cheat {
            *written.cheats.entry("banned_trucks".into()).or_default() += 1;
        }
        let _ = writeln!(
            truth,
            "{},{id},{},{},{},true",
            l.credit_code,
            if cheat { "banned_trucks" } else { "compliant" },
            if cheat { "gate_log" } else { "" },
            l.code(k)
        );
    }
    open("truth.csv", &mut |w| {
        w.write_all(truth.as_bytes())?;
        Ok(truth.lines().count() - 1)
    })?;
    Ok(written)
}

/// Hourly CEMS rows: one or two outlets per line, one pollutant each.
fn cems_rows(
    lines: &[LinePlan],
    m: &MeterSettings,
    rng: &mut Rng,
    w: &mut dyn Write,
) -> std::io::Result<usize> {
    writeln!(
        w,
        "排放口编号,生产线编号,监测时间,污染物,折算浓度,烟气流量,数据标记"
    )?;
    let end = m.start + m.days as i64 * 24 * HOUR_MS;
    let mut rows = 0;
    for l in lines.iter().filter(|l| l.cems) {
        let outlets = if rng.chance(0.3) { 2 } else { 1 };
        let abate = if l.behaviour.contains(&"abatement_off") {
            rng.range(3.0, 6.0)
        } else {
            1.0
        };
        for o in 1..=outlets {
            let pollutant = *rng.pick(&["颗粒物", "二氧化硫", "氮氧化物", "VOCs"]);
            let conc = rng.range(8.0, 60.0);
            let flow = (l.base_kw.max(1.0) * rng.range(20.0, 60.0) / outlets as f64).min(5e6);
            let outage_at = m.warning.0 + rng.range(0.0, 12.0) as i64 * HOUR_MS;
            let mut day_factor = 1.0;
            let mut t = m.start;
            while t < end {
                if (t - m.start) % (24 * HOUR_MS) == 0 {
                    day_factor = 1.0 + m.noise / 5.0 * normal(rng);
                }
                let in_warning = t >= m.warning.0 && t < m.warning.1;
                let load = if in_warning {
                    l.load(local_hour(t))
                } else {
                    1.0
                };
                let lost = rng.chance(0.01)
                    || (l.cems_outage && t >= outage_at && t < outage_at + 40 * HOUR_MS);
                let when = t;
                t += HOUR_MS;
                if lost {
                    continue;
                }
                let (c, f, flag) = if load < 0.05 {
                    (conc * rng.range(0.0, 0.2), flow * rng.range(0.0, 0.05), "F")
                } else {
                    let profile = 1.0
                        + 0.05 * ((local_hour(when) as f64) / 24.0 * std::f64::consts::TAU).sin();
                    let f = flow * load * profile * day_factor * (1.0 + m.noise * normal(rng));
                    let a = if in_warning { abate } else { 1.0 };
                    let c = conc * a * (1.0 + 2.0 * m.noise * normal(rng));
                    let flag = if rng.chance(0.01) {
                        *rng.pick(&["M", "D", "C"])
                    } else {
                        "N"
                    };
                    (c.max(0.0), f.max(0.0), flag)
                };
                let copies = if rng.chance(0.003) { 2 } else { 1 };
                let ts = stamp(rng, when);
                for _ in 0..copies {
                    writeln!(
                        w,
                        "{}-P{o},{},{ts},{pollutant},{c:.2},{f:.0},{flag}",
                        l.id, l.id
                    )?;
                    rows += 1;
                }
            }
        }
    }
    Ok(rows)
}

/// Operating-status samples: one or two facilities per line, load % or on/off, hourly or
/// every 15 minutes.
fn status_rows(
    lines: &[LinePlan],
    m: &MeterSettings,
    rng: &mut Rng,
    w: &mut dyn Write,
) -> std::io::Result<usize> {
    writeln!(w, "设施编号,生产线编号,时间,运行状态,负荷率")?;
    let end = m.start + m.days as i64 * 24 * HOUR_MS;
    let mut rows = 0;
    for l in lines.iter().filter(|l| l.status) {
        let facilities = rng.int(1, 2);
        let outage_at = m.warning.0 + rng.range(0.0, 12.0) as i64 * HOUR_MS;
        for f in 1..=facilities {
            let step = if rng.chance(0.3) {
                HOUR_MS / 4
            } else {
                HOUR_MS
            };
            let mut t = m.start;
            while t < end {
                let when = t;
                t += step;
                let in_warning = when >= m.warning.0 && when < m.warning.1;
                let load = if in_warning {
                    l.load(local_hour(when))
                } else {
                    1.0
                };
                if rng.chance(0.01)
                    || (l.status_outage && when >= outage_at && when < outage_at + 40 * HOUR_MS)
                {
                    continue;
                }
                let ts = stamp(rng, when);
                if l.load_signal {
                    let pct = if load < 0.05 {
                        rng.range(0.0, 3.0)
                    } else {
                        (85.0 * load * (1.0 + 0.5 * m.noise * normal(rng))).clamp(0.0, 150.0)
                    };
                    writeln!(w, "{}-F{f},{},{ts},,{pct:.1}", l.id, l.id)?;
                } else {
                    let on = if load >= 0.2 { "开" } else { "停" };
                    writeln!(w, "{}-F{f},{},{ts},{on},", l.id, l.id)?;
                }
                rows += 1;
            }
        }
    }
    Ok(rows)
}

/// Gate passages of every enterprise: a few trucks a day in and out; during the warning a
/// restricted enterprise lets only allowed trucks in, unless it is one of `truckers`.
fn gate_rows(
    codes: &BTreeSet<&str>,
    restricted: &BTreeMap<&str, Transport>,
    truckers: &BTreeSet<&str>,
    m: &MeterSettings,
    rng: &mut Rng,
    w: &mut dyn Write,
) -> std::io::Result<usize> {
    writeln!(w, "统一社会信用代码,车牌号,排放标准,通行时间,进出")?;
    let mut rows = 0;
    for (i, code) in codes.iter().enumerate() {
        let rule = restricted.get(code).copied().unwrap_or(Transport::None);
        for day in 0..m.days as i64 {
            for n in 0..rng.int(1, 6) {
                let t = m.start + day * 24 * HOUR_MS + rng.range(7.0, 19.0) as i64 * HOUR_MS;
                let in_warning = t >= m.warning.0 && t < m.warning.1;
                let standard = match (in_warning, rule) {
                    (true, Transport::NoRoad) => "新能源",
                    (true, Transport::BanGuoSi) => *rng.pick(&["国五", "国六", "国VI", "新能源"]),
                    _ => *rng.pick(&["国三", "国四", "国IV", "国五", "国六", "新能源"]),
                };
                let plate = format!("苏B{:05}", (i * 131 + n * 7 + day as usize) % 100_000);
                writeln!(w, "{code},{plate},{standard},{},进", stamp(rng, t))?;
                writeln!(
                    w,
                    "{code},{plate},{standard},{},出",
                    stamp(rng, t + HOUR_MS / 2)
                )?;
                rows += 2;
            }
        }
        if truckers.contains(code) {
            for n in 0..rng.int(1, 4) {
                let t = m.warning.0
                    + rng.range(0.0, ((m.warning.1 - m.warning.0) / HOUR_MS) as f64) as i64
                        * HOUR_MS;
                let standard = if rule == Transport::NoRoad {
                    "国五"
                } else {
                    "国四"
                };
                writeln!(
                    w,
                    "{code},苏E{:05},{standard},{},进",
                    i * 10 + n,
                    stamp(rng, t)
                )?;
                rows += 1;
            }
        }
    }
    Ok(rows)
}
