//! Table-by-table validation into the domain inventory.

use super::cells::{error, warning, Sheet};
use super::Report;
use crate::domain::{
    DeclaredOption, District, Enterprise, Grade, Industry, IndustryTable, Inventory, Line,
    LineStatus, Pollutant, PollutantVec,
};
use crate::io::dataset::locate;
use crate::io::schema::{TableSpec, DISTRICTS, ENTERPRISES, INDUSTRIES, LINES, OPTIONS, TABLES};
use crate::io::table::csv_from_str;
use crate::io::{IoError, RawTable};
use crate::units::{CapacityPerDay, Fraction, KwhPerDay, TonnesPerDay, WanYuanPerDay};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// The industry table bundled with the tool (`seeds/rules/industries.csv`).
pub const DEFAULT_INDUSTRIES: &str = include_str!("../../seeds/rules/industries.csv");

/// The bundled industry table, parsed.
pub fn default_industries() -> IndustryTable {
    let t = csv_from_str("industries (built-in)", DEFAULT_INDUSTRIES)
        .expect("bundled industries.csv parses");
    read_industries(&t, &mut Report::default())
}

fn io_diag(e: &IoError) -> super::Diagnostic {
    let (file, msg) = match e {
        IoError::Read { file, source } => (file.clone(), format!("cannot read: {source}")),
        IoError::Write { file, source } => (file.clone(), format!("cannot write: {source}")),
        IoError::Format { file, message } => (file.clone(), message.clone()),
    };
    error("E002", &file, None, None, None, msg, "")
}

/// Read and validate a dataset (a folder, files named after tables, or workbooks with one sheet per
/// table). The inventory is returned only when there is no error.
pub fn load_dataset(inputs: &[PathBuf]) -> (Option<Inventory>, Report) {
    load_dataset_with(inputs, super::header_units::OperatingTime::default())
}

/// [`load_dataset`] with the operating time that converts annual and hourly header units.
pub fn load_dataset_with(
    inputs: &[PathBuf],
    time: super::header_units::OperatingTime,
) -> (Option<Inventory>, Report) {
    let mut report = Report::default();
    let sources = match locate(inputs) {
        Ok(s) => s,
        Err(e) => {
            report.push(io_diag(&e));
            return (None, report);
        }
    };
    for input in inputs.iter().filter(|p| p.is_file()) {
        let is_table = TABLES.iter().any(|t| {
            input
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| s.eq_ignore_ascii_case(t.name) || s == t.zh)
        });
        if !is_table {
            if let Ok(names) = crate::io::xlsx::sheet_names(input) {
                let ignored: Vec<String> = names
                    .into_iter()
                    .filter(|n| {
                        !TABLES
                            .iter()
                            .any(|t| n.eq_ignore_ascii_case(t.name) || n == t.zh)
                    })
                    .collect();
                if !ignored.is_empty() {
                    report.push(warning(
                        "W107",
                        &input.display().to_string(),
                        None,
                        None,
                        None,
                        format!("ignored sheets: {}", ignored.join(", ")),
                        "name a sheet after a table to read it",
                    ));
                }
            }
        }
    }
    let where_ = inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut raw: HashMap<&'static str, RawTable> = HashMap::new();
    for spec in TABLES {
        match sources.get(spec.name) {
            Some(src) => match src.read() {
                Ok(mut t) => {
                    super::header_units::convert_table(&mut t, spec, time, &mut report);
                    raw.insert(spec.name, t);
                }
                Err(e) => report.push(io_diag(&e)),
            },
            None if spec.required => report.push(missing_table(spec, &where_)),
            None => {}
        }
    }
    // A table that is there but unreadable is not missing as well.
    if report.has_errors() {
        return (None, report);
    }
    let inv = validate_tables(&raw, &where_, &mut report);
    (inv, report)
}

/// E001: a required table is missing.
fn missing_table(spec: &TableSpec, where_: &str) -> super::Diagnostic {
    error(
        "E001",
        where_,
        None,
        None,
        None,
        format!("the '{}' table ({}) is missing", spec.name, spec.zh),
        format!(
            "add {}.csv (or .xlsx / .parquet, or a sheet named {}) — see `jianpai schema`",
            spec.name, spec.zh
        ),
    )
}

