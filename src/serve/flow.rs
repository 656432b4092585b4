//! The steps pages and the API share: receive an upload and validate it into a dataset, write a
//! scenario for a dataset, queue a run, send a run's file.

use super::auth::{Action, Session};
use super::db::DatasetRow;
use super::store::{checked_file_name, is_zip, run_files, unzip};
use super::web::WebError;
use super::AppState;
use axum::extract::Multipart;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Output languages of a run.
pub const LANGS: &[&str] = &["zh", "en"];
/// Run kinds: each is the CLI command of the same name (plan also writes the report).
pub const KINDS: &[&str] = &["plan", "stagger", "sweep", "revise"];

/// The kind of scenario a run kind reads: plan and revise read a plan scenario.
pub fn scenario_kind(run_kind: &str) -> &str {
    match run_kind {
        "revise" => "plan",
        k => k,
    }
}

/// The result folders of a run that hold a list (plan.csv): last year's list for a revision,
/// the list a reviewer comments on.
pub fn list_dir(state: &AppState, run: i64) -> Option<PathBuf> {
    ["plan", "revise"]
        .iter()
        .map(|sub| state.store.run_dir(run).join(sub))
        .find(|d| d.join("plan.csv").is_file())
}

fn too_large(limit: u64) -> WebError {
    WebError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "E801",
        format!(
            "上传超过 {} MiB 上限 (upload over the {} MiB limit; see serve --max-upload-mib)",
            limit >> 20,
            limit >> 20
        ),
    )
}

/// Receive a multipart upload (several table files or one zip) into a staging folder and
/// validate it into a dataset. The CSRF token comes as the `X-CSRF-Token` header or as a
/// form field `csrf` before the first file; no file is written before it is checked.
pub async fn upload(
    state: &AppState,
    s: &Session,
    headers: &HeaderMap,
    mut mp: Multipart,
) -> Result<DatasetRow, WebError> {
    s.require(Action::Run)?;
    let limit = state.store.max_upload;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let mut csrf_ok = s.check_csrf(headers, None).is_ok();
    let staging = state.store.staging()?;
    let cleanup = Cleanup(staging.clone());
    let mut names: Vec<String> = Vec::new();
    let mut received: u64 = 0;
    let multipart_err = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(limit)
        } else {
            WebError::bad(
                "E802",
                format!(
                    "上传内容无法读取 (the upload cannot be read): {}",
                    e.body_text()
                ),
            )
        }
    };
    while let Some(mut field) = mp.next_field().await.map_err(multipart_err)? {
        if field.name() == Some("csrf") && field.file_name().is_none() {
            let v = field.text().await.map_err(multipart_err)?;
            s.check_csrf(headers, Some(&v))?;
            csrf_ok = true;
            continue;
        }
        let Some(raw_name) = field.file_name().map(str::to_string) else {
            continue;
        };
        if !csrf_ok {
            s.check_csrf(headers, None)?;
        }
        if raw_name.is_empty() {
            continue;
        }
        let name = checked_file_name(&raw_name)?;
        is_zip(&name)?;
        if names.contains(&name) {
            return Err(WebError::bad(
                "E802",
                format!("两个文件都叫 {name} (two files named {name})"),
            ));
        }
        let mut out = std::fs::File::create(staging.join(&name))
            .map_err(|e| WebError::internal(e.to_string()))?;
        while let Some(chunk) = field.chunk().await.map_err(multipart_err)? {
            received += chunk.len() as u64;
            if received > limit {
                return Err(too_large(limit));
            }
            out.write_all(&chunk)
                .map_err(|e| WebError::internal(e.to_string()))?;
        }
        names.push(name);
    }
    if !csrf_ok {
        s.check_csrf(headers, None)?;
    }
    let zips = names.iter().filter(|n| is_zip(n).unwrap_or(false)).count();
    if names.is_empty() {
        return Err(WebError::bad("E805", "没有收到文件 (no file received)"));
    }
    if zips > 0 && names.len() > 1 {
        return Err(WebError::bad(
            "E805",
            "请上传一个 zip，或若干表格文件，不要混合 (upload one zip, or table files, not both)",
        ));
    }
    let shown_name = names.join(", ");
    let store = state.store.clone();
    let dir = staging.clone();
    let (files, report) = tokio::task::spawn_blocking(move || -> Result<_, WebError> {
        let files = if zips == 1 {
            let zip_path = dir.join(&names[0]);
            let moved = dir.with_extension("zip");
            std::fs::rename(&zip_path, &moved).map_err(|e| WebError::internal(e.to_string()))?;
            let unpacked = unzip(&moved, &dir, store.max_upload.saturating_mul(4));
            let _ = std::fs::remove_file(&moved);
            unpacked?
        } else {
            names
        };
        Ok((files, validation(&dir)))
    })
    .await
    .map_err(|e| WebError::internal(e.to_string()))??;
    let counts = (
        report["valid"].as_bool().unwrap_or(false),
        report["errors"].as_u64().unwrap_or(0) as usize,
        report["warnings"].as_u64().unwrap_or(0) as usize,
    );
    let id = state.db.add_dataset(
        &shown_name,
        &s.user.name,
        &files.join("\n"),
        counts,
        &report.to_string(),
    )?;
    state.store.keep_dataset(&staging, id)?;
    std::mem::forget(cleanup);
    state.db.audit(
        &s.user.name,
        "upload",
        &format!("dataset {id}: {shown_name} ({} errors)", counts.1),
    )?;
    state
        .db
        .dataset(id)?
        .ok_or_else(|| WebError::internal("dataset vanished"))
}

