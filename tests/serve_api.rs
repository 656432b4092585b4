//! The web workbench over HTTP (the real binary on 127.0.0.1, a temporary `--data`): the whole
//! flow on the 60-firm city, the refusals (path traversal, oversized upload, zip bomb, missing
//! CSRF token, wrong role, server paths in a scenario), and a restart in the middle of a queue.

mod common;
#[path = "common/serve.rs"]
mod serve;

use serve::{add_team, upload_folder, wait_run, zip_of, Client, Server};
use std::path::Path;

/// A generated 60-firm city in `root/city` and the report scenario on it (`root/s.toml`).
fn city(root: &Path, extra: &str) -> String {
    jianpai::seeds::generate_to(60, 1, &root.join("city")).unwrap();
    let text = common::report_scenario(&root.join("city"), extra);
    std::fs::write(root.join("s.toml"), &text).unwrap();
    text
}

fn start_run(c: &mut Client, dataset: i64, scenario: &str) -> serde_json::Value {
    c.post_json(
        "/api/runs",
        &serde_json::json!({"kind": "plan", "dataset": dataset, "scenario": scenario}),
    )
    .json()
}

#[test]
fn the_flow_over_http_matches_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add_team(&data);
    let scenario = city(tmp.path(), "");
    let server = Server::start(&data, &["--workers", "2"]);
    let mut planner = Client::login(&server.base, "planner");

    // Upload → validate.
    let report = upload_folder(&mut planner, &tmp.path().join("city"));
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["summary"]["enterprises"], 60);
    let dataset = report["id"].as_i64().unwrap();

    // Start a run; a viewer may not.
    let mut viewer = Client::login(&server.base, "viewer");
    let refused = viewer.post_json(
        "/api/runs",
        &serde_json::json!({"kind": "plan", "dataset": dataset, "scenario": scenario}),
    );
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert_eq!(refused.json()["error"]["code"], "E812");
    let started = start_run(&mut planner, dataset, &scenario);
    let id = started["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{started}"));
    let run = wait_run(&mut planner, id, 300);
    assert_eq!(run["status"], "finished", "{run}");
    assert_eq!(run["summary"]["status"], "optimal", "{run}");
    let files: Vec<&str> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for f in [
        "scenario.toml",
        "plan.csv",
        "summary.json",
        "应急减排清单.xlsx",
        "一厂一策.xlsx",
        "报告.html",
    ] {
        assert!(files.contains(&f), "{f} missing from {files:?}");
    }

    // The list workbook is byte-identical to the CLI's plan + report of the run's scenario
    // (its provenance names the scenario, the inputs relative to the result and the command,
    // so the CLI writes beside the run's own folders).
    let got = planner.get(&format!(
        "/api/runs/{id}/files/{}",
        "%E5%BA%94%E6%80%A5%E5%87%8F%E6%8E%92%E6%B8%85%E5%8D%95.xlsx"
    ));
    assert_eq!(got.status, 200);
    let cli = |args: &[&std::ffi::OsStr]| {
        assert_cmd::Command::new(serve::BIN)
            .args(args)
            .assert()
            .success();
    };
    let run_dir = data.join(format!("runs/{id}"));
    let (s, p, r) = (
        run_dir.join("scenario.toml"),
        run_dir.join("plan-cli"),
        run_dir.join("report-cli"),
    );
    cli(&[
        "plan".as_ref(),
        s.as_os_str(),
        "--out".as_ref(),
        p.as_os_str(),
    ]);
    cli(&[
        "report".as_ref(),
        p.as_os_str(),
        "--out".as_ref(),
        r.as_os_str(),
    ]);
    let want = std::fs::read(r.join("应急减排清单.xlsx")).unwrap();
    assert!(
        got.body == want,
        "workbook differs from the CLI's ({} vs {} bytes)",
        got.body.len(),
        want.len()
    );
    // And the list itself is the CLI's on the test's own scenario file.
    let (s, p) = (tmp.path().join("s.toml"), tmp.path().join("plan"));
    cli(&[
        "--quiet".as_ref(),
        "plan".as_ref(),
        s.as_os_str(),
        "--out".as_ref(),
        p.as_os_str(),
    ]);
    assert_eq!(
        std::fs::read(p.join("plan.csv")).unwrap(),
        planner.get(&format!("/api/runs/{id}/files/plan.csv")).body
    );

    // The report page is shown inline.
    let html = planner.get(&format!("/runs/{id}/files/%E6%8A%A5%E5%91%8A.html"));
    assert_eq!(html.status, 200);
    assert!(html
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(html.text().contains("<svg"), "the report has its charts");

    // The list page filters by district, industry and grade.
    let all = viewer.get(&format!("/runs/{id}/list")).text();
    let rows = |page: &str| page.matches("<tr class=\"line\"").count();
    let industry = all
        .split("data-industry=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let encoded: String = industry.bytes().map(|b| format!("%{b:02X}")).collect();
    let some = viewer
        .get(&format!("/runs/{id}/list?industry={encoded}"))
        .text();
    assert!(
        rows(&some) > 0 && rows(&some) < rows(&all),
        "{} of {}",
        rows(&some),
        rows(&all)
    );
    assert_eq!(
        rows(&some),
        some.matches(&format!("data-industry=\"{industry}\""))
            .count()
    );
    let plan_lines = std::fs::read_to_string(p.join("plan.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(
        rows(&all) * 3,
        plan_lines,
        "one row per line, three levels per line in plan.csv"
    );

    // A reviewer's comment appears on the planner's run page; a viewer may not comment.
    let mut reviewer = Client::login(&server.base, "reviewer");
    let code = std::fs::read_to_string(tmp.path().join("city/enterprises.csv")).unwrap();
    let code = code
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let c = reviewer.post_json(
        &format!("/api/runs/{id}/comments"),
        &serde_json::json!({"enterprise": code, "level": "red", "text": "红色预警措施偏轻，请核实<停产>安排"}),
    );
    assert_eq!(c.status, 201, "{}", c.text());
    // An enterprise that is not in the run's list is refused, named.
    let c = reviewer.post_json(
        &format!("/api/runs/{id}/comments"),
        &serde_json::json!({"enterprise": "不存在的企业", "text": "请核实"}),
    );
    assert_eq!(c.status, 400, "{}", c.text());
    assert_eq!(c.json()["error"]["code"], "E817");
    assert!(c.text().contains("不存在的企业"), "{}", c.text());
    let c = viewer.post_json(
        &format!("/api/runs/{id}/comments"),
        &serde_json::json!({"enterprise": code, "text": "x"}),
    );
    assert_eq!(c.status, 403);
    let page = planner.get(&format!("/runs/{id}")).text();
    assert!(
        page.contains("红色预警措施偏轻，请核实&lt;停产&gt;安排"),
        "comment escaped and shown"
    );
    assert!(page.contains(&code));
    let listed = planner.get(&format!("/api/runs/{id}/comments")).json();
    assert_eq!(listed[0]["author"], "reviewer", "{listed}");
    // Pages are Chinese by default and English on request.
    assert!(page.contains("审核意见"));
    let english = planner.get(&format!("/runs/{id}?lang=en")).text();
    assert!(english.contains("Review comments") && !english.contains("审核意见"));

    // A second run with stiffer targets; compare the two.
    let lighter = scenario.replace("= 0.03", "= 0.025");
    let id2 = start_run(&mut planner, dataset, &lighter)["id"]
        .as_i64()
        .unwrap();
    assert_eq!(wait_run(&mut planner, id2, 300)["status"], "finished");
    let cmp = viewer.get(&format!("/compare?run={id}&run={id2}"));
    assert_eq!(cmp.status, 200, "{}", cmp.text());
    assert!(cmp.text().contains("id=\"comparison\""));
    let cli_cmp = assert_cmd::Command::new(serve::BIN)
        .args(["compare"])
        .arg(data.join(format!("runs/{id}/plan")))
        .arg(data.join(format!("runs/{id2}/plan")))
        .output()
        .unwrap();
    let first_line = String::from_utf8_lossy(&cli_cmp.stdout)
        .lines()
        .nth(1)
        .unwrap_or("")
        .to_string();
    assert!(
        cmp.text().contains(&first_line.replace('<', "&lt;")),
        "the compare view is the CLI's comparison"
    );

    // The audit log (admin only) holds the upload, the runs, the download and the comment.
    assert_eq!(viewer.get("/audit").status, 403);
    let mut admin = Client::login(&server.base, "admin");
    let audit = admin.get("/audit").text();
    for action in ["upload", "run", "download", "comment", "login"] {
        assert!(
            audit.contains(&format!("<td>{action}</td>")),
            "audit log lacks {action}"
        );
    }
    assert!(audit.contains("run 1: 应急减排清单.xlsx"));
}

#[test]
fn refusals() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add_team(&data);
    let scenario = city(tmp.path(), "");
    let server = Server::start(&data, &["--max-upload-mib", "1"]);
    let mut planner = Client::login(&server.base, "planner");
    let csv = std::fs::read(tmp.path().join("city/districts.csv")).unwrap();
    let code = |a: &serve::Answer| a.json()["error"]["code"].as_str().unwrap_or("").to_string();

    // Not signed in: 401 from the API, the login page for pages.
    let mut anonymous = Client::new(&server.base);
    assert_eq!(anonymous.get("/api/runs").status, 401);
    let page = anonymous.get("/runs");
    assert_eq!(
        (page.status, page.header("location")),
        (303, Some("/login"))
    );
    // Wrong password.
    let bad = anonymous.post_json(
        "/api/login",
        &serde_json::json!({"name": "planner", "password": "nope-nope"}),
    );
    assert_eq!(bad.status, 401);

    // A file name with a path.
    let a = planner.upload("/api/datasets", &[("../districts.csv", csv.clone())], true);
    assert_eq!((a.status, code(&a)), (400, "E802".into()), "{}", a.text());
    // A zip entry climbing out, an absolute one.
    for entry in ["../../etc/districts.csv", "/tmp/districts.csv"] {
        let z = zip_of(&[(entry, csv.clone())]);
        let a = planner.upload("/api/datasets", &[("city.zip", z)], true);
        assert_eq!(
            (a.status, code(&a)),
            (400, "E803".into()),
            "{entry}: {}",
            a.text()
        );
    }
    // A zip holding a symbolic link.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.add_symlink("city/lines.csv", "/etc/passwd", opts)
        .unwrap();
    let z = w.finish().unwrap().into_inner();
    let a = planner.upload("/api/datasets", &[("city.zip", z)], true);
    assert_eq!((a.status, code(&a)), (400, "E803".into()), "{}", a.text());
    assert!(a.text().contains("符号链接"), "{}", a.text());
    // A zip bomb: 64 MiB of zeros in a few kB.
    let z = zip_of(&[("lines.csv", vec![0u8; 64 << 20])]);
    assert!(z.len() < 1 << 20);
    let a = planner.upload("/api/datasets", &[("city.zip", z)], true);
    assert_eq!((a.status, code(&a)), (400, "E804".into()), "{}", a.text());
    // Over the upload limit (1 MiB here): refused from its declared length, before the body.
    let head = oversized_head(&server.base, &planner, 3 << 19);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(head.contains("E801"), "{head}");
    // No CSRF token: an upload, a run, a comment, a form.
    let a = planner.upload("/api/datasets", &[("districts.csv", csv.clone())], false);
    assert_eq!((a.status, code(&a)), (403, "E811".into()));
    let token = planner.csrf.take();
    let a = start_run(&mut planner, 1, &scenario);
    assert_eq!(a["error"]["code"], "E811");
    let f = planner.post_form("/runs", &[("scenario", "1"), ("kind", "plan")], false);
    assert_eq!(f.status, 403);
    planner.csrf = Some("0".repeat(64));
    assert_eq!(
        start_run(&mut planner, 1, &scenario)["error"]["code"],
        "E811"
    );
    planner.csrf = token;
    // An unsupported type; nothing was kept by any refused upload.
    let a = planner.upload("/api/datasets", &[("run.sh", b"echo".to_vec())], true);
    assert_eq!((a.status, code(&a)), (400, "E805".into()));
    assert_eq!(std::fs::read_dir(data.join("datasets")).unwrap().count(), 0);
    assert_eq!(std::fs::read_dir(data.join("tmp")).unwrap().count(), 0);

    // A zip of the dataset folder is accepted; a scenario naming server files is not.
    let files = serve::folder_files(&tmp.path().join("city"));
    let entries: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, b)| (format!("city/{n}"), b.clone()))
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    let a = planner.upload("/api/datasets", &[("city.zip", zip_of(&refs))], true);
    assert_eq!(a.status, 201, "{}", a.text());
    assert_eq!(a.json()["valid"], true);
    let id = a.json()["id"].as_i64().unwrap();
    let evil = format!("{scenario}\ndecisions = \"/etc/passwd\"\n");
    assert_eq!(start_run(&mut planner, id, &evil)["error"]["code"], "E806");
    let out_of_range = scenario.replace("so2 = 0.03", "so2 = 3.0");
    let v = start_run(&mut planner, id, &out_of_range);
    assert_eq!(v["error"]["code"], "E807", "{v}");
    assert!(
        !v.to_string().contains(data.to_str().unwrap()),
        "no server path in {v}"
    );
    assert_eq!(
        start_run(&mut planner, 99, &scenario)["error"]["code"],
        "E813"
    );
    let kind = planner.post_json(
        "/api/runs",
        &serde_json::json!({"kind": "rm", "dataset": id, "scenario": scenario}),
    );
    assert_eq!(kind.json()["error"]["code"], "E816");
    // A file outside the run folder cannot be named.
    let mut viewer = Client::login(&server.base, "viewer");
    for name in ["..%2F..%2Fworkbench.db", "..", "%2Fetc%2Fpasswd"] {
        assert_eq!(
            viewer.get(&format!("/api/runs/1/files/{name}")).status,
            404,
            "{name}"
        );
    }

    // A dataset with a bad cell is stored with its findings: file, row, column and value, on
    // the page too; it cannot be planned.
    let mut files = serve::folder_files(&tmp.path().join("city"));
    let lines = files.iter_mut().find(|(n, _)| n == "lines.csv").unwrap();
    let text = String::from_utf8(lines.1.clone()).unwrap();
    let row2 = text.lines().nth(1).unwrap().to_string();
    let bad_row = format!("{},开工中", row2.rsplit_once(',').unwrap().0);
    lines.1 = text.replacen(&row2, &bad_row, 1).into_bytes();
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let a = planner.upload("/api/datasets", &refs, true);
    assert_eq!(a.status, 201, "{}", a.text());
    let v = a.json();
    assert_eq!(v["valid"], false, "{v}");
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap()
        .clone();
    assert_eq!(
        (d["file"].as_str(), d["row"].as_u64()),
        (Some("lines.csv"), Some(2)),
        "{d}"
    );
    assert!(d["column"].as_str().unwrap().contains("状态"), "{d}");
    assert_eq!(d["value"], "开工中");
    let bad = v["id"].as_i64().unwrap();
    let page = planner.get(&format!("/datasets/{bad}")).text();
    assert!(page.contains("校验未通过") && page.contains("开工中") && page.contains("lines.csv"));
    assert_eq!(
        start_run(&mut planner, bad, &scenario)["error"]["code"],
        "E815"
    );

    // A non-loopback bind needs --allow-remote.
    assert_cmd::Command::new(serve::BIN)
        .args(["serve", "--bind", "0.0.0.0:0", "--data"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--allow-remote"));
}

/// Send only the head of an upload declaring `len` bytes (`Expect: 100-continue`); the answer.
fn oversized_head(base: &str, c: &Client, len: usize) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        s,
        "POST /api/datasets HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {len}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        c.cookie.clone().unwrap_or_default(),
        c.csrf.clone().unwrap_or_default()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
}

