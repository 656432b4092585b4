//! Reports planners read: an xlsx workbook in the standard list layout, 一厂一策 sheets with the
//! public notice board (公示牌) text, and one self-contained HTML page with SVG charts.
//!
//! A report is a list of [`Section`]s chosen by what the result directory contains
//! (`summary.json` `"kind"`): each section adds sheets to the workbook and a part to the page.
//! Plan directories get the plan sections; revision directories (a plan plus `diff.json` and the
//! filings) add the revision section; sweep directories get the scenario comparison and, from
//! `jianpai curve`, the cost curve; calendar directories (`jianpai stagger`) get the summary, the
//! Gantt chart of the stop blocks and the daily cuts.

pub mod audit_sections;
pub mod calendar_data;
pub mod calendar_sections;
pub mod html;
pub mod labels;
pub mod one_plant;
pub mod plan_data;
pub mod plan_sections;
pub mod region_sections;
pub mod revision_sections;
pub mod svg;
pub mod sweep_sections;
pub mod xlsx;

pub use labels::Labels;

use crate::io::atomic::write_bytes;
use rust_xlsxwriter::{Workbook, XlsxError};
use std::path::{Path, PathBuf};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read.
    #[error("{file}: {message}")]
    Read {
        /// File.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A file's content is invalid.
    #[error("{file}: {message}")]
    Input {
        /// File (and row).
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The summary names no scenario and none was given.
    #[error("{0}: summary.json names no scenario file; pass --scenario")]
    NoScenario(String),
    /// The scenario or its inventory could not be loaded.
    #[error("{0}")]
    Load(String),
    /// Writing a workbook failed.
    #[error("writing {file}: {message}")]
    Xlsx {
        /// File.
        file: String,
        /// Message from the xlsx writer.
        message: String,
    },
    /// Writing a file failed.
    #[error(transparent)]
    Io(#[from] crate::io::IoError),
}

/// What a result directory holds (`summary.json` `"kind"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `jianpai plan`: plan.csv + summary.json.
    Plan,
    /// A staggered-production calendar.
    Calendar,
    /// A revised plan (a plan directory plus diff.json).
    Revision,
    /// A scenario sweep.
    Sweep,
    /// A compliance audit (`jianpai audit --out`).
    Audit,
    /// A regional plan (`jianpai region`): summary.json and a folder per city.
    Region,
}

impl Kind {
    /// Keyword in summary.json.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Plan => "plan",
            Kind::Calendar => "calendar",
            Kind::Revision => "revision",
            Kind::Sweep => "sweep",
            Kind::Audit => "audit",
            Kind::Region => "region",
        }
    }
}

/// The kind of a result directory: `summary.json` `"kind"`, or `plan` for older plan directories.
pub fn detect(dir: &Path) -> Result<Kind, ReportError> {
    #[derive(serde::Deserialize)]
    struct Head {
        kind: Option<String>,
    }
    let head: Head = plan_data::read_summary(dir)?;
    match head.kind.as_deref() {
        None if dir.join("plan.csv").is_file() => Ok(Kind::Plan),
        Some(k) => [
            Kind::Plan,
            Kind::Calendar,
            Kind::Revision,
            Kind::Sweep,
            Kind::Audit,
            Kind::Region,
        ]
        .into_iter()
        .find(|kind| kind.key() == k)
        .ok_or_else(|| ReportError::Input {
            file: dir.join("summary.json").display().to_string(),
            message: format!(
                "unknown result kind {k:?} (plan, calendar, revision, sweep, audit, region)"
            ),
        }),
        None => Err(ReportError::Input {
            file: dir.join("summary.json").display().to_string(),
            message: "no \"kind\" and no plan.csv beside it".into(),
        }),
    }
}

/// One part of a report: its sheets in the workbook and its part of the HTML page.
pub trait Section {
    /// Anchor of the section in the page.
    fn id(&self) -> &'static str;
    /// Heading.
    fn title(&self, t: Labels) -> String;
    /// The section's HTML (charts and tables, no heading).
    fn html(&self, t: Labels) -> String;
    /// Add the section's sheets to the workbook.
    fn sheets(&self, wb: &mut Workbook, f: &xlsx::Formats, t: Labels) -> Result<(), XlsxError>;
}

/// Report options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Scenario file (default: the one named in summary.json).
    pub scenario: Option<PathBuf>,
    /// English labels.
    pub english: bool,
    /// Also write one list workbook and one 一厂一策 workbook per district
    /// (`districts/<区县>/`; plans and revisions only).
    pub split_districts: bool,
}

