//! The report of a regional plan (`jianpai region` directories): the regional targets (区域目标)
//! with what the cities' lists cut and their prices, and the cities (各城市) with their losses and
//! what each cuts toward every regional target beyond its own requirement — who carries the
//! region's extra cut. Each city's own list report is written beside it (`cities/NN-<city>/`).

use super::html::{table, text, Cell};
use super::labels::level_colour;
use super::plan_data::read_summary;
use super::svg::{grouped_bars, Series};
use super::sweep_sections::status_label;
use super::xlsx::{col, filter, header, Column, Formats};
use super::{Labels, ReportError, Section};
use crate::domain::{Level, Pollutant};
use crate::io::provenance::Provenance;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use serde_json::Value;
use std::path::{Component, Path, PathBuf};

/// A regional target as the region's summary.json records it.
#[derive(Debug, Clone, Deserialize)]
pub struct RegionalTarget {
    /// Row name (`target:red:PM:region`).
    pub row: String,
    /// Level key.
    pub level: String,
    /// Pollutant label (SO2, NOx, PM, VOCs).
    pub pollutant: String,
    /// Required ratio.
    pub ratio: f64,
    /// The region's whole-society emissions (t/d).
    pub base: f64,
    /// Required cut (t/d).
    pub required: f64,
    /// Other sectors' credits (t/d).
    pub credit: f64,
    /// Cut by the lines plus credits (t/d).
    pub achieved: f64,
    /// Met.
    pub met: bool,
    /// Price of the row (万元 per t/d).
    pub marginal_loss_per_tonne: f64,
}

