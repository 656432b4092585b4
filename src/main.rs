//! The `jianpai` binary: parse flags, run, map failures to documented exit codes.

use clap::Parser;
use jianpai::cli::{run, Cli};

fn main() {
    // The Parquet reader child (see `io::parquet::read_parquet`): no flags, no hooks.
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() == Some(std::ffi::OsStr::new(jianpai::io::parquet::CHILD_ARG)) {
        let code = match (args.next(), args.next()) {
            (Some(file), None) => jianpai::io::parquet::child_main(std::path::Path::new(&file)),
            _ => jianpai::exit::USAGE,
        };
        std::process::exit(code);
    }
    if let Ok(exe) = std::env::current_exe() {
        jianpai::io::parquet::isolate_with(exe);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                jianpai::exit::USAGE
            } else {
                jianpai::exit::OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    // A bug must not print a backtrace at a planner: say where, briefly, and exit 1.
    std::panic::set_hook(Box::new(|info| {
        // Output piped into `head` that closes early: stop quietly, as other command-line tools do.
        let p = info.payload();
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(jianpai::exit::OK);
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("jianpai: internal error{at}");
    }));
    let result = std::panic::catch_unwind(|| run(cli));
    match result {
        Ok(Ok(())) => {}
        Ok(Err(f)) => {
            if !f.message.is_empty() {
                eprintln!(
                    "jianpai: {}",
                    jianpai::validate::escape_terminal(&f.message)
                );
            }
            std::process::exit(f.code);
        }
        Err(_) => {
            eprintln!("jianpai: internal error (this is a bug; please report it with the input that caused it)");
            std::process::exit(jianpai::exit::INTERNAL);
        }
    }
}