/// Validate raw tables (by table name, units already converted) into an inventory: a missing
/// required table is one error (E001) naming `where_`, and nothing else is checked then. The
/// inventory is returned only when `report` has no error.
pub fn validate_tables(
    raw: &HashMap<&'static str, RawTable>,
    where_: &str,
    report: &mut Report,
) -> Option<Inventory> {
    for spec in TABLES.iter().filter(|s| s.required) {
        if !raw.contains_key(spec.name) {
            report.push(missing_table(spec, where_));
        }
    }
    if report.has_errors() {
        return None;
    }
    let industries = match raw.get(INDUSTRIES.name) {
        Some(t) => read_industries(t, report),
        None => default_industries(),
    };
    let districts = read_districts(&raw[DISTRICTS.name], report);
    // An enterprises table whose header could not be matched is reported once (E003), not
    // again as a missing enterprise on every line (E012).
    let enterprises = read_enterprises(&raw[ENTERPRISES.name], &industries, &districts, report);
    let lines = read_lines(&raw[LINES.name], enterprises.as_ref(), &industries, report);
    // Without enterprises there are no lines, and declared options would all be orphans.
    let enterprises = enterprises?;
    let options = raw
        .get(OPTIONS.name)
        .map(|t| read_options(t, &lines, report))
        .unwrap_or_default();
    let with_lines: HashSet<_> = lines.iter().map(|l| &l.enterprise).collect();
    for e in enterprises.values() {
        if !with_lines.contains(&e.code) {
            report.push(warning(
                "W108",
                &raw[ENTERPRISES.name].source,
                None,
                Some("统一社会信用代码".into()),
                Some(e.code.as_str()),
                format!("enterprise {} has no lines", e.name),
                "add its lines to lines.csv or remove it",
            ));
        }
    }
    if report.has_errors() {
        return None;
    }
    let mut inv = Inventory {
        districts,
        industries,
        enterprises,
        lines,
        options,
    };
    inv.canonicalize();
    super::plausibility::check(&inv, &raw[LINES.name].source, report);
    if report.has_errors() {
        return None;
    }
    Some(inv)
}

fn sheet<'a>(t: &'a RawTable, spec: &'static TableSpec, report: &mut Report) -> Option<Sheet<'a>> {
    Sheet::new(t, spec, report)
}

fn read_industries(t: &RawTable, report: &mut Report) -> IndustryTable {
    let mut table = IndustryTable::default();
    let Some(s) = sheet(t, &INDUSTRIES, report) else {
        return table;
    };
    for row in &t.rows {
        let before = report.error_count();
        let code = s.text(report, row, "code");
        let name_zh = s.text(report, row, "name_zh");
        let name_en = s.text(report, row, "name_en").unwrap_or_default();
        let key = s.boolean(report, row, "key").unwrap_or(false);
        let leading_only = s.boolean(report, row, "leading_only").unwrap_or(false);
        let lowest = s.grade(report, row, "lowest_grade");
        let pol_text = s.text(report, row, "pollutants").unwrap_or_default();
        let mut pollutants = Vec::new();
        for part in pol_text
            .split(['|', '、', ',', ' '])
            .filter(|p| !p.is_empty())
        {
            match Pollutant::parse(part) {
                Some(p) => pollutants.push(p),
                None => report.push(error(
                    "E014",
                    &t.source,
                    Some(row.row),
                    Some(s.label("pollutants")),
                    Some(&pol_text),
                    format!("unknown pollutant '{part}'"),
                    "use so2, nox, pm, vocs separated by |",
                )),
            }
        }
        if report.error_count() > before {
            continue;
        }
        let (Some(code), Some(name_zh), Some(lowest_grade)) = (code, name_zh, lowest) else {
            continue;
        };
        if table.by_code.contains_key(&code) {
            report.push(error(
                "E010",
                &t.source,
                Some(row.row),
                Some(s.label("code")),
                Some(&code),
                "duplicate industry code",
                "keep one row per industry",
            ));
            continue;
        }
        table.by_code.insert(
            code.clone(),
            Industry {
                code,
                name_zh,
                name_en,
                key,
                leading_only,
                lowest_grade,
                pollutants,
            },
        );
    }
    table
}

fn emissions(
    s: &Sheet,
    report: &mut Report,
    row: &crate::io::RawRow,
) -> Option<PollutantVec<TonnesPerDay>> {
    let vals = Pollutant::ALL.map(|p| s.number(report, row, p.key()));
    if vals.iter().any(Option::is_none) {
        return None;
    }
    Some(PollutantVec(vals.map(|v| TonnesPerDay(v.unwrap_or(0.0)))))
}