#[test]
fn a_restart_leaves_no_run_running() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add_team(&data);
    let scenario = city(tmp.path(), "");
    let mut server = Server::start(&data, &["--workers", "1"]);
    let mut planner = Client::login(&server.base, "planner");
    let dataset = upload_folder(&mut planner, &tmp.path().join("city"))["id"]
        .as_i64()
        .unwrap();
    let ids: Vec<i64> = (0..3)
        .map(|i| {
            let s = scenario.replace("小城测试清单", &format!("小城测试清单{i}"));
            start_run(&mut planner, dataset, &s)["id"].as_i64().unwrap()
        })
        .collect();
    // Kill the server while the first run is running (or as soon as it is taken).
    let start = std::time::Instant::now();
    while planner.get(&format!("/api/runs/{}", ids[0])).json()["status"] == "queued"
        && start.elapsed().as_secs() < 30
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    server.kill();
    let server = Server::start(&data, &["--workers", "1"]);
    let mut planner = Client::login(&server.base, "planner");
    for id in &ids {
        let v = wait_run(&mut planner, *id, 300);
        let status = v["status"].as_str().unwrap();
        assert!(status == "finished" || status == "failed", "{v}");
        if status == "failed" {
            assert!(
                v["message"].as_str().unwrap().contains("服务器重启时中断"),
                "{v}"
            );
        }
    }
    // The later runs were queued again and finished.
    assert_eq!(wait_run(&mut planner, ids[2], 10)["status"], "finished");
}

