//! Files on disk under `--data`: uploaded datasets (`datasets/<id>/`), runs (`runs/<id>/` with
//! `scenario.toml`, the plan folder `plan/` and the report folder `report/`), the bundled rules
//! (`rules/`) and upload staging (`tmp/`). Uploads are checked before anything is kept: file
//! names (no separators, `..`, control characters), types, zip entry names, counts and sizes.

use super::web::WebError;
use crate::io::scenario_file::PATH_KEYS;
use crate::report::folder_name;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The scenario templates a planner starts from (key, Chinese and English title, TOML).
pub const TEMPLATES: &[(&str, &str, &str, &str)] = &[
    (
        "wuxi-2021",
        "无锡市 2021 基准情景（全市目标）",
        "Wuxi 2021 base scenario (city targets)",
        include_str!("../../scenarios/wuxi-2021.toml"),
    ),
    (
        "wuxi-2021-districts",
        "无锡市 2021 分区县目标情景",
        "Wuxi 2021 with district targets",
        include_str!("../../scenarios/wuxi-2021-districts.toml"),
    ),
];

/// The templates of the other scenario kinds (key, kind, Chinese and English title, TOML), edited
/// as text; their path keys are left out when shown ([`without_path_keys`]): the server sets them.
pub const TEXT_TEMPLATES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "wuxi-2021-stagger",
        "stagger",
        "无锡市 2021–2022 错峰生产日历（数据集需含 participation、quotas、forecast、government、maintenance 表）",
        "Wuxi 2021–2022 staggered-production calendar (the dataset needs the participation, quotas, forecast, government and maintenance tables)",
        include_str!("../../scenarios/wuxi-2021-stagger.toml"),
    ),
    (
        "wuxi-2021-sweep",
        "sweep",
        "无锡市 2021 情景扫描（以无锡 2021 基准情景为底）",
        "Wuxi 2021 scenario sweep (on the Wuxi 2021 base scenario)",
        include_str!("../../scenarios/wuxi-2021-sweep.toml"),
    ),
    (
        "wuxi-2022-revision",
        "plan",
        "无锡市 2022 清单修订（以一次已完成的运行为上一年清单）",
        "Wuxi 2022 list revision (a finished run is last year's list)",
        include_str!("../../scenarios/wuxi-2022-revision.toml"),
    ),
];