fn read_districts(t: &RawTable, report: &mut Report) -> indexmap::IndexMap<String, District> {
    let mut out = indexmap::IndexMap::new();
    let Some(s) = sheet(t, &DISTRICTS, report) else {
        return out;
    };
    for row in &t.rows {
        let name = s.text(report, row, "district");
        let society = emissions(&s, report, row);
        let (Some(name), Some(society)) = (name, society) else {
            continue;
        };
        if out.contains_key(&name) {
            report.push(error(
                "E010",
                &t.source,
                Some(row.row),
                Some(s.label("district")),
                Some(&name),
                "duplicate district",
                "keep one row per district",
            ));
            continue;
        }
        out.insert(name.clone(), District { name, society });
    }
    out
}

fn read_enterprises(
    t: &RawTable,
    industries: &IndustryTable,
    districts: &indexmap::IndexMap<String, District>,
    report: &mut Report,
) -> Option<indexmap::IndexMap<crate::domain::CreditCode, Enterprise>> {
    let mut out = indexmap::IndexMap::new();
    let s = sheet(t, &ENTERPRISES, report)?;
    crate::air::sites::check_enterprises(&s, report);
    let mut first_row: HashMap<crate::domain::CreditCode, usize> = HashMap::new();
    let known_districts = format!(
        "use one of: {}",
        districts.keys().cloned().collect::<Vec<_>>().join(", ")
    );
    for row in &t.rows {
        let before = report.error_count();
        let code = s.credit_code(report, row, "credit_code");
        let name = s.text(report, row, "name");
        let district = s.text(report, row, "district");
        let industry_raw = s.text(report, row, "industry");
        let grade = s.grade(report, row, "grade");
        let exempt = s.boolean(report, row, "exempt").unwrap_or(false);
        let exempt_reason = s.text(report, row, "exempt_reason");
        let guarantee = s.boolean(report, row, "guarantee").unwrap_or(false);
        let min_load = s.fraction(report, row, "guarantee_min_load");
        let cluster = s.text(report, row, "cluster");
        if report.error_count() > before {
            continue;
        }
        let (Some(code), Some(name), Some(district), Some(industry_raw), Some(grade)) =
            (code, name, district, industry_raw, grade)
        else {
            continue;
        };
        if let Some(first) = first_row.get(&code) {
            report.push(error(
                "E010",
                &t.source,
                Some(row.row),
                Some(s.label("credit_code")),
                Some(code.as_str()),
                format!("duplicate enterprise (first at row {first})"),
                "merge the two rows into one",
            ));
            continue;
        }
        first_row.insert(code.clone(), row.row);
        if !districts.contains_key(&district) {
            report.push(warning(
                "W111",
                &t.source,
                Some(row.row),
                Some(s.label("district")),
                Some(&district),
                "district not in districts table; the firm counts for the city but for no district",
                known_districts.as_str(),
            ));
        }
        let industry = match industries.resolve(&industry_raw) {
            Some(i) => i.code.clone(),
            None => {
                report.push(warning(
                    "W112",
                    &t.source,
                    Some(row.row),
                    Some(s.label("industry")),
                    Some(&industry_raw),
                    "unknown industry; treated as a non-key industry (the city's own rule applies)",
                    "use a code or Chinese name from the industry table (`jianpai schema`)",
                ));
                industry_raw
            }
        };
        if grade == Grade::Unrated {
            if let Some(ind) = industries.by_code.get(&industry).filter(|i| i.key) {
                report.push(warning(
                    "W104",
                    &t.source,
                    Some(row.row),
                    Some(s.label("grade")),
                    Some(s.raw(row, "grade")),
                    format!(
                        "key-industry firm without a grade; treated as its industry's lowest ({})",
                        ind.lowest_grade
                    ),
                    "enter the grade from the 绩效分级 list",
                ));
            }
        }
        let exempt = if exempt {
            if !grade.is_voluntary() && exempt_reason.is_none() {
                report.push(warning(
                    "W105",
                    &t.source,
                    Some(row.row),
                    Some(s.label("exempt")),
                    Some(s.raw(row, "exempt")),
                    format!("exempt firm of grade {grade} gives no reason"),
                    "exempt firms are normally A or 引领性; give the reason (e.g. 民生保障) in 豁免原因",
                ));
            }
            Some(exempt_reason.unwrap_or_default())
        } else {
            None
        };
        let guarantee_min_load = match (guarantee, min_load) {
            (true, Some(f)) => Some(f),
            (true, None) => {
                report.push(error(
                    "E020",
                    &t.source,
                    Some(row.row),
                    Some(s.label("guarantee_min_load")),
                    Some(""),
                    "保障类 firm without its certified minimum load",
                    "enter the certified minimum load (以热定产 / 以量定产) as a share, e.g. 0.6",
                ));
                continue;
            }
            (false, Some(_)) => {
                report.push(warning(
                    "W113",
                    &t.source,
                    Some(row.row),
                    Some(s.label("guarantee_min_load")),
                    Some(s.raw(row, "guarantee_min_load")),
                    "minimum load given for a firm not marked 保障类; ignored",
                    "mark 保障类 = 是 or clear the minimum load",
                ));
                None
            }
            (false, None) => None,
        };
        out.insert(
            code.clone(),
            Enterprise {
                code,
                name,
                district,
                industry,
                grade,
                exempt,
                guarantee_min_load,
                cluster,
            },
        );
    }
    Some(out)
}