/// Removes a staging folder unless forgotten.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `validate` of a folder as JSON (`valid`, `errors`, `warnings`, `diagnostics`, `summary`),
/// with file names relative to the dataset.
fn validation(dir: &Path) -> serde_json::Value {
    let (inv, mut report) = crate::validate::load_dataset(&[dir.to_path_buf()]);
    let prefix = dir.display().to_string();
    for d in &mut report.diagnostics {
        d.file = d
            .file
            .replace(&format!("{prefix}/"), "")
            .replace(&prefix, "dataset");
    }
    serde_json::json!({
        "valid": !report.has_errors(),
        "errors": report.error_count(),
        "warnings": report.warning_count(),
        "diagnostics": report.diagnostics,
        "summary": inv.as_ref().map(|i| i.summary()),
    })
}

/// A dataset's stored validation report with its id.
pub fn dataset_json(d: &DatasetRow) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&d.report).unwrap_or_default();
    v["id"] = d.id.into();
    v["name"] = d.name.clone().into();
    v
}

/// Store a scenario for a dataset and a run kind: paths rewritten to the dataset and the bundled
/// rules; a plan scenario is read as `plan` reads it (every key range-checked; E807 with the
/// reader's message); stagger and sweep files are read by their command when the run starts.
pub fn create_scenario(
    state: &AppState,
    s: &Session,
    (dataset, kind): (i64, &str),
    template: &str,
    text: &str,
) -> Result<i64, WebError> {
    s.require(Action::Run)?;
    check_kind(kind)?;
    let kind = scenario_kind(kind);
    let d = find_dataset(state, dataset)?;
    if !d.valid {
        return Err(WebError::new(
            StatusCode::CONFLICT,
            "E815",
            format!("数据集 {dataset} 有 {} 个错误，不能用于编制 (dataset {dataset} has errors; fix and upload again)", d.errors),
        ));
    }
    let toml = state.store.scenario_for(dataset, kind, text)?;
    if kind != "plan" {
        return Ok(state
            .db
            .add_scenario((dataset, kind), template, &toml, &s.user.name)?);
    }
    let staging = state.store.staging()?;
    let _cleanup = Cleanup(staging.clone());
    let path = staging.join("scenario.toml");
    std::fs::write(&path, &toml).map_err(|e| WebError::internal(e.to_string()))?;
    crate::io::scenario_file::read_scenario(&path).map_err(|e| {
        WebError::bad(
            "E807",
            e.to_string()
                .replace(&path.display().to_string(), "scenario.toml"),
        )
    })?;
    Ok(state
        .db
        .add_scenario((dataset, kind), template, &toml, &s.user.name)?)
}

fn check_kind(kind: &str) -> Result<(), WebError> {
    if KINDS.contains(&kind) {
        return Ok(());
    }
    Err(WebError::bad(
        "E816",
        format!(
            "运行类型 {:?} 不支持；应为 plan、stagger、sweep 或 revise (run kind must be plan, stagger, sweep or revise)",
            crate::validate::escape_controls(kind)
        ),
    ))
}