/// A regional station row as the region's summary.json records it.
#[derive(Debug, Clone, Deserialize)]
pub struct RegionalStation {
    /// Row name (`station:red:PM25:S1`).
    pub row: String,
    /// Level key.
    pub level: String,
    /// Station id (`mean` for the mean of the stations).
    pub station: String,
    /// Station name.
    pub name: String,
    /// Required PM2.5 reduction (µg/m³).
    pub required: f64,
    /// Estimated reduction of the cities' lists (µg/m³).
    pub achieved: Option<f64>,
    /// Met.
    pub met: Option<bool>,
    /// Price of the row (万元 per µg/m³).
    pub marginal_loss_per_ugm3: Option<f64>,
    /// Each city's part of the reduction (µg/m³, cities in order).
    pub by_city: Option<Vec<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
struct CityEntry {
    city: String,
    folder: String,
    lines: usize,
    loss: Option<f64>,
}

#[derive(Deserialize)]
struct RegionSummary {
    region: String,
    status: String,
    objective: Option<f64>,
    bound: Option<f64>,
    gap: Option<f64>,
    city_floor: f64,
    cities: Vec<CityEntry>,
    regional_targets: Vec<RegionalTarget>,
    #[serde(default)]
    regional_stations: Vec<RegionalStation>,
    provenance: Option<Provenance>,
}

/// One city of the region and what it cuts toward each regional target.
#[derive(Debug, Clone)]
pub struct CityView {
    /// City name.
    pub city: String,
    /// Its folder under `cities/`.
    pub folder: PathBuf,
    /// Lines on its list.
    pub lines: usize,
    /// Its season loss (万元).
    pub loss: Option<f64>,
    /// Per regional target: (its lines' cut, its own requirement from lines) in t/d.
    pub cuts: Vec<(f64, f64)>,
}

/// A loaded regional plan.
pub struct RegionData {
    /// Region name.
    pub name: String,
    /// Status key.
    pub status: String,
    /// Region loss, bound and gap.
    pub objective: Option<f64>,
    /// Proven lower bound.
    pub bound: Option<f64>,
    /// Relative gap.
    pub gap: Option<f64>,
    /// Share of its own targets each city meets.
    pub city_floor: f64,
    /// Regional targets.
    pub targets: Vec<RegionalTarget>,
    /// Regional station rows (empty without regional `[air.targets]`).
    pub stations: Vec<RegionalStation>,
    /// Cities in the region's order.
    pub cities: Vec<CityView>,
    /// Who made the plan.
    pub provenance: Option<Provenance>,
}

fn level_of(key: &str) -> Option<Level> {
    Level::ALL.into_iter().find(|l| l.key() == key)
}

fn pollutant_of(label: &str) -> Option<Pollutant> {
    Pollutant::ALL.into_iter().find(|p| p.label() == label)
}

/// Load a region directory and every city's summary.
pub fn load(dir: &Path) -> Result<RegionData, ReportError> {
    let s: RegionSummary = read_summary(dir)?;
    let bad = |message: String| ReportError::Input {
        file: dir.join("summary.json").display().to_string(),
        message,
    };
    for t in &s.regional_stations {
        let cities = t.by_city.as_ref().map_or(s.cities.len(), Vec::len);
        if level_of(&t.level).is_none() || cities != s.cities.len() {
            return Err(bad(format!(
                "regional station row {}: unknown level {:?} or {} city parts for {} cities",
                t.row,
                t.level,
                cities,
                s.cities.len()
            )));
        }
    }
    for t in &s.regional_targets {
        if level_of(&t.level).is_none() || pollutant_of(&t.pollutant).is_none() {
            return Err(bad(format!(
                "regional target {}: unknown level {:?} or pollutant {:?}",
                t.row, t.level, t.pollutant
            )));
        }
    }
    let mut cities = Vec::with_capacity(s.cities.len());
    for c in s.cities {
        // A folder is one plain name under cities/ (never a path out of the result).
        let mut parts = Path::new(&c.folder).components();
        if !matches!(
            (parts.next(), parts.next()),
            (Some(Component::Normal(_)), None)
        ) {
            return Err(bad(format!(
                "city {}: folder {:?} is not a plain folder name",
                c.city, c.folder
            )));
        }
        let folder = dir.join("cities").join(&c.folder);
        let city: Value = read_summary(&folder)?;
        let cuts = s
            .regional_targets
            .iter()
            .map(|t| {
                let row = &city["levels"][&t.level]["city"][&t.pollutant];
                let num = |k: &str| row[k].as_f64().unwrap_or(0.0);
                (num("achieved_by_lines"), num("required_from_lines"))
            })
            .collect();
        cities.push(CityView {
            city: c.city,
            folder,
            lines: c.lines,
            loss: c.loss,
            cuts,
        });
    }
    Ok(RegionData {
        name: s.region,
        status: s.status,
        objective: s.objective,
        bound: s.bound,
        gap: s.gap,
        city_floor: s.city_floor,
        targets: s.regional_targets,
        stations: s.regional_stations,
        cities,
        provenance: s.provenance,
    })
}

/// The regional report's sections.
pub fn sections(data: &RegionData) -> Vec<Box<dyn Section + '_>> {
    let mut out: Vec<Box<dyn Section + '_>> = vec![Box::new(Targets(data))];
    if !data.stations.is_empty() {
        out.push(Box::new(Stations(data)));
    }
    out.push(Box::new(Cities(data)));
    out
}

/// Lines under the page title: status, loss, bound and gap, cities and their floor.
pub fn subtitle(d: &RegionData, t: Labels) -> Vec<String> {
    let money = |v: Option<f64>| v.map_or("—".into(), |x| super::html::fixed(x, 2));
    vec![
        format!(
            "{}：{}  ·  {} {} {}  ·  {} {}  ·  {} {}",
            t.t("求解状态", "Status"),
            status_label(&d.status, t),
            t.t("预期损失", "expected loss"),
            money(d.objective),
            t.t("万元", "10k yuan"),
            t.t("下界", "bound"),
            money(d.bound),
            t.t("间隙", "gap"),
            d.gap.map_or("—".into(), |g| format!(
                "{}%",
                super::html::fixed(100.0 * g, 4)
            ))
        ),
        format!(
            "{} {}  ·  {} {}%",
            d.cities.len(),
            t.t("个城市联合编制", "cities planned together"),
            t.t("各城市至少完成本市目标的", "each city meets at least"),
            super::html::fixed(100.0 * d.city_floor, 0)
        ),
    ]
}