/// A district name as a folder name: no path separators or characters file systems refuse.
pub fn folder_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let s = s.trim().trim_start_matches('.').to_string();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

/// Names of the output files in the report's language.
pub fn file_names(t: Labels) -> [&'static str; 3] {
    if t.english {
        [
            "reduction-list.xlsx",
            "one-plant-one-policy.xlsx",
            "report.html",
        ]
    } else {
        ["应急减排清单.xlsx", "一厂一策.xlsx", "报告.html"]
    }
}

/// Names of the output files of a sweep report.
pub fn sweep_file_names(t: Labels) -> [&'static str; 2] {
    if t.english {
        ["sweep-comparison.xlsx", "report.html"]
    } else {
        ["情景对比.xlsx", "报告.html"]
    }
}

/// File names of a regional report (each city's report goes under `cities/`).
pub fn region_file_names(t: Labels) -> [&'static str; 2] {
    if t.english {
        ["region-summary.xlsx", "report.html"]
    } else {
        ["区域汇总.xlsx", "报告.html"]
    }
}

/// Names of the output files of a calendar report.
pub fn calendar_file_names(t: Labels) -> [&'static str; 2] {
    if t.english {
        ["staggered-calendar.xlsx", "report.html"]
    } else {
        ["错峰生产日历.xlsx", "报告.html"]
    }
}

/// Names of the output files of an audit report.
pub fn audit_file_names(t: Labels) -> [&'static str; 2] {
    if t.english {
        ["audit-report.xlsx", "report.html"]
    } else {
        ["核查报告.xlsx", "报告.html"]
    }
}

/// Write the report of a result directory into `out`; returns the files written. Everything is
/// read before anything is written.
pub fn write_report(dir: &Path, out: &Path, opts: &Options) -> Result<Vec<PathBuf>, ReportError> {
    let t = Labels {
        english: opts.english,
    };
    let kind = if crate::plan::workbook::locate(dir).is_some() {
        Kind::Plan
    } else {
        detect(dir)?
    };
    let f = xlsx::Formats::new();
    match kind {
        Kind::Calendar | Kind::Sweep | Kind::Audit if opts.split_districts => Err(ReportError::Input {
            file: dir.display().to_string(),
            message: "--split district applies to plans and revisions (a list), not to sweeps, calendars or audits".into(),
        }),
        Kind::Calendar => {
            let data = calendar_sections::load(dir)?;
            let title = if data.summary.scenario.is_empty() {
                dir.display().to_string()
            } else {
                data.summary.scenario.clone()
            };
            let sections = calendar_sections::sections(&data);
            let subtitle = calendar_sections::subtitle(&data, t);
            workbook_and_page(&title, &subtitle, &sections, calendar_file_names(t), out, t, &[])
        }
        Kind::Audit => {
            let data = audit_sections::load(dir)?;
            let title = format!("{} {}", t.t("核查报告", "Inspection report"), data.warning[0]);
            let sections = audit_sections::sections(&data);
            let subtitle = audit_sections::subtitle(&data, t);
            workbook_and_page(&title, &subtitle, &sections, audit_file_names(t), out, t, &[])
        }
        Kind::Region => {
            let data = region_sections::load(dir)?;
            let sections = region_sections::sections(&data);
            let subtitle = region_sections::subtitle(&data, t);
            let footer = data
                .provenance
                .as_ref()
                .map(|p| crate::io::provenance::footer_lines(p, t.english))
                .unwrap_or_default();
            let mut files = workbook_and_page(
                &data.name,
                &subtitle,
                &sections,
                region_file_names(t),
                out,
                t,
                &footer,
            )?;
            // Each city's own list report, in the same folder names as the plan's.
            let root = out.join("cities");
            for c in &data.cities {
                let city_out = root.join(c.folder.file_name().unwrap_or_default());
                std::fs::create_dir_all(&city_out).map_err(|source| {
                    ReportError::Io(crate::io::IoError::Write {
                        file: city_out.display().to_string(),
                        source,
                    })
                })?;
                let city_opts = Options {
                    scenario: None,
                    ..opts.clone()
                };
                write_report(&c.folder, &city_out, &city_opts)?;
            }
            files.push(root);
            Ok(files)
        }
        Kind::Sweep => {
            let data = sweep_sections::load(dir)?;
            let title = if data.name.is_empty() {
                dir.display().to_string()
            } else {
                data.name.clone()
            };
            let sections = sweep_sections::sections(&data);
            let subtitle = sweep_sections::subtitle(&data, t);
            workbook_and_page(&title, &subtitle, &sections, sweep_file_names(t), out, t, &[])
        }
        Kind::Plan | Kind::Revision => {
            let data = plan_data::load(dir, opts.scenario.as_deref(), opts.english)?;
            let revision = match kind {
                Kind::Revision => Some(revision_sections::load(dir, opts.english)?),
                _ => None,
            };
            let air = crate::air::report::for_plan(&data)?;
            let mut sections = plan_sections::sections(&data);
            if let Some(a) = air {
                sections.push(Box::new(a));
            }
            if let Some(r) = &revision {
                sections.extend(revision_sections::sections(r));
            }
            let title = data.summary.scenario.clone();
            let [list_name, plant_name, html_name] = file_names(t);

            let list_path = out.join(list_name);
            save(
                &mut workbook(&title, &sections, &f, t, &list_path)?,
                &list_path,
            )?;

            let plant_path = out.join(plant_name);
            let mut wb =
                one_plant::workbook_for(&data, &f, t).map_err(|e| xlsx_error(&plant_path, e))?;
            save(&mut wb, &plant_path)?;

            let html_path = out.join(html_name);
            let footer = data
                .summary
                .provenance
                .as_ref()
                .map(|p| crate::io::provenance::footer_lines(p, t.english))
                .unwrap_or_default();
            let page = html::page_with_footer(
                &title,
                &plan_sections::subtitle(&data, t),
                &sections,
                t,
                &footer,
            );
            write_bytes(&html_path, page.as_bytes())?;
            let mut files = vec![list_path, plant_path, html_path];
            if opts.split_districts {
                files.extend(district_workbooks(&data, out, &f, t)?);
            }
            Ok(files)
        }
    }
}