#[test]
fn users_command_checks_its_input() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let users = |args: &[&str], stdin: &str| {
        assert_cmd::Command::new(serve::BIN)
            .arg("users")
            .args(args)
            .arg("--data")
            .arg(&data)
            .write_stdin(stdin.to_string())
            .assert()
    };
    users(
        &["add", "a", "--role", "king", "--password-stdin"],
        "long-enough\n",
    )
    .code(2)
    .stderr(predicates::str::contains("--role"));
    users(
        &["add", "a/b", "--role", "viewer", "--password-stdin"],
        "long-enough\n",
    )
    .code(2);
    users(
        &["add", "a", "--role", "viewer", "--password-stdin"],
        "short\n",
    )
    .code(3)
    .stderr(predicates::str::contains("8 to"));
    users(
        &["add", "张三", "--role", "reviewer", "--password-stdin"],
        "long-enough\n",
    )
    .success();
    users(&["list"], "")
        .success()
        .stdout(predicates::str::contains("张三\treviewer"));
    // The password is stored as an argon2 hash, never as given.
    let db = std::fs::read(data.join("workbench.db")).unwrap();
    assert!(!db.windows(11).any(|w| w == b"long-enough"));
    assert!(db.windows(9).any(|w| w == b"$argon2id"));
}

/// Every route of the router (pages and API) is a path of docs/openapi.yaml, and every path
/// there is a route.
#[test]
fn openapi_lists_every_route() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut routes = std::collections::BTreeSet::new();
    for f in ["src/serve/pages.rs", "src/serve/api.rs"] {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        for part in text.split(".route(").skip(1) {
            let path = part.trim_start().trim_start_matches('"');
            routes.insert(path[..path.find('"').unwrap()].to_string());
        }
    }
    assert!(routes.len() >= 20, "{routes:?}");
    let spec = std::fs::read_to_string(root.join("docs/openapi.yaml")).unwrap();
    let paths: std::collections::BTreeSet<String> = spec
        .split("\npaths:\n")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("  /") && l.ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':').to_string())
        .collect();
    assert_eq!(routes, paths, "routes vs docs/openapi.yaml paths");
}

