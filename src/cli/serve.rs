//! `jianpai serve` and `jianpai users`.

use super::Failure;
use crate::exit;
use crate::serve::auth::{hash_password, valid_name, Role, MAX_PASSWORD};
use crate::serve::db::Db;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Largest `--max-upload-mib`.
pub const MAX_UPLOAD_MIB: u64 = 4096;

/// `users` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum UsersAction {
    /// Add a user (or set an existing user's role and password); the password is read from
    /// standard input (one line).
    Add {
        /// Login name (letters, digits, `_`, `-`, `.`; at most 64).
        name: String,
        /// admin, planner, reviewer or viewer.
        #[arg(long)]
        role: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The workbench's data folder.
        #[arg(long, default_value = "jianpai-data")]
        data: PathBuf,
    },
    /// List users and roles.
    List {
        /// The workbench's data folder.
        #[arg(long, default_value = "jianpai-data")]
        data: PathBuf,
    },
}

/// `jianpai serve` flags.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Data folder: database, uploaded datasets, run results.
    #[arg(long, default_value = "jianpai-data")]
    pub data: PathBuf,
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Accept a bind address other than loopback (the bureau's network).
    #[arg(long)]
    pub allow_remote: bool,
    /// Runs solved at once (1–16; default: the machine's cores, at most 2).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Largest upload in MiB (1–4096).
    #[arg(long, default_value_t = 200)]
    pub max_upload_mib: u64,
}

fn data_dir(data: &Path) -> Result<PathBuf, Failure> {
    std::fs::create_dir_all(data).map_err(|e| {
        Failure::new(
            exit::IO,
            format!("{}: cannot create the data folder: {e}", data.display()),
        )
    })?;
    Ok(data.to_path_buf())
}

/// Run `jianpai serve`.
pub fn serve(a: ServeArgs) -> Result<(), Failure> {
    let bind: SocketAddr = a.bind.parse().map_err(|_| {
        Failure::new(
            exit::USAGE,
            format!(
                "--bind {}: give an address and port, e.g. 127.0.0.1:8080",
                a.bind
            ),
        )
    })?;
    if !bind.ip().is_loopback() && !a.allow_remote {
        return Err(Failure::new(
            exit::USAGE,
            format!("--bind {bind}: not a loopback address; add --allow-remote to serve the network (put it behind the bureau's HTTPS proxy)"),
        ));
    }
    let workers = a.workers.unwrap_or_else(|| super::cores().min(2));
    if !(1..=crate::serve::jobs::MAX_WORKERS).contains(&workers) {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "--workers {workers}: give 1 to {}",
                crate::serve::jobs::MAX_WORKERS
            ),
        ));
    }
    let workers = super::cap_at_cores(workers, "--workers");
    if !(1..=MAX_UPLOAD_MIB).contains(&a.max_upload_mib) {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "--max-upload-mib {}: give 1 to {MAX_UPLOAD_MIB}",
                a.max_upload_mib
            ),
        ));
    }
    let opts = crate::serve::ServeOptions {
        data: data_dir(&a.data)?,
        bind,
        workers,
        max_upload: a.max_upload_mib << 20,
    };
    crate::serve::serve(&opts).map_err(|e| {
        let code = match e {
            crate::serve::ServeError::Db(_) | crate::serve::ServeError::Io(_) => exit::IO,
            crate::serve::ServeError::Bind { .. } => exit::IO,
        };
        Failure::new(code, e.to_string())
    })
}

/// Run `jianpai users`.
pub fn users(action: UsersAction) -> Result<(), Failure> {
    let open = |data: &Path| {
        let dir = data_dir(data)?;
        Db::open(&dir).map_err(|e| Failure::new(exit::IO, e.to_string()))
    };
    match action {
        UsersAction::Add {
            name, role, data, ..
        } => {
            if !valid_name(&name) {
                return Err(Failure::new(
                    exit::USAGE,
                    format!(
                        "user name \"{}\": 1 to 64 letters, digits, _, - or .",
                        crate::validate::escape_controls(&name)
                    ),
                ));
            }
            let r = Role::parse(&role).ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    format!(
                        "--role \"{}\": give admin, planner, reviewer or viewer",
                        crate::validate::escape_controls(&role)
                    ),
                )
            })?;
            let mut text = String::new();
            std::io::stdin()
                .take(MAX_PASSWORD as u64 + 2)
                .read_to_string(&mut text)
                .map_err(|e| Failure::new(exit::INVALID_INPUT, format!("standard input: {e}")))?;
            let password = text.lines().next().unwrap_or("");
            if password.chars().count() < 8 || password.len() > MAX_PASSWORD {
                return Err(Failure::new(
                    exit::INVALID_INPUT,
                    format!("standard input: the password must be 8 to {MAX_PASSWORD} bytes on one line"),
                ));
            }
            let hash = hash_password(password).map_err(|e| Failure::new(exit::INTERNAL, e))?;
            let db = open(&data)?;
            db.upsert_user(&name, r.key(), &hash)
                .and_then(|_| db.audit("(cli)", "user", &format!("{name}: {}", r.key())))
                .map_err(|e| Failure::new(exit::IO, e.to_string()))?;
            println!("{name}: {} ({})", r.key(), r.zh());
            Ok(())
        }
        UsersAction::List { data } => {
            let db = open(&data)?;
            for (name, role, created) in db
                .users()
                .map_err(|e| Failure::new(exit::IO, e.to_string()))?
            {
                println!("{name}\t{role}\t{created}");
            }
            Ok(())
        }
    }
}
