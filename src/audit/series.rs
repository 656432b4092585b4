//! The series work in polars: sort, de-duplicate, turn registers into interval energy (resets
//! dropped, rollovers unwrapped), keep the intervals that lie inside a window, resample to hours,
//! and reduce each meter and window to its mean load and the spread of its hourly loads.

use super::meters::MeterData;
use super::time::HOUR_MS;
use polars::prelude::*;

/// Milliseconds in a day.
const DAY_MS: i64 = 24 * HOUR_MS;
/// Longest interval accepted between two register readings (longer: a gap).
const MAX_REGISTER_GAP_MS: i64 = 24 * HOUR_MS;
/// Longest interval an interval-kWh row may close (15-minute and hourly data mixed).
const MAX_INTERVAL_MS: i64 = HOUR_MS;

/// One window of one meter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowLoad {
    /// Energy of the intervals inside the window (kWh).
    pub energy: f64,
    /// Hours those intervals cover.
    pub hours: f64,
    /// Hour buckets with data.
    pub buckets: usize,
    /// Standard deviation of the hourly mean loads (kW).
    pub std_kw: f64,
    /// Day blocks (24 hours from the window's start, each a whole daily cycle): block number,
    /// energy (kWh) and hours with data, in block order.
    pub blocks: Vec<(i64, f64, f64)>,
}

impl WindowLoad {
    /// Mean load (kW), if any interval is inside.
    pub fn mean_kw(&self) -> Option<f64> {
        (self.hours > 0.0).then(|| self.energy / self.hours)
    }
}

/// Per meter: baseline and warning loads and the data faults met.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeterLoads {
    /// Baseline window.
    pub baseline: WindowLoad,
    /// Warning window.
    pub warning: WindowLoad,
    /// Duplicate time stamps dropped.
    pub duplicates: usize,
    /// Of which with a different value.
    pub conflicting: usize,
    /// Register resets (interval dropped).
    pub resets: usize,
    /// Register rollovers (unwrapped).
    pub rollovers: usize,
    /// Intervals dropped as gaps (too long to place).
    pub gaps: usize,
}

fn modulus(max: f64) -> f64 {
    if max <= 1.0 {
        10.0
    } else {
        10f64.powf(max.log10().ceil()).max(10.0)
    }
}

/// Meters per polars batch: memory stays bounded by the batch, not by the file.
const BATCH_METERS: usize = 2000;