/// Processes whose command line names `dir` (the solve children of a run).
fn processes_in(dir: &Path) -> Vec<String> {
    let needle = dir.display().to_string();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&needle))
        .collect()
}

/// The cement calendar tables of `tests/calendar_runnable.rs` (Wuxi, six weeks) and a stagger
/// scenario without path keys (the workbench sets them).
fn stagger_tables(dir: &Path) -> String {
    let w = |n: &str, t: &str| std::fs::write(dir.join(n), t).unwrap();
    w(
        "participation.csv",
        "行业,绩效等级,区县,工序,方式,最短停产天数,启停成本天数,最短连续生产天数\n\
         cement,D,*,熟料,整季停产,,,\ncement,C,*,熟料,错峰,5,1,7\n",
    );
    w(
        "quotas.csv",
        "范围,时段,开始日期,结束日期,最少停产天数\n\
         cement,冬季,2024-02-10,2024-03-10,8\ncement,2月,2024-02-10,2024-02-29,5\n",
    );
    w("forecast.csv", "日期,预警级别\n2024-02-29,橙色\n");
    "name = \"错峰\"\n[blocks]\nmin_days = 7\n[caps]\ndefault = 0.6\n\
     [[seasons]]\nname = \"冬季\"\nstart = \"2024-02-10\"\nend = \"2024-03-10\"\n\
     [seasons.cut]\nnox = 40.0\n[uplift.orange]\nnox = 25.0\n[solver]\ntime_limit = 60\nrel_gap = 0.05\n"
        .to_string()
}