/// Queue a run of a stored scenario; returns the run id. A revision names the run whose list
/// is last year's (`previous`: a finished plan or revise run); a sweep's base scenario is the
/// first template on the same dataset.
pub fn queue_run(
    state: &AppState,
    s: &Session,
    (kind, scenario): (&str, i64),
    lang: &str,
    previous: Option<i64>,
) -> Result<i64, WebError> {
    s.require(Action::Run)?;
    check_kind(kind)?;
    if !LANGS.contains(&lang) {
        return Err(WebError::bad(
            "E816",
            format!("语言 {lang:?} 应为 zh 或 en (lang must be zh or en)"),
        ));
    }
    let sc = find_scenario(state, scenario)?;
    if sc.kind != scenario_kind(kind) {
        return Err(WebError::bad(
            "E816",
            format!(
                "情景 {scenario} 是 {} 情景，不能用于 {kind} (scenario {scenario} is a {} scenario, not one for {kind})",
                sc.kind, sc.kind
            ),
        ));
    }
    let mut toml = sc.toml.clone();
    match (kind, previous) {
        ("revise", Some(p)) => {
            let prev = find_run(state, p)?;
            let dir = list_dir(state, p).filter(|_| prev.status == "finished").ok_or_else(|| {
                WebError::bad(
                    "E816",
                    format!("运行 {p} 没有可修订的清单（{}）(run {p} has no finished list to revise)", prev.status),
                )
            })?;
            let mut t: toml::Table = toml::from_str(&toml).map_err(|e| WebError::internal(e.to_string()))?;
            let revision = t
                .entry("revision")
                .or_insert_with(|| toml::Value::Table(Default::default()));
            if let toml::Value::Table(r) = revision {
                r.insert("previous".into(), toml::Value::String(dir.display().to_string()));
            }
            toml = toml::to_string(&t).expect("a table serializes");
        }
        ("revise", None) => {
            return Err(WebError::bad(
                "E816",
                "修订（revise）需要指定上一年清单所在的运行 previous (revise needs `previous`: the run holding last year's list)",
            ))
        }
        _ => {}
    }
    let staging = state.store.staging()?;
    let cleanup = Cleanup(staging.clone());
    let write = |name: &str, text: &str| {
        std::fs::write(staging.join(name), text).map_err(|e| WebError::internal(e.to_string()))
    };
    write("scenario.toml", &toml)?;
    if kind == "sweep" {
        let (_, _, _, base) = super::store::TEMPLATES[0];
        write(
            super::store::SWEEP_BASE,
            &state.store.scenario_for(sc.dataset, "plan", base)?,
        )?;
    }
    let id = state
        .db
        .add_run(kind, (sc.dataset, scenario), lang, &s.user.name)?;
    std::fs::rename(&staging, state.store.run_dir(id)).map_err(|e| {
        let _ = state.db.set_run(id, "failed", 0, "failed", &e.to_string());
        WebError::internal(e.to_string())
    })?;
    std::mem::forget(cleanup);
    state.db.audit(
        &s.user.name,
        "run",
        &format!(
            "run {id}: {kind} of dataset {}, scenario {scenario}{}",
            sc.dataset,
            previous
                .map(|p| format!(", previous run {p}"))
                .unwrap_or_default()
        ),
    )?;
    state.jobs.enqueue(id);
    Ok(id)
}

/// Cancel a queued or running run (planner or admin). A run that already ended is refused
/// (E821).
pub fn cancel(state: &AppState, s: &Session, id: i64) -> Result<(), WebError> {
    s.require(Action::Run)?;
    find_run(state, id)?;
    match state.jobs.cancel(id)? {
        super::jobs::Cancelled::AlreadyEnded => Err(WebError::new(
            StatusCode::CONFLICT,
            "E821",
            format!("运行 {id} 已结束，不能取消 (run {id} has already ended)"),
        )),
        _ => {
            state
                .db
                .audit(&s.user.name, "cancel", &format!("run {id}"))?;
            Ok(())
        }
    }
}

/// A dataset, or 404.
pub fn find_dataset(state: &AppState, id: i64) -> Result<DatasetRow, WebError> {
    state
        .db
        .dataset(id)?
        .ok_or_else(|| WebError::not_found(format!("dataset {id}")))
}