/// The lines of `t`; with `enterprises` `None` (their table unreadable) the lines' enterprises
/// are not looked up.
fn read_lines(
    t: &RawTable,
    enterprises: Option<&indexmap::IndexMap<crate::domain::CreditCode, Enterprise>>,
    industries: &IndustryTable,
    report: &mut Report,
) -> Vec<Line> {
    let mut out = Vec::new();
    let Some(s) = sheet(t, &LINES, report) else {
        return out;
    };
    let mut first_row: HashMap<String, usize> = HashMap::new();
    for row in &t.rows {
        let before = report.error_count();
        let id = s.text(report, row, "line_id");
        let code = s.credit_code(report, row, "credit_code");
        let name = s.text(report, row, "name");
        let process = s.text(report, row, "process");
        let approved = s.number(report, row, "capacity_approved");
        let permitted = s.number(report, row, "capacity_permitted");
        let last_year = s.number(report, row, "output_last_year");
        let value = s.number(report, row, "output_value");
        let em = emissions(&s, report, row);
        let electricity = s.number(report, row, "electricity");
        let status_raw = s.raw(row, "status");
        let status = match LineStatus::parse(status_raw) {
            Some(s) => Some(s),
            None => {
                report.push(error(
                    "E016",
                    &t.source,
                    Some(row.row),
                    Some(s.label("status")),
                    Some(status_raw),
                    "unknown status",
                    "write 在产 (active) or 停产 (idle)",
                ));
                None
            }
        };
        if report.error_count() > before {
            continue;
        }
        let (
            Some(id),
            Some(code),
            Some(name),
            Some(process),
            Some(approved),
            Some(value),
            Some(em),
            Some(status),
        ) = (id, code, name, process, approved, value, em, status)
        else {
            continue;
        };
        if let Some(first) = first_row.get(&id) {
            report.push(error(
                "E010",
                &t.source,
                Some(row.row),
                Some(s.label("line_id")),
                Some(&id),
                format!("duplicate line id (first at row {first})"),
                "give every line its own id",
            ));
            continue;
        }
        first_row.insert(id.clone(), row.row);
        let Some(enterprises) = enterprises else {
            continue;
        };
        let Some(ent) = enterprises.get(&code) else {
            report.push(error(
                "E012",
                &t.source,
                Some(row.row),
                Some(s.label("credit_code")),
                Some(code.as_str()),
                "the line's enterprise is not in the enterprises table",
                "add the enterprise or correct the code",
            ));
            continue;
        };
        let line = Line {
            id,
            enterprise: code,
            name,
            process,
            capacity_approved: CapacityPerDay(approved),
            capacity_permitted: permitted.map(CapacityPerDay),
            output_last_year: last_year.map(CapacityPerDay),
            output_value: WanYuanPerDay(value),
            emissions: em,
            electricity: KwhPerDay(electricity.unwrap_or(0.0)),
            status,
        };
        line_warnings(&line, ent, industries, &s, row, report);
        out.push(line);
    }
    out
}