#[test]
fn run_kinds_progress_and_cancel() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add_team(&data);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wuxi = tmp.path().join("wuxi");
    assert_cmd::Command::new(serve::BIN)
        .args(["--quiet", "seeds", "extract", "wuxi-2021", "--out"])
        .arg(&wuxi)
        .assert()
        .success();
    let _ = std::fs::remove_file(wuxi.join("README.md"));
    let stagger = stagger_tables(&wuxi);
    let server = Server::start(&data, &["--workers", "1"]);
    let mut planner = Client::login(&server.base, "planner");
    let w = upload_folder(&mut planner, &wuxi);
    assert_eq!(w["valid"], true);
    let w = w["id"].as_i64().unwrap();
    let run = |c: &mut Client, body: serde_json::Value| c.post_json("/api/runs", &body);
    let code = |a: &serve::Answer| a.json()["error"]["code"].as_str().unwrap_or("").to_string();

    // A Wuxi plan (4,000 firms) is cancelled while it runs: it ends as cancelled and its solve
    // process is gone. The live status names the step and the elapsed time.
    let wuxi_scenario = std::fs::read_to_string(root.join("scenarios/wuxi-2021.toml")).unwrap();
    let a = run(
        &mut planner,
        serde_json::json!({"kind": "plan", "dataset": w, "scenario": wuxi_scenario}),
    )
    .json()["id"]
        .as_i64()
        .unwrap();
    // Queued behind it (one worker): a calendar, and a plan cancelled before it starts.
    let b = run(
        &mut planner,
        serde_json::json!({"kind": "stagger", "dataset": w, "scenario": stagger}),
    );
    assert_eq!(b.status, 201, "{}", b.text());
    let b = b.json()["id"].as_i64().unwrap();
    let c = run(
        &mut planner,
        serde_json::json!({"kind": "plan", "dataset": w, "scenario": wuxi_scenario}),
    )
    .json()["id"]
        .as_i64()
        .unwrap();
    let start = std::time::Instant::now();
    let live = loop {
        let v = planner.get(&format!("/api/runs/{a}")).json();
        if v["status"] == "running" && v["stage"] == "plan" {
            break v;
        }
        assert!(start.elapsed().as_secs() < 60, "{v}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(live["elapsed_s"].as_i64().is_some(), "{live}");
    assert!(live["started"].is_string(), "{live}");
    let run_dir = data.canonicalize().unwrap().join(format!("runs/{a}"));
    // The run is marked running just before its child is spawned (and a forked child shows the
    // server's command line until it executes): wait for it a little.
    let spawned = std::time::Instant::now();
    while processes_in(&run_dir).is_empty() && spawned.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !processes_in(&run_dir).is_empty(),
        "the plan runs as a child process"
    );
    let mut viewer = Client::login(&server.base, "viewer");
    let refused = viewer.post_json(&format!("/api/runs/{a}/cancel"), &serde_json::json!({}));
    assert_eq!((refused.status, code(&refused)), (403, "E812".into()));
    let cancelled = planner.post_json(&format!("/api/runs/{c}/cancel"), &serde_json::json!({}));
    assert_eq!(cancelled.status, 202, "{}", cancelled.text());
    assert_eq!(
        cancelled.json()["status"],
        "cancelled",
        "a queued run at once"
    );
    let cancelled = planner.post_json(&format!("/api/runs/{a}/cancel"), &serde_json::json!({}));
    assert_eq!(cancelled.status, 202, "{}", cancelled.text());
    let v = wait_run(&mut planner, a, 30);
    assert_eq!(v["status"], "cancelled", "{v}");
    assert!(v["message"].as_str().unwrap().contains("已取消"), "{v}");
    assert!(
        processes_in(&run_dir).is_empty(),
        "the solve was stopped: {:?}",
        processes_in(&run_dir)
    );
    let page = planner.get(&format!("/runs/{a}")).text();
    assert!(page.contains("已取消"), "{page}");

    // The calendar runs next; its calendar is the CLI's on the same scenario file.
    let v = wait_run(&mut planner, b, 300);
    assert_eq!(v["status"], "finished", "{v}");
    assert!(
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "calendar.csv"),
        "{v}"
    );
    let got = planner.get(&format!("/api/runs/{b}/files/calendar.csv"));
    assert_eq!(got.status, 200);
    let cli_out = tmp.path().join("stagger-cli");
    assert_cmd::Command::new(serve::BIN)
        .args(["--quiet", "stagger"])
        .arg(data.join(format!("runs/{b}/scenario.toml")))
        .arg("--out")
        .arg(&cli_out)
        .assert()
        .success();
    assert!(got.body == std::fs::read(cli_out.join("calendar.csv")).unwrap());
    // The queued plan never started; an ended run cannot be cancelled.
    let v = wait_run(&mut planner, c, 5);
    assert_eq!(
        (v["status"].as_str(), v["started"].as_str()),
        (Some("cancelled"), None),
        "{v}"
    );
    let again = planner.post_json(&format!("/api/runs/{b}/cancel"), &serde_json::json!({}));
    assert_eq!((again.status, code(&again)), (409, "E821".into()));

    // A revision of a finished plan of the small city, and a sweep on it.
    let scenario = city(tmp.path(), "");
    let s = upload_folder(&mut planner, &tmp.path().join("city"))["id"]
        .as_i64()
        .unwrap();
    let p = start_run(&mut planner, s, &scenario)["id"]
        .as_i64()
        .unwrap();
    assert_eq!(wait_run(&mut planner, p, 300)["status"], "finished");
    let no_previous = run(
        &mut planner,
        serde_json::json!({"kind": "revise", "dataset": s, "scenario": scenario}),
    );
    assert_eq!(
        (no_previous.status, code(&no_previous)),
        (400, "E816".into())
    );
    // Hostile `previous`: a run that does not exist, a run without a finished list.
    for (previous, want) in [(999_999_i64, (404, "E813")), (a, (400, "E816"))] {
        let r = run(
            &mut planner,
            serde_json::json!({"kind": "revise", "dataset": s, "scenario": scenario, "previous": previous}),
        );
        assert_eq!((r.status, code(&r).as_str()), want, "{}", r.text());
    }
    let r = run(
        &mut planner,
        serde_json::json!({"kind": "revise", "dataset": s, "scenario": scenario, "previous": p}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = wait_run(&mut planner, r.json()["id"].as_i64().unwrap(), 300);
    assert_eq!(v["status"], "finished", "{v}");
    let files = v["files"].as_array().unwrap();
    assert!(
        files.iter().any(|f| f == "diff.json") && files.iter().any(|f| f == "plan.csv"),
        "{v}"
    );
    let sweep = "name = \"扫描\"\n[[scenario]]\nname = \"基准\"\n[[scenario]]\nname = \"VOCs 35%\"\ntargets.red.vocs = 0.35\n";
    let sw = run(
        &mut planner,
        serde_json::json!({"kind": "sweep", "dataset": s, "scenario": sweep}),
    );
    assert_eq!(sw.status, 201, "{}", sw.text());
    let v = wait_run(&mut planner, sw.json()["id"].as_i64().unwrap(), 300);
    assert_eq!(v["status"], "finished", "{v}");
    assert!(
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "results.csv"),
        "{v}"
    );
    // A sweep may not name a file of the server, not even inside a [[scenario]].
    let bad = run(
        &mut planner,
        serde_json::json!({"kind": "sweep", "dataset": s, "scenario": "name = \"x\"\n[[scenario]]\nname = \"a\"\ninventory = \"/etc\"\n"}),
    );
    assert_eq!(
        (bad.status, code(&bad)),
        (400, "E806".into()),
        "{}",
        bad.text()
    );
}