/// A bundled scenario's text without the lines setting a path key (top-level `key = ...`, and a
/// revision's `previous`).
pub fn without_path_keys(text: &str) -> String {
    text.lines()
        .filter(|l| {
            let key = l.split('=').next().unwrap_or("").trim();
            !(l.contains('=') && (PATH_KEYS.contains(&key) || key == "previous"))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The bundled rules written into `<data>/rules/` at start.
const RULES: &[(&str, &str)] = &[
    (
        "guide-2020.csv",
        include_str!("../../seeds/rules/guide-2020.csv"),
    ),
    (
        "wuxi-city.csv",
        include_str!("../../seeds/rules/wuxi-city.csv"),
    ),
];

/// Extensions of table files a dataset may hold.
const TABLE_EXTENSIONS: &[&str] = &["csv", "xlsx", "xls", "ods", "parquet"];
/// Extensions skipped inside a zip (notes that travel with a dataset folder).
const NOTE_EXTENSIONS: &[&str] = &["md", "txt"];
/// Longest file name kept (characters).
const MAX_FILE_NAME: usize = 120;
/// Most entries a zip may hold.
pub const MAX_ZIP_ENTRIES: usize = 200;
/// Largest ratio of an entry's size to its compressed size (beyond: a zip bomb).
pub const MAX_ZIP_RATIO: u64 = 200;
/// Largest scenario TOML accepted (bytes).
pub const MAX_SCENARIO_BYTES: usize = 64 * 1024;
/// Path keys of a scenario a workbench run sets itself (the uploaded dataset, the bundled rules,
/// the calendar tables of the dataset, a sweep's base); every other path key of a scenario
/// ([`PATH_KEYS`]) is refused, and so is a revision's `previous` (the server sets it from the run
/// chosen as last year's list).
const SET_BY_SERVER: &[&str] = &["inventory", "rules", "rule_overrides"];
/// The calendar tables a `stagger` scenario reads, taken from the dataset folder when it holds
/// `<key>.csv`.
pub const STAGGER_TABLES: &[&str] = &[
    "participation",
    "quotas",
    "forecast",
    "government",
    "maintenance",
];
/// File name of a sweep's base scenario, beside the sweep TOML in the run folder.
pub const SWEEP_BASE: &str = "base.toml";

/// Whether a scenario key names a server file the workbench does not let a run read.
fn forbidden(key: &str) -> bool {
    key == "previous" || (PATH_KEYS.contains(&key) && !SET_BY_SERVER.contains(&key))
}

/// Where things are under `--data`.
#[derive(Debug, Clone)]
pub struct Store {
    /// The data folder.
    pub root: PathBuf,
    /// Upload limit in bytes (also bounds what a zip may unpack to: 4×).
    pub max_upload: u64,
}

impl Store {
    /// Create the folders and write the bundled rules.
    pub fn open(root: &Path, max_upload: u64) -> Result<Store, crate::io::IoError> {
        for sub in ["datasets", "runs", "rules", "tmp"] {
            std::fs::create_dir_all(root.join(sub)).map_err(|source| {
                crate::io::IoError::Write {
                    file: root.join(sub).display().to_string(),
                    source,
                }
            })?;
        }
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        for (name, text) in RULES {
            let path = root.join("rules").join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
                crate::io::atomic::write_bytes(&path, text.as_bytes())?;
            }
        }
        // Staging folders of uploads a previous server life did not finish.
        if let Ok(entries) = std::fs::read_dir(root.join("tmp")) {
            for e in entries.flatten() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        Ok(Store { root, max_upload })
    }

    /// A dataset's folder.
    pub fn dataset_dir(&self, id: i64) -> PathBuf {
        self.root.join("datasets").join(id.to_string())
    }

    /// A run's folder.
    pub fn run_dir(&self, id: i64) -> PathBuf {
        self.root.join("runs").join(id.to_string())
    }

    /// A new empty staging folder for an upload.
    pub fn staging(&self) -> Result<PathBuf, WebError> {
        let name = super::auth::token().map_err(|e| WebError::internal(e.to_string()))?;
        let dir = self.root.join("tmp").join(&name[..16]);
        std::fs::create_dir_all(&dir).map_err(|e| WebError::internal(e.to_string()))?;
        Ok(dir)
    }

    /// Move a checked staging folder to its dataset id.
    pub fn keep_dataset(&self, staging: &Path, id: i64) -> Result<(), WebError> {
        std::fs::rename(staging, self.dataset_dir(id))
            .map_err(|e| WebError::internal(e.to_string()))
    }

    /// The scenario a run of `kind` on `dataset` reads: `text` with the server's paths written in
    /// (plan and revise: the dataset's folder and the bundled rules; stagger: the dataset's folder
    /// and its calendar tables; sweep: `base.toml` beside it, see [`SWEEP_BASE`]); any path key
    /// the user gives, anywhere in the file, is refused (E806).
    pub fn scenario_for(&self, dataset: i64, kind: &str, text: &str) -> Result<String, WebError> {
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(WebError::bad(
                "E807",
                format!(
                    "情景文件 {} 字节，超过上限 {MAX_SCENARIO_BYTES} 字节 (scenario of {} bytes is over the {MAX_SCENARIO_BYTES}-byte limit)",
                    text.len(),
                    text.len()
                ),
            ));
        }
        let mut table: toml::Table = toml::from_str(text).map_err(|e| {
            WebError::bad(
                "E807",
                format!("情景 TOML 无法解析 (scenario TOML does not parse): {e}"),
            )
        })?;
        if let Some(key) = forbidden_key(&table) {
            return Err(WebError::bad(
                "E806",
                format!("情景中的键 {key} 指向服务器上的文件，工作台不接受；只用上传的数据集与内置规则 (scenario key `{key}` names a file on the server; the workbench reads only the uploaded dataset and the bundled rules)"),
            ));
        }
        let s = |p: PathBuf| toml::Value::String(p.display().to_string());
        match kind {
            "stagger" => {
                for key in SET_BY_SERVER {
                    table.remove(*key);
                }
                table.insert("inventory".into(), s(self.dataset_dir(dataset)));
                for key in STAGGER_TABLES {
                    let file = self.dataset_dir(dataset).join(format!("{key}.csv"));
                    if file.is_file() {
                        table.insert(key.to_string(), s(file));
                    }
                }
            }
            "sweep" => {
                for key in SET_BY_SERVER {
                    table.remove(*key);
                }
                table.insert("base".into(), toml::Value::String(SWEEP_BASE.into()));
            }
            _ => {
                table.insert("inventory".into(), s(self.dataset_dir(dataset)));
                table.insert("rules".into(), s(self.root.join("rules/guide-2020.csv")));
                table.insert(
                    "rule_overrides".into(),
                    s(self.root.join("rules/wuxi-city.csv")),
                );
            }
        }
        Ok(toml::to_string(&table).expect("a table serializes"))
    }
}

/// The first forbidden path key anywhere in a scenario table: at the top, a path key the server
/// does not set; below it (nested tables and arrays of tables, such as a sweep's `[[scenario]]`
/// entries), any path key at all.
fn forbidden_key(t: &toml::Table) -> Option<String> {
    forbidden_in(t, true)
}

fn forbidden_in(t: &toml::Table, top: bool) -> Option<String> {
    fn inside(v: &toml::Value) -> Option<String> {
        match v {
            toml::Value::Table(inner) => forbidden_in(inner, false),
            toml::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, x)| inside(x).map(|k| format!("{i}.{k}"))),
            _ => None,
        }
    }
    for (k, v) in t {
        let refused = if top {
            forbidden(k)
        } else {
            PATH_KEYS.contains(&k.as_str()) || k == "previous"
        };
        if refused {
            return Some(k.clone());
        }
        if let Some(k2) = inside(v) {
            return Some(format!("{k}.{k2}"));
        }
    }
    None
}