fn line_warnings(
    line: &Line,
    ent: &Enterprise,
    industries: &IndustryTable,
    s: &Sheet,
    row: &crate::io::RawRow,
    report: &mut Report,
) {
    let src = &s.table.source;
    let total: f64 = line.emissions.0.iter().map(|t| t.0).sum();
    if line.status == LineStatus::Idle && total > 0.0 {
        report.push(warning(
            "W101",
            src,
            Some(row.row),
            Some(s.label("status")),
            Some(s.raw(row, "status")),
            format!("idle line reports {total:.3} t/d of emissions; they are not counted (no phantom cuts)"),
            "set the emissions to 0 or the status to 在产",
        ));
    }
    if let Some(p) = line.capacity_permitted {
        for (key, v) in [
            ("capacity_approved", Some(line.capacity_approved)),
            ("output_last_year", line.output_last_year),
        ] {
            if let Some(v) = v.filter(|v| v.0 > p.0 * (1.0 + 1e-9)) {
                report.push(warning(
                    "W102",
                    src,
                    Some(row.row),
                    Some(s.label(key)),
                    Some(s.raw(row, key)),
                    format!(
                        "above the permitted capacity {}; the baseline uses the permitted capacity",
                        p.0
                    ),
                    "check the figure against the 排污许可证",
                ));
                let _ = v;
            }
        }
    }
    if line.capacity_approved.0 == 0.0 && line.status == LineStatus::Active {
        report.push(warning(
            "W114",
            src,
            Some(row.row),
            Some(s.label("capacity_approved")),
            Some("0"),
            "active line with zero approved capacity: no baseline, no cut",
            "enter the approved capacity",
        ));
    }
    if let Some(ind) = industries.by_code.get(&ent.industry) {
        for p in Pollutant::ALL {
            if line.emissions[p].0 > 0.0 && !ind.pollutants.contains(&p) {
                report.push(warning(
                    "W103",
                    src,
                    Some(row.row),
                    Some(s.label(p.key())),
                    Some(s.raw(row, p.key())),
                    format!(
                        "{} emissions are implausible for the {} industry",
                        p.label(),
                        ind.name_zh
                    ),
                    "check the figure or the enterprise's industry",
                ));
            }
        }
    }
}

fn read_options(
    t: &RawTable,
    lines: &[Line],
    report: &mut Report,
) -> indexmap::IndexMap<String, Vec<DeclaredOption>> {
    let mut out: indexmap::IndexMap<String, Vec<DeclaredOption>> = indexmap::IndexMap::new();
    let Some(s) = Sheet::allow_empty(t, &OPTIONS, report) else {
        return out;
    };
    let known: HashSet<&str> = lines.iter().map(|l| l.id.as_str()).collect();
    for row in &t.rows {
        let before = report.error_count();
        let line = s.text(report, row, "line_id");
        let code = s.text(report, row, "code");
        let text = s.text(report, row, "text");
        let cuts = ["so2_cut", "nox_cut", "pm_cut", "vocs_cut"].map(|k| s.fraction(report, row, k));
        let loss = s.fraction(report, row, "loss");
        let whole_line = s.boolean(report, row, "whole_line").unwrap_or(false);
        let electricity = s.fraction(report, row, "electricity");
        if report.error_count() > before {
            continue;
        }
        let (Some(line), Some(code), Some(text), Some(loss)) = (line, code, text, loss) else {
            continue;
        };
        if !known.contains(line.as_str()) {
            report.push(error(
                "E019",
                &t.source,
                Some(row.row),
                Some(s.label("line_id")),
                Some(&line),
                "option for a line that is not in lines.csv",
                "correct the line id",
            ));
            continue;
        }
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            report.push(error(
                "E021",
                &t.source,
                Some(row.row),
                Some(s.label("code")),
                Some(&code),
                "option code may hold only letters, digits, - and _",
                "rename the option",
            ));
            continue;
        }
        let list = out.entry(line.clone()).or_default();
        if list.iter().any(|o| o.code == code) {
            report.push(error(
                "E010",
                &t.source,
                Some(row.row),
                Some(s.label("code")),
                Some(&code),
                "duplicate option code for this line",
                "give each option of a line its own code",
            ));
            continue;
        }
        let cut = PollutantVec(cuts.map(|c| c.unwrap_or(Fraction::ZERO)));
        let electricity = electricity.unwrap_or(Fraction(1.0 - 0.8 * loss.0));
        list.push(DeclaredOption {
            line,
            code,
            text,
            cut,
            loss,
            whole_line,
            electricity,
        });
    }
    out
}