/// Compute every meter's loads in the baseline and warning windows (half-open, UTC ms), a batch
/// of meters at a time.
pub fn loads(
    data: &MeterData,
    baseline: (i64, i64),
    warning: (i64, i64),
) -> PolarsResult<Vec<MeterLoads>> {
    let n = data.meters.len();
    let mut out = vec![MeterLoads::default(); n];
    // Rows grouped by meter (counting sort, file order kept within a meter).
    let mut start = vec![0usize; n + 1];
    for &m in &data.meter {
        start[m as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut order = vec![0u32; data.meter.len()];
    for (row, &m) in data.meter.iter().enumerate() {
        order[next[m as usize]] = row as u32;
        next[m as usize] += 1;
    }
    let mut a = 0;
    while a < n {
        let b = (a + BATCH_METERS).min(n);
        batch(
            data,
            &order[start[a]..start[b]],
            baseline,
            warning,
            &mut out,
        )?;
        a = b;
    }
    Ok(out)
}

/// The polars pipeline on the given rows (all rows of some meters).
fn batch(
    data: &MeterData,
    rows: &[u32],
    baseline: (i64, i64),
    warning: (i64, i64),
    out: &mut [MeterLoads],
) -> PolarsResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let meter: Vec<u32> = rows.iter().map(|&r| data.meter[r as usize]).collect();
    let ts: Vec<i64> = rows.iter().map(|&r| data.ts[r as usize]).collect();
    let register: Vec<bool> = meter.iter().map(|&m| data.register[m as usize]).collect();
    let modulus: Vec<f64> = meter
        .iter()
        .map(|&m| modulus(data.max_reading[m as usize]))
        .collect();
    let value: Vec<Option<f64>> = rows
        .iter()
        .zip(&meter)
        .map(|(&r, &m)| {
            let v = if data.register[m as usize] {
                data.reading[r as usize]
            } else {
                data.kwh[r as usize]
            };
            v.is_finite().then_some(v)
        })
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("meter".into(), meter),
        Column::new("ts".into(), ts),
        Column::new("v".into(), value),
        Column::new("register".into(), register),
        Column::new("modulus".into(), modulus),
    ])?;
    let same = || col("meter").eq(col("meter").shift(lit(1)));
    // Sort, flag duplicates (same meter and time stamp as the row before), keep the first.
    let sorted = df
        .lazy()
        .filter(col("v").is_not_null())
        .sort_by_exprs(
            [col("meter"), col("ts")],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_columns([
            // The first row has no predecessor: not a duplicate (null would drop it).
            (same().and(col("ts").eq(col("ts").shift(lit(1)))))
                .fill_null(lit(false))
                .alias("dup"),
            (same()
                .and(col("ts").eq(col("ts").shift(lit(1))))
                .and(col("v").neq(col("v").shift(lit(1)))))
            .fill_null(lit(false))
            .alias("conflict"),
        ])
        // Computed once: the counts and the intervals below both start from it.
        .collect()?
        .lazy();
    let dup_counts = sorted
        .clone()
        .group_by([col("meter")])
        .agg([
            col("dup").cast(DataType::UInt32).sum().alias("dups"),
            col("conflict")
                .cast(DataType::UInt32)
                .sum()
                .alias("conflicts"),
        ])
        .collect()?;
    // Intervals between consecutive readings of a meter.
    let prev_v = col("v").shift(lit(1));
    let dt = col("ts") - col("ts").shift(lit(1));
    let drop_reg = col("v") - prev_v.clone();
    let rollover = col("register")
        .and(drop_reg.clone().lt(lit(0.0)))
        .and(prev_v.clone().gt_eq(col("modulus") * lit(0.9)))
        .and(col("v").lt(col("modulus") * lit(0.1)));
    let reset = col("register")
        .and(drop_reg.clone().lt(lit(0.0)))
        .and(rollover.clone().not());
    let max_dt = when(col("register"))
        .then(lit(MAX_REGISTER_GAP_MS))
        .otherwise(lit(MAX_INTERVAL_MS));
    let intervals = sorted
        .filter(col("dup").not())
        .with_columns([
            same().alias("same"),
            dt.alias("dt"),
            col("ts").shift(lit(1)).alias("start"),
            rollover.clone().alias("rollover"),
            reset.alias("reset"),
            when(col("register").not())
                .then(col("v"))
                .when(rollover)
                .then(col("modulus") - prev_v + col("v"))
                .otherwise(drop_reg)
                .alias("energy"),
        ])
        .filter(col("same"))
        .with_columns([(col("dt").gt(max_dt)).alias("gap")])
        .collect()?
        .lazy();
    let fault_counts = intervals
        .clone()
        .group_by([col("meter")])
        .agg([
            col("rollover")
                .cast(DataType::UInt32)
                .sum()
                .alias("rollovers"),
            col("reset").cast(DataType::UInt32).sum().alias("resets"),
            col("gap").cast(DataType::UInt32).sum().alias("gaps"),
        ])
        .collect()?;
    let inside = |w: (i64, i64)| col("start").gt_eq(lit(w.0)).and(col("ts").lt_eq(lit(w.1)));
    // Resample to hours (bucket of the interval's end), then reduce per meter and window.
    let hourly = intervals
        .filter(
            col("reset")
                .not()
                .and(col("gap").not())
                .and(col("dt").gt(lit(0i64))),
        )
        .with_columns([when(inside(baseline))
            .then(lit(0i32))
            .when(inside(warning))
            .then(lit(1i32))
            .otherwise(lit(NULL).cast(DataType::Int32))
            .alias("window")])
        .filter(col("window").is_not_null())
        .with_columns([
            ((col("ts") - lit(1i64)).cast(DataType::Float64) / lit(HOUR_MS as f64))
                .cast(DataType::Int64)
                .alias("hour"),
        ])
        .group_by([col("meter"), col("window"), col("hour")])
        .agg([
            col("energy").sum().alias("e"),
            (col("dt").cast(DataType::Float64) / lit(HOUR_MS as f64))
                .sum()
                .alias("h"),
        ])
        .with_columns([(col("e") / col("h")).alias("kw")])
        .collect()?
        .lazy();
    let window_start = when(col("window").eq(lit(0i32)))
        .then(lit(baseline.0))
        .otherwise(lit(warning.0));
    let daily = hourly
        .clone()
        .with_columns([
            ((col("hour") * lit(HOUR_MS) - window_start).cast(DataType::Float64)
                / lit(DAY_MS as f64))
            // Non-negative inside the window (an hour starting before an off-hour window start is
            // block 0): truncation is the floor.
            .cast(DataType::Int64)
            .alias("block"),
        ])
        .group_by([col("meter"), col("window"), col("block")])
        .agg([col("e").sum().alias("e"), col("h").sum().alias("h")])
        .sort_by_exprs(
            [col("meter"), col("window"), col("block")],
            SortMultipleOptions::default(),
        )
        .collect()?;
    let hourly = hourly
        .group_by([col("meter"), col("window")])
        .agg([
            col("e").sum().alias("energy"),
            col("h").sum().alias("hours"),
            col("kw").count().alias("buckets"),
            col("kw").mean().alias("kw_mean"),
            (col("kw") * col("kw")).mean().alias("kw2_mean"),
        ])
        .collect()?;
    for row in 0..dup_counts.height() {
        let m = dup_counts.column("meter")?.u32()?.get(row).unwrap_or(0) as usize;
        out[m].duplicates = dup_counts.column("dups")?.u32()?.get(row).unwrap_or(0) as usize;
        out[m].conflicting = dup_counts.column("conflicts")?.u32()?.get(row).unwrap_or(0) as usize;
    }
    for row in 0..fault_counts.height() {
        let m = fault_counts.column("meter")?.u32()?.get(row).unwrap_or(0) as usize;
        let get = |c: &str| -> PolarsResult<usize> {
            Ok(fault_counts.column(c)?.u32()?.get(row).unwrap_or(0) as usize)
        };
        out[m].rollovers = get("rollovers")?;
        out[m].resets = get("resets")?;
        out[m].gaps = get("gaps")?;
    }
    let meter = hourly.column("meter")?.u32()?;
    let window = hourly.column("window")?.i32()?;
    let energy = hourly.column("energy")?.f64()?;
    let hours = hourly.column("hours")?.f64()?;
    let buckets = hourly.column("buckets")?.cast(&DataType::UInt64)?;
    let buckets = buckets.u64()?;
    let kw = hourly.column("kw_mean")?.f64()?;
    let kw2 = hourly.column("kw2_mean")?.f64()?;
    for row in 0..hourly.height() {
        let m = meter.get(row).unwrap_or(0) as usize;
        let mean = kw.get(row).unwrap_or(0.0);
        let w = WindowLoad {
            energy: energy.get(row).unwrap_or(0.0),
            hours: hours.get(row).unwrap_or(0.0),
            buckets: buckets.get(row).unwrap_or(0) as usize,
            std_kw: (kw2.get(row).unwrap_or(0.0) - mean * mean).max(0.0).sqrt(),
            blocks: Vec::new(),
        };
        if window.get(row) == Some(0) {
            out[m].baseline = w;
        } else {
            out[m].warning = w;
        }
    }
    let meter = daily.column("meter")?.u32()?;
    let window = daily.column("window")?.i32()?;
    let block = daily.column("block")?.i64()?;
    let energy = daily.column("e")?.f64()?;
    let hours = daily.column("h")?.f64()?;
    for row in 0..daily.height() {
        let m = meter.get(row).unwrap_or(0) as usize;
        let b = (
            block.get(row).unwrap_or(0),
            energy.get(row).unwrap_or(0.0),
            hours.get(row).unwrap_or(0.0),
        );
        if window.get(row) == Some(0) {
            out[m].baseline.blocks.push(b);
        } else {
            out[m].warning.blocks.push(b);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollovers_resets_duplicates_gaps_and_mixed_intervals() {
        let h = |x: f64| (x * HOUR_MS as f64) as i64;
        let mut d = MeterData {
            meters: vec!["A".into(), "B".into()],
            line_of: vec!["L1".into(), "L2".into()],
            register: vec![true, false],
            max_reading: vec![999_990.0, 0.0],
            ..Default::default()
        };
        let nan = f64::NAN;
        // Meter A, a register: rollover (15 kWh), 20 kWh, a duplicate, a reset (dropped), 10 kWh;
        // then 5 kWh an hour in the warning. Rows deliberately out of order.
        for (t, r) in [
            (2.0, 25.0),
            (0.0, 999_990.0),
            (1.0, 5.0),
            (2.0, 25.0),
            (3.0, 3.0),
            (4.0, 13.0),
            (10.0, 100.0),
            (11.0, 105.0),
            (12.0, 110.0),
            (13.0, 115.0),
        ] {
            d.meter.push(0);
            d.ts.push(h(t));
            d.reading.push(r);
            d.kwh.push(nan);
        }
        // Meter B, interval kWh: 15-minute rows, then an hourly row, then one after a gap.
        for (t, k) in [
            (10.0, 1.0),
            (10.25, 1.0),
            (10.5, 1.0),
            (10.75, 1.0),
            (11.0, 1.0),
            (12.0, 4.0),
            (15.0, 4.0),
        ] {
            d.meter.push(1);
            d.ts.push(h(t));
            d.reading.push(nan);
            d.kwh.push(k);
        }
        let out = loads(&d, (0, h(5.0)), (h(10.0), h(13.0))).unwrap();
        let a = &out[0];
        assert_eq!((a.duplicates, a.rollovers, a.resets), (1, 1, 1));
        assert!((a.baseline.energy - 45.0).abs() < 1e-9, "{a:?}");
        assert!((a.baseline.hours - 3.0).abs() < 1e-9);
        assert!((a.warning.mean_kw().unwrap() - 5.0).abs() < 1e-9);
        let b = &out[1];
        assert_eq!(b.gaps, 1);
        assert!((b.warning.energy - 8.0).abs() < 1e-9, "{b:?}");
        assert!((b.warning.hours - 2.0).abs() < 1e-9);
        assert_eq!(b.baseline.mean_kw(), None);
    }
}