/// The extension of a file name, lower case.
fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// An uploaded file name as kept, or a refusal (E802) naming it: no folder parts, `..`, leading
/// dot or control characters; at most 120 characters.
pub fn checked_file_name(name: &str) -> Result<String, WebError> {
    let refuse = |why: &str| {
        WebError::bad(
            "E802",
            format!(
                "文件名 \"{}\" 不被接受：{why} (file name refused)",
                crate::validate::escape_controls(name)
            ),
        )
    };
    if name.contains(['/', '\\']) || name.split(['/', '\\']).any(|p| p == "..") {
        return Err(refuse("含路径 (contains a path)"));
    }
    if name.starts_with('.') || name.chars().any(crate::validate::is_control) {
        return Err(refuse(
            "以点开头或含控制字符 (hidden or control characters)",
        ));
    }
    if name.trim().is_empty() || name.chars().count() > MAX_FILE_NAME {
        return Err(refuse("为空或过长 (empty or too long)"));
    }
    let clean = folder_name(name);
    if clean != name {
        return Err(refuse(
            "含文件系统不允许的字符 (characters file systems refuse)",
        ));
    }
    Ok(clean)
}

/// Check an uploaded file's type: a table file, or a zip (returns true for a zip).
pub fn is_zip(name: &str) -> Result<bool, WebError> {
    let ext = extension(name);
    if ext == "zip" {
        return Ok(true);
    }
    if TABLE_EXTENSIONS.contains(&ext.as_str()) {
        return Ok(false);
    }
    Err(WebError::bad(
        "E805",
        format!(
            "{}：不支持的文件类型，请上传 csv、xlsx、xls、ods、parquet 或 zip (unsupported file type)",
            crate::validate::escape_controls(name)
        ),
    ))
}