/// The level and pollutant of a regional target in the report's language.
fn target_label(r: &RegionalTarget, t: Labels) -> String {
    match (level_of(&r.level), pollutant_of(&r.pollutant)) {
        (Some(l), Some(p)) => format!("{} {}", t.level_short(l), t.pollutant(p)),
        _ => r.row.clone(),
    }
}

/// A table cell with its workbook format.
struct Styled<'f>(Cell, &'f Format);

/// Write a section's rows as one sheet named `name`, titled with the region and the name.
fn sheet(
    wb: &mut Workbook,
    f: &Formats,
    (region, name): (&str, &str),
    cols: &[Column],
    rows: &[Vec<Styled>],
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    let first = header(ws, f, &format!("{region} — {name}"), cols, 1)?;
    for (i, r) in rows.iter().enumerate() {
        for (c, Styled(cell, fmt)) in r.iter().enumerate() {
            let (row, c) = (first + i as u32, c as u16);
            match cell {
                Cell::Text(s) => ws.write_string_with_format(row, c, s, fmt)?,
                Cell::Num(v, _) => ws.write_number_with_format(row, c, *v, fmt)?,
            };
        }
    }
    filter(ws, first, rows.len(), cols.len())
}

/// A section's rows as a sortable page table; column `pct` (a share), if any, is shown in per
/// cent.
fn page_table(cols: Vec<Column>, rows: Vec<Vec<Styled>>, pct: Option<usize>) -> String {
    let mut headers: Vec<String> = cols.into_iter().map(|c| c.name).collect();
    if let Some(h) = pct.and_then(|i| headers.get_mut(i)) {
        h.push_str("(%)");
    }
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .enumerate()
                .map(|(i, Styled(c, _))| match c {
                    Cell::Num(v, d) if Some(i) == pct => Cell::Num(100.0 * v, d.saturating_sub(2)),
                    c => c,
                })
                .collect()
        })
        .collect();
    table(&headers, &rows, true)
}

/// 区域目标: each regional target, what the lists cut and its price.
struct Targets<'a>(&'a RegionData);

impl Targets<'_> {
    fn columns(t: Labels) -> Vec<Column> {
        [
            (t.t("区域目标", "Regional target"), 16.0),
            (t.t("减排比例", "Ratio"), 9.0),
            (t.t("区域排放基数(t/d)", "Regional base (t/d)"), 14.0),
            (t.t("要求减排(t/d)", "Required (t/d)"), 12.0),
            (t.t("其他领域(t/d)", "Credits (t/d)"), 12.0),
            (t.t("实现减排(t/d)", "Achieved (t/d)"), 12.0),
            (t.t("是否满足", "Met"), 8.0),
            (
                t.t("边际损失(万元/(t/d))", "Marginal loss (10k yuan per t/d)"),
                16.0,
            ),
        ]
        .map(|(n, w)| col(n, w))
        .to_vec()
    }

    fn rows<'f>(&self, f: &'f Formats, t: Labels) -> Vec<Vec<Styled<'f>>> {
        self.0
            .targets
            .iter()
            .map(|r| {
                vec![
                    Styled(text(target_label(r, t)), &f.text),
                    Styled(Cell::Num(r.ratio, 3), &f.pct),
                    Styled(Cell::Num(r.base, 3), &f.tonnes3),
                    Styled(Cell::Num(r.required, 3), &f.tonnes3),
                    Styled(Cell::Num(r.credit, 3), &f.tonnes3),
                    Styled(Cell::Num(r.achieved, 3), &f.tonnes3),
                    Styled(text(t.yes_no(r.met)), if r.met { &f.text } else { &f.bad }),
                    Styled(Cell::Num(r.marginal_loss_per_tonne, 2), &f.money),
                ]
            })
            .collect()
    }
}

impl Section for Targets<'_> {
    fn id(&self) -> &'static str {
        "regional-targets"
    }
    fn title(&self, t: Labels) -> String {
        t.t("区域目标", "Regional targets").into()
    }
    fn html(&self, t: Labels) -> String {
        let mut o = format!(
            "<p class=\"note\">{}</p>",
            t.t(
                "区域目标按各城市全社会排放之和计；边际损失为该目标每多减 1 t/d 的区域预期损失增量（万元），为 0 表示目标未约束。",
                "Regional targets apply to the sum of the cities' whole-society emissions; the marginal loss is what one more t/d of that target would cost the region (10k yuan); 0 means the target does not bind.",
            )
        );
        o.push_str(&page_table(
            Self::columns(t),
            self.rows(&Formats::new(), t),
            Some(1),
        ));
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        sheet(
            wb,
            f,
            (&self.0.name, &self.title(t)),
            &Self::columns(t),
            &self.rows(f, t),
        )
    }
}

