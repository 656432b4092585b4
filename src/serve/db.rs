//! The workbench's SQLite database (`<data>/workbench.db`, WAL): users, sessions, datasets,
//! scenarios, runs, comments and the audit log. The schema changes only through numbered
//! migrations recorded in `schema_migrations`, applied in order at start.

use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// Numbered schema migrations; a database records which it has applied.
const MIGRATIONS: &[(i64, &str)] = &[
    (
    1,
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, role TEXT NOT NULL,
        hash TEXT NOT NULL, created TEXT NOT NULL);
     CREATE TABLE sessions(token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
        csrf TEXT NOT NULL, expires INTEGER NOT NULL);
     CREATE TABLE datasets(id INTEGER PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL,
        files TEXT NOT NULL, valid INTEGER NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,
        report TEXT NOT NULL, created TEXT NOT NULL);
     CREATE TABLE scenarios(id INTEGER PRIMARY KEY, dataset INTEGER NOT NULL REFERENCES datasets(id),
        template TEXT NOT NULL, toml TEXT NOT NULL, owner TEXT NOT NULL, created TEXT NOT NULL);
     CREATE TABLE runs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, dataset INTEGER NOT NULL,
        scenario INTEGER NOT NULL REFERENCES scenarios(id), lang TEXT NOT NULL, owner TEXT NOT NULL,
        status TEXT NOT NULL, progress INTEGER NOT NULL, stage TEXT NOT NULL, message TEXT NOT NULL,
        created TEXT NOT NULL, finished TEXT);
     CREATE TABLE comments(id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(id),
        author TEXT NOT NULL, enterprise TEXT NOT NULL, level TEXT NOT NULL, text TEXT NOT NULL,
        created TEXT NOT NULL);
     CREATE TABLE audit(id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_name TEXT NOT NULL,
        action TEXT NOT NULL, detail TEXT NOT NULL);",
    ),
    // When a run's process started (its elapsed time is shown while it runs).
    // What a scenario is for: `plan` (also revise), `stagger` or `sweep`.
    (
        2,
        "ALTER TABLE runs ADD COLUMN started TEXT;
         ALTER TABLE scenarios ADD COLUMN kind TEXT NOT NULL DEFAULT 'plan';",
    ),
];

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite refused.
    #[error("{file}: database error: {source}")]
    Sql {
        /// The database file.
        file: String,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

/// A shared connection (queries are short; one writer at a time is what SQLite allows anyway).
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    file: String,
}

/// A user as stored.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Role keyword.
    pub role: String,
    /// argon2 PHC string.
    pub hash: String,
}

/// A dataset as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DatasetRow {
    /// Id (also its folder name).
    pub id: i64,
    /// Name given at upload (the first file or the zip).
    pub name: String,
    /// Who uploaded it.
    pub owner: String,
    /// Whether `validate` found no error.
    pub valid: bool,
    /// Errors found.
    pub errors: i64,
    /// Warnings found.
    pub warnings: i64,
    /// The validation report (JSON: diagnostics and summary).
    #[serde(skip)]
    pub report: String,
    /// When uploaded (UTC).
    pub created: String,
}

/// A run as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRow {
    /// Id (also its folder name).
    pub id: i64,
    /// `plan`, `stagger`, `sweep` or `revise`.
    pub kind: String,
    /// Dataset id.
    pub dataset: i64,
    /// Scenario id.
    pub scenario: i64,
    /// Output language (`zh` or `en`).
    pub lang: String,
    /// Who started it.
    pub owner: String,
    /// queued, running, finished, failed or cancelled.
    pub status: String,
    /// 0–100.
    pub progress: i64,
    /// What it is doing.
    pub stage: String,
    /// Outcome or failure message.
    pub message: String,
    /// When queued (UTC).
    pub created: String,
    /// When its process started (UTC).
    pub started: Option<String>,
    /// When it ended (UTC).
    pub finished: Option<String>,
    /// Seconds from start to end, or to now while running.
    pub elapsed_s: Option<i64>,
}

