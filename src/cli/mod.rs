//! Command-line interface: raw flags (clap) → commands. `main.rs` maps errors to exit codes.

mod air;
pub mod audit;
mod check;
mod explain;
mod import;
pub mod monitoring;
mod negotiate;
pub mod outcome;
pub(crate) mod plan;
mod region;
pub(crate) mod report;
pub mod revise;
mod seeds;
mod serve;
mod stagger;
mod sweep;
mod validate;
mod verify;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A failure that ends the program with a documented exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code (see [`crate::exit`]).
    pub code: i32,
    /// Message for standard error (may be empty when already printed).
    pub message: String,
}

impl Failure {
    /// Build a failure.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl From<crate::io::IoError> for Failure {
    fn from(e: crate::io::IoError) -> Self {
        let code = match e {
            crate::io::IoError::Format { .. } => crate::exit::INVALID_INPUT,
            _ => crate::exit::IO,
        };
        Failure::new(code, e.to_string())
    }
}

/// Most parallel jobs or solver threads a command accepts (`--jobs`, `--threads`,
/// `[solver] threads`); more than the machine's cores are capped to them.
pub const MAX_WORKERS: usize = 256;

/// The machine's cores (1 when unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Cap a count of parallel workers at the machine's cores, warning on standard error with the
/// flag or key it came from (`source`).
pub fn cap_at_cores(n: usize, source: &str) -> usize {
    let cores = cores();
    if n <= cores {
        return n;
    }
    eprintln!("提示：{source} = {n} 多于本机核数 {cores}，按 {cores} 运行 ({source} {n} is more than this machine's {cores} cores; using {cores})");
    cores
}

/// Output language for labels and measure texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Lang {
    /// 中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

/// Text or JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON.
    Json,
}

/// 减排 jianpai — build and test a city's heavy-pollution emergency reduction list.
#[derive(Debug, Parser)]
#[command(
    name = "jianpai",
    version,
    about = "减排 jianpai — heavy-pollution emergency reduction lists (重污染天气应急减排清单) and staggered production",
    after_help = concat!(
        "Examples:\n",
        "  jianpai validate seeds/wuxi-2021\n",
        "  jianpai validate seeds/wuxi-2021 --format json\n",
        "  jianpai plan scenarios/wuxi-2021.toml --out out/wuxi-2021\n",
        "  jianpai check out/wuxi-2021 --scenario scenarios/wuxi-2021.toml\n",
        "  jianpai report out/wuxi-2021 --out out/wuxi-2021/report\n",
        "  jianpai explain out/wuxi-2021 --line L00624-08\n",
        "  jianpai stagger scenarios/wuxi-2021-stagger.toml --out out/wuxi-2021-stagger\n",
        "  jianpai seeds generate --enterprises 50000 --seed 7 --out /tmp/city\n",
        "\n",
    ),
    after_long_help = crate::exit::HELP
)]
pub struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (every warning, solver progress).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Language of labels and measure texts.
    #[arg(long, global = true, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How `report --split` divides the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Split {
    /// One list and one 一厂一策 workbook per district (districts enforce the list).
    District,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an inventory (a folder, or files named after tables) and print its summary.
    #[command(
        after_help = "Examples:\n  jianpai validate seeds/wuxi-2021\n  jianpai validate enterprises.xlsx lines.csv districts.csv --format json"
    )]
    Validate {
        /// Dataset folder(s) or table files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Build the emergency reduction list (一厂一策) for a scenario: every active line's measure at
    /// yellow, orange and red, meeting every target at least production loss.
    #[command(
        after_help = "Examples:\n  jianpai plan scenarios/wuxi-2021.toml --out out/wuxi-2021\n  jianpai plan scenarios/wuxi-2021.toml --out out/greedy --method greedy\n  jianpai plan scenarios/wuxi-2021.toml --out out/w --write-model out/w/model.lp"
    )]
    Plan {
        /// Scenario TOML.
        scenario: PathBuf,
        /// Output folder (plan.csv, summary.json).
        #[arg(long)]
        out: PathBuf,
        /// Optimiser or the planner's greedy ranking.
        #[arg(long, value_enum, default_value_t = crate::solve::Method::Mip)]
        method: crate::solve::Method,
        #[command(flatten)]
        solver: plan::SolverFlags,
        /// Also write the full model (.lp or .mps) for an auditor's solver.
        #[arg(long)]
        write_model: Option<PathBuf>,
        /// The planner's decisions (a decisions CSV/xlsx); replaces the scenario's `decisions`.
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Formulation of --write-model: compact (one binary per line × level × option, with
        /// nesting rows) or triples (one binary per nested option triple; large).
        #[arg(long, value_enum, default_value_t = crate::model::export::ModelForm::Compact)]
        model_form: crate::model::export::ModelForm,
    },
    /// Several cities planned together (区域联防联控): one joint optimisation over every city's
    /// lines with each city's own targets (scaled by `city_floor`) and the regional targets,
    /// under one unified warning; writes summary.json (the region) and cities/NN-<city>/ (each
    /// city's plan.csv, summary.json and the scenario as the region set it). `jianpai check DIR
    /// --scenario region.toml` verifies every city and every regional target independently.
    #[command(
        after_help = "Examples:\n  jianpai seeds generate --cities 3 --enterprises 300 --seed 7 --out out/region-seed\n  jianpai region out/region-seed/region.toml --out out/region\n  jianpai check out/region --scenario out/region-seed/region.toml"
    )]
    Region(region::RegionArgs),
    /// Negotiated deep cuts (seed item 32): for the N largest emitters, the deeper measure at
    /// orange / red and the seasonal agreement (stopped at orange and red, lightest yellow), each
    /// valued by re-solving the plan with it fixed: the city's saving on the other firms is the
    /// most it could offer in return. The best offers are chosen greedily and re-solved jointly.
    /// Writes negotiation.csv, negotiation.xlsx (协商清单), negotiation.json and decisions.csv
    /// (for `plan --decisions`).
    #[command(
        after_help = "Ranking: sum over SO2, NOx, PM and VOCs of the firm's baseline emissions as a share of