/// 各城市: each city's loss and its cut toward every regional target beyond its own requirement.
struct Cities<'a>(&'a RegionData);

impl Cities<'_> {
    fn columns(&self, t: Labels) -> Vec<Column> {
        let mut cols = vec![
            col(t.t("城市", "City"), 14.0),
            col(t.t("清单生产线", "Lines"), 10.0),
            col(t.t("预期损失(万元)", "Expected loss (10k yuan)"), 16.0),
            col(t.t("占区域损失", "Share of the region's loss"), 10.0),
        ];
        for r in &self.0.targets {
            let l = target_label(r, t);
            cols.push(col(&format!("{l} {}", t.t("减排(t/d)", "cut (t/d)")), 12.0));
            cols.push(col(
                &format!("{l} {}", t.t("超出本市要求(t/d)", "beyond own (t/d)")),
                14.0,
            ));
        }
        cols
    }

    fn rows<'f>(&self, f: &'f Formats) -> Vec<Vec<Styled<'f>>> {
        let total: f64 = self.0.cities.iter().filter_map(|c| c.loss).sum();
        self.0
            .cities
            .iter()
            .map(|c| {
                let mut r = vec![
                    Styled(text(c.city.clone()), &f.text),
                    Styled(Cell::Num(c.lines as f64, 0), &f.int),
                    Styled(Cell::Num(c.loss.unwrap_or(0.0), 2), &f.money),
                    Styled(
                        Cell::Num(c.loss.unwrap_or(0.0) / total.max(1e-9), 4),
                        &f.pct,
                    ),
                ];
                for &(cut, own) in &c.cuts {
                    r.push(Styled(Cell::Num(cut, 3), &f.tonnes3));
                    r.push(Styled(Cell::Num(cut - own, 3), &f.tonnes3));
                }
                r
            })
            .collect()
    }
}

impl Section for Cities<'_> {
    fn id(&self) -> &'static str {
        "cities"
    }
    fn title(&self, t: Labels) -> String {
        t.t("各城市", "Cities").into()
    }
    fn html(&self, t: Labels) -> String {
        let names: Vec<String> = self.0.cities.iter().map(|c| c.city.clone()).collect();
        let mut o = String::from("<div class=\"charts\">");
        // Who carries each binding regional target's cut beyond the cities' own requirements.
        for (i, r) in self.0.targets.iter().enumerate() {
            if r.marginal_loss_per_tonne <= 0.0 {
                continue;
            }
            let colour = level_of(&r.level).map_or("#2e75b6", level_colour);
            o.push_str(&grouped_bars(
                &format!(
                    "{}：{}",
                    target_label(r, t),
                    t.t(
                        "各城市超出本市要求的减排",
                        "each city's cut beyond its own requirement"
                    )
                ),
                "t/d",
                &names,
                &[Series {
                    name: t.t("超出本市要求", "beyond own").into(),
                    colour: colour.into(),
                    values: self
                        .0
                        .cities
                        .iter()
                        .map(|c| c.cuts[i].0 - c.cuts[i].1)
                        .collect(),
                }],
            ));
        }
        o.push_str("</div>");
        o.push_str(&page_table(
            self.columns(t),
            self.rows(&Formats::new()),
            Some(3),
        ));
        o.push_str(&format!(
            "<p class=\"note\">{}</p>",
            t.t(
                "各城市的清单、一厂一策与报告见 cities/ 下各城市文件夹。",
                "Each city's list, one-plant-one-policy workbook and report are in its folder under cities/.",
            )
        ));
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        sheet(
            wb,
            f,
            (&self.0.name, &self.title(t)),
            &self.columns(t),
            &self.rows(f),
        )
    }
}