/// Unpack a zip of a dataset folder into `dir` (flat: each entry's file name), refusing unsafe
/// entry names (E803), symbolic links (E803), too many entries and zip bombs (E804). The bytes
/// written are counted, not taken from the headers.
pub fn unzip(zip_path: &Path, dir: &Path, max_total: u64) -> Result<Vec<String>, WebError> {
    let bad = |code, m: String| WebError::bad(code, m);
    let file = std::fs::File::open(zip_path).map_err(|e| WebError::internal(e.to_string()))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        bad(
            "E803",
            format!("压缩包无法读取 (the zip cannot be read): {e}"),
        )
    })?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(bad(
            "E804",
            format!(
                "压缩包有 {} 个条目，上限 {MAX_ZIP_ENTRIES} (the zip has {} entries; at most {MAX_ZIP_ENTRIES})",
                archive.len(),
                archive.len()
            ),
        ));
    }
    let mut names = Vec::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| {
            bad(
                "E803",
                format!("压缩包条目 {i} 无法读取 (zip entry unreadable): {e}"),
            )
        })?;
        let raw = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let shown = crate::validate::escape_controls(&raw).into_owned();
        let unsafe_name = raw.starts_with('/')
            || raw.contains('\\')
            || raw.contains(':')
            || raw.split('/').any(|p| p == "..")
            || entry.enclosed_name().is_none();
        if unsafe_name {
            return Err(bad(
                "E803",
                format!("压缩包条目 \"{shown}\" 的路径不安全（绝对路径或 ..）(zip entry with an unsafe path)"),
            ));
        }
        if entry.is_symlink() {
            return Err(bad(
                "E803",
                format!("压缩包条目 \"{shown}\" 是符号链接 (zip entry is a symbolic link)"),
            ));
        }
        if entry.is_dir() {
            continue;
        }
        let base = raw.rsplit('/').next().unwrap_or("").to_string();
        if base.starts_with('.') || raw.starts_with("__MACOSX/") {
            continue;
        }
        if NOTE_EXTENSIONS.contains(&extension(&base).as_str()) {
            continue;
        }
        let name = checked_file_name(&base)?;
        if is_zip(&name)? {
            return Err(bad(
                "E803",
                format!("压缩包条目 \"{shown}\" 本身是压缩包 (nested zip)"),
            ));
        }
        if names.contains(&name) {
            return Err(bad(
                "E803",
                format!("压缩包中有两个 {name} (two entries named {name})"),
            ));
        }
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > (1 << 20) && size > packed.saturating_mul(MAX_ZIP_RATIO) {
            return Err(bad(
                "E804",
                format!("压缩包条目 \"{shown}\" 压缩比过高（{size} / {packed} 字节），疑似压缩炸弹 (compression ratio over {MAX_ZIP_RATIO}: a zip bomb)"),
            ));
        }
        let room = max_total.saturating_sub(total);
        let mut out = std::fs::File::create(dir.join(&name))
            .map_err(|e| WebError::internal(e.to_string()))?;
        let written = std::io::copy(&mut (&mut entry).take(room + 1), &mut out).map_err(|e| {
            bad(
                "E803",
                format!("压缩包条目 \"{shown}\" 解压失败 (cannot unpack): {e}"),
            )
        })?;
        total += written;
        if written > room {
            return Err(bad(
                "E804",
                format!("压缩包解压后超过 {max_total} 字节 (the zip unpacks to more than {max_total} bytes)"),
            ));
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(bad(
            "E803",
            "压缩包中没有表格文件 (the zip holds no table file)".into(),
        ));
    }
    Ok(names)
}

/// The result folders of a run, in the order their files are listed.
pub const RESULT_FOLDERS: &[&str] = &["plan", "report", "stagger", "sweep", "revise"];

/// The files of a run a user may download, by name: `scenario.toml`, then the files of its result
/// folders ([`RESULT_FOLDERS`]; hidden files left out; the first of two equal names wins).
pub fn run_files(run_dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    let scenario = run_dir.join("scenario.toml");
    if scenario.is_file() {
        out.push(("scenario.toml".into(), scenario));
    }
    for sub in RESULT_FOLDERS {
        let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(run_dir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .filter(|(n, _)| !n.starts_with('.'))
            .collect();
        files.sort();
        for f in files {
            if !out.iter().any(|(n, _)| *n == f.0) {
                out.push(f);
            }
        }
    }
    out
}

/// A content type for a downloaded file.
pub fn content_type(name: &str) -> &'static str {
    match extension(name).as_str() {
        "html" => "text/html; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "toml" | "md" | "txt" => "text/plain; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "parquet" => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    }
}
