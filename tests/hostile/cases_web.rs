//! Hostile cases: the web workbench's command line — `serve` bound to the network without
//! `--allow-remote`, out-of-range `--workers` and `--max-upload-mib`, a bad `--bind`; `users add`
//! with an unknown role, a bad name, a short or missing password, control characters.

use super::Case;

pub fn cases() -> Vec<Case> {
    vec![
        Case::new(
            "web: serve on 0.0.0.0 without --allow-remote",
            &["serve", "--bind", "0.0.0.0:8080", "--data", "d"],
        )
        .exit(2)
        .says("--allow-remote"),
        Case::new(
            "web: serve on [::] without --allow-remote",
            &["serve", "--bind", "[::]:8080", "--data", "d"],
        )
        .exit(2)
        .says("loopback"),
        Case::new(
            "web: serve --bind not an address",
            &["serve", "--bind", "localhost", "--data", "d"],
        )
        .exit(2)
        .says("127.0.0.1:8080"),
        Case::new(
            "web: serve --workers 0",
            &[
                "serve",
                "--workers",
                "0",
                "--data",
                "d",
                "--bind",
                "127.0.0.1:0",
            ],
        )
        .exit(2)
        .says("--workers 0"),
        Case::new(
            "web: serve --workers 100000",
            &[
                "serve",
                "--workers",
                "100000",
                "--data",
                "d",
                "--bind",
                "127.0.0.1:0",
            ],
        )
        .exit(2)
        .says("1 to 16"),
        Case::new(
            "web: serve --max-upload-mib 0",
            &[
                "serve",
                "--max-upload-mib",
                "0",
                "--data",
                "d",
                "--bind",
                "127.0.0.1:0",
            ],
        )
        .exit(2)
        .says("--max-upload-mib"),
        Case::new(
            "web: serve --max-upload-mib huge",
            &[
                "serve",
                "--max-upload-mib",
                "99999999999",
                "--data",
                "d",
                "--bind",
                "127.0.0.1:0",
            ],
        )
        .exit(2)
        .says("1 to 4096"),
        Case::new(
            "web: serve --data is a file",
            &["serve", "--data", "s.toml", "--bind", "127.0.0.1:0"],
        )
        .exit(7)
        .says("s.toml"),
        users_add(
            "unknown role",
            &["li", "--role", "king"],
            "a good password\n",
            2,
            "admin, planner, reviewer or viewer",
        ),
        users_add(
            "name with a slash",
            &["../li", "--role", "viewer"],
            "a good password\n",
            2,
            "user name",
        ),
        users_add(
            "name with an escape",
            &["li\u{1b}[31m", "--role", "viewer"],
            "a good password\n",
            2,
            "\\u{1b}",
        ),
        users_add(
            "short password",
            &["li", "--role", "viewer"],
            "short\n",
            3,
            "8 to 1024",
        ),
        users_add(
            "empty stdin",
            &["li", "--role", "viewer"],
            "",
            3,
            "password",
        ),
        Case::new(
            "web: users add without --password-stdin",
            &["users", "add", "li", "--role", "viewer", "--data", "d"],
        )
        .exit(2)
        .says("--password-stdin"),
    ]
}

/// `users add ARGS --password-stdin --data d` with `stdin`: exit `code`, saying `says`.
fn users_add(name: &str, args: &[&str], stdin: &str, code: i32, says: &str) -> Case {
    let mut all = vec!["users", "add"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--password-stdin", "--data", "d"]);
    Case::new(format!("web: users add {name}"), &all)
        .stdin(stdin.as_bytes().to_vec())
        .exit(code)
        .says(says)
}