#[test]
fn login_form_needs_its_csrf_token() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add_team(&data);
    let server = Server::start(&data, &[]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let post = |cookie: &str, body: &str| {
        let mut r = agent
            .post(format!("{}/login", server.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", cookie)
            .send(body.as_bytes())
            .unwrap();
        let text = r.body_mut().read_to_string().unwrap_or_default();
        (
            r.status().as_u16(),
            text,
            r.headers()
                .get("set-cookie")
                .map(|v| v.to_str().unwrap().to_string()),
        )
    };
    // Without the token (a cross-site form), or with a token that is not the cookie's: E811.
    let (status, text, _) = post("", "name=planner&password=planner-password");
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("E811"), "{text}");
    let mut page = agent.get(format!("{}/login", server.base)).call().unwrap();
    let cookie = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("jp_login="), "{cookie}");
    let html = page.body_mut().read_to_string().unwrap();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(cookie, format!("jp_login={token}"));
    let other = "0".repeat(64);
    let (status, text, _) = post(
        &cookie,
        &format!("csrf={other}&name=planner&password=planner-password"),
    );
    assert_eq!(status, 403, "{text}");
    let (status, text, _) = post(
        &format!("jp_login={other}"),
        &format!("csrf={token}&name=planner&password=planner-password"),
    );
    assert_eq!(status, 403, "{text}");
    // With both: signed in.
    let (status, text, set) = post(
        &cookie,
        &format!("csrf={token}&name=planner&password=planner-password"),
    );
    assert_eq!(status, 303, "{text}");
    assert!(set.unwrap().starts_with("jp_session="));
}

