//! `jianpai receptors`: illustrative transfer coefficients from the screening plume model for
//! every emitting enterprise (or line, where an enterprise's lines have different heights) with
//! a site, at every station. Rows are marked 筛查估算 (screening).

use super::geo::offset_m;
use super::met::MetClass;
use super::plume::{dilution, DEFAULT_HEIGHT, PM25_YIELD};
use super::receptors::SourceKind;
use super::sites::Sites;
use super::stations::Station;
use crate::domain::{Inventory, LineStatus, Pollutant};
use crate::io::cells::CsvOut;

/// The method written on every row.
pub const METHOD: &str = "筛查估算（高斯烟羽扇区平均，示意）";

/// One estimated coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Enterprise or line.
    pub kind: SourceKind,
    /// Credit code or line id.
    pub id: String,
    /// Station index.
    pub station: usize,
    /// Precursor.
    pub precursor: Pollutant,
    /// µg/m³ PM2.5 per t/d.
    pub coefficient: f64,
}

/// Estimates with the enterprises left out for want of a site.
#[derive(Debug, Clone, Default)]
pub struct Screening {
    /// Coefficients in inventory, station and precursor order.
    pub rows: Vec<Estimate>,
    /// Emitting enterprises without coordinates (credit codes).
    pub without_site: Vec<String>,
}

/// Estimate coefficients for every active emitting line's enterprise.
pub fn estimate(
    inv: &Inventory,
    sites: &Sites,
    stations: &[Station],
    met: &[MetClass],
) -> Screening {
    let mut out = Screening::default();
    let mut by_firm: std::collections::HashMap<
        &crate::domain::CreditCode,
        Vec<&crate::domain::Line>,
    > = std::collections::HashMap::new();
    for l in inv.lines.iter().filter(|l| l.status == LineStatus::Active) {
        by_firm.entry(&l.enterprise).or_default().push(l);
    }
    for (code, e) in &inv.enterprises {
        let lines = by_firm.remove(code).unwrap_or_default();
        let emits = |l: &crate::domain::Line, p: Pollutant| l.emissions[p].0 > 0.0;
        if !lines
            .iter()
            .any(|l| Pollutant::ALL.iter().any(|&p| emits(l, p)))
        {
            continue;
        }
        let key = code.as_str().to_uppercase();
        let Some(site) = sites.enterprises.get(&key) else {
            out.without_site.push(e.code.as_str().to_string());
            continue;
        };
        let height = |l: &crate::domain::Line| {
            sites
                .stack_heights
                .get(&l.id)
                .copied()
                .unwrap_or(DEFAULT_HEIGHT)
        };
        let one_height = lines.windows(2).all(|w| height(w[0]) == height(w[1]));
        let groups: Vec<(SourceKind, String, f64, Vec<&crate::domain::Line>)> = if one_height {
            vec![(
                SourceKind::Enterprise,
                key.clone(),
                height(lines[0]),
                lines.clone(),
            )]
        } else {
            lines
                .iter()
                .map(|l| (SourceKind::Line, l.id.clone(), height(l), vec![*l]))
                .collect()
        };
        for (kind, id, h, members) in groups {
            for (si, st) in stations.iter().enumerate() {
                let (east, north) = offset_m(*site, st.at);
                let d = dilution(east, north, h, met);
                for p in Pollutant::ALL {
                    if members.iter().any(|l| emits(l, p)) {
                        out.rows.push(Estimate {
                            kind,
                            id: id.clone(),
                            station: si,
                            precursor: p,
                            coefficient: d * PM25_YIELD[p.index()],
                        });
                    }
                }
            }
        }
    }
    out
}

/// A number with six significant digits, as written in the matrix.
pub fn six_digits(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let decimals = (5 - v.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The estimates as a receptors table (Chinese headers, UTF-8 with BOM).
pub fn to_csv(rows: &[Estimate], stations: &[Station]) -> Vec<u8> {
    let mut w = CsvOut::with_bom();
    w.row([
        "源类型",
        "源编号",
        "站点编号",
        "前体物",
        "受体物种",
        "天气类型",
        "传输系数",
        "方法",
    ]);
    for r in rows {
        let kind = match r.kind {
            SourceKind::Line => "生产线",
            _ => "企业",
        };
        w.row([
            kind,
            r.id.as_str(),
            stations[r.station].id.as_str(),
            r.precursor.label(),
            "PM25",
            "",
            six_digits(r.coefficient).as_str(),
            METHOD,
        ]);
    }
    w.into_bytes()
}