/// A scenario as stored.
#[derive(Debug, Clone)]
pub struct ScenarioRow {
    /// Dataset id.
    pub dataset: i64,
    /// `plan` (plan and revise runs), `stagger` or `sweep`.
    pub kind: String,
    /// Template it started from (`api` for the API).
    pub template: String,
    /// The TOML as a run reads it.
    pub toml: String,
}

/// A reviewer's comment.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommentRow {
    /// Author's login name.
    pub author: String,
    /// Enterprise credit code or name.
    pub enterprise: String,
    /// Warning level the comment is about (may be empty).
    pub level: String,
    /// The comment.
    pub text: String,
    /// When (UTC).
    pub created: String,
}

/// One audit-log entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRow {
    /// When (UTC).
    pub at: String,
    /// Who.
    pub user: String,
    /// What (upload, run, download, comment, login, …).
    pub action: String,
    /// On what.
    pub detail: String,
}

/// Now in UTC, to the second (stored beside rows; never written into result files).
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    Ok(RunRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        dataset: r.get(2)?,
        scenario: r.get(3)?,
        lang: r.get(4)?,
        owner: r.get(5)?,
        status: r.get(6)?,
        progress: r.get(7)?,
        stage: r.get(8)?,
        message: r.get(9)?,
        created: r.get(10)?,
        started: r.get(11)?,
        finished: r.get(12)?,
        elapsed_s: r.get(13)?,
    })
}

const RUN_COLUMNS: &str =
    "id, kind, dataset, scenario, lang, owner, status, progress, stage, message, created, started, finished,
     CAST(strftime('%s', COALESCE(finished, 'now')) AS INTEGER) - CAST(strftime('%s', started) AS INTEGER)";

fn dataset_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DatasetRow> {
    Ok(DatasetRow {
        id: r.get(0)?,
        name: r.get(1)?,
        owner: r.get(2)?,
        valid: r.get(3)?,
        errors: r.get(4)?,
        warnings: r.get(5)?,
        report: r.get(6)?,
        created: r.get(7)?,
    })
}

const DATASET_COLUMNS: &str = "id, name, owner, valid, errors, warnings, report, created";