/// One list workbook and one 一厂一策 workbook per district with listed lines, in
/// `out/districts/<区县>/` (`out/districts` is listed once among the files written).
fn district_workbooks(
    data: &plan_data::PlanData,
    out: &Path,
    f: &xlsx::Formats,
    t: Labels,
) -> Result<Vec<PathBuf>, ReportError> {
    let [list_name, plant_name, _] = file_names(t);
    let root = out.join("districts");
    for name in data.listed_districts() {
        let d = data.for_district(&name);
        let dir = root.join(folder_name(&name));
        std::fs::create_dir_all(&dir).map_err(|source| {
            ReportError::Io(crate::io::IoError::Write {
                file: dir.display().to_string(),
                source,
            })
        })?;
        let title = format!("{} — {name}", d.summary.scenario);
        let sections = plan_sections::sections(&d);
        let list_path = dir.join(list_name);
        save(
            &mut workbook(&title, &sections, f, t, &list_path)?,
            &list_path,
        )?;
        let plant_path = dir.join(plant_name);
        let mut wb = one_plant::workbook_for(&d, f, t).map_err(|e| xlsx_error(&plant_path, e))?;
        save(&mut wb, &plant_path)?;
    }
    Ok(vec![root])
}

/// Write one workbook and the page of `sections` (sweep and calendar reports).
fn workbook_and_page(
    title: &str,
    subtitle: &[String],
    sections: &[Box<dyn Section + '_>],
    [list_name, html_name]: [&str; 2],
    out: &Path,
    t: Labels,
    footer: &[String],
) -> Result<Vec<PathBuf>, ReportError> {
    let f = xlsx::Formats::new();
    let list_path = out.join(list_name);
    save(
        &mut workbook(title, sections, &f, t, &list_path)?,
        &list_path,
    )?;
    let html_path = out.join(html_name);
    write_bytes(
        &html_path,
        html::page_with_footer(title, subtitle, sections, t, footer).as_bytes(),
    )?;
    Ok(vec![list_path, html_path])
}

/// A workbook with the sheets of every section.
fn workbook(
    title: &str,
    sections: &[Box<dyn Section + '_>],
    f: &xlsx::Formats,
    t: Labels,
    path: &Path,
) -> Result<Workbook, ReportError> {
    let mut wb = xlsx::workbook(title);
    for s in sections {
        s.sheets(&mut wb, f, t).map_err(|e| xlsx_error(path, e))?;
    }
    Ok(wb)
}

fn xlsx_error(path: &Path, e: XlsxError) -> ReportError {
    ReportError::Xlsx {
        file: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Serialise a workbook and write it atomically.
fn save(wb: &mut Workbook, path: &Path) -> Result<(), ReportError> {
    let bytes = wb.save_to_buffer().map_err(|e| xlsx_error(path, e))?;
    write_bytes(path, &bytes)?;
    Ok(())
}