/// A scenario, or 404.
pub fn find_scenario(state: &AppState, id: i64) -> Result<super::db::ScenarioRow, WebError> {
    state
        .db
        .scenario(id)?
        .ok_or_else(|| WebError::not_found(format!("scenario {id}")))
}

/// A run, or 404.
pub fn find_run(state: &AppState, id: i64) -> Result<super::db::RunRow, WebError> {
    state
        .db
        .run(id)?
        .ok_or_else(|| WebError::not_found(format!("run {id}")))
}

/// Percent-encoding of a file name for `Content-Disposition` (RFC 5987).
fn pct(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Send one file of a run (looked up by name among the run's files, never joined as a path);
/// HTML is shown inline, everything else downloaded. Downloads are written to the audit log.
/// The folder listing and the read run off the async threads.
pub async fn send_file(
    state: &AppState,
    s: &Session,
    run: i64,
    name: &str,
) -> Result<Response, WebError> {
    s.require(Action::View)?;
    find_run(state, run)?;
    let dir = state.store.run_dir(run);
    let wanted = name.to_string();
    let bytes = tokio::task::spawn_blocking(move || {
        let files = run_files(&dir);
        let (_, path) = files
            .iter()
            .find(|(n, _)| *n == wanted)
            .ok_or_else(|| WebError::not_found(format!("run {run} file {wanted}")))?;
        std::fs::read(path).map_err(|e| WebError::internal(e.to_string()))
    })
    .await
    .map_err(|e| WebError::internal(e.to_string()))??;
    let html = name.ends_with(".html");
    if !html {
        state
            .db
            .audit(&s.user.name, "download", &format!("run {run}: {name}"))?;
    }
    let disposition = if html {
        "inline".to_string()
    } else {
        format!("attachment; filename*=UTF-8''{}", pct(name))
    };
    Ok((
        [
            (header::CONTENT_TYPE, super::store::content_type(name).to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'".to_string(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// Store a reviewer's comment on an enterprise's measure (bounded lengths; level empty or a
/// warning level; the enterprise, by credit code or name, must be in the run's list).
pub async fn comment(
    state: &AppState,
    s: &Session,
    run: i64,
    (enterprise, level, text): (&str, &str, &str),
) -> Result<(), WebError> {
    s.require(Action::Comment)?;
    find_run(state, run)?;
    let (enterprise, text) = (enterprise.trim(), text.trim());
    if enterprise.is_empty() || enterprise.chars().count() > 100 {
        return Err(WebError::bad(
            "E817",
            "企业（统一社会信用代码或名称）应为 1–100 个字符 (enterprise: 1–100 characters)",
        ));
    }
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(WebError::bad(
            "E817",
            "意见应为 1–2000 个字符 (comment: 1–2000 characters)",
        ));
    }
    if !["", "yellow", "orange", "red"].contains(&level) {
        return Err(WebError::bad("E817", format!("预警级别 {level:?} 应为 yellow、orange、red 或空 (level must be yellow, orange, red or empty)")));
    }
    let shown = crate::validate::escape_controls(enterprise).into_owned();
    let Some(dir) = list_dir(state, run) else {
        return Err(WebError::bad(
            "E817",
            format!("运行 {run} 没有清单，无法对企业 {shown} 提意见 (run {run} has no list to comment on)"),
        ));
    };
    let wanted = enterprise.to_string();
    let listed = tokio::task::spawn_blocking(move || {
        crate::diff::listing::read_listing(&dir).map(|l| {
            l.enterprises
                .values()
                .any(|x| x.credit_code == wanted || x.name == wanted)
        })
    })
    .await
    .map_err(|e| WebError::internal(e.to_string()))?
    .map_err(|r| {
        WebError::internal(format!(
            "run {run}: the list cannot be read ({} errors)",
            r.error_count()
        ))
    })?;
    if !listed {
        return Err(WebError::bad(
            "E817",
            format!("企业 {shown} 不在运行 {run} 的清单中 (enterprise {shown} is not in run {run}'s list)"),
        ));
    }
    state
        .db
        .add_comment(run, &s.user.name, (enterprise, level), text)?;
    state
        .db
        .audit(&s.user.name, "comment", &format!("run {run}: {enterprise}"))?;
    Ok(())
}