impl Db {
    /// Open (or create) the database in `data` and apply the missing migrations.
    pub fn open(data: &Path) -> Result<Db, DbError> {
        let path = data.join("workbench.db");
        let file = path.display().to_string();
        let err = |source| DbError::Sql {
            file: file.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        migrate(&mut conn).map_err(err)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            file,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (statements are atomic).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, DbError> {
        f(&self.lock()).map_err(|source| DbError::Sql {
            file: self.file.clone(),
            source,
        })
    }

    /// The highest migration applied.
    pub fn schema_version(&self) -> Result<i64, DbError> {
        self.with(|c| {
            c.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
        })
    }

    /// Add a user, or replace the role and password of an existing one.
    pub fn upsert_user(&self, name: &str, role: &str, hash: &str) -> Result<(), DbError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO users(name, role, hash, created) VALUES(?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET role = ?2, hash = ?3",
                params![name, role, hash, now()],
            )
            .map(|_| ())
        })
    }

    /// A user by login name.
    pub fn user(&self, name: &str) -> Result<Option<UserRow>, DbError> {
        self.with(|c| {
            c.query_row(
                "SELECT id, name, role, hash FROM users WHERE name = ?1",
                [name],
                |r| {
                    Ok(UserRow {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        role: r.get(2)?,
                        hash: r.get(3)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Every user (name, role, created), by name.
    pub fn users(&self) -> Result<Vec<(String, String, String)>, DbError> {
        self.with(|c| {
            let mut s = c.prepare("SELECT name, role, created FROM users ORDER BY name")?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })
    }

    /// Store a session (the token's hash, never the token).
    pub fn add_session(
        &self,
        token_hash: &str,
        user: i64,
        csrf: &str,
        expires: i64,
    ) -> Result<(), DbError> {
        self.with(|c| {
            c.execute(
                "DELETE FROM sessions WHERE expires < ?1",
                [expires - SESSION_SECONDS],
            )?;
            c.execute(
                "INSERT INTO sessions(token_hash, user_id, csrf, expires) VALUES(?1, ?2, ?3, ?4)",
                params![token_hash, user, csrf, expires],
            )
            .map(|_| ())
        })
    }

    /// The user and CSRF token of an unexpired session.
    pub fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(UserRow, String)>, DbError> {
        self.with(|c| {
            c.query_row(
                "SELECT u.id, u.name, u.role, u.hash, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires > ?2",
                params![token_hash, now],
                |r| {
                    Ok((
                        UserRow {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            role: r.get(2)?,
                            hash: r.get(3)?,
                        },
                        r.get(4)?,
                    ))
                },
            )
            .optional()
        })
    }

    /// End a session.
    pub fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        self.with(|c| {
            c.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
                .map(|_| ())
        })
    }

    /// Record a dataset; returns its id.
    pub fn add_dataset(
        &self,
        name: &str,
        owner: &str,
        files: &str,
        (valid, errors, warnings): (bool, usize, usize),
        report: &str,
    ) -> Result<i64, DbError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO datasets(name, owner, files, valid, errors, warnings, report, created)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    name,
                    owner,
                    files,
                    valid,
                    errors as i64,
                    warnings as i64,
                    report,
                    now()
                ],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    /// A dataset by id.
    pub fn dataset(&self, id: i64) -> Result<Option<DatasetRow>, DbError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {DATASET_COLUMNS} FROM datasets WHERE id = ?1"),
                [id],
                dataset_row,
            )
            .optional()
        })
    }

    /// Every dataset, newest first.
    pub fn datasets(&self) -> Result<Vec<DatasetRow>, DbError> {
        self.with(|c| {
            let mut s = c.prepare(&format!(
                "SELECT {DATASET_COLUMNS} FROM datasets ORDER BY id DESC"
            ))?;
            let rows = s.query_map([], dataset_row)?;
            rows.collect()
        })
    }

    /// Record a scenario of a kind (`plan`, `stagger`, `sweep`); returns its id.
    pub fn add_scenario(
        &self,
        (dataset, kind): (i64, &str),
        template: &str,
        toml: &str,
        owner: &str,
    ) -> Result<i64, DbError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO scenarios(dataset, template, toml, owner, created, kind) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                params![dataset, template, toml, owner, now(), kind],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    /// A scenario's dataset, kind, template name and TOML.
    pub fn scenario(&self, id: i64) -> Result<Option<ScenarioRow>, DbError> {
        self.with(|c| {
            c.query_row(
                "SELECT dataset, kind, template, toml FROM scenarios WHERE id = ?1",
                [id],
                |r| {
                    Ok(ScenarioRow {
                        dataset: r.get(0)?,
                        kind: r.get(1)?,
                        template: r.get(2)?,
                        toml: r.get(3)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Queue a run; returns its id.
    pub fn add_run(
        &self,
        kind: &str,
        (dataset, scenario): (i64, i64),
        lang: &str,
        owner: &str,
    ) -> Result<i64, DbError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO runs(kind, dataset, scenario, lang, owner, status, progress, stage, message, created)
                 VALUES(?1, ?2, ?3, ?4, ?5, 'queued', 0, 'queued', '', ?6)",
                params![kind, dataset, scenario, lang, owner, now()],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    /// A run by id.
    pub fn run(&self, id: i64) -> Result<Option<RunRow>, DbError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                [id],
                run_row,
            )
            .optional()
        })
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<RunRow>, DbError> {
        self.with(|c| {
            let mut s = c.prepare(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC"))?;
            let rows = s.query_map([], run_row)?;
            rows.collect()
        })
    }

    /// Set a run's status, progress, stage and message (a final status also stamps `finished`).
    pub fn set_run(
        &self,
        id: i64,
        status: &str,
        progress: i64,
        stage: &str,
        message: &str,
    ) -> Result<(), DbError> {
        let finished = matches!(status, "finished" | "failed" | "cancelled").then(now);
        self.with(|c| {
            c.execute(
                "UPDATE runs SET status = ?2, progress = ?3, stage = ?4, message = ?5, finished = ?6 WHERE id = ?1",
                params![id, status, progress, stage, message, finished],
            )
            .map(|_| ())
        })
    }

    /// Take a queued run: mark it running (stamping `started`) and return its kind; None when
    /// it is no longer queued (cancelled meanwhile).
    pub fn start_run(&self, id: i64) -> Result<Option<String>, DbError> {
        self.with(|c| {
            let n = c.execute(
                "UPDATE runs SET status = 'running', stage = 'starting', progress = 0, started = ?2
                 WHERE id = ?1 AND status = 'queued'",
                params![id, now()],
            )?;
            if n == 0 {
                return Ok(None);
            }
            c.query_row("SELECT kind FROM runs WHERE id = ?1", [id], |r| r.get(0))
                .map(Some)
        })
    }

    /// Cancel a run if it is still queued; whether it was.
    pub fn cancel_queued(&self, id: i64, message: &str) -> Result<bool, DbError> {
        self.with(|c| {
            c.execute(
                "UPDATE runs SET status = 'cancelled', stage = 'cancelled', message = ?2, finished = ?3
                 WHERE id = ?1 AND status = 'queued'",
                params![id, message, now()],
            )
            .map(|n| n == 1)
        })
    }

    /// After a restart: runs left `running` are marked failed with `message`; the ids of runs
    /// still `queued` are returned (oldest first) to be queued again.
    pub fn recover_runs(&self, message: &str) -> Result<Vec<i64>, DbError> {
        self.with(|c| {
            c.execute(
                "UPDATE runs SET status = 'failed', stage = 'interrupted', message = ?1, finished = ?2
                 WHERE status = 'running'",
                params![message, now()],
            )?;
            let mut s = c.prepare("SELECT id FROM runs WHERE status = 'queued' ORDER BY id")?;
            let ids = s.query_map([], |r| r.get(0))?;
            ids.collect()
        })
    }

    /// Add a comment to a run.
    pub fn add_comment(
        &self,
        run: i64,
        author: &str,
        (enterprise, level): (&str, &str),
        text: &str,
    ) -> Result<(), DbError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO comments(run, author, enterprise, level, text, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                params![run, author, enterprise, level, text, now()],
            )
            .map(|_| ())
        })
    }

    /// A run's comments, oldest first.
    pub fn comments(&self, run: i64) -> Result<Vec<CommentRow>, DbError> {
        self.with(|c| {
            let mut s = c.prepare(
                "SELECT author, enterprise, level, text, created FROM comments WHERE run = ?1 ORDER BY id",
            )?;
            let rows = s.query_map([run], |r| {
                Ok(CommentRow {
                    author: r.get(0)?,
                    enterprise: r.get(1)?,
                    level: r.get(2)?,
                    text: r.get(3)?,
                    created: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Append to the audit log.
    pub fn audit(&self, user: &str, action: &str, detail: &str) -> Result<(), DbError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO audit(at, user_name, action, detail) VALUES(?1, ?2, ?3, ?4)",
                params![now(), user, action, detail],
            )
            .map(|_| ())
        })
    }

    /// The newest `limit` audit entries, newest first.
    pub fn audit_log(&self, limit: i64) -> Result<Vec<AuditRow>, DbError> {
        self.with(|c| {
            let mut s = c.prepare(
                "SELECT at, user_name, action, detail FROM audit ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = s.query_map([limit], |r| {
                Ok(AuditRow {
                    at: r.get(0)?,
                    user: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                })
            })?;
            rows.collect()
        })
    }
}

/// How long a session lasts (seconds).
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// Apply every migration newer than the database's, each in its own transaction.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied TEXT NOT NULL)",
        [],
    )?;
    let have: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > have) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations(version, applied) VALUES(?1, ?2)",
            params![version, now()],
        )?;
        tx.commit()?;
    }
    Ok(())
}
