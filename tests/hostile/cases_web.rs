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
        Case::new(
            "web: users add unknown role",
            &[
                "users",
                "add",
                "li",
                "--role",
                "king",
                "--password-stdin",
                "--data",
                "d",
            ],
        )
        .stdin("a good password\n")
        .exit(2)
        .says("admin, planner, reviewer or viewer"),
        Case::new(
            "web: users add name with a slash",
            &[
                "users",
                "add",
                "../li",
                "--role",
                "viewer",
                "--password-stdin",
                "--data",
                "d",
            ],
        )
        .stdin("a good password\n")
        .exit(2)
        .says("user name"),
        Case::new(
            "web: users add name with an escape",
            &[
                "users",
                "add",
                "li\u{1b}[31m",
                "--role",
                "viewer",
                "--password-stdin",
                "--data",
                "d",
            ],
        )
        .stdin("a good password\n")
        .exit(2)
        .says("\\u{1b}"),
        Case::new(
            "web: users add short password",
            &[
                "users",
                "add",
                "li",
                "--role",
                "viewer",
                "--password-stdin",
                "--data",
                "d",
            ],
        )
        .stdin("short\n")
        .exit(3)
        .says("8 to 1024"),
        Case::new(
            "web: users add empty stdin",
            &[
                "users",
                "add",
                "li",
                "--role",
                "viewer",
                "--password-stdin",
                "--data",
                "d",
            ],
        )
        .stdin("")
        .exit(3)
        .says("password"),
        Case::new(
            "web: users add without --password-stdin",
            &["users", "add", "li", "--role", "viewer", "--data", "d"],
        )
        .exit(2)
        .says("--password-stdin"),
    ]
}