the city's whole-society emissions, each weighted by the red-level target ratio.

Examples:
  jianpai negotiate scenarios/wuxi-2021.toml --top 10 --out out/negotiate
  jianpai plan scenarios/wuxi-2021.toml --decisions out/negotiate/decisions.csv --out out/agreed"
    )]
    Negotiate {
        /// Scenario TOML.
        scenario: PathBuf,
        /// How many of the largest emitters get offers (1 to 200).
        #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
        top: i64,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Time limit in seconds of each re-solve (default: the scenario's).
        #[arg(long, allow_negative_numbers = true)]
        time_limit: Option<f64>,
        /// Relative gap of each re-solve (default: the scenario's).
        #[arg(long, allow_negative_numbers = true)]
        gap: Option<f64>,
    },
    /// Verify a plan independently (completeness, cuts, rules, exemptions, floors, nesting, targets),
    /// or a calendar (quotas, blocks, windows, caps, daily targets, maintenance, government days).
    #[command(
        after_help = "Examples:\n  jianpai check out/wuxi-2021 --scenario scenarios/wuxi-2021.toml\n  jianpai check edited-plan.csv --scenario scenarios/wuxi-2021.toml --format json"
    )]
    Check {
        /// Plan folder (plan.csv) or plan file; calendar folder (calendar.csv) or calendar file.
        plan: PathBuf,
        /// Scenario TOML the plan (or stagger scenario the calendar) was made for.
        #[arg(long)]
        scenario: PathBuf,
        /// The planner's decisions the plan was made with (replaces the scenario's `decisions`).
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// First rewrite the plan file's cuts, loss, electricity and every other derived column
        /// from its measure codes (after a hand edit), atomically; then check it.
        #[arg(long)]
        recompute: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Say whether the inputs a result was made from are unchanged: re-hash every input file
    /// recorded in summary.json `provenance` (scenario, bases, inventory tables, rules,
    /// decisions, previous list, calendar) and list which match, changed or are missing.
    /// Exit 0 when all match, 6 when any changed or is missing.
    #[command(
        after_help = "Examples:\n  jianpai verify out/wuxi-2021\n  jianpai verify out/wuxi-2021 --format json"
    )]
    Verify {
        /// Result folder (with summary.json), or its summary.json.
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write the reports planners read: the list workbook (standard layout, district, exempt and
    /// guarantee sheets), the 一厂一策 workbook with notice-board texts, and an HTML report.
    #[command(
        after_help = "Examples:\n  jianpai report out/wuxi-2021 --out out/wuxi-2021/report\n  jianpai report out/wuxi-2021 --out /tmp/r --lang en --scenario scenarios/wuxi-2021.toml\n  jianpai report out/wuxi-2021 --out out/wuxi-2021/report --split district"
    )]
    Report {
        /// Result directory (a plan directory: plan.csv + summary.json).
        dir: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Scenario TOML (default: the one named in summary.json).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Also write one list workbook and one 一厂一策 workbook per district, in
        /// `<out>/districts/<区县>/` (plans and revisions).
        #[arg(long, value_enum)]
        split: Option<Split>,
    },
    /// Why a line (or every line of an enterprise) takes its measure at each level: every
    /// admissible option with its cuts, loss and cut per 万元, the target prices (LP duals), each
    /// option's reduced cost, the margin over the next-best option and the price that would flip
    /// the choice; or the rule, decision or nesting that forced it.
    #[command(
        group(clap::ArgGroup::new("which").required(true).args(["line", "code"])),
        after_help = "Examples:\n  jianpai explain out/wuxi-2021 --line L00624-08\n  jianpai explain out/wuxi-2021 --code 91320281AC6626588U --format json\n  jianpai --lang en explain out/wuxi-2021 --line L00624-08"
    )]
    Explain {
        /// Plan directory (plan.csv + summary.json).
        dir: PathBuf,
        /// Line id.
        #[arg(long)]
        line: Option<String>,
        /// Enterprise credit code (统一社会信用代码): every active line of the firm.
        #[arg(long)]
        code: Option<String>,
        /// Scenario TOML (default: the one named in summary.json).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// The planner's decisions the plan was made with (replaces the scenario's `decisions`).
        #[arg(long)]
        decisions: Option<PathBuf>,
        /// Output format (JSON keys in English, deterministic order).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// September revision (绩效分级、应急减排清单、豁免企业清单修订): this year's inventory and rules plus
    /// last year's list → a new list changing as few measures as sensible, the diff and the filings.
    #[command(
        after_help = "Examples:\n  jianpai revise scenarios/wuxi-2022-revision.toml --out out/wuxi-2022-revision\n  jianpai revise scenarios/wuxi-2022-revision.toml --previous out/wuxi-2021 --stability 50 --out out/r"
    )]
    Revise(revise::ReviseArgs),
    /// Compare two lists: enterprises and lines added or removed, grade, exempt and guarantee
    /// changes, measure changes per level with a reason, and the change of the city's cuts and loss.
    #[command(
        after_help = "Examples:\n  jianpai diff out/wuxi-2021 out/wuxi-2022-revision\n  jianpai diff old/plan.csv new/plan.csv --format json\n  jianpai diff out/a out/b --old-inventory seeds/wuxi-2021 --new-inventory seeds/wuxi-2022"
    )]
    Diff {
        /// Old list (plan folder or plan.csv).
        old: PathBuf,
        /// New list (plan folder or plan.csv).
        new: PathBuf,
        /// Inventory of the old list (exempt and guarantee facts from it instead of remarks).
        #[arg(long, requires = "new_inventory")]
        old_inventory: Option<PathBuf>,
        /// Inventory of the new list.
        #[arg(long, requires = "old_inventory")]
        new_inventory: Option<PathBuf>,
        /// Output format (JSON has the changes under `changes`).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Electricity audit of a warning (智能甄别): each line's metered load in the warning against
    /// its pre-warning baseline and the load its measure should leave; a verdict with the numbers.
    #[command(
        after_help = "Examples:\n  jianpai audit --plan out/wuxi-2021 --meter meters.csv --level orange --window 2021-12-22T00:00..2021-12-25T00:00\n  jianpai audit --plan out/wuxi-2021 --meter meters.parquet --level red --format json"
    )]
    Audit(audit::AuditArgs),
    /// Build the staggered-production (错峰生产) and maintenance calendar of a stagger scenario:
    /// which line stops on which days, meeting quotas, block lengths, caps and daily cuts.
    #[command(
        after_help = "Examples:\n  jianpai stagger scenarios/wuxi-2021-stagger.toml --out out/wuxi-2021-stagger\n  jianpai check out/wuxi-2021-stagger --scenario scenarios/wuxi-2021-stagger.toml"
    )]
    Stagger {
        /// Stagger scenario TOML.
        scenario: PathBuf,
        /// Output folder (calendar.csv, days.csv, summary.json).
        #[arg(long)]
        out: PathBuf,
        /// Optimiser or the greedy calendar.
        #[arg(long, value_enum, default_value_t = crate::solve::Method::Mip)]
        method: crate::solve::Method,
        /// Time limit in seconds (default: the scenario's).
        #[arg(long, allow_negative_numbers = true)]
        time_limit: Option<f64>,
        /// Relative gap (default: the scenario's).
        #[arg(long, allow_negative_numbers = true)]
        gap: Option<f64>,
        /// Threads pricing the lines in parallel; HiGHS runs on one (the same calendar for any
        /// count; default: the scenario's).
        #[arg(long)]
        threads: Option<u32>,
    },
    /// Import inventories exported from the 排污许可 / emergency-list platforms (CSV or
    /// workbooks; title rows, 合计 rows, merged cells, their own headers, words and units) into a
    /// clean dataset folder, with import-report.csv/.md saying what was mapped, converted and
    /// skipped. Nothing is written when the data has an error.
    #[command(
        after_help = "Examples:\n  jianpai import 企业.xlsx 生产线导出.csv 区县.csv --out data/city\n  jianpai import exports/*.csv --mapping map.toml --days 330 --out data/city\n\nA mapping file (TOML):\n  operating_days = 330\n  operating_hours = 24\n  [columns]\n  \"企业统一代码\" = \"credit_code\"\n  \"设施名\" = \"lines.name\"\n  [values.status]\n  \"开工\" = \"在产\""
    )]
    Import {
        /// Exported files (.csv, .xlsx, .xls, .ods); each file or sheet holds one table.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output dataset folder (written as a whole, only when the data is valid).
        #[arg(long)]
        out: PathBuf,
        /// Mapping file (TOML): their headers → our columns, their values → ours, operating time.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Operating days per year that annual amounts are divided by (default: the mapping's,
        /// else 300).
        #[arg(long, allow_negative_numbers = true)]
        days: Option<f64>,
        /// Operating hours per day that hourly amounts are multiplied by (default: the
        /// mapping's, else 24).
        #[arg(long, allow_negative_numbers = true)]
        hours: Option<f64>,
    },
    /// What a plan does to the air: the estimated PM2.5 reduction (µg/m³) at every monitoring
    /// station per level from a source–receptor matrix (line > enterprise > grid cell >
    /// district), the mean of stations, the worst station and the largest contributors; the
    /// scenario's station targets (enforced by `plan`) are verified from the list.
    #[command(
        after_help = "Examples:\n  jianpai air --plan out/wuxi-2021 --stations out/wuxi-air/stations.csv --receptors out/wuxi-air/receptors.csv\n  jianpai air --plan out/wuxi-2021 --stations s.csv --receptors r.csv --out out/air --format json"
    )]
    Air(air::AirArgs),
    /// Screening estimate of a source–receptor matrix (筛查估算): a sector-averaged Gaussian plume
    /// (Pasquill–Gifford classes, Briggs rural σz) over a wind/stability frequency table, for
    /// every emitting enterprise with a site; illustrative, not an air-quality model run.
    #[command(
        after_help = "Example:\n  jianpai receptors --inventory out/wuxi-air --stations out/wuxi-air/stations.csv --met out/wuxi-air/met.csv --out /tmp/receptors.csv"
    )]
    Receptors(air::ReceptorsArgs),
    /// Print the input schema (every table and column with its accepted headers).
    Schema,
    /// Bundled and generated seed data.
    Seeds {
        /// What to do with seeds.
        #[command(subcommand)]
        action: SeedsAction,
    },
    /// Solve many what-if scenarios (a sweep file: a base and named overrides or grids) in
    /// parallel into one results table (results.csv, results.parquet). Resumes a killed run.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Examples:\n  jianpai sweep scenarios/wuxi-2021-sweep.toml --jobs 2 --out out/sweep\n  jianpai sweep scenarios/wuxi-2021-sweep.toml --shard 1/4 --out out/shard-1\n  jianpai sweep merge out/shard-1 out/shard-2 out/shard-3 out/shard-4 --out out/sweep"
    )]
    Sweep {
        /// `merge`: combine shard folders.
        #[command(subcommand)]
        action: Option<SweepAction>,
        /// Sweep TOML.
        file: Option<PathBuf>,
        /// Output folder (cases/, results.csv, results.parquet, summary.json).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Scenarios solved at once (default: the number of cores); results do not depend on it.
        #[arg(long)]
        jobs: Option<usize>,
        /// Run only shard K of N (1-based), e.g. `--shard $SLURM_ARRAY_TASK_ID/8`.
        #[arg(long)]
        shard: Option<String>,
        /// Also write each scenario's plan under plans/NNNN/ (for compare and report).
        #[arg(long)]
        plans: bool,
        /// Solve every scenario from scratch (no warm starts; for benchmarks).
        #[arg(long)]
        cold: bool,
    },
    /// Compare plans side by side: targets against achieved, loss, status, and which enterprises
    /// and lines change measure against the first plan, by district and industry.
    #[command(
        after_help = "Examples:\n  jianpai compare out/wuxi-2021 out/sweep/plans/0002 out/sweep/plans/0004\n  jianpai compare out/a out/b --format json"
    )]
    Compare {
        /// Plan folders (or plan.csv files); the first is the reference.
        #[arg(required = true, num_args = 2..)]
        plans: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Compare totals only (loss, targets, lines controlled), even for plans of different
        /// inventories (different cities), whose lines cannot be matched.
        #[arg(long)]
        totals_only: bool,
    },
    /// Cost curve: loss against the required ratio of one pollutant (or all) at one level, with
    /// what each extra t/d and each extra percentage point costs (curve.csv).
    #[command(
        after_help = "Examples:\n  jianpai curve scenarios/wuxi-2021.toml --level red --pollutant vocs --from 0.2 --to 0.4 --step 0.05 --out out/curve-vocs\n  jianpai curve scenarios/wuxi-2021.toml --level orange --pollutant all --from 0.1 --to 0.3 --step 0.05 --out out/curve"
    )]
    Curve {
        /// Scenario TOML.
        scenario: PathBuf,
        /// Warning level.
        #[arg(long, default_value = "red")]
        level: String,
        /// so2, nox, pm, vocs or all.
        #[arg(long, default_value = "all")]
        pollutant: String,
        /// First ratio.
        #[arg(long)]
        from: f64,
        /// Last ratio (inclusive).
        #[arg(long)]
        to: f64,
        /// Step.
        #[arg(long, default_value_t = 0.05)]
        step: f64,
        /// Points solved at once (default: the number of cores); results do not depend on it.
        #[arg(long)]
        jobs: Option<usize>,
        /// Output folder (curve.csv plus the sweep's results table).
        #[arg(long)]
        out: PathBuf,
    },
    /// Grade-upgrade value: rank enterprises by the loss the city saves if each became A (or
    /// exempt), and choose the best set of k with their interaction priced in.
    #[command(
        after_help = "Examples:\n  jianpai upgrade scenarios/wuxi-2021.toml --k 21 --out out/upgrade\n  jianpai plan out/upgrade/scenario.toml --out out/upgraded   # re-solve the chosen set"
    )]
    Upgrade {
        /// Scenario TOML.
        scenario: PathBuf,
        /// Size of the set.
        #[arg(long, default_value_t = 21)]
        k: usize,
        /// Candidates screened (firms carrying most loss in the base plan); default 3k.
        #[arg(long)]
        candidates: Option<usize>,
        /// What the chosen firms become.
        #[arg(long, value_enum, default_value_t = crate::sweep::upgrade::UpgradeTo::A)]
        to: crate::sweep::upgrade::UpgradeTo,
        /// Single solves run at once (default: the number of cores); results do not depend on it.
        #[arg(long)]
        jobs: Option<usize>,
        /// Output folder (upgrade.csv, summary.json, scenario.toml).
        #[arg(long)]
        out: PathBuf,
    },
    /// The web workbench for a bureau's network: upload and validate datasets, set scenarios,
    /// run plans in the background, read reports, download files, compare runs, comment and
    /// audit. Listens on loopback unless --allow-remote.
    #[command(
        after_help = "Examples:\n  echo 'a long password' | jianpai users add admin --role admin --password-stdin --data /srv/jianpai\n  jianpai serve --data /srv/jianpai --bind 127.0.0.1:8080"
    )]
    Serve(serve::ServeArgs),
    /// Workbench users (roles: admin, planner, reviewer, viewer).
    Users {
        /// What to do with users.
        #[command(subcommand)]
        action: serve::UsersAction,
    },
}

