//! Helpers of the workbench tests: start `jianpai serve` on a free loopback port with a temporary
//! data folder, add users, and talk HTTP with cookies (ureq, no redirects followed).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_jianpai");

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub data: PathBuf,
}

impl Server {
    /// Start on 127.0.0.1:0 with `data` and extra flags; waits for "listening on".
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("jianpai serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Server {
            child,
            base,
            data: data.to_path_buf(),
        }
    }

    /// Kill at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `jianpai users add NAME --role ROLE --password-stdin --data DATA`.
pub fn add_user(data: &Path, name: &str, role: &str, password: &str) {
    assert_cmd::Command::new(BIN)
        .args([
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            "--data",
        ])
        .arg(data)
        .write_stdin(format!("{password}\n"))
        .assert()
        .success();
}

/// The four users every test signs in as (password = name + "-password").
pub fn add_team(data: &Path) {
    for (n, r) in [
        ("admin", "admin"),
        ("planner", "planner"),
        ("reviewer", "reviewer"),
        ("viewer", "viewer"),
    ] {
        add_user(data, n, r, &format!("{n}-password"));
    }
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A client with its own session cookie and CSRF token.
pub struct Client {
    agent: ureq::Agent,
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Client {
            agent,
            base: base.to_string(),
            cookie: None,
            csrf: None,
        }
    }

    /// Sign in through the API (keeps the cookie and the CSRF token).
    pub fn login(base: &str, name: &str) -> Client {
        let mut c = Client::new(base);
        let a = c.post_json(
            "/api/login",
            &serde_json::json!({"name": name, "password": format!("{name}-password")}),
        );
        assert_eq!(a.status, 200, "login {name}: {}", a.text());
        c.csrf = Some(a.json()["csrf_token"].as_str().unwrap().to_string());
        c
    }

    fn finish(&mut self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let mut r = r.expect("HTTP request");
        let headers: Vec<(String, String)> = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie") && v.starts_with("jp_session=") {
                let value = v.split(';').next().unwrap().to_string();
                self.cookie = (value != "jp_session=").then_some(value);
            }
        }
        let body = r
            .body_mut()
            .with_config()
            .limit(200 << 20)
            .read_to_vec()
            .unwrap();
        Answer {
            status: r.status().as_u16(),
            headers,
            body,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookie.clone().unwrap_or_default()
    }

    pub fn get(&mut self, path: &str) -> Answer {
        let r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .call();
        self.finish(r)
    }

    pub fn post_json(&mut self, path: &str, v: &serde_json::Value) -> Answer {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header("Content-Type", "application/json");
        if let Some(t) = &self.csrf {
            req = req.header("X-CSRF-Token", t);
        }
        let r = req.send(v.to_string().as_bytes());
        self.finish(r)
    }

    /// POST a form (`csrf` added when `with_csrf`).
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)], with_csrf: bool) -> Answer {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if with_csrf {
            all.push(("csrf".into(), self.csrf.clone().unwrap_or_default()));
        }
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .send_form(all.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.finish(r)
    }

    /// POST files as multipart/form-data (`name` → bytes); the CSRF header when `with_csrf`.
    pub fn upload(&mut self, path: &str, files: &[(&str, Vec<u8>)], with_csrf: bool) -> Answer {
        let (boundary, body) = multipart(files);
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            );
        if with_csrf {
            if let Some(t) = &self.csrf {
                req = req.header("X-CSRF-Token", t);
            }
        }
        let r = req.send(&body[..]);
        self.finish(r)
    }
}

/// A multipart body of files in the field `files`.
pub fn multipart(files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----jianpai-test-boundary-7d1f".to_string();
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (boundary, body)
}

/// The table files of a dataset folder (name, bytes), sorted.
pub fn folder_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
        .map(|e| {
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Upload a dataset folder's CSV files through the API; its validation report.
pub fn upload_folder(c: &mut Client, dir: &Path) -> serde_json::Value {
    let files = folder_files(dir);
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let a = c.upload("/api/datasets", &refs, true);
    assert_eq!(a.status, 201, "upload: {}", a.text());
    a.json()
}

/// Poll a run until it is finished, failed or cancelled (at most `secs`); its JSON.
pub fn wait_run(c: &mut Client, id: i64, secs: u64) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let v = c.get(&format!("/api/runs/{id}")).json();
        let status = v["status"].as_str().unwrap_or("").to_string();
        if status == "finished" || status == "failed" || status == "cancelled" {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "run {id} still {status} after {secs} s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A zip of `(entry name, bytes)`.
pub fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        std::io::Write::write_all(&mut w, bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}