/// 区域站点目标: each regional station row, the estimated reduction of the cities' lists, its
/// price and each city's part of it.
struct Stations<'a>(&'a RegionData);

impl Stations<'_> {
    fn label(r: &RegionalStation, t: Labels) -> String {
        let level = level_of(&r.level).map_or("", |l| t.level_short(l));
        let name = if r.station == "mean" {
            t.t("站点均值", "mean of stations").to_string()
        } else {
            format!("{} {}", r.station, r.name)
        };
        format!("{level} {name}")
    }

    fn columns(&self, t: Labels) -> Vec<Column> {
        let mut cols = vec![
            col(t.t("站点目标", "Station target"), 18.0),
            col(t.t("要求下降(µg/m³)", "Required (µg/m³)"), 12.0),
            col(t.t("估算下降(µg/m³)", "Estimated (µg/m³)"), 12.0),
            col(t.t("是否满足", "Met"), 8.0),
            col(
                t.t(
                    "边际损失(万元/(µg/m³))",
                    "Marginal loss (10k yuan per µg/m³)",
                ),
                16.0,
            ),
        ];
        for c in &self.0.cities {
            cols.push(col(
                &format!("{} {}", c.city, t.t("贡献(µg/m³)", "part (µg/m³)")),
                12.0,
            ));
        }
        cols
    }

    fn rows<'f>(&self, f: &'f Formats, t: Labels) -> Vec<Vec<Styled<'f>>> {
        self.0
            .stations
            .iter()
            .map(|r| {
                let met = r.met.unwrap_or(false);
                let mut row = vec![
                    Styled(text(Self::label(r, t)), &f.text),
                    Styled(Cell::Num(r.required, 4), &f.tonnes3),
                    Styled(Cell::Num(r.achieved.unwrap_or(0.0), 4), &f.tonnes3),
                    Styled(text(t.yes_no(met)), if met { &f.text } else { &f.bad }),
                    Styled(
                        Cell::Num(r.marginal_loss_per_ugm3.unwrap_or(0.0), 2),
                        &f.money,
                    ),
                ];
                for v in r.by_city.iter().flatten() {
                    row.push(Styled(Cell::Num(*v, 4), &f.tonnes3));
                }
                row
            })
            .collect()
    }
}

impl Section for Stations<'_> {
    fn id(&self) -> &'static str {
        "regional-stations"
    }
    fn title(&self, t: Labels) -> String {
        t.t("区域站点目标", "Regional station targets").into()
    }
    fn html(&self, t: Labels) -> String {
        let mut o = format!(
            "<p class=\"note\">{}</p><div class=\"charts\">",
            t.t(
                "区域站点目标按区域传输矩阵计算各城市全部清单生产线对该站点 PM2.5 的估算下降；边际损失为该站点目标每多降 1 µg/m³ 的区域预期损失增量（万元）。",
                "Regional station targets: the estimated PM2.5 reduction at the station from every city's listed lines under the regional matrix; the marginal loss is what one more µg/m³ there would cost the region (10k yuan).",
            )
        );
        let rows: Vec<String> = self.0.stations.iter().map(|r| Self::label(r, t)).collect();
        let series: Vec<Series> = self
            .0
            .cities
            .iter()
            .enumerate()
            .map(|(ci, c)| Series {
                name: c.city.clone(),
                colour: super::labels::PALETTE[ci % super::labels::PALETTE.len()].into(),
                values: self
                    .0
                    .stations
                    .iter()
                    .map(|r| {
                        r.by_city
                            .as_ref()
                            .and_then(|v| v.get(ci))
                            .copied()
                            .unwrap_or(0.0)
                    })
                    .collect(),
            })
            .collect();
        o.push_str(&grouped_bars(
            t.t(
                "各城市对区域站点的贡献",
                "Each city's part at the regional stations",
            ),
            "µg/m³",
            &rows,
            &series,
        ));
        o.push_str("</div>");
        o.push_str(&page_table(
            self.columns(t),
            self.rows(&Formats::new(), t),
            None,
        ));
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        sheet(
            wb,
            f,
            (&self.0.name, &self.title(t)),
            &self.columns(t),
            &self.rows(f, t),
        )
    }
}
