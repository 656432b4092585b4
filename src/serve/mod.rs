//! `jianpai serve`: the web workbench. A planner's colleagues upload a dataset and see its
//! validation, set a scenario from a template, run `plan`, `stagger`, `sweep` or `revise` in the
//! background (and cancel), read the report, download every file, compare runs; reviewers
//! comment; an admin reads the audit log.
//!
//! [`db`] keeps users, sessions, datasets, scenarios, runs, comments and the audit log in
//! SQLite; [`store`] keeps files under `--data`; [`jobs`] runs the CLI's own commands as
//! lower-priority child processes on a bounded pool of workers; [`pages`] (HTML) and [`api`]
//! (JSON) share [`flow`].

pub mod api;
pub mod auth;
pub mod db;
pub mod flow;
pub mod jobs;
pub mod pages;
pub mod store;
pub mod web;

use std::net::SocketAddr;
use std::path::PathBuf;

/// What every handler reaches.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: db::Db,
    /// Files on disk.
    pub store: store::Store,
    /// The run queue.
    pub jobs: jobs::Jobs,
}

/// `jianpai serve` options.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Data folder (database, datasets, runs).
    pub data: PathBuf,
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Worker threads (one solve each).
    pub workers: usize,
    /// Upload limit in bytes.
    pub max_upload: u64,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data folder.
    #[error(transparent)]
    Io(#[from] crate::io::IoError),
    /// The database.
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// The address.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address asked for.
        addr: SocketAddr,
        /// Why not.
        source: std::io::Error,
    },
}

/// The whole router: pages and API.
pub fn router(state: AppState) -> axum::Router {
    let limit = usize::try_from(state.store.max_upload)
        .unwrap_or(usize::MAX)
        .saturating_add(1 << 20);
    pages::routes(limit)
        .merge(api::routes(limit))
        .with_state(state)
}

/// Open the data folder and database, start the workers, listen until Ctrl-C or SIGTERM.
/// Prints `listening on http://ADDR` once accepting (the port, when 0 was asked for).
pub fn serve(opts: &ServeOptions) -> Result<(), ServeError> {
    let store = store::Store::open(&opts.data, opts.max_upload)?;
    let db = db::Db::open(&store.root)?;
    let jobs = jobs::Jobs::start(db.clone(), store.clone(), opts.workers)?;
    let state = AppState { db, store, jobs };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| ServeError::Bind {
            addr: opts.bind,
            source,
        })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.bind)
            .await
            .map_err(|source| ServeError::Bind {
                addr: opts.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: opts.bind,
            source,
        })?;
        println!("listening on http://{addr}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|source| ServeError::Bind {
                addr: opts.bind,
                source,
            })
    })
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