/// The id at the end of a redirect's location (`/scenarios/7`, `/runs/3`).
fn located(a: &serve::Answer) -> i64 {
    assert_eq!(a.status, 303, "{}", a.text());
    a.header("location")
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn page_forms_start_other_kinds_and_cancel() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add_team(&data);
    let scenario = city(tmp.path(), "");
    let server = Server::start(&data, &["--workers", "1"]);
    let mut planner = Client::login(&server.base, "planner");
    let d = upload_folder(&mut planner, &tmp.path().join("city"))["id"]
        .as_i64()
        .unwrap();

    // The sweep template is edited as text, without its path keys (the server sets them).
    let form = planner.get(&format!(
        "/scenarios/new?dataset={d}&template=wuxi-2021-sweep"
    ));
    assert_eq!(form.status, 200);
    let text = form.text();
    assert!(
        text.contains("id=\"toml-text\"") && text.contains("[[scenario]]"),
        "{text}"
    );
    assert!(!text.contains("base = "), "{text}");
    let stagger_form = planner
        .get(&format!(
            "/scenarios/new?dataset={d}&template=wuxi-2021-stagger"
        ))
        .text();
    assert!(stagger_form.contains("[blocks]") && !stagger_form.contains("participation ="));
    let sweep = "name = \"扫描\"\n[[scenario]]\nname = \"基准\"\n[[scenario]]\nname = \"VOCs\"\ntargets.red.vocs = 0.35\n";
    let sc = located(&planner.post_form(
        "/scenarios",
        &[
            ("dataset", &d.to_string()),
            ("template", "wuxi-2021-sweep"),
            ("kind", "sweep"),
            ("toml", sweep),
        ],
        true,
    ));
    let page = planner.get(&format!("/scenarios/{sc}")).text();
    assert!(page.contains("name=\"kind\" value=\"sweep\""), "{page}");
    // A sweep scenario does not start a plan.
    let wrong = planner.post_form(
        "/runs",
        &[("scenario", &sc.to_string()), ("kind", "plan")],
        true,
    );
    assert_eq!(wrong.status, 400);
    assert!(wrong.text().contains("E816"));
    let sweep_run = located(&planner.post_form(
        "/runs",
        &[("scenario", &sc.to_string()), ("kind", "sweep")],
        true,
    ));
    // A plan queued behind it (one worker) is cancelled from its page.
    let plan_sc = planner
        .post_json(
            "/api/runs",
            &serde_json::json!({"kind": "plan", "dataset": d, "scenario": scenario}),
        )
        .json()["scenario"]
        .as_i64()
        .unwrap();
    let page = planner.get(&format!("/scenarios/{plan_sc}")).text();
    assert!(
        page.contains("<option value=\"revise\">"),
        "a plan scenario offers revise"
    );
    let queued = located(&planner.post_form(
        "/runs",
        &[("scenario", &plan_sc.to_string()), ("kind", "plan")],
        true,
    ));
    let page = planner.get(&format!("/runs/{queued}")).text();
    assert!(page.contains("id=\"cancel\""), "{page}");
    assert_eq!(
        planner
            .post_form(&format!("/runs/{queued}/cancel"), &[], false)
            .status,
        403,
        "the cancel form needs the CSRF token"
    );
    let back = planner.post_form(&format!("/runs/{queued}/cancel"), &[], true);
    assert_eq!(located(&back), queued);
    let v = wait_run(&mut planner, queued, 10);
    assert_eq!(v["status"], "cancelled", "{v}");
    let page = planner.get(&format!("/runs/{queued}")).text();
    assert!(
        page.contains("已取消") && !page.contains("id=\"cancel\""),
        "{page}"
    );
    // The sweep's run page shows its step and elapsed time while it runs, then its files.
    let page = planner.get(&format!("/runs/{sweep_run}")).text();
    assert!(page.contains("id=\"stage\""), "{page}");
    let v = wait_run(&mut planner, sweep_run, 300);
    assert_eq!(v["status"], "finished", "{v}");
    let page = planner.get(&format!("/runs/{sweep_run}")).text();
    assert!(
        page.contains("results.csv") && page.contains("用时"),
        "{page}"
    );
}
