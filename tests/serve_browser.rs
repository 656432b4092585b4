//! The workbench in a real browser: headless Chromium driven over WebDriver (Debian's
//! `chromium-driver`) with plain HTTP (ureq): sign in, upload the 60-firm city through the file
//! input, choose a template and edit targets, start a run, see the report, run again and compare
//! the two runs. Writes `docs/img/workbench.png` when JIANPAI_SCREENSHOT is set.
//!
//! Skipped (with a message) only when `chromedriver` is absent and JIANPAI_REQUIRE_BROWSER is
//! unset; CI installs it (scripts/setup-system.sh).

#[path = "common/serve.rs"]
mod serve;

use serde_json::{json, Value};
use serve::{add_team, Server};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn chromedriver() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .find(|p| Path::new(p).exists())
        .map(|p| p.to_string())
}

/// A chromedriver process and one headless browser session.
struct Browser {
    driver: Child,
    agent: ureq::Agent,
    url: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.url).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    fn start(driver: &str) -> Browser {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-CN"]
        }}}});
        let v: Value = send(&agent, "POST", &format!("{base}/session"), Some(&caps));
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"));
        Browser {
            driver: child,
            agent,
            url: format!("{base}/session/{id}"),
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let v = send(&self.agent, method, &format!("{}{path}", self.url), body);
        if v["value"].get("error").is_some() {
            panic!("webdriver {method} {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(&json!({"url": url})));
    }

    fn find(&self, css: &str) -> String {
        let start = Instant::now();
        loop {
            let v = send(
                &self.agent,
                "POST",
                &format!("{}/element", self.url),
                Some(&json!({"using": "css selector", "value": css})),
            );
            if let Some(id) = v["value"][ELEMENT].as_str() {
                return id.to_string();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no element {css}: {}",
                self.source()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn type_in(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/clear"), Some(&json!({})));
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(&json!({"text": text})),
        );
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(&json!({})));
    }

    fn source(&self) -> String {
        self.cmd("GET", "/source", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn current(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Wait until the page source holds `text`.
    fn wait_for(&self, text: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.source();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "page never showed {text:?}: {s}"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn screenshot(&self) -> Vec<u8> {
        base64(self.cmd("GET", "/screenshot", None).as_str().unwrap())
    }
}

fn send(agent: &ureq::Agent, method: &str, url: &str, body: Option<&Value>) -> Value {
    let r = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        (_, b) => agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(b.cloned().unwrap_or(json!({})).to_string().as_bytes()),
    };
    let mut r = r.unwrap_or_else(|e| panic!("webdriver {method} {url}: {e}"));
    let text = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn base64(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = s.bytes().filter(|c| !b"=\n\r".contains(c)).collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, c)| {
            acc | (u32::from(value(*c)) << (18 - 6 * i))
        });
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// The run id in a run page's address.
fn run_id(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

#[test]
fn a_planner_works_in_the_browser() {
    let Some(driver) = chromedriver() else {
        assert!(
            std::env::var_os("JIANPAI_REQUIRE_BROWSER").is_none(),
            "JIANPAI_REQUIRE_BROWSER is set but chromedriver is not installed (apt-get install chromium-driver)"
        );
        eprintln!("SKIPPED: chromedriver not installed (apt-get install chromium-driver); set JIANPAI_REQUIRE_BROWSER=1 to fail instead");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    add_team(&data);
    jianpai::seeds::generate_to(60, 11, &tmp.path().join("city")).unwrap();
    let server = Server::start(&data, &[]);
    let b = Browser::start(&driver);
    let base = &server.base;

    // Sign in.
    b.go(&format!("{base}/login"));
    b.type_in("#name", "planner");
    b.type_in("#password", "planner-password");
    b.click("#login");
    b.wait_for("运行记录", 20);

    // Upload the city's tables through the file input; the validation shows.
    b.go(&format!("{base}/datasets"));
    let files: Vec<String> = serve::folder_files(&tmp.path().join("city"))
        .iter()
        .map(|(n, _)| tmp.path().join("city").join(n).display().to_string())
        .collect();
    let input = b.find("#files");
    b.cmd(
        "POST",
        &format!("/element/{input}/value"),
        Some(&json!({"text": files.join("\n")})),
    );
    b.click("#upload");
    let page = b.wait_for("id=\"verdict\"", 60);
    assert!(page.contains("校验通过"), "{page}");

    // Choose the template, set the targets, save; the TOML is shown.
    b.click("#template-wuxi-2021");
    for (level, v) in [("yellow", "0.01"), ("orange", "0.02"), ("red", "0.03")] {
        for p in ["so2", "nox", "pm", "vocs"] {
            b.type_in(&format!("input[name='targets.{level}.{p}']"), v);
        }
    }
    b.click("#credits_off");
    b.click("#save-scenario");
    let page = b.wait_for("id=\"toml\"", 20);
    assert!(page.contains("vocs = 0.03"), "{page}");
    let scenario_url = b.current();

    // Run; the status page refreshes itself until the report is there.
    b.click("#start-run");
    let page = b.wait_for("id=\"report\"", 300);
    assert!(page.contains("已完成"), "{page}");
    let first = run_id(&b.current());
    b.go(&format!(
        "{base}/runs/{first}/files/%E6%8A%A5%E5%91%8A.html"
    ));
    b.wait_for("<svg", 20);
    b.go(&format!("{base}/runs/{first}"));
    b.wait_for("id=\"report\"", 20);
    if std::env::var_os("JIANPAI_SCREENSHOT").is_some() {
        let png = b.screenshot();
        std::fs::write(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img/workbench.png"),
            png,
        )
        .unwrap();
    }

    // A second run of the same scenario; compare the two from the runs list.
    b.go(&scenario_url);
    b.click("#start-run");
    b.wait_for("id=\"report\"", 300);
    let second = run_id(&b.current());
    b.go(&format!("{base}/runs"));
    b.click(&format!("#pick-{first}"));
    b.click(&format!("#pick-{second}"));
    b.click("#compare");
    let page = b.wait_for("id=\"comparison\"", 60);
    assert!(page.contains("运行对比"), "{page}");
}
