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