/// `sweep` subcommands.
#[derive(Debug, Subcommand)]
pub enum SweepAction {
    /// Merge the output folders of a sweep's shards into one results table.
    Merge {
        /// Shard output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `--enterprises` of `seeds generate`: a whole number from 1 to
/// [`MAX_GENERATED_ENTERPRISES`](crate::seeds::MAX_GENERATED_ENTERPRISES).
fn enterprises_in_range(s: &str) -> Result<usize, String> {
    let max = crate::seeds::MAX_GENERATED_ENTERPRISES;
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {max}")),
    }
}

/// `seeds` subcommands.
#[derive(Debug, Subcommand)]
pub enum SeedsAction {
    /// List the data sets bundled in the binary.
    List,
    /// Write a bundled data set into a folder.
    Extract {
        /// Name from `seeds list`.
        name: String,
        /// Folder to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate a synthetic city (deterministic for a given size and seed).
    #[command(
        after_help = "Example:\n  jianpai seeds generate --enterprises 10000 --seed 1 --out /tmp/city10k"
    )]
    Generate {
        /// Number of enterprises (1 to 200,000).
        #[arg(long, default_value_t = 4000, value_parser = enterprises_in_range)]
        enterprises: usize,
        /// Random seed.
        #[arg(long, default_value_t = 2021)]
        seed: u64,
        /// Folder to write.
        #[arg(long)]
        out: PathBuf,
        /// A synthetic region instead: this many cities of `--enterprises` each (seeds `seed`,
        /// `seed + 1`, …), their scenarios, the rules and `region.toml` (1 to 50 cities).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=50))]
        cities: Option<u16>,
    },
    /// Synthetic meter data for a warning (compliant lines and cheaters, noise and faults) and a
    /// truth file `<stem>.truth.csv`.
    #[command(
        after_help = "Example:\n  jianpai seeds meters --plan out/wuxi-2021 --cheaters 50 --seed 1 --out /tmp/meters.csv"
    )]
    Meters(audit::MetersArgs),
    /// Synthetic evidence for an audit from all four sources (meters, online monitoring,
    /// operating status, gate logs) with a truth file, including cheats only one source sees.
    #[command(
        after_help = "Example:\n  jianpai seeds monitoring --plan out/wuxi-2021 --cheaters 25 --seed 11 --out /tmp/evidence\n  jianpai audit --plan out/wuxi-2021 --level orange --warnings /tmp/evidence/warnings.csv \\\n    --meter /tmp/evidence/meters.csv --cems /tmp/evidence/cems.csv --status /tmp/evidence/status.csv --gates /tmp/evidence/gates.csv"
    )]
    Monitoring(monitoring::MonitoringArgs),
    /// Air data for a dataset (illustrative): a copy whose enterprises carry synthetic sites
    /// (经度, 纬度, 坐标系) around their district's centre in Wuxi's bounding box, 8 stations,
    /// a winter wind table and the screening matrix (receptors.csv).
    #[command(
        after_help = "Example:\n  jianpai seeds air --dataset seeds/wuxi-2021 --out out/wuxi-air"
    )]
    Air {
        /// Dataset folder.
        #[arg(long)]
        dataset: PathBuf,
        /// Random seed of the sites.
        #[arg(long, default_value_t = 2021)]
        seed: u64,
        /// Folder to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Derive next year's city from a generated one (grade changes, closures, new firms,
    /// exempt-list changes), deterministic for a seed; `changes.csv` lists every change.
    #[command(
        after_help = "Example:\n  jianpai seeds evolve seeds/wuxi-2021 --seed 2022 --out seeds/wuxi-2022"
    )]
    Evolve {
        /// Folder of the generated city (enterprises, lines, options, districts CSV).
        from: PathBuf,
        /// Random seed.
        #[arg(long, default_value_t = 2022)]
        seed: u64,
        /// Folder to write.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Validate { inputs, format } => {
            validate::run(&inputs, format, cli.quiet, cli.verbose)
        }
        Command::Import {
            inputs,
            out,
            mapping,
            days,
            hours,
        } => import::run(
            &inputs,
            &out,
            mapping.as_deref(),
            (days, hours),
            cli.quiet,
            cli.verbose,
        ),
        Command::Region(args) => region::run(args, cli.lang == Lang::En, cli.quiet),
        Command::Plan {
            scenario,
            out,
            method,
            solver,
            write_model,
            decisions,
            model_form,
        } => plan::run(
            &scenario,
            decisions.as_deref(),
            &out,
            method,
            solver.overrides(),
            write_model.as_deref(),
            model_form,
            cli.lang == Lang::En,
            cli.quiet,
        ),
        Command::Negotiate {
            scenario,
            top,
            out,
            time_limit,
            gap,
        } => negotiate::run(
            &scenario,
            top,
            &out,
            (time_limit, gap),
            cli.lang == Lang::En,
            cli.quiet,
        ),
        Command::Check {
            plan,
            scenario,
            decisions,
            recompute,
            format,
        } => check::run(
            &plan,
            &scenario,
            decisions.as_deref(),
            recompute,
            format,
            cli.quiet,
        ),
        Command::Verify { dir, format } => {
            verify::run(&dir, format, cli.lang == Lang::En, cli.quiet)
        }
        Command::Report {
            dir,
            out,
            scenario,
            split,
        } => report::run(
            &dir,
            &out,
            scenario,
            split.is_some(),
            cli.lang == Lang::En,
            cli.quiet,
        ),
        Command::Explain {
            dir,
            line,
            code,
            scenario,
            decisions,
            format,
        } => {
            let which = match (line, code) {
                (Some(l), _) => explain::Which::Line(l),
                (None, Some(c)) => explain::Which::Code(c),
                (None, None) => {
                    return Err(Failure::new(crate::exit::USAGE, "give --line or --code"))
                }
            };
            explain::run(
                &dir,
                which,
                scenario,
                decisions.as_deref(),
                format,
                cli.lang == Lang::En,
            )
        }
        Command::Revise(args) => revise::run_revise(args, cli.lang == Lang::En, cli.quiet),
        Command::Diff {
            old,
            new,
            old_inventory,
            new_inventory,
            format,
        } => revise::run_diff(
            &old,
            &new,
            (old_inventory.as_deref(), new_inventory.as_deref()),
            format,
            cli.lang == Lang::En,
        ),
        Command::Audit(args) => audit::run_audit(args, cli.lang == Lang::En),
        Command::Stagger {
            scenario,
            out,
            method,
            time_limit,
            gap,
            threads,
        } => stagger::run(
            &scenario,
            &out,
            method,
            (time_limit, gap, threads),
            cli.lang == Lang::En,
            cli.quiet,
        ),
        Command::Air(args) => air::run_air(args, cli.lang == Lang::En, cli.quiet),
        Command::Receptors(args) => air::run_receptors(args, cli.quiet),
        Command::Serve(args) => serve::serve(args),
        Command::Users { action } => serve::users(action),
        Command::Schema => {
            print!("{}", crate::io::schema::markdown());
            Ok(())
        }
        Command::Seeds { action } => seeds::run(action, cli.quiet),
        Command::Sweep {
            action,
            file,
            out,
            jobs,
            shard,
            plans,
            cold,
        } => sweep::run(
            action,
            sweep::Args {
                file,
                out,
                jobs,
                shard,
                plans,
                cold,
            },
            cli.lang == Lang::En,
            cli.quiet,
        ),
        Command::Compare {
            plans,
            format,
            totals_only,
        } => sweep::compare(&plans, format, totals_only, cli.lang == Lang::En),
        Command::Curve {
            scenario,
            level,
            pollutant,
            from,
            to,
            step,
            jobs,
            out,
        } => sweep::curve(
            &scenario,
            (&level, &pollutant),
            (from, to, step),
            jobs,
            &out,
            cli.lang == Lang::En,
            cli.quiet,
        ),
        Command::Upgrade {
            scenario,
            k,
            candidates,
            to,
            jobs,
            out,
        } => sweep::upgrade(
            &scenario,
            crate::sweep::upgrade::UpgradeOptions {
                k,
                candidates: candidates.unwrap_or(k.saturating_mul(3)),
                to,
                jobs: sweep::jobs(jobs)?,
            },
            &out,
            cli.lang == Lang::En,
            cli.quiet,
        ),
    }
}
