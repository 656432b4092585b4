//! Command-line interface: raw flags (clap) → commands. `main.rs` maps errors to exit codes.

mod check;
mod plan;
mod seeds;
mod stagger;
mod validate;

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
        /// Time limit in seconds (default: the scenario's).
        #[arg(long)]
        time_limit: Option<f64>,
        /// Relative gap (default: the scenario's).
        #[arg(long)]
        gap: Option<f64>,
        /// HiGHS threads (default: the scenario's).
        #[arg(long)]
        threads: Option<u32>,
        /// Also write the full model (.lp or .mps) for an auditor's solver.
        #[arg(long)]
        write_model: Option<PathBuf>,
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
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
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
        #[arg(long)]
        time_limit: Option<f64>,
        /// Relative gap (default: the scenario's).
        #[arg(long)]
        gap: Option<f64>,
        /// HiGHS threads (default: the scenario's).
        #[arg(long)]
        threads: Option<u32>,
    },
    /// Print the input schema (every table and column with its accepted headers).
    Schema,
    /// Bundled and generated seed data.
    Seeds {
        /// What to do with seeds.
        #[command(subcommand)]
        action: SeedsAction,
    },
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
        /// Number of enterprises.
        #[arg(long, default_value_t = 4000)]
        enterprises: usize,
        /// Random seed.
        #[arg(long, default_value_t = 2021)]
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
        Command::Plan {
            scenario,
            out,
            method,
            time_limit,
            gap,
            threads,
            write_model,
        } => plan::run(
            &scenario,
            &out,
            method,
            (time_limit, gap, threads),
            write_model.as_deref(),
            cli.lang == Lang::En,
            cli.quiet,
        ),
        Command::Check {
            plan,
            scenario,
            format,
        } => check::run(&plan, &scenario, format, cli.quiet),
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
        Command::Schema => {
            print!("{}", crate::io::schema::markdown());
            Ok(())
        }
        Command::Seeds { action } => seeds::run(action, cli.quiet),
    }
}
